"""The harvesting loop: pages from a source adapter in, new documents out, resumably.

Delivery is at-least-once and the store is idempotent per document id, so nothing is lost and
nothing duplicated:

- the cursor (page position plus how many documents of that page were taken) is saved only when
  the consumer asks for the next document, i.e. after it has handled the previous one; a crash
  mid-page re-delivers at most the document being processed;
- every document goes through the identity index first: a work already harvested (same DOI,
  arXiv id or patent number, from this source or another) is not emitted again, unless the new
  version is richer under the same id (full text after an abstract); a preprint and its
  published version are linked in `related_ids`, not stored twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Generator, Iterator

from textmine.document import Document
from textmine.records import Failure
from textmine.sources.base import Cursor, HarvestQuery, Page, PageError, Source, harvest_failure
from textmine.sources.state import HarvestState, Verdict, query_key

_SKIP = "_skip"  # key inside a saved cursor: documents of that page already handled


@dataclass
class HarvestStats:
    pages: int = 0
    seen: int = 0
    emitted: int = 0
    updated: int = 0
    duplicates: int = 0
    linked: int = 0
    failures: int = 0
    total: int | None = None
    resumed: bool = False
    complete: bool = False
    stopped: str | None = None  # why the harvest stopped before the end, if it did
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)


ProgressHook = Callable[[HarvestStats, Document | None], None]


class Harvester:
    def __init__(
        self,
        source: Source,
        state: HarvestState,
        *,
        resume: bool = True,
        max_documents: int | None = None,
        progress: ProgressHook | None = None,
    ) -> None:
        self.source = source
        self.state = state
        self.resume = resume
        self.max_documents = max_documents
        self.progress = progress
        self.failures: list[Failure] = []
        self.stats = HarvestStats()

    def documents(self, query: HarvestQuery) -> Iterator[Document]:
        """New documents only; failures collect in `self.failures`."""
        for item in self.items(query):
            if isinstance(item, Document):
                yield item

    def items(self, query: HarvestQuery) -> Iterator[Document | Failure]:
        """Documents and `Failure`s (stage 'harvest') as they happen, for `Pipeline.process`."""
        name = self.source.name
        qdict = query.key()
        key = query_key(name, qdict)
        if not self.resume:
            self.state.reset_cursor(name, key)
        cursor, done = self.state.load_cursor(name, key)
        if done:
            self.stats.complete = True
            self.stats.stopped = "already complete (use --no-resume to harvest again)"
            return
        self.stats.resumed = cursor is not None
        if cursor is None:
            cursor = self.source.first_cursor(query)
            self.state.save_cursor(name, key, qdict, cursor)
        skip = int(cursor.pop(_SKIP, 0))
        stats = self.stats
        try:
            while cursor is not None:
                try:
                    page = self.source.fetch_page(query, dict(cursor))
                except PageError as exc:
                    yield from self._fail(harvest_failure(exc.url, exc.reason))
                    skipped_to = self.source.skip_page(query, dict(cursor))
                    if skipped_to is None:
                        stats.stopped = f"stopped at a page that failed: {exc.reason} (resume retries it)"
                        return
                    cursor, skip = skipped_to, 0
                    self.state.save_cursor(name, key, qdict, cursor)
                    continue
                stats.pages += 1
                if page.total is not None:
                    stats.total = page.total
                try:
                    finished = yield from self._deliver(page, cursor, skip, key, qdict)
                except PageError as exc:  # a lazy page (a bulk file) broke part-way
                    yield from self._fail(harvest_failure(exc.url, exc.reason))
                    stats.stopped = f"stopped inside a page: {exc.reason} (resume continues from the last document)"
                    return
                if not finished:
                    return
                skip = 0
                cursor = page.next_cursor
                self.state.save_cursor(name, key, qdict, cursor, done=cursor is None)
                if self.progress:
                    self.progress(stats, None)
            stats.complete = True
        finally:
            stats.seconds = time.perf_counter() - stats.started

    def _deliver(self, page: Page, cursor: Cursor, skip: int, key: str,
                 qdict: dict) -> Generator[Document | Failure, None, bool]:
        """Yield the page's new documents and failures; False when --max stopped it."""
        name, stats = self.source.name, self.stats
        position = 0  # documents of this page handled so far; failures do not count
        for item in page.items:
            if isinstance(item, Failure):  # reported even on a resumed page: at least once, like documents
                yield from self._fail(item)
                continue
            position += 1
            if position <= skip:
                continue
            stats.seen += 1
            verdict, known = self.state.classify(item)
            if verdict in (Verdict.NEW, Verdict.UPDATE):
                yield item  # control returns here once the consumer wants the next one
                stats.emitted += 1
                stats.updated += verdict == Verdict.UPDATE
            elif verdict == Verdict.LINKED:
                stats.linked += 1
            else:
                stats.duplicates += 1
            self.state.record(item, verdict, known)
            emitted = int(verdict in (Verdict.NEW, Verdict.UPDATE))
            self.state.save_cursor(name, key, qdict, {**cursor, _SKIP: position}, emitted=emitted)
            if self.progress:
                self.progress(stats, item)
            if self.max_documents is not None and stats.emitted >= self.max_documents:
                stats.stopped = f"--max {self.max_documents} reached (resume continues from here)"
                return False
        return True

    def _fail(self, failure: Failure) -> Iterator[Failure]:
        self.failures.append(failure)
        self.stats.failures += 1
        yield failure
