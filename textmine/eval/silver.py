"""Gold files and texts from the shared silver and dev sets, for `textmine evaluate records`.

    textmine evaluate make-gold snowball -o gold/snowball     # band gap; Curie and Néel temperatures
    textmine evaluate make-gold polyie -o gold/polyie         # PolyIE dev (validation) split

Each set becomes a folder with `texts.jsonl` ({"id", "text"} per line, for `textmine extract
--input`) and one `gold-<property>.csv` per property (`compound,value,source`, source = text id).
The three Snowball sets are three collections of sentences, each annotated for one property
only, so each gets its own folder (`band_gap/`, `curie_temperature/`, `neel_temperature/`): a
Néel temperature stated in a Curie-set sentence is not annotated there and must not count
against precision. PolyIE paragraphs are annotated for every property they state; a gold property
name ('V oc', 'optical band gaps') is mapped to the ontology through its cues, and relations whose
name maps to nothing are left out.

The sentences of both sources are tokenised with spaces ('TiO2 , has'); they are detokenised so
extraction sees text as written. Sources: ../shared/data/gold/{bandgap_snowball,curie_neel_snowball,polyie}
(see each SOURCE.txt); the Snowball tuples are silver (accepted during semi-supervised training).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from textmine.eval.gold import write_gold

SNOWBALL_SETS = ("band_gap", "curie_temperature", "neel_temperature")


@dataclass(frozen=True)
class Tuple:
    compound: str
    value: str  # with its unit, e.g. '3.2 eV'
    prop: str


@dataclass
class Text:
    id: str
    text: str
    gold: list[Tuple]


def detokenise(text: str) -> str:
    text = text.strip()
    text = re.sub(r"\s+([,.;:)\]%])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r"(?<=[\w)\]]) ([-–/]) (?=[\w(\[])", r"\1", text)  # 'TiO2 / rGO' -> 'TiO2/rGO'
    return re.sub(r"\s+'s\b", "'s", text)


def _silver_value(value: str, unit: str) -> str:
    """'∼2.0' + 'eV)' -> '2.0 eV': the silver tuples carry approximation marks, stray brackets, lower-case °c;
    '1.5 and 2.08' is what Snowball keeps of 'between 1.5 and 2.08 eV': a range."""
    value = value.replace("∼", "").replace("~", "").strip()
    value = re.sub(r"^([-+−]?[\d.]+)\s+and\s+([-+−]?[\d.]+)$", r"\1-\2", value)
    unit = unit.rstrip("),.;").replace("°c", "°C").strip()
    return f"{value} {unit}".strip()


# Sample and form descriptors that silver compound spans carry ('EuS nanocrystals', 'bulk hematite',
# 'PbTiO3 crystal'): the material is what remains, so that becomes an alternative of the gold cell.
_DESCRIPTOR = (r"(?:single[ -])?crystals?|nanocrystals?|nanoparticles?|NPs|particles?|ceramics?|(?:thin )?films?|"
               r"nanosheets?|nanospheres?|nanowires?|NWs|nanorods?|nanotubes?|quantum dots|QDs|powders?|samples?|"
               r"microspheres?|nanostructures?")
_TRAILING = re.compile(rf"(?:\s+(?:polycrystalline\s+)?(?:{_DESCRIPTOR}))+$", re.IGNORECASE)
_LEADING = re.compile(r"^(?:(?:bulk|pure|pristine|undoped|polycrystalline|nanocrystalline|single[- ]crystal(?:line)?)\s+)+",
                      re.IGNORECASE)
_BRACKETED = re.compile(r"^(?P<outer>[^()]+?)\s+\(\s*(?P<inner>[^()]{2,}?)\s*\)$")  # "oxide ( Cu2O )", not "ZnO(h)"


def alternatives(compound: str) -> str:
    """A gold compound cell: the silver span, plus the material without its sample descriptors
    ('EuS nanocrystals' -> 'EuS nanocrystals | EuS') and both sides of 'copper oxide (Cu2O)'."""
    found = [compound.strip()]
    bare = _LEADING.sub("", _TRAILING.sub("", compound.strip())).strip()
    if bare:
        found.append(bare)
    m = _BRACKETED.match(bare)
    if m:
        found += [m.group("outer").strip(), m.group("inner").strip()]
    return " | ".join(dict.fromkeys(f for f in found if f))


def _compound_keys(cell: str) -> tuple[set[str], set[str]]:
    """Name keys and reduced compositions of a gold cell's alternatives, as the matcher compares them."""
    from textmine.eval.match import compositions_of, name_keys

    names: set[str] = set()
    compositions: set[str] = set()
    for alternative in cell.split(" | "):
        names |= name_keys(alternative)
        compositions |= compositions_of(alternative)
    return names, compositions


