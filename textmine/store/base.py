"""The `Store` protocol: what every backend (SQLite, Elasticsearch) implements, and the query model.

A query is a typed object, never a backend query string, so the CLI, the API and the parity tests
ask the same question of every store and must get the same answer.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Iterator, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from textmine.document import DocKind, Document
from textmine.extraction import Extraction
from textmine.identity import Member
from textmine.chemistry.elements import ELEMENT_SET
from textmine.records import Failure, Mention, Record

FacetName = Literal["property", "elements", "formula", "year", "kind", "extractor"]
FACETS: tuple[str, ...] = ("property", "elements", "formula", "year", "kind", "extractor")
MAX_LIMIT = 10_000
DEFAULT_FACETS: tuple[FacetName, ...] = ("property", "elements", "year", "kind")
FACET_SIZE = 20  # buckets per facet, ordered by count desc then value asc (as Elasticsearch terms aggs)


class QueryError(ValueError):
    """A query that cannot be answered as asked (an unknown facet, unit or element, a NaN or
    reversed bound, a negative limit); the one-line message says what to change."""


class Query(BaseModel):
    """A search over records. Every field is optional; set fields are AND-ed.

    `value_min`/`value_max` are in `unit` (any unit compatible with the property; default: the
    property's usual unit); a record matches when its reported value, or any part of its reported
    range, falls in [value_min, value_max].

    A query checks itself when it is built and when a field is set, and raises `QueryError` (a
    ValueError) with one clear line: `Query(facets=["bogus"])`, `Query(property="band_gap",
    unit="K")`, `Query(include_elements=["Xx"])`, a NaN bound, min > max, a negative limit.
    """

    model_config = ConfigDict(validate_assignment=True)

    text: str | None = Field(default=None, description="full-text query over source sentences")
    property: str | None = None
    formula: str | None = Field(default=None, description="exact normalised formula")
    material: str | None = Field(default=None, description="material as written (case-insensitive)")
    material_id: str | None = Field(default=None, description="stable material id (textmine.normalise.material_id)")
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
    # records whose best linked structure (textmine link) has this space group / crystal system
    space_group: str | None = Field(default=None, description="Hermann-Mauguin symbol or number, e.g. 'P4_2/mnm' or 136")
    crystal_system: str | None = Field(default=None, description="cubic, tetragonal, ... of the best linked structure")
    has_structure: bool | None = Field(default=None, description="True: linked to a structure; False: not linked")
    limit: int = Field(default=20, description=f"records to return, 0 to {MAX_LIMIT}")
    offset: int = Field(default=0, description="records to skip")
    facets: list[str] = Field(default_factory=list, description=f"any of {', '.join(FACETS)}")

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise QueryError(_one_line(exc)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        before = self.__dict__.get(name)
        try:
            super().__setattr__(name, value)
        except (ValidationError, QueryError) as exc:
            self.__dict__[name] = before  # pydantic has already set it when a model check fails
            raise exc if isinstance(exc, QueryError) else QueryError(_one_line(exc)) from None

    @field_validator("include_elements", "exclude_elements")
    @classmethod
    def _elements(cls, v: list[str]) -> list[str]:
        symbols = [e.strip().capitalize() for e in v if e.strip()]
        unknown = [s for s in symbols if s not in ELEMENT_SET]
        if unknown:
            raise ValueError(f"unknown element symbol{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}"
                             " (use symbols such as Ti, O, Fe)")
        return symbols

    @field_validator("facets")
    @classmethod
    def _facets(cls, v: list[str]) -> list[str]:
        unknown = [f for f in v if f not in FACETS]
        if unknown:
            raise ValueError(f"unknown facet {', '.join(map(repr, unknown))}; facets are: {', '.join(FACETS)}")
        return v

    @field_validator("value_min", "value_max", "min_confidence")
    @classmethod
    def _finite(cls, v: float | None, info: Any) -> float | None:
        if v is not None and math.isnan(v):
            raise ValueError(f"{info.field_name} is NaN: give a number")
        return v

    @field_validator("limit")
    @classmethod
    def _limit(cls, v: int) -> int:
        if not 0 <= v <= MAX_LIMIT:
            raise ValueError(f"limit must be between 0 and {MAX_LIMIT} (got {v}); page further with offset")
        return v

    @field_validator("offset")
    @classmethod
    def _offset(cls, v: int) -> int:
        if v < 0:
            raise ValueError(f"offset must be 0 or more (got {v})")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "Query":
        self.check()
        return self

    def check(self) -> "Query":
        """Raise QueryError unless the query can be answered as asked (also run when built)."""
        for low, high, what in ((self.value_min, self.value_max, "value"), (self.year_min, self.year_max, "year")):
            if low is not None and high is not None and low > high:
                raise QueryError(f"{what} min {low:g} is above {what} max {high:g}: swap them")
        if self.min_confidence is not None and not 0 <= self.min_confidence <= 1:
            raise QueryError(f"min_confidence must be between 0 and 1 (got {self.min_confidence:g})")
        if self.unit is not None or self.value_min is not None or self.value_max is not None:
            self._si_unit()
        return self

    def _si_unit(self) -> str | None:
        """The SI unit the value bounds convert to, checking the unit against the property."""
        from textmine.normalise.units import UnitError, parse_unit

        if self.unit is not None:
            try:
                parse_unit(self.unit)
            except UnitError:
                raise QueryError(f"unknown unit {self.unit!r} (use e.g. eV, meV, K, degC, GPa)") from None
        if not self.property:
            if self.value_min is None and self.value_max is None:
                return None
            raise QueryError("a value range needs a property (e.g. --property band_gap) to know what is compared")
        from textmine.ontology import load_ontology

        ontology = load_ontology()
        if self.property not in ontology:
            raise QueryError(f"unknown property {self.property!r}: `textmine properties` lists them")
        definition = ontology.get(self.property)
        unit = self.unit or definition.default_unit
        si_unit = definition.si_unit_for(unit)
        if si_unit is None:
            raise QueryError(
                f"unit {unit!r} does not fit {self.property} (measured in {definition.default_unit or 'no unit'})"
            )
        return si_unit

    def value_bounds_si(self) -> tuple[float | None, float | None]:
        """The value range converted to the SI unit records store `value_*_si` in.

        Both stores use it (through the query compiler), so a range in eV, meV or J (or K and °C)
        selects the same records."""
        if self.value_min is None and self.value_max is None:
            return None, None
        si_unit = self._si_unit()
        from textmine.ontology import load_ontology
        from textmine.normalise.units import to_si

        unit = self.unit or load_ontology().get(self.property).default_unit  # type: ignore[arg-type]
        low = to_si(self.value_min, unit, si_unit)[0] if self.value_min is not None else None
        high = to_si(self.value_max, unit, si_unit)[0] if self.value_max is not None else None
        return low, high


def _one_line(exc: ValidationError) -> str:
    """pydantic's multi-line report -> 'field: message; field: message'."""
    parts = []
    for error in exc.errors():
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        where = ".".join(str(x) for x in error.get("loc", ()) if not isinstance(x, int))
        parts.append(message if not where or message.startswith(where) else f"{where}: {message}")
    return "; ".join(parts) or str(exc).splitlines()[0]


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
    structures: int = 0
    spectra: int = 0
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

    def document_ids(self, source: str) -> list[str]:
        """Ids of the documents stored from `source` (a file read before, whatever its content was then)."""
        ...

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        """Remove these documents with everything stored for them (an edited file's earlier
        version); returns how many there were."""
        ...

    # Paper identity across formats (textmine/identity.py): one `Member` per read document and
    # source; aliases (not kept) have no stored document. Stores without these methods still run
    # (`textmine run` then keeps every copy, as before).
    def put_members(self, members: Iterable[Member]) -> None:
        """Insert or replace these members (by doc id and source) with their lookup keys."""
        ...

    def find_members(self, *, keys: Iterable[str] = (), canonicals: Iterable[str] = (), source: str | None = None) -> list[Member]:
        """Members sharing any of `keys`, or whose paper is kept as any of `canonicals`, or read
        from `source`; ordered by (doc id, source)."""
        ...

    def delete_members(self, members: Iterable[tuple[str, str]]) -> None:
        """Forget these (doc id, source) reads."""
        ...

    def stale(self, provenance_key: str) -> int:
        """How many stored documents were processed by another pipeline version than this key."""
        ...

    def get_document(self, doc_id: str) -> Document | None: ...

    def get_documents(self, doc_ids: Iterable[str], *, content: bool = True) -> dict[str, Document]:
        """The stored documents of these ids in one round trip (not one per id), keyed by id in the
        order asked; unknown ids are left out. `content=False` reads the metadata only (title,
        authors, date, DOI, source ...): `text`, `sections`, `tables` and `figures` come back empty,
        which is what citing a page of records needs."""
        ...

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

# What `get_documents(..., content=False)` leaves out: the document's text and its structure.
CONTENT_FIELDS: tuple[str, ...] = ("text", "sections", "tables", "figures")
# How many ids one backend call asks for (SQLite's host parameters, ES's mget body).
ID_BATCH = 500


def id_batches(doc_ids: Iterable[str]) -> Iterator[list[str]]:
    """Distinct ids (first occurrence kept), in lists of at most ID_BATCH."""
    ids = list(dict.fromkeys(doc_ids))
    for start in range(0, len(ids), ID_BATCH):
        yield ids[start:start + ID_BATCH]


def stored_item(item: Extraction | StoredItem) -> StoredItem:
    """What a store writes for one document: (document, records, mentions) of an `Extraction`
    (a bare tuple is accepted from low-level callers such as the store benchmark)."""
    if isinstance(item, Extraction):
        return item.document, item.records, item.mentions
    return item


def value_bounds_si(query: Query) -> tuple[float | None, float | None]:
    """`query.value_bounds_si()` (kept for callers of the function)."""
    return query.value_bounds_si()
