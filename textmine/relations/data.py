"""Training pairs for the relation model from the annotated corpora (textmine.relations.corpora).

The model must learn to judge the candidates the pipeline will give it at inference, so the
candidates of a training unit come from the same span finders (quantities, ontology cues,
material mentions); the gold entities are aligned to them by overlap. A gold span no finder
found is added as a candidate of its own (so the relation is still learnt), and every other
candidate of the unit pairs with each gold value as a negative. In corpora that annotate every
property value of a text (`EXHAUSTIVE`), a number that is not one (a synthesis temperature, a
change, a year) gives negatives too, so the model learns what is not a property value at all.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Iterable, Iterator

from textmine.relations.pairs import Pair

EXHAUSTIVE = {"polyie", "measeval"}
MAX_DISTANCE = 400  # characters between the two spans of a pair (inference pairs stay in a sentence)


@dataclass(frozen=True)
class Example:
    pair: Pair
    label: int
    corpus: str
    family: str | None
    unit: str

    def to_dict(self) -> dict:
        return {"text": self.pair.marked(), "label": self.label, "kind": self.pair.kind, "corpus": self.corpus,
                "family": self.family or "", "unit": self.unit}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _align(span: tuple[int, int], candidates: list[tuple[int, int]]) -> int | None:
    best, best_overlap = None, 0
    for i, c in enumerate(candidates):
        o = _overlap(span, c)
        if o > best_overlap:
            best, best_overlap = i, o
    return best


def candidates(text: str) -> dict[str, list[tuple[int, int]]]:
    """The spans the rules components would propose in `text`: values, cues, materials."""
    from textmine.extract.materials import find_abbreviations, find_material_mentions
    from textmine.extract.quantities import parse_quantities
    from textmine.ontology import load_ontology

    materials = [m for m in find_material_mentions(text, find_abbreviations(text)) if not m.is_dopant]
    return {
        "value": [(q.start, q.end) for q in parse_quantities(text)],
        "property": [(c.start, c.end) for c in load_ontology().find_cues(text)],
        "material": [(m.start, m.end) for m in materials],
    }


# nearest negatives kept per value: the hard ones (the other materials and cues of its sentence)
NEGATIVES = {"value_material": 4, "value_property": 3, "condition_value": 3}
NEGATIVES_OF_NON_VALUES = 1


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def unit_examples(unit: dict, rng: random.Random, max_negative_values: int = 3) -> Iterator[Example]:
    text = unit["text"]
    found = candidates(text)
    # gold spans by entity id; 'condition' entities are values for pairing purposes
    spans = {e["id"]: (e["start"], e["end"]) for e in unit["entities"]}
    kinds = {e["id"]: e["type"] for e in unit["entities"]}
    generic = {e["id"] for e in unit["entities"] if e.get("generic")}
    pool = {kind: list(found[kind]) for kind in found}

    def index(entity_id: str, kind: str) -> int:
        span = spans[entity_id]
        i = _align(span, pool[kind])
        if i is None:
            pool[kind].append(span)
            i = len(pool[kind]) - 1
        return i

    gold_values: set[int] = set()
    positive: set[tuple[str, int, int]] = set()
    for relation in unit["relations"]:
        head, tail = relation["head"], relation["tail"]
        if relation["type"] == "value_material":
            if tail in generic:
                continue  # 'the patients', 'the solution': not a material the model should link
            v = index(head, "value")
            positive.add(("value_material", v, index(tail, "material")))
        elif relation["type"] == "value_property":
            v = index(head, "value")
            positive.add(("value_property", v, index(tail, "property")))
        elif relation["type"] == "condition_value":
            c, v = index(head, "value"), index(tail, "value")
            positive.add(("condition_value", c, v))
            continue
        gold_values.add(v)
    for entity_id, kind in kinds.items():
        if kind == "value":
            gold_values.add(index(entity_id, "value"))
    values = pool["value"]
    exhaustive = unit["corpus"] in EXHAUSTIVE
    other_values = [i for i in range(len(values)) if i not in gold_values]
    rng.shuffle(other_values)
    chosen = sorted(gold_values) + (other_values[:max_negative_values] if exhaustive else [])
    family = unit.get("family")
    for v in chosen:
        for kind, other in (("value_material", "material"), ("value_property", "property")):
            near = sorted((_distance(span, values[v]), j) for j, span in enumerate(pool[other]))
            near = [(d, j) for d, j in near if d <= MAX_DISTANCE]
            keep = NEGATIVES[kind] if v in gold_values else NEGATIVES_OF_NON_VALUES
            negatives = 0
            for _, j in near:
                label = int((kind, v, j) in positive)
                if not label:
                    if negatives >= keep:
                        continue
                    negatives += 1
                yield Example(Pair(kind, text, values[v], pool[other][j]), label, unit["corpus"], family, unit["id"])
    conditions = {(c, v) for kind, c, v in positive if kind == "condition_value"}
    for c, v in sorted(conditions):
        yield Example(Pair("condition_value", text, values[c], values[v]), 1, unit["corpus"], family, unit["id"])
    for v in sorted({v for _, v in conditions}):
        near = sorted((_distance(values[o], values[v]), o) for o in range(len(values)) if o != v and (o, v) not in conditions)
        for _, o in near[: NEGATIVES["condition_value"]]:
            yield Example(Pair("condition_value", text, values[o], values[v]), 0, unit["corpus"], family, unit["id"])


def examples(units: Iterable[dict], seed: int = 13) -> Iterator[Example]:
    """Examples of every unit, deterministic: the negative sampling is seeded per unit id."""
    for unit in units:
        rng = random.Random(int(hashlib.sha1(f"{seed}:{unit['id']}".encode()).hexdigest()[:8], 16))
        yield from unit_examples(unit, rng)


__all__ = ["EXHAUSTIVE", "Example", "candidates", "examples", "unit_examples"]
