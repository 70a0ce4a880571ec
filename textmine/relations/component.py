"""`linker.model`: relations chosen by the trained relation model (textmine.relations.model).

Reads the quantities, cues and materials layers; writes the relations layer, like `linker.rules`,
but the choices are the model's:

- a quantity is a candidate value when some cue of its sentence names a property whose unit and
  plausible range fit it (the ontology decides what a property is; the model, which never sees a
  property name, decides which cue the value belongs to);
- each (value, cue) and (value, material) pair of the sentence is marked and scored; the value
  takes its best cue (if the model gives it at least `property_threshold`) and its best material
  (at least `material_threshold`), plus the other members of a conjoined subject the model also
  accepts ('La2Ti2O7 and Nd2Ti2O7 possess a Tc of ...');
- a sentence without an acceptable material falls back to the paragraph's main material (title
  and abstract share one memory), scored `main_material_score` — the model cannot see a material
  outside the sentence;
- conditions ('at 300 K') are the rules' (textmine.extract.association.conditions_for).

Relation scores are the model's probabilities; `assemble` with `confidence = "model"` makes a
record's raw confidence P(cue) x P(material), and `calibrate` maps it to a frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

from textmine.extract.association import (
    BACK_REFERENCE,
    conditions_for,
    dimension_name,
    fits,
    material_run,
    resolve_property,
)
from textmine.extract.components import by_sentence, document_context, kept_spans, material_mention, sentence_text
from textmine.extract.linker import cue_of, quantity_of
from textmine.extract.materials import MaterialMention, StudiedMaterials
from textmine.extraction import Extraction
from textmine.layers import Relation, RelationKind
from textmine.ontology import CueMatch, Ontology, load_ontology
from textmine.relations.model import ScorerComponent
from textmine.relations.pairs import Pair

MAX_CUE_DISTANCE = 250


@dataclass
class _Value:
    """One candidate value of a sentence and what it may link to (sentence-relative objects)."""

    sentence: int
    text: str
    quantity: object
    cues: list  # (CueMatch, property name, si unit, distance)
    materials: list[MaterialMention]
    main: tuple | None  # the paragraph's main material at this point (MaterialMention, offset)
    back_reference: bool


class ModelLinker(ScorerComponent):
    """value->property and value->material relations chosen by the trained relation model."""

    name = "linker.model"
    reads = ("sentences", "quantities", "cues", "materials")
    writes = "relations"

    def __init__(self, model: str = "fast", property_threshold: float = 0.5, material_threshold: float = 0.5,
                 main_material_score: float = 0.35, ontology: Ontology | None = None) -> None:
        self._load_scorer(model)
        self.property_threshold = property_threshold
        self.material_threshold = material_threshold
        self.main_material_score = main_material_score
        self.ontology = ontology or load_ontology()

    def process(self, extraction: Extraction) -> None:
        """The document's candidates, then one scoring call for all its pairs."""
        values, index = self._candidates(extraction)
        pairs: list[Pair] = []
        for value in values:
            span = (value.quantity.start, value.quantity.end)
            pairs.extend(Pair("value_property", value.text, span, (c.start, c.end)) for c, *_ in value.cues)
            pairs.extend(Pair("value_material", value.text, span, (m.start, m.end)) for m in value.materials)
        scores = iter(self.score(pairs))
        relations: list[Relation] = []
        for value in values:
            cue_scores = [next(scores) for _ in value.cues]
            material_scores = [next(scores) for _ in value.materials]
            relations.extend(self._decide(value, cue_scores, material_scores, index))
        extraction.layers.relations = relations

    # -- candidates ------------------------------------------------------------------------
    def _candidates(self, extraction: Extraction) -> tuple[list[_Value], dict]:
        layers = extraction.layers
        context = document_context(extraction.document)
        quantities_by, cues_by, materials_by = by_sentence(layers.quantities), by_sentence(layers.cues), by_sentence(layers.materials)
        index: dict[int, int] = {}  # id(rule object) -> layer index
        values: list[_Value] = []
        opening = StudiedMaterials()
        studied, paragraph = opening, None
        for s, sentence in enumerate(layers.sentences):
            if sentence.paragraph != paragraph:
                paragraph = sentence.paragraph
                studied = opening if sentence.opening else StudiedMaterials()
            text, offset = sentence_text(extraction, s)
            cues = [_indexed(cue_of(span, offset), i, index) for i, span in cues_by.get(s, [])]
            materials = [_indexed(material_mention(span, offset), i, index) for i, span in materials_by.get(s, [])]
            cues, materials = kept_spans(cues, materials)
            subjects = [m for m in materials if not m.is_dopant]
            quantities = [_indexed(quantity_of(span, offset), i, index) for i, span in quantities_by.get(s, [])]
            quantities = [q for q in quantities if not any(m.start <= q.start < m.end for m in materials)]
            back_reference = BACK_REFERENCE.search(text) is not None
            for quantity in quantities:
                fitting = self._fitting_cues(text, quantity, cues, context)
                if fitting:
                    values.append(_Value(s, text, quantity, fitting, subjects, studied.main(), back_reference))
            studied.add(materials, offset)
        return values, {"ids": index, "conditions": self._conditions(extraction, quantities_by, index)}

    def _fitting_cues(self, text: str, quantity, cues: list[CueMatch], context: str) -> list[tuple]:
        fitting = []
        for cue in cues:
            distance = quantity.start - cue.end if cue.end <= quantity.start else cue.start - quantity.end
            if distance > MAX_CUE_DISTANCE:
                continue
            for prop in resolve_property(cue, text, context, self.ontology):
                si_unit = fits(prop, quantity)
                if si_unit is not None:
                    fitting.append((cue, prop, si_unit, max(distance, 0)))
                    break
        return fitting

    @staticmethod
    def _conditions(extraction: Extraction, quantities_by: dict, index: dict) -> dict[int, list[tuple[int, str]]]:
        """Per sentence: (layer index of a condition quantity, 'temperature'|'pressure')."""
        found: dict[int, list[tuple[int, str]]] = {}
        for s in range(len(extraction.layers.sentences)):
            text, offset = sentence_text(extraction, s)
            quantities = [(i, quantity_of(span, offset)) for i, span in quantities_by.get(s, [])]
            by_id = {id(q): i for i, q in quantities}
            found[s] = [(by_id[id(q)], name) for q, name in conditions_for(text, [q for _, q in quantities], set())]
        return found

    # -- decisions -------------------------------------------------------------------------
    def _decide(self, value: _Value, cue_scores: list[float], material_scores: list[float], index: dict) -> list[Relation]:
        ids = index["ids"]
        best = max(range(len(value.cues)), key=lambda i: cue_scores[i])
        p_property = float(cue_scores[best])
        if p_property < self.property_threshold:
            return []
        cue, prop, si_unit, distance = value.cues[best]
        head = ids[id(value.quantity)]
        links: list[tuple[MaterialMention, float, str, bool]] = []
        if value.materials:
            top = max(range(len(value.materials)), key=lambda i: material_scores[i])
            if material_scores[top] >= self.material_threshold:
                chosen = value.materials[top]
                links.append((chosen, float(material_scores[top]), "model", True))
                run = material_run([m for m in value.materials if m.end <= chosen.end], value.text, from_end=True)
                for member in run[:-1] if run and run[-1] is chosen else []:
                    score = float(material_scores[value.materials.index(member)])
                    if score >= self.material_threshold:
                        links.append((member, score, "model-conjoined", False))
        if not links and value.main is not None and (value.back_reference or not value.materials):
            links.append((value.main[0], self.main_material_score, "main-material", True))
        if not links or id(links[0][0]) not in ids:
            return []
        relations = [Relation(kind=RelationKind.VALUE_PROPERTY, head=head, tail=ids[id(cue)], score=p_property,
                              component=self.name, property=prop.name, si_unit=si_unit, distance=distance)]
        for material, score, pattern, primary in links:
            relations.append(Relation(kind=RelationKind.VALUE_MATERIAL, head=head, tail=ids[id(material)], score=score,
                                      component=self.name, pattern=pattern, primary=primary))
        own = dimension_name(prop)
        for condition, name in index["conditions"].get(value.sentence, []):
            if name != own and condition != head:
                relations.append(Relation(kind=RelationKind.CONDITION_VALUE, head=condition, tail=head, score=1.0,
                                          component=self.name, property=name))
        return relations


def _indexed(obj, position: int, index: dict[int, int]):
    index[id(obj)] = position
    return obj


__all__ = ["ModelLinker"]
