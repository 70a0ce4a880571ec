"""The corpus run: read -> extract (an extraction pipeline) -> store, streaming, with failures
recorded and going on.

`Pipeline` adds to an `ExtractionPipeline` (textmine.extract.pipeline, pure: documents in,
`Extraction`s out) what a corpus job needs: reading files, skipping documents stored unchanged by
the same pipeline (same provenance), batched idempotent writes, worker processes and progress.
"""

from __future__ import annotations

import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from textmine.document import Document
from textmine.extract.pipeline import DEFAULT_PIPELINE, ExtractionPipeline, load_pipeline
from textmine.extraction import Extraction
from textmine.iterate import batched
from textmine.papers import Papers, local_file
from textmine.records import Failure
from textmine.store.base import Store

__all__ = ["Pipeline", "RunSummary", "load_pipeline", "DEFAULT_PIPELINE", "ExtractionPipeline"]

# Documents handed to the extraction pipeline at once (its models batch sentences across them).
EXTRACT_BATCH = 16


_worker_pipeline: ExtractionPipeline | None = None


def _init_worker(pipeline: ExtractionPipeline) -> None:
    global _worker_pipeline
    _worker_pipeline = pipeline


def _work(documents: list[Document]) -> list[Extraction]:
    assert _worker_pipeline is not None
    return _worker_pipeline.process(documents)


@dataclass
class RunSummary:
    files: int = 0
    skipped: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    # records stored per document id: a document read twice in one run (two copies of a file) is
    # stored once, and counted once
    stored: dict[str, int] = field(default_factory=dict)
    # Document identity of a local file (issue 12 item 4): documents stored from a file earlier
    # that its successful read now does not give (it was edited) are `replaced` at the end of the
    # run, unless another input of this run gave them (`seen`: hashes of the ids read).
    seen: set[int] = field(default_factory=set)
    superseded: set[str] = field(default_factory=set)
    replaced: int = 0
    # Failures of files that failed to read before and have not changed since: not retried, still
    # failures (the run's exit status says so), not listed again.
    failed_before: list[Failure] = field(default_factory=list)
    # Paper identity across formats (textmine/papers.py): reads of this run that are copies of a
    # paper kept in a richer format (not stored again), and reads a file no longer gives.
    merged: int = 0
    stale_reads: set[tuple[str, str]] = field(default_factory=set)

    @property
    def documents(self) -> int:
        return len(self.stored)

    @property
    def records(self) -> int:
        return sum(self.stored.values())

    @property
    def ok(self) -> bool:
        return not self.failures and not self.failed_before


ProgressCallback = Callable[[str], None]


