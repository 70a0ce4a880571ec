"""Chemical formulas as written in papers: the full parser.

Papers write formulas pymatgen cannot read directly: variables (`Ba1-xSrxTiO3`, `SrTiO3-δ`),
fractions (`Li(Ni1/3Mn1/3Co1/3)O2`), hydrate dots (`CuSO4·5H2O`), charges (`Fe3+`), shared sites
(`(Ga,Mn)As`, `(Sr,Ca)2CuO2Cl2`), family placeholders (`R2Ti2O7`, `Co1-xMxO2`), unicode minus
signs and subscripts. `parse_formula` reads all of these with a small recursive-descent parser,
substitutes variables whose values the sentence states (`x = 0.3`), and hands numeric
compositions to pymatgen's `Composition` for the reduced formula used in comparisons.

    parse_formula("Ba1-xSrxTiO3", {"x": 0.3}).formula   # 'Ba0.7Sr0.3TiO3'
    parse_formula("CuSO4·5H2O").elements                 # ['Cu', 'H', 'O', 'S']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from textmine.chemistry.elements import element_symbols

# Variables allowed inside amounts: x, y, z, δ, ε, w (n and m would clash with element symbols).


@dataclass
class ParsedFormula:
    text: str  # as written
    formula: str = ""  # normalised: written element order, decimals, known variables substituted
    elements: list[str] = field(default_factory=list)  # sorted symbols of real elements
    composition: dict[str, float] | None = None  # None while a variable, placeholder or shared site is open
    charge: int = 0
    variables: list[str] = field(default_factory=list)  # unresolved variables (x, δ) and placeholders (R, M)

    @property
    def reduced_formula(self) -> str | None:
        """pymatgen's reduced formula (element order by electronegativity), for comparisons."""
        if not self.composition:
            return None
        from pymatgen.core import Composition  # only here: parsing itself needs no pymatgen

        return Composition(self.composition).reduced_formula


class FormulaError(ValueError):
    """Text that is not a chemical formula."""


# --- pre-normalisation -----------------------------------------------------------------------

SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋", "0123456789+-")
_SUPERSCRIPT_CHARGE = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_DASHES = str.maketrans({"−": "-", "–": "-", "‐": "-", "‑": "-", "—": "-"})
# A full stop is not read as a hydrate dot: 'CuSO4.5H2O' clashes with decimals ('La0.7Sr0.3').
_HYDRATE_DOT = re.compile(r"\s*[·•⋅∙*]\s*")
_OXIDATION_STATE = re.compile(r"\((?:I{1,3}|IV|V|VI{1,3})\)")
_CHARGE = re.compile(r"(?:\^?\{?(\d*)([+-])\}?|\((\d*)([+-])\))$")
_SPACES = re.compile(r"\s+")
# Organic cations of hybrid perovskites, written as abbreviations.
_CATION_ABBREVIATIONS = [
    (re.compile(r"^MA(?=(?:Pb|Sn|Ge|Bi))"), "CH3NH3"),
    (re.compile(r"^FA(?=(?:Pb|Sn|Ge|Bi))"), "CH(NH2)2"),
    (re.compile(r"^GA(?=(?:Pb|Sn))"), "C(NH2)3"),
]


def _prenormalise(text: str) -> tuple[str, int]:
    """Unicode, charges and oxidation states out; returns (formula text, charge)."""
    s = text.strip().translate(SUBSCRIPTS).translate(_DASHES)
    charge = 0
    sup = re.search(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]*[⁺⁻]$", s)
    if sup:
        raw = sup.group(0).translate(_SUPERSCRIPT_CHARGE)
        charge = int(raw[:-1] or 1) * (1 if raw[-1] == "+" else -1)
        s = s[: sup.start()]
    s = _OXIDATION_STATE.sub("", s)
    s = s.translate(_SUPERSCRIPT_CHARGE)
    s = _SPACES.sub("", s)
    for pattern, replacement in _CATION_ABBREVIATIONS:
        s = pattern.sub(replacement, s)
    return s, charge


# --- the parser ------------------------------------------------------------------------------

_NUMBER = r"(?:\d+(?:\.\d+)?|\.\d+)"
_TERM = rf"(?:{_NUMBER}(?:/\d+)?[xyzδεw]?|[xyzδεw])"
_AMOUNT = re.compile(rf"{_TERM}(?:[-+]{_TERM})*")


@dataclass
class _Atom:
    symbol: str
    amount: str  # as written ('' for 1)


@dataclass
class _Group:
    items: list["_Atom | _Group"]
    amount: str
    brackets: str = "()"
    shared_site: bool = False  # '(Sr,Ca)': elements sharing one site in unknown proportion


