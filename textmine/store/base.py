"""The `Store` protocol: what every backend (SQLite, Elasticsearch) implements, and the query model.

A query is a typed object, never a backend query string, so the CLI, the API and the parity tests
ask the same question of every store and must get the same answer.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field, field_validator

from textmine.document import DocKind, Document
from textmine.extraction import Extraction
from textmine.records import Failure, Mention, Record

FacetName = Literal["property", "elements", "formula", "year", "kind", "extractor"]
DEFAULT_FACETS: tuple[FacetName, ...] = ("property", "elements", "year", "kind")
FACET_SIZE = 20  # buckets per facet, ordered by count desc then value asc (as Elasticsearch terms aggs)


class Query(BaseModel):
    """A search over records. Every field is optional; set fields are AND-ed.

    `value_min`/`value_max` are in `unit` (any unit compatible with the property); a record matches
    when its reported value, or any part of its reported range, falls in [value_min, value_max].
    """

    text: str | None = Field(default=None, description="full-text query over source sentences")
    property: str | None = None
    formula: str | None = Field(default=None, description="exact normalised formula")
    material: str | None = Field(default=None, description="material as written (case-insensitive)")
    include_elements: list[str] = Field(default_factory=list, description="records whose material has all these")
    exclude_elements: list[str] = Field(default_factory=list, description="... and none of these")
    only_elements: bool = Field(default=False, description="material made of include_elements and nothing else")
    value_min: float | None = None
    value_max: float | None = None
    unit: str | None = None
    year_min: int | None = None
    year_max: int | None = None
    kind: DocKind | None = None
    doc_id: str | None = None
    extractor: str | None = Field(default=None, description="extractor name, e.g. 'rules'")
    min_confidence: float | None = None
    limit: int = Field(default=20, ge=0, le=10_000)
    offset: int = Field(default=0, ge=0)
    facets: list[FacetName] = Field(default_factory=list)

    @field_validator("include_elements", "exclude_elements")
    @classmethod
    def _capitalise(cls, v: list[str]) -> list[str]:
        return [e.strip().capitalize() for e in v if e.strip()]


class FacetCount(BaseModel):
    value: str
    count: int


class SearchResult(BaseModel):
    total: int
    records: list[Record]
    facets: dict[str, list[FacetCount]] = Field(default_factory=dict)


class SentenceHit(BaseModel):
    doc_id: str
    char_start: int
    char_end: int
    text: str
    section: str | None = None


class StoreStats(BaseModel):
    documents: int
    sentences: int
    mentions: int
    records: int
    failures: int
    by_property: dict[str, int] = Field(default_factory=dict)
    by_kind: dict[str, int] = Field(default_factory=dict)


class StoreUnavailable(RuntimeError):
    """The backend cannot be reached (node down, file locked); the message says what to do."""


@runtime_checkable
class Store(Protocol):
    """Persistence and search. Writes are idempotent per document: `put` replaces everything
    previously stored for `document.id`, so re-running a job never duplicates or drops records."""

    url: str

    def put(self, document: Document, records: Iterable[Record], mentions: Iterable[Mention] = ()) -> None: ...

    def put_many(self, items: Iterable[Extraction]) -> int:
        """Bulk form of `put`: each `Extraction` replaces what was stored for its document;
        returns the number of documents written."""
        ...

    def add_failure(self, failure: Failure) -> None: ...

    def clear_failure(self, source: str) -> None:
        """Forget earlier failures of `source` (and of its parts `source#N`) before it is read again."""
        ...

    def known(self, doc_id: str, content_hash: str, extractor: str) -> bool:
        """True when this exact content was already stored, processed by this extractor
        (name@version): lets `run` skip unchanged documents and redo them after an upgrade."""
        ...

    def stale(self, provenance_key: str) -> int:
        """How many stored documents were processed by another pipeline version than this key."""
        ...

    def get_document(self, doc_id: str) -> Document | None: ...

    def search(self, query: Query) -> SearchResult: ...

    def search_sentences(self, text: str, limit: int = 20) -> list[SentenceHit]: ...

    def iter_records(self, query: Query | None = None, batch_size: int = 1000) -> Iterator[Record]:
        """All matching records (ignores limit/offset), streamed in batches."""
        ...

    def iter_documents(self) -> Iterator[Document]: ...

    def failures(self) -> list[Failure]: ...

    def stats(self) -> StoreStats: ...

    def close(self) -> None: ...


StoredItem = tuple[Document, list[Record], list[Mention]]


def stored_item(item: Extraction | StoredItem) -> StoredItem:
    """What a store writes for one document: (document, records, mentions) of an `Extraction`
    (a bare tuple is accepted from low-level callers such as the store benchmark)."""
    if isinstance(item, Extraction):
        return item.document, item.records, item.mentions
    return item


def value_bounds_si(query: Query) -> tuple[float | None, float | None]:
    """The query's value range converted to coherent SI units, as records store `value_*_si`.

    Both stores call this, so a range in eV, meV or J (or K and °C) selects the same records.
    """
    if query.value_min is None and query.value_max is None:
        return None, None
    if not query.property:
        raise ValueError("a value range needs a property (e.g. --property band_gap) to know what is compared")
    from textmine.normalise.units import to_si

    unit = query.unit or _default_unit(query.property)
    low = to_si(query.value_min, unit)[0] if query.value_min is not None else None
    high = to_si(query.value_max, unit)[0] if query.value_max is not None else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high


def _default_unit(property_name: str) -> str:
    from textmine.ontology import load_ontology

    return load_ontology().get(property_name).default_unit
