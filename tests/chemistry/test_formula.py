"""Formula parsing, normalisation and detection on the forms papers use."""

from __future__ import annotations

import pytest

from textmine.chemistry.find import find_formulas, looks_like_formula
from textmine.chemistry.formula import FormulaError, parse_formula, variables_in_text
from textmine.chemistry.names import find_material_names, formula_for_name


@pytest.mark.parametrize(
    ("text", "formula", "elements", "composition"),
    [
        ("La0.7Sr0.3MnO3", "La0.7Sr0.3MnO3", ["La", "Mn", "O", "Sr"], {"La": 0.7, "Sr": 0.3, "Mn": 1.0, "O": 3.0}),
        ("Li7La3Zr2O12", "Li7La3Zr2O12", ["La", "Li", "O", "Zr"], {"Li": 7.0, "La": 3.0, "Zr": 2.0, "O": 12.0}),
        ("(Bi0.5Na0.5)TiO3", "Bi0.5Na0.5TiO3", ["Bi", "Na", "O", "Ti"], {"Bi": 0.5, "Na": 0.5, "Ti": 1.0, "O": 3.0}),
        ("CuSO4·5H2O", "CuSO4·5H2O", ["Cu", "H", "O", "S"], {"Cu": 1.0, "S": 1.0, "O": 9.0, "H": 10.0}),
        ("Ca10(PO4)6(OH)2", "Ca10(PO4)6(OH)2", ["Ca", "H", "O", "P"], {"Ca": 10.0, "P": 6.0, "O": 26.0, "H": 2.0}),
        ("TiO₂", "TiO2", ["O", "Ti"], {"Ti": 1.0, "O": 2.0}),
    ],
)
def test_parse_numeric_formulas(text, formula, elements, composition):
    parsed = parse_formula(text)
    assert parsed.formula == formula
    assert parsed.elements == elements
    assert parsed.composition == pytest.approx(composition)
    assert parsed.variables == []


def test_fractions_become_decimals():
    parsed = parse_formula("Li(Ni1/3Mn1/3Co1/3)O2")
    assert parsed.formula == "LiNi0.3333Mn0.3333Co0.3333O2"
    assert parsed.composition["Ni"] == pytest.approx(1 / 3, abs=1e-5)
    assert parsed.elements == ["Co", "Li", "Mn", "Ni", "O"]


def test_variables_kept_until_stated_then_substituted():
    unresolved = parse_formula("Ba1−xSrxTiO3")
    assert unresolved.formula == "Ba1-xSrxTiO3"
    assert unresolved.elements == ["Ba", "O", "Sr", "Ti"]
    assert unresolved.composition is None
    assert unresolved.variables == ["x"]

    resolved = parse_formula("Ba1−xSrxTiO3", variables_in_text("Ba1−xSrxTiO3 (x = 0.3) ceramics"))
    assert resolved.formula == "Ba0.7Sr0.3TiO3"
    assert resolved.composition == pytest.approx({"Ba": 0.7, "Sr": 0.3, "Ti": 1.0, "O": 3.0})


def test_oxygen_non_stoichiometry():
    parsed = parse_formula("SrTiO3-δ")
    assert parsed.formula == "SrTiO3-δ"
    assert parsed.variables == ["δ"]


@pytest.mark.parametrize(("text", "formula", "charge"), [("Fe3+", "Fe", 3), ("O2−", "O", -2), ("Mn³⁺", "Mn", 3)])
def test_charges_are_split_off(text, formula, charge):
    parsed = parse_formula(text)
    assert (parsed.formula, parsed.charge) == (formula, charge)


def test_hybrid_perovskite_abbreviation_expands():
    parsed = parse_formula("MAPbI3")
    assert parsed.formula == "CH3NH3PbI3"
    assert parsed.elements == ["C", "H", "I", "N", "Pb"]


def test_reduced_formula_compares_written_orders():
    assert parse_formula("Fe2O3").reduced_formula == parse_formula("O3Fe2").reduced_formula


def test_variable_lists_are_not_assignments():
    assert variables_in_text("for x = 0.0, 0.2 and 0.4") == {}
    assert variables_in_text("the x = 0.1 sample") == {"x": 0.1}


@pytest.mark.parametrize("text", ["Hello", "Figure", "eV", "x", "", "Q2"])
def test_non_formulas_raise(text):
    with pytest.raises(FormulaError):
        parse_formula(text)


@pytest.mark.parametrize("token", ["TiO2", "H2O", "Fe", "BN", "GaAs", "La0.7Sr0.3MnO3", "CO", "C60", "N2"])
def test_formula_tokens_detected(token):
    assert looks_like_formula(token)


