"""The committed demo corpus: every file parses, with the statements the README demo relies on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from textmine.readers import detect_format, iter_paths, read_file
from textmine.records import Failure

DEMO = Path(__file__).resolve().parents[2] / "corpora" / "demo"

# file -> (reader, facts that must be in the text)
EXPECTED = {
    "tio2_polymorphs_2016.txt": ("text", ["The band gap of TiO2 (anatase) is 3.2 eV", "band gap of only 0.1 eV"]),
    "ilmenite_titanates_2019.txt": ("text", ["CoTiO3 exhibits an optical band gap of 1.95 eV", "band gap ranging from 1.8 to 2.1 eV", "FeTiO3 has a band gap of 1.5 eV"]),
    "magnetic_oxides_2017.txt": ("text", ["La0.7Sr0.3MnO3 has a Curie temperature of 370 K", "Néel temperature of 523 K"]),
    "superconductors_2015.txt": ("text", ["YBa2Cu3O7 becomes superconducting below a critical temperature of 92 K", "MgB2 has a Tc of 39 K"]),
    "perovskite_solar_2021.txt": ("text", ["CH3NH3PbI3 has a band gap of 1.55 eV", "from 1.45 to 1.08 eV", "2.4–2.7 eV"]),
    "semiconductor_transport_2018.txt": ("text", ["1.2 × 10−3 S cm−1", "CuSO4·5H2O", "120 ± 5 °C", "5.431 Å"]),
    "thermoelectrics_2020.nxml": ("jats", ["The Seebeck coefficient of Bi2Te3 is 210 µV/K", "band gap of 3.25 eV"]),
    "battery_cathodes_2022.xml": ("elsevier", ["LiFePO4 delivers a specific capacity of 170 mAh/g", "Li(Ni1/3Mn1/3Co1/3)O2", "1.2 × 10−3 S cm−1"]),
    "fe2tio5_photoanodes_2023.html": ("rsc_html", ["Pseudobrookite Fe2TiO5 has a band gap of 1.9 eV", "Ba1−xSrxTiO3 with x = 0.3"]),
    "US99000001B2_black_tio2.xml": ("uspto", ["hydrogenated TiO2 has a band gap of 1.54 eV"]),
    "uspto_bulk_2024.xml": ("uspto", ["Li7La3Zr2O12", "glass transition temperature of 100° C."]),
    "EP9900004B1_dielectric.xml": ("epo", ["Ba1-xSrxTiO3 with x = 0.3 has a relative dielectric constant of 2500"]),
    "ceramics_2024.pdf": ("pdf", ["Hot-pressed Si3N4 has a Young's modulus of 310 GPa", "melting point of 2072 °C"]),
}


def _docs(name: str):
    items = list(read_file(DEMO / name))
    assert not [i for i in items if isinstance(i, Failure)], items
    return items


def test_demo_folder_holds_exactly_the_expected_files():
    assert sorted(p.name for p in iter_paths(DEMO)) == sorted(EXPECTED), "README.md is skipped, every document listed"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_file_parses_with_its_statements(name: str):
    reader, facts = EXPECTED[name]
    data = (DEMO / name).read_bytes()
    assert detect_format(data[:65536], name) == reader
    docs = _docs(name)
    text = "\n".join(d.text for d in docs)
    for fact in facts:
        assert fact in text, fact
    for doc in docs:
        assert doc.title and doc.year and 2015 <= doc.year <= 2024
        assert doc.format == reader


def test_demo_has_ti_o_band_gaps_inside_and_outside_1_to_2_ev():
    """The README search needs both: hits in 1-2 eV and Ti-O compounds that the filter drops."""
    text = "\n".join(d.text for p in iter_paths(DEMO) for d in read_file(p) if not isinstance(d, Failure))
    inside = ["CoTiO3 exhibits an optical band gap of 1.95 eV", "FeTiO3 has a band gap of 1.5 eV",
              "Fe2TiO5 has a band gap of 1.9 eV", "TiO2 has a band gap of 1.54 eV"]
    outside = ["TiO2 (anatase) is 3.2 eV", "MnTiO3 behaves differently, with a wide band gap of 3.1 eV", "band gap of 3.8 eV"]
    assert all(s in text for s in inside + outside)


def test_demo_bulk_file_holds_two_patents():
    docs = _docs("uspto_bulk_2024.xml")
    assert [d.patent_number for d in docs] == ["US99000002B2", "US99000003B2"]
    assert all(d.kind == "patent" and any(s.kind == "claims" for s in d.sections) for d in docs)


def test_demo_tables_have_captions_and_cells():
    (rsc,) = _docs("fe2tio5_photoanodes_2023.html")
    (table,) = rsc.tables
    assert "Band gaps (eV)" in table.caption
    assert ["Fe2TiO5", "1.9"] in table.rows() and ["ZnO", "3.37"] in table.rows()
    (jats,) = _docs("thermoelectrics_2020.nxml")
    assert jats.tables[0].rows()[0][0] == "Material" and jats.tables[0].cells[0].header


def test_demo_files_match_the_generator():
    """Committed outputs are what corpora/make_demo.py writes (no hand edits that drift)."""
    spec = importlib.util.spec_from_file_location("make_demo", DEMO.parent / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, data in module.build().items():
        assert (DEMO / name).read_bytes() == data, f"{name} differs: run python corpora/make_demo.py"


def test_hand_written_pdf_is_read_back_by_pypdfium2():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(DEMO / "ceramics_2024.pdf"))
    try:
        assert len(pdf) == 1
        text = pdf[0].get_textpage().get_text_range()
        assert "Vickers hardness of 15 GPa" in text and "2072 °C" in text
        assert pdf.get_metadata_dict()["Title"].startswith("Mechanical and thermal properties")
    finally:
        pdf.close()
