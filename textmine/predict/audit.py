"""`textmine audit PROPERTY --model DIR`: turn a model back on the extraction.

An extracted record whose value lies outside the model's interval for its material (99 % by
default) is marked `suspect`: a unit slip (meV read as eV), a value of another material in the
same sentence, a wrong-material link. A reported range is suspect only when all of it lies outside.
The interval is calibrated on new chemical systems, so about 1 % of correct records of unseen
materials are marked too; the verdicts are kept in the store (`AuditFlag`), shown by search and
the material view, and `textmine dataset build --drop-suspect` leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from textmine.predict.model import PropertyModel, finite_or_none
from textmine.records import Record
from textmine.store.predictions import AuditFlag

BATCH = 2000


@dataclass
class AuditSummary:
    audited: int = 0
    suspect: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _record_value(record: Record, unit: str) -> tuple[float, float, float] | None:
    """(value, low, high) of the record in the model's unit, or None."""
    from textmine.normalise.units import UnitError, convert

    def conv(si: float | None) -> float | None:
        if si is None:
            return None
        if not unit or not record.unit_si:
            return si if not unit else None
        try:
            return convert(si, record.unit_si, unit)
        except UnitError:
            return None

    low, high, value = conv(record.value_min_si), conv(record.value_max_si), conv(record.value_si)
    if value is None and low is not None and high is not None:
        value = (low + high) / 2.0
    if value is None:
        return None
    return value, low if low is not None else value, high if high is not None else value


def audit_records(records: Iterable[Record], model: PropertyModel, coverage: float = 0.99,
                  summary: AuditSummary | None = None) -> Iterator[AuditFlag]:
    """A verdict for every record of the model's property that has a formula and a value."""
    summary = summary if summary is not None else AuditSummary()
    batch: list[tuple[Record, tuple[float, float, float]]] = []
    for record in records:
        if record.property != model.property:
            summary.skip("another property")
            continue
        if not record.material.formula:
            summary.skip("no formula")
            continue
        value = _record_value(record, model.unit)
        if value is None:
            summary.skip(f"no value convertible to {model.unit or 'the model unit'}")
            continue
        batch.append((record, value))
        if len(batch) >= BATCH:
            yield from _judge(batch, model, coverage, summary)
            batch = []
    if batch:
        yield from _judge(batch, model, coverage, summary)


def _judge(batch: list[tuple[Record, tuple[float, float, float]]], model: PropertyModel, coverage: float,
           summary: AuditSummary) -> Iterator[AuditFlag]:
    prediction, lower, upper, ok = model.predict([r.material.formula for r, _ in batch], coverage=coverage)
    for i, (record, (value, low, high)) in enumerate(batch):
        if not ok[i]:
            summary.skip("formula without features")
            continue
        below = high < lower[i]
        above = low > upper[i]
        suspect = bool(below or above)
        reason = ""
        if suspect:
            ratio = value / prediction[i] if prediction[i] else float("inf")
            reason = (f"{value:.4g} {model.unit} is {'below' if below else 'above'} the model's {coverage:.0%} interval "
                      f"[{lower[i]:.4g}, {upper[i]:.4g}] (prediction {prediction[i]:.4g}, ratio {ratio:.3g})")
        summary.audited += 1
        summary.suspect += suspect
        yield AuditFlag(
            record_id=record.record_id, doc_id=record.doc_id, property=record.property, material_id=record.material_id,
            formula=record.material.formula, status="suspect" if suspect else "consistent", value=float(value),
            prediction=float(prediction[i]), lower=finite_or_none(lower[i]), upper=finite_or_none(upper[i]),
            coverage=coverage, unit=model.unit, reason=reason, model_id=model.model_id,
        )


__all__ = ["audit_records", "AuditSummary"]
