"""Record assembly by the `rules` pipeline on realistic sentences, tables and junk."""

from __future__ import annotations

import pytest

from textmine.document import DocumentBuilder, Table, TableCell
from textmine.extract import document_from_text
from textmine.extract.components import RULES_VERSION
from textmine.extract.pipeline import ExtractionPipeline, load_pipeline
from textmine.registry import components

EV = 1.602176634e-19


@pytest.fixture(scope="module")
def extractor() -> ExtractionPipeline:
    # the rules' own scores: these tests are about the rules (the shipped pipeline also maps the
    # scores through its calibration map: tests/test_pipelines.py)
    return load_pipeline("rules", overrides={"calibrate": {"map": None}})


def run(pipeline: ExtractionPipeline, document):
    extraction = pipeline(document)
    assert extraction.ok, extraction.failures
    return extraction.records, extraction.mentions


def extract(extractor, text: str):
    document = document_from_text("doc-1", text)
    records, mentions = run(extractor, document)
    return document, records, mentions


def test_registered_and_versioned():
    pipeline = load_pipeline("rules")
    assert pipeline.provenance.extractor == f"rules@{RULES_VERSION}"
    assert "linker.rules" in components and components.get("linker.rules")().version == RULES_VERSION
    assert pipeline.provenance.components["linker.rules"] == RULES_VERSION


def test_band_gap_of_material_is_value(extractor):
    text = "Zinc oxide films were grown by sputtering. The band gap of ZnO is 3.37 eV at room temperature."
    document, records, mentions = extract(extractor, text)
    [record] = records
    assert (record.material.text, record.material.formula, record.material.elements) == ("ZnO", "ZnO", ["O", "Zn"])
    assert (record.property, record.value, record.unit, record.unit_si) == ("band_gap", 3.37, "eV", "J")
    assert record.value_si == pytest.approx(3.37 * EV)
    assert record.value_min_si == record.value_max_si == record.value_si
    assert document.text[record.value_start : record.value_end] == "3.37 eV"
    assert document.text[record.char_start : record.char_end] == record.sentence
    assert record.sentence == "The band gap of ZnO is 3.37 eV at room temperature."
    assert document.text[record.material.char_start : record.material.char_end] == "ZnO"
    assert record.extractor == f"rules@{RULES_VERSION}"
    assert 0.5 < record.confidence <= 1.0
    labels = {(m.label, m.text) for m in mentions}
    assert ("MAT", "ZnO") in labels and ("PRO", "band gap") in labels


def test_subject_has_property(extractor):
    _, records, _ = extract(extractor, "TiO2 has a wide band gap of 3.2 eV which limits its use under visible light.")
    assert [(r.material.formula, r.property, r.value) for r in records] == [("TiO2", "band_gap", 3.2)]


def test_parenthesised_symbol_and_comparator(extractor):
    text = "Fe3O4 has attracted much attention due to its high Curie temperature (Tc ∼ 850 K)."
    document, records, _ = extract(extractor, text)
    [record] = records
    assert (record.material.formula, record.property, record.value, record.unit) == ("Fe3O4", "curie_temperature", 850.0, "K")
    assert document.text[record.value_start : record.value_end] == "∼ 850 K"


def test_celsius_converted_to_kelvin(extractor):
    _, records, _ = extract(extractor, "The PbTiO3 crystal shows a Curie temperature of 490 °C.")
    [record] = records
    assert (record.value, record.unit, record.value_si, record.unit_si) == (490.0, "°C", pytest.approx(763.15), "K")


def test_respectively_pairs_materials_with_values(extractor):
    text = "The band gaps of CdS, CdSe and CdTe are 2.42, 1.74 and 1.49 eV, respectively."
    document, records, _ = extract(extractor, text)
    pairs = sorted((r.material.text, r.value) for r in records)
    assert pairs == [("CdS", 2.42), ("CdSe", 1.74), ("CdTe", 1.49)]
    for r in records:
        assert document.text[r.value_start : r.value_end].startswith(str(r.value))


def test_neel_and_superconducting_tc_are_told_apart(extractor):
    _, records, _ = extract(
        extractor,
        "NiO is antiferromagnetic with a Néel temperature of 523 K. "
        "The superconducting transition temperature Tc of MgB2 is 39 K.",
    )
    assert sorted((r.material.formula, r.property, r.value) for r in records) == [
        ("MgB2", "superconducting_transition_temperature", 39.0),
        ("NiO", "neel_temperature", 523.0),
    ]


def test_range_record(extractor):
    text = "The optical band gap of the CdS films varies between 2.4 and 2.7 eV."
    document, records, _ = extract(extractor, text)
    [record] = records
    assert record.value is None and (record.value_min, record.value_max) == (2.4, 2.7)
    assert record.value_min_si == pytest.approx(2.4 * EV) and record.value_max_si == pytest.approx(2.7 * EV)
    assert document.text[record.value_start : record.value_end] == "2.4 and 2.7 eV"


