"""Units papers use that pint does not read as written."""

from __future__ import annotations

import pytest

from textmine.normalise.units import convert, dimensionality, parse_unit


@pytest.mark.parametrize(
    ("unit", "to", "factor"),
    [
        ("cm2/Vs", "m**2/(V*s)", 1e-4),
        ("W/mK", "W/(m*K)", 1.0),
        ("emu/g", "A*m**2/kg", 1.0),
        ("kOe", "A/m", 79577.4715459),
        ("MPa m1/2", "Pa*m**0.5", 1e6),
        ("wt%", "dimensionless", 0.01),
        ("mAh g−1", "C/kg", 3600.0),
    ],
)
def test_material_units_convert(unit, to, factor):
    assert convert(1.0, unit, to) == pytest.approx(factor)


def test_bohr_magneton_is_not_a_microbyte():
    assert dimensionality("μB") == str(parse_unit("bohr_magneton").dimensionality)


def test_celsius_inside_a_compound_unit_is_a_difference():
    assert convert(1.0, "J g−1 °C−1", "J/(kg*K)") == pytest.approx(1000.0)
    assert convert(60.0, "°C/min", "K/s") == pytest.approx(1.0)
    assert convert(25.0, "°C", "K") == pytest.approx(298.15)
