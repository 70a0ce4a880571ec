"""Reviews in the store's own SQLite file: one append-only `reviews` table.

Reads of the extracted records (`get_record`, `candidates`) go to the store's `records` table (schema
v2, `textmine/store/sqlite_schema.py`) by `record_id`, the one column of it this module relies on
besides `confidence`, `property`, `formula` and the `value_*_si` bounds, and to `record_bodies` (the
whole Record, same rowid). Its own connection: the store's is not shared.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

from textmine.curation.edit import plausible_si_bounds
from textmine.curation.models import Review
from textmine.records import Record
from textmine.store.base import StoreUnavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id TEXT NOT NULL UNIQUE,
    record_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    action TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_record ON reviews(record_id, seq);
"""


_BODIES = "FROM records r JOIN record_bodies b ON b.rowid = r.rowid"


class SQLiteReviews:
    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        try:
            if readonly:
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
            else:
                self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"cannot open the reviews of {self.path}: {exc}") from exc
        self._has_table = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='reviews'").fetchone() is not None

    def add(self, review: Review) -> None:
        if self.readonly:
            raise PermissionError("the store is open read-only")
        self._db.execute(
            "INSERT INTO reviews(review_id, record_id, doc_id, action, reviewer, reviewed_at, body) VALUES (?,?,?,?,?,?,?)",
            (review.review_id, review.record_id, review.doc_id, review.action.value, review.reviewer,
             review.reviewed_at.isoformat(), review.model_dump_json()),
        )

    def history(self, record_id: str) -> list[Review]:
        if not self._has_table:
            return []
        rows = self._db.execute("SELECT body FROM reviews WHERE record_id = ? ORDER BY seq", (record_id,)).fetchall()
        return [Review.model_validate_json(r[0]) for r in rows]

    def latest(self, record_ids: Iterable[str]) -> dict[str, Review]:
        ids = list(dict.fromkeys(record_ids))
        if not self._has_table or not ids:
            return {}
        found: dict[str, Review] = {}
        for at in range(0, len(ids), 500):
            part = ids[at : at + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT body FROM reviews WHERE seq IN (SELECT max(seq) FROM reviews WHERE record_id IN ({marks})"
                " GROUP BY record_id)", part).fetchall()
            for (body,) in rows:
                review = Review.model_validate_json(body)
                found[review.record_id] = review
        return found

    def iter_latest(self) -> Iterator[Review]:
        if not self._has_table:
            return
        last = ""
        while True:
            rows = self._db.execute(
                "SELECT r.record_id, r.body FROM reviews r JOIN (SELECT record_id, max(seq) AS seq FROM reviews"
                " WHERE record_id > ? GROUP BY record_id ORDER BY record_id LIMIT 500) m ON r.seq = m.seq"
                " ORDER BY r.record_id", (last,)).fetchall()
            if not rows:
                return
            for _, body in rows:
                yield Review.model_validate_json(body)
            last = rows[-1][0]

    def count(self) -> int:
        if not self._has_table:
            return 0
        return self._db.execute("SELECT count(DISTINCT record_id) FROM reviews").fetchone()[0]

    def get_record(self, record_id: str) -> Record | None:
        row = self._db.execute(f"SELECT b.body {_BODIES} WHERE r.record_id = ?", (record_id,)).fetchone()
        return Record.model_validate_json(row[0]) if row else None

    def candidates(self, limit: int) -> tuple[list[Record], list[Record]]:
        unreviewed = "r.record_id NOT IN (SELECT record_id FROM reviews)" if self._has_table else "1"
        suspect_sql, params = ["r.formula IS NULL"], []
        for name, (low, high) in plausible_si_bounds().items():
            suspect_sql.append("(r.property = ? AND (r.value_min_si < ? OR r.value_max_si > ?))")
            params += [name, low, high]
        order = "ORDER BY r.confidence ASC, r.record_id ASC LIMIT ?"
        suspect = self._db.execute(
            f"SELECT b.body {_BODIES} WHERE {unreviewed} AND ({' OR '.join(suspect_sql)}) {order}",
            [*params, limit]).fetchall()
        low_rows = self._db.execute(f"SELECT b.body {_BODIES} WHERE {unreviewed} {order}", (limit,)).fetchall()
        return ([Record.model_validate_json(r[0]) for r in suspect], [Record.model_validate_json(r[0]) for r in low_rows])

    def close(self) -> None:
        self._db.close()


__all__ = ["SQLiteReviews"]
