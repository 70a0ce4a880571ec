"""Annotation layers: what pipeline components find in a document, as typed lists of char spans.

A document being extracted carries one `Layers` object. Each component reads some layers and
writes one (`textmine.extract.component`), so the NER model, the rules and the relation model
share their results through the layers rather than through each other's code:

    markup         MarkupEdit      TeX markup as edits to plain text ('MoS_2' -> 'MoS2', '300~K' -> '300 K')
    sentences      SentenceSpan    the sentences extraction works on (section, paragraph, opening)
    abbreviations  Abbreviation    'La2Ti2O7 (LTO)': a short form the paper defines for a material
    quantities     QuantitySpan    numbers, ranges, uncertainties with their units
    entities       EntitySpan      NER spans of the seven Matscholar types (MAT, PRO, SPL, ...)
    cues           CueSpan         property cues (ontology names and symbols), with a model score
    materials      MaterialSpan    material mentions, with where they came from (rules, ner, ...)
    relations      Relation        value->property, value->material, condition->value, scored
    mentions       Mention         the entity mentions a store keeps for the document

Every span is in document character offsets (`Document.text[start:end] == text`); `sentence` is
an index into `sentences`. Spans are found in the sentence with its `markup` edits applied
(textmine.extract.views) but point at the text as written: `MoS_2`, with the formula `MoS2`. Relations point at items by index into their layers. Layers are plain
pydantic models, so an `Extraction` (textmine.extraction) serialises to JSON and back: a document
can be extracted on one machine and stored on another.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

from textmine.records import Mention


class Span(BaseModel):
    start: int
    end: int
    text: str
    sentence: int = Field(default=-1, description="index into the sentences layer (-1: not in a sentence)")


class MarkupEdit(BaseModel):
    """`Document.text[start:end]` reads as `replacement` in plain text (textmine.normalise.markup)."""

    start: int
    end: int
    replacement: str
    bracket: int = Field(default=0, description="+1 opening markup ('$', '\\mathrm{'), -1 closing; spans take it in")


class SentenceSpan(BaseModel):
    start: int
    end: int
    section: str = Field(default="", description="section title, else its kind (abstract, body, ...)")
    paragraph: int = Field(description="index of the paragraph in reading order")
    opening: bool = Field(default=False, description="title/abstract region: shares one memory of the main material")


class QuantitySpan(Span):
    value: float | None = None
    value_min: float | None = None
    value_max: float | None = None
    uncertainty: float | None = None
    unit: str = ""
    comparator: str | None = None
    list_size: int = 1
    list_index: int = 0


class CueSpan(Span):
    properties: list[str] = Field(description="candidate properties (several for shared symbols such as Tc)")
    is_symbol: bool = False
    confidence: float | None = Field(default=None, description="a model's confidence that this is a property")


class MaterialSource(str, Enum):
    RULES = "rules"
    NER = "ner"
    TABLE = "table"
    ABBREVIATION = "abbreviation"


class MaterialSpan(Span):
    formula: str | None = None
    elements: list[str] = Field(default_factory=list)
    confidence: float = 1.0
    source: MaterialSource = MaterialSource.RULES
    is_dopant: bool = False
    is_weak: bool = Field(default=False, description="lone element, class noun or code name: linked only as a fallback")
    is_code_name: bool = False
    role: str = Field(default="", description="substrate, electrolyte, electrode, reference, partner (a blend's fullerene "
                                              "acceptor), auxiliary, prototype, acronym: named for another part "
                                              "than the studied material (linked only by name)")
    is_descriptive: bool = Field(default=False, description="a name in words ('fluorinated natural graphite', 'composite "
                                                            "membrane'): weak, the main material only where no compound is named")


class EntitySpan(Span):
    label: str
    confidence: float
    source: str = Field(default="", description="the model that tagged it, e.g. 'ner-fast@0.1.0'")


class Abbreviation(BaseModel):
    short: str
    material: MaterialSpan = Field(description="the mention the short form stands for (offsets into the document)")


class RelationKind(str, Enum):
    VALUE_PROPERTY = "value_property"  # head: quantity, tail: cue
    VALUE_MATERIAL = "value_material"  # head: quantity, tail: material
    CONDITION_VALUE = "condition_value"  # head: quantity (the condition), tail: quantity (the value)


class Relation(BaseModel):
    kind: RelationKind
    head: int
    tail: int
    score: float = Field(description="the proposing component's score (not yet calibrated)")
    component: str = Field(description="name of the component that proposed it")
    property: str | None = Field(default=None, description="value_property: the ontology property; condition: its name")
    si_unit: str | None = Field(default=None, description="value_property: the SI unit the value converts to")
    distance: int | None = Field(default=None, description="value_property: characters between value and cue")
    pattern: str | None = Field(default=None, description="value_material: the pattern that linked them")
    primary: bool = Field(default=True, description="value_material: False for the other members of a conjoined subject")
    model_score: float | None = Field(default=None, description="the relation model's probability, where it judged this relation")


class Layers(BaseModel):
    markup: list[MarkupEdit] = Field(default_factory=list)
    sentences: list[SentenceSpan] = Field(default_factory=list)
    abbreviations: list[Abbreviation] = Field(default_factory=list)
    quantities: list[QuantitySpan] = Field(default_factory=list)
    entities: list[EntitySpan] = Field(default_factory=list)
    cues: list[CueSpan] = Field(default_factory=list)
    materials: list[MaterialSpan] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)

    def in_sentence(self, layer: str, sentence: int) -> list:
        """Items of `layer` in sentence `sentence` (layers are kept in document order)."""
        return [item for item in getattr(self, layer) if item.sentence == sentence]


LAYER_NAMES = tuple(Layers.model_fields)

__all__ = [
    "Abbreviation", "CueSpan", "EntitySpan", "LAYER_NAMES", "Layers", "MarkupEdit", "MaterialSource", "MaterialSpan",
    "QuantitySpan", "Relation", "RelationKind", "SentenceSpan", "Span",
]
