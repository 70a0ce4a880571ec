"""`textmine audit` on a real SQLite store: corrupted records are marked suspect, clean ones mostly
not, the verdicts are kept beside the records and `dataset build --drop-suspect` leaves them out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import synthetic_rows, write_csv

from textmine.cli import main
from textmine.dataset.groups import composition
from textmine.store.predictions import predictions_for
from textmine.store.sqlite import SQLiteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dataset"))
from support import document, fact  # noqa: E402


def invoke(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, ["-q", *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_audit_marks_unit_slips_and_dataset_build_can_drop_them(tmp_path):
    rows = synthetic_rows()
    model = tmp_path / "model"
    invoke("predict", "train", "band_gap", "--data", str(write_csv(tmp_path / "clean.csv", rows)), "--target-column", "gap", "--members", "3",
           "--folds", "4", "-o", str(model))
    db = tmp_path / "tm.db"
    store = SQLiteStore(db)
    docs, slips = [], set()
    for i, (formula, value) in enumerate(rows):
        elements = [el for el, _ in composition(formula)]
        corrupt = i % 40 == 7  # ten unit slips: eV read as meV, the value x1000
        docs.append(document(f"doc{i}", [fact(formula, elements, value * 1000 if corrupt else value)], doi=f"10.1/{i}"))
        if corrupt:
            slips.add(docs[-1][1][0].record_id)
    store.put_many(docs)
    store.close()
    result = invoke("--db", str(db), "audit", "band_gap", "--model", str(model))
    flags = predictions_for(SQLiteStore(db)).audit_flags([r.record_id for _, recs, _ in docs for r in recs])
    assert len(flags) == len(rows)
    suspects = {rid for rid, f in flags.items() if f.status == "suspect"}
    assert slips <= suspects  # every slip is caught
    assert len(suspects - slips) <= 0.03 * len(rows), len(suspects - slips)  # few clean records are
    flag = flags[next(iter(slips))]
    assert flag.value > 1000 and flag.upper < flag.value and "above the model's 99% interval" in flag.reason
    assert f"{len(suspects)} of {len(rows)} band_gap records are suspect" in result.output or result.output == ""
    # search and material show the verdicts (the store opened read-only, as those commands open it)
    found = json.loads(invoke("--db", str(db), "search", "--property", "band_gap", "--limit", "1000", "--json").output)
    assert {r["record_id"] for r in found["records"] if r.get("audit") == "suspect"} == suspects
    assert sum(r.get("audit") == "consistent" for r in found["records"]) == len(rows) - len(suspects)
    slip = next(r for r in found["records"] if r["record_id"] in slips)
    text = invoke("--db", str(db), "search", "--property", "band_gap", "--formula", slip["material"]["formula"]).output
    assert "suspect" in text
    view = json.loads(invoke("--db", str(db), "material", slip["material"]["formula"], "--json").output)
    audited = {r["record_id"]: r["audit"] for r in view["properties"]["band_gap"]["records"]}
    assert audited[slip["record_id"]] == "suspect" and view["properties"]["band_gap"]["suspect"] >= 1
    out = tmp_path / "ds"
    invoke("--db", str(db), "dataset", "build", "band_gap", "-o", str(out), "--drop-suspect")
    kept = {r["record_id"] for r in pq.read_table(out / "records.parquet").to_pylist()}
    assert kept.isdisjoint(suspects) and len(kept) == len(rows) - len(suspects)
    assert json.loads((out / "dataset.json").read_text())["drop_suspect"] is True
    # a fresh audit replaces the verdicts: still one per record
    invoke("--db", str(db), "audit", "band_gap", "--model", str(model), "--coverage", "0.9")
    again = predictions_for(SQLiteStore(db)).audit_flags(list(flags))
    assert len(again) == len(rows) and {f.coverage for f in again.values()} == {0.9}


def test_a_dataset_folder_trains_a_model_on_its_train_and_validation_splits(tmp_path):
    rows = synthetic_rows()
    db = tmp_path / "tm.db"
    store = SQLiteStore(db)
    store.put_many(document(f"doc{i}", [fact(f, [el for el, _ in composition(f)], v)]) for i, (f, v) in enumerate(rows))
    store.close()
    invoke("--db", str(db), "dataset", "build", "band_gap", "-o", str(tmp_path / "ds"))
    materials = pq.read_table(tmp_path / "ds" / "materials.parquet").to_pylist()
    invoke("predict", "train", "band_gap", "--data", str(tmp_path / "ds"), "--members", "2", "--folds", "3",
           "-o", str(tmp_path / "model"))
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert meta["training"]["materials"] == sum(m["split"] != "test" for m in materials)
    assert meta["unit"] == "eV" and meta["columns"]["formula"] == "formula"
    assert "dataset splits used: train, validation" in " ".join(meta["training"]["notes"])


@pytest.mark.es
def test_audit_on_elasticsearch_keeps_its_verdicts_in_the_cluster(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
    from es_support import drop_prefix, node_health, require_es, unique_prefix

    from textmine.store.elasticsearch import ElasticsearchStore

    url = require_es()
    prefix = unique_prefix("audit")
    es_url = url.replace("http://", "es://") + "/" + prefix
    rows = synthetic_rows()
    try:
        invoke("predict", "train", "band_gap", "--data", str(write_csv(tmp_path / "clean.csv", rows)), "--target-column", "gap",
               "--members", "2", "--folds", "3", "-o", str(tmp_path / "model"))
        store = ElasticsearchStore(es_url)
        docs = [document(f"doc{i}", [fact(f, [el for el, _ in composition(f)], v * (1000 if i % 50 == 3 else 1))])
                for i, (f, v) in enumerate(rows)]
        store.put_many(docs)
        store.close()
        invoke("--store", es_url, "audit", "band_gap", "--model", str(tmp_path / "model"))
        slips = {docs[i][1][0].record_id for i in range(len(rows)) if i % 50 == 3}
        store = ElasticsearchStore(es_url)
        suspects = predictions_for(store).suspect_record_ids("band_gap")
        store.close()
        assert slips <= suspects and len(suspects - slips) <= 0.03 * len(rows)
        invoke("--store", es_url, "dataset", "build", "band_gap", "-o", str(tmp_path / "ds"), "--drop-suspect")
        kept = {r["record_id"] for r in pq.read_table(tmp_path / "ds" / "records.parquet").to_pylist()}
        assert kept.isdisjoint(suspects) and len(kept) == len(rows) - len(suspects)
    finally:
        if node_health(url):
            drop_prefix(url, prefix)
