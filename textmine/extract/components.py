"""The rules components that find spans: sentences, abbreviations, quantities, cues, materials,
and the `mentions` component that turns the span layers into the mentions a store keeps.

Each works sentence by sentence on the text the `sentences` layer points at and writes its layer
in document offsets. None of them looks at another component's code; the linker
(`textmine.extract.linker`) and `assemble` read what they wrote.
"""

from __future__ import annotations

import dataclasses
import re

from textmine.document import Document, Sentence
from textmine.extract.association import resolve_property
from textmine.extract.materials import (
    MaterialMention,
    acronym_definitions,
    find_abbreviations,
    find_material_mentions,
    sample_labels,
)
from textmine.extract.quantities import parse_quantities
from textmine.extract.views import View, sentence_view, text_view
from textmine.extraction import Extraction
from textmine.layers import (
    Abbreviation,
    CueSpan,
    MaterialSource,
    MaterialSpan,
    QuantitySpan,
    SentenceSpan,
)
from textmine.ontology import CueMatch, Ontology, load_ontology
from textmine.records import Mention

# Version of the rules (cues, quantities, materials, linking, assembly): records of the `rules`
# pipeline say `rules@RULES_VERSION`.
RULES_VERSION = "0.7.10"

# Title and abstract: the first paragraphs share one memory of the studied material.
OPENING_PARAGRAPHS = 3
# Run-on text (flattened tables, PDF debris) is cut into pieces of at most this many characters.
MAX_SENTENCE = 2000
# Abbreviations are looked for in the first characters of a document (title, abstract, intro).
ABBREVIATION_WINDOW = 20000
# Context words that resolve a shared symbol ('Tc') are counted in the first characters.
CONTEXT_WINDOW = 5000

_SIMPLE_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_NO_SPLIT_BEFORE = re.compile(r"(?:\b(?:Fig|Figs|Eq|Eqs|Ref|Refs|al|ca|approx|vs|No|e\.g|i\.e|etc|Tab|resp)\.)$")


def document_context(document: Document) -> str:
    return document.text[:CONTEXT_WINDOW]


def sentence_text(extraction: Extraction, index: int) -> tuple[str, int]:
    """The text of sentence `index` and its start offset."""
    sentence = extraction.layers.sentences[index]
    return extraction.document.text[sentence.start : sentence.end], sentence.start


# --- sentences -----------------------------------------------------------------------------------


def bounded(text: str, sentence: Sentence) -> list[Sentence]:
    """A sentence, or for run-on text pieces of at most ~MAX_SENTENCE chars cut at '; ' or
    spaces, so that the per-sentence rules stay fast."""
    if sentence.end - sentence.start <= MAX_SENTENCE:
        return [sentence]
    pieces, start = [], sentence.start
    while sentence.end - start > MAX_SENTENCE:
        window = text[start : start + MAX_SENTENCE]
        cut = max(window.rfind("; "), window.rfind(". "))
        if cut < MAX_SENTENCE // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut > 0 else MAX_SENTENCE
        pieces.append(Sentence(start=start, end=start + cut))
        start += cut
        while start < sentence.end and text[start] == " ":
            start += 1
    pieces.append(Sentence(start=start, end=sentence.end))
    return [p for p in pieces if p.end > p.start]


# 'etc.' ends a sentence when a sentence's first word follows it ('... LiCoO2, LiMnO2, etc. The battery has
# retained 77% ...'); the tokenizer keeps it whole, for the 'etc.,' and 'etc. and' inside sentences
_ETC_THEN_SENTENCE = re.compile(
    r"\betc\.\s+(?=(?:The|This|These|Those|It|Its|We|Our|In|A|An|However|Moreover|Furthermore|Such|Both|All|They|"
    r"Thus|Therefore|Here|Finally|For|As|At|By|With|Compared|Among|Also|Besides|Hence|Then|When|After|Under)\b)")


def _after_etc(text: str, sentence: Sentence) -> list[Sentence]:
    found = list(_ETC_THEN_SENTENCE.finditer(text, sentence.start, sentence.end))
    if not found:
        return [sentence]
    starts, ends = [sentence.start, *(m.end() for m in found)], [*(m.start() + 4 for m in found), sentence.end]
    return [Sentence(start=a, end=b) for a, b in zip(starts, ends) if text[a:b].strip()]


