"""Matscholar-style token normalisation, so raw text looks like the training corpus.

The Matscholar NER corpus (Weston et al. 2019) was written by the mat2vec text processor:
numbers become ``<nUm>`` (except crystal directions such as ``( 111 )``), simple formulae are
rewritten with elements in alphabetical order and integer stoichiometry (``SiO2`` -> ``O2Si``,
``Ni0.5Fe0.5`` -> ``FeNi``), element names and Title-case words are lowercased while acronyms,
element symbols and units keep their case, and accents are stripped from tokens longer than one
character (``α-Fe2O3`` -> ``a-Fe2O3``). This module re-implements those rules without the
mat2vec / ChemDataExtractor / pymatgen stack so that inference needs only the standard library.

Normalisation is token-wise and never changes the number of tokens, so a tag predicted for a
normalised token belongs to the raw token at the same index.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from functools import lru_cache
from math import gcd

NUM_TOKEN = "<nUm>"

ELEMENTS: tuple[str, ...] = tuple(
    """H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se
    Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy
    Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf
    Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og""".split()
)
ELEMENT_SET = frozenset(ELEMENTS)

ELEMENT_NAMES: tuple[str, ...] = tuple(
    """hydrogen helium lithium beryllium boron carbon nitrogen oxygen fluorine neon sodium magnesium
    aluminium silicon phosphorus sulfur chlorine argon potassium calcium scandium titanium vanadium
    chromium manganese iron cobalt nickel copper zinc gallium germanium arsenic selenium bromine
    krypton rubidium strontium yttrium zirconium niobium molybdenum technetium ruthenium rhodium
    palladium silver cadmium indium tin antimony tellurium iodine xenon cesium barium lanthanum
    cerium praseodymium neodymium promethium samarium europium gadolinium terbium dysprosium holmium
    erbium thulium ytterbium lutetium hafnium tantalum tungsten rhenium osmium iridium platinum gold
    mercury thallium lead bismuth polonium astatine radon francium radium actinium thorium
    protactinium uranium neptunium plutonium americium curium berkelium californium einsteinium
    fermium mendelevium nobelium lawrencium rutherfordium dubnium seaborgium bohrium hassium
    meitnerium darmstadtium roentgenium copernicium nihonium flerovium moscovium livermorium
    tennessine oganesson""".split()
)
ELEMENT_NAME_SET = frozenset(ELEMENT_NAMES) | frozenset(n.capitalize() for n in ELEMENT_NAMES)

# Units whose case the mat2vec processor preserves (a subset that matters: single letters and
# Title-case units that would otherwise be lowercased).
PRESERVED_UNITS = frozenset(
    """K h V wt wt. MHz kHz GHz Hz T MPa GPa at. N A L J Torr Oe kOe eV keV MeV GeV Å HV Da kDa
    Gy Mrad ML W Ω MΩ kΩ""".split()
)

_NUMBER = re.compile(r"^[+-]?\d*\.?\d+\(?\d*\)?$")
_VALENCE_INFO = re.compile(r"(II+|^IV$|^VI$|\(IV\)|\(V?I{0,3}\))")
_ELEMENT_DIRECTION = re.compile(r"^(" + "|".join(ELEMENTS) + r")\(\d{3,4}\)")
_FORMULA_PART = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)|(\()|(\))(\d*\.?\d*)")
_DIATOMIC = frozenset({"O2", "N2", "Cl2", "F2", "H2"})

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


@lru_cache(maxsize=65536)
def parse_formula(text: str) -> dict[str, Fraction] | None:
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
    amounts = parse_formula(token)
    if amounts is None or len(amounts) < 2:
        return False
    return all(v > 0 for v in amounts.values())


def normalise_formula(token: str, max_denominator: int = 1000) -> str:
    """Alphabetical elements, smallest integer stoichiometry: 'SiO2' -> 'O2Si', 'Ni0.5Fe0.5' -> 'FeNi'."""
    amounts = parse_formula(token)
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
