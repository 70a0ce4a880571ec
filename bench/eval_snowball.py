"""Silver-set evaluation of the rules extractor on the Snowball band-gap and Curie/Néel sentences.

    PYTHONPATH=. python bench/eval_snowball.py [--data ../shared/data] [--errors 20]

Gold: tuples (compound, value, unit) accepted during Snowball training (ChemDataExtractor;
Dong & Cole band gaps, Court & Cole Curie/Néel temperatures); see each folder's SOURCE.txt.
The sentences are tokenised with spaces ('TiO2 , has'); they are detokenised before extraction
so the extractor sees text as written.

Matching, per sentence, one-to-one: a predicted record of the property matches a gold tuple when
- the material matches: same reduced composition (pymatgen) when both parse as formulas with
  numeric amounts, else the same normalised formula string, else case-insensitive text equality
  or one containing the other on word boundaries ('kesterite' ~ 'sulfide kesterite'); and
- the value matches: converted to SI, within 1 % relative (ranges: both ends).
Precision = matched predictions / predictions; recall = matched gold / gold tuples.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textmine.extract import document_from_text  # noqa: E402
from textmine.extract.quantities import parse_quantities  # noqa: E402
from textmine.extract.pipeline import ExtractionPipeline, load_pipeline  # noqa: E402
from textmine.normalise.formula import FormulaError, parse_formula  # noqa: E402
from textmine.normalise.units import UnitError  # noqa: E402
from textmine.records import Record  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"


@dataclass
class GoldTuple:
    compound: str
    value: str
    unit: str


@dataclass
class Example:
    sentence: str  # detokenised
    gold: list[GoldTuple] = field(default_factory=list)


@dataclass
class Score:
    tp_pred: int = 0
    predicted: int = 0
    tp_gold: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_pred / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def detokenise(text: str) -> str:
    text = text.strip()
    text = re.sub(r"\s+([,.;:)\]%])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r"(?<=\w) ([-–]) (?=\w)", r"\1", text)
    text = re.sub(r"\s+'s\b", "'s", text)
    return text


# --- loading the silver sets ---------------------------------------------------------------------

_RELATION = re.compile(r"\((.+?),(\w+__\w+),(\d+),(\d+)\)")


def load_bandgap(data: Path) -> list[Example]:
    folder = data / "gold" / "bandgap_snowball" / "Snowball_model"
    examples: list[Example] = []
    for stem in ("general", "Special"):
        sentences = [
            line[2:].rstrip("\n")
            for line in (folder / f"{stem}_clusters.txt").read_text(encoding="utf-8").splitlines()
            if line.startswith("\t ")
        ]
        relations = []
        for line in (folder / f"{stem}_relations.txt").read_text(encoding="utf-8").splitlines():
            parts = {kind: (text, int(s), int(e)) for text, kind, s, e in _RELATION.findall(line)}
            if "compound__names" in parts and "bandgap__raw_value" in parts:
                relations.append(parts)
        seen: set[str] = set()
        for sentence in sentences:
            if sentence in seen:
                continue
            seen.add(sentence)
            tokens = sentence.split(" ")
            gold: list[GoldTuple] = []
            for parts in relations:
                if not all(_tokens_match(tokens, *parts[k]) for k in parts):
                    continue
                unit = parts.get("bandgap__raw_units", ("eV", 0, 0))[0]
                item = GoldTuple(parts["compound__names"][0], parts["bandgap__raw_value"][0], unit)
                if item not in gold:
                    gold.append(item)
            if gold:
                examples.append(Example(detokenise(sentence), gold))
    return examples


def _tokens_match(tokens: list[str], text: str, start: int, end: int) -> bool:
    if end > len(tokens):
        return False
    return "".join(tokens[start:end]).replace(" ", "") == text.replace(" ", "")


def load_snowball_magnetic(data: Path, prefix: str) -> list[Example]:
    folder = data / "gold" / "curie_neel_snowball"
    tuples: list[GoldTuple] = []
    for line in (folder / f"{prefix}relations.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("(") and line.rstrip().endswith(")") and "<" not in line:
            parts = line.strip()[1:-1].rsplit(", ", 3)
            if len(parts) == 4:
                tuples.append(GoldTuple(parts[0], parts[1], parts[2]))
    examples = []
    for raw in (folder / f"{prefix}sentences.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        gold = [t for t in tuples if _mentions(raw, t.compound) and _mentions(raw, t.value)]
        unique: list[GoldTuple] = []
        for t in gold:
            if t not in unique:
                unique.append(t)
        examples.append(Example(detokenise(raw), unique))
    return examples


def _mentions(sentence: str, text: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(text)}(?![\w])", sentence) is not None


# --- matching ------------------------------------------------------------------------------------


def _composition_key(text: str | None) -> str | None:
    if not text:
        return None
    try:
        parsed = parse_formula(text)
    except (FormulaError, ValueError, ZeroDivisionError):
        return None
    return parsed.reduced_formula or parsed.formula


def material_matches(record: Record, gold: GoldTuple) -> bool:
    gold_key = _composition_key(gold.compound)
    for candidate in (record.material.formula, record.material.text):
        if gold_key and _composition_key(candidate) == gold_key:
            return True
    a, b = record.material.text.lower().strip(), gold.compound.lower().strip()
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 3 and re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer) is not None


def gold_si(gold: GoldTuple, si_unit: str) -> tuple[float, float] | None:
    value = gold.value.replace("∼", "").replace("~", "").strip()
    unit = gold.unit.rstrip(")").replace("°c", "°C")  # silver units carry stray brackets and case
    quantities = parse_quantities(f"{value} {unit}")
    if not quantities:
        return None
    try:
        _, low, high, _ = quantities[0].si(si_unit)
    except UnitError:
        return None
    return (low, high) if low is not None and high is not None else None


def value_matches(record: Record, gold: GoldTuple) -> bool:
    bounds = gold_si(gold, record.unit_si or "")
    if bounds is None or record.value_min_si is None or record.value_max_si is None:
        return False

    def close(x: float, y: float) -> bool:
        return abs(x - y) <= 0.01 * max(abs(x), abs(y), 1e-30)

    low, high = bounds
    if close(low, high):  # gold point: the record's point (or either end of its range)
        return close(record.value_min_si, low) or close(record.value_max_si, low)
    return close(record.value_min_si, low) and close(record.value_max_si, high)


def score_examples(
    examples: list[Example], prop: str, extractor: ExtractionPipeline, errors: list[str] | None = None
) -> Score:
    score = Score()
    for number, example in enumerate(examples):
        document = document_from_text(f"silver:{prop}:{number}", example.sentence)
        _segment(document)
        records = extractor(document).records
        predicted = [r for r in records if r.property == prop]
        matched_gold: set[int] = set()
        matched_pred = 0
        for record in predicted:
            for index, gold in enumerate(example.gold):
                if index not in matched_gold and material_matches(record, gold) and value_matches(record, gold):
                    matched_gold.add(index)
                    matched_pred += 1
                    break
        score.predicted += len(predicted)
        score.tp_pred += matched_pred
        score.gold += len(example.gold)
        score.tp_gold += len(matched_gold)
        if errors is not None and (matched_pred < len(predicted) or len(matched_gold) < len(example.gold)):
            pred = [(r.material.text, r.value if r.value is not None else (r.value_min, r.value_max), r.unit) for r in predicted]
            gold = [(g.compound, g.value, g.unit) for g in example.gold]
            errors.append(f"{example.sentence}\n    gold: {gold}\n    pred: {pred}")
    return score


def _segment(document) -> None:
    try:
        from textmine.nlp import segment
    except ImportError:
        return  # the extractor splits unsegmented paragraphs itself
    segment(document)


def evaluate(data: Path, errors: dict[str, list[str]] | None = None, extractor_name: str = "rules",
             **options: object) -> dict[str, Score]:
    overrides: dict[str, dict] = {}
    if "model" in options:
        overrides["entities.ner"] = {"model": options["model"]}
    if options.get("require_pro"):
        overrides["cues.ner"] = {"require_pro": True}
    extractor = load_pipeline(extractor_name, overrides)
    sets = {
        "band_gap": load_bandgap(data),
        "curie_temperature": load_snowball_magnetic(data, "curie_urie_temperatures.pkl"),
        "neel_temperature": load_snowball_magnetic(data, "neel_eel_temperatures.pkl"),
    }
    return {
        prop: score_examples(examples, prop, extractor, None if errors is None else errors.setdefault(prop, []))
        for prop, examples in sets.items()
    }


def format_table(scores: dict[str, Score]) -> str:
    lines = [f"{'property':<20} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    total = Score()
    for prop, s in scores.items():
        lines.append(f"{prop:<20} {s.gold:>5} {s.predicted:>5} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}")
        total.tp_pred += s.tp_pred
        total.predicted += s.predicted
        total.tp_gold += s.tp_gold
        total.gold += s.gold
    lines.append(f"{'micro':<20} {total.gold:>5} {total.predicted:>5} {total.precision:>6.3f} {total.recall:>6.3f} {total.f1:>6.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--errors", type=int, default=0, help="print up to N mismatched sentences per property")
    parser.add_argument("--extractor", choices=["rules", "ner"], default="rules")
    parser.add_argument("--model", default=None, help="ner: a shipped model name or a model folder")
    parser.add_argument("--require-pro", action="store_true",
                        help="ner: drop property cues the model does not tag as PRO")
    args = parser.parse_args()
    errors: dict[str, list[str]] | None = {} if args.errors else None
    options: dict[str, object] = {"require_pro": True} if args.require_pro else {}
    if args.model:
        options["model"] = args.model
    scores = evaluate(args.data, errors, args.extractor, **options)
    print(format_table(scores))
    if errors:
        for prop, items in errors.items():
            print(f"\n== {prop}: {len(items)} sentences with errors")
            for item in items[: args.errors]:
                print(item)


if __name__ == "__main__":
    main()
