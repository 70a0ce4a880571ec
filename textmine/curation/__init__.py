"""Curation: people accept, reject or correct extracted records; the corrections win.

- `models.py`: the `Review` contract (action, reviewer, timestamp, the record as extracted and as
  corrected); reviews are append-only, so every record's history is its audit trail.
- `edit.py`: applying a reviewer's edit to a record (units to SI, formula to elements), and why
  a record is suspect (the review queue shows suspect and low-confidence records first).
- `training.py`: reviews as training data for the NER and relation models (`textmine export --reviews`).

Reviews are stored apart from the extracted records (`textmine/store/reviews_*.py`), keyed by the
deterministic `record_id`: re-extracting a document replaces its records but never its reviews,
and the reviewed version is what search answers, pages and exports show.
"""

from textmine.curation.models import RecordEdit, Review, ReviewAction, ReviewStatus

__all__ = ["RecordEdit", "Review", "ReviewAction", "ReviewStatus"]