# Symbols papers use for 'any element of a family' in general formulas: R2Ti2O7, ABO3, Co1-xMxO2.
# 'B' is boron (BN, MgB2, LaB6), not a placeholder: in 'ABO3' the A site keeps the formula open.
PLACEHOLDERS = ("RE", "Ln", "TM", "Me", "M", "A", "R", "X")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> list[tuple[str, list[_Atom | _Group]]]:
        """Parts separated by hydrate dots: [(coefficient, items), ...]."""
        parts = []
        for chunk in _split_hydrate(self.text):
            coefficient = ""
            m = re.match(rf"{_NUMBER}(?:/\d+)?|[xyzn](?=[A-Z(])", chunk) if parts else None
            if m:
                coefficient, chunk = m.group(0), chunk[m.end():]
            self.text, self.pos = chunk, 0
            items = self._items(closing=None)
            if self.pos != len(self.text) or not items:
                raise FormulaError(f"not a formula: {chunk!r}")
            parts.append((coefficient, items))
        return parts

    def _items(self, closing: str | None) -> list[_Atom | _Group]:
        items: list[_Atom | _Group] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if closing and ch == closing:
                return items
            if ch in "([{":
                close = {"(": ")", "[": "]", "{": "}"}[ch]
                sites = _SHARED_SITE.match(self.text, self.pos + 1)
                if sites and self.text[sites.end() : sites.end() + 1] == close:
                    symbols = re.split(r"\s?,\s?", sites.group(0))
                    if all(sym in element_symbols() or sym in PLACEHOLDERS for sym in symbols):
                        self.pos = sites.end() + 1
                        atoms: list[_Atom | _Group] = [_Atom(sym, "?") for sym in symbols]
                        items.append(_Group(atoms, self._amount(), ch + close, shared_site=True))
                        continue
                self.pos += 1
                inner = self._items(closing=close)
                if self.pos >= len(self.text) or self.text[self.pos] != close or not inner:
                    raise FormulaError(f"unbalanced bracket in {self.text!r}")
                self.pos += 1
                items.append(_Group(inner, self._amount(), ch + close))
            elif ch.isupper():
                items.append(_Atom(self._symbol(), self._amount()))
            else:
                raise FormulaError(f"unexpected {ch!r} in {self.text!r}")
        if closing:
            raise FormulaError(f"missing {closing!r} in {self.text!r}")
        return items

    def _symbol(self) -> str:
        two = self.text[self.pos : self.pos + 2]
        if len(two) == 2 and two[1].islower() and two in element_symbols():
            self.pos += 2
            return two
        one = self.text[self.pos]
        if one in element_symbols():
            self.pos += 1
            return one
        for placeholder in PLACEHOLDERS:
            following = self.text[self.pos + len(placeholder) : self.pos + len(placeholder) + 1]
            if self.text.startswith(placeholder, self.pos) and not (following.islower() and following not in "xyzδεw"):
                self.pos += len(placeholder)
                if self.text[self.pos : self.pos + 1] == "′":  # 'M′', a second site of the family: as open as 'M'
                    self.pos += 1
                return placeholder
        raise FormulaError(f"no element {two!r} in {self.text!r}")

    def _amount(self) -> str:
        m = _AMOUNT.match(self.text, self.pos)
        if not m:
            return ""
        amount = m.group(0)
        # A trailing '-'/'+' with nothing after it is a charge, not part of the amount.
        self.pos = m.end()
        return amount


_SHARED_SITE = re.compile(r"[A-Z][a-z]?(?:\s?,\s?[A-Z][a-z]?)+")


def _split_hydrate(text: str) -> list[str]:
    return [p for p in _HYDRATE_DOT.split(text) if p]


def _evaluate(amount: str, variables: dict[str, float]) -> float | None:
    """'1-x' with x=0.3 -> 0.7; None when a variable is unknown."""
    if amount == "?":
        return None  # a shared site: proportions not given
    if not amount:
        return 1.0
    total = 0.0
    for sign, term in re.findall(rf"([-+]?)({_TERM})", amount):
        m = re.fullmatch(rf"({_NUMBER}(?:/\d+)?)?([xyzδεw])?", term)
        if not m:
            return None
        number, variable = m.groups()
        if number and "/" in number:
            num, den = number.split("/")
            value = float(num) / float(den)
        else:
            value = float(number) if number else 1.0
        if variable:
            if variable not in variables:
                return None
            value *= variables[variable]
        total += -value if sign == "-" else value
    return total


