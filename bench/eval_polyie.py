"""Dev-split evaluation of the rules extractor on PolyIE (polymer solar-cell / battery papers).

    PYTHONPATH=. python bench/eval_polyie.py [--data ../shared/data] [--split validation] [--errors 10]

Gold: n-ary relations (compound name, property name, property value) annotated on paragraphs of
papers parsed from PDF (see gold/polyie/SOURCE.txt). A gold property name is mapped to our
ontology through its cues ('V oc' -> open_circuit_voltage); relations whose property name maps to
nothing are left out, and only predictions of properties that occur in the mapped gold count.

Matching per paragraph, one-to-one: same property; material text equal (case-insensitive) or one
containing the other on word boundaries; value equal within 1 % after conversion to the
property's SI unit (a gold value without a unit takes the predicted unit).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textmine.extract import document_from_text  # noqa: E402
from textmine.extract.quantities import parse_quantities  # noqa: E402
from textmine.extract.pipeline import load_pipeline  # noqa: E402
from textmine.normalise.units import UnitError  # noqa: E402
from textmine.ontology import load_ontology  # noqa: E402
from textmine.records import Record  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class GoldRelation:
    compound: str
    prop: str
    value: str


@dataclass
class Paragraph:
    text: str
    gold: list[GoldRelation]


@dataclass
class Score:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _join(tokens: list[str]) -> str:
    text = " ".join(tokens)
    text = re.sub(r"\s+([,.;:)\]%])", r"\1", text)
    text = re.sub(r"(?<=\w) - (?=\w)", "-", text)
    return re.sub(r"([(\[])\s+", r"\1", text)


def property_of(name: str) -> str | None:
    ontology = load_ontology()
    cues = ontology.find_cues(name)
    if not cues:
        return None
    longest = max(cues, key=lambda c: c.end - c.start)
    if (longest.end - longest.start) < 0.5 * len(name.strip()):
        return None  # 'λ onset' is not named by a cue that covers half of it
    return longest.properties[0]


def load_polyie(data: Path, split: str) -> list[Paragraph]:
    raw = json.loads((data / "gold" / "polyie" / f"{split}_split.txt").read_text(encoding="utf-8"))
    paragraphs = []
    for doc_tokens, doc_relations in zip(raw["text"], raw["relation"]):
        for tokens, relations in zip(doc_tokens, doc_relations):
            gold = []
            for relation in relations:
                if len(relation) < 3:
                    continue
                compound, name, value = (_join(tokens[a:b]) for a, b in relation[:3])
                prop = property_of(name)
                if prop:
                    item = GoldRelation(compound, prop, value)
                    if item not in gold:
                        gold.append(item)
            paragraphs.append(Paragraph(_join(tokens), gold))
    return paragraphs


def _material_matches(record: Record, gold: GoldRelation) -> bool:
    a, b = record.material.text.lower().strip(), gold.compound.lower().strip()
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 3 and re.search(rf"(?<![\w-]){re.escape(shorter)}(?![\w-])", longer) is not None


def _value_matches(record: Record, gold: GoldRelation) -> bool:
    quantities = parse_quantities(gold.value)
    if not quantities or record.value_min_si is None:
        return False
    q = quantities[0]
    unit = q.unit or (record.unit or "")
    try:
        from dataclasses import replace

        _, low, high, _ = replace(q, unit=unit).si(record.unit_si or "")
    except UnitError:
        return False
    if low is None or high is None:
        return False

    def close(x: float, y: float) -> bool:
        return abs(x - y) <= 0.01 * max(abs(x), abs(y), 1e-30)

    return close(low, record.value_min_si) and close(high, record.value_max_si)


def evaluate(data: Path, split: str = "validation", errors: list[str] | None = None) -> dict[str, Score]:
    extractor = load_pipeline("rules")
    paragraphs = load_polyie(data, split)
    properties = {g.prop for p in paragraphs for g in p.gold}
    scores: dict[str, Score] = {prop: Score() for prop in sorted(properties)}
    for number, paragraph in enumerate(paragraphs):
        document = document_from_text(f"polyie:{number}", paragraph.text)
        records = extractor(document).records
        predicted = [r for r in records if r.property in properties]
        matched: set[int] = set()
        for record in predicted:
            scores[record.property].predicted += 1
            for index, gold in enumerate(paragraph.gold):
                same = gold.prop == record.property and _material_matches(record, gold) and _value_matches(record, gold)
                if index not in matched and same:
                    matched.add(index)
                    scores[record.property].tp += 1
                    break
        for gold in paragraph.gold:
            scores[gold.prop].gold += 1
        if errors is not None:
            for index, gold in enumerate(paragraph.gold):
                if index not in matched:
                    errors.append(f"MISS {gold}")
    return scores


def format_table(scores: dict[str, Score], min_gold: int = 10) -> str:
    lines = [f"{'property':<32} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    total = Score()
    for prop, s in scores.items():
        total.tp += s.tp
        total.predicted += s.predicted
        total.gold += s.gold
        if s.gold >= min_gold:
            lines.append(f"{prop:<32} {s.gold:>5} {s.predicted:>5} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}")
    lines.append(
        f"{'micro (all mapped properties)':<32} {total.gold:>5} {total.predicted:>5} "
        f"{total.precision:>6.3f} {total.recall:>6.3f} {total.f1:>6.3f}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", default="validation", choices=["train", "validation"])
    parser.add_argument("--errors", type=int, default=0)
    args = parser.parse_args()
    errors: list[str] | None = [] if args.errors else None
    print(format_table(evaluate(args.data, args.split, errors)))
    for line in (errors or [])[: args.errors]:
        print(line)


if __name__ == "__main__":
    main()
