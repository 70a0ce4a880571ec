"""Dev-set evaluation of a model folder through the same path as inference (ONNX + NerTagger)."""

from __future__ import annotations

import os
from pathlib import Path

from textmine.ner.data import read_conll
from textmine.ner.decode import span_scores


def evaluate(model: str | os.PathLike, conll: str | os.PathLike, batch_size: int = 256) -> dict:
    """conlleval-style scores of `model` on a Matscholar CoNLL file (already normalised text)."""
    from textmine.ner.tagger import NerTagger

    tagger = NerTagger(model)
    sents = read_conll(Path(conll))
    pred: list[list[str]] = []
    for b in range(0, len(sents), batch_size):
        pred.extend(tw.tags for tw in tagger.tag_words([s.tokens for s in sents[b : b + batch_size]], normalise=False))
    return span_scores([s.tags for s in sents], pred)
