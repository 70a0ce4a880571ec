"""End to end through the CLI on the demo corpus, a real SQLite file and real exports."""

from __future__ import annotations

import csv
import json
import shutil

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from textmine.cli import main
from textmine.store.sqlite import SQLiteStore

TI_O_IN_RANGE = {"CoTiO3", "FeTiO3", "Fe2TiO5", "TiO2", "NiTiO3"}


def invoke(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, ["-q", *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, demo_corpus):
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    invoke("--db", str(db), "run", str(demo_corpus))
    return db


def test_run_indexes_every_demo_document(demo_db):
    stats = json.loads(invoke("--db", str(demo_db), "stats", "--json").output)
    assert stats["documents"] == 14 and stats["failures"] == 0
    assert stats["records"] > 50 and stats["sentences"] > 80
    assert stats["by_kind"] == {"paper": 10, "patent": 4}
    for prop in ("band_gap", "curie_temperature", "neel_temperature", "specific_capacity"):
        assert stats["by_property"].get(prop, 0) >= 1, prop


def test_readme_search_band_gap_ti_o(demo_db):
    out = invoke("--db", str(demo_db), "search", "--property", "band gap", "--min", "1", "--max", "2",
                 "--unit", "eV", "--elements", "Ti,O", "--json").output
    result = json.loads(out)
    formulas = {r["material"]["formula"] for r in result["records"]}
    assert {"CoTiO3", "FeTiO3", "Fe2TiO5"} <= formulas <= TI_O_IN_RANGE
    for r in result["records"]:
        assert {"Ti", "O"} <= set(r["material"]["elements"])
        low, high = (r["value"], r["value"]) if r["value"] is not None else (r["value_min"], r["value_max"])
        assert high >= 1 and low <= 2 and r["unit"] == "eV"
        assert 0 <= r["confidence"] <= 1 and r["extractor"].startswith("model@")  # the default pipeline
    # the same range in meV selects the same records
    in_mev = json.loads(invoke("--db", str(demo_db), "search", "--property", "band_gap", "--min", "1000", "--max", "2000",
                               "--unit", "meV", "--elements", "Ti,O", "--json").output)
    assert [r["record_id"] for r in in_mev["records"]] == [r["record_id"] for r in result["records"]]


def test_records_point_back_to_their_sentence(demo_db):
    store = SQLiteStore(demo_db)
    checked = 0
    for record in store.iter_records():
        if record.char_end == 0:  # table-row records carry the row, not a sentence span
            continue
        doc = store.get_document(record.doc_id)
        assert doc.text[record.char_start : record.char_end] == record.sentence
        if record.value_start is not None:
            assert record.char_start <= record.value_start < record.value_end <= record.char_end
        checked += 1
    assert checked > 40


def test_rerun_skips_and_reprocess_never_duplicates(demo_db, demo_corpus):
    before = json.loads(invoke("--db", str(demo_db), "stats", "--json").output)
    invoke("--db", str(demo_db), "run", str(demo_corpus))
    invoke("--db", str(demo_db), "run", "--reprocess", str(demo_corpus))
    after = json.loads(invoke("--db", str(demo_db), "stats", "--json").output)
    assert after == before


def test_bad_input_is_recorded_and_the_run_goes_on(tmp_path, demo_corpus):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(demo_corpus / "magnetic_oxides_2017.txt", folder)
    db = tmp_path / "bad.db"
    invoke("--db", str(db), "run", str(folder))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.bin").write_bytes(bytes(range(256)) * 40)
    (folder / "truncated.nxml").write_text((demo_corpus / "thermoelectrics_2020.nxml").read_text()[:1500])
    shutil.copy(demo_corpus / "superconductors_2015.txt", folder)
    result = invoke("--db", str(db), "run", str(folder), ok=False)
    assert result.exit_code == 1
    store = SQLiteStore(db)
    failed = {f.source.rsplit("/", 1)[-1]: f.reason for f in store.failures()}
    assert set(failed) == {"empty.txt", "junk.bin", "truncated.nxml"}
    assert all(reason for reason in failed.values())
    stats = store.stats()
    assert stats.documents == 2  # the earlier document is kept, the new good one is added
    records = stats.records
    store.close()
    again = invoke("--db", str(db), "run", str(folder), ok=False)
    assert again.exit_code == 1
    store = SQLiteStore(db)
    assert store.stats().records == records and len(store.failures()) == 3


def test_extract_stateless_jsonl(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a1", "text": "The band gap of ZnO is 3.37 eV at room temperature."}) + "\n"
        + json.dumps({"id": "a2", "text": "CrO2 is ferromagnetic with a Curie temperature of 390 K."}) + "\n"
        + json.dumps({"id": "a3", "text": "No numbers here."}) + "\n"
    )
    dst = tmp_path / "out.jsonl"
    invoke("extract", "--input", str(src), "--output", str(dst))
    records = [json.loads(line) for line in dst.read_text().splitlines()]
    by_id = {r["doc_id"]: r for r in records}
    assert set(by_id) == {"a1", "a2"}
    assert by_id["a1"]["property"] == "band_gap" and by_id["a1"]["value"] == 3.37 and by_id["a1"]["material"]["formula"] == "ZnO"
    assert by_id["a2"]["property"] == "curie_temperature" and by_id["a2"]["value_si"] == 390
    assert not (tmp_path / "textmine.db").exists()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "hf"])
def test_export_formats_round_trip(demo_db, tmp_path, fmt):
    target = tmp_path / f"records.{fmt}"
    invoke("--db", str(demo_db), "export", "--format", fmt, "-o", str(target), "--property", "band_gap")
    store = SQLiteStore(demo_db)
    from textmine.store.base import Query

    expected = {r.record_id for r in store.iter_records(Query(property="band_gap"))}
    if fmt == "jsonl":
        got = {json.loads(line)["record_id"] for line in target.read_text().splitlines()}
    elif fmt == "csv":
        with open(target, newline="") as f:
            rows = list(csv.DictReader(f))
        got = {row["record_id"] for row in rows}
        assert all(row["property"] == "band_gap" for row in rows)
    elif fmt == "parquet":
        table = pq.read_table(target)
        got = set(table.column("record_id").to_pylist())
        assert table.column("material").to_pylist()[0]["elements"]
    else:
        datasets = pytest.importorskip("datasets")
        ds = datasets.load_from_disk(str(target))
        got = set(ds["record_id"])
        assert ds.features["value_si"].dtype == "float64"
    assert got == expected and len(expected) >= 10


def test_parallel_workers_store_the_same_records(demo_db, demo_corpus, tmp_path):
    db = tmp_path / "parallel.db"
    invoke("--db", str(db), "run", "--workers", "2", str(demo_corpus))
    serial = {r.record_id for r in SQLiteStore(demo_db).iter_records()}
    parallel = {r.record_id for r in SQLiteStore(db).iter_records()}
    assert parallel == serial and len(serial) > 50


def test_extract_stateless_states_each_fact_once(tmp_path):
    text = ("CrO2 is ferromagnetic with a Curie temperature of 390 K. Thin films were grown by CVD. "
            "In summary, CrO2 has a Curie temperature of 390 K. The Curie temperature of Fe3O4 is 858 K.")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "x", "text": text}) + "\n")
    dst = tmp_path / "out.jsonl"
    invoke("extract", "--input", str(src), "--output", str(dst))
    facts = sorted((r["material"]["formula"], r["value"]) for r in map(json.loads, dst.read_text().splitlines()))
    assert facts == [("CrO2", 390.0), ("Fe3O4", 858.0)]
