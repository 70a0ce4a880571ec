"""Where a job stands, from its job table: shards done / failed / running / pending, documents/s,
ETA, failures by reason, quarantined documents. Pure: the CLI renders it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from textmine.store.jobs import Job, JobState, JobTable, Quarantined, Shard, ShardState, now

STALE_AFTER = dt.timedelta(minutes=5)  # a running job not heard of for this long lost its client


@dataclass
class JobStatus:
    job: Job
    shards: dict[str, int]
    documents: int
    skipped: int
    records: int
    failures: int
    elapsed: float
    failure_reasons: Counter[str] = field(default_factory=Counter)
    quarantined: list[Quarantined] = field(default_factory=list)
    workers: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.shards.values())

    @property
    def done(self) -> int:
        return self.shards.get(ShardState.DONE.value, 0)

    @property
    def stale(self) -> bool:
        """Marked running, but its client has not written for a while: killed, or a lost node."""
        return self.job.state == JobState.RUNNING and now() - self.job.updated_at > STALE_AFTER

    @property
    def state(self) -> str:
        return "stalled (client gone? `textmine jobs resume`)" if self.stale else self.job.state.value

    @property
    def docs_per_second(self) -> float:
        return (self.documents + self.skipped) / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Remaining shards at the rate shards got done so far (None: nothing to go on, or not running)."""
        left = self.total - self.done - self.shards.get(ShardState.FAILED.value, 0)
        if left == 0:
            return 0.0
        if self.job.state != JobState.RUNNING or self.stale or not self.done or self.elapsed <= 0:
            return None
        return left * self.elapsed / self.done


def elapsed_seconds(job: Job) -> float:
    current = (now() - job.started_at).total_seconds() if job.state == JobState.RUNNING and job.started_at else 0.0
    return job.active_seconds + max(0.0, current)


def job_status(table: JobTable, job: Job, *, detail: bool = False) -> JobStatus:
    shards: list[Shard] = table.shards(job.id)
    counts = Counter(s.state.value for s in shards)
    status = JobStatus(
        job=job,
        shards={state.value: counts.get(state.value, 0) for state in ShardState},
        documents=sum(s.documents for s in shards),
        skipped=sum(s.skipped for s in shards),
        records=sum(s.records for s in shards),
        failures=sum(s.failures for s in shards),
        elapsed=elapsed_seconds(job),
    )
    for shard in shards:
        status.failure_reasons.update(shard.failure_reasons)
        if shard.worker and shard.state == ShardState.DONE:
            status.workers[shard.worker] += 1
        if shard.error and shard.state != ShardState.DONE:
            status.errors.append((shard.shard, shard.error))
    if detail:
        status.quarantined = table.quarantined(job.id)
    return status


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else (f"{minutes}m{secs:02d}s" if minutes else f"{secs}s")


__all__ = ["JobStatus", "elapsed_seconds", "format_seconds", "job_status"]
