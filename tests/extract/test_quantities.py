"""Quantity parsing: the number forms of materials papers, and numbers that are not measurements."""

from __future__ import annotations

import pytest

from textmine.extract.quantities import parse_quantities


def only(text: str):
    found = parse_quantities(text)
    assert len(found) == 1, found
    q = found[0]
    assert text[q.start : q.end] == q.text
    return q


def test_single_value_with_unit_and_si():
    q = only("a band gap of 3.37 eV")
    assert (q.value, q.unit, q.text) == (3.37, "eV", "3.37 eV")
    value_si, low_si, high_si, unit_si = q.si("J")
    assert value_si == pytest.approx(3.37 * 1.602176634e-19)
    assert low_si == high_si == value_si and unit_si == "J"


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("2.4–2.7 eV", 2.4, 2.7, "eV"),
        ("from 1.45 to 1.08 eV", 1.08, 1.45, "eV"),
        ("between 1 and 2 eV", 1.0, 2.0, "eV"),
        ("2.4-2.7eV", 2.4, 2.7, "eV"),
        ("between 870 and 943 °C", 870.0, 943.0, "°C"),
        # an interval written as two inequalities around a symbol
        ("in the region 180 °C < T < 260 °C", 180.0, 260.0, "°C"),
        ("stable for 5 K ≤ T ≤ 80 K", 5.0, 80.0, "K"),
    ],
)
def test_ranges(text, low, high, unit):
    q = only(text)
    assert q.is_range and q.value is None
    assert (q.value_min, q.value_max, q.unit) == (low, high, unit)


def test_range_in_si_converts_both_ends():
    q = only("100–200 °C")
    _, low, high, unit = q.si("K")
    assert (low, high, unit) == (pytest.approx(373.15), pytest.approx(473.15), "K")


@pytest.mark.parametrize(
    ("text", "value", "uncertainty", "unit"),
    [("120 ± 5 °C", 120.0, 5.0, "°C"), ("3.2(1) eV", 3.2, 0.1, "eV"), ("2.315(12) Å", 2.315, 0.012, "Å")],
)
def test_uncertainties(text, value, uncertainty, unit):
    q = only(text)
    assert (q.value, q.uncertainty, q.unit) == (value, pytest.approx(uncertainty), unit)


def test_list_shares_the_final_unit():
    found = parse_quantities("band gaps of 1.2, 1.5 and 1.9 eV")
    assert [(q.value, q.unit, q.list_size, q.list_index) for q in found] == [
        (1.2, "eV", 3, 0), (1.5, "eV", 3, 1), (1.9, "eV", 3, 2),
    ]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1.2 × 10−3 S cm−1", 1.2e-3, "S cm-1"),
        ("1.5e-3 S/cm", 1.5e-3, "S/cm"),
        ("10^-4 S cm-1", 1e-4, "S cm-1"),
        ("2.5 × 10⁻⁴ S cm⁻¹", 2.5e-4, "S cm⁻¹"),
        ("0.5 W m−1 K−1", 0.5, "W m-1 K-1"),
        ("200 cm2 V−1 s−1", 200.0, "cm2 V-1 s-1"),
        ("160 mAh g−1", 160.0, "mAh g-1"),
        ("22.1%", 22.1, "%"),
        ("−0.5 V", -0.5, "V"),
        ("1,200 °C", 1200.0, "°C"),
    ],
)
def test_scientific_notation_and_compound_units(text, value, unit):
    q = only(text)
    assert q.value == pytest.approx(value)
    assert q.unit == unit


@pytest.mark.parametrize(
    ("text", "comparator", "value"),
    [("> 500 K", ">", 500.0), ("~850 K", "~", 850.0), ("about 300 K", "~", 300.0), ("Tc ≈ 1500 °C", "~", 1500.0),
     ("up to 20%", "<=", 20.0), ("≥ 10 GPa", ">=", 10.0)],
)
def test_comparators(text, comparator, value):
    q = only(text)
    assert (q.comparator, q.value) == (comparator, value)


