"""The reader interface: bytes of one file in, `Document`s out (a USPTO bulk file holds many)."""

from __future__ import annotations

from typing import Iterable, Iterator, Protocol

from textmine.document import Document
from textmine import registry
from textmine.records import Failure
from textmine.registry import Registry


class ReaderError(ValueError):
    """The input cannot be read as this format; the message is the reason stored in `failures`."""


class Reader(Protocol):
    name: str

    def sniff(self, head: bytes, filename: str) -> float:
        """Confidence in [0, 1] that this reader handles a file starting with `head` (first 64 KiB)."""
        ...

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        """Parse the whole file; raise ReaderError with a clear reason when it cannot."""
        ...


readers: Registry[Reader] = registry.readers  # the one registry (entry-point group textmine.readers)


def documents_or_raise(items: Iterable[Document | Failure], what: str = "document(s)") -> Iterator[Document]:
    """The documents of a multi-document reader's `read_all`, then a ReaderError listing the parts
    that failed (for `read`, the strict API): the good documents are never held back."""
    failures: list[Failure] = []
    for item in items:
        if isinstance(item, Failure):
            failures.append(item)
        else:
            yield item
    if failures:
        listed = "; ".join(f"{f.source}: {f.reason}" for f in failures[:5])
        more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
        raise ReaderError(f"{len(failures)} {what} could not be read: {listed}{more}")
