"""The reader interface: bytes of one file in, `Document`s out (a USPTO bulk file holds many)."""

from __future__ import annotations

from typing import Iterator, Protocol

from textmine.document import Document
from textmine import registry
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
