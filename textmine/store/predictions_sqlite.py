"""Predictions and audit flags in the store's SQLite file: own tables, own connection (WAL lets it
sit beside the store's), so the record tables are untouched and never hold a predicted value."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote
from typing import Any, Iterable

from textmine.store.base import Query, StoreUnavailable
from textmine.store.predictions import (
    PREDICTIONS_SCHEMA_VERSION,
    AuditFlag,
    Prediction,
    PredictionResult,
    prediction_bounds_si,
    unsupported_for_predictions,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS predictions (
    prediction_id TEXT PRIMARY KEY,
    property TEXT NOT NULL,
    material_id TEXT NOT NULL,
    formula TEXT NOT NULL,
    value_si REAL,
    model_id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS predictions_property_value ON predictions(property, value_si);
CREATE INDEX IF NOT EXISTS predictions_material ON predictions(material_id);
CREATE INDEX IF NOT EXISTS predictions_formula ON predictions(formula, prediction_id);
CREATE TABLE IF NOT EXISTS prediction_elements (
    prediction_id TEXT NOT NULL REFERENCES predictions(prediction_id) ON DELETE CASCADE,
    element TEXT NOT NULL,
    PRIMARY KEY (element, prediction_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS prediction_elements_prediction ON prediction_elements(prediction_id);
CREATE TABLE IF NOT EXISTS audit_flags (
    record_id TEXT PRIMARY KEY,
    property TEXT NOT NULL,
    status TEXT NOT NULL,
    model_id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_flags_property_status ON audit_flags(property, status);
"""
_META_KEY = "predictions_schema_version"


def ensure_schema(db: sqlite3.Connection) -> None:
    """Create the prediction tables in a store's file opened for writing (a fresh store, `textmine run`,
    `textmine migrate`): beside the record tables, never among them; the store's `meta` table keeps
    their version."""
    db.executescript(SCHEMA)
    db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (_META_KEY, str(PREDICTIONS_SCHEMA_VERSION)))


