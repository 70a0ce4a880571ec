"""`textmine dataset build` on a real SQLite store: consensus, provenance, splits, card, HF loading."""

from __future__ import annotations

import json
import sys
import types

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from support import document, fact

from textmine.cli import main
from textmine.dataset.groups import split_of
from textmine.records import Condition
from textmine.store.sqlite import SQLiteStore

ZNO = ["O", "Zn"]


def invoke(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, ["-q", *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "tm.db"
    store = SQLiteStore(path)
    warm = Condition(property="temperature", value=27.0, unit="degC")
    store.put_many([
        document("d1", [fact("ZnO", ZNO, 3.3, conditions=(warm,)), fact("GaN", ["Ga", "N"], 3.4)], doi="10.1016/j.a.1"),
        document("d2", [fact("ZnO", ZNO, 3.37), fact("ZnO", ZNO, 3.37)], doi="10.1039/c.2"),  # one paper, said twice
        document("d3", [fact("Zn2O2", ZNO, 3.2, text="ZnO film")], doi="10.1021/x.3"),
        document("d4", [fact("ZnO", ZNO, 3300.0, unit="meV")], doi="10.1103/p.4"),  # 3.3 eV written in meV: fine
        document("d5", [fact("ZnO", ZNO, 3.3e3)], doi="10.1063/q.5"),  # a unit slip: an outlier
        document("d6", [fact("GaN", ["Ga", "N"], (3.2, 3.6)), fact("TiO2", ["O", "Ti"], 3.0, text="anatase TiO2"),
                        fact("TiO2", ["O", "Ti"], 3.2, text="rutile TiO2")], fmt="elsevier"),
        document("d7", [fact("Fe2O3", ["Fe", "O"], 2.1)], extractor="ner@0.2.0"),
        document("d8", [fact("Fe2O3", ["Fe", "O"], 9.0)]),  # two documents that disagree: disputed
        document("d9", [fact("LaNiO3", ["La", "Ni", "O"], 500.0, unit="K", prop="curie_temperature")]),
    ])
    store.close()
    return path


def test_build_aggregates_per_material_with_provenance(db, tmp_path):
    out = tmp_path / "ds"
    result = invoke("--db", str(db), "dataset", "build", "band_gap", "-o", str(out))
    materials = {m["formula"] + "|" + ",".join(m["material_texts"]): m for m in pq.read_table(out / "materials.parquet").to_pylist()}
    zno = next(m for m in materials.values() if m["composition"] == "ZnO")
    assert zno["n_documents"] == 5 and zno["n_records"] == 6 and zno["n_outliers"] == 1
    assert zno["value"] == pytest.approx(3.3) and zno["unit"] == "eV"
    assert zno["high"] < 4  # the slip is left out of the range too
    assert zno["dois"] == ["10.1016/j.a.1", "10.1021/x.3", "10.1039/c.2", "10.1063/q.5", "10.1103/p.4"]
    assert zno["temperature_K"] == pytest.approx(300.15) and zno["conditions"] == ["temperature=300.15 K"]
    assert zno["chemical_system"] == "O-Zn" and zno["split"] == split_of("O-Zn")
    # polymorphs stay apart (material_id keys on the qualifier), a range counts by its midpoint
    titania = sorted((m["material_texts"][0], m["value"]) for m in materials.values() if m["composition"] == "TiO2")
    assert titania == [("anatase TiO2", 3.0), ("rutile TiO2", 3.2)]
    gan = next(m for m in materials.values() if m["composition"] == "GaN")
    assert gan["value"] == pytest.approx(3.4) and gan["n_documents"] == 2
    fe2o3 = next(m for m in materials.values() if m["composition"] == "Fe2O3")
    assert fe2o3["disputed"] and fe2o3["extractors"] == ["ner@0.2.0", "rules@0.3.0"]
    assert not any(m["composition"] == "LaNiO3" for m in materials.values())  # another property
    records = pq.read_table(out / "records.parquet").to_pylist()
    slip = [r for r in records if r["outlier"]]
    assert len(slip) == 1 and slip[0]["value"] == pytest.approx(3300.0) and slip[0]["doc_id"] == "d5"
    assert all(r["sentence"] for r in records)
    meta = json.loads((out / "dataset.json").read_text())
    assert meta["counts"]["records"] == 12 and meta["counts"]["outlier_records"] == 1
    assert meta["sources"]["documents_by_format"] == {"jats": 7, "elsevier": 1}
    card = (out / "README.md").read_text()
    assert card.startswith("---\n") and "config_name: materials" in card and "| records flagged as outliers | 1 |" in card
    assert "licence of each source document is not recorded" in card
    assert "materials from 12 records" in result.output or result.output == ""  # -q keeps the summary on stderr


def test_splits_are_group_aware_and_loadable_as_a_hugging_face_dataset(db, tmp_path):
    import datasets  # the hf extra, carried by the test extra
    out = tmp_path / "ds"
    invoke("--db", str(db), "dataset", "build", "band_gap", "-o", str(out), "--no-sentences")
    loaded = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf-cache"))
    rows = [(split, r["chemical_system"]) for split in loaded for r in loaded[split]]
    assert len(rows) == len(pq.read_table(out / "materials.parquet"))
    systems: dict[str, set[str]] = {}
    for split, system in rows:
        systems.setdefault(system, set()).add(split)
    assert all(len(s) == 1 for s in systems.values())
    records = datasets.load_dataset(str(out), "records", cache_dir=str(tmp_path / "hf-cache"))["records"]
    assert len(records) == 12 and set(records["sentence"]) == {None}


def test_structures_join_from_a_cif_folder_and_from_store_links(db, tmp_path, monkeypatch):
    from pymatgen.core import Lattice, Structure

    cifs = tmp_path / "cifs"
    cifs.mkdir()
    Structure.from_spacegroup("P6_3mc", Lattice.hexagonal(3.25, 5.2), ["Zn", "O"], [[1 / 3, 2 / 3, 0], [1 / 3, 2 / 3, 0.38]]).to(
        filename=str(cifs / "zno-wurtzite.cif"))
    out = tmp_path / "ds"
    invoke("--db", str(db), "dataset", "build", "band_gap", "-o", str(out), "--structures", str(cifs))
    joined = {m["composition"]: m["structure_id"] for m in pq.read_table(out / "materials.parquet").to_pylist()}
    assert joined["ZnO"] == "zno-wurtzite" and joined["GaN"] is None
    # the linking feature's function, when installed, is used first
    link = types.ModuleType("textmine.link")
    link.structures_for_materials = lambda store, ids: {
        i: [{"structure_id": "mp-804", "cif": (cifs / "zno-wurtzite.cif").read_text(), "score": 0.9}] for i in ids[:1]}
    monkeypatch.setitem(sys.modules, "textmine.link", link)
    invoke("--db", str(db), "dataset", "build", "band_gap", "-o", str(out), "--overwrite")
    meta = json.loads((out / "dataset.json").read_text())
    assert meta["counts"]["with_structure"] == 1 and "1 materials joined to structures linked in the store" in meta["structures"]


def test_min_confidence_empty_store_and_existing_folder_are_clear_errors(db, tmp_path):
    none = invoke("--db", str(db), "dataset", "build", "band_gap", "--min-confidence", "0.95", "-o", str(tmp_path / "x"), ok=False)
    assert "no usable band_gap records" in none.output and "Traceback" not in none.output
    unknown = invoke("--db", str(db), "dataset", "build", "bandgap", "-o", str(tmp_path / "y"), ok=False)
    assert "unknown property 'bandgap'" in unknown.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    busy = invoke("--db", str(db), "dataset", "build", "band_gap", "-o", str(tmp_path / "full"), "--overwrite", ok=False)
    assert "not a textmine dataset: refusing" in busy.output and (tmp_path / "full" / "keep.txt").exists()
