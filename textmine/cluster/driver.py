"""The client side of a job: plan it into the job table, hand shards to the cluster a window at a
time, commit each shard's results, retry and quarantine.

Exactly once, from at-least-once: a shard is marked `done` in the job table only after its
documents are written (by the worker in direct mode, by this process in writer mode) and its
failures recorded. Anything cut short before that (a worker killed, this client killed) leaves the
shard not done, and it runs again; the store's writes replace a document's previous version
(deterministic document and record ids), so running a shard twice never duplicates a record.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from textmine.cluster.connect import ClusterHandle
from textmine.cluster.tasks import PipelineSpec, ShardResult, ShardTask, progress_key
from textmine.cluster.worker import ProvenanceMismatch, run_shard
from textmine.extraction import Extraction
from textmine.pipeline import RunSummary
from textmine.records import Failure, FailureStage
from textmine.store.base import Store
from textmine.store.jobs import InputRef, Job, JobState, JobTable, Quarantined, Shard, ShardState, new_job_id, now

MAX_ATTEMPTS = 3


class JobAborted(RuntimeError):
    """A problem no retry fixes (workers run another pipeline); the message says what to do."""


@dataclass
class JobSummary(RunSummary):
    """A plain run's summary (what `textmine.cli._common.report` prints; `stored` counts a document
    written by two shards once, where the shards' own counts in the job table count it in each),
    plus the job's own counts."""

    job_id: str = ""
    shards_done: int = 0
    shards_failed: int = 0
    quarantined: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.shards_failed


def store_mode(store: Store) -> str:
    """'direct' when workers can write to the store themselves (a server), else 'writer'."""
    return "direct" if type(store).__module__ == "textmine.store.elasticsearch" else "writer"


def failure_key(failure: Failure) -> str:
    """Failures grouped by what went wrong, not by which document: 'read: unknown format'."""
    reason = failure.reason.split(" for '", 1)[0].split(" (", 1)[0]
    head = ": ".join(reason.split(": ")[:2])
    return f"{failure.stage}: {head[:80]}"


def create_job(table: JobTable, store: Store, *, inputs: list[str], shards: list[list[InputRef]], spec: PipelineSpec,
               provenance: str, cluster: ClusterHandle, cluster_spec: str, reprocess: bool, max_bytes: int | None,
               shard_size: int, max_attempts: int = MAX_ATTEMPTS) -> Job:
    created = now()
    job = Job(id=new_job_id(), created_at=created, updated_at=created, store=store.url, pipeline=spec.model_dump(mode="json"),
              provenance=provenance, inputs=inputs, cluster=cluster_spec, dashboard=cluster.dashboard,
              mode=store_mode(store), shard_size=shard_size, max_attempts=max_attempts, reprocess=reprocess,
              max_bytes=max_bytes, n_shards=len(shards), n_inputs=sum(len(s) for s in shards))
    table.create(job, [Shard(job_id=job.id, shard=i, inputs=refs) for i, refs in enumerate(shards)])
    return job


