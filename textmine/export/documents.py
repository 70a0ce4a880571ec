"""Document metadata next to every exported record: what a record needs to be cited.

A `Record` points at its document by `doc_id` only. Exports and API answers add a
`DocumentMeta` (title, authors, year, venue, DOI, source, licence where known) looked up once per
document through the store's `get_document`, with a bounded cache, so a streamed export of
millions of records never holds the corpus in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

from pydantic import BaseModel, Field

from textmine.document import Document

DocumentLookup = Callable[[str], "DocumentMeta | None"]

# Flat CSV columns of the metadata, after the record's own columns.
CSV_COLUMNS = ["doc_title", "doc_authors", "doc_year", "doc_venue", "doc_doi", "doc_url", "doc_source", "doc_licence",
               "doc_kind"]


class DocumentMeta(BaseModel):
    """How to cite a record's document. Fields a reader could not find are null (empty title or
    authors): `venue` and `licence` stay null until the reader that made the document knows them."""

    doc_id: str
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    date: str | None = Field(default=None, description="publication or grant date, ISO 8601")
    venue: str | None = Field(default=None, description="journal, conference or patent office")
    doi: str | None = None
    url: str | None = Field(default=None, description="https://doi.org/<doi>, or the source when it is a URL")
    source: str = Field(default="", description="where it was read from: a path, a URL or a harvester name")
    licence: str | None = None
    kind: str = "paper"
    format: str = ""
    patent_number: str | None = None
    arxiv_id: str | None = None

    @classmethod
    def of(cls, document: Document) -> "DocumentMeta":
        source = document.source
        url = f"https://doi.org/{document.doi}" if document.doi else None
        if url is None and source.startswith(("http://", "https://")):
            url = source
        if url is None and document.arxiv_id:
            url = f"https://arxiv.org/abs/{document.arxiv_id}"
        venue = getattr(document, "venue", None)  # Document may learn these; until then, unknown
        if venue is None and document.kind == "patent" and document.patent_number:
            venue = document.patent_number[:2]  # the issuing office: US, EP, WO, ...
        return cls(
            doc_id=document.id,
            title=document.title,
            authors=list(document.authors),
            year=document.year,
            date=document.date.isoformat() if document.date else None,
            venue=venue,
            doi=document.doi,
            url=url,
            source=source,
            licence=getattr(document, "licence", None) or getattr(document, "license", None),
            kind=document.kind,
            format=document.format,
            patent_number=document.patent_number,
            arxiv_id=document.arxiv_id,
        )

    def flat(self) -> dict[str, Any]:
        """The CSV columns (`doc_*`)."""
        return {
            "doc_title": self.title,
            "doc_authors": "; ".join(self.authors),
            "doc_year": self.year,
            "doc_venue": self.venue,
            "doc_doi": self.doi,
            "doc_url": self.url,
            "doc_source": self.source,
            "doc_licence": self.licence,
            "doc_kind": self.kind,
        }


class DocumentIndex:
    """`index(doc_id) -> DocumentMeta | None` over a store, caching the last `size` documents
    (records of one document are usually close together in an export)."""

    def __init__(self, store: Any, size: int = 4096) -> None:
        self.store = store
        self.size = size
        self._cache: OrderedDict[str, DocumentMeta | None] = OrderedDict()

    def __call__(self, doc_id: str) -> DocumentMeta | None:
        if doc_id in self._cache:
            self._cache.move_to_end(doc_id)
            return self._cache[doc_id]
        document = self.store.get_document(doc_id)
        meta = DocumentMeta.of(document) if document is not None else None
        self._cache[doc_id] = meta
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return meta


__all__ = ["CSV_COLUMNS", "DocumentIndex", "DocumentLookup", "DocumentMeta"]
