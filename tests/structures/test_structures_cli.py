"""The commands end to end on a real SQLite file: structures add|search|show, spectra add|identify,
link, material, stats --json, export joined to structures; errors a user can act on."""

from __future__ import annotations

import re

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from textmine.cli import main
from textmine.link.evaluate import Case, case_document

FIXTURES = Path(__file__).parent / "fixtures"


def run(db: Path, *args: str, code: int = 0):
    result = CliRunner().invoke(main, ["--db", str(db), "-q", *args])
    assert result.exit_code == code, result.output + repr(result.exception)
    return result


def test_add_search_show_and_stats(tmp_path):
    db = tmp_path / "s.db"
    added = json.loads(run(db, "structures", "add", "--json", str(FIXTURES), code=1).output)  # the bad CIF block
    try:
        import ase  # noqa: F401
        expected = (4, {"two_blocks_one_bad.cif#broken", "two_frames.extxyz#2"})
    except ImportError:  # without the extra the extxyz file is a failure that says which install fixes it
        expected = (3, {"two_blocks_one_bad.cif#broken", "two_frames.extxyz"})
    assert added["structures"] == expected[0] and added["files"] == 3
    assert {Path(f["source"]).name for f in added["failures"]} == expected[1]
    stats = json.loads(run(db, "stats", "--json").output)
    assert stats["structures"] == expected[0] and stats["spectra"] == 0 and stats["failures"] == 2
    found = json.loads(run(db, "structures", "search", "--space-group", "F-43m", "--json").output)
    assert [s["reduced_formula"] for s in found["structures"]] == ["GaAs"]
    found = json.loads(run(db, "structures", "search", "--elements", "na,CL", "--crystal-system", "cubic", "--json").output)
    assert [s["reduced_formula"] for s in found["structures"]] == ["NaCl"]
    structure_id = found["structures"][0]["structure_id"]
    cif = run(db, "structures", "show", structure_id, "--format", "cif").output
    assert "_symmetry_space_group_name_H-M" in cif and "Na" in cif
    assert "no structure 'st-nope'" in run(db, "structures", "show", "st-nope", code=1).output
    bad = run(db, "structures", "search", "--space-group", "Q9", code=2).output
    assert "unknown space group" in bad


def test_link_and_material_view(tmp_path):
    from textmine.store.sqlite import SQLiteStore

    db = tmp_path / "m.db"
    run(db, "structures", "add", str(FIXTURES / "POSCAR_GaAs"))
    assert "no structures in the store" in run(tmp_path / "empty.db", "link", code=1).output
    store = SQLiteStore(db)
    store.put_many([case_document(Case(material="GaAs", formula="GaAs", sentence=f"GaAs has a band gap of {v} eV.", value=v), n)
                    for n, v in enumerate((1.42, 1.43, 1.40))])
    store.close()
    report = json.loads(run(db, "link", "--no-spectra", "--json").output)
    assert report["records"]["linked"] == 3
    view = json.loads(run(db, "material", "GaAs", "--json").output)
    gap = view["properties"]["band_gap"]
    assert view["records"] == 3 and gap["n"] == 3 and gap["unit"] == "eV"
    assert gap["consensus"] == pytest.approx(1.42) and (gap["min"], gap["max"]) == pytest.approx((1.40, 1.43))
    assert view["structures"][0]["space_group_number"] == 216 and view["structures"][0]["records_best"] == 3
    assert "records by property" in run(db, "material", "GaAs").output
    searched = CliRunner().invoke(main, ["--db", str(db), "search", "--json", "--facets", ""])
    assert json.loads(searched.output)["total"] == 3


def test_export_with_structures(tmp_path):
    import pyarrow.parquet as pq

    from textmine.link.export import export_with_structures, write_extxyz
    from textmine.link.records import link_records
    from textmine.store.base import Query
    from textmine.store.sqlite import SQLiteStore

    db = tmp_path / "e.db"
    run(db, "structures", "add", str(FIXTURES / "POSCAR_GaAs"))
    store = SQLiteStore(db)
    store.put_many([case_document(Case(material="GaAs", formula="GaAs", sentence="GaAs has a band gap of 1.42 eV."), 0),
                    case_document(Case(material="CsPbI3", formula="CsPbI3", sentence="CsPbI3 has a band gap of 1.7 eV."), 1)])
    link_records(store)
    assert export_with_structures(store, Query(), tmp_path / "r.parquet", "parquet") == 2
    table = pq.read_table(tmp_path / "r.parquet").to_pylist()
    by_formula = {row["material"]["formula"]: row for row in table}
    assert by_formula["GaAs"]["space_group_number"] == 216 and "_cell_length_a" in by_formula["GaAs"]["structure_cif"]
    assert json.loads(by_formula["GaAs"]["structure_json"])["@class"] == "Structure"
    assert by_formula["CsPbI3"]["structure_id"] is None
    pytest.importorskip("ase", reason="extxyz needs ASE (structures extra)")
    import ase.io

    assert write_extxyz(store.iter_records(Query()), tmp_path / "r.extxyz", store=store) == 1
    (atoms,) = ase.io.read(tmp_path / "r.extxyz", index=":")
    assert atoms.get_chemical_formula() == "AsGa" and atoms.info["property"] == "band_gap"
    with pytest.raises(ValueError, match="store="):
        write_extxyz(store.iter_records(Query()), tmp_path / "x.extxyz")
    store.close()


def test_spectra_add_and_identify(tmp_path, shared_data):
    pytest.importorskip("pymatgen.analysis.diffraction.xrd", reason="needs the structures extra")
    from textmine.spectra.references import reference_entries
    from textmine.store.sqlite import SQLiteStore
    from textmine.store.structures import structure_store

    db = tmp_path / "x.db"
    store = SQLiteStore(db)
    structure_store(store).put_structures(reference_entries())
    store.close()
    path = shared_data / "materials" / "xrd_experimental" / "precursor_mixture" / "V2O5_0p6008-ZnO_0p4010--8min.xrdml"
    added = json.loads(run(db, "spectra", "add", "--json", str(path)).output)
    (spectrum,) = added["spectra"]
    assert spectrum["n_points"] > 5000 and spectrum["wavelength"] == 1.540598
    links = json.loads(run(db, "spectra", "identify", spectrum["spectrum_id"], "--top", "3", "--json").output)
    assert {link["reduced_formula"] for link in links} >= {"V2O5", "ZnO"}
    assert json.loads(run(db, "stats", "--json").output)["spectra"] == 1


def test_extxyz_without_ase_says_which_install_fixes_it(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ase", None)
    monkeypatch.setitem(sys.modules, "ase.io", None)
    result = run(tmp_path / "a.db", "structures", "add", str(FIXTURES / "two_frames.extxyz"), code=1)
    flat = re.sub(r"[\s│┃]+", "", result.output)  # the failures table wraps long reasons
    assert "pipinstall'textmine[structures]'" in flat and "Traceback" not in result.output
