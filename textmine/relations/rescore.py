"""`linker.rescore`: the relation model checks the relations another linker proposed.

Runs after `linker.rules` (reads its relations layer, writes it back):

- every value->property relation gets the model's P(this value belongs to this cue);
- every value->material relation gets the model's P(this value is about this material), scored
  against every other material of the sentence;
- where the model is sure the value belongs to another material of the sentence (its probability
  at least `switch_margin` above the linked one's, and at least `switch_min`), the link moves to
  that material (pattern `model-switch`): substrates, references and list members the rules got
  wrong;
- a value->property relation the model rejects (P below `drop_below`) is removed with its
  material links: changes, offsets and neighbouring quantities the rules took for the property.

The model's probabilities are kept on the relations (`model_score`); `assemble` with
`confidence = "hybrid"` combines them with the rules' own score, and `calibrate` maps that to a
frequency. Conditions and table relations pass through untouched. Why a re-scorer and not a
linker of its own: on the annotated dev set the model choosing alone (`linker.model`) lost more
of the rules' right links than it found new ones; as a judge of the rules' candidates it keeps
their recall and fixes their confidence (docs/relations.md has the figures).
"""

from __future__ import annotations

from collections import defaultdict

from textmine.extract.components import sentence_text
from textmine.extraction import Extraction
from textmine.layers import Relation, RelationKind
from textmine.ontology import load_ontology
from textmine.relations.model import ScorerComponent
from textmine.relations.pairs import Pair


# roles the rules give mentions that are never what a value is about ('CaCu5-type', 'PC71BM was used as
# the acceptor'); substrates, references and electrolytes stay candidates (a value may be theirs by name)
_NEVER_THE_SUBJECT = ("prototype", "auxiliary", "partner")
# links the sentence's layout makes (a list's order, a value bracketed right before or after its material's
# name: 'brookite (3.32 eV)', '3 eV (BaCuTeF)'; parallel brackets: 'MoS2 (MoSe2) ... 1.2 eV (1.1 eV)'): the model
# judges one pair at a time and cannot see them
_KEPT_PATTERNS = ("respectively", "bracketed", "parallel")


