"""Where reviews live: beside a store's records, never inside them.

`open_reviews(store)` gives the `ReviewStore` of a store: a `reviews` table in the same SQLite
file (`reviews_sqlite.py`) or a `{prefix}-reviews` index on the same Elasticsearch cluster
(`reviews_es.py`); a store plugin can provide its own through a `reviews(readonly=...)` method.
Reviews are appended, never changed, and keyed by the deterministic `record_id`, so re-running
extraction (which replaces a document's records) leaves them untouched and they apply again.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Protocol, runtime_checkable

from textmine.curation.edit import queue_order
from textmine.curation.models import Review
from textmine.records import Record

# Candidates fetched per kind (suspect, low confidence) for each queue slot asked for.
QUEUE_OVERFETCH = 2


class CurationUnavailable(RuntimeError):
    """The store has no place for reviews (a plugin store without `reviews()`)."""


@runtime_checkable
class ReviewStore(Protocol):
    def add(self, review: Review) -> None:
        """Append a review (visible to the next read)."""
        ...

    def history(self, record_id: str) -> list[Review]:
        """Every review of a record, oldest first: its audit trail."""
        ...

    def latest(self, record_ids: Iterable[str]) -> dict[str, Review]:
        """The latest review of each of these records that has one."""
        ...

    def iter_latest(self) -> Iterator[Review]:
        """The latest review of every reviewed record, by record_id."""
        ...

    def count(self) -> int:
        """How many records have been reviewed."""
        ...

    def get_record(self, record_id: str) -> Record | None:
        """The stored (extracted) record with this id."""
        ...

    def candidates(self, limit: int) -> tuple[list[Record], list[Record]]:
        """Unreviewed records for the queue: (suspect ones, lowest-confidence ones), each at most
        `limit`, lowest confidence first."""
        ...

    def close(self) -> None: ...


def open_reviews(store: Any, *, readonly: bool = False) -> ReviewStore:
    own = getattr(store, "reviews", None)
    if callable(own):
        return own(readonly=readonly)
    from textmine.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from textmine.store.reviews_sqlite import SQLiteReviews

        return SQLiteReviews(store.path, readonly=readonly)
    try:
        from textmine.store.elasticsearch import ElasticsearchStore
    except ImportError:  # no es extra: it cannot be an Elasticsearch store either
        ElasticsearchStore = None  # type: ignore[assignment,misc]
    if ElasticsearchStore is not None and isinstance(store, ElasticsearchStore):
        from textmine.store.reviews_es import ElasticsearchReviews

        return ElasticsearchReviews(store.url, prefix=store.prefix, readonly=readonly)
    raise CurationUnavailable(f"{type(store).__name__} keeps no reviews: give it a `reviews(readonly=...)` method")


def review_queue(reviews: ReviewStore, limit: int) -> list[tuple[Record, list[str]]]:
    """Records to review next: suspect ones (implausible value, no formula, no unit) first, then the
    least confident; each with the reasons it is suspect."""
    suspect, low = reviews.candidates(max(limit, 1) * QUEUE_OVERFETCH)
    seen: dict[str, Record] = {}
    for record in [*suspect, *low]:
        seen.setdefault(record.record_id, record)
    return queue_order(seen.values())[:limit]


def reviewed(record: Record, review: Review | None) -> Record:
    """What a record is after its latest review: corrected when edited, as extracted otherwise
    (a rejected record keeps its values; its status says it was rejected)."""
    if review is not None and review.corrected is not None:
        return review.corrected
    return record


__all__ = ["CurationUnavailable", "ReviewStore", "open_reviews", "review_queue", "reviewed"]
