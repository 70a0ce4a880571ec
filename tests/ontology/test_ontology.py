"""The property ontology file and its lookups."""

from __future__ import annotations

from textmine.normalise.units import parse_unit, registry
from textmine.ontology import load_ontology

REQUIRED = """band_gap curie_temperature neel_temperature superconducting_transition_temperature melting_point
glass_transition_temperature refractive_index dielectric_constant thermal_conductivity electrical_conductivity
ionic_conductivity seebeck_coefficient thermoelectric_figure_of_merit specific_capacity coulombic_efficiency voltage
energy_density yield_strength tensile_strength youngs_modulus hardness density surface_area lattice_parameter
carrier_mobility power_conversion_efficiency bulk_modulus shear_modulus fracture_toughness
thermal_expansion_coefficient saturation_magnetization coercivity electrical_resistivity activation_energy
work_function exciton_binding_energy photoluminescence_quantum_yield decomposition_temperature boiling_point
heat_capacity debye_temperature elongation_at_break power_factor capacity_retention porosity particle_size
crystallite_size""".split()


def test_ontology_is_versioned_and_complete():
    ontology = load_ontology()
    assert ontology.version
    assert len(ontology.properties) >= 40
    assert set(REQUIRED) <= set(ontology.names())


def test_dimensions_match_si_units():
    for prop in load_ontology().properties:
        if prop.dimension == "dimensionless":
            assert not prop.si_unit or parse_unit(prop.si_unit).dimensionless, prop.name
        else:
            assert registry().get_dimensionality(prop.dimension) == parse_unit(prop.si_unit).dimensionality, prop.name


def test_band_gap_lookup_and_units():
    ontology = load_ontology()
    band_gap = ontology.get("band_gap")
    assert band_gap.si_unit == "J" and band_gap.default_unit == "eV"
    assert band_gap.si_unit_for("meV") == "J"
    assert band_gap.si_unit_for("K") is None
    assert band_gap.in_range(3.2, "eV") and not band_gap.in_range(300, "eV")
    assert [p.name for p in ontology.by_cue("optical gap")] == ["band_gap"]
    assert [p.name for p in ontology.by_cue("Eg")] == ["band_gap"]


def test_activation_energy_accepts_molar_units():
    activation = load_ontology().get("activation_energy")
    assert activation.si_unit_for("kJ/mol") == "J/mol"
    assert activation.si_unit_for("eV") == "J"


def test_find_cues_prefers_longest_and_keeps_symbols_case_sensitive():
    cues = load_ontology().find_cues("The optical band gap (Eg) and the Curie temperature TC; eg. tc")
    assert [(c.text, c.properties[0]) for c in cues] == [
        ("optical band gap", "band_gap"),
        ("Eg", "band_gap"),
        ("Curie temperature", "curie_temperature"),
        ("TC", "curie_temperature"),
    ]
    assert "superconducting_transition_temperature" in cues[3].properties


def test_symbols_are_not_plain_words():
    # A flow-list item like 'Tc,onset' unquoted in YAML would split into 'Tc' and 'onset'.
    for prop in load_ontology().properties:
        for symbol in prop.symbols:
            assert not (symbol.isascii() and symbol.isalpha() and symbol.islower() and len(symbol) >= 3), (prop.name, symbol)


def test_dimensionless_properties_take_ratios_not_decibels():
    permittivity = load_ontology().get("dielectric_constant")
    assert permittivity.si_unit_for("") == ""
    assert permittivity.si_unit_for("dB") is None
    assert load_ontology().get("coulombic_efficiency").si_unit_for("%") == ""
