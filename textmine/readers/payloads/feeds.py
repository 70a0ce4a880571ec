"""arXiv API (Atom) and OAI-PMH payloads: each page parses to its documents plus the paging
state (total, start, resumption token) the harvesters need and a `Document` cannot carry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from lxml import etree

from textmine.document import Document
from textmine.readers.base import ReaderError, readers
from textmine.readers.payloads._common import (
    abstract_document,
    arxiv_id_from,
    doi_from,
    element_text as _text,
    int_or as _int,
    parse_date,
    xml_payload,
)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
DC = "{http://purl.org/dc/elements/1.1/}"
ARXIV_OAI = "{http://arxiv.org/OAI/arXiv/}"
ARXIV_RAW = "{http://arxiv.org/OAI/arXivRaw/}"

# -- arXiv API (Atom) ----------------------------------------------------------------------------


@dataclass
class AtomPage:
    documents: list[Document]
    total: int
    start: int
    per_page: int
    entries: int


def parse_arxiv_atom(data: bytes, source: str) -> AtomPage:
    root = xml_payload(data, "arXiv Atom")
    if root.tag != f"{ATOM}feed":
        raise ReaderError(f"not an Atom feed (root element {root.tag!r})")
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:  # the API reports bad queries as a feed with one 'Error' entry
        if "/api/errors" in (entry.findtext(f"{ATOM}id") or ""):
            raise ReaderError(f"arXiv API error: {_text(entry.find(f'{ATOM}summary')) or 'unknown'}")
    documents = []
    for entry in entries:
        abs_url = (entry.findtext(f"{ATOM}id") or "").strip()
        documents.append(
            abstract_document(
                source=abs_url or source,
                format="arxiv-atom",
                title=_text(entry.find(f"{ATOM}title")),
                abstract=[_text(entry.find(f"{ATOM}summary"))],
                authors=[_text(a.find(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")],
                doi=(entry.findtext(f"{ARXIV}doi") or "").strip() or None,
                arxiv_id=arxiv_id_from(abs_url),
                date=parse_date(entry.findtext(f"{ATOM}published")),
                raw=etree.tostring(entry),
            )
        )
    return AtomPage(
        documents=documents,
        total=_int(root.findtext(f"{OPENSEARCH}totalResults"), len(entries)),
        start=_int(root.findtext(f"{OPENSEARCH}startIndex"), 0),
        per_page=_int(root.findtext(f"{OPENSEARCH}itemsPerPage"), len(entries)),
        entries=len(entries),
    )


@readers.register("arxiv-atom")
class ArxivAtomReader:
    name = "arxiv-atom"

    def sniff(self, head: bytes, filename: str) -> float:
        if b"http://www.w3.org/2005/Atom" in head and b"<feed" in head:
            return 0.95 if b"arxiv" in head.lower() else 0.4
        return 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_arxiv_atom(data, source).documents


# -- OAI-PMH ---------------------------------------------------------------------------------------


class OaiError(ReaderError):
    """An OAI-PMH <error code="..."> response; `code` is the protocol's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"OAI-PMH error {code}: {message}" if message else f"OAI-PMH error {code}")
        self.code = code


@dataclass
class OaiPage:
    documents: list[Document]
    token: str | None
    complete_list_size: int | None
    records: int
    deleted: int
    max_datestamp: str | None
    identifiers: list[str] = field(default_factory=list)