@pytest.mark.parametrize(
    "token", ["In", "As", "I", "He", "No", "XRD", "SEM", "DFT", "PCE", "II", "IV", "K", "eV", "Tc", "NCs", "S1", "Table"]
)
def test_words_units_acronyms_rejected(token):
    assert not looks_like_formula(token)


def test_find_formulas_spans_and_context():
    text = "In 2019 we grew (Bi0.5Na0.5)TiO3, α-Fe2O3 and Ba1−xSrxTiO3 (x = 0.3) films (XRD, Fig. 3)."
    found = find_formulas(text, variables_in_text(text))
    assert [f.text for f in found] == ["(Bi0.5Na0.5)TiO3", "α-Fe2O3", "Ba1−xSrxTiO3"]
    for f in found:
        assert text[f.start : f.end] == f.text
    assert found[2].parsed.formula == "Ba0.7Sr0.3TiO3"


def test_bracketed_formula_loses_its_brackets():
    text = "tungsten trioxide (WO3) has"
    [found] = find_formulas(text)
    assert found.text == "WO3"


def test_material_names_and_abbreviations():
    names = {n.text.lower(): n.formula for n in find_material_names("Rutile, hematite, silicon and graphene; CZTS films")}
    assert names == {"rutile": "TiO2", "hematite": "Fe2O3", "silicon": "Si", "graphene": "C", "czts": "Cu2ZnSnS4"}
    assert formula_for_name("Magnetite") == "Fe3O4"
    assert formula_for_name("MAPbI3") == "CH3NH3PbI3"


def test_compound_names_from_element_names():
    found = [n.text for n in find_material_names("gallium oxide thin films and copper ferrite")]
    assert found == ["gallium oxide", "copper ferrite"]


def test_shared_sites_and_general_formulas():
    shared = parse_formula("(Sr,Ca)2CuO2Cl2")
    assert shared.formula == "(Sr,Ca)2CuO2Cl2"
    assert shared.elements == ["Ca", "Cl", "Cu", "O", "Sr"]
    assert shared.composition is None  # proportions on the shared site are not given
    general = parse_formula("R2Ti2O7")
    assert general.elements == ["O", "Ti"] and general.variables == ["R"] and general.composition is None
    assert parse_formula("Co1-xMxO2").variables == ["x", "M"]


@pytest.mark.parametrize("token", ["MHz", "GPa", "kOe", "Me", "RE", "ABO"])
def test_units_and_bare_placeholders_are_not_formulas(token):
    assert not looks_like_formula(token)


def test_redox_couples_are_not_materials():
    found = [f.text for f in find_formulas("cycled from 2.0 to 3.8 V vs. Li/Li+ (Li/Li0), Fe(II)/Fe(III), with ZnO/CuO")]
    assert found == ["ZnO/CuO"]


@pytest.mark.parametrize(("text", "expected"), [
    # PDF text that kept each element's amount but set the elements apart
    ("cubic In2 O3 transforms at 3.8 GPa", [("In2 O3", "In2O3")]),
    ("the Ni49 Mn39 Sb12 alloy", [("Ni49 Mn39 Sb12", "Ni49Mn39Sb12")]),
    # sample labels and one-letter symbols are not joined
    ("samples S1 S2 and C1 B2 were", []),
    # a bracket that opens a note on the formula ends it; a surface's Miller indices are not part of it
    ("Ba0.96Sr0.04Zr0.04LnxTi0.96–xO3–δ(Ln = Y, Dy) ceramics",
     [("Ba0.96Sr0.04Zr0.04LnxTi0.96–xO3–δ", "Ba0.96Sr0.04Zr0.04LnxTi0.96-xO3-δ"), ("Dy", "Dy")]),
    ("films grown on SrTiO3(001) and Fe3O4(111)", [("SrTiO3", "SrTiO3"), ("Fe3O4", "Fe3O4")]),
    ("Fe(CO)5 and Ca(OH)2", [("Fe(CO)5", "Fe(CO)5"), ("Ca(OH)2", "Ca(OH)2")]),
])
def test_formulas_cut_or_spread_by_pdf_text(text, expected):
    found = find_formulas(text)
    assert [(f.text, f.parsed.formula) for f in found] == expected
    for f in found:
        assert text[f.start : f.end] == f.text


def test_polymer_word_names_keep_their_plural():
    assert [n.text for n in find_material_names("fully aromatic polyamides and PANIs")] == ["polyamides", "PANI"]


def test_shared_sites_after_a_leading_element():
    [found] = find_formulas("Cu(In,Ga)Se2 compounds")
    assert (found.text, found.parsed.formula, found.parsed.elements) == ("Cu(In,Ga)Se2", "Cu(In,Ga)Se2",
                                                                         ["Cu", "Ga", "In", "Se"])
