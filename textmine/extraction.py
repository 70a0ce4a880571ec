"""The contract between extraction and everything after it: `Extraction` and `Provenance`.

An `Extraction` is one document's result: the document, its annotation layers, its records, the
failures met on the way and the provenance of the pipeline that made it. It is what a pipeline
returns, what a store writes (`Store.put_many`), and what a distributed worker sends to a
writer, serialised with `model_dump_json()` and read back with `Extraction.model_validate_json`.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field

from textmine.document import Document
from textmine.layers import Layers
from textmine.records import Failure, Mention, Record


class Provenance(BaseModel):
    """What made a record: the pipeline and the versions of everything that shapes its output.

    Two runs with equal provenance produce equal records from equal input; a stored document
    whose provenance `key` differs from the current pipeline's is stale and `run` re-extracts it.
    """

    model_config = ConfigDict(frozen=True)

    pipeline: str = Field(description="pipeline name, e.g. 'rules', 'ner', or a config file's name")
    version: str = Field(description="pipeline version; records carry '<pipeline>@<version>' as their extractor")
    components: dict[str, str] = Field(default_factory=dict, description="component name -> version, in order")
    ontology: str = Field(default="", description="version of the property ontology")
    models: dict[str, str] = Field(default_factory=dict, description="model name -> content hash")

    @property
    def extractor(self) -> str:
        return f"{self.pipeline}@{self.version}"

    @property
    def key(self) -> str:
        """A short hash of everything above: what `Store.known` compares."""
        data = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return f"{self.extractor}#{hashlib.sha1(data.encode('utf-8')).hexdigest()[:12]}"


class Extraction(BaseModel):
    """One document, extracted."""

    doc_id: str
    document: Document
    layers: Layers = Field(default_factory=Layers)
    records: list[Record] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    provenance: Provenance

    @property
    def ok(self) -> bool:
        """False once a stage failed on this document (its failures say why)."""
        return not self.failures

    @property
    def mentions(self) -> list[Mention]:
        return self.layers.mentions

    @classmethod
    def of(cls, document: Document, provenance: Provenance) -> "Extraction":
        return cls(doc_id=document.id, document=document, provenance=provenance)


__all__ = ["Extraction", "Provenance"]
