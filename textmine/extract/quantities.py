"""Quantities in text: values, ranges, uncertainties, lists, comparators, with units and SI values.

    parse_quantities("band gaps of 1.2, 1.5 and 1.9 eV")   # three Quantity, unit 'eV'
    parse_quantities("σ = 1.2 × 10−3 S cm−1")              # value 0.0012, unit 'S cm−1'

Spans (`start`, `end`) are offsets into the text given, so a caller that passes a sentence adds
the sentence start to get document offsets. Numbers that are not measurements — years, citation
brackets, figure/table/equation numbers, composition variables (x = 0.3), digits inside formulas
— are skipped.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
from dataclasses import dataclass, replace

from textmine.normalise.units import UnitError, parse_unit, to_si

# --- numbers ---------------------------------------------------------------------------------

_MINUS = "-−–‒"
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_NUMBER = re.compile(
    r"(?<![\w.,/^])"
    r"(?P<sign>[-−+](?=\d))?"
    r"(?P<mantissa>\d{1,3}(?:,\d{3})+(?![\d])|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\((?P<paren_uncertainty>\d{1,3})\))?"
    r"(?P<exponent>"
    r"\s?[×x*·⋅]\s?10\s?(?:\^\s?\(?[-−–+]?\d+\)?|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+|[-−–]\s?\d+|[1-9](?=\s)|[1-9]\d(?![\d.,]))"
    r"|[eE][-−+]?\d+(?![\w])"
    r")?"
)
# A bare power of ten: '10^-4', '10⁻⁴', '10−4 S cm−1'
# ('10 − 4' with a spaced minus sign is a superscript lost in PDF extraction: ranges use dashes)
# ('∼1014 cm-3', '10 19 cm -3': a carrier density whose exponent PDF text set on the line; no density is a thousand per cm3)
_BARE_POWER = re.compile(
    r"(?<![\w.])10\s?(?:\^\s?\(?(?P<a>[-−–+]?\d+)\)?|(?P<b>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(?P<c>−\s?\d{1,2}(?![\d.]))"
    r"|(?P<d>[12]\d)(?=\s?cm\s?[-−–]\s?3\b))"
)

_COMPARATOR = re.compile(
    r"(?P<comparator>>=|<=|≥|≤|⩾|⩽|>|<|~|∼|≈|≃|≅|"
    r"\b(?:about|around|approximately|approx\.|ca\.|nearly|almost|roughly|up to|over|above|below|"
    r"exceeding|more than|less than|greater than|higher than|lower than|as high as|as low as|"
    r"close to|in excess of|at least|at most|beyond)"
    r")\s*$",
    re.IGNORECASE,
)
_COMPARATOR_SYMBOL = {
    ">=": ">=", "≥": ">=", "⩾": ">=", "<=": "<=", "≤": "<=", "⩽": "<=", ">": ">", "<": "<",
    "~": "~", "∼": "~", "≈": "~", "≃": "~", "≅": "~", "about": "~", "around": "~", "approximately": "~",
    "approx.": "~", "ca.": "~", "nearly": "~", "almost": "~", "roughly": "~", "close to": "~",
    "up to": "<=", "at most": "<=", "over": ">", "above": ">", "exceeding": ">", "more than": ">",
    "greater than": ">", "higher than": ">", "in excess of": ">", "beyond": ">", "at least": ">=",
    "as high as": "~", "below": "<", "less than": "<", "lower than": "<", "as low as": "~",
}

# --- units -----------------------------------------------------------------------------------

_PREFIX = r"[fpnuµμmcdkMGTP]?"  # no atto/zepto/yocto: "K as", "K at" are words
_BASE_UNITS = (
    r"Barrer|eV|emu|Oe|mol|Torr|bar|atm|cal|Hz|Pa|Wh|Ah|Vs|Da|[oO]hm|Ω|Ω|V|K|S|A|W|J|g|m|L|F|T|C|s|h|N|M|B"
)
_ATOM = (
    rf"(?:[°º˚]\s?C|℃|(?<=[\d ])oC\b|°\s?F|°|Å|Å|%|wt\s?\.?\s?%|at\s?\.?\s?%|vol\s?\.?\s?%|ppm|min|HV|[µμ]B|cP\b|"
    rf"(?:{_PREFIX}(?:{_BASE_UNITS})))"
    r"(?:\s?\^?\s?[-−–]?\d(?:/\d)?(?!\d|\.\d)|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?"
)
_UNIT = re.compile(
    # a bracket opens a unit group only after a slash ('W/(m K)'): '294 K (TC)' is a unit and a symbol
    # ('Ω-cm', 'Ohm-cm': a hyphen between two atoms is a product)
    # ('g-1at 3 A g-1', 'g-1after 500 cycles': PDF text that glued the next word to a unit's power)
    # ('75μΩcm2', '2.2×10−1 Scm−1': an ohm or a siemens glued to the length it goes with)
    rf"(?P<unit>{_ATOM}(?:(?:\s?[/·⋅•∙*]\s?\(?|\s|-(?=[A-Za-zΩΩµμ])|(?<=[ΩΩ])(?=[µμmcn]?m)|(?<=S)(?=cm[-−–⁻]?\d)){_ATOM}\)?){{0,4}})"
    # ('2.581Åand one at 2.687Å': a unit symbol glued to the next word; '1.52VRHE': a potential glued to its
    # reference electrode)
    r"(?:(?![A-Za-z0-9])|(?<=[0-9ÅÅΩΩ%°])(?=(?:at|after|for|and|in|with|of|under|over|during|upon)\b)"
    r"|(?<=V)(?=(?:RHE|SHE|NHE|SCE)\b))"
)


# A compound unit whose atoms are glued into one token, as PDF text often has them ('163 mAhg−1',
# 'Whkg−1', 'mScm−1', 'mAcm−2'); the trailing negative power marks it as a unit, not a word.
_UNIT_ATOM = re.compile(rf"{_PREFIX}(?:{_BASE_UNITS})")
_GLUED_UNIT = re.compile(rf"(?:{_PREFIX}(?:{_BASE_UNITS})){{2,4}}\^?[-−–][1-4](?![A-Za-z0-9])")


# a fracture toughness's pascal glued to the root of its length: '4 MPam1/2', '3.5 MPam^1/2'
_GLUED_ROOT = re.compile(r"([kMG]?Pa)(m\^?(?:1/2|0\.5))(?![A-Za-z0-9/])")
_GLUED_DENOMINATOR = re.compile(rf"({_PREFIX}(?:{_BASE_UNITS}))\s?/\s?((?:{_PREFIX}(?:{_BASE_UNITS})){{2,3}})(?![A-Za-z0-9])")


def _atoms(token: str) -> list[str]:
    atoms, at = [], 0
    while at < len(token):
        am = _UNIT_ATOM.match(token, at)
        if not am:
            return []
        atoms.append(am.group(0))
        at = am.end()
    return atoms


def _glued_unit_at(text: str, start: int) -> tuple[str, int] | None:
    """'mAhg−1' -> ('mAh g−1', end), 'J/kgK' -> ('J/(kg K)', end): the atoms of a glued compound
    unit, spaced as pint reads them."""
    root = _GLUED_ROOT.match(text, start)
    if root:
        return f"{root.group(1)} {root.group(2)}", root.end()
    dm = _GLUED_DENOMINATOR.match(text, start)
    if dm:
        atoms = _atoms(dm.group(2))
        spaced = f"{dm.group(1)}/({' '.join(atoms)})"
        if len(atoms) > 1 and not _is_unit(dm.group(0)) and _is_unit(spaced):
            return spaced, dm.end()
    gm = _GLUED_UNIT.match(text, start)
    if not gm:
        return None
    token = gm.group(0)
    atoms, at = [], 0
    while at < len(token):
        am = _UNIT_ATOM.match(token, at)
        if not am:
            break
        atoms.append(am.group(0))
        at = am.end()
    if len(atoms) < 2 or not re.fullmatch(r"\^?[-−–][1-4]", token[at:]):
        return None
    spaced = " ".join(atoms) + token[at:]
    return (spaced, gm.end()) if _is_unit(spaced) else None


def _unit_at(text: str, pos: int, glued_units: bool = True) -> tuple[str, int] | None:
    """Longest parseable unit starting at `pos` (after optional spaces): (unit text, end)."""
    m = re.compile(r"\s?").match(text, pos)
    start = m.end() if m else pos
    glued = _glued_unit_at(text, start) if glued_units else None
    if glued:
        return glued
    um = _UNIT.match(text, start)
    if not um:
        return None
    candidate = um.group("unit")
    # Shrink token by token until pint reads it ('eV for' never matches, but 'K S' might).
    pieces = [p for p in re.finditer(r"\S+", candidate)]
    for n in range(len(pieces), 0, -1):
        unit_text = candidate[: pieces[n - 1].end()]
        for trial in (unit_text, unit_text.rstrip(")")):
            if trial.count("(") != trial.count(")"):
                continue
            if _is_unit(trial):
                return trial, start + len(trial)
    # Units glued into one token ('W/(m·K)' etc.) that failed as a whole: try shorter prefixes.
    for cut in range(len(candidate) - 1, 0, -1):
        trial = candidate[:cut]
        if trial.count("(") == trial.count(")") and not trial.endswith((" ", "/", "·")) and _is_unit(trial):
            if cut < len(candidate) and candidate[cut].isalnum() and candidate[cut - 1].isalnum():
                continue  # never cut inside a token
            return trial, start + cut
    return None


def _is_unit(unit_text: str) -> bool:
    if unit_text.strip() in ("", "(", ")"):
        return False
    try:
        parse_unit(unit_text)
    except UnitError:
        return False
    return True


# --- the quantity ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    text: str
    start: int
    end: int
    value: float | None  # None for a range
    value_min: float | None = None
    value_max: float | None = None
    uncertainty: float | None = None
    unit: str = ""  # as written, whitespace-normalised ('S cm−1'); '' for a bare number
    comparator: str | None = None  # '>', '<', '>=', '<=', '~'
    list_size: int = 1  # >1: one member of a list sharing the unit ('1.2, 1.5 and 1.9 eV')
    list_index: int = 0

    @property
    def is_range(self) -> bool:
        return self.value is None and self.value_min is not None

    @property
    def midpoint(self) -> float:
        if self.value is not None:
            return self.value
        assert self.value_min is not None and self.value_max is not None
        return (self.value_min + self.value_max) / 2

    def si(self, si_unit: str | None = None) -> tuple[float | None, float | None, float | None, str]:
        """(value_si, value_min_si, value_max_si, unit_si); raises UnitError on a bad unit."""
        unit = self.unit or "dimensionless"

        def conv(v: float | None) -> float | None:
            return None if v is None else to_si(v, unit, si_unit)[0]

        _, unit_si = to_si(1.0, unit, si_unit)
        low = conv(self.value_min if self.value_min is not None else self.value)
        high = conv(self.value_max if self.value_max is not None else self.value)
        return conv(self.value), low, high, unit_si


class OutOfRange(ValueError):
    """A number a float cannot hold: it overflows (1e309) or underflows to zero or to a
    subnormal (1e-400, 1e-310); such numbers are skipped, never turned into inf or 0.0."""


@dataclass(frozen=True)
class SkippedNumber:
    """A number `parse_quantities` left out because no float holds it; offsets into the text given."""

    start: int
    end: int
    text: str
    reason: str

    def warning(self, offset: int = 0) -> str:
        """One line for `Document.warnings` (`offset`: where the parsed text starts in the document)."""
        return f"quantities: number {self.text!r} at offset {self.start + offset} skipped: {self.reason}"


def _checked(mantissa: float, power: int, text: str) -> float:
    """mantissa * 10**power, or OutOfRange when the result is not a normal float. Read as the decimal
    written ('7.89 × 10^-6' is 7.89e-06, not the product 7.889999999999999e-06)."""
    value = float(f"{mantissa!r}e{power}")
    if not math.isfinite(value):
        raise OutOfRange(f"out of range (over {sys.float_info.max:.3g})")
    if mantissa != 0 and abs(value) < sys.float_info.min:
        raise OutOfRange(f"out of range (a nonzero number under {sys.float_info.min:.3g})")
    return value


def _to_float(match: re.Match[str]) -> float:
    mantissa = float(match.group("mantissa").replace(",", ""))
    if match.group("sign") and match.group("sign") in _MINUS:
        mantissa = -mantissa
    exponent = match.group("exponent")
    if exponent:
        exp_text = exponent.translate(_SUPERSCRIPT_DIGITS)
        if exp_text.strip()[:1] in ("e", "E"):  # '1e-310', '5e10': the digits may contain '10'
            power = int(re.sub(r"[−–]", "-", exp_text.strip()[1:]))
        else:
            digits = re.search(r"10\s?\^?\s?\(?([-−–+]?)\s?(\d+)\)?\s*$", exp_text.strip())
            if not digits:
                raise ValueError(exponent)
            power = int(re.sub(r"[−–]", "-", digits.group(1) + digits.group(2)))
        return _checked(mantissa, power, match.group(0))
    if not math.isfinite(mantissa):  # hundreds of digits
        raise OutOfRange(f"out of range (over {sys.float_info.max:.3g})")
    return mantissa


def _paren_uncertainty(match: re.Match[str]) -> float | None:
    digits = match.group("paren_uncertainty")
    if not digits:
        return None
    mantissa = match.group("mantissa")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return int(digits) * 10.0**-decimals


@dataclass
class _Number:
    start: int
    end: int
    value: float
    uncertainty: float | None
    out_of_range: bool = False  # kept only so its unit is consumed, then dropped


_JUNK_BEFORE = re.compile(
    r"(?:\b(?:factor|factors|factor of|Fig(?:ure)?s?|Tables?|Eqs?|Equations?|Refs?|References?|Sections?|Sec|Chapters?|Nos?|"
    r"Schemes?|Supplementary|pp?|vol|Vol|step|Step|Samples?|sample|Entry|entry|Cycles?|cycles?|"
    r"Run|run|Method|Route|Type|type|Phase|Batch|Group|Model|Case|Example|Claim|claim|claims|"
    r"Pnma|No)\.?\s*(?:\(|S)?|[\[{]|[A-Za-z]\s?=\s?|\bx\s?=\s?|\b[xyzδ]\s?[=<>≤≥]\s?|#|\^|\d\s?/)$"
)


def _cell_list_unit(text: str, numbers: list[_Number], units: list, i: int) -> bool:
    """Whether numbers[i] opens a cell written with one unit at the end ('a=11.610(9), b=5.929(4),
    c=12.133(9) Å'): then 'a=' names a lattice constant, not a variable, and the number is a value."""
    if not re.search(r"(?:^|[^\w.])a\s?=\s?$", text[max(0, numbers[i].start - 6) : numbers[i].start]):
        return False
    return _unit_list_after(text, numbers, units, i, _CELL_LIST_JOIN)


# where a cell written without any unit ('a=3.9185(1) and c=29.519(2)') gives a structure's lattice constants
_CELL_CONTEXT = re.compile(r"space[- ]group|lattice (?:constant|parameter)s?|unit[- ]cell|cell (?:constant|parameter|dimension)s?",
                           re.I)


def _unitless_cell(text: str, numbers: list[_Number], units: list, i: int) -> list[int]:
    """The members of a cell that numbers[i] opens when the whole cell is written without a unit, each
    with its standard uncertainty in brackets, in a sentence that names the space group or lattice
    constants ('space group I4/mmm and has lattice constants of a=3.9185(1) and c=29.519(2)'): the
    crystallographers' convention is ångström. [] otherwise (a variable 'a = 0.3', a list with a unit)."""
    if not re.search(r"(?:^|[^\w.])a\s?=\s?$", text[max(0, numbers[i].start - 6) : numbers[i].start]):
        return []
    members = [i]
    while members[-1] + 1 < len(numbers) and _CELL_LIST_JOIN.match(_between(text, numbers, members[-1])):
        members.append(members[-1] + 1)
    if (len(members) < 2 or any(units[k] is not None or numbers[k].uncertainty is None or not 0.5 <= numbers[k].value <= 100
                                for k in members) or not _CELL_CONTEXT.search(text)):
        return []
    return members


_POWER_OF_TEN = re.compile(r"[×x]\s?10|[eE][-+−]?\d|\^")
_MANTISSA = re.compile(r"[-+−]?(?:\d*\.\d+|\d+)")


def _shared_power(text: str, members: list[_Number]) -> int:
    """'5.31 and 5.58 × 10^4': the power of ten written once after a list, which holds for each number
    of it (0 when the last number has none, or another number has its own)."""
    last = text[members[-1].start : members[-1].end]
    if not _POWER_OF_TEN.search(last) or any(_POWER_OF_TEN.search(text[n.start : n.end]) for n in members[:-1]):
        return 0
    mantissa = _MANTISSA.match(last)
    base = float(mantissa.group(0).replace("−", "-")) if mantissa else 0.0
    if not base or not members[-1].value:
        return 0
    ratio = members[-1].value / base
    exponent = round(math.log10(abs(ratio)))
    return exponent if math.isclose(ratio, 10.0 ** exponent, rel_tol=1e-9) else 0


def _between(text: str, numbers: list[_Number], j: int) -> str:
    """The text between numbers[j] and the next number."""
    return text[numbers[j].end : numbers[j + 1].start]


def _year(text: str, number: _Number) -> bool:
    return 1800 <= number.value <= 2100 and re.fullmatch(r"\d{4}", text[number.start : number.end]) is not None


def _unit_list_after(text: str, numbers: list[_Number], units: list, i: int, join: re.Pattern[str]) -> bool:
    """Whether the number at i opens a list (numbers joined by `join`) whose last number carries the
    unit ('Mn 2000, 3000 and 4000 g/mol': 2000 is no year there)."""
    j = i
    while j + 1 < len(numbers) and units[j] is None and join.match(_between(text, numbers, j)):
        j += 1
    return j > i and units[j] is not None


_NAMED_FACTOR = re.compile(r"\b(?:fill|power|quality|loss|packing|form|shape|structure)\s(?:factors?|factor of)\s*$", re.I)


def _is_junk_number(text: str, number: _Number, unit: str) -> bool:
    before = text[max(0, number.start - 14) : number.start]
    if _JUNK_BEFORE.search(before):
        # 'x = 0.3' and 'Fig. 3' are not values; 'Tc = 300 K' is, so only single-letter
        # variables and bracket/figure words are junk here.
        if re.search(r"(?:^|[^A-Za-z])[A-Za-z]\s?=\s?$", before) and unit:
            pass
        elif re.search(r"[A-Za-z]{2,}\d*\s?=\s?$", before):
            pass
        elif unit and _NAMED_FACTOR.search(text[max(0, number.start - 30) : number.start]):
            pass  # 'a fill factor of 54%', 'a power factor of 12 µW cm−1 K−2': a property named 'factor', not 'by a factor of 2'
        else:
            return True
    after = text[number.end : number.end + 2]
    if not unit and re.match(r"[\]}]", after):
        return True  # citation
    if not unit and re.match(r"\s?(?:-?fold|times|orders?\b|×)", text[number.end : number.end + 8]):
        return True  # '3.5 times', 'tenfold', '2 orders of magnitude': ratios of change
    if not unit and after[:1].isalpha():
        return True  # '2D', '3d', '1st', '4f'
    if not unit and (re.match(r"\s?:\s?\d", text[number.end : number.end + 4])
                     or re.search(r"\d\s?:\s?$", text[max(0, number.start - 4) : number.start])):
        return True  # a ratio's terms: 'PC71BM (1: 1, w / w)', 'a ratio of 1:1.5'
    if not unit and _year(text, number):
        return True  # a year (not '2 × 10^3')
    if not unit and re.match(r"[-–]\d", after):
        return False
    return False


def _find_numbers(text: str, skipped: list[SkippedNumber] | None = None) -> list[_Number]:
    numbers: list[_Number] = []
    for m in _NUMBER.finditer(text):
        try:
            value = _to_float(m)
        except OutOfRange as err:
            if skipped is not None:
                skipped.append(SkippedNumber(m.start(), m.end(), m.group(0)[:40], str(err)))
            numbers.append(_Number(m.start(), m.end(), math.nan, None, out_of_range=True))
            continue
        except ValueError:
            continue
        start = m.start()
        # A '-' glued between two numbers is a range dash, not a sign: '2.4-2.7'.
        if m.group("sign") and start > 0 and (text[start - 1].isdigit() or text[start - 1].isalpha()):
            start += 1
            value = abs(value)
        numbers.append(_Number(start, m.end(), value, _paren_uncertainty(m)))
    for m in _BARE_POWER.finditer(text):
        if any(n.start <= m.start() < n.end for n in numbers) and not any(
            n.start == m.start() and (n.end < m.end() or m.group("d") and n.end == m.end()) for n in numbers
        ):
            continue
        if m.group("c") and re.search(r"\b(?:between|from|range|ranging)\s*$", text[max(0, m.start() - 20) : m.start()]):
            continue  # 'between 10 − 20 K' is a range written with a minus sign
        raw = (m.group("a") or m.group("b") or m.group("c") or m.group("d")).translate(_SUPERSCRIPT_DIGITS)
        power = int(re.sub(r"[−–]\s?", "-", raw))
        numbers = [n for n in numbers if not (m.start() <= n.start < m.end())]
        try:
            numbers.append(_Number(m.start(), m.end(), _checked(1.0, power, m.group(0)), None))
        except OutOfRange as err:
            if skipped is not None:
                skipped.append(SkippedNumber(m.start(), m.end(), m.group(0)[:40], str(err)))
            numbers.append(_Number(m.start(), m.end(), math.nan, None, out_of_range=True))
    for m in _ORDER_OF_POWER.finditer(text):
        # 'in the order of ~ 106': an order of magnitude whose exponent PDF text set on the line
        at = m.start(1)
        numbers = [n for n in numbers if not (at <= n.start < m.end())]
        numbers.append(_Number(at, m.end(), _checked(1.0, int(m.group(2)), m.group(0)), None))
    return sorted(numbers, key=lambda n: n.start)


_ORDER_OF_POWER = re.compile(r"\border of\s?[~∼≈]?\s?(10)(\d{1,2})(?!\d|[.,]\d|\s?(?:[fpnµμmcdkMGT]?(?:m|s|g|A|V|W|Pa|Hz|eV|K|Ω)|°|%)(?![a-z]))")


# a directed change stated by its two ends: 'increased from 226 to 305 HV', 'declined remarkably from 869 to 633 HV',
# 'an improvement of the battery capacity from 45 to 83 mAh/g', 'the improved V oc (from 0.37 to 0.65 V)', 'reduce the
# peak desorption temperature of MgH2 in the composite from 324 to 280 °C' (not 'increases over the range from')
_CHANGED_FROM = re.compile(
    r"\b(?:increas|decreas|declin|reduc|rais|rises?\b|rising|rose|drops?\b|dropp|falls?\b|falling|fell|enhanc|improv|"
    r"lower|shift|jump|grow|grew|elevat|boost|degrad|chang)\w*\s(?:(?!rang|between|vary|varie)[\w-]+\s){0,10}\(?from\s?[~∼≈]?\s?$"
    # ('V oc (from 0.37 to 0.65 V), J sc (from 7.63 to 8.95 mA/cm2)': a change in brackets after each quantity)
    r"|\w\s?\(from\s?[~∼≈]?\s?$",
    re.I,
)
_CAN_BE = re.compile(r"\b(?:can|could|may|might)\s(?:be\s)?(?:\w+ly\s)?$", re.I)


def _changed_from(text: str, at: int) -> bool:
    """The number at `at` starts a change stated by its ends ('the band gap changes from'), not a tunable
    range ('the band gap can be changed from 1.02 to 1.68 eV depending on the ratio')."""
    window_start = max(0, at - 90)
    m = _CHANGED_FROM.search(text[window_start:at])
    if m is None:
        return False
    return not (m.group(0).lower().startswith("chang") and _CAN_BE.search(text[max(0, window_start + m.start() - 20) : window_start + m.start()]))


_RANGE_JOIN = re.compile(r"^\s?(?:[-−–‒~∼]|to|and|-to-)\s?$")
# '±', '+/-', '+-', '∓', written out ('3.1 pm 0.2', TeX's '\\pm' read as plain text) or lost to a bare '+' ('3.4+0.1')
_UNCERTAINTY_JOIN = re.compile(r"^(?:\s?(?:±|\+\s?/\s?[-−]|\+-|∓)\s?|\s(?:pm|\\pm)\s|\+)$")
# an uncertainty on its own ('an accuracy of ±0.05 eV') is no value
_BARE_UNCERTAINTY = re.compile(r"(?:±|\+\s?/\s?[-−]|∓|\bpm)\s?$")

_LIST_JOIN = re.compile(r"^\s?(?:,|;|,?\s?and|,?\s?or|vs\.?|versus)\s?(?:[~∼≈]\s?)?$")  # "~11.5 and ~15.5 GPa", "3.3 vs 3.2 eV" too
# a crystal structure's cell written once with the unit at the end: 'a=11.610(9), b=5.929(4), c=12.133(9) Å'
_CELL_LIST_JOIN = re.compile(r"^\s?[,;]?\s?(?:and\s)?[bc]\s?=\s?$")
_RANGE_LEAD = re.compile(r"\b(?:between|from|range(?:s|d)? (?:from|of|between)?|in the range(?: of)?)\s*$", re.I)
# an interval written as two inequalities around a symbol: '250 °C < T < 350 °C', '5 K ≤ T ≤ 300 K'
_INEQUALITY_JOIN = re.compile(r"^\s?(?:<|≤|⩽|<=)\s?[A-Za-z](?:_?\{?[A-Za-z0-9]{1,3}\}?)?\s?(?:<|≤|⩽|<=)\s?$")


def parse_quantities(text: str, skipped: list[SkippedNumber] | None = None, *, glued_units: bool = True) -> list[Quantity]:
    """Every quantity in `text`, left to right. `glued_units=False` leaves units glued into one
    token ('163 mAhg−1') unread, as the parser did before it read them (the dev set's seeded draw).

    A number no float can hold (`1e309`, `1e-400`) is skipped, never stored as inf or 0.0; with
    `skipped` given, each such number is appended to it, for the caller to record on the
    document: `document.warnings.append(skipped_number.warning(offset=sentence_start))`.
    """
    numbers: list[_Number] = []
    units: list[tuple[str, int] | None] = []
    consumed = 0
    for number in _find_numbers(text, skipped):
        # Digits inside a unit ('cm−1', 'K−1') or a formula are not numbers of their own.
        if number.start < consumed:
            continue
        unit = _unit_at(text, number.end, glued_units)
        consumed = unit[1] if unit else number.end
        if number.out_of_range:
            continue
        numbers.append(number)
        units.append(unit)
    quantities: list[Quantity] = []
    changed_before: int | None = None  # where the last change stated by its two ends ended
    i = 0
    while i < len(numbers):
        first = numbers[i]
        unit_first = units[i]
        cell = _unitless_cell(text, numbers, units, i) if unit_first is None else []
        if cell:
            for index, k in enumerate(cell):
                n = numbers[k]
                quantities.append(Quantity(text[n.start : n.end], n.start, n.end, n.value, uncertainty=n.uncertainty,
                                           unit="Å", list_size=len(cell), list_index=index))
            i = cell[-1] + 1
            continue
        # ('T C = 206-223 K': a range's first end takes the unit written after the second)
        range_unit = (units[i + 1][0] if unit_first is None and i + 1 < len(numbers) and units[i + 1]
                      and re.fullmatch(r"\s?(?:[-–—]|to)\s?", text[first.end : numbers[i + 1].start]) else "")
        if _is_junk_number(text, first, unit_first[0] if unit_first else range_unit) and not (
                unit_first is None and (_cell_list_unit(text, numbers, units, i)
                                        or _year(text, first) and _unit_list_after(text, numbers, units, i,
                                                                                   _LIST_JOIN))):
            i += 1
            continue
        bare = _BARE_UNCERTAINTY.search(text[max(0, first.start - 4) : first.start])
        if bare:
            previous = quantities[-1] if quantities else None
            sign = first.start - (len(text[max(0, first.start - 4) : first.start]) - bare.start())
            if (previous is not None and previous.value is not None and previous.uncertainty is None
                    and _STATED_UNCERTAINTY.match(text[previous.end : sign])):
                quantities[-1] = dataclasses.replace(previous, uncertainty=abs(first.value))
            i += 1
            continue
        comparator = _comparator_before(text, first.start)
        if (unit_first and unit_first[0].strip() == "pm" and i + 1 < len(numbers)
                and re.fullmatch(r"\s", text[unit_first[1] : numbers[i + 1].start])):
            unit_first = None  # '3.1 pm 0.2 eV': '±' written out, not picometres
        # value ± uncertainty [unit]
        if i + 1 < len(numbers) and _UNCERTAINTY_JOIN.match(text[(unit_first[1] if unit_first else first.end) : numbers[i + 1].start]):
            second = numbers[i + 1]
            unit = units[i + 1] or unit_first
            end = units[i + 1][1] if units[i + 1] else second.end
            unit_text = unit[0] if unit else ""
            q_start = _comparator_start(text, first.start, comparator)
            quantities.append(
                Quantity(text[q_start:end], q_start, end, first.value, uncertainty=abs(second.value),
                         unit=_clean_unit(unit_text), comparator=comparator[0] if comparator else None)
            )
            i += 2
            continue
        # range: a–b unit, a unit – b unit, between a and b unit
        if i + 1 < len(numbers):
            second = numbers[i + 1]
            gap_start = unit_first[1] if unit_first else first.end
            joiner = text[gap_start : second.start]
            lead = _RANGE_LEAD.search(text[max(0, first.start - 40) : first.start])
            is_and = joiner.strip() == "and"
            units_agree = unit_first is None or units[i + 1] is None or _same_unit(unit_first[0], units[i + 1][0])
            dash_or_unit = units[i + 1] or unit_first or lead or joiner.strip() in "-−–‒~∼"
            changed_by = joiner.strip() == "to" and re.search(r"\bby\s?[~∼]?$", text[max(0, first.start - 12) : first.start])
            changed_from = (re.sub(r"[~∼≈]\s?$", "", joiner).strip() == "to"  # 'from ∼4.4 eV to ∼5.1 eV'
                            and (_changed_from(text, first.start)
                                 # '... change from 1 to 3 S/m, 1.5 to 1.7 S/m, respectively': the next change of a list
                                 or changed_before is not None and re.fullmatch(r",\s?(?:and\s)?(?:from\s)?",
                                                                                text[changed_before : first.start])))
            if changed_from and units_agree and dash_or_unit:
                # 'the Tc decreases from 325 to 279 K': two values (before and after), not a range
                unit = units[i + 1] or unit_first
                unit_text = _clean_unit(unit[0]) if unit else ""
                for n, n_unit in ((first, unit_first), (second, units[i + 1])):
                    end = n_unit[1] if n_unit else n.end
                    comp = _comparator_before(text, n.start)
                    q_start = _comparator_start(text, n.start, comp)
                    quantities.append(Quantity(text[q_start:end], q_start, end, n.value, uncertainty=n.uncertainty,
                                               unit=unit_text, comparator=comp[0] if comp else None))
                changed_before = end
                i += 2
                continue
            # 'increases from 93% and 83% to 96% and 86.5%, respectively': the starting values of two changes, not a range
            from_pair = is_and and lead and re.match(r"\s?to\s", text[(units[i + 1][1] if units[i + 1] else second.end):])
            if from_pair and units_agree:
                unit = units[i + 1] or unit_first
                unit_text = _clean_unit(unit[0]) if unit else ""
                for n, n_unit in ((first, unit_first), (second, units[i + 1])):
                    end = n_unit[1] if n_unit else n.end
                    quantities.append(Quantity(text[n.start:end], n.start, end, n.value, uncertainty=n.uncertainty,
                                               unit=unit_text))
                i += 2
                continue
            inequality = bool((unit_first or units[i + 1]) and _INEQUALITY_JOIN.match(joiner))
            if inequality or (_RANGE_JOIN.match(joiner) and not changed_by and units_agree and (not is_and or lead)
                              and dash_or_unit):
                if not (is_and and not lead):
                    unit = units[i + 1] or unit_first
                    end = units[i + 1][1] if units[i + 1] else second.end
                    low, high = sorted((first.value, second.value))
                    q_start = _comparator_start(text, first.start, comparator)
                    quantities.append(
                        Quantity(text[q_start:end], q_start, end, None, value_min=low, value_max=high,
                                 unit=_clean_unit(unit[0]) if unit else "", comparator=comparator[0] if comparator else None)
                    )
                    i += 2
                    continue
        # parallel values: 'band gaps are 2.58 (0.22) eV' (GaN (InN)), the bracketed twin shares the unit after it
        if unit_first is None and i + 1 < len(numbers) and units[i + 1] is None and re.fullmatch(
                r"\s?\(\s?", text[first.end : numbers[i + 1].start]):
            close = re.compile(r"\s?\)").match(text, numbers[i + 1].end)
            shared = _unit_at(text, close.end(), glued_units) if close else None
            second = numbers[i + 1]
            # (two numbers of one kind: both decimals, or both of two digits at least; not '600 (2) °C')
            alike = all("." in text[n.start : n.end] for n in (first, second)) or all(
                re.fullmatch(r"\d{2,}", text[n.start : n.end]) for n in (first, second))
            if shared is not None and alike:
                for n in (first, second):
                    quantities.append(Quantity(text[n.start : n.end], n.start, n.end, n.value, uncertainty=n.uncertainty,
                                               unit=_clean_unit(shared[0])))
                i += 2
                continue
        # list: a, b and c unit (only the last carries the unit)
        if unit_first is None:
            members = [i]
            j = i
            while j + 1 < len(numbers) and units[j] is None and (
                    _LIST_JOIN.match(_between(text, numbers, j)) or _CELL_LIST_JOIN.match(_between(text, numbers, j))):
                j += 1
                members.append(j)
                if units[j] is not None:
                    break
            if len(members) > 1 and units[members[-1]] is not None:
                unit_text = _clean_unit(units[members[-1]][0])
                power = _shared_power(text, [numbers[k] for k in members])
                for index, k in enumerate(members):
                    n = numbers[k]
                    if power and k != members[-1]:
                        n = dataclasses.replace(n, value=float(f"{n.value!r}e{power}"),
                                                uncertainty=n.uncertainty * float(f"1e{power}") if n.uncertainty else n.uncertainty)
                    end = units[k][1] if units[k] else n.end
                    comp = _comparator_before(text, n.start)
                    q_start = _comparator_start(text, n.start, comp)
                    quantities.append(
                        Quantity(text[q_start:end], q_start, end, n.value, uncertainty=n.uncertainty, unit=unit_text,
                                 comparator=comp[0] if comp else None, list_size=len(members), list_index=index)
                    )
                i = members[-1] + 1
                continue
        end = unit_first[1] if unit_first else first.end
        q_start = _comparator_start(text, first.start, comparator)
        quantities.append(
            Quantity(text[q_start:end], q_start, end, first.value, uncertainty=first.uncertainty,
                     unit=_clean_unit(unit_first[0]) if unit_first else "",
                     comparator=comparator[0] if comparator else None)
        )
        i += 1
    return _with_stated_uncertainty(text, quantities)


# '3.4 eV with an uncertainty of 0.1 eV', '1.74 eV (error of ±0.05 eV)': the second number is the
# first one's uncertainty, not a value of its own
_STATED_UNCERTAINTY = re.compile(
    r"^\s?[,(]?\s?(?:with(?:in)?\s)?(?:an?\s|the\s)?(?:(?:experimental|estimated|statistical|measurement)\s)?"
    r"(?:uncertainty|error|accuracy|precision|standard deviation)\s(?:of\s)?(?:about\s|approximately\s)?[~∼]?$",
    re.I,
)


def _with_stated_uncertainty(text: str, quantities: list[Quantity]) -> list[Quantity]:
    out: list[Quantity] = []
    for q in quantities:
        previous = out[-1] if out else None
        if (previous is not None and previous.value is not None and previous.uncertainty is None
                and q.value is not None and (not q.unit or _same_unit(q.unit, previous.unit))
                and _STATED_UNCERTAINTY.match(text[previous.end : q.start])):
            out[-1] = dataclasses.replace(previous, uncertainty=abs(q.value))
            continue
        out.append(q)
    return out


def _comparator_before(text: str, pos: int) -> tuple[str, int] | None:
    m = _COMPARATOR.search(text[max(0, pos - 20) : pos])
    if not m:
        return None
    word = m.group("comparator").lower()
    return _COMPARATOR_SYMBOL.get(word, "~"), pos - (len(text[max(0, pos - 20) : pos]) - m.start("comparator"))


def _comparator_start(text: str, number_start: int, comparator: tuple[str, int] | None) -> int:
    # Symbols belong to the quantity ('~850 K'); words ('about 300 K') stay outside its span.
    if comparator and not text[comparator[1]].isalpha():
        return comparator[1]
    return number_start


_SIEMENS_LOWER = re.compile(r"[mµμ]?s\s?(?:/\s?c?m|c?m\s?\^?\{?[-−]1\}?)")


def _clean_unit(unit: str) -> str:
    """Display form of a unit as written: single spaces, ASCII minus, '°C' glued."""
    unit = re.sub(r"\s+", " ", unit.strip())
    unit = re.sub(r"[°º˚]\s*(?=[CFK]\b)", "°", unit).replace("℃", "°C")
    if unit == "oC":
        unit = "°C"
    if _SIEMENS_LOWER.fullmatch(unit):
        unit = "S".join(unit.split("s", 1))  # '1 x 10^{-16} s/m': siemens in lower case (seconds per metre is no conductivity)
    return unit.translate(str.maketrans({"−": "-", "–": "-", "‒": "-", "Ω": "Ω", "μ": "µ"}))


def _same_unit(a: str, b: str) -> bool:
    try:
        return parse_unit(a) == parse_unit(b)
    except UnitError:
        return False


def with_offset(quantity: Quantity, offset: int) -> Quantity:
    """The same quantity with spans shifted by `offset` (sentence -> document offsets)."""
    return replace(quantity, start=quantity.start + offset, end=quantity.end + offset)


__all__ = ["OutOfRange", "Quantity", "SkippedNumber", "parse_quantities", "with_offset"]
