"""Pipeline components of the transformer NER model (the `ner` pipeline):

- `entities.ner` tags every sentence with the model (all seven Matscholar types) -> `entities`;
- `materials.ner`: materials are the model's MAT spans. A rules mention the model also tags
  keeps its parsed formula (dopants, variables) and takes the model's confidence; a span only
  the model finds becomes a mention of its own; a rules mention the model does not tag is
  dropped -> `materials`;
- `cues.ner`: the ontology's property cues, each with the confidence of the PRO span over it (or
  none: symbols such as `Eg` are often untagged in the training corpus); with `require_pro`,
  untagged cues are dropped -> `cues`.

The rules linker and `assemble` then work on these layers as on the rules' own.
"""

from __future__ import annotations

import bisect

from textmine.extract.components import abbreviation_table, cue_span, defined_otherwise, document_context, material_span
from textmine.extract.materials import MaterialMention, find_material_mentions, not_a_material_token
from textmine.extract.views import View, sentence_view
from textmine.extraction import Extraction
from textmine.layers import EntitySpan, MaterialSource, MaterialSpan
from textmine.ner.tagger import VERSION, load_tagger
from textmine.normalise.formula import FormulaError, parse_formula
from textmine.ontology import Ontology, load_ontology


class NerEntities:
    """Transformer NER spans of the seven Matscholar types over the segmented sentences."""

    reads = ("sentences",)
    writes = "entities"
    name = "entities.ner"

    def __init__(self, model: str = "fast") -> None:
        self.model = model
        self.tagger = load_tagger(model)
        model_name = self.tagger.meta.get("name", "fast")
        # records say which model found their spans: 'ner@0.1.0+accurate+rules.0.7.0'
        self.version = VERSION if model_name == "fast" else f"{VERSION}+{model_name}"

    def models(self) -> dict[str, str]:
        meta = self.tagger.meta
        return {f"ner.{meta.get('name', self.model)}": str(meta.get("onnx_sha256", ""))[:16]}

    def __getstate__(self) -> dict:
        # an onnxruntime session does not pickle: worker processes load the model themselves
        return {**self.__dict__, "tagger": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.tagger = load_tagger(self.model)

    def __call__(self, extraction: Extraction) -> None:
        self.pipe([extraction])

    def pipe(self, extractions: list[Extraction]) -> None:
        """All documents' sentences go through the model together (batched by length)."""
        for extraction, mentions in zip(extractions, self.tagger.mentions_many([e.document for e in extractions])):
            self._fill(extraction, mentions)

    @staticmethod
    def _fill(extraction: Extraction, mentions: list) -> None:
        starts = [s.start for s in extraction.layers.sentences]
        ends = [s.end for s in extraction.layers.sentences]
        layer = []
        for mention in mentions:
            index = bisect.bisect_right(starts, mention.char_start) - 1
            inside = index >= 0 and mention.char_end <= ends[index]
            layer.append(EntitySpan(start=mention.char_start, end=mention.char_end, text=mention.text,
                                    sentence=index if inside else -1, label=mention.label,
                                    confidence=mention.confidence, source=mention.extractor))
        extraction.layers.entities = layer


def _spans_by_sentence(extraction: Extraction, label: str) -> dict[int, list[tuple[int, int, float]]]:
    """Entity spans of `label` per sentence index, in document offsets (start, end, confidence)."""
    grouped: dict[int, list[tuple[int, int, float]]] = {}
    for e in extraction.layers.entities:
        if e.label == label and e.sentence >= 0:
            grouped.setdefault(e.sentence, []).append((e.start, e.end, e.confidence))
    return grouped


def _in_view(spans: list[tuple[int, int, float]], view: View) -> list[tuple[int, int, float]]:
    """Document spans as spans of the sentence's plain-text view."""
    return [(*view.to_view(a, b), c) for a, b, c in spans]


class NerMaterials:
    """Material mentions from the model's MAT spans (formulas parsed by the rules where they agree)."""

    name, version = "materials.ner", VERSION
    reads = ("markup", "sentences", "entities", "abbreviations")
    writes = "materials"

    def __call__(self, extraction: Extraction) -> None:
        abbreviations = abbreviation_table(extraction)
        otherwise = defined_otherwise(extraction, abbreviations)
        layer: list[MaterialSpan] = []
        mat = _spans_by_sentence(extraction, "MAT")
        for index in sorted(mat):
            view = sentence_view(extraction, index)
            for m in sentence_materials(view.text, _in_view(mat[index], view), abbreviations, otherwise):
                source = MaterialSource.ABBREVIATION if m.source == "abbreviation" else MaterialSource.NER
                layer.append(material_span(m, view, index, source))
        extraction.layers.materials = layer


def sentence_materials(text: str, spans: list[tuple[int, int, float]], abbreviations: dict[str, MaterialMention],
                       defined_otherwise: set[str] | frozenset[str] = frozenset()) -> list[MaterialMention]:
    """Rules mentions the model confirms (with its confidence), then spans only the model found
    (not units, symbols, Greek letters or method acronyms it tagged by mistake)."""
    materials: list[MaterialMention] = []
    for mention in find_material_mentions(text, abbreviations, defined_otherwise):
        overlapping = [c for a, b, c in spans if a < mention.end and mention.start < b]
        if overlapping:
            mention.confidence = max(overlapping)
            if mention.role == "acronym":
                mention.role = ""  # the model tags it MAT: a material
            materials.append(mention)
    for start, end, confidence in spans:
        if any(m.start < end and start < m.end for m in materials):
            continue
        span_text = text[start:end]
        if not_a_material_token(span_text) or span_text in defined_otherwise:
            continue
        try:
            parsed = parse_formula(span_text)
            formula, elements = parsed.formula, parsed.elements
        except (FormulaError, ValueError):
            formula, elements = None, []
        materials.append(MaterialMention(start=start, end=end, text=span_text, formula=formula, elements=elements,
                                         confidence=confidence, is_weak=formula is None, source="ner"))
    return sorted(materials, key=lambda m: m.start)


class NerCues:
    """Property cues from the ontology, each carrying the model's confidence that it is a property."""

    name, version = "cues.ner", VERSION
    reads = ("markup", "sentences", "entities")
    writes = "cues"

    def __init__(self, require_pro: bool = False, ontology: Ontology | None = None) -> None:
        self.require_pro = require_pro
        self.ontology = ontology or load_ontology()

    def __call__(self, extraction: Extraction) -> None:
        layer = []
        pro_spans = _spans_by_sentence(extraction, "PRO")
        context = document_context(extraction.document)
        for index in range(len(extraction.layers.sentences)):
            view = sentence_view(extraction, index)
            pro = _in_view(pro_spans.get(index, []), view)
            for cue in self.ontology.find_cues(view.text, context):
                overlapping = [c for a, b, c in pro if a < cue.end and cue.start < b]
                confidence = max(overlapping) if overlapping else None
                if confidence is None and self.require_pro:
                    continue
                layer.append(cue_span(cue, view, index, confidence))
        extraction.layers.cues = layer


__all__ = ["NerCues", "NerEntities", "NerMaterials", "sentence_materials"]
