"""The `ner` extractor: transformer entity mentions over a segmented document.

Registered as `ner` in `textmine.extract.base.extractors`. It returns mentions only; turning MAT
and PRO mentions into records is record assembly's job (`--extractor ner`).
"""

from __future__ import annotations

from textmine.document import Document
from textmine.extract.base import extractors
from textmine.ner.tagger import VERSION, load_tagger
from textmine.records import Mention, Record


class NerExtractor:
    name = "ner"
    version = VERSION

    def __init__(self, model: str = "fast", labels: list[str] | None = None) -> None:
        self.model = model
        self.labels = labels
        self.tagger = load_tagger(model)

    def extract(self, document: Document) -> tuple[list[Record], list[Mention]]:
        return [], self.tagger.mentions(document, labels=self.labels)


@extractors.register("ner")
def make_ner_extractor(model: str = "fast", labels: list[str] | None = None) -> NerExtractor:
    return NerExtractor(model=model, labels=labels)
