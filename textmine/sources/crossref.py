"""Crossref REST `/works`: deep paging with `cursor=*`, filters (from/until publication date),
the polite pool via `mailto`. Metadata and (where deposited) JATS abstracts."""

from __future__ import annotations

from typing import Mapping

from textmine import __version__
from textmine.sources.base import (
    Cursor, HarvestQuery, Page, PageError, Source, SourceConfigError, SourceSettings, harvest_failure, sources,
)
from textmine.sources.http import RateLimit
from textmine.readers.payloads import parse_crossref

# Crossref publishes ~50 req/s for the polite pool but asks clients to back off on 429 and to keep
# concurrency low; we stay well under it. Without `mailto` (public pool) we halve again.
POLITE_RATE = RateLimit(10, 1.0, burst=2)
PUBLIC_RATE = RateLimit(5, 1.0, burst=1)


@sources.register("crossref")
class Crossref(Source):
    name = "crossref"
    description = "Crossref /works: title, authors, DOI, date, JATS abstract (when deposited)"
    base_url = "https://api.crossref.org"
    rate = POLITE_RATE
    rate_note = "polite pool (with --mailto) 10 req/s, public 5 req/s; published polite limit ~50 req/s"
    auth = "none (mailto recommended)"
    paging = "deep-paging cursor (cursor=*); an expired cursor restarts the query (repeats are dropped)"
    page_size = 100

    def __init__(self, settings: SourceSettings | None = None, **kw) -> None:
        settings = settings or self.default_settings()
        if not settings.mailto and settings.rate == POLITE_RATE:
            settings = settings.with_(rate=PUBLIC_RATE)
        super().__init__(settings, **kw)

    def headers(self) -> Mapping[str, str]:
        if self.settings.mailto:  # Crossref routes requests that identify themselves to the polite pool
            return {"User-Agent": f"textmine/{__version__} (mailto:{self.settings.mailto})"}
        return {}

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if not (query.query or query.since or query.until):
            raise SourceConfigError("crossref needs --query and/or --since/--until (all of Crossref is 150M works)")
        return {"cursor": "*"}

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        filters = []
        if query.since:
            filters.append(f"from-pub-date:{query.since}")
        if query.until:
            filters.append(f"until-pub-date:{query.until}")
        params = {
            "query": query.query or None,
            "filter": ",".join(filters) or None,
            "rows": self.settings.page_size,
            "cursor": cursor["cursor"],
            "mailto": self.settings.mailto,
        }
        try:
            page = self.fetch(self.url("works"), params=params, parse=parse_crossref)
        except PageError as exc:
            # A deep-paging cursor expires after five idle minutes; Crossref then answers 400/404.
            # Start the query over: the identity index drops what was already harvested.
            if exc.status in (400, 404) and cursor["cursor"] != "*" and cursor.get("restarts", 0) < 3:
                note = harvest_failure(exc.url, f"{exc.reason}; cursor expired, restarting the query from the start")
                return Page(items=[note], next_cursor={"cursor": "*", "restarts": cursor.get("restarts", 0) + 1})
            raise
        done = page.items == 0 or not page.next_cursor  # the last page is the first one with no items
        following = {"cursor": page.next_cursor, "restarts": cursor.get("restarts", 0)}
        return Page(items=page.documents, next_cursor=None if done else following, total=page.total)
