"""The relation model at inference: onnxruntime + a tokenizers tokenizer, no torch.

    scorer = RelationScorer(model_dir)                     # textmine/relations/models/fast by default
    scorer.score([Pair("value_material", text, (23, 30), (16, 19))])   # -> array of probabilities

Pairs are tokenised, sorted by length and scored in batches, so many short pairs cost a few
full model calls.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from textmine.relations.pairs import MARKERS, PAIR_KINDS, Pair

MODELS = Path(__file__).resolve().parent / "models"


def model_dir(model: str | os.PathLike) -> Path:
    path = Path(model)
    if path.is_dir():
        return path
    shipped = MODELS / str(model)
    if (shipped / "model.onnx").exists():
        return shipped
    known = sorted(p.name for p in MODELS.glob("*") if (p / "model.onnx").exists()) if MODELS.is_dir() else []
    raise FileNotFoundError(f"no relation model {str(model)!r}; shipped: {', '.join(known) or 'none'}, or give a folder")


class RelationScorer:
    def __init__(self, model: str | os.PathLike = "fast", *, threads: int | None = None, batch_size: int = 64) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.dir = model_dir(model)
        self.meta = json.loads((self.dir / "meta.json").read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(self.dir / "tokenizer.json"))
        self.max_length = int(self.meta["max_length"])
        self.tokenizer.enable_truncation(self.max_length)
        self.pad_id = int(self.meta.get("pad_id", 0))
        self.batch_size = batch_size
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or int(os.environ.get("TEXTMINE_THREADS", "0")) or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.dir / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self._marker_ids = {m: self.tokenizer.token_to_id(m) for pair in MARKERS.values() for m in pair}

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    def encode(self, pairs: Sequence[Pair]) -> list[tuple[list[int], int, int] | None]:
        encodings = self.tokenizer.encode_batch([p.marked() for p in pairs])
        out: list[tuple[list[int], int, int] | None] = []
        for pair, encoding in zip(pairs, encodings):
            ids = encoding.ids
            head_kind, tail_kind = PAIR_KINDS[pair.kind]
            head, tail = self._marker_ids[MARKERS[head_kind][0]], self._marker_ids[MARKERS[tail_kind][0]]
            if head in ids and tail in ids:
                out.append((ids, ids.index(head), ids.index(tail)))
            else:
                out.append(None)  # a marker cut off: the pair is too long to judge
        return out

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        """P(related) of each pair (0 for a pair too long to fit the model)."""
        encoded = self.encode(pairs)
        keep = [i for i, e in enumerate(encoded) if e is not None]
        probs = np.zeros(len(pairs))
        if keep:
            probs[keep] = self.score_encoded([encoded[i] for i in keep])
        return probs

    def score_encoded(self, encoded: Sequence[tuple[list[int], int, int]]) -> np.ndarray:
        probs = np.zeros(len(encoded))
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
        for b in range(0, len(order), self.batch_size):
            batch = order[b : b + self.batch_size]
            width = max(len(encoded[i][0]) for i in batch)
            ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                tokens = encoded[i][0]
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            head = np.array([encoded[i][1] for i in batch], dtype=np.int64)
            tail = np.array([encoded[i][2] for i in batch], dtype=np.int64)
            (logits,) = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask, "head_pos": head,
                                                      "tail_pos": tail})
            probs[batch] = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
        return probs


@lru_cache(maxsize=4)
def load_scorer(model: str = "fast") -> RelationScorer:
    return RelationScorer(model)


class ScorerComponent:
    """What the relation-model components share: the scorer, the version and model hash they put in
    provenance, pickling without the ONNX session (workers load their own), and scoring one
    document's pairs at a time: the int8 model quantises its activations per call, so pairs batched
    with another document's would score differently, and a record's confidence must not depend on
    which documents shared its batch (workers, shards, re-runs)."""

    def _load_scorer(self, model: str) -> None:
        self.model = model
        self.scorer = load_scorer(model)
        self.version = f"{self.scorer.version}+{self.scorer.meta.get('name', model)}"

    def models(self) -> dict[str, str]:
        return {f"relations.{self.scorer.meta.get('name', self.model)}": str(self.scorer.meta.get("onnx_sha256", ""))[:16]}

    def __getstate__(self) -> dict:
        return {**self.__dict__, "scorer": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.scorer = load_scorer(self.model)

    def __call__(self, extraction) -> None:
        self.pipe([extraction])

    def pipe(self, extractions: list) -> None:
        for extraction in extractions:
            self.process(extraction)

    def process(self, extraction) -> None:  # pragma: no cover - each component defines it
        raise NotImplementedError

    def score(self, pairs: Sequence[Pair]) -> list[float]:
        return [float(p) for p in self.scorer.score(pairs)] if pairs else []


__all__ = ["RelationScorer", "ScorerComponent", "load_scorer", "model_dir"]
