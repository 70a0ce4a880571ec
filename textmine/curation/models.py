"""The review contract: who decided what about which record, when, and what the record was."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from textmine.records import Record


class ReviewAction(str, Enum):
    ACCEPT = "accept"
    REJECT = "reject"
    EDIT = "edit"

    def __str__(self) -> str:
        return self.value


class RecordEdit(BaseModel):
    """The fields a reviewer may correct; unset fields keep the extracted value. A value is a
    point (`value`) or a range (`value_min`, `value_max`), in `unit` (any unit of the property)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    material: str | None = Field(default=None, min_length=1, max_length=300, description="material as it should read")
    formula: str | None = Field(default=None, min_length=1, max_length=200, description="normalised formula; "
                                "parsed from `material` when not given")
    property: str | None = Field(default=None, min_length=1, max_length=100, description="property name or synonym")
    value: float | None = Field(default=None, allow_inf_nan=False)
    value_min: float | None = Field(default=None, allow_inf_nan=False)
    value_max: float | None = Field(default=None, allow_inf_nan=False)
    unit: str | None = Field(default=None, max_length=50)

    def is_empty(self) -> bool:
        return not self.model_dump(exclude_none=True)


class ReviewRequest(BaseModel):
    """What a reviewer sends: `POST /v1/records/{record_id}/reviews`."""

    model_config = ConfigDict(extra="forbid")

    action: ReviewAction
    reviewer: str = Field(min_length=1, max_length=100, description="who reviewed it (name or handle)")
    comment: str = Field(default="", max_length=2000)
    edit: RecordEdit | None = Field(default=None, description="required for `edit`, refused otherwise")

    @field_validator("reviewer")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("reviewer must not be blank")
        return value


class Review(BaseModel):
    """One decision about one record. `original` is the record as extracted when it was reviewed;
    `corrected` is what it is now (the original for accept, the edited record for edit, None for
    reject). Reviews are never changed or deleted: a later review of the same record supersedes."""

    model_config = ConfigDict(frozen=True)

    review_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    record_id: str
    doc_id: str
    action: ReviewAction
    reviewer: str
    reviewed_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    comment: str = ""
    edit: RecordEdit | None = None
    original: Record
    corrected: Record | None = None


class ReviewStatus(BaseModel):
    """A record's latest review, as search answers report it next to the record."""

    action: ReviewAction
    reviewer: str
    reviewed_at: dt.datetime
    review_id: str

    @classmethod
    def of(cls, review: Review) -> "ReviewStatus":
        return cls(action=review.action, reviewer=review.reviewer, reviewed_at=review.reviewed_at, review_id=review.review_id)


__all__ = ["RecordEdit", "Review", "ReviewAction", "ReviewRequest", "ReviewStatus"]
