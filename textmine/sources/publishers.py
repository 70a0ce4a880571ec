"""Publisher text-and-data-mining APIs, used with the user's own key and entitlements:
Elsevier Article Retrieval (full-text XML -> Elsevier reader) and Springer Nature's open-access
JATS API (-> JATS reader)."""

from __future__ import annotations

from typing import Iterator, Mapping
from urllib.parse import quote

from lxml import etree

from textmine.document import Document
from textmine.readers.base import ReaderError
from textmine.records import Failure
from textmine.sources.base import Cursor, HarvestQuery, Page, PageError, Source, SourceConfigError, harvest_failure, sources
from textmine.sources.fulltext import read_fulltext
from textmine.sources.http import RateLimit
from textmine.readers.payloads import MalformedPayload, xml_payload


@sources.register("elsevier")
class ElsevierArticles(Source):
    name = "elsevier"
    description = "Elsevier Article Retrieval API: full-text XML per DOI/PII (your key + entitlements)"
    base_url = "https://api.elsevier.com/content"
    rate = RateLimit(5, 1.0)
    rate_note = "Elsevier article retrieval throttles at 10 req/s (weekly quota per key); we use 5 req/s"
    auth = "required"
    paging = "offset over the DOI/PII list"
    page_size = 25

    def headers(self) -> Mapping[str, str]:
        headers = {"X-ELS-APIKey": self.settings.api_key or "", "Accept": "text/xml"}
        if self.settings.inst_token:
            headers["X-ELS-Insttoken"] = self.settings.inst_token
        return headers

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if not query.items():
            raise SourceConfigError("elsevier needs --query with DOIs or pii:S… ids (comma separated, or @file)")
        return {"offset": 0}

    def article_url(self, ident: str) -> str:
        if ident.lower().startswith("pii:"):
            return self.url(f"article/pii/{quote(ident[4:].strip())}")
        return self.url(f"article/doi/{quote(ident.removeprefix('doi:').strip(), safe='/')}")

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        ids = query.items()
        offset = int(cursor["offset"])
        chunk = ids[offset: offset + self.settings.page_size]
        following = offset + len(chunk)
        return Page(items=self._articles(chunk), next_cursor={"offset": following} if following < len(ids) else None,
                    total=len(ids))

    def _articles(self, chunk: list[str]) -> Iterator[Document | Failure]:
        for ident in chunk:
            url = self.article_url(ident)
            try:
                documents = self.fetch(url, params={"view": "FULL"},
                                       parse=lambda data, src: list(read_fulltext(data, src, prefer=("elsevier",))))
            except PageError as exc:
                yield harvest_failure(url, exc.reason)
                continue
            yield from documents


@sources.register("springer")
class SpringerOpenAccess(Source):
    name = "springer"
    description = "Springer Nature open-access API: JATS full text (/openaccess/jats) for a query or DOIs"
    base_url = "https://api.springernature.com"
    rate = RateLimit(1, 1.0)
    rate_note = "Springer Nature free tier: 5,000 calls/day; we send 1 req/s"
    auth = "required"
    paging = "offset (s=1-based start, p=page length)"
    page_size = 20

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if not query.query:
            raise SourceConfigError("springer needs --query (e.g. 'keyword:perovskite' or 'doi:10.1007/…')")
        return {"start": 1}

    def q(self, query: HarvestQuery) -> str:
        q = query.query or ""
        if query.since:
            q += f" onlinedatefrom:{query.since}"
        if query.until:
            q += f" onlinedateto:{query.until}"
        return q.strip()

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        start = int(cursor["start"])
        params = {"q": self.q(query), "s": start, "p": self.settings.page_size, "api_key": self.settings.api_key}
        page = self.fetch(self.url("openaccess/jats"), params=params, parse=_parse_springer_response)
        total, shown, articles, url = page
        following = start + shown
        done = shown == 0 or following > total
        return Page(items=self._articles(articles, url), next_cursor=None if done else {"start": following, "total": total},
                    total=total)

    def _articles(self, articles: list[bytes], url: str) -> Iterator[Document | Failure]:
        for number, article in enumerate(articles, 1):
            try:
                yield from read_fulltext(article, f"{url}#{number}", prefer=("springer", "jats"))
            except ReaderError as exc:
                yield harvest_failure(f"{url}#{number}", str(exc))

    def skip_page(self, query: HarvestQuery, cursor: Cursor) -> Cursor | None:
        following = int(cursor["start"]) + self.settings.page_size
        total = cursor.get("total")
        return None if total is not None and following > int(total) else {**cursor, "start": following}


def _parse_springer_response(data: bytes, source: str) -> tuple[int, int, list[bytes], str]:
    """(total, records shown, each <article> as its own JATS document, request url)."""
    root = xml_payload(data, "Springer Nature")
    if etree.QName(root).localname != "response":
        raise ReaderError(f"not a Springer Nature API response (root {root.tag!r})")
    result = root.find("result")
    if result is None:
        message = " ".join(root.findtext("error/error-description") or root.findtext("message") or "").strip()
        raise ReaderError(f"Springer Nature API error: {message or 'no <result> element'}")
    total = int((result.findtext("total") or "0").strip() or 0)
    shown = int((result.findtext("recordsDisplayed") or "0").strip() or 0)
    articles = [etree.tostring(a, encoding="utf-8") for a in root.iterfind("records/article")]
    if len(articles) != shown:
        raise MalformedPayload(f"Springer response lists {shown} records but holds {len(articles)} articles")
    return total, shown, articles, source