def test_word_comparator_stays_outside_the_span():
    q = only("about 300 K")
    assert q.text == "300 K"


@pytest.mark.parametrize(
    "text",
    ["In 2019, we", "as reported [12]", "shown in Fig. 3", "see Table 2", "Eq. (4) gives", "for x = 0.3",
     "2D materials", "the 3d orbitals"],
)
def test_non_measurements_are_skipped(text):
    assert parse_quantities(text) == []


def test_digits_inside_formulas_and_units_are_not_values():
    found = parse_quantities("TiO2 has 3.2 eV and σ = 10 S cm−1")
    assert [(q.value, q.unit) for q in found] == [(3.2, "eV"), (10.0, "S cm-1")]


def test_unit_exponent_at_sentence_end():
    found = parse_quantities("Its density is 2.33 g/cm3. The cut-off is 5 cm−1.")
    assert [(q.value, q.unit) for q in found] == [(2.33, "g/cm3"), (5.0, "cm-1")]


def test_lost_plus_minus_sign():
    q = only("3.4+0.1 cm2/Vs")
    assert (q.value, q.uncertainty, q.unit) == (3.4, pytest.approx(0.1), "cm2/Vs")


def test_spaced_minus_after_ten_is_a_lost_superscript_but_not_in_a_range():
    assert [(q.value, q.unit) for q in parse_quantities("less than 10 − 4 Ω cm")] == [(pytest.approx(1e-4), "Ω cm")]
    assert [(q.value, q.unit) for q in parse_quantities("5.3 × 10 − 3 Ω cm")] == [(pytest.approx(5.3e-3), "Ω cm")]
    [q] = parse_quantities("between 10 − 20 K")
    assert (q.value_min, q.value_max) == (10.0, 20.0)


def test_ratios_of_change_are_not_values():
    assert [q.text for q in parse_quantities("increased 3.5 times and by 2 orders of magnitude, a 10-fold rise")] == []


@pytest.mark.parametrize("text", ["120 ºC", "120˚C", "120 oC", "120oC", "120 ° C", "120 ℃"])
def test_degree_sign_lookalikes(text):
    q = only(text)
    assert (q.value, q.unit) == (120.0, "°C")
    assert q.si("K")[0] == pytest.approx(393.15)


@pytest.mark.parametrize(
    ("text", "unit"),
    [("294 K (TC)", "K"), ("3 eV (Eg)", "eV"), ("5 W/(m K)", "W/(m K)"), ("10 cm2/(V s)", "cm2/(V s)")],
)
def test_a_bracket_after_a_unit_is_not_part_of_it_unless_after_a_slash(text, unit):
    assert parse_quantities(text)[0].unit == unit


@pytest.mark.parametrize(("text", "expected"), [
    # a power of ten written once after a list holds for each of its numbers
    ("coefficients are 5.31 and 5.58 x 10^4 M^-1 cm^-1", [(53100.0, "M^-1 cm^-1"), (55800.0, "M^-1 cm^-1")]),
    ("of 2.1, 3.2 and 4.5×10−3 S cm−1", [(0.0021, "S cm-1"), (0.0032, "S cm-1"), (0.0045, "S cm-1")]),
    # ... but not when each number has its own
    ("are 2 × 10^3 and 5 × 10^4 S/cm", [(2000.0, "S/cm"), (50000.0, "S/cm")]),
    # four digits that open a list ending in a unit are values, not years; years stay years
    ("of Mn 2000, 3000 and 4000 g/mol", [(2000.0, "g/mol"), (3000.0, "g/mol"), (4000.0, "g/mol")]),
    ("in 2005 and 2010 the Tc was 30 K", [(30.0, "K")]),
])
def test_lists_share_a_power_of_ten_and_hold_no_years(text, expected):
    found = parse_quantities(text)
    assert [(round(q.value, 12), q.unit) for q in found] == expected


