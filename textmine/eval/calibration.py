"""Calibration of record confidences: reliability table and expected calibration error (ECE).

    textmine evaluate calibration gold/ records.jsonl

Confidences fall into 10 equal-width bins ([0, 0.1), [0.1, 0.2), ..., [0.9, 1.0], 1.0 in the
last); a record is correct when it matches a gold row (`textmine.eval.match`, one-to-one), pooled
over all scored properties. ECE = sum over bins of (n_bin / n) * |accuracy_bin - mean confidence_bin|.
Accuracy is monotone when it never falls from one non-empty bin to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    n: int
    mean_confidence: float
    accuracy: float

    def to_dict(self) -> dict:
        return {"bin": [round(self.low, 2), round(self.high, 2)], "n": self.n,
                "mean_confidence": round(self.mean_confidence, 4), "accuracy": round(self.accuracy, 4)}


@dataclass(frozen=True)
class Calibration:
    bins: list[Bin]
    n: int
    ece: float
    accuracy: float

    @property
    def monotone(self) -> bool:
        filled = [b.accuracy for b in self.bins if b.n]
        return all(a <= b for a, b in zip(filled, filled[1:]))

    def to_dict(self) -> dict:
        return {"n": self.n, "ece": round(self.ece, 4), "accuracy": round(self.accuracy, 4),
                "monotone": self.monotone, "bins": [b.to_dict() for b in self.bins]}


def reliability(confidences: Sequence[float], correct: Sequence[bool], n_bins: int = 10) -> Calibration:
    if len(confidences) != len(correct):
        raise ValueError("one correctness flag per confidence")
    members: list[list[int]] = [[] for _ in range(n_bins)]
    for i, c in enumerate(confidences):
        if not 0.0 <= c <= 1.0:
            raise ValueError(f"confidence {c} outside [0, 1]")
        # rounding first: 0.7 * 10 must land in bin 7 even where the product is 6.999...
        members[min(int(round(c * n_bins, 9)), n_bins - 1)].append(i)
    n = len(confidences)
    bins, ece = [], 0.0
    for k, idx in enumerate(members):
        mean_conf = sum(confidences[i] for i in idx) / len(idx) if idx else 0.0
        acc = sum(bool(correct[i]) for i in idx) / len(idx) if idx else 0.0
        ece += len(idx) / n * abs(acc - mean_conf) if n else 0.0
        bins.append(Bin(k / n_bins, (k + 1) / n_bins, len(idx), mean_conf, acc))
    return Calibration(bins, n, ece, sum(bool(c) for c in correct) / n if n else 0.0)


def format_table(cal: Calibration) -> str:
    lines = [f"{'bin':<11} {'n':>6} {'confidence':>10} {'accuracy':>9}"]
    for b in cal.bins:
        conf = f"{b.mean_confidence:.3f}" if b.n else "-"
        acc = f"{b.accuracy:.3f}" if b.n else "-"
        lines.append(f"[{b.low:.1f}, {b.high:.1f}{']' if b.high >= 1 else ')'} {b.n:>6} {conf:>10} {acc:>9}")
    lines.append(f"records {cal.n}, accuracy {cal.accuracy:.3f}, ECE {cal.ece:.4f}, "
                 f"accuracy monotone in confidence: {'yes' if cal.monotone else 'no'}")
    return "\n".join(lines)


__all__ = ["Bin", "Calibration", "format_table", "reliability"]


# --- fitting --------------------------------------------------------------------------------------

def fit_isotonic(scores: Sequence[float], correct: Sequence[bool], min_block: int = 20,
                 floor: float = 0.02, ceiling: float = 0.98) -> tuple[list[float], list[float]]:
    """A monotone map score -> P(correct) by pooling adjacent violators, every block holding at least
    `min_block` records (small blocks are merged: a map from a few hundred records must not chase
    noise). Returns the breakpoints (mean score, accuracy) of the blocks, for `Calibrate`."""
    if len(scores) != len(correct):
        raise ValueError("one correctness flag per score")
    if not scores:
        raise ValueError("no records to fit a calibration on")
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    # blocks: [sum of scores, sum of correct, count]
    blocks: list[list[float]] = []
    for i in order:
        if blocks and abs(blocks[-1][0] / blocks[-1][2] - scores[i]) < 1e-9:  # equal scores: one step, always
            blocks[-1][0] += scores[i]
            blocks[-1][1] += float(bool(correct[i]))
            blocks[-1][2] += 1
        else:
            blocks.append([float(scores[i]), float(bool(correct[i])), 1.0])
        while len(blocks) > 1 and (blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]
                                   or blocks[-2][2] < min_block):
            s, c, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
            blocks[-1][2] += n
    while len(blocks) > 1 and blocks[-1][2] < min_block:  # the last block too
        s, c, n = blocks.pop()
        blocks[-1] = [blocks[-1][0] + s, blocks[-1][1] + c, blocks[-1][2] + n]
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            s, c, n = blocks.pop()
            blocks[-1] = [blocks[-1][0] + s, blocks[-1][1] + c, blocks[-1][2] + n]
    xs = [round(s / n, 4) for s, _, n in blocks]
    ys = [round(min(ceiling, max(floor, c / n)), 4) for _, c, n in blocks]
    return xs, ys


def apply_map(xs: Sequence[float], ys: Sequence[float], score: float) -> float:
    """Piecewise-linear between breakpoints, flat outside (as `textmine.extract.calibrate.Calibrate`)."""
    if score <= xs[0]:
        return ys[0]
    if score >= xs[-1]:
        return ys[-1]
    for i in range(1, len(xs)):
        if score <= xs[i]:
            x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
            return y0 if x1 == x0 else y0 + (y1 - y0) * (score - x0) / (x1 - x0)
    return ys[-1]  # pragma: no cover


def cross_fitted(scores: Sequence[float], correct: Sequence[bool], groups: Sequence[str], folds: int = 5,
                 min_block: int = 20) -> list[float]:
    """Out-of-fold calibrated confidences: each record mapped by a map fitted without its document's
    fold (folds by a stable hash of `groups`, e.g. doc_id), so the ECE they give is an honest
    estimate of the shipped map's on new documents."""
    import hashlib

    fold_of = [int(hashlib.sha1(g.encode("utf-8")).hexdigest(), 16) % folds for g in groups]
    out = [0.0] * len(scores)
    for f in range(folds):
        train = [i for i in range(len(scores)) if fold_of[i] != f]
        test = [i for i in range(len(scores)) if fold_of[i] == f]
        if not test:
            continue
        xs, ys = fit_isotonic([scores[i] for i in train], [correct[i] for i in train], min_block=min_block)
        for i in test:
            out[i] = round(apply_map(xs, ys, scores[i]), 3)
    return out


__all__ += ["apply_map", "cross_fitted", "fit_isotonic"]
