"""Semantic Scholar Graph API: bulk search (`/paper/search/bulk`, continuation token) and batch
lookup (`POST /paper/batch`, up to 500 ids). An `x-api-key` is optional."""

from __future__ import annotations

from typing import Mapping

from textmine.sources.base import Cursor, HarvestQuery, Page, Source, SourceConfigError, harvest_failure, sources
from textmine.sources.http import RateLimit
from textmine.readers.payloads import parse_semantic_scholar

FIELDS = "title,abstract,authors,externalIds,year,publicationDate,url"


class _SemanticScholar(Source):
    base_url = "https://api.semanticscholar.org/graph/v1"
    rate = RateLimit(1, 1.0)
    rate_note = "1 req/s (the unauthenticated shared pool, and the default for new API keys)"
    auth = "optional"

    def headers(self) -> Mapping[str, str]:
        return {"x-api-key": self.settings.api_key} if self.settings.api_key else {}


@sources.register("semantic-scholar")
class SemanticScholarBulk(_SemanticScholar):
    name = "semantic-scholar"
    description = "Semantic Scholar bulk search: title, abstract, authors, DOI/arXiv ids, date"
    paging = "continuation token (/paper/search/bulk), up to 1000 papers per call"
    page_size = 1000

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if not query.query:
            raise SourceConfigError("semantic-scholar needs --query (bulk search syntax: 'perovskite + \"band gap\"')")
        return {"token": None}

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        dates = None
        if query.since or query.until:
            dates = f"{query.since or ''}:{query.until or ''}"
        params = {"query": query.query, "fields": FIELDS, "publicationDateOrYear": dates, "token": cursor.get("token")}
        page = self.fetch(self.url("paper/search/bulk"), params=params, parse=parse_semantic_scholar)
        return Page(items=page.documents, next_cursor={"token": page.token} if page.token else None, total=page.total)


@sources.register("semantic-scholar-batch")
class SemanticScholarBatch(_SemanticScholar):
    name = "semantic-scholar-batch"
    description = "Semantic Scholar POST /paper/batch for given ids (DOI:…, ARXIV:…, S2 ids); --query lists them or @file"
    paging = "offset over the id list, 500 ids per call"
    page_size = 500

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if not query.items():
            raise SourceConfigError("semantic-scholar-batch needs --query 'DOI:10.1/x,ARXIV:2101.00001' or --query @ids.txt")
        return {"offset": 0}

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        ids = query.items()
        offset = int(cursor["offset"])
        chunk = ids[offset: offset + min(self.settings.page_size, 500)]
        url = self.url("paper/batch")
        page = self.fetch(url, method="POST", params={"fields": FIELDS}, json={"ids": chunk},
                          parse=parse_semantic_scholar)
        items = [*page.documents, *(harvest_failure(f"{url}#{chunk[i]}", "not found by Semantic Scholar")
                                    for i in page.missing if i < len(chunk))]
        following = offset + len(chunk)
        return Page(items=items, next_cursor={"offset": following} if following < len(ids) else None, total=len(ids))

    def skip_page(self, query: HarvestQuery, cursor: Cursor) -> Cursor | None:
        following = int(cursor["offset"]) + min(self.settings.page_size, 500)
        return {"offset": following} if following < len(query.items()) else None
