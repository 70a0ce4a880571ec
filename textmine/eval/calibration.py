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
