"""The harvesting loop: pages from a source adapter in, new documents out, resumably.

Delivery is at-least-once and the store is idempotent per document id, so nothing is lost and
nothing duplicated:

- the cursor (page position plus how many documents of that page were taken) is saved only when
  the consumer asks for the next document, i.e. after it has handled the previous one; a crash
  mid-page re-delivers at most the document being processed;
- every document goes through the identity index first: a work already harvested (same DOI,
  arXiv id or patent number, from this source or another) is not emitted again, unless the new
  version is richer under the same id (full text after an abstract); a preprint and its
  published version are linked in `related_ids`, not stored twice;
- a page that fails for good is recorded as a `Failure`; offset-paged sources step over it and
  retry it once the end is reached (a page failing twice is left, in the cursor, for the next
  run); token-paged sources cannot know the next page, so the harvest stops there and a resume
  retries it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Generator, Iterator

from textmine.document import Document
from textmine.records import Failure
from textmine.retry import is_name_resolution_error
from textmine.sources.base import Cursor, HarvestQuery, Page, PageError, Source, harvest_failure
from textmine.sources.state import HarvestState, Verdict, query_key

_SKIP = "_skip"  # keys inside a saved cursor: documents of that page already handled,
_RETRY = "_retry"  # pages that failed and are owed a retry,
_RETRYING = "_retrying"  # and whether the cursor itself is such a retry


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
    MAX_FAILED_PAGES_IN_A_ROW = 3  # beyond this the API is down, not one page bad: stop, resume later

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
        saved, done = self.state.load_cursor(name, key)
        if done:
            self.stats.complete = True
            self.stats.stopped = "already complete (use --no-resume to harvest again)"
            return
        self.stats.resumed = saved is not None
        if saved is None:
            saved = self.source.first_cursor(query)
            self.state.save_cursor(name, key, qdict, saved)
        pos = _Position.load(saved)
        save = lambda **kw: self.state.save_cursor(name, key, qdict, pos.dump(), **kw)  # noqa: E731
        stats = self.stats
        failed_in_a_row = 0
        try:
            while pos.cursor is not None:
                try:
                    page = self.source.fetch_page(query, dict(pos.cursor))
                except PageError as exc:
                    yield from self._fail(harvest_failure(exc.url, exc.reason))
                    failed_in_a_row += 1
                    if is_name_resolution_error(exc):  # offline or a wrong host: every page would fail alike
                        stats.stopped = f"{exc.reason} (resume continues from here)"
                        return
                    if failed_in_a_row >= self.MAX_FAILED_PAGES_IN_A_ROW:
                        stats.stopped = (f"{failed_in_a_row} pages in a row failed, last: {exc.reason} "
                                         "(the API may be down; resume retries from here)")
                        return
                    if pos.retrying:  # failed again: keep it for the next run, go on with the others
                        pos.kept.append(pos.cursor)
                        pos.next_retry()
                        save(done=pos.finished)
                        continue
                    skipped_to = self.source.skip_page(query, dict(pos.cursor))
                    if skipped_to is None:
                        stats.stopped = f"stopped at a page that failed: {exc.reason} (resume retries it)"
                        return
                    # offset paging steps over it and retries it at the end, unless the server
                    # said it is gone for good (404, 403)
                    if not _final(exc.status):
                        pos.retry.append(pos.cursor)
                    pos.cursor, pos.skip = skipped_to, 0
                    save()
                    continue
                stats.pages += 1
                failed_in_a_row = 0
                if page.total is not None and not pos.retrying:
                    stats.total = page.total
                try:
                    finished = yield from self._deliver(page, pos, save)
                except PageError as exc:  # a lazy page (a bulk file) broke part-way
                    yield from self._fail(harvest_failure(exc.url, exc.reason))
                    stats.stopped = f"stopped inside a page: {exc.reason} (resume continues from the last document)"
                    return
                if not finished:
                    return
                if pos.retrying:
                    pos.next_retry()  # a retried page is not followed: the pages after it were harvested
                else:
                    pos.cursor, pos.skip = page.next_cursor, 0
                    if pos.cursor is None:
                        pos.next_retry()
                save(done=pos.finished)
                if self.progress:
                    self.progress(stats, None)
            stats.complete = pos.finished
            if pos.kept:
                stats.stopped = f"{len(pos.kept)} page(s) failed twice; a resume retries them"
        finally:
            stats.seconds = time.perf_counter() - stats.started

    def _deliver(self, page: Page, pos: "_Position", save: Callable[..., None]) -> Generator[Document | Failure, None, bool]:
        """Yield the page's new documents and failures; False when --max stopped it."""
        stats = self.stats
        skip, pos.skip = pos.skip, 0
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
            pos.skip = position
            save(emitted=int(verdict in (Verdict.NEW, Verdict.UPDATE)))
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


def _final(status: int | None) -> bool:
    """A client error (404, 403, ...) that no retry will cure."""
    return status is not None and 400 <= status < 500 and status not in (408, 425, 429)


@dataclass
class _Position:
    """Where a harvest stands, as saved in the state: the page cursor, how many documents of that
    page were handled, and pages that failed and are owed a retry."""

    cursor: Cursor | None
    skip: int = 0
    retry: list[Cursor] = field(default_factory=list)  # skipped pages, retried once the end is reached
    kept: list[Cursor] = field(default_factory=list)  # pages that failed on retry too: left for the next run
    retrying: bool = False

    @classmethod
    def load(cls, saved: Cursor) -> "_Position":
        saved = dict(saved)
        pos = cls(cursor=None, skip=int(saved.pop(_SKIP, 0)), retry=list(saved.pop(_RETRY, [])),
                  retrying=bool(saved.pop(_RETRYING, False)))
        pos.cursor = saved or None
        if pos.cursor is None:
            pos.next_retry()
        return pos

    def next_retry(self) -> None:
        self.skip = 0
        self.cursor = self.retry.pop(0) if self.retry else None
        self.retrying = self.cursor is not None

    @property
    def finished(self) -> bool:
        return self.cursor is None and not self.kept

    def dump(self) -> Cursor | None:
        owed = self.retry + self.kept
        if self.cursor is None:
            return {_RETRY: owed, _RETRYING: True} if owed else None
        out: Cursor = dict(self.cursor)
        if self.skip:
            out[_SKIP] = self.skip
        if owed:
            out[_RETRY] = owed
        if self.retrying:
            out[_RETRYING] = True
        return out
