"""Units: parse the unit strings found in papers and convert values to SI with pint.

One registry for the whole process (building one costs ~100 ms). Unit strings from text are first
rewritten into pint's grammar (`normalise_unit_text`): °C → degC, Ω → ohm, µ → u, superscripts,
middle dots, `cm-1` style exponents.
"""

from __future__ import annotations

import functools
import re
import threading

import pint


class UnitError(ValueError):
    """A unit string that pint cannot read, or a conversion between incompatible units."""


_REGISTRY_LOCK = threading.RLock()


def registry() -> pint.UnitRegistry:
    """The process's registry. Threads asking at once (a server's first requests) wait for the
    first to build it instead of each building their own (seconds each, with the GIL shared)."""
    with _REGISTRY_LOCK:
        return _build_registry()


@functools.lru_cache(maxsize=1)
def _build_registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    # Units common in materials papers that pint lacks.
    ureg.define("HV = 9.80665e6 * pascal")  # Vickers hardness number, kgf/mm^2
    ureg.define("GPa_hardness = 1e9 * pascal")
    ureg.define("wt_percent = 0.01 = wt%")
    ureg.define("at_percent = 0.01 = at%")
    ureg.define("vol_percent = 0.01 = vol%")
    # Magnetism in papers is mostly cgs: emu for moments, Oe for H fields. pint's oersted is a
    # Gaussian-system unit that cannot convert to A/m, so the field strength gets its own unit.
    ureg.define("emu = 1e-3 * ampere * meter ** 2")
    ureg.define("oersted_field = 79.57747154594767 * ampere / meter = OeH")
    # gas permeability of membranes: 1 Barrer = 1e-10 cm3(STP) cm / (cm2 s cmHg)
    ureg.define("Barrer = 3.35e-16 * mol / (meter * second * pascal)")
    return ureg


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_REPLACEMENTS = [
    # Before the µ rewrite: "μB" is the Bohr magneton, not a micro-byte.
    (re.compile(r"[µμ]\s*B\b"), "bohr_magneton"),
    (re.compile(r"\b([kmM]?)Oe\b"), r"\1OeH"),
    # "W/mK" is W/(m·K) in every thermal paper, never watts per millikelvin.
    (re.compile(r"/\s*mK\b"), "/(m*K)"),
    (re.compile(r"(?<=V)s\b"), "*s"),  # "cm2/Vs"
    (re.compile(r"\bm\s*\^?\s*(?:1/2|0\.5|½)"), "m**0.5"),  # fracture toughness, MPa m1/2
    (re.compile(r"[°º˚]\s*C\b|℃|^o\s?C$"), "degC"),  # 'º' and '˚' stand in for '°'; 'oC' in old PDFs
    (re.compile(r"°\s*F\b|℉"), "degF"),
    (re.compile(r"°\s*K\b"), "K"),
    (re.compile(r"Ω|Ω|\bOhms?\b"), "ohm"),
    (re.compile(r"(?<=ohm)-?(?=[a-zµu]?m(?:\b|\d|\^))"), "*"),  # 'Ω-cm', 'ohm-cm', 'Ωcm2'
    (re.compile(r"(?<=S)(?=cm[-−]?\d)"), "*"),  # 'Scm-1'
    (re.compile(r"[µμ]"), "u"),
    (re.compile(r"Å|Å"), "angstrom"),
    (re.compile(r"[·⋅•×]"), "*"),
    (re.compile(r"\bsec\b"), "s"),
    (re.compile(r"\bhrs?\b"), "h"),
    (re.compile(r"\bmins?\b"), "min"),
    (re.compile(r"\bwt\.?\s*%"), "wt_percent"),
    (re.compile(r"\bat\.?\s*%"), "at_percent"),
    (re.compile(r"\bvol\.?\s*%"), "vol_percent"),
    (re.compile(r"(?<![a-z])%"), "percent"),
    (re.compile(r"\bcc\b"), "cm^3"),
    # a dalton standing alone is a molar mass ('Mn of 12.5 kDa'), as polymer papers use it
    (re.compile(r"^([kM]?)Da$"), r"\1g/mol"),
]
# "cm-1", "cm−1", "g cm-3", "S cm^-1": a unit symbol followed by a signed integer exponent
_EXPONENT = re.compile(r"(?<=[A-Za-z])\s*\^?\s*([-−–]?\d)(?![\d.])")


def normalise_unit_text(unit: str) -> str:
    """Rewrite a unit as written in a paper into pint's grammar."""
    text = unit.strip().translate(_SUPERSCRIPTS)
    text = text.replace("−", "-").replace("–", "-")
    for pattern, repl in _REPLACEMENTS:
        text = pattern.sub(repl, text)
    text = _EXPONENT.sub(lambda m: "**" + m.group(1), text)
    # "g cm**-3" -> "g * cm**-3": juxtaposition means multiplication
    text = re.sub(r"(?<=[\w)])\s+(?=[A-Za-z(])", " * ", text.strip())
    # Papers write "cm2/V·s" meaning cm2/(V·s): group a product after a single slash.
    head, slash, tail = text.partition("/")
    if slash and "*" in tail and "/" not in tail and "(" not in tail and "**-" not in tail:
        text = f"{head}/({tail})"
    # Inside a compound unit (J g-1 °C-1, °C/min) a Celsius degree is a temperature difference.
    if "degC" in text and text.strip() != "degC":
        text = text.replace("degC", "delta_degC")
    return text


@functools.lru_cache(maxsize=4096)
def parse_unit(unit: str) -> pint.Unit:
    """Parse a unit string from text; raises UnitError with the offending text."""
    text = normalise_unit_text(unit)
    if not text:
        return registry().dimensionless
    try:
        return registry().parse_units(text)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, TypeError, ValueError) as exc:
        raise UnitError(f"unknown unit {unit!r} (read as {text!r})") from exc
    except Exception as exc:  # pint raises a few other parse errors on odd input
        raise UnitError(f"unknown unit {unit!r} (read as {text!r}): {exc}") from exc


def dimensionality(unit: str) -> str:
    return str(parse_unit(unit).dimensionality)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    ureg = registry()
    try:
        return float(ureg.Quantity(value, parse_unit(from_unit)).to(parse_unit(to_unit)).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}: different dimensions") from exc


def to_si(value: float, unit: str, si_unit: str | None = None) -> tuple[float, str]:
    """Convert to `si_unit` if given (e.g. the ontology's unit for the property), else SI base units."""
    if si_unit:
        return convert(value, unit, si_unit), si_unit
    q = registry().Quantity(value, parse_unit(unit)).to_base_units()
    return float(q.magnitude), f"{q.units:~C}"


def compatible(unit: str, other: str) -> bool:
    try:
        return parse_unit(unit).dimensionality == parse_unit(other).dimensionality
    except UnitError:
        return False