def fallback_sentences(document: Document, start: int, end: int) -> list[Sentence]:
    """Sentences of a paragraph the segmenter left empty: split at full stops before capitals."""
    sentences = []
    cursor = start
    text = document.text
    for m in _SIMPLE_SENTENCE_END.finditer(text, start, end):
        if _NO_SPLIT_BEFORE.search(text[max(start, m.start() - 8) : m.start()]):
            continue
        sentences.append(Sentence(start=cursor, end=m.start()))
        cursor = m.end()
    if cursor < end:
        sentences.append(Sentence(start=cursor, end=end))
    return sentences


class Sentences:
    """Segments the document (chemistry-aware spaCy tokenizer) and lists the sentences extraction
    works on, with their section, paragraph and whether they are in the opening (title/abstract)."""

    name, version = "sentences", RULES_VERSION
    reads: tuple[str, ...] = ("markup",)
    writes = "sentences"

    def __call__(self, extraction: Extraction) -> None:
        from textmine.nlp import segment

        document = segment(extraction.document)
        edits = extraction.layers.markup
        layer: list[SentenceSpan] = []
        for index, (section, paragraph) in enumerate(document.paragraphs()):
            sentences = paragraph.sentences or fallback_sentences(document, paragraph.start, paragraph.end)
            for piece in (part for s in sentences for whole in _after_etc(document.text, s)
                          for part in bounded(document.text, whole)):
                previous = layer[-1] if layer and layer[-1].paragraph == index else None
                if previous is not None and any(e.start < previous.end and e.end >= piece.start for e in edits):
                    # ('Ce0. 95Co0. 05O2': a break inside markup that mends the text is no sentence's end)
                    layer[-1] = previous.model_copy(update={"end": piece.end})
                    continue
                layer.append(SentenceSpan(start=piece.start, end=piece.end, section=section.title or section.kind,
                                          paragraph=index, opening=index < OPENING_PARAGRAPHS))
        extraction.layers.sentences = layer


# --- abbreviations -------------------------------------------------------------------------------


def material_span(mention: MaterialMention, view: View, sentence: int, source: MaterialSource | None = None) -> MaterialSpan:
    """A mention found in `view` as a layer span: document offsets and the text as written, the
    formula parsed from the plain text."""
    start, end = view.to_document(mention.start, mention.end)
    return MaterialSpan(
        start=start, end=end, text=view.raw(start, end), sentence=sentence,
        formula=mention.formula, elements=mention.elements, confidence=mention.confidence,
        source=source or MaterialSource(mention.source), is_dopant=mention.is_dopant, is_weak=mention.is_weak,
        is_code_name=mention.is_code_name, role=mention.role, is_descriptive=mention.is_descriptive,
    )


def material_mention(span: MaterialSpan, where: View | int) -> MaterialMention:
    """A layer span as the mention the rules work on: in a `View`'s coordinates and text, or relative
    to a sentence start (an int: the raw text)."""
    if isinstance(where, int):
        start, end, text = span.start - where, span.end - where, span.text
    else:
        start, end = where.to_view(span.start, span.end)
        text = where.text[start:end]
    return MaterialMention(start, end, text, span.formula, list(span.elements),
                           span.confidence, is_dopant=span.is_dopant, is_weak=span.is_weak,
                           is_code_name=span.is_code_name, source=span.source.value, role=span.role,
                           is_descriptive=span.is_descriptive)


class Abbreviations:
    """'BiFeO3 (BFO)', 'lanthanum strontium manganite (LSMO)': short forms the paper defines for materials."""

    name, version = "abbreviations", RULES_VERSION
    reads: tuple[str, ...] = ("markup",)
    writes = "abbreviations"

    def __call__(self, extraction: Extraction) -> None:
        view = text_view(extraction, 0, min(ABBREVIATION_WINDOW, len(extraction.document.text)))
        found = find_abbreviations(view.text)
        extraction.layers.abbreviations = [
            Abbreviation(short=short, material=material_span(mention, view, -1, MaterialSource.ABBREVIATION))
            for short, mention in found.items()
        ]


