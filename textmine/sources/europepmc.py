"""Europe PMC: REST search with `cursorMark` paging; for open-access hits the JATS full text
(`/{PMCID}/fullTextXML`) is fetched and read by the JATS reader, otherwise the abstract is kept."""

from __future__ import annotations

from typing import Iterator

from textmine.document import Document
from textmine.records import Failure
from textmine.sources.base import Cursor, HarvestQuery, Page, PageError, Source, SourceConfigError, harvest_failure, sources
from textmine.sources.fulltext import read_fulltext
from textmine.sources.http import RateLimit
from textmine.readers.payloads import europepmc_result, parse_europepmc


@sources.register("europepmc")
class EuropePmc(Source):
    name = "europepmc"
    description = "Europe PMC search (abstracts) + open-access JATS full text via /{PMCID}/fullTextXML"
    base_url = "https://www.ebi.ac.uk/europepmc/webservices/rest"
    rate = RateLimit(10, 1.0, burst=2)
    rate_note = "Europe PMC asks for <= 10 req/s"
    paging = "cursorMark (cursorMark=*)"
    page_size = 100
    full_text = True

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if not query.query:
            raise SourceConfigError("europepmc needs --query (Europe PMC search syntax, e.g. 'perovskite AND OPEN_ACCESS:y')")
        return {"cursorMark": "*"}

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        q = query.query or ""
        if query.since or query.until:
            q = f"({q}) AND FIRST_PDATE:[{query.since or '1000-01-01'} TO {query.until or '3000-12-31'}]"
        params = {"query": q, "format": "json", "resultType": "core", "pageSize": self.settings.page_size,
                  "cursorMark": cursor["cursorMark"]}
        page = self.fetch(self.url("search"), params=params, parse=parse_europepmc)
        following = page.next_cursor
        done = not page.results or not following or following == cursor["cursorMark"]
        return Page(items=self._documents(page.results), next_cursor=None if done else {"cursorMark": following},
                    total=page.total)

    def _documents(self, results: list[dict]) -> Iterator[Document | Failure]:
        for result in results:
            pmcid = result.get("pmcid")
            if self.full_text and pmcid and result.get("isOpenAccess") == "Y" and result.get("inEPMC", "Y") == "Y":
                url = self.url(f"{pmcid}/fullTextXML")
                try:
                    documents = self.fetch(url, parse=lambda data, src: list(read_fulltext(data, src, prefer=("jats",))))
                except PageError as exc:
                    yield harvest_failure(url, f"full text unavailable, abstract kept: {exc.reason}")
                else:
                    if documents:
                        yield from documents
                        continue
            abstract = europepmc_result(result, self.url("search"))
            if abstract is not None:
                yield abstract