class JobDriver:
    def __init__(self, job: Job, table: JobTable, store: Store, cluster: ClusterHandle, *,
                 write_url: str | None = None, on_progress: Callable[["JobDriver"], None] | None = None) -> None:
        self.job = job
        self.table = table
        self.store = store
        self.cluster = cluster
        self.spec = PipelineSpec.model_validate(job.pipeline)
        # Workers write themselves to a server store (with the URL as given: credentials from
        # the URL or their environment); for SQLite they read it, when they can see the file,
        # only to skip unchanged documents.
        self.write_url = (write_url or job.store) if job.mode == "direct" else None
        self.check_url = None if job.mode == "direct" else job.store
        self.on_progress = on_progress
        self.shards: dict[int, Shard] = {}
        self.summary = JobSummary(job_id=job.id)
        self.failure_reasons: Counter[str] = Counter()
        self.session_started = 0.0
        self._submitted = 0

    # -- the loop --------------------------------------------------------------------------
    def run(self) -> JobSummary:
        from distributed import as_completed

        self.shards = {s.shard: s for s in self.table.shards(self.job.id)}
        todo = [s for s in self.shards.values() if s.state != ShardState.DONE]
        for shard in todo:  # a resumed job: failed shards get their attempts again
            if shard.state == ShardState.FAILED:
                shard.attempts = 0
            shard.state = ShardState.PENDING
        self.summary.shards_done = sum(1 for s in self.shards.values() if s.state == ShardState.DONE)
        self.session_started = time.monotonic()
        self.job.state, self.job.started_at = JobState.RUNNING, now()
        self._save_job()
        queue = sorted(todo, key=lambda s: s.shard)
        running = as_completed()
        try:
            self._top_up(queue, running)
            for future in running:
                shard = self.shards[int(future.key.rsplit("-", 2)[-2])]
                if future.status == "finished":
                    self._commit(shard, future.result())
                else:
                    self._failed(shard, _error_of(future), future.key, queue)
                future.release()
                self._top_up(queue, running)
                if self.on_progress:
                    self.on_progress(self)
        except KeyboardInterrupt:
            self._stop(running, JobState.INTERRUPTED)
            raise
        except BaseException:
            self._stop(running, JobState.FAILED)
            raise
        failed = sum(1 for s in self.shards.values() if s.state == ShardState.FAILED)
        self.summary.shards_failed = failed
        self._close_session(JobState.FAILED if failed else JobState.DONE)
        refresh = getattr(self.table, "refresh_store", None)
        if refresh is not None:
            refresh()  # direct writes are visible to search when the job says it is done
        return self.summary

    def _window(self) -> int:
        return max(4, 2 * self.cluster.nthreads())

    def _top_up(self, queue: list[Shard], running: Any) -> None:
        started: list[Shard] = []
        while queue and running.count() < self._window():
            shard = queue.pop(0)
            shard.state, shard.submitted_at = ShardState.RUNNING, now()
            shard.attempts += 1
            started.append(shard)
            self._submitted += 1
            key = f"textmine-{self.job.id}-{shard.shard}-{self._submitted}"
            running.add(self.cluster.client.submit(run_shard, self._task(shard, key), key=key, pure=False, retries=0))
        if started:
            self.table.put_shards(started)

    def _task(self, shard: Shard, key: str) -> ShardTask:
        return ShardTask(
            job_id=self.job.id, shard=shard.shard, attempt=shard.attempts, token=key, inputs=shard.inputs, pipeline=self.spec,
            provenance=self.job.provenance, write_to=self.write_url, check_known=self.check_url,
            reprocess=self.job.reprocess, max_bytes=self.job.max_bytes, careful=shard.attempts > 1, exclude=shard.exclude,
        )

    # -- a shard finished ------------------------------------------------------------------
    def _commit(self, shard: Shard, result: ShardResult) -> None:
        skipped = result.skipped
        if result.extractions:
            extractions = [Extraction.model_validate_json(e) for e in result.extractions]
            if not result.checked_known:  # the worker could not see the store: skip unchanged here
                key = self.job.provenance
                fresh = [e for e in extractions
                         if not self.store.known(e.doc_id, e.document.content_hash, key)]
                skipped += len(extractions) - len(fresh)
                extractions = fresh
            self.store.put_many(extractions)
            stored = {e.doc_id: len(e.records) for e in extractions}  # the last copy of a document wins
        else:
            stored = result.stored
        documents, records = len(stored), sum(stored.values())
        for ref in shard.inputs:
            self.store.clear_failure(ref.source)  # as a plain run: a file's failures are recorded afresh
        failures = list(result.failures)
        if shard.exclude:  # documents quarantined when they killed their worker: failures of this shard too
            failures.extend(_as_failure(q) for q in self.table.quarantined(self.job.id)
                            if q.shard == shard.shard and q.doc in shard.exclude)
        for note in result.quarantined:
            failures.append(self._quarantine(shard, note.doc, note.source, f"quarantined: {note.reason}"))
        for failure in failures:
            self.store.add_failure(failure)
        reasons = Counter(failure_key(f) for f in failures)
        shard.state, shard.finished_at, shard.worker, shard.error = ShardState.DONE, now(), result.worker, ""
        shard.started_at = _from_epoch(result.started)
        shard.seconds, shard.input_hashes = result.seconds, result.input_hashes
        shard.documents, shard.skipped, shard.records = documents, skipped, records
        shard.failures, shard.failure_reasons = len(failures), dict(reasons)
        self.table.put_shards([shard])  # after the writes: from here on the shard is never redone
        self.summary.files += len(shard.inputs)
        self.summary.stored.update(stored)
        self.summary.skipped += skipped
        self.summary.failures.extend(failures)
        self.summary.shards_done += 1
        self.failure_reasons.update(reasons)
        self._save_job()

    def _quarantine(self, shard: Shard, doc: str, source: str, reason: str) -> Failure:
        entry = Quarantined(job_id=self.job.id, shard=shard.shard, doc=doc or source, source=source, reason=reason, at=now())
        self.table.quarantine(entry)
        self.summary.quarantined += 1
        return _as_failure(entry)

    def _failed(self, shard: Shard, error: BaseException | None, key: str, queue: list[Shard]) -> None:
        if isinstance(error, ProvenanceMismatch):
            raise JobAborted(str(error))
        shard.error = f"{type(error).__name__}: {error}"[:1000]
        progressed = False
        if shard.attempts > 1 and _worker_died(error):
            # A careful attempt tells the scheduler which document it is on: the one it was on
            # when its worker died (again, as Dask had already retried it elsewhere) is poison.
            where = self.cluster.client.get_metadata(progress_key(self.job.id, shard.shard), None)
            if where and where.get("token") == key and where.get("stage") in ("read", "extract"):
                item = where.get("doc") or where["source"]
                if item not in shard.exclude:
                    # recorded in the store with the shard's other failures when the shard is committed
                    reason = f"its worker died while it was being {'read' if where['stage'] == 'read' else 'extracted'} ({shard.error[:200]})"
                    self._quarantine(shard, where.get("doc", ""), where["source"], f"quarantined: {reason}")
                    shard.exclude.append(item)
                    progressed = True
        if progressed or shard.attempts < self.job.max_attempts:
            if progressed:
                shard.attempts -= 1  # an attempt that found a poison document made progress
            shard.state = ShardState.PENDING
            queue.insert(0, shard)
        else:
            shard.state, shard.finished_at = ShardState.FAILED, now()
            self.summary.shards_failed += 1
        self.table.put_shards([shard])

    # -- bookkeeping -----------------------------------------------------------------------
    def _stop(self, running: Any, state: JobState) -> None:
        futures = list(running.futures)
        if futures:
            self.cluster.client.cancel(futures)
        stopped = [s for s in self.shards.values() if s.state == ShardState.RUNNING]
        for shard in stopped:
            shard.state = ShardState.PENDING
        try:
            if stopped:
                self.table.put_shards(stopped)
            self._close_session(state)
        except Exception:  # noqa: BLE001 - the original error is the one to show
            pass

    def _close_session(self, state: JobState) -> None:
        self.job.active_seconds += time.monotonic() - self.session_started
        self.job.state, self.job.started_at = state, None
        self.summary.seconds = time.monotonic() - self.session_started
        self._save_job()

    def _save_job(self) -> None:
        self.job.updated_at = now()
        self.table.update_job(self.job)

    def counts(self) -> Counter[str]:
        return Counter(s.state.value for s in self.shards.values())


def _worker_died(error: BaseException | None) -> bool:
    from distributed import KilledWorker

    return isinstance(error, (KilledWorker, OSError)) or type(error).__name__ in ("CommClosedError", "FutureCancelledError")


def _as_failure(entry: Quarantined) -> Failure:
    stage = FailureStage.READ if entry.doc == entry.source else FailureStage.EXTRACT
    return Failure(source=entry.source, stage=stage, reason=f"{entry.reason} (job {entry.job_id})",
                   doc_id=None if entry.doc == entry.source else entry.doc)


def _error_of(future: Any) -> BaseException:
    try:
        return future.exception() or RuntimeError(f"shard task {future.status}")
    except BaseException as exc:  # noqa: BLE001 - a cancelled or lost future raises its reason
        return exc


def _from_epoch(seconds: float):
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc) if seconds else None


__all__ = ["JobAborted", "JobDriver", "JobSummary", "MAX_ATTEMPTS", "create_job", "failure_key", "store_mode"]
