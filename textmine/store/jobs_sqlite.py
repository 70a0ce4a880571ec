"""The job table in the SQLite store's file: the tables `sqlite_schema.JOB_TABLES` (part of the
store's schema, created with it or added by a writable open), on a connection of its own. Each row
keeps its model as JSON, with the columns it is looked up by kept apart.

A read-only table (`textmine jobs`, `jobs show` on a store opened read-only) opens the file with
`mode=ro` and never writes; on a file made before the job tables existed it lists no jobs."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from textmine.store.base import StoreUnavailable
from textmine.store.jobs import Job, Quarantined, Shard, match_job
from textmine.store.sqlite_schema import ensure_job_tables, has_job_tables

class SQLiteJobTable:
    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        try:
            if readonly:
                self._db = sqlite3.connect(f"file:{quote(str(self.path.resolve()))}?mode=ro", uri=True, timeout=30,
                                           isolation_level=None, check_same_thread=False)
                self._present = has_job_tables(self._db)
            else:  # the store opened the file first: its schema (and WAL mode) are in place
                self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                ensure_job_tables(self._db)
                self._present = True
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"cannot keep a job table in {self.path}: {exc}") from exc

    def _rows(self, sql: str, params: tuple) -> list[tuple]:
        return list(self._db.execute(sql, params)) if self._present else []

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
        ids = [r[0] for r in self._rows("SELECT id FROM jobs WHERE id >= ? AND id < ?", (job_id, job_id + "\uffff"))]
        found = match_job(ids, job_id)
        if found is None:
            return None
        row = self._db.execute("SELECT body FROM jobs WHERE id = ?", (found,)).fetchone()
        return Job.model_validate_json(row[0])

    def jobs(self, limit: int = 50) -> list[Job]:
        rows = self._rows("SELECT body FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?", (limit,))
        return [Job.model_validate_json(r[0]) for r in rows]

    def update_job(self, job: Job) -> None:
        self._db.execute("UPDATE jobs SET body = ? WHERE id = ?", (job.model_dump_json(), job.id))

    def shards(self, job_id: str) -> list[Shard]:
        rows = self._rows("SELECT body FROM job_shards WHERE job_id = ? ORDER BY shard", (job_id,))
        return [Shard.model_validate_json(r[0]) for r in rows]

    def put_shards(self, shards: list[Shard]) -> None:
        self._transaction([_shard_row(s) for s in shards])

    def quarantine(self, entry: Quarantined) -> None:
        self._db.execute("INSERT OR REPLACE INTO job_quarantine VALUES (?,?,?,?)",
                         (entry.job_id, entry.shard, entry.doc, entry.model_dump_json()))

    def quarantined(self, job_id: str) -> list[Quarantined]:
        rows = self._rows("SELECT body FROM job_quarantine WHERE job_id = ? ORDER BY shard, doc", (job_id,))
        return [Quarantined.model_validate_json(r[0]) for r in rows]

    def close(self) -> None:
        self._db.close()


def _shard_row(shard: Shard) -> tuple[str, tuple]:
    return ("INSERT OR REPLACE INTO job_shards VALUES (?,?,?,?)",
            (shard.job_id, shard.shard, shard.state.value, shard.model_dump_json()))


__all__ = ["SQLiteJobTable"]
