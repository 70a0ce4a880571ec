"""The property ontology: what properties exist, how papers name them, which units and values fit.

The data lives in `properties.yaml` (versioned); this module gives it types and lookups:

    ontology = load_ontology()
    ontology.get("band_gap").si_unit            # 'J'
    ontology.find_cues("the band gap of ZnO")  # [CueMatch(property='band_gap', ...)]
"""

from __future__ import annotations

import functools
import os
import re
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, PrivateAttr, model_validator

from textmine.normalise.units import UnitError, compatible, convert, parse_unit


class PropertyDefinition(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    dimension: str = Field(description="pint dimensionality of si_unit, or 'dimensionless'")
    si_unit: str = Field(description="unit of Record.value_si; '' for dimensionless")
    default_unit: str = Field(description="usual unit in papers; `range` is expressed in it")
    alt_si_units: list[str] = Field(default_factory=list, description="SI units of other accepted dimensions")
    unitless: bool = Field(default=False, description="a bare number is a valid value")
    signed: bool = Field(default=False, description="negative values are physical")
    cues: list[str] = Field(default_factory=list)
    symbols: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    cell_symbols: list[str] = Field(
        default_factory=list,
        description="symbols of a crystal-structure report ('a = 5.43 Å', 'V = 160 Å3'): too short to match "
                    "anywhere, so matched only right before '=' (or '≈', '≅') in a sentence about a crystal structure")
    reagent_before: bool = Field(
        default=False,
        description="a material named right before the cue is what the material acts on, not the material: "
                    "'CO2 conversion', 'NaCl rejection', 'MB degradation efficiency'")
    fraction_units: bool = Field(
        default=False,
        description="a composition unit (wt%, at%, mol%, vol%) is a unit of the value: hydrogen storage capacity "
                    "in wt%, char yield; elsewhere a number in at% is a dopant's amount, not the value")
    context_cues: list[str] = Field(
        default_factory=list,
        description="cues too general to name the property anywhere ('efficiency'), matched like cues but naming it "
                    "only in a document that has one of its `context` words (a solar-cell paper's 'efficiency of 10%')")
    range: tuple[float, float]

    @model_validator(mode="after")
    def _check_units(self) -> "PropertyDefinition":
        for unit in [self.si_unit, self.default_unit, *self.alt_si_units]:
            if unit:
                parse_unit(unit)  # raises UnitError naming the bad unit
        if self.si_unit and self.default_unit and not compatible(self.si_unit, self.default_unit):
            raise ValueError(f"{self.name}: default_unit {self.default_unit!r} does not convert to {self.si_unit!r}")
        if self.range[0] > self.range[1]:
            raise ValueError(f"{self.name}: range {self.range} is reversed")
        return self

    @property
    def dimensionless(self) -> bool:
        return self.dimension == "dimensionless"

    def si_unit_for(self, unit: str) -> str | None:
        """The SI unit a value in `unit` converts to for this property, or None if it does not fit.

        '' (no unit) fits only dimensionless properties, and those only when `unitless` or when
        the unit is a ratio like '%'.
        """
        if not unit:
            return "" if self.dimensionless and self.unitless else None
        try:
            parsed = parse_unit(unit)
        except UnitError:
            return None
        if self.si_unit == "rad":
            # an angle: degrees or radians, not a ratio that pint also calls dimensionless
            return "rad" if _ANGLE_UNIT.fullmatch(unit.strip()) else None
        if self.dimensionless:
            # ratios only: '%', 'wt%', 'ppm'; not logarithmic or counting units such as dB; a composition
            # ('2.5 at%') only where the property is measured as one
            if _COMPOSITION_UNIT.fullmatch(unit.strip()) and not self.fraction_units:
                return None
            return "" if parsed.dimensionless and _RATIO_UNIT.fullmatch(unit.strip()) else None
        for candidate in [self.si_unit, *self.alt_si_units]:
            if compatible(unit, candidate):
                return candidate
        return None

    def in_range(self, value: float, unit: str) -> bool:
        """Whether `value` in `unit` is plausible. Values in an alternative dimension only need a sign check."""
        if not self.signed and value < 0 and unit not in ("degC", "°C", "degF"):
            return False
        try:
            in_default = convert(value, unit or "dimensionless", self.default_unit or "dimensionless")
        except UnitError:
            return value >= 0 or self.signed
        low, high = self.range
        return low <= in_default <= high


_ANGLE_UNIT = re.compile(r"°|º|˚|deg|degrees?|rad|radians?")
_RATIO_UNIT = re.compile(r"%|percent|(?:wt|at|vol|mol)\.?\s?%|ppm|ppb")
_COMPOSITION_UNIT = re.compile(r"(?:wt|at|vol|mol)\.?\s?%")


class Ontology(BaseModel):
    version: str
    properties: list[PropertyDefinition]
    _matcher: "_CueMatcher | None" = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique_names(self) -> "Ontology":
        names = [p.name for p in self.properties]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"duplicate property names in ontology: {sorted(duplicates)}")
        return self

    def names(self) -> list[str]:
        return [p.name for p in self.properties]

    def get(self, name: str) -> PropertyDefinition:
        for prop in self.properties:
            if prop.name == name:
                return prop
        raise KeyError(f"unknown property {name!r}; see textmine/ontology/properties.yaml for the known names")

    def __contains__(self, name: str) -> bool:
        return any(p.name == name for p in self.properties)

    def by_cue(self, phrase: str) -> list[PropertyDefinition]:
        """Properties named by `phrase` (a cue, case-insensitive, or a symbol, exact)."""
        key = _fold(phrase)
        return [
            p
            for p in self.properties
            if any(_fold(c) == key for c in p.cues) or phrase.strip() in p.symbols
        ]

    def find_cues(self, text: str, context: str | None = None) -> list["CueMatch"]:
        """Every property cue and symbol in `text`, longest match first where they overlap. With `context`
        (the document's opening text), a property's `context_cues` name it only where the context or `text`
        has one of its context words; a cue left naming nothing is dropped."""
        if self._matcher is None:
            self._matcher = _CueMatcher(self)
        found = self._matcher.find(text)
        if context is None or not self._matcher.context_only:
            return found
        out = []
        for cue in found:
            props = tuple(name for name in cue.properties if self.names_here(cue.text, name, text, context))
            if props:
                out.append(cue if props == cue.properties else CueMatch(cue.start, cue.end, cue.text, props, cue.is_symbol))
        return out

    def names_here(self, cue_text: str, name: str, text: str, context: str) -> bool:
        """Whether the cue `cue_text` names property `name` in `text` of a document opening with `context`:
        always, unless it is only one of the property's `context_cues` and neither has a context word."""
        if self._matcher is None:
            self._matcher = _CueMatcher(self)
        words = self._matcher.context_only.get(_fold(cue_text), {}).get(name)
        return words is None or bool(words.search(text) or words.search(context))


