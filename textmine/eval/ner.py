"""NER scoring: conlleval-style exact (span, type) precision, recall and F1, per type and micro.

    textmine evaluate ner --model fast        # the shipped model on the Matscholar dev split

The model runs through the shipped inference path (`NerTagger`: ONNX, CRF Viterbi decoding) on
the CoNLL file's tokens as they are (the Matscholar files are already normalised), so the figure
is what users get, quantisation included. Training selects epochs with the same `span_scores`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Sequence

from textmine.ner.decode import bio_spans


def span_scores(gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]) -> dict[str, dict[str, float]]:
    """conlleval-style exact (span, type) precision/recall/F1, per type and micro-averaged.

    A span counts when its first word, last word and type all agree; a stray I-X starts an entity."""
    tp: dict[str, int] = {}
    n_gold: dict[str, int] = {}
    n_pred: dict[str, int] = {}
    for g, p in zip(gold, pred):
        gs, ps = set(bio_spans(g)), set(bio_spans(p))
        for s in gs:
            n_gold[s[2]] = n_gold.get(s[2], 0) + 1
        for s in ps:
            n_pred[s[2]] = n_pred.get(s[2], 0) + 1
        for s in gs & ps:
            tp[s[2]] = tp.get(s[2], 0) + 1
    out: dict[str, dict[str, float]] = {}
    for t in sorted(set(n_gold) | set(n_pred)):
        out[t] = _prf(tp.get(t, 0), n_pred.get(t, 0), n_gold.get(t, 0))
    out["micro"] = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": float(n_gold)}


def predict_tags(tagger, sentences: Sequence[Sequence[str]], batch_size: int = 256) -> list[list[str]]:
    """One BIO tag per token, for already-normalised token lists (as in the Matscholar files)."""
    tags: list[list[str]] = []
    for b in range(0, len(sentences), batch_size):
        tags.extend(tw.tags for tw in tagger.tag_words([list(s) for s in sentences[b : b + batch_size]], normalise=False))
    return tags


def evaluate_model(model: str | os.PathLike, conll: str | os.PathLike, batch_size: int = 256,
                   threads: int | None = None) -> dict[str, dict[str, float]]:
    """Scores of `model` (a shipped name or a model folder) on a Matscholar-style CoNLL file."""
    from textmine.ner.data import read_conll
    from textmine.ner.tagger import NerTagger

    tagger = NerTagger(model, threads=threads)
    sentences = read_conll(Path(conll))
    return span_scores([s.tags for s in sentences], predict_tags(tagger, [s.tokens for s in sentences], batch_size))


def format_scores(scores: dict[str, dict[str, float]]) -> str:
    lines = [f"{'type':<6} {'P':>7} {'R':>7} {'F1':>7} {'gold':>6}"]
    for name in [t for t in scores if t != "micro"] + ["micro"]:
        s = scores[name]
        lines.append(f"{name:<6} {s['precision']:>7.4f} {s['recall']:>7.4f} {s['f1']:>7.4f} {int(s['support']):>6}")
    return "\n".join(lines)


__all__ = ["evaluate_model", "format_scores", "predict_tags", "span_scores"]