def _aliases(text: str, a: str, b: str) -> bool:
    """Whether the text names `a` and `b` as one material: 'BiFeO3 (BFO)', '(BiFeO3 or BFO)', 'BiFeO3
    (abbreviated as BFO)'."""
    for x, y in ((a, b), (b, a)):
        x, y = re.escape(x), re.escape(y)
        if re.search(rf"(?<![\w-]){x}\s?\(\s?(?:abbreviated as |denoted as |hereafter |or )?{y}\s?\)"
                     rf"|(?<![\w-]){x},? or {y}(?![\w-])", text):
            return True
    return False


def _same_value(a: str, b: str) -> bool:
    """Equal values, or one kept without the decimals the other has: Snowball keeps '67.4 K' of 'a Néel
    temperature of 67.4 K' once more as '67 K' (not '3.0 eV' next to '3.2 eV': both written with decimals)."""
    from textmine.eval.gold import parse_value

    x, y = parse_value(a), parse_value(b)
    if x is None or y is None or x.unit != y.unit:
        return False
    if (x.low, x.high) == (y.low, y.high):
        return True
    whole = [(v, text) for v, text in ((x, a), (y, b)) if v.low == v.high and not re.search(r"\d[.,]\d", text)]
    if len(whole) != 1:
        return False
    other = y if whole[0][0] is x else x
    return other.low == other.high and int(other.low) == int(whole[0][0].low)


def merge_statements(gold: list[Tuple], text: str = "") -> list[Tuple]:
    """One row per statement. Snowball keeps a tuple per name a sentence gives its material ('Zinc
    oxide (ZnO) ... a band gap of 3.37 eV' yields `Zinc oxide` and `ZnO`, 'A PbTiO3 crystal ... Tc =
    490 °C' yields `PbTiO3 crystal` and `PbTiO3`, 'BiFeO3 (BFO) with ... TN ∼ 643 K' yields `BiFeO3`
    and `BFO`): tuples of one property whose values are equal and whose compounds agree by name or
    composition, or which `text` names as one material, become one gold row with the names as
    alternatives, or one record stating the fact once would leave the other counted as missed (values
    are equal when one record would match both: '67 K' and '67.2 K' of one sentence)."""
    from textmine.eval.gold import parse_value

    merged: list[Tuple] = []
    for item in gold:
        value, (names, compositions) = parse_value(item.value), _compound_keys(item.compound)
        for i, kept in enumerate(merged):
            if kept.prop != item.prop or value is None or not _same_value(kept.value, item.value):
                continue
            kept_names, kept_compositions = _compound_keys(kept.compound)
            if (names & kept_names or compositions & kept_compositions
                    or any(_aliases(text, x, y) for x in kept.compound.split(" | ") for y in item.compound.split(" | "))):
                cells = kept.compound.split(" | ") + item.compound.split(" | ")
                merged[i] = Tuple(" | ".join(dict.fromkeys(cells)), kept.value, kept.prop)
                break
        else:
            merged.append(item)
    return merged


# --- Snowball band gaps ---------------------------------------------------------------------------

_RELATION = re.compile(r"\((.+?),(\w+__\w+),(\d+),(\d+)\)")


def snowball_band_gap(data: Path) -> list[Text]:
    folder = data / "gold" / "bandgap_snowball" / "Snowball_model"
    texts: list[Text] = []
    for stem in ("general", "Special"):
        lines = (folder / f"{stem}_clusters.txt").read_text(encoding="utf-8").splitlines()
        sentences = list(dict.fromkeys(line[2:].rstrip("\n") for line in lines if line.startswith("\t ")))
        relations = []
        for line in (folder / f"{stem}_relations.txt").read_text(encoding="utf-8").splitlines():
            parts = {kind: (text, int(s), int(e)) for text, kind, s, e in _RELATION.findall(line)}
            if "compound__names" in parts and "bandgap__raw_value" in parts:
                relations.append(parts)
        for number, sentence in enumerate(sentences, 1):
            tokens = sentence.split(" ")
            gold: list[Tuple] = []
            for parts in relations:
                if all(_tokens_match(tokens, *parts[k]) for k in parts):
                    unit = parts.get("bandgap__raw_units", ("eV", 0, 0))[0]
                    value = _silver_value(parts["bandgap__raw_value"][0], unit)
                    gold.append(Tuple(alternatives(parts["compound__names"][0]), value, "band_gap"))
            if gold:
                plain = detokenise(sentence)
                texts.append(Text(f"bandgap-{stem.lower()}-{number:04d}", plain, merge_statements(gold, plain)))
    return texts


def _tokens_match(tokens: list[str], text: str, start: int, end: int) -> bool:
    return end <= len(tokens) and "".join(tokens[start:end]).replace(" ", "") == text.replace(" ", "")


# --- Snowball Curie and Néel temperatures --------------------------------------------------------

_MAGNETIC_FILES = {"curie_temperature": ("curie", "curie_urie_temperatures.pkl"),
                   "neel_temperature": ("neel", "neel_eel_temperatures.pkl")}