class SQLitePredictions:
    """The prediction tables of a textmine SQLite file. `readonly` (a store opened read-only, as
    `search` and `material` open it) reads through a `mode=ro` connection and never creates or
    changes anything: a file with no prediction tables yet answers as one with none stored."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._empty = False
        try:
            if readonly:
                self._db = sqlite3.connect(f"file:{quote(str(self.path.resolve()))}?mode=ro", uri=True, timeout=30,
                                           isolation_level=None, check_same_thread=False)
            else:
                self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                self._db.execute("PRAGMA foreign_keys=ON")
                ensure_schema(self._db)
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (_META_KEY,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"cannot keep predictions in {self.path}: {exc}") from exc
        if row is None:  # read-only open of a store no writer has opened since predictions came
            self._empty = True
            return
        if int(row[0]) != PREDICTIONS_SCHEMA_VERSION:
            raise StoreUnavailable(f"{self.path} keeps predictions in schema v{row[0]}, this textmine needs "
                                   f"v{PREDICTIONS_SCHEMA_VERSION}: run `textmine --db {self.path} migrate`")

    def _writable(self) -> None:
        if self.readonly:
            raise StoreUnavailable(f"{self.path} is open read-only: predictions and audit verdicts are written "
                                   "through a store opened for writing")

    # ------------------------------------------------------------------ predictions
    def put_predictions(self, predictions: Iterable[Prediction]) -> int:
        self._writable()
        db = self._db
        n = 0
        db.execute("BEGIN IMMEDIATE")
        try:
            for p in predictions:
                db.execute("DELETE FROM predictions WHERE prediction_id = ?", (p.prediction_id,))
                db.execute(
                    "INSERT INTO predictions VALUES (?,?,?,?,?,?,?)",
                    (p.prediction_id, p.property, p.material_id, p.formula, p.value_si, p.model_id, p.model_dump_json()),
                )
                db.executemany("INSERT OR IGNORE INTO prediction_elements VALUES (?, ?)",
                               ((p.prediction_id, e) for e in p.elements))
                n += 1
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return n

    def delete_predictions(self, *, property: str | None = None, model_id: str | None = None) -> int:
        self._writable()
        clauses, params = [], []
        if property:
            clauses.append("property = ?")
            params.append(property)
        if model_id:
            clauses.append("model_id = ?")
            params.append(model_id)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._db.execute(f"DELETE FROM predictions{where}", params).rowcount

    def _where(self, query: Query) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if query.property:
            clauses.append("p.property = ?")
            params.append(query.property)
        if query.formula:
            clauses.append("p.formula = ?")
            params.append(query.formula)
        if query.material_id:
            clauses.append("p.material_id = ?")
            params.append(query.material_id)
        for element in query.include_elements:
            clauses.append("EXISTS (SELECT 1 FROM prediction_elements e WHERE e.prediction_id = p.prediction_id AND e.element = ?)")
            params.append(element)
        for elements, only in ((query.exclude_elements, False), (query.include_elements if query.only_elements else [], True)):
            if elements:
                marks = ",".join("?" * len(elements))
                negation = "NOT IN" if only else "IN"
                clauses.append("NOT EXISTS (SELECT 1 FROM prediction_elements e WHERE e.prediction_id = p.prediction_id"
                               f" AND e.element {negation} ({marks}))")
                params.extend(elements)
        low, high = prediction_bounds_si(query)
        if low is not None:
            clauses.append("p.value_si >= ?")
            params.append(low)
        if high is not None:
            clauses.append("p.value_si <= ?")
            params.append(high)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def search_predictions(self, query: Query) -> PredictionResult:
        if self._empty or unsupported_for_predictions(query):
            return PredictionResult(total=0, predictions=[])
        where, params = self._where(query)
        total = self._db.execute(f"SELECT count(*) FROM predictions p{where}", params).fetchone()[0]
        rows = self._db.execute(
            f"SELECT p.body FROM predictions p{where} ORDER BY p.formula, p.prediction_id LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        ).fetchall()
        return PredictionResult(total=total, predictions=[Prediction.model_validate_json(r[0]) for r in rows])

    def predictions_for_materials(self, material_ids: Iterable[str], property: str | None = None) -> dict[str, list[Prediction]]:
        out: dict[str, list[Prediction]] = {}
        if self._empty:
            return out
        for chunk in _chunks(list(dict.fromkeys(material_ids)), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT body FROM predictions WHERE material_id IN ({marks})"
            params: list[Any] = list(chunk)
            if property:
                sql += " AND property = ?"
                params.append(property)
            for (body,) in self._db.execute(sql + " ORDER BY formula, prediction_id", params):
                p = Prediction.model_validate_json(body)
                out.setdefault(p.material_id, []).append(p)
        return out

    # ------------------------------------------------------------------ audit
    def put_audit(self, flags: Iterable[AuditFlag], *, replace_property: str | None = None) -> int:
        self._writable()
        db = self._db
        n = 0
        db.execute("BEGIN IMMEDIATE")
        try:
            if replace_property:
                db.execute("DELETE FROM audit_flags WHERE property = ?", (replace_property,))
            for f in flags:
                db.execute("INSERT OR REPLACE INTO audit_flags VALUES (?,?,?,?,?)",
                           (f.record_id, f.property, f.status, f.model_id, f.model_dump_json()))
                n += 1
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return n

    def audit_flags(self, record_ids: Iterable[str]) -> dict[str, AuditFlag]:
        out: dict[str, AuditFlag] = {}
        if self._empty:
            return out
        for chunk in _chunks(list(dict.fromkeys(record_ids)), 500):
            marks = ",".join("?" * len(chunk))
            for (body,) in self._db.execute(f"SELECT body FROM audit_flags WHERE record_id IN ({marks})", chunk):
                flag = AuditFlag.model_validate_json(body)
                out[flag.record_id] = flag
        return out

    def suspect_record_ids(self, property: str | None = None) -> set[str]:
        if self._empty:
            return set()
        sql, params = "SELECT record_id FROM audit_flags WHERE status = 'suspect'", []
        if property:
            sql += " AND property = ?"
            params.append(property)
        return {row[0] for row in self._db.execute(sql, params)}

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "SQLitePredictions":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = ["SQLitePredictions", "ensure_schema"]
