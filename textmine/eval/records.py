"""Records against gold rows: precision, recall and F1 per property and pooled (micro).

    textmine extract --input texts.jsonl --output records.jsonl
    textmine evaluate records gold/ records.jsonl --property band_gap

Every record of a scored property counts, so the records file should come from exactly the
texts the gold annotates (`make-gold` writes them next to the gold files). Precision = matched
records / records; recall = matched gold rows / gold rows (see `textmine.eval.match`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from textmine.eval.gold import GoldRow, RecordView
from textmine.eval.match import match


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Score") -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched

    def to_dict(self) -> dict[str, float | int]:
        return {"gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class RecordsResult:
    scores: dict[str, Score]
    records: list[RecordView]            # the scored records (of the scored properties)
    correct: list[bool]                  # per scored record: matched a gold row
    missed: list[GoldRow] = field(default_factory=list)
    unparsed: list[GoldRow] = field(default_factory=list)  # gold rows whose value no alternative of parses

    @property
    def micro(self) -> Score:
        total = Score()
        for score in self.scores.values():
            total.add(score)
        return total

    def to_dict(self) -> dict:
        out: dict = {prop: s.to_dict() for prop, s in self.scores.items()}
        out["micro"] = self.micro.to_dict()
        out["unparsed_gold_values"] = len(self.unparsed)
        return out


def score_records(gold: Sequence[GoldRow], records: Iterable[RecordView], properties: Iterable[str] = ()) -> RecordsResult:
    """Score the records of `properties` (default: the gold's properties) against `gold`."""
    props = sorted(set(properties) | {row.property for row in gold})
    scored = [r for r in records if r.property in props]
    pairs = match(gold, scored)
    scores = {prop: Score() for prop in props}
    for row in gold:
        scores[row.property].gold += 1
    for r, record in enumerate(scored):
        scores[record.property].predicted += 1
        scores[record.property].matched += r in pairs
    matched_gold = set(pairs.values())
    return RecordsResult(
        scores=scores,
        records=scored,
        correct=[r in pairs for r in range(len(scored))],
        missed=[row for g, row in enumerate(gold) if g not in matched_gold],
        unparsed=[row for row in gold if not row.parsed],
    )


def format_table(result: RecordsResult) -> str:
    lines = [f"{'property':<28} {'gold':>6} {'pred':>6} {'match':>6} {'P':>6} {'R':>6} {'F1':>6}"]
    rows = list(result.scores.items())
    if len(rows) > 1:
        rows.append(("micro", result.micro))
    for prop, s in rows:
        lines.append(f"{prop:<28} {s.gold:>6} {s.predicted:>6} {s.matched:>6} "
                     f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}")
    if result.unparsed:
        lines.append(f"{len(result.unparsed)} gold value(s) did not parse and cannot match, e.g. "
                     + "; ".join(f"{row.where}: {row.raw_value!r}" for row in result.unparsed[:3]))
    return "\n".join(lines)


def format_errors(result: RecordsResult, limit: int) -> str:
    """Up to `limit` missed gold rows and unmatched records, for looking at what went wrong."""
    lines = [f"missed gold rows ({len(result.missed)}):"]
    for row in result.missed[:limit]:
        lines.append(f"  {row.where} {row.source}: {' | '.join(row.compounds)} = {row.raw_value}")
    wrong = [r for r, ok in zip(result.records, result.correct) if not ok]
    lines.append(f"unmatched records ({len(wrong)}):")
    for record in wrong[:limit]:
        value = record.value_min if record.value_min == record.value_max else f"{record.value_min}-{record.value_max}"
        lines.append(f"  {record.doc_id}: {record.property} {record.text!r} = {value} {record.unit or ''} "
                     f"(confidence {record.confidence:.2f})")
    return "\n".join(lines)


__all__ = ["RecordsResult", "Score", "format_errors", "format_table", "score_records"]