@pytest.mark.parametrize(("text", "value", "unit", "si"), [
    # a hyphen between two unit atoms is a product ('Ω-cm', 'Ohm-cm'), not a word's hyphen ('5 nm-thick')
    ("a resistivity of 8.61 × 10−4 Ω-cm", 8.61e-4, "Ω-cm", 8.61e-6),
    ("a resistivity of 3 Ohm-cm", 3.0, "Ohm-cm", 0.03),
])
def test_units_joined_by_a_hyphen(text, value, unit, si):
    q = only(text)
    assert (q.value, q.unit) == (value, unit)
    assert q.si("ohm*m")[0] == pytest.approx(si)


def test_a_hyphenated_word_after_a_unit_is_no_unit():
    assert [(q.value, q.unit) for q in parse_quantities("a 5 nm-thick V-shaped film")] == [(5.0, "nm")]


@pytest.mark.parametrize("text, value", [
    # powers of ten whose exponent PDF text set on the line: '× 1022' after a mantissa, '1014 cm-3' alone
    ("a carrier density of 7.26 × 1022 cm−3", 7.26e22),
    ("a donor concentration (5×1016cm−3)", 5e16),
    ("controlled to be ∼1014 cm-3.", 1e14),
    ("an optimal carrier density n ∼ 10 19 cm -3 , at which", 1e19),
])
def test_powers_of_ten_set_on_the_line(text, value):
    [q] = parse_quantities(text)
    assert q.value == value


def test_dimensions_are_no_powers_of_ten():
    # '2 × 100 nm' is no 2 × 10^0 nm, and a 1020 K anneal is no power of ten
    assert [(q.value, q.unit) for q in parse_quantities("grains of 2 × 100 nm after a 1020 K anneal")] == [
        (100.0, "nm"), (1020.0, "K")]


def test_a_bullet_operator_joins_unit_atoms():
    # 'mW∙cm−2' (U+2219) as PDF text writes the product
    assert [(q.value, q.unit) for q in parse_quantities("power densities of 693 and 550 mW∙cm−2")] == [
        (693.0, "mW∙cm-2"), (550.0, "mW∙cm-2")]


def test_a_change_in_brackets_after_its_quantity_has_two_ends():
    # 'J sc (from 7.63 to 8.95 mA/cm2)': the values before and after, not a range; 'ranging from' stays a range
    assert [q.value for q in parse_quantities("J sc (from 7.63 to 8.95 mA/cm^2), and FF (from 30.2% to 69.3%)")] == [
        7.63, 8.95, 30.2, 69.3]
    [q] = parse_quantities("temperatures ranging from 10 to 20 K")
    assert (q.value_min, q.value_max) == (10.0, 20.0)


def test_a_list_of_changes_and_tunable_ranges():
    # 'change from a to b, c to d, respectively': two changes, four values; 'can be changed from' is a range
    text = "the values change from 1 to 3 S/m, 1.5 to 1.7 S/m, respectively"
    assert [q.value for q in parse_quantities(text)] == [1.0, 3.0, 1.5, 1.7]
    [q] = parse_quantities("the band gap can be changed from 1.02 to 1.68 eV depending on the ratio")
    assert (q.value_min, q.value_max) == (1.02, 1.68)


def test_siemens_written_in_lower_case():
    assert [(q.value, q.unit) for q in parse_quantities("0.1 s/cm and 5 ms cm-1 and 3 s")] == [
        (0.1, "S/cm"), (5.0, "mS cm-1"), (3.0, "s")]


def test_the_starting_values_of_two_changes_are_no_range():
    text = "the CH4 and CO2 conversion increases from 93% and 83% to 96% and 86.5%, respectively"
    assert [q.value for q in parse_quantities(text)] == [93.0, 83.0, 96.0, 86.5]
    [q] = parse_quantities("a window from 2 and 4 V")
    assert (q.value_min, q.value_max) == (2.0, 4.0)


def test_a_composition_interval_without_a_unit_is_no_range():
    assert not any(q.is_range for q in parse_quantities("for 0 ≤ x ≤ 0.3 the lattice expands"))


