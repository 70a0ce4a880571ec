"""Matscholar-style token normalisation, so raw text looks like the training corpus.

The Matscholar NER corpus (Weston et al. 2019) was written by the mat2vec text processor:
numbers become ``<nUm>`` (except crystal directions such as ``( 111 )``), simple formulae are
rewritten with elements in alphabetical order and integer stoichiometry (``SiO2`` -> ``O2Si``,
``Ni0.5Fe0.5`` -> ``FeNi``), element names and Title-case words are lowercased while acronyms,
element symbols and units keep their case, and accents are stripped from tokens longer than one
character (``α-Fe2O3`` -> ``a-Fe2O3``). This module re-implements those rules without the
mat2vec / ChemDataExtractor / pymatgen stack so that inference needs only the standard library.
The formula rules themselves (`is_simple_formula`, `normalise_formula`) and the element tables
live in `textmine.chemistry` with the project's other formula recognisers.

Normalisation is token-wise and never changes the number of tokens, so a tag predicted for a
normalised token belongs to the raw token at the same index.
"""

from __future__ import annotations

import re
import unicodedata

from textmine.chemistry.elements import ELEMENT_NAME_SET, ELEMENT_NAMES, ELEMENT_SET, ELEMENTS
from textmine.chemistry.tokens import is_simple_formula, normalise_formula
from textmine.chemistry.tokens import parse_simple_formula as parse_formula

NUM_TOKEN = "<nUm>"

# Units whose case the mat2vec processor preserves (a subset that matters: single letters and
# Title-case units that would otherwise be lowercased).
PRESERVED_UNITS = frozenset(
    """K h V wt wt. MHz kHz GHz Hz T MPa GPa at. N A L J Torr Oe kOe eV keV MeV GeV Å HV Da kDa
    Gy Mrad ML W Ω MΩ kΩ""".split()
)

_NUMBER = re.compile(r"^[+-]?\d*\.?\d+\(?\d*\)?$")
_ELEMENT_DIRECTION = re.compile(r"^(" + "|".join(ELEMENTS) + r")\(\d{3,4}\)")

# unidecode-style transliteration for the characters that occur inside materials tokens.
_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ",
        [
            "a", "b", "g", "d", "e", "z", "e", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s",
            "t", "u", "ph", "kh", "ps", "o",
            "A", "B", "G", "D", "E", "Z", "E", "Th", "I", "K", "L", "M", "N", "X", "O", "P", "R", "S",
            "T", "U", "Ph", "Kh", "Ps", "O",
        ],
    )
)
_SYMBOLS = {"–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'", "“": '"', "”": '"',
            "°": "deg", "×": "x", "·": ".", "µ": "m", "Å": "A", "ς": "s"}


def is_number(token: str) -> bool:
    return bool(_NUMBER.match(token.replace(",", "")))


def is_element(token: str) -> bool:
    return token in ELEMENT_SET


def remove_accents(token: str) -> str:
    """ASCII transliteration of a token longer than one character (single symbols are kept)."""
    if len(token) <= 1 or token.isascii():
        return token
    out = []
    for ch in token:
        if ch.isascii():
            out.append(ch)
        elif ch in _GREEK:
            out.append(_GREEK[ch])
        elif ch in _SYMBOLS:
            out.append(_SYMBOLS[ch])
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
            out.append(stripped if stripped.isascii() and stripped else ch)
    return "".join(out)


def normalise_token(token: str, prev: str | None = None, next_: str | None = None) -> str:
    if not token:
        return token
    if is_number(token):
        if (prev == "(" and next_ == ")") or (prev == "〈" and next_ == "〉"):
            return remove_accents(token)
        return NUM_TOKEN
    if token in ELEMENT_NAME_SET:
        return token.lower()
    if is_simple_formula(token):
        return remove_accents(normalise_formula(token))
    if (
        (len(token) == 1 or (token[0].isupper() and token[1:].islower()))
        and token not in ELEMENT_SET
        and token not in PRESERVED_UNITS
        and not _ELEMENT_DIRECTION.match(token)
    ):
        token = token.lower()
    return remove_accents(token)


def normalise_tokens(tokens: list[str]) -> list[str]:
    """Matscholar normalisation of one sentence; the output has exactly one string per input token."""
    n = len(tokens)
    return [
        normalise_token(tok, tokens[i - 1] if i > 0 else None, tokens[i + 1] if i + 1 < n else None)
        for i, tok in enumerate(tokens)
    ]


def looks_normalised(tokens: list[str]) -> bool:
    """Heuristic: is this token list already Matscholar-normalised (so must not be normalised again)?

    Normalised text has ``<nUm>`` and no raw numbers; it never contains a Title-case word that is
    neither an element symbol nor a preserved unit; its formulae are already in alphabetical order.
    """
    if any(t == NUM_TOKEN for t in tokens):
        return True
    for i, tok in enumerate(tokens):
        if is_number(tok):
            prev = tokens[i - 1] if i > 0 else None
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if not (prev == "(" and nxt == ")"):
                return False
        if len(tok) > 1 and tok[0].isupper() and tok[1:].islower() and tok not in ELEMENT_SET \
                and tok not in PRESERVED_UNITS and tok not in ELEMENT_NAME_SET:
            return False
        if is_simple_formula(tok) and normalise_formula(tok) != tok:
            return False
    return True


__all__ = [
    "ELEMENTS", "ELEMENT_NAMES", "ELEMENT_NAME_SET", "ELEMENT_SET", "NUM_TOKEN", "PRESERVED_UNITS", "is_element",
    "is_number", "is_simple_formula", "looks_normalised", "normalise_formula", "normalise_token", "normalise_tokens",
    "parse_formula", "remove_accents",
]
