"""`textmine audit` on a real SQLite store: corrupted records are marked suspect, clean ones mostly
not, the verdicts are kept beside the records and `dataset build --drop-suspect` leaves them out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
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
    out = tmp_path / "ds"
    invoke("--db", str(db), "dataset", "build", "band_gap", "-o", str(out), "--drop-suspect")
    kept = {r["record_id"] for r in pq.read_table(out / "records.parquet").to_pylist()}
    assert kept.isdisjoint(suspects) and len(kept) == len(rows) - len(suspects)
    assert json.loads((out / "dataset.json").read_text())["drop_suspect"] is True
    # a fresh audit replaces the verdicts: still one per record
    invoke("--db", str(db), "audit", "band_gap", "--model", str(model), "--coverage", "0.9")
    again = predictions_for(SQLiteStore(db)).audit_flags(list(flags))
    assert len(again) == len(rows) and {f.coverage for f in again.values()} == {0.9}