def defined_otherwise(extraction: Extraction, abbreviations: dict[str, MaterialMention]) -> set[str]:
    """Short forms the paper defines for something that is not a material ('electron transport layer (ETL)')."""
    view = text_view(extraction, 0, min(ABBREVIATION_WINDOW, len(extraction.document.text)))
    return acronym_definitions(view.text) - set(abbreviations)


def abbreviation_table(extraction: Extraction) -> dict[str, MaterialMention]:
    """Short form -> the material it stands for (formula and elements are what the rules use)."""
    return {a.short: MaterialMention(0, 0, a.material.text, a.material.formula, list(a.material.elements),
                                     a.material.confidence, source=a.material.source.value, role=a.material.role)
            for a in extraction.layers.abbreviations}


# --- quantities, cues, materials -----------------------------------------------------------------


class Quantities:
    """Values, ranges, lists and uncertainties with their units (textmine.extract.quantities)."""

    name, version = "quantities", RULES_VERSION
    reads = ("markup", "sentences")
    writes = "quantities"

    def __call__(self, extraction: Extraction) -> None:
        layer = []
        for index in range(len(extraction.layers.sentences)):
            view = sentence_view(extraction, index)
            for q in parse_quantities(view.text):
                start, end = view.to_document(q.start, q.end)
                layer.append(QuantitySpan(
                    start=start, end=end, text=view.raw(start, end), sentence=index, value=q.value,
                    value_min=q.value_min, value_max=q.value_max, uncertainty=q.uncertainty, unit=q.unit,
                    comparator=q.comparator, list_size=q.list_size, list_index=q.list_index,
                ))
        extraction.layers.quantities = layer


def cue_span(cue: CueMatch, view: View, sentence: int, confidence: float | None = None) -> CueSpan:
    """A cue found in `view` as a layer span (document offsets, the text as written)."""
    start, end = view.to_document(cue.start, cue.end)
    return CueSpan(start=start, end=end, text=view.raw(start, end), sentence=sentence,
                   properties=list(cue.properties), is_symbol=cue.is_symbol, confidence=confidence)


class Cues:
    """Property cues: the ontology's names and symbols (textmine/ontology/properties.yaml)."""

    name, version = "cues", RULES_VERSION
    reads = ("markup", "sentences")
    writes = "cues"

    def __init__(self, ontology: Ontology | None = None) -> None:
        self.ontology = ontology or load_ontology()

    def __call__(self, extraction: Extraction) -> None:
        layer = []
        context = document_context(extraction.document)
        for index in range(len(extraction.layers.sentences)):
            view = sentence_view(extraction, index)
            layer.extend(cue_span(c, view, index) for c in _in_company(self.ontology.find_cues(view.text, context)))
        extraction.layers.cues = layer


# a cue that names a narrower property among the cues it is given with: a solar cell's 'current density', said
# with its efficiency, open-circuit voltage or fill factor, is its short-circuit current density
_IN_COMPANY = {("current_density",): (("short_circuit_current_density",),
                                       frozenset({"power_conversion_efficiency", "open_circuit_voltage", "fill_factor"}))}


def _in_company(cues: list) -> list:
    named = {p for c in cues for p in c.properties}
    out = []
    for cue in cues:
        narrower = _IN_COMPANY.get(tuple(cue.properties))
        if narrower is not None and named & narrower[1]:
            cue = dataclasses.replace(cue, properties=narrower[0])
        out.append(cue)
    return out


_SUBSCRIPTED_SYMBOL = re.compile(r"[A-Z][a-z]?_\{?[A-Za-z]")