def parse_oai(data: bytes, source: str) -> OaiPage:
    root = xml_payload(data, "OAI-PMH")
    if root.tag != f"{OAI}OAI-PMH":
        raise ReaderError(f"not an OAI-PMH response (root element {root.tag!r})")
    errors = root.findall(f"{OAI}error")
    if errors:
        raise OaiError(errors[0].get("code", "unknown"), _text(errors[0]))
    documents: list[Document] = []
    records = deleted = 0
    datestamps: list[str] = []
    identifiers: list[str] = []
    for header in root.iter(f"{OAI}header"):
        stamp = (header.findtext(f"{OAI}datestamp") or "").strip()
        if stamp:
            datestamps.append(stamp)
        ident = (header.findtext(f"{OAI}identifier") or "").strip()
        if ident:
            identifiers.append(ident)
    for record in root.iter(f"{OAI}record"):
        records += 1
        header = record.find(f"{OAI}header")
        if header is not None and header.get("status") == "deleted":
            deleted += 1
            continue
        metadata = record.find(f"{OAI}metadata")
        if metadata is None or not len(metadata):
            continue
        ident = (header.findtext(f"{OAI}identifier") or "").strip() if header is not None else ""
        doc = _oai_document(metadata[0], ident or source, etree.tostring(record))
        if doc is not None:
            documents.append(doc)
    token_el = root.find(f".//{OAI}resumptionToken")
    token = (token_el.text or "").strip() if token_el is not None else ""
    size = token_el.get("completeListSize") if token_el is not None else None
    return OaiPage(
        documents=documents,
        token=token or None,  # an empty token marks the last page of a list
        complete_list_size=int(size) if size and size.isdigit() else None,
        records=records,
        deleted=deleted,
        max_datestamp=max(datestamps) if datestamps else None,
        identifiers=identifiers,
    )


def _oai_document(meta: etree._Element, source: str, raw: bytes) -> Document | None:
    tag = meta.tag
    if tag == f"{OAI_DC}dc":
        idents = [_text(i) for i in meta.findall(f"{DC}identifier")]
        doi = next((d for d in (doi_from(i) for i in idents if "doi" in i.lower() or i.startswith("10.")) if d), None)
        arxiv = next((arxiv_id_from(i) for i in idents if "arxiv.org/abs/" in i), None)
        dates = [_text(d) for d in meta.findall(f"{DC}date")]
        return abstract_document(
            source=source, format="oai-pmh", raw=raw,
            title=_text(meta.find(f"{DC}title")),
            abstract=[_text(d) for d in meta.findall(f"{DC}description")],
            authors=[_text(c) for c in meta.findall(f"{DC}creator")],
            doi=doi, arxiv_id=arxiv, date=parse_date(dates[0]) if dates else None,
        )
    if tag == f"{ARXIV_OAI}arXiv":
        authors = []
        for author in meta.iter(f"{ARXIV_OAI}author"):
            parts = [author.findtext(f"{ARXIV_OAI}forenames"), author.findtext(f"{ARXIV_OAI}keyname"),
                     author.findtext(f"{ARXIV_OAI}suffix")]
            authors.append(" ".join(p.strip() for p in parts if p and p.strip()))
        return abstract_document(
            source=source, format="oai-pmh", raw=raw,
            title=_text(meta.find(f"{ARXIV_OAI}title")),
            abstract=[_text(meta.find(f"{ARXIV_OAI}abstract"))],
            authors=authors,
            doi=(meta.findtext(f"{ARXIV_OAI}doi") or "").split()[0] if meta.findtext(f"{ARXIV_OAI}doi") else None,
            arxiv_id=arxiv_id_from(meta.findtext(f"{ARXIV_OAI}id")),
            date=parse_date(meta.findtext(f"{ARXIV_OAI}created")),
        )
    if tag == f"{ARXIV_RAW}arXivRaw":
        first_version = meta.find(f"{ARXIV_RAW}version/{ARXIV_RAW}date")
        authors = re.split(r",\s*|\s+and\s+", _text(meta.find(f"{ARXIV_RAW}authors")))
        return abstract_document(
            source=source, format="oai-pmh", raw=raw,
            title=_text(meta.find(f"{ARXIV_RAW}title")),
            abstract=[_text(meta.find(f"{ARXIV_RAW}abstract"))],
            authors=authors,
            doi=(meta.findtext(f"{ARXIV_RAW}doi") or "").split()[0] if meta.findtext(f"{ARXIV_RAW}doi") else None,
            arxiv_id=arxiv_id_from(meta.findtext(f"{ARXIV_RAW}id")),
            date=parse_date(first_version.text if first_version is not None else None),
        )
    return None  # a metadata format we do not map; the record is still counted


@readers.register("oai-pmh")
class OaiPmhReader:
    name = "oai-pmh"

    def sniff(self, head: bytes, filename: str) -> float:
        return 0.95 if b"<OAI-PMH" in head and b"openarchives.org/OAI/2.0" in head else 0.0

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        yield from parse_oai(data, source).documents

