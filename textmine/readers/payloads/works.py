"""Crossref REST works, Semantic Scholar Graph and Europe PMC search JSON payloads: each page
parses to its documents plus the paging state (next cursor, token, offset, total)."""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from typing import Any, Iterator

from textmine.document import Document
from textmine.readers.base import ReaderError, readers
from textmine.readers.payloads._common import (
    ARXIV_DOI as _ARXIV_DOI,
    TAG as _TAG,
    abstract_document,
    arxiv_id_from,
    date_parts as _date_parts,
    json_payload,
    parse_date,
    strip_markup,
)


# -- Crossref REST /works -----------------------------------------------------------------------------


@dataclass
class CrossrefPage:
    documents: list[Document]
    next_cursor: str | None
    total: int
    items: int


def parse_crossref(data: bytes, source: str) -> CrossrefPage:
    payload = json_payload(data, "Crossref")
    if not isinstance(payload, dict) or "message-type" not in payload:
        raise ReaderError("not a Crossref REST response (no 'message-type')")
    if payload.get("status") != "ok":
        raise ReaderError(f"Crossref error response: {str(payload.get('message'))[:300]}")
    kind = payload["message-type"]
    message = payload.get("message") or {}
    if kind == "work-list":
        items = message.get("items") or []
    elif kind == "work":
        items = [message]
    else:
        raise ReaderError(f"Crossref message-type {kind!r} holds no works")
    documents = [doc for doc in (crossref_work(item, source) for item in items) if doc is not None]
    return CrossrefPage(
        documents=documents,
        next_cursor=message.get("next-cursor"),
        total=int(message.get("total-results") or len(items)),
        items=len(items),
    )


def crossref_work(item: dict[str, Any], source: str) -> Document | None:
    doi = item.get("DOI")
    # Crossref titles carry JATS inline markup (<scp>, <i>, <sub>): keep the text only.
    title = html.unescape(_TAG.sub("", " ".join(item.get("title") or [])))
    if not doi and not title:
        return None
    authors = []
    for a in item.get("author") or []:
        name = " ".join(x for x in (a.get("given"), a.get("family")) if x) or a.get("name") or ""
        authors.append(name)
    date = None
    for field_name in ("published-print", "published-online", "published", "issued", "created"):
        if date := _date_parts(item.get(field_name)):
            break
    arxiv = None
    m = _ARXIV_DOI.match(doi or "")
    if m:
        arxiv = m.group(1)
    for rel in (item.get("relation") or {}).get("has-preprint") or []:
        ident, kind = str(rel.get("id", "")), rel.get("id-type")
        if kind == "arxiv":
            arxiv = arxiv_id_from(ident)
        elif kind == "doi" and (m := _ARXIV_DOI.match(ident)):
            arxiv = m.group(1)
    return abstract_document(
        source=f"https://doi.org/{doi}" if doi else source,
        format="crossref-json",
        title=title,
        abstract=strip_markup(item.get("abstract") or ""),
        authors=authors,
        doi=doi,
        arxiv_id=arxiv,
        date=date,
        raw=json.dumps(item, sort_keys=True),
    )


@readers.register("crossref-json")
class CrossrefReader:
    name = "crossref-json"

    def sniff(self, head: bytes, filename: str) -> float:
        stripped = head.lstrip()
        if stripped[:1] == b"{" and b'"message-type"' in head and b'"work' in head:
            return 0.95
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_crossref(data, source).documents


# -- Semantic Scholar Graph API -------------------------------------------------------------------------


@dataclass
class S2Page:
    documents: list[Document]
    token: str | None
    next_offset: int | None
    total: int | None
    items: int
    missing: list[int] = field(default_factory=list)  # positions of requested ids a batch did not find


