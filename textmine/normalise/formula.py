"""Chemical formulas as written in papers: parse, normalise, detect.

Papers write formulas pymatgen cannot read directly: variables (`Ba1-xSrxTiO3`, `SrTiO3-δ`),
fractions (`Li(Ni1/3Mn1/3Co1/3)O2`), hydrate dots (`CuSO4·5H2O`), charges (`Fe3+`), shared sites
(`(Ga,Mn)As`, `(Sr,Ca)2CuO2Cl2`), family placeholders (`R2Ti2O7`, `Co1-xMxO2`), unicode minus
signs and subscripts. `parse_formula` reads all of these with a small recursive-descent parser,
substitutes variables whose values the sentence states (`x = 0.3`), and hands numeric
compositions to pymatgen's `Composition` for the reduced formula used in comparisons.

    parse_formula("Ba1-xSrxTiO3", {"x": 0.3}).formula   # 'Ba0.7Sr0.3TiO3'
    parse_formula("CuSO4·5H2O").elements                 # ['Cu', 'H', 'O', 'S']

`find_formulas` detects formula tokens in text with few false positives (not 'In', 'XRD', 'MHz',
'S1', 'Fm3'); `find_material_names` finds common names ('hematite', 'gallium oxide') and
abbreviations listed in `textmine/ontology/material_names.yaml`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

import yaml
from pymatgen.core import Composition, Element

# Variables allowed inside amounts: x, y, z, δ, ε, w (n and m would clash with element symbols).


@functools.lru_cache(maxsize=1)
def element_symbols() -> frozenset[str]:
    # pymatgen also knows the isotopes D and T; in text they are almost always abbreviations.
    # Beyond bismuth only the actinides used in materials; 'Fm3' is a space group, 'No' a word.
    return frozenset(
        e.symbol for e in Element if e.symbol not in ("D", "T") and (e.Z <= 83 or e.symbol in ("Th", "U", "Pu"))
    )


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
        return Composition(self.composition).reduced_formula


class FormulaError(ValueError):
    """Text that is not a chemical formula."""


# --- pre-normalisation -----------------------------------------------------------------------

_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋", "0123456789+-")
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
    s = text.strip().translate(_SUBSCRIPTS).translate(_DASHES)
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
PLACEHOLDERS = ("RE", "Ln", "TM", "Me", "M", "A", "B", "R", "X")


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


# --- detection -------------------------------------------------------------------------------

# A candidate: starts with an element-like capital or a bracket, made of formula characters.
_SITE_ALLOY = re.compile(r"(?<![\w])\((?P<sites>[A-Z][a-z]?(?:,\s?[A-Z][a-z]?)+)\)(?P<rest>[A-Z][A-Za-z0-9.]*[A-Za-z0-9])")
_PHASE_PREFIX = r"(?:[αβγδεθκλ]|[ahotcmgrnp]|hex|cub|tet|ortho|mono|am|[0-3]D)-"
_CANDIDATE = re.compile(
    r"(?<![\w\-/])"
    rf"(?P<prefix>{_PHASE_PREFIX})?"
    r"(?:\d{0,2}(?=[A-Z(\[]))?"
    r"[A-Z(\[][A-Za-z0-9().\[\]/+\-−–·•⋅δεxyz₀-₉]*"
    r"(?<![\-−–.(/·•⋅])"
)
# Words that parse as formulas but are English, units or Roman numerals when standing alone.
_AMBIGUOUS_WORDS = frozenset(
    "In As At Be He No Am Es Is I O K B C N P S U V W Y H F Pa Ga Bi Co Ho Ca Ce Sc Nb Mo Cs Pb "
    "Tc Pm Cm Bk Po Np".split()  # Tc, Pm, Np: critical temperature, pm, nanoparticles
)
# Element symbols that are fine materials on their own when written as a subject ("Fe", "Ni").
_METALS_ALONE = frozenset(
    "Fe Co Ni Cu Zn Gd Mn Cr Ti Al Mg Si Ge Ag Au Pt Pd Nb Mo Ta Sn Pb Bi Dy Tb Er Ho Nd Sm Eu Ce "
    "La Pr Yb Tm Lu Ru Rh Ir Os Re Hf Zr Sc Ga Li Na Cs Rb Sr Ba Ca Se Te Sb".split()
)
# Formulas written in capitals only that are real compounds; other all-caps tokens are acronyms.
_CAPITAL_FORMULAS = frozenset("BN WC VC VN CO NO KI KF KBr HF BP".split())


_UNIT_TOKEN = re.compile(r"[fpnuµμmkMGT]?(?:Hz|Pa|eV|Oe|Wb|Wh|Ah|W|V|A|J|S|F|T|K|N|C|L|Ω)")


@dataclass(frozen=True)
class FormulaMatch:
    start: int
    end: int
    text: str
    parsed: ParsedFormula


def looks_like_formula(token: str) -> bool:
    """Whether `token` reads as a chemical formula rather than a word, unit or acronym."""
    return _formula_or_none(token) is not None


def _formula_or_none(token: str, variables: dict[str, float] | None = None) -> ParsedFormula | None:
    stripped = token.strip()
    if len(stripped) < 1 or len(stripped) > 80:
        return None
    bare = stripped.strip("()[]")
    if not bare or not bare[0].isupper() and bare[0] not in "0123456789":
        return None
    if stripped in _AMBIGUOUS_WORDS and stripped not in _METALS_ALONE:
        return None
    letters = re.sub(r"[^A-Za-z]", "", stripped)
    has_digit = any(ch.isdigit() for ch in stripped.translate(_SUBSCRIPTS))
    if not has_digit and letters.isupper() and len(letters) >= 2 and stripped not in _CAPITAL_FORMULAS:
        return None  # XRD, SEM, BFO, PZT, II, IV
    if re.fullmatch(r"[A-Z]{2,}s", stripped):
        return None  # plural acronyms: NCs, NPs, QDs
    if _UNIT_TOKEN.fullmatch(stripped):
        return None  # 'MHz', 'GPa', 'THz', 'kOe'
    if re.fullmatch(r"[A-Z][a-z]?[xyzδεw]", stripped) and stripped not in element_symbols():
        return None  # 'By', 'Ox': words, not an element with a variable amount
    if re.fullmatch(r"[IVX]+", stripped):
        return None
    if re.search(r"[a-z]{3,}", stripped):
        return None  # runs of lowercase are words ('Figure', 'Table')
    if re.fullmatch(r"[A-Z]\d*", stripped) and not has_digit:
        return None
    if re.fullmatch(r"[A-Z][a-z]?\d+", stripped) and stripped[:2].rstrip("0123456789") in ("C", "S", "P"):
        # 'C60' is a fullerene but 'S1', 'P2', 'C3' label samples far more often
        if stripped not in ("C60", "C70", "S8", "P4"):
            return None
    if re.fullmatch(r"[A-Z][a-z]?\d+", stripped) and stripped[:1] in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        # 'Fe2', 'H2', 'N2', 'O2' are molecules; single-letter + number like 'S1', 'T2', 'E3' labels
        if (len(stripped.rstrip("0123456789")) == 1 and stripped.rstrip("0123456789") not in "HNOF"
                and stripped not in ("C60", "C70", "S8", "P4")):
            return None
    try:
        parsed = parse_formula(stripped, variables)
    except (FormulaError, ValueError, ZeroDivisionError):
        return None
    if not parsed.elements:
        return None
    return parsed


def find_formulas(text: str, variables: dict[str, float] | None = None) -> list[FormulaMatch]:
    """Formula-like tokens in `text` with their spans (few false positives by design)."""
    found: list[FormulaMatch] = []
    # Alloys written with a comma list of shared sites: '(Ga,Mn)As', '(Zn,Co)O', '(Bi,La)FeO3'
    for m in _SITE_ALLOY.finditer(text):
        try:
            rest = parse_formula(m.group("rest"), variables)
            sites = [parse_formula(e) for e in re.split(r",\s?", m.group("sites"))]
        except FormulaError:
            continue
        elements = sorted({e for p in [rest, *sites] for e in p.elements})
        token = m.group(0)
        formula = "(" + ",".join(p.formula for p in sites) + ")" + rest.formula
        found.append(FormulaMatch(m.start(), m.end(), token, ParsedFormula(text=token, formula=formula, elements=elements)))
    for m in _CANDIDATE.finditer(text):
        if any(f.start <= m.start() < f.end for f in found):
            continue
        prefix = m.group("prefix") or ""
        token, start = m.group(0)[len(prefix):], m.start() + len(prefix)
        # Trailing sentence punctuation or an unmatched bracket belongs to the sentence.
        token = token.rstrip(".")
        while token and token[-1] in ")]" and _unbalanced(token):
            token = token[:-1].rstrip(".")
        while token and token[0] in "([" and _unbalanced(token):
            token, start = token[1:], start + 1
        if token.startswith("(") and token.endswith(")") and _closing_of_first(token) == len(token) - 1:
            token, start = token[1:-1], start + 1  # '(WO3)': the brackets belong to the sentence
        token = token.rstrip(".")
        if not token:
            continue
        parsed = _formula_or_none(token, variables)
        if parsed is None:
            parsed = _composite_or_none(token, variables)
        if parsed is None:
            # 'Fe-doped', 'TiO2-based', 'Fe3O4-HCNPs': try the part before a hyphen and a word
            head = re.match(r"([A-Za-z0-9().\[\]]+?)[-−–](?=[A-Za-z]{2,})", token)
            if head:
                parsed = _formula_or_none(head.group(1), variables)
                token = head.group(1)
        if parsed is not None:
            if prefix:
                token, start = prefix + token, start - len(prefix)
            found.append(FormulaMatch(start, start + len(token), token, parsed))
    return sorted(found, key=lambda f: f.start)


_COMPOSITE_SEPARATOR = re.compile(r"[–—/:]|-(?=[A-Z(])")


def _composite_or_none(token: str, variables: dict[str, float] | None) -> ParsedFormula | None:
    """'Ru–TiO2', 'ZnO/CuO', 'Nd–Fe–B': components that are each formulas make one material."""
    parts = _COMPOSITE_SEPARATOR.split(token)
    if len(parts) < 2 or any(not p for p in parts):
        return None
    parsed_parts = []
    for part in parts:
        parsed = _formula_or_none(part, variables)
        if parsed is None:
            try:
                parsed = parse_formula(part, variables) if re.fullmatch(r"[A-Z][a-z]?", part) else None
            except FormulaError:
                parsed = None
        if parsed is None:
            return None
        parsed_parts.append(parsed)
    # 'Li/Li+', 'Na+/Na', 'Fe(II)/Fe(III)': a redox couple or reference electrode, not a material
    if any(p.charge for p in parsed_parts) or len({tuple(p.elements) for p in parsed_parts}) < len(parsed_parts):
        return None
    if any(p.composition and any(v == 0 for v in p.composition.values()) for p in parsed_parts):
        return None
    separators = _COMPOSITE_SEPARATOR.findall(token)
    formula = parsed_parts[0].formula
    for separator, parsed in zip(separators, parsed_parts[1:]):
        formula += ("-" if separator in "–—-" else separator) + parsed.formula
    elements = sorted({e for p in parsed_parts for e in p.elements})
    return ParsedFormula(text=token, formula=formula, elements=elements, composition=None)


def _closing_of_first(token: str) -> int:
    depth = 0
    for index, ch in enumerate(token):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _unbalanced(token: str) -> bool:
    depth = 0
    for ch in token:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0


# --- material names --------------------------------------------------------------------------

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
    "oxide|dioxide|trioxide|monoxide|pentoxide|sesquioxide|oxides|sulfide|sulphide|disulfide|selenide|diselenide|"
    "telluride|nitride|carbide|phosphide|fluoride|chloride|bromide|iodide|hydroxide|arsenide|antimonide|"
    "silicide|boride|hydride|titanate|ferrite|ferrites|niobate|tantalate|vanadate|tungstate|molybdate|"
    "manganite|manganites|cobaltite|nickelate|cuprate|phosphate|silicate|carbonate|sulfate|nitrate|zirconate|"
    "stannate|aluminate|garnet|oxyhydroxide|oxynitride|perovskite|chalcogenide|halide|ferrocyanide|hexacyanoferrate"
)


@functools.lru_cache(maxsize=1)
def _compound_name_pattern() -> re.Pattern[str]:
    """'gallium oxide', 'copper ferrite', 'tungsten trioxide', 'lanthanum strontium manganite'."""
    elements = sorted(
        (e.long_name.lower() for e in Element if e.Z <= 92 and e.symbol not in ("D", "T")), key=len, reverse=True
    )
    element = "(?:" + "|".join(re.escape(e) for e in elements) + ")"
    return re.compile(
        rf"(?<![\w-])(?:{element}(?:\s|-)(?:\((?:I{{1,3}}|IV|V|VI)\)\s)?){{1,3}}(?:{_ANION_WORDS})(?![\w-])",
        re.IGNORECASE,
    )


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
        found.append(NameMatch(m.start(1), m.end(1), m.group(1), _abbreviations()[m.group(1)]))
    return sorted(found, key=lambda n: n.start)


def formula_for_name(name: str) -> str | None:
    return material_names().get(name.strip().lower()) or _abbreviations().get(name.strip())


__all__ = [
    "FormulaError",
    "FormulaMatch",
    "NameMatch",
    "ParsedFormula",
    "element_symbols",
    "find_formulas",
    "find_material_names",
    "formula_for_name",
    "looks_like_formula",
    "material_names",
    "parse_formula",
    "variables_in_text",
]
