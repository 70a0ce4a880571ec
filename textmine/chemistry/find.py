"""Formulas in running text: `find_formulas` detects formula tokens with their spans, with few
false positives by design (not 'In', 'XRD', 'MHz', 'S1', 'Fm3'), and `looks_like_formula` says
whether one token reads as a formula rather than a word, unit or acronym.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textmine.chemistry.elements import element_symbols
from textmine.chemistry.formula import SUBSCRIPTS, FormulaError, ParsedFormula, parse_formula


# A candidate: starts with an element-like capital or a bracket, made of formula characters.
_SITE_ALLOY = re.compile(r"(?<![\w])(?P<pre>[A-Z][A-Za-z0-9.]*)?\((?P<sites>[A-Z][a-z]?(?:,\s?[A-Z][a-z]?)+)\)"
                         r"(?P<rest>[A-Z][A-Za-z0-9.]*[A-Za-z0-9])")
# Phase, polymorph and polytype labels before a formula: 'α-Fe2O3', 'alpha-Fe2O3', 'h-BN', '2H-MoS2', "1T'-MoTe2"
SPELLED_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "theta", "kappa", "lambda", "sigma", "omega", "eta", "zeta")
PHASE_PREFIX = (r"(?:[αβγδεθκλσωη]|(?i:" + "|".join(SPELLED_GREEK) + r")|[ahotcmgrnp]|hex|cub|tet|ortho|mono|am|[0-3]D"
                r"|\d{1,2}[HTRCO]['′’]{0,2})")
_PHASE_PREFIX = PHASE_PREFIX + "[-‐–]"
_CANDIDATE = re.compile(
    r"(?<![\w\-/'′’])"
    rf"(?P<prefix>{_PHASE_PREFIX})?"
    r"(?:\d{0,2}(?=[A-Z(\[]))?"
    r"[A-Z(\[][A-Za-z0-9().\[\]/+\-−–·•⋅δεxyz₀-₉′]*"
    r"(?<![\-−–.(/·•⋅])"
)
# Words that parse as formulas but are English, units or Roman numerals when standing alone.
_AMBIGUOUS_WORDS = frozenset(
    "In As At Be He No Am Es Is I O K B C N P S U V W Y H F Pa Ga Bi Co Ho Ca Ce Sc Nb Mo Cs Pb "
    "Tc Pm Cm Bk Po Np Ne".split()  # Tc, Pm, Np, Ne: critical temperature, pm, nanoparticles, electron density
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


def token_formula(token: str) -> ParsedFormula | None:
    """`token` parsed as a formula when it reads as one (see `looks_like_formula`), else None."""
    return _formula_or_none(token)


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
    has_digit = any(ch.isdigit() for ch in stripped.translate(SUBSCRIPTS))
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


# PDF extraction puts spaces around lost subscripts: 'LaH 10', 'H 3 S', 'Gd 50 Co 45 Fe 5', 'K y Fe 2−x Se 2'
_SPACED_AMOUNT = r"(?:\d+(?:\.\d+)?(?:\s?[-−–]\s?[xyzδ])?|[xyzδ])"
_SPACED_FORMULA = re.compile(
    rf"(?<![\w\-/.,])(?:[A-Z][a-z]?){{1,6}}(?: {_SPACED_AMOUNT}(?= |$|[,;:)(]))(?: (?:[A-Z][a-z]?){{1,6}}(?: {_SPACED_AMOUNT}(?= |$|[,;:)(]))?)*"
)
# What may follow a number that is a quantity of its own rather than a lost subscript ('ZnO 10 nm')
_QUANTITY_AFTER = re.compile(
    # (a bare S, C, N or B after a number is sulfur, carbon, nitrogen or boron: 'H 3 S', not siemens)
    r" ?(?:[-‐–]|[fpnuµμmcdkMGT]?(?:m|g|s|K|V|A|W|J|Hz|Pa|eV|Oe|T|L|h|Ω|M|mol|Wh|Ah)\b|[fpnuµμmcdkMGT](?:S|C|N)\b|%|°|"
    r"wt|at\.|mol|vol|ppm|"
    r"times|fold|orders?\b|cycles?\b|layers?\b|samples?\b|nm|μm|µm|mm|cm|min|hours?\b|days?\b|years?\b|and\b|or\b|to\b)"
)


# ... and between element-count pairs that kept their numbers: 'In2 O3', 'Ni49 Mn39 Sb12'
_SPACED_PAIRS = re.compile(r"(?<![\w\-/.,])[A-Z][a-z]?\d+(?:\.\d+)?(?: [A-Z][a-z]?\d+(?:\.\d+)?)+(?![\w\-/])")


def _spaced_pairs(text: str, variables: dict[str, float] | None) -> list[FormulaMatch]:
    """Runs of single elements with their amounts, one token each: joined only when every token is
    an element symbol with an amount, at least two elements differ and one symbol has two letters
    ('S1 S2' and 'C1 N2' label samples)."""
    found = []
    symbols = element_symbols()
    for m in _SPACED_PAIRS.finditer(text):
        parts = [re.match(r"([A-Z][a-z]?)", t).group(1) for t in m.group(0).split(" ")]
        if any(p not in symbols for p in parts) or len(set(parts)) < 2 or all(len(p) == 1 for p in parts):
            continue
        parsed = _formula_or_none(m.group(0).replace(" ", ""), variables)
        if parsed is not None:
            found.append(FormulaMatch(m.start(), m.end(), m.group(0), parsed))
    return found


def _spaced_formulas(text: str, variables: dict[str, float] | None) -> list[FormulaMatch]:
    """Formulas whose subscripts PDF extraction set apart: only where the joined form is a formula
    of several elements and no number of the run reads as a quantity ('LaH 10 K' is not 'LaH10')."""
    found = []
    for m in _SPACED_FORMULA.finditer(text):
        tokens = [(t.group(0), m.start() + t.start(), m.start() + t.end()) for t in re.finditer(r"\S+", m.group(0))]
        for k, (token, _, end) in enumerate(tokens):
            if token[0].isdigit() and _QUANTITY_AFTER.match(text, end):
                tokens = tokens[:k]  # '10 K', '5 nm': the run ends before a number that is a quantity
                break
        while tokens and tokens[-1][0][0].isupper() and len(tokens) > 1 and _QUANTITY_AFTER.match(text, tokens[-1][2]):
            tokens.pop()
        amounts = [t for t, _, _ in tokens if not t[0].isupper()]
        if not amounts:
            continue
        groups = [t for t, _, _ in tokens if t[0].isupper()]
        if len(groups) == 1 and (any(ch.isdigit() for ch in groups[0]) or groups[0] in _AMBIGUOUS_WORDS):
            continue  # 'TiO2 3' is a material and a number; 'K 2' no formula
        run = text[tokens[0][1] : tokens[-1][2]]
        parsed = _formula_or_none(re.sub(r"\s+", "", run), variables)
        if parsed is None or len(parsed.elements) < 2:
            continue
        found.append(FormulaMatch(tokens[0][1], tokens[-1][2], run, parsed))
    return found


def find_formulas(text: str, variables: dict[str, float] | None = None) -> list[FormulaMatch]:
    """Formula-like tokens in `text` with their spans (few false positives by design)."""
    found: list[FormulaMatch] = []
    if " " in text:
        found = _spaced_formulas(text, variables)
        found += [f for f in _spaced_pairs(text, variables) if not any(g.start < f.end and f.start < g.end for g in found)]
    # Alloys written with a comma list of shared sites: '(Ga,Mn)As', '(Zn,Co)O', '(Bi,La)FeO3'
    for m in _SITE_ALLOY.finditer(text):
        try:
            rest = parse_formula(m.group("rest"), variables)
            sites = [parse_formula(e) for e in re.split(r",\s?", m.group("sites"))]
            pre = parse_formula(m.group("pre"), variables) if m.group("pre") else None
        except FormulaError:
            continue
        elements = sorted({e for p in [rest, *sites, *([pre] if pre else [])] for e in p.elements})
        token = m.group(0)
        formula = (pre.formula if pre else "") + "(" + ",".join(p.formula for p in sites) + ")" + rest.formula
        found.append(FormulaMatch(m.start(), m.end(), token, ParsedFormula(text=token, formula=formula, elements=elements)))
    for m in _CANDIDATE.finditer(text):
        if any(f.start <= m.start() < f.end for f in found):
            continue
        prefix = m.group("prefix") or ""
        token, start = m.group(0)[len(prefix):], m.start() + len(prefix)
        # Trailing sentence punctuation or an unmatched bracket belongs to the sentence.
        token = token.rstrip(".")
        # 'Dy3+-doped', 'Er3+–doped': an ion joined to the word after it by a hyphen
        token = re.sub(r"(?<=\d[+−])[-‐–][a-z]+$", "", token)
        while token and token[-1] in ")]" and _unbalanced(token):
            token = token[:-1].rstrip(".")
        while token and token[0] in "([" and _unbalanced(token):
            token, start = token[1:], start + 1
        citation = re.search(r"(?<=[A-Za-z0-9)])\[\d{1,3}(?:[,–-]\s?\d{1,3})*\]:?$", token)
        if citation:
            token = token[: citation.start()]  # 'ZnO[18]': a reference number glued to the formula
        miller = re.search(r"(?<=[A-Za-z0-9])\((?:[-−]?\d){3,4}\)$", token)
        if miller:
            token = token[: miller.start()]  # 'SrTiO3(001)': a surface, by its Miller indices
        opened = _unclosed(token)
        if opened > 0 and re.match(r"[^()]{0,30}=", text[start + opened + 1 :]):
            token = token[:opened]  # 'Ba…O3–δ(Ln = Y, Dy)': the bracket opens a note on the formula
        if token.startswith("(") and token.endswith(")") and _closing_of_first(token) == len(token) - 1:
            token, start = token[1:-1], start + 1  # '(WO3)': the brackets belong to the sentence
        token = token.rstrip(".")
        if not token:
            continue
        parsed = _formula_or_none(token, variables)
        if parsed is None:
            parsed = _composite_or_none(token, variables)
        # 'ZnO(h)', 'GN-ZnO(h)': a sample or state label in brackets after the formula names a sample of it
        label = re.search(r"(?<=[A-Za-z0-9])\([a-z]{1,3}\)$", token) if parsed is None else None
        if label:
            head = token[: label.start()]
            parsed = _formula_or_none(head, variables) or _composite_or_none(head, variables)
        if parsed is None:
            # 'Fe-doped', 'TiO2-based', 'Fe3O4-HCNPs': try the part before a hyphen and a word
            head = re.match(r"([A-Za-z0-9().\[\]]+?)[-−–](?=[A-Za-z]{2,})", token)
            if head:
                parsed = _formula_or_none(head.group(1), variables)
                token = head.group(1)
        if parsed is None:
            # 'Cu2ZnSnSe4nanosheets', 'ZnOnanorods': PDF text that lost the space before the form's noun
            glued = _GLUED_FORM.match(token)
            if glued:
                parsed = _formula_or_none(glued.group(1), variables)
                parsed = parsed if parsed is not None and len(parsed.elements) > 1 else None
                token = glued.group(1)
        if parsed is not None:
            if prefix:
                token, start = prefix + token, start - len(prefix)
            found.append(FormulaMatch(start, start + len(token), token, parsed))
    return sorted(found, key=lambda f: f.start)


_GLUED_FORM = re.compile(
    r"([A-Z(\[].*?[A-Za-z0-9)\]])(?:nano(?:sheet|rod|wire|particle|tube|belt|flower|plate|crystal|fib(?:er|re)|cube|"
    r"ribbon|dot|cluster|structure|flake|sphere)s?|films?|powders?|crystals?|thin)$")
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


def _unclosed(token: str) -> int:
    """Where the first bracket that is never closed opens (-1 when every one is)."""
    stack: list[int] = []
    for index, ch in enumerate(token):
        if ch in "([":
            stack.append(index)
        elif ch in ")]" and stack:
            stack.pop()
    return stack[0] if stack else -1


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


unbalanced_brackets = _unbalanced

__all__ = ["FormulaMatch", "find_formulas", "looks_like_formula", "token_formula", "unbalanced_brackets"]
