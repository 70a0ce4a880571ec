"""MeasEval (SemEval-2021 task 8): quantities with their measured entity, property and qualifiers.

One annotation set is one Quantity with the MeasuredEntity, MeasuredProperty and Qualifiers that
point at it (`HasQuantity`, `HasProperty`, `Qualifies`). Mapped to the common format:

- Quantity -> `value`; MeasuredProperty -> `property`; value_property links the two.
- MeasuredEntity -> `material`, linked to its quantity (directly, or through its property) by
  value_material. It is `generic` unless textmine's material finder names a substance in it: a
  formula or known compound name, or a lone element (symbol or name) that is the whole span
  ('Zn', 'silicon'), in a span of at most four words. MeasEval spans ten domains, so most measured
  entities are not materials ('participants', 'the beach').
- Qualifier -> `condition` when textmine's quantity parser finds a quantity with a unit in it; the
  condition is that quantity's span ('at 25 °C' -> '25 °C') and condition_value links it to the
  set's quantity. Qualifiers without a quantity ('before the CIE') are left out.

Splits: train -> train, trial -> dev (the eval split is not in the shared copy).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Iterator

from textmine.relations.corpora.schema import Unit
from textmine.relations.corpora.units import Draft, Tally, require

NAME = "measeval"
FOLDER = "gold/measeval"
# corpus split folder -> (common split, folder of its texts)
SPLITS = {"train": ("train", "text"), "trial": ("dev", "txt")}


def names_a_substance(text: str) -> bool:
    """Whether a measured entity names a material: a strong mention, or a lone element that is the span.

    Spans of more than four words describe a thing ('free-air enrichment by supplementary CO2 in
    field plots') rather than name a material, and count as generic.
    """
    from textmine.extract.material_forms import is_gas
    from textmine.extract.materials import find_material_mentions
    from textmine.normalise.formula import element_symbols

    if len(text.split()) > 4:
        return False
    for mention in find_material_mentions(text, {}):
        if mention.is_dopant:
            continue
        if not mention.is_weak:
            return True
        # a lone element written as its symbol or its name ('Zn', 'silicon'), or a gas molecule ('SO2'), not a
        # code such as 'BC1'
        if mention.text == text.strip() and (mention.formula in element_symbols() and (
                mention.text == mention.formula or mention.text.isalpha()) or is_gas(mention.text)):
            return True
    return False


def load(data_root: Path, tally: Tally) -> Iterator[Unit]:
    folder = require(data_root / FOLDER / "data")
    for corpus_split, (split, text_folder) in SPLITS.items():
        tsv_folder = require(folder / corpus_split / "tsv")
        texts = require(folder / corpus_split / text_folder)
        annotated = {p.stem for p in tsv_folder.glob("*.tsv")}
        unannotated = sum(1 for p in texts.glob("*.txt") if p.stem not in annotated)
        tally.note("paragraphs without annotations (skipped)", unannotated)
        for tsv in sorted(tsv_folder.glob("*.tsv")):
            text_path = texts / f"{tsv.stem}.txt"
            if not text_path.exists():
                tally.drop("annotation file without its text")
                continue
            text = text_path.read_text(encoding="utf-8")
            draft = _draft(text, _read_rows(tsv), tally)
            yield from draft.units(
                corpus=NAME, split=split, doc_id=tsv.stem, source=str(text_path.relative_to(data_root)),
                silver=False, tally=tally,
            )


def _read_rows(tsv: Path) -> list[dict]:
    with tsv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        row["links"] = json.loads(row["other"]) if (row.get("other") or "").strip() else {}
    return rows


def _draft(text: str, rows: list[dict], tally: Tally) -> Draft:
    from textmine.extract.quantities import parse_quantities

    draft = Draft(text)
    by_id = {row["annotId"]: row for row in rows}
    ids: dict[str, str] = {}  # annotId -> entity id
    for row in rows:
        start, end, kind = int(row["startOffset"]), int(row["endOffset"]), row["annotType"]
        if text[start:end] != row["text"]:
            tally.note(f"{kind} whose offsets do not match its text (left out)")
            continue
        if kind == "Quantity":
            ids[row["annotId"]] = draft.entity("value", start, end)
        elif kind == "MeasuredProperty":
            ids[row["annotId"]] = draft.entity("property", start, end)
        elif kind == "MeasuredEntity":
            generic = not names_a_substance(row["text"])
            tally.note("measured entities that are generic" if generic else "measured entities that name a material")
            ids[row["annotId"]] = draft.entity("material", start, end, generic=generic)
        elif kind == "Qualifier":
            quantities = [q for q in parse_quantities(row["text"]) if q.unit]
            if not quantities:
                tally.note("qualifiers without a quantity (left out)")
                continue
            ids[row["annotId"]] = draft.entity("condition", start + quantities[0].start, start + quantities[-1].end)

    def quantity_of(annot_id: str, depth: int = 0) -> str | None:
        """The Quantity an annotation points at, following HasProperty / Qualifies links."""
        row = by_id.get(annot_id)
        if row is None or depth > 3:
            return None
        if row["annotType"] == "Quantity":
            return annot_id
        links = row["links"]
        target = links.get("HasQuantity") or links.get("HasProperty") or links.get("Qualifies")
        return quantity_of(target, depth + 1) if target else None

    relation_of = {
        "MeasuredEntity": "value_material", "MeasuredProperty": "value_property", "Qualifier": "condition_value",
    }
    for row in rows:
        kind = relation_of.get(row["annotType"])
        if kind is None:
            continue
        quantity = quantity_of(row["annotId"])
        if quantity is None:
            tally.lose(f"{row['annotType']} not linked to a quantity")
            continue
        if row["annotId"] not in ids or quantity not in ids:
            if row["annotType"] != "Qualifier" or row["annotId"] in ids:
                tally.lose("an endpoint was left out (offsets do not match the text)")
            continue
        if kind == "condition_value":
            draft.relate(kind, ids[row["annotId"]], ids[quantity])
        else:
            draft.relate(kind, ids[quantity], ids[row["annotId"]])
    return draft
