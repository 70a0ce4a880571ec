"""Full text from TDM and open-access APIs goes through the project's own readers (JATS,
Elsevier XML, USPTO, EPO), found by name or, failing that, by format detection."""

from __future__ import annotations

import importlib
from typing import Iterator, Sequence

from textmine.document import Document
from textmine.readers.base import Reader, ReaderError, readers

_METADATA_READERS = {"arxiv-atom", "oai-pmh", "crossref-json", "semantic-scholar-json", "europepmc-json"}


def _get(name: str) -> Reader:
    """The cached reader instance (importing `textmine.readers` registers every reader)."""
    return importlib.import_module("textmine.readers").get_reader(name)


def pick_reader(data: bytes, filename: str, prefer: Sequence[str] = ()) -> Reader:
    """The preferred reader that accepts the payload, else the registered reader most confident
    about it; never one of the API-metadata readers, whose formats are not full text."""
    head = data[:65536]
    best: tuple[float, Reader] | None = None
    names = [n for n in readers.names() if n not in _METADATA_READERS]
    for name in [*prefer, *names]:
        if name not in readers:
            continue
        reader = _get(name)
        score = reader.sniff(head, filename)
        if name in prefer and score >= 0.5:
            return reader
        if best is None or score > best[0]:
            best = (score, reader)
    if best is None or best[0] < 0.3:
        raise ReaderError(
            f"no reader recognises {filename or 'this payload'} "
            f"(wanted {' or '.join(prefer) or 'any'}; registered: {', '.join(readers.names()) or 'none'})"
        )
    return best[1]


def read_fulltext(data: bytes, source: str, *, filename: str = "", prefer: Sequence[str] = ()) -> Iterator[Document]:
    reader = pick_reader(data, filename or source, prefer)
    yield from reader.read(data, source)
