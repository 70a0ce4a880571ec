"""Small iteration helpers shared by the streaming paths (bounded batches, never a whole corpus)."""

from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of at most `size` items, in order (itertools.batched, which Python 3.11 lacks)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


__all__ = ["batched"]