def parse_semantic_scholar(data: bytes, source: str) -> S2Page:
    payload = json_payload(data, "Semantic Scholar")
    if isinstance(payload, list):  # POST /paper/batch: one entry per requested id, null if unknown
        papers = [p for p in payload if isinstance(p, dict)]
        return S2Page(
            documents=[d for d in (s2_paper(p, source) for p in papers) if d],
            token=None, next_offset=None, total=len(payload), items=len(payload),
            missing=[i for i, p in enumerate(payload) if p is None],
        )
    if not isinstance(payload, dict):
        raise ReaderError("not a Semantic Scholar response")
    if "data" in payload:
        items = []
        for entry in payload.get("data") or []:
            if isinstance(entry, dict):
                items.append(entry.get("citedPaper") or entry.get("citingPaper") or entry)
        return S2Page(
            documents=[d for d in (s2_paper(p, source) for p in items) if d],
            token=payload.get("token"),
            next_offset=payload.get("next"),
            total=payload.get("total"),
            items=len(items),
        )
    if "paperId" in payload:
        doc = s2_paper(payload, source)
        return S2Page(documents=[doc] if doc else [], token=None, next_offset=None, total=1, items=1)
    message = payload.get("error") or payload.get("message")
    if message:
        raise ReaderError(f"Semantic Scholar error response: {str(message)[:300]}")
    raise ReaderError(f"not a Semantic Scholar paper response (keys: {', '.join(list(payload)[:8])})")


def s2_paper(paper: dict[str, Any], source: str) -> Document | None:
    title = paper.get("title") or ""
    abstract = paper.get("abstract") or ""
    if not title and not abstract:
        return None  # a paper asked for without text fields: nothing to mine
    ext = paper.get("externalIds") or {}
    date = parse_date(paper.get("publicationDate")) or (
        dt.date(int(paper["year"]), 1, 1) if str(paper.get("year") or "").isdigit() else None
    )
    pid = paper.get("paperId")
    return abstract_document(
        source=paper.get("url") or (f"https://www.semanticscholar.org/paper/{pid}" if pid else source),
        format="semantic-scholar-json",
        title=title,
        abstract=[abstract],
        authors=[a.get("name", "") for a in paper.get("authors") or [] if isinstance(a, dict)],
        doi=ext.get("DOI"),
        arxiv_id=arxiv_id_from(ext.get("ArXiv")),
        date=date,
        raw=json.dumps({k: v for k, v in paper.items() if k not in ("citations", "references", "embedding")},
                       sort_keys=True),
    )


@readers.register("semantic-scholar-json")
class SemanticScholarReader:
    name = "semantic-scholar-json"

    def sniff(self, head: bytes, filename: str) -> float:
        stripped = head.lstrip()
        if stripped[:1] in (b"{", b"[") and b'"paperId"' in head:
            return 0.9
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_semantic_scholar(data, source).documents


# -- Europe PMC REST search ------------------------------------------------------------------------------


@dataclass
class EuropePmcPage:
    documents: list[Document]
    results: list[dict[str, Any]]
    next_cursor: str | None
    total: int


def parse_europepmc(data: bytes, source: str) -> EuropePmcPage:
    payload = json_payload(data, "Europe PMC")
    if not isinstance(payload, dict) or "resultList" not in payload:
        message = payload.get("errMsg") if isinstance(payload, dict) else None
        raise ReaderError(f"not a Europe PMC search response{': ' + str(message) if message else ''}")
    results = [r for r in (payload.get("resultList") or {}).get("result") or [] if isinstance(r, dict)]
    return EuropePmcPage(
        documents=[d for d in (europepmc_result(r, source) for r in results) if d],
        results=results,
        next_cursor=payload.get("nextCursorMark"),
        total=int(payload.get("hitCount") or 0),
    )


def europepmc_result(result: dict[str, Any], source: str) -> Document | None:
    title = result.get("title") or ""
    if not title and not result.get("abstractText"):
        return None
    authors = [a.get("fullName", "") for a in (result.get("authorList") or {}).get("author") or []]
    if not authors and result.get("authorString"):
        authors = [a.strip() for a in result["authorString"].rstrip(".").split(",")]
    pmcid = result.get("pmcid")
    return abstract_document(
        source=f"https://europepmc.org/article/{result.get('source', 'MED')}/{result.get('id')}",
        format="europepmc-json",
        title=html.unescape(_TAG.sub("", title)),
        abstract=strip_markup(result.get("abstractText") or ""),
        authors=authors,
        doi=result.get("doi"),
        date=parse_date(result.get("firstPublicationDate")) or parse_date(result.get("pubYear")),
        raw=json.dumps(result, sort_keys=True) + (pmcid or ""),
    )


@readers.register("europepmc-json")
class EuropePmcReader:
    name = "europepmc-json"

    def sniff(self, head: bytes, filename: str) -> float:
        return 0.9 if head.lstrip()[:1] == b"{" and b'"resultList"' in head else 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_europepmc(data, source).documents