class RuleMaterials:
    """Material mentions by rules: formulas, known names, abbreviations the paper defines, and
    weak mentions (acronyms, class nouns); dopants and symbol definitions are marked."""

    name, version = "materials.rules", RULES_VERSION
    reads = ("markup", "sentences", "abbreviations")
    writes = "materials"

    def __call__(self, extraction: Extraction) -> None:
        abbreviations = abbreviation_table(extraction)
        otherwise = defined_otherwise(extraction, abbreviations)
        layer = []
        labels: set[str] = set()
        for index in range(len(extraction.layers.sentences)):
            view = sentence_view(extraction, index)
            mentions = find_material_mentions(view.text, abbreviations, otherwise, frozenset(labels))
            labels |= sample_labels(mentions)
            spans = (material_span(m, view, index) for m in mentions)
            # 'P_{CO2}', 'T_{C}' as written: a quantity's symbol with a subscript of letters, not a formula
            layer.extend(s for s in spans if not _SUBSCRIPTED_SYMBOL.match(s.text))
        extraction.layers.materials = layer


# --- mentions ------------------------------------------------------------------------------------


def kept_spans(cues: list, materials: list) -> tuple[list, list]:
    """Where a cue and a material overlap, the longer wins: 'α' inside 'α-Mn2O3' is no cue, and a
    property phrase is never a material. Works on any objects with `start`/`end`."""
    cues = [c for c in cues if not any(m.start <= c.start and c.end <= m.end and m.end - m.start > c.end - c.start
                                       for m in materials)]
    materials = [m for m in materials if not any(c.start < m.end and m.start < c.end for c in cues)]
    return cues, materials


class Mentions:
    """The entity mentions a store keeps: the NER model's spans when there are any, else the
    materials and property cues (with the property each cue resolves to) that linking used."""

    name, version = "mentions", RULES_VERSION
    reads = ("markup", "sentences", "entities", "cues", "materials")
    writes = "mentions"

    def __init__(self, ontology: Ontology | None = None) -> None:
        self.ontology = ontology or load_ontology()

    def __call__(self, extraction: Extraction) -> None:
        layers, doc_id = extraction.layers, extraction.doc_id
        if layers.entities:
            layers.mentions = [
                Mention(doc_id=doc_id, label=e.label, text=e.text, char_start=e.start, char_end=e.end,
                        confidence=e.confidence, extractor=e.source or extraction.provenance.extractor, normalised=None)
                for e in layers.entities
            ]
            return
        extractor = extraction.provenance.extractor
        context = document_context(extraction.document)
        cues_by, materials_by = by_sentence(layers.cues), by_sentence(layers.materials)
        mentions: list[Mention] = []
        for index in range(len(layers.sentences)):
            cues, materials = kept_spans([c for _, c in cues_by.get(index, [])], [m for _, m in materials_by.get(index, [])])
            text = sentence_view(extraction, index).text if cues else ""
            for m in materials:
                mentions.append(Mention(doc_id=doc_id, label="MAT", text=m.text, char_start=m.start, char_end=m.end,
                                        confidence=m.confidence, extractor=extractor, normalised=m.formula))
            for c in cues:
                cue = CueMatch(c.start, c.end, c.text, tuple(c.properties), c.is_symbol)
                resolved = resolve_property(cue, text, context, self.ontology)
                if not resolved:
                    continue  # a context cue outside its context names nothing
                mentions.append(Mention(doc_id=doc_id, label="PRO", text=c.text, char_start=c.start, char_end=c.end,
                                        confidence=0.9 if not c.is_symbol else 0.6, extractor=extractor,
                                        normalised=resolved[0].name))
        layers.mentions = mentions


def by_sentence(items: list) -> dict[int, list[tuple[int, object]]]:
    """(index in the layer, item) per sentence index, for a layer kept in document order."""
    grouped: dict[int, list[tuple[int, object]]] = {}
    for index, item in enumerate(items):
        grouped.setdefault(item.sentence, []).append((index, item))
    return grouped


__all__ = [
    "ABBREVIATION_WINDOW", "Abbreviations", "CONTEXT_WINDOW", "Cues", "MAX_SENTENCE", "Mentions", "OPENING_PARAGRAPHS",
    "Quantities", "RULES_VERSION", "RuleMaterials", "Sentences", "abbreviation_table", "bounded", "by_sentence", "cue_span",
    "defined_otherwise",
    "document_context", "fallback_sentences", "kept_spans", "material_mention", "material_span", "sentence_text",
]