class RescoreLinker(ScorerComponent):
    """Scores (and, where the model is sure, corrects) the relations of the linker before it."""

    name = "linker.rescore"
    reads = ("sentences", "quantities", "cues", "materials", "relations")
    writes = "relations"

    def __init__(self, model: str = "fast", switch_margin: float = 0.5, switch_min: float = 0.8,
                 drop_below: float = 0.0) -> None:
        self._load_scorer(model)
        self.switch_margin = switch_margin
        self.switch_min = switch_min
        self.drop_below = drop_below

    def process(self, extraction: Extraction) -> None:
        plan = self._plan(extraction)
        scores = self.score([pair for _, pair in plan])
        self._decide(extraction, {key: p for (key, _), p in zip(plan, scores)})

    # -- pairs -----------------------------------------------------------------------------
    def _plan(self, extraction: Extraction) -> list[tuple[tuple, Pair]]:
        """(key, pair) for each value->cue relation and each (value, material of its sentence)."""
        layers = extraction.layers
        plan: list[tuple[tuple, Pair]] = []
        seen: set[tuple] = set()
        materials_by: dict[int, list[int]] = defaultdict(list)
        cues_by: dict[int, list] = defaultdict(list)
        for cue in layers.cues:
            cues_by[cue.sentence].append(cue)
        for i, m in enumerate(layers.materials):
            # a material span that is also a property cue ('M_{n} 2000 g/mol') is the cue (as the rules decide)
            if not any(c.start < m.end and m.start < c.end for c in cues_by.get(m.sentence, [])):
                materials_by[m.sentence].append(i)
        for relation in layers.relations:
            if relation.kind not in (RelationKind.VALUE_PROPERTY, RelationKind.VALUE_MATERIAL):
                continue
            value = layers.quantities[relation.head]
            if value.sentence < 0:
                continue  # a table cell: not the model's to judge
            text, offset = sentence_text(extraction, value.sentence)
            vspan = (value.start - offset, value.end - offset)
            if relation.kind == RelationKind.VALUE_PROPERTY:
                cue = layers.cues[relation.tail]
                key = ("cue", relation.head, relation.tail)
                if cue.sentence == value.sentence and key not in seen:
                    seen.add(key)
                    plan.append((key, Pair("value_property", text, vspan, (cue.start - offset, cue.end - offset))))
                continue
            for m in materials_by.get(value.sentence, []):
                material = layers.materials[m]
                key = ("material", relation.head, m)
                if key in seen or material.is_dopant or (material.start < value.end and value.start < material.end):
                    continue
                if material.role in _NEVER_THE_SUBJECT and m != relation.tail:
                    continue  # a structure type's prototype or a blend partner is no place to move a value to
                seen.add(key)
                plan.append((key, Pair("value_material", text, vspan, (material.start - offset, material.end - offset))))
        return plan

    # -- decisions -------------------------------------------------------------------------
    def _decide(self, extraction: Extraction, scores: dict[tuple, float]) -> None:
        layers = extraction.layers
        dropped = {r.head for r in layers.relations if r.kind == RelationKind.VALUE_PROPERTY
                   and scores.get(("cue", r.head, r.tail), 1.0) < self.drop_below}
        options: dict[int, list[tuple[float, int]]] = defaultdict(list)  # value -> (P, material) of its sentence
        for (kind, head, tail), p in scores.items():
            if kind == "material":
                options[head].append((p, tail))
        # values of one crystal cell ('..., which crystallizes in I4/mmm with a=3.9185(1) and c=29.519(2)') share
        # the subject the rules found for the cell; the model, judging one value at a time, may split them
        ontology = load_ontology()
        cell_values = {r.head for r in layers.relations if r.kind == RelationKind.VALUE_PROPERTY and r.property
                       and r.property in ontology and layers.cues[r.tail].text in ontology.get(r.property).cell_symbols}
        # a material a list or brackets pair with a value of a property is that value's: no other value of the
        # property moves to it ('from 1.22 W m-1 K-1 in undoped Te to 0.68 and 0.73 W m-1 K-1 in Bi-doped and
        # Sb-doped samples, respectively'); a value of another property may ('PBDTBTBTz: PC 70 BM (1: 1, w / w)
        # reached 4.46%', whatever the blend ratio was taken for)
        properties: dict[int, set[str | None]] = defaultdict(set)
        for r in layers.relations:
            if r.kind == RelationKind.VALUE_PROPERTY:
                properties[r.head].add(r.property)
        claimed: dict[tuple[int, str | None], set[int]] = defaultdict(set)  # (material, property) -> values
        for r in layers.relations:
            if r.kind == RelationKind.VALUE_MATERIAL and r.pattern in _KEPT_PATTERNS:
                for prop in properties.get(r.head, {None}):
                    claimed[(r.tail, prop)].add(r.head)
        kept: list[Relation] = []
        for relation in layers.relations:
            if relation.kind == RelationKind.CONDITION_VALUE:
                if relation.tail not in dropped:
                    kept.append(relation)
            elif relation.head in dropped:
                continue
            elif relation.kind == RelationKind.VALUE_PROPERTY:
                kept.append(relation.model_copy(update={"model_score": scores.get(("cue", relation.head, relation.tail))}))
            else:
                taken = {m for (m, prop), heads in claimed.items()
                         if prop in properties.get(relation.head, {None}) and heads - {relation.head}}
                kept.append(relation.model_copy(update=self._material_update(relation, scores, options,
                                                                             fixed=relation.head in cell_values,
                                                                             taken=taken)))
        layers.relations = kept

    def _material_update(self, relation: Relation, scores: dict[tuple, float], options: dict, fixed: bool = False,
                         taken: set[int] | frozenset[int] = frozenset()) -> dict:
        """The model's score of a value->material link, and the material it moves to where the model is sure."""
        p = scores.get(("material", relation.head, relation.tail))
        # a value paired with a material by a list ('... for P1, P2 and P3, respectively') or by brackets
        # ('3 eV (BaCuTeF), 2.9 eV (BaCuSeF)') keeps it
        if relation.primary and p is not None and relation.pattern not in _KEPT_PATTERNS and not fixed:
            free = [(q, m) for q, m in options[relation.head] if m not in taken]
            if not free:
                return {"model_score": p}
            best, best_m = max(free)
            if best_m != relation.tail and best >= self.switch_min and best - p >= self.switch_margin:
                return {"model_score": best, "tail": best_m, "pattern": "model-switch"}
        return {"model_score": p}

__all__ = ["RescoreLinker"]
