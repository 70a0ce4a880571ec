"""The job table in the SQLite store's file: three tables beside the records, on a connection of
its own (the store's schema is not touched). Each row keeps its model as JSON, with the columns
that are looked up by kept apart."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textmine.store.base import StoreUnavailable
from textmine.store.jobs import Job, Quarantined, Shard, match_job

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS job_shards (
    job_id TEXT NOT NULL,
    shard INTEGER NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (job_id, shard)
);
CREATE TABLE IF NOT EXISTS job_quarantine (
    job_id TEXT NOT NULL,
    shard INTEGER NOT NULL,
    doc TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (job_id, shard, doc)
);
"""


class SQLiteJobTable:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"cannot keep a job table in {self.path}: {exc}") from exc

    def _transaction(self, statements: list[tuple[str, tuple]]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                self._db.execute(sql, params)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def create(self, job: Job, shards: list[Shard]) -> None:
        self._transaction(
            [("INSERT INTO jobs VALUES (?,?,?)", (job.id, job.created_at.isoformat(), job.model_dump_json()))]
            + [_shard_row(s) for s in shards]
        )

    def job(self, job_id: str) -> Job | None:
        ids = [r[0] for r in self._db.execute("SELECT id FROM jobs WHERE id >= ? AND id < ?", (job_id, job_id + "\uffff"))]
        found = match_job(ids, job_id)
        if found is None:
            return None
        row = self._db.execute("SELECT body FROM jobs WHERE id = ?", (found,)).fetchone()
        return Job.model_validate_json(row[0])

    def jobs(self, limit: int = 50) -> list[Job]:
        rows = self._db.execute("SELECT body FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?", (limit,))
        return [Job.model_validate_json(r[0]) for r in rows]

    def update_job(self, job: Job) -> None:
        self._db.execute("UPDATE jobs SET body = ? WHERE id = ?", (job.model_dump_json(), job.id))

    def shards(self, job_id: str) -> list[Shard]:
        rows = self._db.execute("SELECT body FROM job_shards WHERE job_id = ? ORDER BY shard", (job_id,))
        return [Shard.model_validate_json(r[0]) for r in rows]

    def put_shards(self, shards: list[Shard]) -> None:
        self._transaction([_shard_row(s) for s in shards])

    def quarantine(self, entry: Quarantined) -> None:
        self._db.execute("INSERT OR REPLACE INTO job_quarantine VALUES (?,?,?,?)",
                         (entry.job_id, entry.shard, entry.doc, entry.model_dump_json()))

    def quarantined(self, job_id: str) -> list[Quarantined]:
        rows = self._db.execute("SELECT body FROM job_quarantine WHERE job_id = ? ORDER BY shard, doc", (job_id,))
        return [Quarantined.model_validate_json(r[0]) for r in rows]

    def close(self) -> None:
        self._db.close()


def _shard_row(shard: Shard) -> tuple[str, tuple]:
    return ("INSERT OR REPLACE INTO job_shards VALUES (?,?,?,?)",
            (shard.job_id, shard.shard, shard.state.value, shard.model_dump_json()))


__all__ = ["SQLiteJobTable"]
