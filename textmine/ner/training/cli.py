"""`textmine train ner`, `textmine train encoder` and `textmine train relations` (need the `train` extra: torch, transformers).

    textmine train ner --config configs/ner/fast.yaml
    textmine train encoder --config configs/ner/fast-tapt.yaml
    textmine train relations --config configs/relations/fast.yaml
"""

from __future__ import annotations

import json

import click


@click.group("train")
def train_group() -> None:
    """Train models (needs: pip install 'textmine[train]')."""


@train_group.command("ner")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), required=True,
              help="YAML/JSON training config, e.g. configs/ner/fast.yaml")
@click.option("--output-dir", default=None, help="override the config's output_dir (checkpoints, exports)")
@click.option("--ship-dir", default=None, help="override where the final model folder is copied")
@click.option("--epochs", type=int, default=None)
@click.option("--max-steps", type=int, default=None, help="stop after N optimiser steps (smoke runs)")
def train_ner_command(config_path: str, output_dir: str | None, ship_dir: str | None, epochs: int | None,
                      max_steps: int | None) -> None:
    """Fine-tune the NER tagger on Matscholar (select on dev), export ONNX, quantise int8."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("textmine").setLevel(logging.INFO)
    from textmine.ner.training.train import TrainConfig, train

    cfg = TrainConfig.from_file(config_path, output_dir=output_dir, ship_dir=ship_dir, epochs=epochs, max_steps=max_steps)
    try:
        summary = train(cfg)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps({k: summary[k] for k in ("best_epoch", "best_dev_micro_f1", "train_minutes")}))


@train_group.command("encoder")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), required=True,
              help="an NER config whose `encoder` is the folder to write and whose extra.tapt_* keys set the run, "
                   "e.g. configs/ner/fast-tapt.yaml")
def train_encoder_command(config_path: str) -> None:
    """Task-adaptive MLM pretraining of the NER encoder on normalised materials text."""
    from textmine.ner.training.pretrain import main

    try:
        main(["--config", config_path])
    except (RuntimeError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None


@train_group.command("relations")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), required=True,
              help="YAML relation-model config, e.g. configs/relations/fast.yaml")
@click.option("--out-dir", default=None, help="override the config's out_dir")
@click.option("--epochs", type=int, default=None)
@click.option("--max-train-pairs", type=int, default=None, help="train on at most N pairs (smoke runs)")
def train_relations_command(config_path: str, out_dir: str | None, epochs: int | None, max_train_pairs: int | None) -> None:
    """Train the relation model (linker.model) on the annotated corpora, export ONNX, quantise int8."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("textmine").setLevel(logging.INFO)
    from textmine.relations.training.train import RelationConfig, train

    cfg = RelationConfig.load(config_path, out_dir=out_dir, epochs=epochs, max_train_pairs=max_train_pairs)
    try:
        folder = train(cfg)
    except (RuntimeError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"relation model -> {folder}")
