"""When a record matches a gold row: the one matcher behind `evaluate records` and `evaluate calibration`.

A record matches a gold row when all of these hold:
- same source: the record's `doc_id` is the row's `source`, and the same property;
- the compound agrees with one of the row's alternatives, by name (equal after case folding,
  Unicode NFKC, and removing spaces and hyphens/dashes: `Fe-Ni alloy` = `FeNi Alloy`; the form a
  material was studied in is not part of the comparison: `gallium oxide thin films` = `gallium
  oxide`, `TiO2 nanofibers` = `TiO2`, as a reader judging the record would take them) or by
  reduced composition (pymatgen: `Ti2O4` = `TiO2`, a leading phase label dropped: `α-Fe2O3` =
  `Fe2O3`; a gold compound written as a common name with
  one formula has that formula's: `Zinc oxide` = `ZnO`; so has one formula among plain lower-case
  words: `mesoporous Co3O4` = `Co3O4`, `the RNiO3 series` = `RNiO3`, not `TiO2 @ PDA` = `TiO2`), where
  the record offers its material text and its normalised formula;
- the value agrees with one of the row's alternatives within 2 % (relative to the larger
  magnitude), both ends of a range, after converting the gold value to the record's SI unit
  (`490 °C` matches `763 K`); a gold value without a unit is compared with the record's value as
  written, unconverted.

Each gold row is matched at most once and each record at most once: per source, a maximum
one-to-one matching, built in order of decreasing record confidence so that when two records could
take the same gold row, the more confident one does (calibration then judges the ranking fairly).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable, Sequence

from textmine.eval.gold import GoldRow, GoldValue, RecordView
from textmine.normalise.units import UnitError, convert

TOLERANCE = 0.02
_IGNORED = re.compile(r"[\s\-‐‑‒–—−]+")


def name_key(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text)).casefold()


@functools.lru_cache(maxsize=65536)
def composition_key(text: str | None) -> str | None:
    """pymatgen's reduced formula of `text` read as a formula, or None when it is not one (or has
    open variables, placeholders or shared sites); a leading phase label is not part of it."""
    if not text or not text.strip():
        return None
    from textmine.chemistry.find import PHASE_PREFIX
    from textmine.chemistry.formula import parse_formula

    # a phase or polytype label is not part of a composition ('α-CsH2PO3·H3PO3', '2H-MoS2', 'h-BN')
    text = re.sub(rf"^{PHASE_PREFIX}[-‐–]", "", text.strip())
    try:
        return parse_formula(text).reduced_formula
    except Exception:  # noqa: BLE001 - FormulaError, and pymatgen raises several types on odd amounts
        return None


def name_keys(text: str) -> set[str]:
    """The keys a name is compared by: as written and without the form it was studied in."""
    from textmine.extract.material_forms import without_form

    return {name_key(text), name_key(without_form(text))} - {""}


@functools.lru_cache(maxsize=65536)
def compositions_of(compound: str) -> frozenset[str]:
    """The reduced compositions a gold compound names: as a formula, or as a common name with one
    formula (`Zinc oxide` = ZnO, `cuprous oxide films` = Cu2O; textmine/ontology/material_names.yaml)."""
    from textmine.chemistry.names import formula_for_name
    from textmine.extract.material_forms import without_form

    keys = set()
    for form in dict.fromkeys((compound, without_form(compound))):
        keys.add(composition_key(form) or composition_key(formula_for_name(form)))
    keys.add(_formula_among_words(compound))
    return frozenset(keys - {None})


# words that say how or in what form a material was studied, or how large it was: 'mesoporous Co3O4',
# 'the RNiO3 series', 'FeWO4 microcrystals', 'SrCoO2.5 brownmillerite', 'a 5 nm CuO assembly'
_PLAIN_WORD = re.compile(r"(?:[a-z][a-z\-]*|\d+(?:\.\d+)?|[nµμ]m)")


def _formula_among_words(compound: str) -> str | None:
    """The composition of the one formula a compound names among plain lower-case words, else None
    (not 'TiO2 @ PDA', 'CuO/ZnO', 'Fe-rich Sr2FeMoO6' or 'Eu2O3 NBs': a symbol or another name beside it)."""
    others = [token for token in compound.split() if not _PLAIN_WORD.fullmatch(token)]
    return composition_key(others[0]) if len(others) == 1 and len(compound.split()) > 1 else None


def compounds_agree(record: RecordView, compounds: Iterable[str]) -> bool:
    mine = [t for t in (record.text, record.formula) if t]
    names = set().union(*(name_keys(t) for t in mine)) if mine else set()
    compositions = {composition_key(t) for t in mine} - {None}
    for compound in compounds:
        if name_keys(compound) & names:
            return True
        if compositions and compositions_of(compound) & compositions:
            return True
    return False


def close(a: float, b: float, tolerance: float = TOLERANCE) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def _value_agrees(record: RecordView, gold: GoldValue) -> bool:
    if gold.unit is None:
        low, high = record.value_min, record.value_max
        return low is not None and high is not None and close(low, gold.low) and close(high, gold.high)
    if record.value_min_si is not None and record.value_max_si is not None and record.unit_si is not None:
        target, low, high = record.unit_si, record.value_min_si, record.value_max_si
    elif record.value_min is not None and record.value_max is not None and record.unit:
        target, low, high = record.unit, record.value_min, record.value_max
    else:
        return False
    try:
        gold_low, gold_high = convert(gold.low, gold.unit, target), convert(gold.high, gold.unit, target)
    except UnitError:
        return False  # a length is not a band gap
    return close(low, min(gold_low, gold_high)) and close(high, max(gold_low, gold_high))


def values_agree(record: RecordView, values: Iterable[GoldValue]) -> bool:
    return any(_value_agrees(record, value) for value in values)


def matches(record: RecordView, gold: GoldRow) -> bool:
    return (record.doc_id == gold.source and record.property == gold.property
            and values_agree(record, gold.values) and compounds_agree(record, gold.compounds))


def match(gold: Sequence[GoldRow], records: Sequence[RecordView]) -> dict[int, int]:
    """Maximum one-to-one matching {record index: gold index} (indices into the given sequences)."""
    by_source: dict[tuple[str, str], list[int]] = {}
    for g, row in enumerate(gold):
        by_source.setdefault((row.source, row.property), []).append(g)
    candidates: dict[int, list[int]] = {}
    for r, record in enumerate(records):
        rows = by_source.get((record.doc_id, record.property), [])
        edges = [g for g in rows if matches(record, gold[g])]
        if edges:
            candidates[r] = edges
    owner: dict[int, int] = {}  # gold index -> record index

    def augment(r: int, seen: set[int]) -> bool:
        for g in candidates[r]:
            if g in seen:
                continue
            seen.add(g)
            if g not in owner or augment(owner[g], seen):
                owner[g] = r
                return True
        return False

    for r in sorted(candidates, key=lambda r: (-records[r].confidence, r)):
        augment(r, set())
    return {r: g for g, r in owner.items()}


__all__ = ["TOLERANCE", "close", "composition_key", "compositions_of", "compounds_agree", "match", "matches", "name_key", "name_keys", "values_agree"]
