"""Materials by name: common names ('hematite', 'gallium oxide') and abbreviations ('CZTS', 'BFO')
listed in `textmine/ontology/material_names.yaml`, element names, and compound names built from
them ('copper ferrite', 'tungsten trioxide', 'lanthanum strontium manganite').
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml
from pymatgen.core import Element


# Domain data files live together in textmine/ontology (packaged with the wheel).
MATERIAL_NAMES_FILE = "material_names.yaml"
_DATA_PACKAGE = "textmine.ontology"


@functools.lru_cache(maxsize=1)
def _material_names_data() -> dict:
    raw = resources.files(_DATA_PACKAGE).joinpath(MATERIAL_NAMES_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(raw)


@functools.lru_cache(maxsize=1)
def material_names() -> dict[str, str | None]:
    """Lower-cased common names and abbreviations -> formula (None: a material without one formula)."""
    data = _material_names_data()
    names: dict[str, str | None] = {}
    for name, formula in (data.get("names") or {}).items():
        names[str(name).lower()] = formula
    for element in Element:
        if element.symbol in ("D", "T") or element.Z > 103:
            continue
        long_name = element.long_name.lower()
        if long_name not in data.get("element_names_excluded", []):
            names.setdefault(long_name, element.symbol)
    return names


@functools.lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str | None]:
    return dict(_material_names_data().get("abbreviations") or {})


@functools.lru_cache(maxsize=1)
def _name_pattern() -> re.Pattern[str]:
    names = sorted(material_names(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?:s)?(?![\w-])", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _abbreviation_pattern() -> re.Pattern[str]:
    names = sorted(_abbreviations(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?:s)?(?![\w-])")


_ANION_WORDS = (
    "oxide|dioxide|trioxide|monoxide|pentoxide|sesquioxide|sesquiselenide|sesquisulfide|sesquitelluride|oxides|sulfide|sulphide|disulfide|selenide|diselenide|"
    "telluride|nitride|carbide|phosphide|fluoride|chloride|bromide|iodide|hydroxide|arsenide|antimonide|"
    "silicide|boride|hydride|titanate|ferrite|ferrites|niobate|tantalate|vanadate|tungstate|molybdate|"
    "manganite|manganites|cobaltite|nickelate|cuprate|phosphate|silicate|carbonate|sulfate|nitrate|zirconate|"
    "stannate|aluminate|garnet|oxyhydroxide|oxynitride|perovskite|chalcogenide|halide|ferrocyanide|hexacyanoferrate|"
    "oxychloride|oxyfluoride|oxysulfide|oxyselenide|oxyhalide|borate|germanate|gallate|chromate|chromite|ruthenate|"
    "iridate|cobaltate|antimonate|bismuthate|selenite|tellurite|sulfite|oxalate|aluminide|stannide|germanide|"
    # organic and complex anions ('iron phenylphosphonate', 'copper acetate', 'nickel hexacyanochromate')
    "[a-z]{0,12}(?:phosphonate|carboxylate|sulfonate)|acetate|formate|benzoate|citrate|tartrate|succinate|"
    "acetylacetonate|thiocyanate|cyanide|azide|hexacyano(?:chromate|cobaltate|manganate|ferrate)"
)


# molecular cations named like elements in hybrid perovskites ('methylammonium lead iodide')
_CATIONS = ("methylammonium", "formamidinium", "ethylammonium", "butylammonium", "phenethylammonium",
            "guanidinium", "ammonium")


@functools.lru_cache(maxsize=1)
def _compound_name_pattern() -> re.Pattern[str]:
    """'gallium oxide', 'copper ferrite', 'tungsten trioxide', 'lanthanum strontium manganite',
    'methylammonium lead iodide'."""
    elements = sorted(
        (e.long_name.lower() for e in Element if e.Z <= 92 and e.symbol not in ("D", "T")), key=len, reverse=True
    )
    element = "(?:" + "|".join([*_CATIONS, *(re.escape(e) for e in elements)]) + ")"
    return re.compile(
        rf"(?<![\w-])(?:{element}(?:\((?:I{{1,3}}|IV|V|VI)\))?(?:\s|-)(?:\((?:I{{1,3}}|IV|V|VI)\)\s)?){{1,3}}(?:{_ANION_WORDS})s?"
        r"(?:\s(?:mono|di|tri|tetra|penta|hexa|hepta|octa|nona|deca)?hydrate)?(?![\w-])",
        re.IGNORECASE,
    )


_ALLOYING = "Cr|Mo|Ni|Mn|Si|Co|Cu|Al|Ti|Nb|Pb|V|W|B|S"
# Designations of steels and engineering alloys, which name a material without a formula:
# EN 10027 ('50CrMo4', '41NiCrMo7-3-2', 'X5CrNi18-10', '100Cr6'), AISI/SAE/JIS/UNS numbers
# ('AISI 304', 'SAE 1045', 'SUS316L'), aluminium alloys ('AA2024-T3'), nickel superalloys
# ('Inconel 718', 'Hastelloy C-276') and '316L stainless steel'.
_GRADE = re.compile(
    r"(?<![\w\-.])(?:"
    rf"X?\d{{1,3}}(?:(?:{_ALLOYING})+\d{{1,3}}(?:[.,]\d{{1,2}})?)+(?:{_ALLOYING})*(?:-\d{{1,2}}){{0,3}}"
    r"|(?:AISI|SAE|JIS|UNS|SUS)[\s-]?[A-Z]?\d{3,5}[A-Z]{0,2}"
    r"|AA\s?[1-8]\d{3}(?:-T\d{1,4})?"
    r"|(?:Inconel|Incoloy|Hastelloy|Monel|Nimonic|Waspaloy|Haynes)\s(?:alloy\s)?[A-Z]?-?\d{2,4}[A-Z]?"
    r"|\d{3}[LH]?\s(?:austenitic\s)?(?:stainless\s)?steel"
    r")(?![\w\-])"
)


def is_alloy_grade(text: str) -> bool:
    return _GRADE.fullmatch(text) is not None


def find_alloy_grades(text: str) -> list["NameMatch"]:
    """Steel and alloy designations ('50CrMo4', 'AISI 304', 'Inconel 718'): materials without a formula."""
    return [NameMatch(m.start(), m.end(), m.group(0), None) for m in _GRADE.finditer(text)]


@dataclass(frozen=True)
class NameMatch:
    start: int
    end: int
    text: str
    formula: str | None


def find_material_names(text: str) -> list[NameMatch]:
    """Common names ('hematite', 'zinc oxide', 'silicon') and abbreviations ('CZTS', 'BFO')."""
    found = []
    for m in _compound_name_pattern().finditer(text):
        found.append(NameMatch(m.start(), m.end(), m.group(0), material_names().get(m.group(0).lower())))
    for m in _name_pattern().finditer(text):
        if any(f.start <= m.start(1) < f.end for f in found):
            continue
        found.append(NameMatch(m.start(1), m.end(), m.group(0), material_names()[m.group(1).lower()]))
    for m in _abbreviation_pattern().finditer(text):
        # a word's plural is part of the name ('polyamides'); an acronym's is not ('PANIs')
        end = m.end() if m.group(1).islower() else m.end(1)
        found.append(NameMatch(m.start(1), end, text[m.start(1) : end], _abbreviations()[m.group(1)]))
    for grade in find_alloy_grades(text):
        # '316L stainless steel' is one material, not the class noun 'stainless steel'
        found = [f for f in found if not (grade.start <= f.start and f.end <= grade.end)]
        if not any(f.start < grade.end and grade.start < f.end for f in found):
            found.append(grade)
    return sorted(found, key=lambda n: (n.start, n.start - n.end))  # the longest name first


def formula_for_name(name: str) -> str | None:
    return material_names().get(name.strip().lower()) or _abbreviations().get(name.strip())


__all__ = ["NameMatch", "find_alloy_grades", "is_alloy_grade", "find_material_names", "formula_for_name", "material_names"]
