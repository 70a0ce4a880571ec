"""Is this one token a formula? The two token-level recognisers (standard library only).

- `is_formula`: what the tokenizer keeps whole (`La0.7Sr0.3MnO3`, `Ba1-xSrxTiO3`, `CuSO4·5H2O`,
  `Fe3+`): a regular expression over element-symbol groups with counts, variables, brackets,
  hydrates and charges, made of real element symbols.
- `is_simple_formula` / `normalise_formula` / `parse_simple_formula`: the mat2vec rules the
  Matscholar NER corpus was written with: a multi-element formula with numeric amounts is
  rewritten with elements in alphabetical order and integer stoichiometry (`SiO2` -> `O2Si`).
  They must stay exactly as the corpus's processor behaved, or the NER model sees other inputs.

Finding formulas in running text and parsing them in full (variables, shared sites, placeholders,
charges; pymatgen compositions) is `textmine.chemistry.find` and `textmine.chemistry.formula`.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache
from math import gcd

from textmine.chemistry.elements import ELEMENT_SET

# --- the tokenizer's recogniser ---------------------------------------------------------------

# An element symbol, optionally followed by a count (integer, decimal, fraction or variable expr).
_EL = r"(?:[A-Z][a-z]?)"
_COUNT = r"(?:\d+(?:\.\d+)?(?:/\d+)?|[xyzδ](?:[+\-]\d*\.?\d*)?|\d*(?:\.\d+)?[+\-±][xyzδ])?"
_GROUP = rf"(?:{_EL}{_COUNT}|\((?:{_EL}{_COUNT})+\){_COUNT}|\[(?:{_EL}{_COUNT})+\]{_COUNT})"
# Whole formula: two or more groups (or one element with a count), optional hydrate and charge.
_FORMULA_BODY = rf"(?:\d*{_GROUP}{{2,}}|{_EL}\d+(?:\.\d+)?)(?:[·•∙⋅*]\d*(?:\.\d+)?{_GROUP}+)*(?:\d*[+\-−]|\d*[+\-−]\d*)?"
FORMULA = re.compile(rf"^{_FORMULA_BODY}$")
# A formula opening with a bracket, "(Bi0.5Na0.5)TiO3,": its "(" is not a prefix to split off.
BRACKETED_FORMULA = re.compile(rf"^({_FORMULA_BODY})[,.;:!?]*$")
_SYMBOLS = re.compile(r"[A-Z][a-z]?")


def is_formula(text: str) -> bool:
    """True for a token that reads as a chemical formula made of real element symbols."""
    if len(text) < 2 or not FORMULA.match(text):
        return False
    symbols = _SYMBOLS.findall(text)
    return bool(symbols) and all(s in ELEMENT_SET for s in symbols) and (len(symbols) > 1 or any(c.isdigit() for c in text))


# --- the Matscholar (mat2vec) recogniser ------------------------------------------------------

_VALENCE_INFO = re.compile(r"(II+|^IV$|^VI$|\(IV\)|\(V?I{0,3}\))")
_FORMULA_PART = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)|(\()|(\))(\d*\.?\d*)")
_DIATOMIC = frozenset({"O2", "N2", "Cl2", "F2", "H2"})


@lru_cache(maxsize=65536)
def parse_simple_formula(text: str) -> dict[str, Fraction] | None:
    """Element amounts of a simple formula such as 'LiFePO4' or 'Ca3(PO4)2'; None if not one."""
    stack: list[dict[str, Fraction]] = [{}]
    pos = 0
    while pos < len(text):
        m = _FORMULA_PART.match(text, pos)
        if not m or m.end() == pos:
            return None
        pos = m.end()
        if m.group(1):
            if m.group(1) not in ELEMENT_SET:
                return None
            amount = _amount(m.group(2))
            if amount is None:
                return None
            stack[-1][m.group(1)] = stack[-1].get(m.group(1), Fraction(0)) + amount
        elif m.group(3):
            stack.append({})
        else:
            if len(stack) == 1:
                return None
            amount = _amount(m.group(5))
            if amount is None:
                return None
            inner = stack.pop()
            for el, n in inner.items():
                stack[-1][el] = stack[-1].get(el, Fraction(0)) + n * amount
    if len(stack) != 1 or not stack[0]:
        return None
    return stack[0]


def _amount(text: str) -> Fraction | None:
    if not text:
        return Fraction(1)
    if text == ".":
        return None
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


def is_simple_formula(token: str) -> bool:
    """True for multi-element formulae written with digits or lowercase letters (IrMn, LiFePO4).

    All-capital abbreviations (BN, XRD) and roman-numeral valences (Fe(II), IV) are excluded, as
    the mat2vec processor excludes them.
    """
    if _VALENCE_INFO.search(token):
        return False
    if not any(c.isdigit() or c.islower() for c in token):
        return False
    if token in _DIATOMIC:
        return True
    amounts = parse_simple_formula(token)
    if amounts is None or len(amounts) < 2:
        return False
    return all(v > 0 for v in amounts.values())


def normalise_formula(token: str, max_denominator: int = 1000) -> str:
    """Alphabetical elements, smallest integer stoichiometry: 'SiO2' -> 'O2Si', 'Ni0.5Fe0.5' -> 'FeNi'."""
    amounts = parse_simple_formula(token)
    if not amounts:
        return token
    fracs = {el: Fraction(v).limit_denominator(max_denominator) for el, v in amounts.items()}
    denom = 1
    for f in fracs.values():
        denom = denom * f.denominator // gcd(denom, f.denominator)
    ints = {el: int(f * denom) for el, f in fracs.items()}
    g = 0
    for n in ints.values():
        g = gcd(g, n)
    g = g or 1
    out = []
    for el in sorted(ints):
        n = ints[el] // g
        if n > 1:
            out.append(f"{el}{n}")
        elif n == 1:
            out.append(el)
    return "".join(out)


__all__ = ["BRACKETED_FORMULA", "FORMULA", "is_formula", "is_simple_formula", "normalise_formula", "parse_simple_formula"]
