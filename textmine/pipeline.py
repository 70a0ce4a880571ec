"""The pipeline: read -> segment -> extract -> store, streaming, with failures recorded and going on.

`process_document` is the pure core (no IO); `Pipeline` adds reading, skipping of unchanged
documents, batched idempotent writes and progress.
"""

from __future__ import annotations

import importlib
import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from textmine.document import Document
from textmine.extract.base import Extractor, extractors
from textmine.nlp import segment
from textmine.records import Failure, Mention, Record
from textmine.store.base import Store

# Where each extractor registers itself; imported on first use so `rules` never pulls in NER.
EXTRACTOR_MODULES = {
    "rules": "textmine.extract.rules",
    "ner": "textmine.ner.extractor",
}


def load_extractor(name: str = "rules", **options: object) -> Extractor:
    if name not in extractors and name in EXTRACTOR_MODULES:
        importlib.import_module(EXTRACTOR_MODULES[name])
    return extractors.get(name)(**options)


def extractor_id(extractor: Extractor) -> str:
    return f"{extractor.name}@{extractor.version}"


def process_document(document: Document, extractor: Extractor) -> tuple[Document, list[Record], list[Mention]]:
    """Segment and extract one document. Pure: the caller decides where the results go."""
    segment(document)
    records, mentions = extractor.extract(document)
    document.extractor = extractor_id(extractor)
    return document, records, mentions


Processed = tuple[Document, list[Record], list[Mention]]


def _process_or_fail(document: Document, extractor: Extractor) -> Processed | Failure:
    try:
        return process_document(document, extractor)
    except Exception as exc:  # one bad document must not stop a corpus run
        return Failure(source=document.source, stage="extract", reason=f"{type(exc).__name__}: {exc}", doc_id=document.id)


_worker_extractor: Extractor | None = None


def _init_worker(extractor: Extractor) -> None:
    global _worker_extractor
    _worker_extractor = extractor


def _work(document: Document) -> Processed | Failure:
    assert _worker_extractor is not None
    return _process_or_fail(document, _worker_extractor)


@dataclass
class RunSummary:
    files: int = 0
    documents: int = 0
    skipped: int = 0
    records: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


ProgressCallback = Callable[[str], None]


class Pipeline:
    def __init__(
        self,
        store: Store,
        extractor: Extractor,
        *,
        reprocess: bool = False,
        batch_size: int = 100,
        max_bytes: int | None = None,
        workers: int = 1,
    ) -> None:
        self.store = store
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.extractor = extractor
        self.reprocess = reprocess
        self.batch_size = batch_size
        self.max_bytes = max_bytes

    # -- inputs ----------------------------------------------------------------------------
    def read(self, paths: Sequence[str | Path], summary: RunSummary) -> Iterator[Document | Failure]:
        from textmine.readers import iter_paths, read_file

        for path in iter_paths([Path(p) for p in paths]):
            summary.files += 1
            # Failures are per file: a re-run records this file's failures afresh.
            self.store.clear_failure(str(path))
            options = {} if self.max_bytes is None else {"max_bytes": self.max_bytes}
            yield from read_file(path, **options)

    def run_paths(self, paths: Sequence[str | Path], *, progress: ProgressCallback | None = None) -> RunSummary:
        summary = RunSummary()
        return self.process(self.read(paths, summary), summary=summary, progress=progress)

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
        batch: list[tuple[Document, list[Record], list[Mention]]] = []
        for result in self._extracted(self._to_process(items, summary, progress)):
            if isinstance(result, Failure):
                self._fail(result, summary)
                continue
            batch.append(result)
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
        ident = extractor_id(self.extractor)
        for item in items:
            if isinstance(item, Failure):
                self._fail(item, summary)
                continue
            if progress:
                progress(item.source)
            if not self.reprocess and self.store.known(item.id, item.content_hash, ident):
                summary.skipped += 1
                continue
            yield item

    def _extracted(self, documents: Iterator[Document]) -> Iterator[Processed | Failure]:
        if self.workers <= 1:
            for document in documents:
                yield _process_or_fail(document, self.extractor)
            return
        # Worker processes segment and extract; this process reads and writes. At most
        # `window` documents are in flight, so memory stays bounded on any corpus size.
        window = self.workers * 8
        with ProcessPoolExecutor(self.workers, initializer=_init_worker, initargs=(self.extractor,)) as pool:
            pending: deque = deque()
            for document in documents:
                pending.append(pool.submit(_work, document))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _flush(self, batch: list[tuple[Document, list[Record], list[Mention]]], summary: RunSummary) -> None:
        self.store.put_many(batch)
        for document, records, _ in batch:
            summary.documents += 1
            summary.records += len(records)

    def _fail(self, failure: Failure, summary: RunSummary) -> None:
        summary.failures.append(failure)
        self.store.add_failure(failure)
