"""Response models of the API: the package's own contracts (`Record`, `Failure`, `StoreStats`,
`FacetCount`, `DocumentMeta`, `Review`) composed, never re-declared."""

from __future__ import annotations

from pydantic import BaseModel, Field

from textmine.curation.models import Review, ReviewStatus
from textmine.export.documents import DocumentMeta
from textmine.records import Record
from textmine.store.base import FacetCount, StoreStats


class RecordsPage(BaseModel):
    """`textmine search --json` (total, records, facets) plus the cursor of the next page, the
    latest review of the records that have one, and the metadata of their documents."""

    total: int
    records: list[Record]
    facets: dict[str, list[FacetCount]] = Field(default_factory=dict)
    next: str | None = Field(default=None, description="pass as `cursor` for the next page; null on the last")
    reviews: dict[str, ReviewStatus] = Field(default_factory=dict, description="record_id -> latest review")
    documents: dict[str, DocumentMeta] = Field(default_factory=dict, description="doc_id -> metadata")


class Context(BaseModel):
    """The text around a record's sentence in its document."""

    before: str = ""
    sentence: str = ""
    after: str = ""
    section: str | None = None


class RecordDetail(BaseModel):
    record: Record = Field(description="the record as it stands: corrected if a reviewer edited it")
    extracted: Record | None = Field(default=None, description="as extracted (null if no longer extracted)")
    review: ReviewStatus | None = None
    history: list[Review] = Field(default_factory=list, description="every review, oldest first: the audit trail")
    document: DocumentMeta | None = None
    context: Context | None = None
    suspect: list[str] = Field(default_factory=list, description="why this record deserves a look")


class DocumentRecord(BaseModel):
    record: Record
    context: Context


class Alternate(BaseModel):
    """Another read of the same paper (another format), not stored: its records would repeat these."""

    doc_id: str
    source: str
    format: str
    reason: str = Field(description="the evidence that it is the same paper (docs/hostile.md)")


class DocumentDetail(BaseModel):
    document: DocumentMeta
    sections: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    records: list[DocumentRecord] = Field(default_factory=list)
    total_records: int = 0
    alternates: list[Alternate] = Field(default_factory=list, description="the same paper read from other files or formats")


class DocumentsPage(BaseModel):
    documents: list[DocumentMeta]
    next: str | None = None


class Consensus(BaseModel):
    """What the records of one material say about one property, in the property's unit."""

    property: str
    unit: str
    count: int
    median: float | None = None
    low: float | None = Field(default=None, description="lowest value reported")
    high: float | None = Field(default=None, description="highest value reported")
    documents: int = 0


class MaterialGroup(BaseModel):
    material_id: str
    names: list[str] = Field(description="how the papers write it")
    consensus: list[Consensus]
    records: list[Record]


class MaterialDetail(BaseModel):
    key: str = Field(description="the formula (or name) asked for")
    formula: str | None = None
    elements: list[str] = Field(default_factory=list)
    total: int
    materials: list[MaterialGroup]
    structures: list[dict] = Field(default_factory=list, description="crystal structures its records are linked to "
                                   "(`textmine link`) or of the same reduced formula: structure_id, space_group, "
                                   "space_group_number, crystal_system, source, source_id, records_best, best_score, reason")
    spectra: list[dict] = Field(default_factory=list, description="XRD patterns linked to those structures: spectrum_id, "
                                "structure_id, rank, score, reason")


class PropertyInfo(BaseModel):
    name: str
    default_unit: str
    si_unit: str
    range: tuple[float, float]
    cues: list[str]
    symbols: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list, description="units the range control offers")
    records: int = 0


class ValuePoint(BaseModel):
    value: float = Field(description="in the requested unit")
    year: int | None = None
    record_id: str
    formula: str | None = None


class PropertyValues(BaseModel):
    property: str
    unit: str
    total: int = Field(description="records matching the filters")
    points: list[ValuePoint] = Field(description="at most `sample` of them (ranges as their middle)")


class Stats(StoreStats):
    reviewed: int = Field(default=0, description="records with at least one review")


class Health(BaseModel):
    status: str
    store: str
    write: bool


class ExtractRequest(BaseModel):
    text: str = Field(min_length=1, description="plain text; paragraphs separated by blank lines")
    id: str = Field(default="api", max_length=200)
    pipeline: str = Field(default="rules", max_length=50)


class ExtractResponse(BaseModel):
    records: list[Record]
    failures: list[dict] = Field(default_factory=list)
    pipeline: str
    seconds: float


class QueueItem(BaseModel):
    record: Record
    reasons: list[str]
    document: DocumentMeta | None = None


__all__ = [
    "Alternate", "Consensus", "Context", "DocumentDetail", "DocumentRecord", "DocumentsPage", "ExtractRequest", "ExtractResponse",
    "Health", "MaterialDetail", "MaterialGroup", "PropertyInfo", "PropertyValues", "QueueItem", "RecordDetail",
    "RecordsPage", "Stats", "ValuePoint",
]
