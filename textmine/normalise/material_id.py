"""A stable identity for a material, that linking, datasets and prediction key on.

    material_key("TiO2", "anatase TiO2")      # ('TiO2', ('anatase',))
    material_id("TiO2", "anatase TiO2")       # 'f6f5c0...' (16 hex digits)

The key is the normalised composition (pymatgen's reduced formula: `Ti2O4` and `TiO2` are one
material, elements in a fixed order) plus the qualifiers the mention gives: a phase or polymorph
label (`anatase`, `α`, `2H`, `1T'`, `h-`, `wurtzite`, `cubic`) or a dimensionality (`monolayer`).
Spelled-out Greek prefixes become letters (`alpha-Fe2O3` and `α-Fe2O3` are one material). A
mention without a parseable formula ('graphene', 'P3HT') is keyed by its normalised text.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "kappa": "κ", "lambda": "λ", "omega": "ω", "sigma": "σ", "chi": "χ",
}
_GREEK_LETTERS = "αβγδεζηθκλωσχ"
# Words that tell polymorphs or forms of one composition apart. Class nouns that merely describe
# the composition ('MAPbI3 perovskite', 'a garnet') are not qualifiers.
PHASE_WORDS = (
    "anatase", "rutile", "brookite", "wurtzite", "zinc blende", "zincblende", "zinc-blende", "rocksalt", "rock-salt",
    "rock salt", "kesterite", "stannite", "hematite", "maghemite", "cubic", "tetragonal", "hexagonal", "orthorhombic", "monoclinic", "triclinic", "trigonal",
    "rhombohedral", "amorphous", "monolayer", "bilayer", "trilayer", "single-layer", "few-layer",
)
_PHASE_WORD = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(PHASE_WORDS, key=len, reverse=True)) + r")(?![\w])", re.I)
_SPELLED_GREEK = re.compile(r"(?<![A-Za-z])(" + "|".join(GREEK) + r")(?=[-\s]?[A-Z(])", re.I)
# '1T'-MoTe2', '2H-MoS2', '4H-SiC', 'h-BN', 'c-BN', 'α-Fe2O3', 'γ-Al2O3'
_PREFIX = re.compile(rf"(?<![\w])(\d[HTRC]['′’]?|[{_GREEK_LETTERS}]|[hcwtmoa])[-‐–]?(?=[A-Z(])")
_SAME_WORD = {"zincblende": "zinc blende", "zinc-blende": "zinc blende", "rock-salt": "rocksalt", "rock salt": "rocksalt",
              "single-layer": "monolayer"}
_PREFIX_WORD = {"h": "hexagonal", "c": "cubic", "w": "wurtzite", "t": "tetragonal", "m": "monoclinic",
                "o": "orthorhombic", "a": "amorphous"}


def qualifiers(text: str) -> tuple[str, ...]:
    """Phase, polymorph and form labels a mention gives, normalised and sorted."""
    if not text:
        return ()
    text = unicodedata.normalize("NFC", text)
    text = _SPELLED_GREEK.sub(lambda m: GREEK[m.group(1).lower()], text)
    found: set[str] = set()
    for m in _PHASE_WORD.finditer(text):
        word = m.group(1).lower()
        found.add(_SAME_WORD.get(word, word))
    for m in _PREFIX.finditer(text):
        label = m.group(1).replace("′", "'").replace("’", "'")
        found.add(_PREFIX_WORD.get(label, label))
    return tuple(sorted(found))


@functools.lru_cache(maxsize=65536)
def normalised_composition(formula: str | None) -> str | None:
    """The reduced formula of `formula` ('Ti2O4' -> 'TiO2'), or None when it does not parse."""
    if not formula:
        return None
    try:
        from pymatgen.core import Composition

        composition = Composition(formula)
        if not composition.elements:
            return None
        return composition.reduced_formula
    except Exception:  # noqa: BLE001 - pymatgen raises several types for non-formulas ('x', 'RE')
        return None


def material_key(formula: str | None, text: str = "", extra_qualifiers: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...]]:
    composition = normalised_composition(formula)
    if composition is None:
        composition = "name:" + re.sub(r"[\s\-‐–_]+", " ", (formula or text or "").strip().lower())
    return composition, tuple(sorted({*qualifiers(text), *extra_qualifiers}))


@functools.lru_cache(maxsize=65536)
def material_id(formula: str | None, text: str = "", extra_qualifiers: tuple[str, ...] = ()) -> str:
    """16 hex digits of SHA-1 over the material key: the same composition and qualifiers, the same id."""
    composition, quals = material_key(formula, text, extra_qualifiers)
    key = composition + ("|" + ",".join(quals) if quals else "")
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


__all__ = ["material_id", "material_key", "normalised_composition", "qualifiers", "PHASE_WORDS", "GREEK"]
