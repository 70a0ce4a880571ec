"""Predicted values and audit flags, kept beside the extracted records but never mixed with them.

Two kinds of rows, both pydantic models (the contract the CLI and API serialise):
- `Prediction`: a model's value for a material, with its interval and coverage; `origin` is always
  "predicted". Written by `textmine predict run --save`; read by `search --include-predicted`.
- `AuditFlag`: the verdict of `textmine audit` on one extracted record: `suspect` when the record's
  value lies outside the model's interval for its material (99 % by default), else `consistent`.

`predictions_for(store)` gives the `PredictionStore` of a store: SQLite keeps them in tables of
the same file, Elasticsearch in two more indices behind aliases (`{prefix}-predictions`,
`{prefix}-audit`). Both answer `search_predictions(Query)` alike; fields of a `Query` that only
records have (text, document, year, kind, extractor, confidence) match no prediction.

For the search CLI/API:
    ps = predictions_for(store)
    ps.search_predictions(query)                       # -> PredictionResult (total, predictions)
    ps.audit_flags([r.record_id for r in records])     # -> {record_id: AuditFlag}; status 'suspect' marks it
    ps.predictions_for_materials([material_id, ...])   # -> {material_id: [Prediction, ...]}
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Iterable, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from textmine.store.base import Query, value_bounds_si

PREDICTIONS_SCHEMA_VERSION = 1


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Prediction(BaseModel):
    """A predicted property value of one material (and structure, when the model used one)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prediction_id: str = ""
    origin: Literal["predicted"] = "predicted"
    property: str
    material_id: str
    formula: str
    elements: list[str] = Field(default_factory=list, description="sorted element symbols")
    structure_id: str | None = None
    value: float
    lower: float | None = Field(default=None, description="interval bounds in `unit`; None: unbounded")
    upper: float | None = None
    coverage: float = Field(gt=0.0, lt=1.0, description="the interval's promised coverage, e.g. 0.9")
    unit: str = ""
    value_si: float | None = None
    lower_si: float | None = None
    upper_si: float | None = None
    unit_si: str | None = None
    model_id: str
    model: str = Field(description="property-learner@model_id[:8]")
    created: str = Field(default_factory=_now)
    schema_version: int = PREDICTIONS_SCHEMA_VERSION

    @model_validator(mode="after")
    def _fill_id(self) -> "Prediction":
        if not self.prediction_id:
            key = "|".join((self.model_id, self.property, self.material_id, self.structure_id or ""))
            object.__setattr__(self, "prediction_id", hashlib.sha1(key.encode("utf-8")).hexdigest()[:20])
        return self


class AuditFlag(BaseModel):
    """`textmine audit`'s verdict on one extracted record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_id: str
    doc_id: str
    property: str
    material_id: str
    formula: str | None = None
    status: Literal["suspect", "consistent"]
    value: float = Field(description="the record's value in `unit` (midpoint of a reported range)")
    prediction: float
    lower: float | None = None
    upper: float | None = None
    coverage: float = Field(gt=0.0, lt=1.0)
    unit: str = ""
    reason: str = ""
    model_id: str
    created: str = Field(default_factory=_now)


class PredictionResult(BaseModel):
    total: int
    predictions: list[Prediction]


@runtime_checkable
class PredictionStore(Protocol):
    def put_predictions(self, predictions: Iterable[Prediction]) -> int:
        """Insert or replace (by prediction_id); returns how many were written."""
        ...

    def delete_predictions(self, *, property: str | None = None, model_id: str | None = None) -> int: ...

    def search_predictions(self, query: Query) -> PredictionResult:
        """Predictions matching the query's property, formula, element and value filters (on the
        predicted value), ordered by formula then prediction_id, paged by limit/offset."""
        ...

    def predictions_for_materials(self, material_ids: Iterable[str], property: str | None = None) -> dict[str, list[Prediction]]: ...

    def put_audit(self, flags: Iterable[AuditFlag], *, replace_property: str | None = None) -> int:
        """Store verdicts (one per record_id, the latest wins); with `replace_property`, first drop
        every earlier verdict on that property (a fresh audit)."""
        ...

    def audit_flags(self, record_ids: Iterable[str]) -> dict[str, AuditFlag]: ...

    def suspect_record_ids(self, property: str | None = None) -> set[str]: ...

    def close(self) -> None: ...


def unsupported_for_predictions(query: Query) -> bool:
    """True when the query filters on something only extracted records have."""
    return bool(query.text or query.doc_id or query.year_min is not None or query.year_max is not None or query.kind
                or query.extractor or query.min_confidence is not None or query.material or query.space_group
                or query.crystal_system or query.has_structure is not None)


def audit_marks(store: object, record_ids: Iterable[str]) -> dict[str, AuditFlag]:
    """`textmine audit`'s verdicts on these records ({} for a store that keeps no predictions): what
    `search` and `material` show as `suspect`."""
    try:
        prediction_store = predictions_for(store)
    except TypeError:
        return {}
    try:
        return prediction_store.audit_flags(record_ids)
    finally:
        prediction_store.close()


def prediction_bounds_si(query: Query) -> tuple[float | None, float | None]:
    return value_bounds_si(query)


def predictions_for(store: object) -> PredictionStore:
    """The prediction store that lives beside `store` (same SQLite file, or same ES cluster and prefix)."""
    from textmine.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from textmine.store.predictions_sqlite import SQLitePredictions

        return SQLitePredictions(store.path, readonly=store.readonly)
    try:
        from textmine.store.elasticsearch import ElasticsearchStore
    except ImportError:  # the es extra is not installed, so this cannot be an ES store
        ElasticsearchStore = None  # type: ignore[assignment,misc]  # noqa: N806
    if ElasticsearchStore is not None and isinstance(store, ElasticsearchStore):
        from textmine.store.predictions_es import ElasticsearchPredictions

        return ElasticsearchPredictions.beside(store)
    raise TypeError(f"no prediction store for {type(store).__name__}: predictions live beside a SQLite or Elasticsearch store")


__all__ = ["Prediction", "AuditFlag", "PredictionResult", "PredictionStore", "audit_marks", "predictions_for", "unsupported_for_predictions"]
