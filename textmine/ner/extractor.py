"""The `ner` extractor: records assembled from the transformer's MAT and PRO spans.

Record assembly (property cues from the ontology, quantities, linking a value to its material,
conditions) is the rules extractor's; what changes:

- materials come from the MAT spans the model tags, each with its confidence. A rules mention that
  the model also tags keeps its parsed formula (dopants, variables) and takes the model's
  confidence; a span only the model finds becomes a mention of its own; a rules mention the model
  does not tag is dropped;
- property cues are weighed by the PRO spans: a cue inside a PRO span carries that span's
  confidence; a cue the model does not tag as a property keeps `UNTAGGED_CUE` (symbols such as
  `Eg` or `T_C` are often untagged in the training corpus), or is dropped with `require_pro=True`;
- a record's confidence is the rules' linking confidence times the material's and the property's
  model confidences.

Records say `ner@<model version>+rules.<rules version>`, and the document's mentions are the model's
(all seven Matscholar types). `--extractor rules` stays available as the fallback.
"""

from __future__ import annotations

from textmine.document import Document, Sentence
from textmine.extract.base import extractors
from textmine.extract.materials import MaterialMention, find_material_mentions
from textmine.extract.rules import RULES_VERSION, RulesExtractor, _Assignment
from textmine.ontology import CueMatch
from textmine.ner.tagger import VERSION, load_tagger
from textmine.normalise.formula import FormulaError, parse_formula
from textmine.records import Mention, Record


class NerExtractor(RulesExtractor):
    name = "ner"
    version = f"{VERSION}+rules.{RULES_VERSION}"

    UNTAGGED_CUE = 0.7

    def __init__(self, model: str = "fast", min_confidence: float = 0.0, require_pro: bool = False) -> None:
        super().__init__(min_confidence=min_confidence)
        self.model = model
        self.require_pro = require_pro
        self.tagger = load_tagger(model)
        if self.tagger.meta.get("name", "fast") != "fast":  # records say which model found their spans
            self.version = f"{VERSION}+{self.tagger.meta['name']}+rules.{RULES_VERSION}"
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

    def _spans_in(self, sentence: Sentence, label: str) -> list[tuple[int, int, float]]:
        offset = sentence.start
        return [(m.char_start - offset, m.char_end - offset, m.confidence) for m in self._spans
                if m.label == label and m.char_start >= offset and m.char_end <= sentence.end]

    def cue_confidence(self, sentence: Sentence, cue: CueMatch) -> float | None:
        """The model's confidence that a (sentence-relative) cue is a property: the best PRO span over
        it, or None where no PRO span overlaps it."""
        overlapping = [c for a, b, c in self._spans_in(sentence, "PRO") if a < cue.end and cue.start < b]
        return max(overlapping) if overlapping else None

    def find_cues(self, document: Document, sentence: Sentence, text: str) -> list[CueMatch]:
        cues = super().find_cues(document, sentence, text)
        if not self.require_pro:
            return cues
        return [cue for cue in cues if self.cue_confidence(sentence, cue) is not None]

    def _record(self, document: Document, section_title: str, sentence: Sentence, text: str, assignment: _Assignment,
                material: MaterialMention, material_offset: int, pattern_score: float, conditions: list) -> Record | None:
        record = super()._record(document, section_title, sentence, text, assignment, material, material_offset,
                                 pattern_score, conditions)
        if record is None:
            return None
        cue = self.cue_confidence(sentence, assignment.cue)
        cue = self.UNTAGGED_CUE if cue is None else cue
        material_confidence = min(1.0, max(0.0, material.confidence))
        return record.model_copy(update={"confidence": round(max(0.01, min(0.99, record.confidence * material_confidence * cue)), 3)})

    def find_materials(
        self, document: Document, sentence: Sentence, text: str, abbreviations: dict[str, MaterialMention]
    ) -> list[MaterialMention]:
        spans = self._spans_in(sentence, "MAT")
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
def make_ner_extractor(model: str = "fast", min_confidence: float = 0.0, require_pro: bool = False) -> NerExtractor:
    return NerExtractor(model=model, min_confidence=min_confidence, require_pro=require_pro)
