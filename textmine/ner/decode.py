"""BIO labels, constrained Viterbi decoding and CRF marginals (numpy only); scoring is `textmine.eval.ner`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

ENTITY_TYPES = ("MAT", "SPL", "DSC", "PRO", "APL", "SMT", "CMT")
LABELS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I"))

_NEG = -1e4


@dataclass(frozen=True)
class Span:
    """An entity: char offsets into the text it was found in (end exclusive)."""

    start: int
    end: int
    label: str
    text: str
    confidence: float

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text,
                "confidence": round(float(self.confidence), 4)}


def allowed_transitions(labels: Sequence[str]) -> np.ndarray:
    """[from, to] mask: I-X may only follow B-X or I-X."""
    return _allowed_transitions(tuple(labels))


@lru_cache(maxsize=8)
def _allowed_transitions(labels: tuple[str, ...]) -> np.ndarray:
    n = len(labels)
    ok = np.ones((n, n), dtype=bool)
    for j, to in enumerate(labels):
        if to.startswith("I-"):
            for i, frm in enumerate(labels):
                ok[i, j] = frm[2:] == to[2:] and frm != "O"
    return ok


def allowed_starts(labels: Sequence[str]) -> np.ndarray:
    return _allowed_starts(tuple(labels))


@lru_cache(maxsize=8)
def _allowed_starts(labels: tuple[str, ...]) -> np.ndarray:
    return np.array([not lab.startswith("I-") for lab in labels], dtype=bool)


def crf_marginals(em: np.ndarray, transitions: np.ndarray, start: np.ndarray, end: np.ndarray,
                  labels: Sequence[str] = LABELS) -> np.ndarray:
    """Per-word tag marginals [n, L] under a linear-chain CRF (forward-backward in log space).

    Like `viterbi`, invalid BIO moves (I-X after anything but B-X/I-X, or first) get no probability."""
    n = em.shape[0]
    trans = np.where(allowed_transitions(labels), transitions, _NEG)
    start = np.where(allowed_starts(labels), start, _NEG)
    alpha = np.zeros_like(em)
    beta = np.zeros_like(em)
    alpha[0] = start + em[0]
    for t in range(1, n):
        alpha[t] = _logsumexp(alpha[t - 1][:, None] + trans, axis=0) + em[t]
    beta[n - 1] = end
    for t in range(n - 2, -1, -1):
        beta[t] = _logsumexp(trans + (em[t + 1] + beta[t + 1])[None, :], axis=1)
    log_z = _logsumexp(alpha[n - 1] + end, axis=0)
    return np.exp(alpha + beta - log_z)


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def viterbi(
    emissions: np.ndarray,
    transitions: np.ndarray | None = None,
    start: np.ndarray | None = None,
    end: np.ndarray | None = None,
    labels: Sequence[str] = LABELS,
) -> list[int]:
    """Best tag sequence for one sentence's [n_words, n_labels] scores, never an invalid BIO path."""
    n, k = emissions.shape
    if n == 0:
        return []
    trans = np.zeros((k, k)) if transitions is None else transitions.astype(np.float64)
    trans = np.where(allowed_transitions(labels), trans, _NEG)
    st = np.zeros(k) if start is None else start.astype(np.float64)
    st = np.where(allowed_starts(labels), st, _NEG)
    score = st + emissions[0]
    back = np.zeros((n, k), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, None] + trans
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + emissions[t]
    if end is not None:
        score = score + end
    best = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return best[::-1]


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first_word, last_word_exclusive, type) for each entity; a stray I-X starts an entity (conlleval)."""
    spans: list[tuple[int, int, str]] = []
    start, etype = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, t = tag.partition("-")
        if start is not None and (prefix != "I" or t != etype):
            spans.append((start, i, etype))  # type: ignore[arg-type]
            start, etype = None, None
        if prefix == "B" or (prefix == "I" and start is None):
            start, etype = i, t
    return spans


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)