@dataclass(frozen=True)
class CueMatch:
    start: int
    end: int
    text: str
    properties: tuple[str, ...]  # several for shared symbols such as Tc
    is_symbol: bool


@functools.lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("-", " ")).strip().lower()


def _is_acronym(cue: str) -> bool:
    return sum(ch.isupper() for ch in cue) >= 2


class _CueMatcher:
    """One alternation regex over all cues (case-insensitive) and one over acronyms and symbols."""

    def __init__(self, ontology: Ontology) -> None:
        folded: dict[str, list[str]] = {}
        exact: dict[str, list[str]] = {}
        for prop in ontology.properties:
            for cue in [*prop.cues, *prop.context_cues]:
                target = exact if _is_acronym(cue) else folded
                keys = [cue] if _is_acronym(cue) else [_fold(cue), _plural(_fold(cue))]
                for key in keys:
                    if prop.name not in target.setdefault(key, []):
                        target[key].append(prop.name)
            for symbol in prop.symbols:
                if prop.name not in exact.setdefault(symbol, []):
                    exact[symbol].append(prop.name)
            # an acronym's plural names the property too: 'the ASRs are 0.72 and 1.13 Ω cm2', 'PCEs of 5 %'
            for key in [*prop.symbols, *(c for c in prop.cues if _is_acronym(c))]:
                if _is_acronym(key) and key[-1].isupper() and key.isalnum():
                    plural = exact.setdefault(key + "s", [])
                    if prop.name not in plural:
                        plural.append(prop.name)
        self._folded = folded
        self._exact = exact
        # folded cue -> {property: its context words} for cues that name a property only in context ('efficiency')
        self.context_only: dict[str, dict[str, re.Pattern[str]]] = {}
        for prop in ontology.properties:
            if not prop.context_cues:
                continue
            words = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w.lower()) for w in prop.context) + ")", re.I)
            own = {_fold(c) for c in prop.cues}
            for cue in prop.context_cues:
                for key in {_fold(cue), _plural(_fold(cue))} - own:
                    self.context_only.setdefault(key, {})[prop.name] = words
        self._symbols = {s for p in ontology.properties for s in p.symbols}
        cell: dict[str, list[str]] = {}
        for prop in ontology.properties:
            for symbol in prop.cell_symbols:
                cell.setdefault(symbol, []).append(prop.name)
        self._cell = cell
        self._cell_re = re.compile(
            r"(?<![\w.'′/])(" + "|".join(re.escape(k) for k in sorted(cell, key=len, reverse=True))
            + r")(?=\s*(?:=|≈|≅|~|∼)(?!=)\s*[-−+]?[\d.]|\s*(?:=|≈|≅)\s*[^\W\d]\w{0,3}(?:√\d)?\s*=)"
        ) if cell else None
        self._folded_re = re.compile(
            # (a cue is no part of a hyphenated word, except after an adjective: 'its direct wide-bandgap (3.4 eV)')
            r"(?:(?<![\w-])|(?<=wide-)|(?<=narrow-)|(?<=direct-)|(?<=indirect-)|(?<=large-)|(?<=small-))("
            + "|".join(_cue_pattern(k) for k in sorted(folded, key=len, reverse=True)) + r")(?![\w])",
            re.IGNORECASE,
        )
        self._exact_re = re.compile(
            r"(?<![\w])(" + "|".join(re.escape(k) for k in sorted(exact, key=len, reverse=True)) + r")(?![\w])"
        )

    def _elliptic(self, text: str, found: list[CueMatch]) -> list[CueMatch]:
        """'the response and recovery times', 'tensile and flexural strengths', 'Curie and Néel temperatures':
        a modifier coordinated before a cue shares the cue's head noun and names a cue of its own."""
        out = []
        for cue in found:
            if cue.is_symbol or " " not in cue.text.strip():
                continue
            head = cue.text.split(" ", 1)[1]
            m = _ELLIPTIC_BEFORE.search(text, max(0, cue.start - 40), cue.start)
            if not m:
                continue
            # (a cue with an acronym is kept as written: 'HOMO and LUMO energy levels')
            props = self._folded.get(_fold(f"{m.group(1)} {head}")) or self._exact.get(f"{m.group(1)} {head}")
            if props and not any(c.start <= m.start(1) < c.end for c in found):
                out.append(CueMatch(m.start(1), m.end(1), m.group(1), tuple(props), False))
        return out

    def find(self, text: str) -> list[CueMatch]:
        found: list[CueMatch] = []
        for m in self._folded_re.finditer(text):
            props = self._folded.get(_fold(m.group(1)))
            if props:
                found.append(CueMatch(m.start(1), m.end(1), m.group(1), tuple(props), False))
            # a longer cue may start inside this one ('maximum power' in 'maximum power densities')
            for word in re.finditer(r"(?<=[\s-])\w", m.group(1)):
                inner = self._folded_re.match(text, m.start(1) + word.start())
                if inner and inner.end(1) > m.end(1):
                    props = self._folded.get(_fold(inner.group(1)))
                    if props:
                        found.append(CueMatch(inner.start(1), inner.end(1), inner.group(1), tuple(props), False))
        for m in self._exact_re.finditer(text):
            props = self._exact.get(m.group(1))
            if props:
                found.append(CueMatch(m.start(1), m.end(1), m.group(1), tuple(props), m.group(1) in self._symbols))
        found.extend(self._elliptic(text, found))
        cells = list(self._cell_re.finditer(text)) if self._cell_re is not None else []
        if cells and _CRYSTAL_CONTEXT.search(text):
            found.extend(CueMatch(m.start(1), m.end(1), m.group(1), tuple(self._cell[m.group(1)]), True) for m in cells)
        # Longest first, then drop matches inside an already kept one.
        found.sort(key=lambda c: (-(c.end - c.start), c.start))
        kept: list[CueMatch] = []
        for cue in found:
            if all(cue.end <= k.start or cue.start >= k.end for k in kept):
                kept.append(cue)
        kept.sort(key=lambda c: c.start)
        # 'and Pr (TN = 11 K)': a symbol followed by another property's symbol assigned in brackets names the
        # thing that value is of (praseodymium here), not its own property (remanent polarization)
        return [c for i, c in enumerate(kept) if not (
            c.is_symbol and i + 1 < len(kept) and kept[i + 1].is_symbol
            and not set(c.properties) & set(kept[i + 1].properties)
            and re.fullmatch(r"\s?\(\s?", text[c.end : kept[i + 1].start])
            and re.match(r"\s?[=≈∼~]", text[kept[i + 1].end : kept[i + 1].end + 3]))]