def _format_number(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return "" if round(value) == 1 else str(int(round(value)))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _render_amount(amount: str, variables: dict[str, float]) -> str:
    value = _evaluate(amount, variables)
    if value is not None:
        return _format_number(value)
    # Unresolved: keep as written, fractions to decimals so '1/3' and '0.333' read alike.
    return re.sub(r"(\d+)/(\d+)", lambda m: _format_number(int(m.group(1)) / int(m.group(2))) or "1", amount)


def _render(items: list[_Atom | _Group], variables: dict[str, float], top: bool) -> str:
    out = []
    for item in items:
        if isinstance(item, _Atom):
            out.append(item.symbol + _render_amount(item.amount, variables))
        elif item.shared_site:
            sites = ",".join(atom.symbol for atom in item.items if isinstance(atom, _Atom))
            out.append(f"({sites}){_render_amount(item.amount, variables)}")
        else:
            inner = _render(item.items, variables, top=False)
            amount = _render_amount(item.amount, variables)
            # '(Bi0.5Na0.5)TiO3' is 'Bi0.5Na0.5TiO3': brackets without a multiplier carry nothing.
            out.append(inner if not amount else f"({inner}){amount}")
    return "".join(out)


def _accumulate(
    items: list[_Atom | _Group], multiplier: float, variables: dict[str, float], into: dict[str, float]
) -> bool:
    """Add element amounts to `into`; False when some amount has an unknown variable."""
    complete = True
    for item in items:
        value = _evaluate(item.amount, variables)
        if value is None:
            complete = False
            value = 0.0
        if isinstance(item, _Atom):
            if item.symbol in PLACEHOLDERS:
                complete = False  # 'R2Ti2O7' has no composition until R is named
            into[item.symbol] = into.get(item.symbol, 0.0) + multiplier * value
        else:
            complete &= _accumulate(item.items, multiplier * value, variables, into)
    return complete


def _symbols_in(items: list[_Atom | _Group]) -> set[str]:
    found: set[str] = set()
    for item in items:
        if isinstance(item, _Atom):
            found |= {item.symbol} if item.symbol not in PLACEHOLDERS else set()
        else:
            found |= _symbols_in(item.items)
    return found


def _placeholders_in(parts: list[tuple[str, list[_Atom | _Group]]]) -> set[str]:
    found: set[str] = set()

    def walk(items: list[_Atom | _Group]) -> None:
        for item in items:
            if isinstance(item, _Atom):
                if item.symbol in PLACEHOLDERS:
                    found.add(item.symbol)
            else:
                walk(item.items)

    for _, items in parts:
        walk(items)
    return found


def _variables_in(text: str) -> list[str]:
    return sorted(set(re.findall(r"[xyzδεw]", text)))


@functools.lru_cache(maxsize=8192)
def _parse_cached(text: str, variables_key: tuple[tuple[str, float], ...]) -> ParsedFormula:
    variables = dict(variables_key)
    cleaned, charge = _prenormalise(text)
    m = _CHARGE.search(cleaned)
    if m and cleaned:
        body = cleaned[: m.start()]
        # 'Fe3+' and 'O2-' are ions; 'Ba1-x' is not (the parser handles the amount).
        if body and (body[-1].isalpha() or body[-1] in ")]" or body[-1].isdigit()):
            digits = m.group(1) if m.group(1) is not None else m.group(3)
            sign = m.group(2) or m.group(4)
            try:
                _Parser(body).parse()
                ok = True
            except FormulaError:
                ok = False
            if ok:
                charge = int(digits or 1) * (1 if sign == "+" else -1)
                cleaned = body
    parts = _Parser(cleaned).parse()
    composition: dict[str, float] = {}
    complete = True
    rendered = []
    symbols: set[str] = set()
    for coefficient, items in parts:
        multiplier = _evaluate(coefficient, variables)
        if multiplier is None:
            complete, multiplier = False, 0.0
        complete &= _accumulate(items, multiplier, variables, composition)
        symbols |= _symbols_in(items)
        rendered.append(_render_amount(coefficient, variables) + _render(items, variables, top=True))
    if not symbols:
        raise FormulaError(f"no element in {text!r}")
    if complete and not any(v > 1e-9 for v in composition.values()):
        raise FormulaError(f"zero amounts in {text!r}")  # 'Li0' in 'Li/Li0
    unresolved = [v for v in _variables_in(cleaned) if v not in variables] + sorted(_placeholders_in(parts))
    return ParsedFormula(
        text=text,
        formula="·".join(rendered),
        elements=sorted(symbols),
        composition={k: round(v, 6) for k, v in composition.items() if v > 1e-9} if complete else None,
        charge=charge,
        variables=unresolved,
    )


def parse_formula(text: str, variables: dict[str, float] | None = None) -> ParsedFormula:
    """Parse a formula as written; raises FormulaError when `text` is not one.

    `variables` gives values for x, y, δ... stated elsewhere (see `variables_in_text`).
    """
    if not text or not text.strip():
        raise FormulaError("empty formula")
    key = tuple(sorted((variables or {}).items()))
    return _parse_cached(text, key)


_VARIABLE_ASSIGNMENT = re.compile(
    r"(?<![\w])([xyzδ])\s*=\s*(\d*\.?\d+)(?!\s*(?:[,–−-]|and|to|\d|%|\.\d))"
)


def variables_in_text(text: str) -> dict[str, float]:
    """Single-valued assignments like 'x = 0.3' (lists 'x = 0, 0.1 and 0.2' are left out)."""
    found: dict[str, float] = {}
    for m in _VARIABLE_ASSIGNMENT.finditer(text):
        var, value = m.group(1), float(m.group(2))
        if var in found and found[var] != value:
            found.pop(var)  # two different values: we cannot tell which applies
            continue
        found[var] = value
    return found



__all__ = ["FormulaError", "PLACEHOLDERS", "SUBSCRIPTS", "ParsedFormula", "parse_formula", "variables_in_text"]
