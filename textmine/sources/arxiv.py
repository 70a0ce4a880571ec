"""arXiv: the search API (Atom, `start`/`max_results` paging) and OAI-PMH (resumption tokens,
`from`/`until` datestamps). arXiv asks for no more than one request every three seconds on both."""

from __future__ import annotations

from urllib.parse import parse_qsl

from textmine.sources.base import Cursor, HarvestQuery, Page, PageError, Source, SourceConfigError, harvest_failure, sources
from textmine.sources.http import RateLimit
from textmine.readers.payloads import OaiError, OaiPage, parse_arxiv_atom, parse_oai

ARXIV_RATE = RateLimit(1, 3.0)


@sources.register("arxiv")
class ArxivApi(Source):
    name = "arxiv"
    description = "arXiv API search (Atom): title, authors, abstract, arXiv id, DOI, date"
    base_url = "https://export.arxiv.org/api/query"
    rate = ARXIV_RATE
    rate_note = "arXiv API terms: 1 request / 3 s, one connection"
    paging = "offset (start/max_results), sorted by submission date"
    page_size = 100

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if not query.query:
            raise SourceConfigError("arxiv needs --query, e.g. 'cat:cond-mat.mtrl-sci AND abs:perovskite'")
        return {"start": 0}

    def search_query(self, query: HarvestQuery) -> str:
        q = query.query or ""
        if query.since or query.until:
            low = f"{query.since:%Y%m%d}0000" if query.since else "000001010000"
            high = f"{query.until:%Y%m%d}2359" if query.until else "999912312359"
            q = f"({q}) AND submittedDate:[{low} TO {high}]"
        return q

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        start = int(cursor["start"])
        params = {
            "search_query": self.search_query(query),
            "start": start,
            "max_results": self.settings.page_size,
            "sortBy": "submittedDate",  # a stable order, so offsets mean the same thing on resume
            "sortOrder": "ascending",
        }
        page = self.fetch(self.url(), params=params, parse=parse_arxiv_atom)
        following = start + page.entries
        done = page.entries == 0 or following >= page.total
        return Page(items=page.documents, next_cursor=None if done else {"start": following, "total": page.total},
                    total=page.total)

    def skip_page(self, query: HarvestQuery, cursor: Cursor) -> Cursor | None:
        following = int(cursor["start"]) + self.settings.page_size
        total = cursor.get("total")
        if total is not None and following >= int(total):
            return None
        return {**cursor, "start": following}


@sources.register("arxiv-oai")
class ArxivOai(Source):
    name = "arxiv-oai"
    description = "arXiv OAI-PMH ListRecords (arXiv / arXivRaw / oai_dc metadata): bulk metadata by set and date"
    base_url = "https://oaipmh.arxiv.org/oai"
    rate = ARXIV_RATE
    rate_note = "arXiv: 1 request / 3 s; honours 503 Retry-After"
    paging = "resumption token; a stale token restarts from the last datestamp seen"
    page_size = 1000  # set by the server; kept for display

    MAX_RECOVERIES = 3

    def options(self, query: HarvestQuery) -> dict[str, str]:
        """`--query` is a set spec ('physics:cond-mat') or OAI arguments ('set=…&metadataPrefix=oai_dc')."""
        options = {"metadataPrefix": "arXiv"}
        q = (query.query or "").strip()
        if "=" in q:
            options.update(dict(parse_qsl(q)))
        elif q:
            options["set"] = q
        return options

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        return {"token": None, "from": str(query.since) if query.since else None, "last_datestamp": None,
                "recoveries": 0}

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        if cursor.get("token"):
            params = {"verb": "ListRecords", "resumptionToken": cursor["token"]}
        else:
            params = {"verb": "ListRecords", **self.options(query), "from": cursor.get("from"),
                      "until": str(query.until) if query.until else None}
        result = self.fetch(self.url(), params=params, parse=_parse_oai_or_error)
        if isinstance(result, OaiError):
            return self._on_error(result, cursor, params)
        page: OaiPage = result
        stamps = [s for s in (cursor.get("last_datestamp"), page.max_datestamp) if s]
        following = {**cursor, "token": page.token, "last_datestamp": max(stamps) if stamps else None}
        total = page.complete_list_size
        return Page(items=page.documents, next_cursor=following if page.token else None, total=total)

    def _on_error(self, error: OaiError, cursor: Cursor, params: dict) -> Page:
        if error.code == "noRecordsMatch":
            return Page(items=[], next_cursor=None, total=0)
        if error.code == "badResumptionToken" and cursor.get("token"):
            # Tokens expire (or the server restarted). Start a fresh list from the newest datestamp
            # already seen; records seen twice are dropped by the identity index.
            if cursor.get("recoveries", 0) >= self.MAX_RECOVERIES:
                raise PageError(self.url(), f"{error} (gave up after {self.MAX_RECOVERIES} restarts)")
            restart = (cursor.get("last_datestamp") or "")[:10] or cursor.get("from")
            note = harvest_failure(
                self.url(), f"{error}; restarting the list from datestamp {restart or 'the beginning'}"
            )
            following = {**cursor, "token": None, "from": restart, "recoveries": cursor.get("recoveries", 0) + 1}
            return Page(items=[note], next_cursor=following)
        raise PageError(self.url() + "?" + "&".join(f"{k}={v}" for k, v in params.items() if v), str(error))


def _parse_oai_or_error(data: bytes, source: str) -> OaiPage | OaiError:
    try:
        return parse_oai(data, source)
    except OaiError as exc:
        return exc
