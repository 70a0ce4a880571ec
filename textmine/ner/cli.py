"""`textmine ner` (JSONL in, JSONL out) and `textmine train ner`; the main CLI attaches both.

    textmine ner --input IN.jsonl --output OUT.jsonl [--model fast]

An input line is either {"id", "tokens": [...]} (pre-tokenised; one BIO tag per token comes back;
Matscholar-normalised tokens are detected and not normalised twice) or {"id", "text"} (spans come
back as char offsets into the text).
"""

from __future__ import annotations

import json
import sys
from itertools import islice
from typing import IO, Iterator

import click


def _read_lines(stream: IO[str]) -> Iterator[tuple[int, dict]]:
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"line {lineno}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or ("tokens" not in item and "text" not in item):
            raise click.ClickException(f'line {lineno}: expected an object with "tokens" or "text"')
        yield lineno, item


def tag_jsonl(tagger, lines: Iterator[tuple[int, dict]], out: IO[str], batch_size: int = 256,
              normalise: bool | None = None) -> int:
    """Stream input items through `tagger` in bounded batches; returns the number of items written."""
    n = 0
    while True:
        batch = list(islice(lines, batch_size))
        if not batch:
            return n
        token_items = [(i, item) for i, (_, item) in enumerate(batch) if "tokens" in item]
        text_items = [(i, item) for i, (_, item) in enumerate(batch) if "tokens" not in item]
        results: dict[int, dict] = {}
        if token_items:
            tagged = tagger.tag_words([[str(t) for t in item["tokens"]] for _, item in token_items], normalise=normalise)
            for (i, item), tw in zip(token_items, tagged):
                spans = [{"start": s, "end": e, "label": lab, "text": " ".join(item["tokens"][s:e]),
                          "confidence": round(c, 4)} for s, e, lab, c in tw.spans()]
                results[i] = {"id": item.get("id"), "tags": tw.tags, "spans": spans}
        if text_items:
            predicted = tagger.predict_texts([str(item["text"]) for _, item in text_items])
            for (i, item), spans in zip(text_items, predicted):
                results[i] = {"id": item.get("id"), "spans": [s.to_dict() for s in spans]}
        for i in range(len(batch)):
            out.write(json.dumps(results[i], ensure_ascii=False) + "\n")
        n += len(batch)


@click.command("ner")
@click.option("--input", "input_path", type=click.Path(exists=True, dir_okay=False, allow_dash=True), required=True,
              help="JSONL: {id, tokens} or {id, text} per line ('-' for stdin)")
@click.option("--output", "output_path", type=click.Path(dir_okay=False, writable=True, allow_dash=True), required=True,
              help="JSONL output ('-' for stdout)")
@click.option("--model", default="fast", show_default=True, help="shipped model name (fast, accurate) or a model folder")
@click.option("--batch-size", default=256, show_default=True, help="input lines per batch")
@click.option("--threads", type=int, default=None, help="onnxruntime intra-op threads (default: all cores)")
@click.option("--normalise/--no-normalise", default=None,
              help="force or skip Matscholar normalisation of pre-tokenised input (default: detect)")
def ner_command(input_path: str, output_path: str, model: str, batch_size: int, threads: int | None,
                normalise: bool | None) -> None:
    """Tag materials entities (MAT SPL DSC PRO APL SMT CMT) in a JSONL file."""
    from textmine.ner.tagger import NerTagger

    try:
        tagger = NerTagger(model, threads=threads)
    except (FileNotFoundError, ImportError) as exc:
        raise click.ClickException(f"{exc} (NER needs: pip install 'textmine[ner]')") from None
    src = sys.stdin if input_path == "-" else open(input_path, encoding="utf-8")
    dst = sys.stdout if output_path == "-" else open(output_path, "w", encoding="utf-8")
    try:
        n = tag_jsonl(tagger, _read_lines(src), dst, batch_size=batch_size, normalise=normalise)
    finally:
        if src is not sys.stdin:
            src.close()
        if dst is not sys.stdout:
            dst.close()
    click.echo(f"tagged {n} lines with {tagger.model_dir.name}", err=True)


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
    from textmine.ner.train import TrainConfig, train

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
    from textmine.ner.pretrain import main

    try:
        main(["--config", config_path])
    except (RuntimeError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
