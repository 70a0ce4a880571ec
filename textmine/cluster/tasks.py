"""What travels between the client and a worker: a `ShardTask` out, a `ShardResult` back.

Both are pydantic models (pickled by Dask as plain objects). A worker builds the extraction
pipeline from `PipelineSpec` (the config itself, not a file name a remote node may not have) and
checks that its provenance key is the client's: a worker with another textmine, ontology or model
would otherwise write records that differ from the rest of the job.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from textmine.records import Failure
from textmine.store.jobs import InputRef


class PipelineSpec(BaseModel):
    config: dict[str, Any] = Field(description="a PipelineConfig, as data")
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)

    def build(self) -> Any:
        from textmine.extract.pipeline import ExtractionPipeline, PipelineConfig

        return ExtractionPipeline(PipelineConfig(**self.config), self.overrides)

    @classmethod
    def of(cls, pipeline: str, overrides: dict[str, dict[str, Any]] | None = None) -> "PipelineSpec":
        from textmine.extract.pipeline import pipeline_config

        return cls(config=pipeline_config(pipeline).model_dump(mode="json"), overrides=overrides or {})


class ShardTask(BaseModel):
    job_id: str
    shard: int
    attempt: int
    token: str = Field(default="", description="this submission's Dask key: marks a careful attempt's reports as its own")
    inputs: list[InputRef]
    pipeline: PipelineSpec
    provenance: str = Field(description="the client's provenance key; the worker refuses to run another")
    write_to: str | None = Field(default=None, description="store URL the worker writes to itself (direct mode)")
    check_known: str | None = Field(default=None, description="store URL the worker reads to skip unchanged documents")
    reprocess: bool = False
    max_bytes: int | None = None
    careful: bool = Field(default=False, description="one document at a time, reporting which, so a poison one is found")
    exclude: list[str] = Field(default_factory=list, description="quarantined doc ids and sources to leave out")


class QuarantineNote(BaseModel):
    doc: str
    source: str
    reason: str


class ShardResult(BaseModel):
    job_id: str
    shard: int
    attempt: int
    worker: str = ""
    started: float = 0.0   # worker clock, epoch seconds
    finished: float = 0.0
    input_hashes: dict[str, str] = Field(default_factory=dict)
    documents: int = 0      # written (direct) or returned (writer), each document once
    skipped: int = 0        # stored unchanged by the same pipeline
    records: int = 0
    stored: dict[str, int] = Field(default_factory=dict, description="records per document id written or returned "
                                   "(a document read twice in the shard counts once, its last version)")
    failures: list[Failure] = Field(default_factory=list)
    quarantined: list[QuarantineNote] = Field(default_factory=list)
    extractions: list[str] = Field(default_factory=list, description="Extraction JSON, for the writer (writer mode)")
    checked_known: bool = False

    @property
    def seconds(self) -> float:
        return max(0.0, self.finished - self.started)


def progress_key(job_id: str, shard: int) -> list[str]:
    """Where a careful attempt tells the scheduler which document it is on (Dask metadata)."""
    return ["textmine", job_id, str(shard)]


__all__ = ["PipelineSpec", "QuarantineNote", "ShardResult", "ShardTask", "progress_key"]
