"""The record schema: the contract every later stage (stores, exporters, API, models) keeps.

One `Record` is one (material, property, value) statement found in one sentence, with its
provenance (document, sentence, char span), the extractor that produced it and a confidence.
`Record.model_json_schema()` is the published JSON schema.
"""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Version of the Record contract. 1: the first wave; 2: adds `schema_version` and `material_id`.
# Fields are only ever added, never renamed or given another meaning.
SCHEMA_VERSION = 2


class Material(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str = Field(description="the mention as written")
    formula: str | None = Field(default=None, description="normalised formula, e.g. 'La0.7Sr0.3MnO3'")
    elements: list[str] = Field(default_factory=list, description="sorted element symbols")
    char_start: int | None = Field(default=None, description="mention span in the document text")
    char_end: int | None = None


class Condition(BaseModel):
    model_config = ConfigDict(frozen=True)

    property: str = Field(description="e.g. temperature, pressure, doping")
    value: float | None = None
    unit: str | None = None
    text: str | None = None


class FailureStage(str, Enum):
    """Where a document was lost: a closed set, so reports can group and count by it."""

    READ = "read"
    SEGMENT = "segment"
    EXTRACT = "extract"
    STORE = "store"
    HARVEST = "harvest"

    def __str__(self) -> str:  # printed as the plain word in tables and messages
        return self.value


class Failure(BaseModel):
    """A document that could not be read or processed, and why."""

    source: str
    stage: FailureStage
    reason: str
    doc_id: str | None = None
    fingerprint: str | None = Field(
        default=None,
        description="size:mtime_ns of the file when it failed to read; `run` skips the file while it is unchanged "
        "(unless --retry-failed)",
    )


class Mention(BaseModel):
    """An entity span found by an extractor (materials, property names, ...)."""

    doc_id: str
    label: str = Field(description="MAT, PRO, ... (Matscholar types)")
    text: str
    char_start: int
    char_end: int
    confidence: float = Field(ge=0.0, le=1.0)
    extractor: str
    normalised: str | None = None


class Record(BaseModel):
    """One (material, property, value) statement. Frozen: a stage that changes a record makes a
    new one (`model_copy(update=...)`), so a record seen by a store is the record exported."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    record_id: str = ""
    material: Material
    property: str = Field(description="canonical snake_case name from the property ontology")
    value: float | None = Field(default=None, description="null for a reported range")
    value_min: float | None = None
    value_max: float | None = None
    uncertainty: float | None = None
    unit: str | None = Field(default=None, description="unit as normalised from the text, e.g. 'eV'")
    value_si: float | None = None
    value_min_si: float | None = Field(default=None, description="lower bound in SI (== value_si for a point)")
    value_max_si: float | None = Field(default=None, description="upper bound in SI (== value_si for a point)")
    unit_si: str | None = None
    conditions: list[Condition] = Field(default_factory=list)
    sentence: str = ""
    char_start: int = Field(description="start of the source sentence in the document text")
    char_end: int = Field(description="end of the source sentence in the document text")
    value_start: int | None = Field(default=None, description="span of the quantity in the document text")
    value_end: int | None = None
    section: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    extractor: str = Field(description="name@version of the pipeline, e.g. 'rules@0.7.8'")
    material_id: str = Field(default="", description="stable id of the material: normalised composition plus "
                             "phase/polymorph qualifiers (textmine.normalise.material_id)")
    schema_version: int = Field(default=SCHEMA_VERSION, description="version of this record contract")

    @model_validator(mode="after")
    def _fill_ids(self) -> "Record":
        # frozen: the derived ids are set once, here, while the record is being built
        if not self.record_id:
            object.__setattr__(self, "record_id", make_record_id(self))
        if not self.material_id:
            from textmine.normalise.material_id import material_id

            object.__setattr__(self, "material_id", material_id(self.material.formula, self.material.text))
        return self

    def flat(self) -> dict[str, Any]:
        """One flat row for CSV / Parquet / HF export."""
        row = self.model_dump(exclude={"material", "conditions"})
        row["material_text"] = self.material.text
        row["formula"] = self.material.formula
        row["elements"] = " ".join(self.material.elements)
        row["conditions"] = "; ".join(
            f"{c.property}={c.value if c.value is not None else c.text} {c.unit or ''}".strip() for c in self.conditions
        )
        return row


def make_record_id(record: Record) -> str:
    """Deterministic: the same statement re-extracted by the same extractor gets the same id."""
    key = "|".join(
        str(x)
        for x in (
            record.doc_id,
            record.char_start,
            record.material.char_start if record.material.char_start is not None else record.material.text,
            record.property,
            record.value_start if record.value_start is not None else (record.value, record.value_min, record.value_max),
            record.extractor.split("@")[0],
        )
    )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]
