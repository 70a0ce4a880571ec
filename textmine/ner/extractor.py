"""The `ner` extractor: records assembled from the transformer's MAT spans.

Record assembly (property cues from the ontology, quantities, linking a value to its material,
conditions, confidence) is the rules extractor's; what changes is where materials come from: the
MAT spans the model tags, each with its confidence. A rules mention that the model also tags keeps
its parsed formula (dopants, variables) and takes the model's confidence; a span only the model
finds becomes a mention of its own; a rules mention the model does not tag is dropped. Records say
`ner@<model version>+rules.<rules version>`, and the document's mentions are the model's (all seven
Matscholar types). `--extractor rules` stays available as the fallback.
"""

from __future__ import annotations

from textmine.document import Document, Sentence
from textmine.extract.base import extractors
from textmine.extract.materials import MaterialMention, find_material_mentions
from textmine.extract.rules import RULES_VERSION, RulesExtractor
from textmine.ner.tagger import VERSION, load_tagger
from textmine.normalise.formula import FormulaError, parse_formula
from textmine.records import Mention, Record


class NerExtractor(RulesExtractor):
    name = "ner"
    version = f"{VERSION}+rules.{RULES_VERSION}"

    def __init__(self, model: str = "fast", min_confidence: float = 0.0) -> None:
        super().__init__(min_confidence=min_confidence)
        self.model = model
        self.tagger = load_tagger(model)
        self._spans: list[Mention] = []

    def __getstate__(self) -> dict:
        # An onnxruntime session does not pickle: worker processes load the model themselves.
        state = self.__dict__.copy()
        state["tagger"] = None
        state["_spans"] = []
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.tagger = load_tagger(self.model)

    def extract(self, document: Document) -> tuple[list[Record], list[Mention]]:
        self._spans = self.tagger.mentions(document)
        try:
            records, _ = super().extract(document)
        finally:
            spans, self._spans = self._spans, []
        return records, spans

    def find_materials(
        self, document: Document, sentence: Sentence, text: str, abbreviations: dict[str, MaterialMention]
    ) -> list[MaterialMention]:
        offset = sentence.start
        spans = [(m.char_start - offset, m.char_end - offset, m.confidence) for m in self._spans
                 if m.label == "MAT" and m.char_start >= offset and m.char_end <= sentence.end]
        if not spans:
            return []
        materials: list[MaterialMention] = []
        for mention in find_material_mentions(text, abbreviations):
            overlapping = [c for a, b, c in spans if a < mention.end and mention.start < b]
            if overlapping:
                mention.confidence = max(overlapping)
                materials.append(mention)
        for start, end, confidence in spans:
            if any(m.start < end and start < m.end for m in materials):
                continue
            span_text = text[start:end]
            try:
                parsed = parse_formula(span_text)
                formula, elements = parsed.formula, parsed.elements
            except (FormulaError, ValueError):
                formula, elements = None, []
            materials.append(MaterialMention(start=start, end=end, text=span_text, formula=formula, elements=elements,
                                             confidence=confidence, is_weak=formula is None))
        return sorted(materials, key=lambda m: m.start)


@extractors.register("ner")
def make_ner_extractor(model: str = "fast", min_confidence: float = 0.0) -> NerExtractor:
    return NerExtractor(model=model, min_confidence=min_confidence)
