"""OPTIMADE v1 `/structures`: the common API of Materials Project, COD, OQMD, AFLOW, JARVIS,
Alexandria, NOMAD and others. Yields `StructureEntry`s, not documents: `textmine harvest
optimade` stores them in the store's structures (see `harvest_structures`).

    textmine harvest optimade --base-url https://optimade.materialsproject.org \
        --query 'elements HAS ALL "Ti","O" AND nelements=2'

`--query` is an OPTIMADE filter. Paging follows the server's `links.next` (each provider pages its
own way: offset, number or opaque cursor); a page whose `next` link carries `page_offset` can be
stepped over when it fails for good, otherwise the harvest stops there and a resume retries it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from textmine.readers.base import ReaderError
from textmine.sources.base import Cursor, HarvestQuery, Page, Source, SourceConfigError, sources
from textmine.sources.http import RateLimit
from textmine.readers.payloads import MalformedPayload, json_payload

RESPONSE_FIELDS = ("lattice_vectors", "cartesian_site_positions", "species_at_sites", "species", "dimension_types",
                   "nperiodic_dimensions", "chemical_formula_reduced", "chemical_formula_descriptive", "nsites", "elements")


def parse_optimade(data: bytes, url: str) -> dict[str, Any]:
    payload = json_payload(data, "OPTIMADE")
    if not isinstance(payload, dict):
        raise MalformedPayload("OPTIMADE response is not a JSON object")
    if payload.get("errors") and not payload.get("data"):
        detail = "; ".join(str(e.get("detail") or e.get("title") or e) for e in payload["errors"] if isinstance(e, dict))
        raise ReaderError(f"OPTIMADE error: {detail or payload['errors']}")
    if not isinstance(payload.get("data"), list):
        raise MalformedPayload("OPTIMADE response has no `data` list")
    return payload


def _next_url(payload: dict[str, Any]) -> str | None:
    link = (payload.get("links") or {}).get("next")
    if isinstance(link, dict):
        link = link.get("href")
    more = (payload.get("meta") or {}).get("more_data_available")
    if not link or more is False or not payload.get("data"):
        return None
    return str(link)


@sources.register("optimade")
class Optimade(Source):
    name = "optimade"
    description = "OPTIMADE v1 /structures (Materials Project, COD, OQMD, AFLOW, JARVIS, Alexandria, NOMAD): crystal structures"
    base_url = "https://optimade.materialsproject.org"
    rate = RateLimit(2, 1.0, burst=2)
    rate_note = "no published limit common to all providers; 2 req/s keeps well under each one's"
    paging = "the server's links.next (offset, page number or cursor); offset pages are stepped over when they fail"
    page_size = 100
    kind = "structures"  # what the harvest yields: StructureEntry, stored with the structures

    def endpoint(self) -> str:
        base = self.settings.base_url.rstrip("/")
        if base.endswith("/structures"):
            return base
        if not base.rsplit("/", 1)[-1].startswith("v1"):
            base += "/v1"
        return base + "/structures"

    def first_cursor(self, query: HarvestQuery) -> Cursor:
        if not query.query:
            raise SourceConfigError("optimade needs --query with an OPTIMADE filter, e.g. "
                                    "'elements HAS ALL \"Ti\",\"O\" AND nelements=2'")
        params = {"filter": query.query, "page_limit": self.settings.page_size, "response_fields": ",".join(RESPONSE_FIELDS)}
        return {"url": f"{self.endpoint()}?{urlencode(params)}"}

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        from textmine.structures.optimade import entries_from_response

        parts = urlsplit(cursor["url"])  # the client sends params separately (a query in the URL would be dropped)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        payload = self.fetch(urlunsplit(parts._replace(query="")), params=params, parse=parse_optimade)
        meta = payload.get("meta") or {}
        provider = (meta.get("provider") or {}).get("prefix")
        payload.setdefault("meta", {}).setdefault("provider", {"prefix": provider})
        payload.setdefault("links", {})["base_url"] = self.settings.base_url
        items = list(entries_from_response(payload, cursor["url"]))
        following = _next_url(payload)
        if following == cursor["url"]:  # a server pointing at the page it just served would loop forever
            following = None
        total = meta.get("data_returned") if isinstance(meta.get("data_returned"), int) else None
        return Page(items=items, next_cursor={"url": following} if following else None, total=total)

    def skip_page(self, query: HarvestQuery, cursor: Cursor) -> Cursor | None:
        parts = urlsplit(cursor["url"])
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if "page_offset" not in params and "page_limit" in params and cursor["url"] == self.first_cursor(query)["url"]:
            params["page_offset"] = "0"
        if "page_offset" not in params:
            return None  # number or cursor paging: the next position is only known from the page
        step = int(params.get("page_limit", self.settings.page_size))
        params["page_offset"] = str(int(params["page_offset"]) + step)
        return {"url": urlunsplit(parts._replace(query=urlencode(params)))}


__all__ = ["Optimade", "parse_optimade", "RESPONSE_FIELDS"]