def test_an_ohm_glued_to_its_length_and_a_range_end_without_a_unit():
    from textmine.normalise.units import normalise_unit_text

    assert [(q.value, q.unit) for q in parse_quantities("a resistivity of ~75μΩcm2 and 2.1 mΩcm")] == [
        (75.0, "µΩcm2"), (2.1, "mΩcm")]
    assert normalise_unit_text("μΩcm2") == "uohm*cm**2"
    # (and a siemens glued to its inverse length: 'Scm−1')
    assert [(q.value, q.unit) for q in parse_quantities("high conducting (2.2×10−1 Scm−1)")] == [(0.22, "S cm-1")]
    assert normalise_unit_text("mScm-1") == "mS*cm**-1"
    # a range's first end after a one-letter symbol takes the unit of the second ('T C = 206-223 K')
    [q] = parse_quantities("T C = 206-223 K")
    assert (q.value_min, q.value_max, q.unit) == (206.0, 223.0, "K")


def test_parallel_values_in_brackets_share_the_unit_after_them():
    # 'For GaN (InN) ... band gaps are 2.58 (0.22) eV': the twin in brackets and the number before it
    assert [(q.text, q.value, q.unit) for q in parse_quantities("the band gaps are 2.58 (0.22) eV")] == [
        ("2.58", 2.58, "eV"), ("0.22", 0.22, "eV")]
    assert [(q.value, q.unit) for q in parse_quantities("TN of 15 (20) K")] == [(15.0, "K"), (20.0, "K")]
    # (not a number of another kind in brackets: a count, a label)
    assert [q.unit for q in parse_quantities("heated at 600 (2) °C")] == ["", ""]


def test_units_pdf_text_glued_to_the_next_word_or_to_their_parts():
    from textmine.normalise.units import normalise_unit_text

    # a unit symbol glued to the next word ('two at 2.581Åand one at 2.687Å')
    assert [(q.text, q.unit) for q in parse_quantities("two at 2.581Åand one at 2.687Å")] == [
        ("2.581Å", "Å"), ("2.687Å", "Å")]
    # (and a degree sign: 'increased to 143.3 ± 1.2 °and 141.7 ± 1.9 °, respectively')
    assert [(q.value, q.unit) for q in parse_quantities("increased to 143.3 ± 1.2 °and 141.7 ± 1.9 °, respectively")] == [
        (143.3, "°"), (141.7, "°")]
    # a potential glued to its reference electrode ('1.52VRHE'), not to another word ('5 VRM')
    assert [(q.value, q.unit) for q in parse_quantities("from 1.52VRHE (x=0.2) to 1.40VRHE (x=0.85)")] == [
        (1.52, "V"), (1.4, "V")]
    assert [q.unit for q in parse_quantities("a 5 VRM module")] == [""]
    # a fracture toughness's pascal glued to the root of its length ('4 MPam1/2')
    [q] = parse_quantities("a fracture toughness of 4 MPam1/2, and")
    assert (q.text, q.value, q.unit) == ("4 MPam1/2", 4.0, "MPa m1/2")
    assert normalise_unit_text(q.unit) != normalise_unit_text("MPa")


def test_the_terms_of_a_ratio_are_no_values():
    # a blend's or a mixture's ratio ('PC71BM (1: 1, w / w)', '1:1.5'): not a fill factor, an efficiency ...
    assert [(q.value, q.unit) for q in parse_quantities("the PSC based on PBTB: PC71BM (1: 1, w / w) reached 4.4%")] == [
        (4.4, "%")]
    assert parse_quantities("a weight ratio of 1:1.5 (w/w)") == []
    assert parse_quantities("blended (1 : 2 by weight)") == []
    # (a value after a symbol is still one, and so is a quantity with a unit after a ratio)
    assert [q.value for q in parse_quantities("FF = 0.61, and")] == [0.61]
    assert [(q.value, q.unit) for q in parse_quantities("Li:Fe of 1:2 and a gap of 3 eV")] == [(3.0, "eV")]