def test_stated_variable_is_substituted(extractor):
    _, records, _ = extract(extractor, "Ba1−xSrxTiO3 (x = 0.3) shows a Curie temperature of 300 K.")
    [record] = records
    assert record.material.text == "Ba1−xSrxTiO3"
    assert record.material.formula == "Ba0.7Sr0.3TiO3"


def test_condition_and_scientific_notation(extractor):
    text = "The ionic conductivity of Li7La3Zr2O12 is 1.2 × 10−3 S cm−1 at 25 °C."
    document, records, _ = extract(extractor, text)
    [record] = records
    assert record.property == "ionic_conductivity"
    assert record.value == pytest.approx(1.2e-3) and record.value_si == pytest.approx(0.12) and record.unit_si == "S/m"
    assert document.text[record.value_start : record.value_end] == "1.2 × 10−3 S cm−1"
    assert [(c.property, c.value, c.unit) for c in record.conditions] == [("temperature", 25.0, "°C")]


def test_abbreviation_defined_in_document(extractor):
    text = "We report BiFeO3 (BFO) thin films. The Néel temperature of BFO is 643 K."
    _, records, _ = extract(extractor, text)
    [record] = records
    assert (record.material.text, record.material.formula, record.value) == ("BFO", "BiFeO3", 643.0)


def test_dopant_is_not_the_material(extractor):
    _, records, _ = extract(extractor, "The Fe-doped TiO2 has a band gap of 2.9 eV.")
    assert [(r.material.formula, r.value) for r in records] == [("TiO2", 2.9)]


def test_differences_and_synthesis_temperatures_are_not_values(extractor):
    _, records, _ = extract(
        extractor,
        "Annealing at 500 °C shifts the band gap of TiO2 by 0.2 eV. The ZnO films were annealed at 400 °C.",
    )
    assert records == []


@pytest.mark.parametrize(
    "text",
    [
        "In 2019, Fig. 3 showed the band gap of ZnO [12].",
        "The band gap of ZnO (Table 2) was studied in ref. 12.",
        "The band gap of ZnO is 300 K.",  # wrong dimension
        "The band gap of ZnO is 3000 eV.",  # outside the plausible range
        "The band gap is important for solar cells.",
    ],
)
def test_junk_gives_no_records(extractor, text):
    _, records, _ = extract(extractor, text)
    assert records == []


def test_back_reference_uses_earlier_material_with_low_confidence(extractor):
    text = "We synthesised CoS2 nanoparticles by a hydrothermal route. Its Curie temperature is 116 K."
    document, records, _ = extract(extractor, text)
    [record] = records
    assert record.material.formula == "CoS2" and record.value == 116.0
    assert document.text[record.material.char_start : record.material.char_end] == "CoS2 nanoparticles"
    assert record.confidence < 0.5


def test_section_title_and_offsets_in_multi_section_document(extractor):
    builder = DocumentBuilder(source="test", format="text")
    builder.add_paragraph("Perovskite oxides are studied widely.", section="Introduction")
    builder.add_paragraph("The Curie temperature of La0.7Sr0.3MnO3 is 370 K.", section="Results")
    document = builder.build()
    records, _ = run(extractor, document)
    [record] = records
    assert record.section == "Results"
    assert record.material.formula == "La0.7Sr0.3MnO3"
    assert document.text[record.value_start : record.value_end] == "370 K"
    assert document.text[record.char_start : record.char_end] == record.sentence


def test_records_from_a_table(extractor):
    builder = DocumentBuilder(source="test", format="text")
    builder.add_paragraph("Optical properties of the oxides are listed in Table 1.")
    cells = [
        TableCell(row=0, col=0, text="Material", header=True),
        TableCell(row=0, col=1, text="Band gap (eV)", header=True),
        TableCell(row=0, col=2, text="Tc (K)", header=True),
        TableCell(row=1, col=0, text="ZnO"),
        TableCell(row=1, col=1, text="3.37"),
        TableCell(row=1, col=2, text="—"),
        TableCell(row=2, col=0, text="TiO2 (anatase)"),
        TableCell(row=2, col=1, text="3.2 ± 0.1"),
        TableCell(row=3, col=0, text="CrO2"),
        TableCell(row=3, col=2, text="390"),
    ]
    builder.add_table(Table(id="T1", caption="Table 1. Properties of magnetic and optical oxides.", cells=cells))
    document = builder.build()
    records, _ = run(extractor, document)
    rows = sorted((r.material.formula, r.property, r.value, r.uncertainty, r.unit) for r in records)
    assert rows == [
        ("CrO2", "curie_temperature", 390.0, None, "K"),
        ("TiO2", "band_gap", 3.2, 0.1, "eV"),
        ("ZnO", "band_gap", 3.37, None, "eV"),
    ]
    assert all(r.section == "table T1" for r in records)
    assert records[0].value_si is not None