class Pipeline:
    def __init__(
        self,
        store: Store,
        extraction: ExtractionPipeline | str = DEFAULT_PIPELINE,
        *,
        reprocess: bool = False,
        retry_failed: bool = False,
        batch_size: int = 100,
        max_bytes: int | None = None,
        workers: int = 1,
        overrides: dict[str, dict[str, Any]] | None = None,
        one_per_paper: bool = True,
    ) -> None:
        self.store = store
        self.extraction = extraction if isinstance(extraction, ExtractionPipeline) else load_pipeline(extraction, overrides)
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.reprocess = reprocess
        self.retry_failed = retry_failed
        self.batch_size = batch_size
        # Never pull more documents from the input than one write holds: a harvest (batch_size=1)
        # moves its cursor only after the document before was stored.
        self.extract_batch = max(1, min(EXTRACT_BATCH, batch_size))
        self.max_bytes = max_bytes
        # One document per paper (textmine/papers.py); None for a store without paper identity, or
        # when every read is to be stored as it is (one_per_paper=False: the golden-record test)
        self.papers = Papers.of(store) if one_per_paper else None

    # -- inputs ----------------------------------------------------------------------------
    def read(
        self, paths: Sequence[str | Path], summary: RunSummary, progress: ProgressCallback | None = None
    ) -> Iterator[Document | Failure]:
        from textmine.readers import iter_paths, read_file, source_of

        options = {} if self.max_bytes is None else {"max_bytes": self.max_bytes}
        failed_before = {} if self.retry_failed else _read_failures_by_file(self.store)
        for path in iter_paths([Path(p) for p in paths]):
            summary.files += 1
            # The absolute path: a file is the same input whatever directory the run starts in.
            path = Path(os.path.abspath(path))
            source = source_of(path)
            fingerprint = _fingerprint(path)
            before = failed_before.get(source, [])
            if fingerprint and before and all(f.fingerprint == fingerprint for f in before):
                summary.failed_before.extend(before)  # unchanged since it failed: the same reason again
                continue
            # Failures are per file: a re-run records this file's failures afresh.
            self.store.clear_failure(source)
            earlier = set(self.store.document_ids(source))
            reads = self.papers.reads_of(source) if self.papers else set()
            failed = False
            for item in read_file(path, **options):
                if isinstance(item, Failure):
                    failed = True
                    item = item.model_copy(update={"fingerprint": fingerprint})
                else:
                    earlier.discard(item.id)
                    reads.discard(item.id)
                    summary.seen.add(hash(item.id))
                    if self.papers and not self.papers.resolve(item).kept:
                        summary.merged += 1  # a copy of a paper kept in a richer format: its records would repeat
                        if progress:
                            progress(item.source)
                        continue
                yield item
            if not failed:  # a file that now fails to read keeps what it gave before
                summary.superseded.update(earlier)
                summary.stale_reads.update((doc_id, source) for doc_id in reads)

    def run_paths(self, paths: Sequence[str | Path], *, progress: ProgressCallback | None = None) -> RunSummary:
        """Read, extract and store the files under `paths`. A file's path is its identity: once the
        run has stored the new version of an edited file, the documents its earlier version gave
        (content-hash ids no input gives any more) are deleted, so re-running never duplicates."""
        summary = RunSummary()
        self.process(self.read(paths, summary, progress), summary=summary, progress=progress)
        gone = sorted(i for i in summary.superseded if hash(i) not in summary.seen)
        if gone:
            summary.replaced += self.store.delete_documents(gone)
        if self.papers:
            # Copies that stopped being kept (a richer one arrived), now that every batch is stored.
            # An edited file's earlier reads are forgotten; when one was the kept copy of a paper,
            # the files of its other copies are read again to keep the best of what is left.
            sources = self.papers.forget(sorted(summary.stale_reads)) + self.papers.take_split()
            again = [p for s in sorted(set(sources)) if (p := local_file(s))]
            summary.stale_reads.clear()
            self._drop_copies(summary)
            if again:
                self.process(self.read(again, summary, progress), summary=summary, progress=progress)
                self._drop_copies(summary)
        return summary

    def _drop_copies(self, summary: RunSummary) -> None:
        assert self.papers is not None
        copies = self.papers.finish()
        if copies:
            summary.replaced += self.store.delete_documents(copies)
            for doc_id in copies:  # stored earlier in this run, then a richer copy came
                summary.stored.pop(doc_id, None)

    # -- core loop -------------------------------------------------------------------------
    def process(
        self,
        items: Iterable[Document | Failure],
        *,
        summary: RunSummary | None = None,
        progress: ProgressCallback | None = None,
    ) -> RunSummary:
        summary = summary or RunSummary()
        started = time.perf_counter()
        batch: list[Extraction] = []
        for extraction in self._extracted(self._to_process(items, summary, progress)):
            for failure in extraction.failures:
                self._fail(failure, summary)
            if not extraction.ok:
                continue
            batch.append(extraction)
            if len(batch) >= self.batch_size:
                self._flush(batch, summary)
                batch = []
        if batch:
            self._flush(batch, summary)
        summary.seconds += time.perf_counter() - started
        return summary

    def _to_process(
        self, items: Iterable[Document | Failure], summary: RunSummary, progress: ProgressCallback | None
    ) -> Iterator[Document]:
        key = self.extraction.provenance.key
        for item in items:
            if isinstance(item, Failure):
                self._fail(item, summary)
                continue
            if progress:
                progress(item.source)
            if not self.reprocess and self.store.known(item.id, item.content_hash, key):
                summary.skipped += 1
                continue
            yield item

    def _extracted(self, documents: Iterator[Document]) -> Iterator[Extraction]:
        if self.workers <= 1:
            for batch in batched(documents, self.extract_batch):
                yield from self.extraction.process(batch)
            return
        # Worker processes extract; this process reads and writes. At most `window` batches are
        # in flight, so memory stays bounded on any corpus size.
        window = self.workers * 2
        with ProcessPoolExecutor(self.workers, initializer=_init_worker, initargs=(self.extraction,)) as pool:
            pending: deque = deque()
            for batch in batched(documents, self.extract_batch):
                pending.append(pool.submit(_work, batch))
                if len(pending) >= window:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()

    def _flush(self, batch: list[Extraction], summary: RunSummary) -> None:
        self.store.put_many(batch)
        for extraction in batch:
            summary.stored[extraction.doc_id] = len({r.record_id for r in extraction.records})

    def _fail(self, failure: Failure, summary: RunSummary) -> None:
        summary.failures.append(failure)
        self.store.add_failure(failure)


def _fingerprint(path: Path) -> str | None:
    """What tells a file changed without reading it: size and modification time."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _read_failures_by_file(store: Store) -> dict[str, list[Failure]]:
    """The store's read failures that carry a file fingerprint, by file source ("path#3" under "path")."""
    by_file: dict[str, list[Failure]] = {}
    for failure in store.failures():
        if failure.fingerprint:
            file, mark, part = failure.source.rpartition("#")
            by_file.setdefault(file if mark and part.isdigit() else failure.source, []).append(failure)
    return by_file