def snowball_magnetic(data: Path, prop: str) -> list[Text]:
    """Every sentence of the set (also those without an accepted tuple: extractions there are wrong)."""
    name, prefix = _MAGNETIC_FILES[prop]
    folder = data / "gold" / "curie_neel_snowball"
    tuples: list[tuple[str, str, str]] = []
    for line in (folder / f"{prefix}relations.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("(") and line.rstrip().endswith(")") and "<" not in line:
            parts = line.strip()[1:-1].rsplit(", ", 3)
            if len(parts) == 4:
                tuples.append((parts[0], parts[1], parts[2]))
    texts = []
    for number, raw in enumerate((folder / f"{prefix}sentences.txt").read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        gold = [Tuple(alternatives(c), _silver_value(v, u), prop) for c, v, u in tuples if _mentions(raw, c) and _mentions(raw, v)]
        plain = detokenise(raw)
        texts.append(Text(f"{name}-{number:04d}", plain, merge_statements(gold, plain)))
    return texts


def _mentions(sentence: str, text: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(text)}(?![\w])", sentence) is not None


# --- PolyIE ----------------------------------------------------------------------------------------


def _join(tokens: list[str]) -> str:
    text = " ".join(tokens)
    text = re.sub(r"\s+([,.;:)\]%])", r"\1", text)
    text = re.sub(r"(?<=\w) - (?=\w)", "-", text)
    return re.sub(r"([(\[])\s+", r"\1", text)


def _polyie_value(value: str) -> str:
    """'= 0.85 V', '0.53.', '0.71 V vs. SCE.' -> '0.85 V', '0.53', '0.71 V': PDF-parsed spans carry
    the sign before them, the full stop after them and the reference electrode."""
    value = re.sub(r"\s+vs\.?\s.*$", "", value.strip())
    return value.lstrip("=≈ ").rstrip(". ")


def property_of(name: str) -> str | None:
    """The ontology property a PolyIE property name means ('V oc' -> open_circuit_voltage), if any."""
    from textmine.ontology import load_ontology

    cues = load_ontology().find_cues(name)
    if not cues:
        return None
    longest = max(cues, key=lambda c: c.end - c.start)
    if (longest.end - longest.start) < 0.5 * len(name.strip()):
        return None  # 'λ onset' is not named by a cue that covers half of it
    return longest.properties[0]


def polyie(data: Path, split: str = "validation") -> list[Text]:
    raw = json.loads((data / "gold" / "polyie" / f"{split}_split.txt").read_text(encoding="utf-8"))
    texts = []
    for d, (doc_tokens, doc_relations) in enumerate(zip(raw["text"], raw["relation"])):
        for p, (tokens, relations) in enumerate(zip(doc_tokens, doc_relations)):
            gold = []
            for relation in relations:
                if len(relation) < 3:
                    continue
                compound, name, value = (_join(tokens[a:b]) for a, b in relation[:3])
                prop = property_of(name)
                if prop:
                    gold.append(Tuple(alternatives(compound), _polyie_value(value), prop))
            texts.append(Text(f"polyie-{split}-{d:02d}-{p:02d}", _join(tokens), list(dict.fromkeys(gold))))
    return texts


# --- writing -------------------------------------------------------------------------------------


def write_set(folder: Path, texts: Iterable[Text], properties: Iterable[str] = ()) -> dict[str, int]:
    """texts.jsonl and gold-<property>.csv (also for `properties` without gold rows); {file: rows}."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = list(texts)
    with open(folder / "texts.jsonl", "w", encoding="utf-8") as handle:
        for text in texts:
            handle.write(json.dumps({"id": text.id, "text": text.text}, ensure_ascii=False) + "\n")
    written = {"texts.jsonl": len(texts)}
    props = sorted(set(properties) | {t.prop for text in texts for t in text.gold})
    for prop in props:
        rows = [(t.compound, t.value, text.id) for text in texts for t in text.gold if t.prop == prop]
        written[f"gold-{prop}.csv"] = write_gold(folder / f"gold-{prop}.csv", rows)
    return written


def make_snowball(data: Path, out: Path) -> dict[str, dict[str, int]]:
    sets = {"band_gap": snowball_band_gap(data)}
    for prop in ("curie_temperature", "neel_temperature"):
        sets[prop] = snowball_magnetic(data, prop)
    return {prop: write_set(out / prop, texts, [prop]) for prop, texts in sets.items()}


def make_polyie(data: Path, out: Path, split: str = "validation") -> dict[str, dict[str, int]]:
    return {f"polyie-{split}": write_set(out, polyie(data, split))}


__all__ = ["SNOWBALL_SETS", "alternatives", "detokenise", "make_polyie", "make_snowball", "merge_statements", "polyie", "property_of",
           "snowball_band_gap", "snowball_magnetic", "write_set"]