def test_plain_text_document_helper():
    document = document_from_text("abs-7", "First paragraph.\n\nSecond paragraph.")
    assert document.id == "abs-7"
    assert [document.text[p.start : p.end] for _, p in document.paragraphs()] == ["First paragraph.", "Second paragraph."]
    assert len(document.sections) == 1


def test_value_of_an_unknown_symbol_is_not_taken_by_an_earlier_cue(extractor):
    text = "The KNN ceramic shows TC∼267°C, Tq∼85°C and d33∼235 pC/N."
    document, records, _ = extract(extractor, text)
    # 'Tq' names no property: its 85 °C is not the Curie temperature; d33 (ontology 1.2) is its own
    # (the phase boundary 'TO–T' names the phase-transition temperature since ontology 1.5)
    assert [(r.property, r.value, r.unit) for r in records] == [("curie_temperature", 267.0, "°C"),
                                                               ("piezoelectric_coefficient", 235.0, "pC/N")]
    assert document.text[records[0].value_start : records[0].value_end] == "∼267°C"


def test_adjacent_cue_after_the_value_wins(extractor):
    text = "ZnO has a band gap of 3.37 eV and a 60 meV exciton binding energy."
    _, records, _ = extract(extractor, text)
    assert sorted((r.property, r.value) for r in records) == [("band_gap", 3.37), ("exciton_binding_energy", 60.0)]


def test_values_in_brackets_after_each_material(extractor):
    text = "The band gaps of our samples, brookite (3.32 eV), anatase (3.25 eV) and rutile (3.02 eV), follow the trend."
    _, records, _ = extract(extractor, text)
    assert sorted((r.material.text, r.material.formula, r.value) for r in records) == [
        ("anatase", "TiO2", 3.25), ("brookite", "TiO2", 3.32), ("rutile", "TiO2", 3.02),
    ]


def test_site_alloy_and_shared_subject(extractor):
    text = "(Ga,Mn)As is a ferromagnetic semiconductor with a band gap of 1.4 eV and a Curie temperature of 185 K."
    _, records, _ = extract(extractor, text)
    assert sorted((r.material.formula, r.property, r.value) for r in records) == [
        ("(Ga,Mn)As", "band_gap", 1.4), ("(Ga,Mn)As", "curie_temperature", 185.0),
    ]
    assert records[0].material.elements == ["As", "Ga", "Mn"]


def test_back_reference_prefers_the_main_compound_over_a_dopant(extractor):
    text = (
        "Gd-substituted La0.7Sr0.3MnO3 nanoparticles were prepared. La0.7Sr0.3MnO3 is a ferromagnet. "
        "The Curie temperature of the samples decreases to 320 K with Gd content."
    )
    _, records, _ = extract(extractor, text)
    assert [(r.material.formula, r.value) for r in records] == [("La0.7Sr0.3MnO3", 320.0)]


def test_host_doped_with_dopant(extractor):
    text = "The band gap of TiO2 doped with Fe is 2.9 eV. Adding 5 mol% Mn lowers the dielectric loss to 0.8%."
    _, records, _ = extract(extractor, text)
    # the dopant-only second sentence is about the host of the paragraph, with low confidence
    assert [(r.material.formula, r.property, r.value) for r in records] == [
        ("TiO2", "band_gap", 2.9), ("TiO2", "dielectric_loss", 0.8),
    ]
    assert records[0].confidence > 0.7 > 0.4 > records[1].confidence


def test_pronoun_points_to_material_in_the_same_sentence(extractor):
    text = "Fe2TiO5 absorbs visible light. Barium titanate (BaTiO3) is stable but its band gap of 3.2 eV limits absorption."
    _, records, _ = extract(extractor, text)
    assert [(r.material.formula, r.value) for r in records] == [("BaTiO3", 3.2)]


def test_dopant_lists_and_host_after_the_values(extractor):
    text = "The band gap energies were 2.88, 2.68 and 2.58 eV for N–Fe, N–Ni and N–Pt codoped TiO2, respectively."
    _, records, _ = extract(extractor, text)
    assert [(r.material.formula, r.value) for r in records] == [("TiO2", 2.88), ("TiO2", 2.68), ("TiO2", 2.58)]


def test_each_value_goes_to_the_material_it_is_given_for(extractor):
    text = "The compounds order with Néel temperatures of 13 K for MnTe6O13 and 21 K for CoTe6O13."
    _, records, _ = extract(extractor, text)
    assert [(r.material.formula, r.value) for r in records] == [("MnTe6O13", 13.0), ("CoTe6O13", 21.0)]


