"""A link: one ranked candidate structure for a record's material or for a measured pattern."""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LinkKind = Literal["record", "spectrum"]
LinkMethod = Literal["formula", "parent", "polymorph", "pattern"]


class Link(BaseModel):
    """`subject_id` (a record id or a spectrum id) -> `structure_id`, ranked by `score` in [0, 1].

    `reason` says in words why this structure was chosen ("exact reduced formula TiO2; 'anatase'
    in the sentence selects I4_1/amd"); `details` holds the numbers behind it (substitution
    distance, matched peaks)."""

    model_config = ConfigDict(frozen=True)

    link_id: str = ""
    kind: LinkKind
    subject_id: str
    doc_id: str | None = None
    material_id: str | None = None
    structure_id: str
    rank: int = Field(ge=1)
    score: float = Field(ge=0.0, le=1.0)
    method: LinkMethod
    reason: str
    # denormalised from the structure, so record searches by space group need no join
    reduced_formula: str = ""
    space_group: str | None = None
    space_group_number: int | None = None
    crystal_system: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        if not self.link_id:
            key = f"{self.kind}|{self.subject_id}|{self.structure_id}"
            object.__setattr__(self, "link_id", hashlib.sha1(key.encode()).hexdigest()[:20])


class LinkQuery(BaseModel):
    """Links by any of these (AND-ed); ordered by subject_id, then rank."""

    kind: LinkKind | None = None
    subject_id: str | None = None
    subject_ids: list[str] = Field(default_factory=list)
    doc_id: str | None = None
    material_id: str | None = None
    structure_id: str | None = None
    method: LinkMethod | None = None
    max_rank: int | None = Field(default=None, ge=1)
    min_score: float | None = None
    limit: int = Field(default=100, ge=0, le=10_000)
    offset: int = Field(default=0, ge=0)


__all__ = ["Link", "LinkQuery", "LinkKind", "LinkMethod"]
