"""Exports with the reviews applied: edited records as corrected, rejected ones left out."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from textmine.curation.models import ReviewAction
from textmine.iterate import batched
from textmine.records import Record


def reviewed_records(records: Iterable[Record], reviews: Any | None, batch_size: int = 500) -> Iterator[Record]:
    """`records` as their reviewers left them (`reviews` is a `ReviewStore`, or None for none)."""
    if reviews is None:
        yield from records
        return
    for batch in batched(records, batch_size):
        latest = reviews.latest(r.record_id for r in batch)
        for record in batch:
            review = latest.get(record.record_id)
            if review is None:
                yield record
            elif review.action is not ReviewAction.REJECT and review.corrected is not None:
                yield review.corrected





def open_reviews_or_none(store: Any) -> Any | None:
    """The store's reviews, read-only, or None when it keeps none (yet)."""
    from textmine.store.reviews import CurationUnavailable, open_reviews

    try:
        return open_reviews(store, readonly=True)
    except CurationUnavailable:
        return None


def export_reviews(store: Any, output: str, fmt: str = "jsonl") -> int:
    """`textmine export --reviews`: the latest review of every reviewed record as training data."""
    import click

    from textmine.curation.training import training_lines

    if fmt != "jsonl":
        raise click.BadParameter("reviews are written as JSONL only", param_hint="--format")
    reviews = open_reviews_or_none(store)
    n = 0
    with open(output, "w", encoding="utf-8") as out:
        for line in training_lines(reviews.iter_latest() if reviews is not None else ()):
            out.write(line)
            n += 1
    return n
__all__ = ["export_reviews", "open_reviews_or_none", "reviewed_records"]
