"""The job table: what a distributed corpus job (`textmine run --cluster`) was asked to do, how far
it got, and what it quarantined. It lives in the store the job writes to, so `textmine jobs` and
`textmine jobs resume` need nothing but the store URL.

A job is cut into shards (a few dozen input files each). A shard is `pending` until it is handed to
the cluster, `running` while it is out, `done` once its documents are written (never before: a
shard whose writes were cut short is simply done again, and the store's per-document writes are
idempotent), and `failed` once it has failed `max_attempts` times. A document that kills or breaks
its shard again and again is quarantined with its reason instead of failing the shard for ever.

Backends: `jobs_sqlite.SQLiteJobTable` (tables beside the records in the SQLite file) and
`jobs_es.ElasticsearchJobTable` (three indices beside the store's). A store plugin provides its own
by defining `job_table()`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import Enum
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field


class ShardState(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


class JobState(str, Enum):
    RUNNING = "running"          # a client is driving it (or was, until it was killed: see `updated_at`)
    DONE = "done"                # every shard done
    FAILED = "failed"            # finished, some shards failed after their last attempt
    INTERRUPTED = "interrupted"  # the client was stopped (Ctrl-C); `textmine jobs resume ID` goes on

    def __str__(self) -> str:
        return self.value


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_job_id() -> str:
    """Sortable by creation time and short enough to type: '20250103-224012-3fa9'."""
    return now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


class InputRef(BaseModel):
    """One input of a job: what a worker opens (`uri`: a path or an fsspec URI) and the `source`
    documents read from it are labelled with (the path as a plain `textmine run` would show it)."""

    uri: str
    source: str
    size: int | None = None


class Job(BaseModel):
    id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    state: JobState = JobState.RUNNING
    store: str = Field(description="the store URL, without credentials")
    pipeline: dict[str, Any] = Field(description="what workers build the extraction pipeline from (config and overrides)")
    provenance: str = Field(description="provenance key of that pipeline; workers must match it")
    inputs: list[str] = Field(default_factory=list, description="what the user gave: paths, raw stores, manifests")
    cluster: str = ""
    dashboard: str = ""
    mode: str = Field(default="writer", description="'writer': workers return extractions to the client; 'direct': workers write")
    shard_size: int = 0
    max_attempts: int = 3
    reprocess: bool = False
    max_bytes: int | None = None
    n_shards: int = 0
    n_inputs: int = 0
    started_at: dt.datetime | None = Field(default=None, description="when the current (or last) client session began")
    active_seconds: float = Field(default=0.0, description="wall time of the earlier client sessions of this job")


class Shard(BaseModel):
    job_id: str
    shard: int
    inputs: list[InputRef]
    state: ShardState = ShardState.PENDING
    attempts: int = 0
    worker: str = ""
    input_hashes: dict[str, str] = Field(default_factory=dict, description="source -> sha256 of the bytes the worker read")
    submitted_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    seconds: float = Field(default=0.0, description="worker time of the successful attempt")
    documents: int = 0
    skipped: int = 0
    records: int = 0
    failures: int = 0
    failure_reasons: dict[str, int] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list, description="quarantined documents the next attempt leaves out")
    error: str = ""


class Quarantined(BaseModel):
    """A document left out of its shard because processing it failed again and again."""

    job_id: str
    shard: int
    doc: str = Field(description="document id, or 'source' when it died before its id was known")
    source: str
    reason: str
    at: dt.datetime


@runtime_checkable
class JobTable(Protocol):
    def create(self, job: Job, shards: list[Shard]) -> None: ...

    def job(self, job_id: str) -> Job | None:
        """The job with this id, or with this unique id prefix."""
        ...

    def jobs(self, limit: int = 50) -> list[Job]:
        """Most recent first."""
        ...

    def update_job(self, job: Job) -> None: ...

    def shards(self, job_id: str) -> list[Shard]: ...

    def put_shards(self, shards: list[Shard]) -> None:
        """Write shards (replacing the stored version of each); durable when it returns."""
        ...

    def quarantine(self, entry: Quarantined) -> None: ...

    def quarantined(self, job_id: str) -> list[Quarantined]: ...

    def close(self) -> None: ...


def open_job_table(store: Any) -> JobTable:
    """The job table kept in `store`: SQLite and Elasticsearch built in, a plugin store by its own
    `job_table()` method."""
    custom = getattr(store, "job_table", None)
    if callable(custom):
        return custom()
    from textmine.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from textmine.store.jobs_sqlite import SQLiteJobTable

        return SQLiteJobTable(store.path, readonly=bool(getattr(store, "readonly", False)))
    if type(store).__module__ == "textmine.store.elasticsearch":  # no import: the es extra may be absent
        from textmine.store.jobs_es import ElasticsearchJobTable

        return ElasticsearchJobTable.for_store(store)
    raise TypeError(f"{type(store).__name__} keeps no job table: give it a job_table() method, or run jobs on SQLite or Elasticsearch")


def match_job(ids: list[str], wanted: str) -> str | None:
    """`wanted` itself, or the one id it is a prefix of; ValueError when it is ambiguous."""
    if wanted in ids:
        return wanted
    hits = [i for i in ids if i.startswith(wanted)]
    if len(hits) > 1:
        raise ValueError(f"job id {wanted!r} is ambiguous: {', '.join(sorted(hits)[:5])}")
    return hits[0] if hits else None


__all__ = [
    "InputRef", "Job", "JobState", "JobTable", "Quarantined", "Shard", "ShardState", "match_job", "new_job_id", "now",
    "open_job_table",
]