# a word coordinated right before a cue: 'response and ' in 'response and recovery times'
_ELLIPTIC_BEFORE = re.compile(r"(?<![\w-])([A-Za-zéÉ][\w'’-]*)\s(?:and|or|&)\s$")

# A sentence reporting a crystal structure: where 'a = 5.43 Å' is a lattice constant, not a variable.
_CRYSTAL_CONTEXT = re.compile(
    r"space[- ]group|lattice|unit[- ]cell|cell (?:parameter|constant|dimension)s?|crystal(?:li[sz]e|s\b|\b)|"
    r"(?:mono|tri)clinic|orthorhombic|tetragonal|hexagonal|cubic|trigonal|rhombohedral|Rietveld|"
    r"diffraction|structure[- ]type|[-‐]type (?:structure|phase)|isostructural|isotypic|Z\s*=\s*\d",
    re.IGNORECASE,
)


def _plural(folded_cue: str) -> str:
    """'energy gap' -> 'energy gaps', 'mobility' -> 'mobilities', 'loss' -> 'losses': papers write cues
    in the plural as often as not, and the ontology need not list both."""
    head, _, last = folded_cue.rpartition(" ")
    if not last or not (last[-1].isascii() and last[-1].isalpha()):
        return folded_cue
    if last.endswith(("ss", "x", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "o", "u"):
        last = last[:-1] + "ies"
    elif not last.endswith("s"):
        last += "s"
    return f"{head} {last}" if head else last


def _cue_pattern(folded_cue: str) -> str:
    # Folded cues have single spaces where the text may have spaces or hyphens; apostrophes vary.
    parts = [re.escape(w).replace("'", "['’]?") for w in folded_cue.split(" ")]
    return r"[\s-]*".join(parts)


ONTOLOGY_FILE = "properties.yaml"


ONTOLOGY_ENV = "TEXTMINE_ONTOLOGY"


def load_ontology(path: str | Path | None = None) -> Ontology:
    """The property ontology from `path`, else from the file $TEXTMINE_ONTOLOGY names (your own
    properties), else the packaged properties.yaml. Loaded once per file (it is immutable data)."""
    if path is None:
        path = os.environ.get(ONTOLOGY_ENV) or None
    with _LOAD_LOCK:  # threads asking at once wait for one load instead of each parsing the file
        return _load(str(Path(path).resolve()) if path is not None else None)


_LOAD_LOCK = threading.RLock()


@functools.lru_cache(maxsize=8)
def _load(path: str | None) -> Ontology:
    if path is None:
        raw = resources.files(__package__).joinpath(ONTOLOGY_FILE).read_text(encoding="utf-8")
    else:
        raw = Path(path).read_text(encoding="utf-8")
    return Ontology.model_validate(yaml.safe_load(raw))


__all__ = ["CueMatch", "Ontology", "PropertyDefinition", "load_ontology"]