def test_a_cue_followed_by_its_own_value_does_not_take_an_earlier_one(extractor):
    text = "Bulk hematite is weakly ferromagnetic at 298 K with a Neel temperature of 955 K."
    _, records, _ = extract(extractor, text)
    assert [(r.material.text, r.property, r.value) for r in records] == [("hematite", "neel_temperature", 955.0)]


def test_respectively_counts_lone_elements_too(extractor):
    text = "Metallic Mn, MnO and MnO2 are all AFM below the Neel temperature of 100 K, 116 K and 84 K respectively."
    _, records, _ = extract(extractor, text)
    assert [(r.material.text, r.value) for r in records] == [("Mn", 100.0), ("MnO", 116.0), ("MnO2", 84.0)]


def test_conjoined_subjects_share_the_value(extractor):
    text = "Isostructural La2Ti2O7 and Nd2Ti2O7 possess a very high Curie temperature (Tc ≈ 1500 °C)."
    _, records, _ = extract(extractor, text)
    assert sorted((r.material.formula, r.value) for r in records) == [("La2Ti2O7", 1500.0), ("Nd2Ti2O7", 1500.0)]


def test_curie_weiss_temperature_is_not_the_curie_temperature(extractor):
    _, records, _ = extract(extractor, "A Curie–Weiss temperature of −25 K indicates antiferromagnetic interactions in CuO.")
    assert [(r.property, r.value) for r in records] == [("weiss_temperature", -25.0)]


def test_property_mentions_name_the_resolved_property(extractor):
    document, _, mentions = extract(extractor, "The superconducting Tc of MgB2 is 39 K.")
    [pro] = [m for m in mentions if m.label == "PRO" and m.text == "Tc"]
    assert pro.normalised == "superconducting_transition_temperature"
    assert document.text[pro.char_start : pro.char_end] == "Tc"


def test_code_name_wins_on_a_better_pattern(extractor):
    text = "The optical band gap of PTTBTz, estimated from the absorption onset, was 1.89 eV, similar to that of P3HT (1.91 eV)."
    _, records, _ = extract(extractor, text)
    assert sorted((r.material.text, r.value) for r in records) == [("P3HT", 1.91), ("PTTBTz", 1.89)]


def test_material_in_brackets_after_its_value(extractor):
    text = "BaCuQF thin films exhibit band gaps of 3 eV (BaCuTeF) and 2.9 eV (BaCuSeF)."
    _, records, _ = extract(extractor, text)
    assert [(r.material.text, r.value) for r in records] == [("BaCuTeF", 3.0), ("BaCuSeF", 2.9)]


def test_units_are_not_code_names(extractor):
    _, records, mentions = extract(extractor, "The hardness reaches 15 GPa and the modulus 370 GPa at 1 MHz.")
    assert records == []
    assert [m for m in mentions if m.label == "MAT"] == []


def test_run_on_text_is_processed_in_bounded_pieces(extractor):
    filler = "the sample was characterised by several methods and " * 60  # ~3000 chars, no full stop
    text = f"The band gap of ZnO is 3.37 eV and {filler}the band gap of GaN is 3.4 eV"
    document, records, _ = extract(extractor, text)
    assert sorted((r.material.formula, r.value) for r in records) == [("GaN", 3.4), ("ZnO", 3.37)]
    for record in records:
        assert document.text[record.char_start : record.char_end] == record.sentence
        assert len(record.sentence) <= 2000


def test_symbol_in_brackets_after_the_value_names_it(extractor):
    _, records, _ = extract(extractor, "Metallic Gd orders ferromagnetically at 294 K (TC).")
    assert [(r.material.text, r.property, r.value) for r in records] == [("Gd", "curie_temperature", 294.0)]


def test_segmented_and_unsegmented_abstracts_give_the_same_records(extractor):
    nlp = pytest.importorskip("textmine.nlp")
    if not hasattr(nlp, "segment"):
        pytest.skip("textmine.nlp.segment not available on this branch")
    text = (
        "We report Fe3GeTe2 flakes grown by CVD. Their Curie temperature (TC ≈ 220 K) is high. "
        "The band gap of ZnO is 3.37 eV, and that of GaN is 3.4 eV (Fig. 2)."
    )
    plain = run(extractor, document_from_text("a", text))[0]
    segmented = run(extractor, nlp.segment(document_from_text("a", text)))[0]
    summary = lambda records: sorted((r.material.formula, r.property, r.value) for r in records)  # noqa: E731
    assert summary(segmented) == summary(plain)
    assert ("Fe3GeTe2", "curie_temperature", 220.0) in summary(segmented)
