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
from textmine.relations.model import load_scorer
from textmine.relations.pairs import Pair


class RescoreLinker:
    """Scores (and, where the model is sure, corrects) the relations of the linker before it."""

    name = "linker.rescore"
    reads = ("sentences", "quantities", "cues", "materials", "relations")
    writes = "relations"

    def __init__(self, model: str = "fast", switch_margin: float = 0.5, switch_min: float = 0.8,
                 drop_below: float = 0.0) -> None:
        self.model = model
        self.scorer = load_scorer(model)
        self.version = f"{self.scorer.version}+{self.scorer.meta.get('name', model)}"
        self.switch_margin = switch_margin
        self.switch_min = switch_min
        self.drop_below = drop_below

    def models(self) -> dict[str, str]:
        return {f"relations.{self.scorer.meta.get('name', self.model)}": str(self.scorer.meta.get("onnx_sha256", ""))[:16]}

    def __getstate__(self) -> dict:
        return {**self.__dict__, "scorer": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.scorer = load_scorer(self.model)

    def __call__(self, extraction: Extraction) -> None:
        self.pipe([extraction])

    def pipe(self, extractions: list[Extraction]) -> None:
        """Pairs of every document first, then one scoring call for all of them."""
        plans = [self._plan(e) for e in extractions]
        pairs = [pair for plan in plans for _, pair in plan]
        scores = iter(self.scorer.score(pairs) if pairs else [])
        for extraction, plan in zip(extractions, plans):
            scored = [(key, float(next(scores))) for key, _ in plan]
            self._decide(extraction, dict(scored))

    # -- pairs -----------------------------------------------------------------------------
    def _plan(self, extraction: Extraction) -> list[tuple[tuple, Pair]]:
        """(key, pair) for each value->cue relation and each (value, material of its sentence)."""
        layers = extraction.layers
        plan: list[tuple[tuple, Pair]] = []
        seen: set[tuple] = set()
        materials_by: dict[int, list[int]] = defaultdict(list)
        for i, m in enumerate(layers.materials):
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
                seen.add(key)
                plan.append((key, Pair("value_material", text, vspan, (material.start - offset, material.end - offset))))
        return plan

    # -- decisions -------------------------------------------------------------------------
    def _decide(self, extraction: Extraction, scores: dict[tuple, float]) -> None:
        layers = extraction.layers
        dropped: set[int] = set()
        out: list[Relation] = []
        for relation in layers.relations:
            if relation.kind == RelationKind.VALUE_PROPERTY:
                p = scores.get(("cue", relation.head, relation.tail))
                if p is not None and p < self.drop_below:
                    dropped.add(relation.head)
                    continue
                out.append(relation.model_copy(update={"model_score": p}))
            else:
                out.append(relation)
        final: list[Relation] = []
        for relation in out:
            if relation.kind == RelationKind.CONDITION_VALUE:
                final.append(relation if relation.tail not in dropped else None)
                continue
            if relation.head in dropped:
                continue
            if relation.kind != RelationKind.VALUE_MATERIAL:
                final.append(relation)
                continue
            p = scores.get(("material", relation.head, relation.tail))
            update: dict = {"model_score": p}
            if relation.primary and p is not None:
                options = [(s, key[2]) for key, s in scores.items() if key[0] == "material" and key[1] == relation.head]
                best, best_m = max(options)
                if best_m != relation.tail and best >= self.switch_min and best - p >= self.switch_margin:
                    update = {"model_score": best, "tail": best_m, "pattern": "model-switch"}
            final.append(relation.model_copy(update=update))
        layers.relations = [r for r in final if r is not None]


__all__ = ["RescoreLinker"]
