"""The extractor interface: a segmented `Document` in, records and mentions out."""

from __future__ import annotations

from typing import Protocol

from textmine.document import Document
from textmine.records import Mention, Record
from textmine.registry import Registry


class Extractor(Protocol):
    name: str
    version: str

    def extract(self, document: Document) -> tuple[list[Record], list[Mention]]:
        """Records (with provenance and confidence) and entity mentions found in `document`.

        The document must already be segmented (`textmine.nlp.segment`): extractors work on its
        sentences and tokens and never re-tokenise.
        """
        ...


extractors: Registry[Extractor] = Registry("extractor")
