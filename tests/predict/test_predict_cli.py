"""`textmine predict train|run|evaluate` end to end: real CSVs, CIF files, model folders and a SQLite store."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from conftest import synthetic_rows, write_csv

from textmine.cli import main
from textmine.store import Query
from textmine.store.predictions import predictions_for
from textmine.store.sqlite import SQLiteStore


def invoke(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, ["-q", *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def read(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    data = write_csv(folder / "train.csv", synthetic_rows())
    invoke("predict", "train", "band_gap", "--data", str(data), "--formula-column", "composition", "--target-column", "gap",
           "--members", "2", "--folds", "3", "-o", str(folder / "model"))
    return folder / "model"


def cif_folder(path, formulas_and_lattice):
    from pymatgen.core import Lattice, Structure

    path.mkdir()
    for name, (a, b, lattice) in formulas_and_lattice.items():
        s = Structure.from_spacegroup("Fm-3m", Lattice.cubic(lattice), [a, b], [[0, 0, 0], [0.5, 0.5, 0.5]])
        s.to(filename=str(path / f"{name}.cif"))
    return path


def test_run_writes_one_row_per_input_row_in_order_with_the_training_column(model_dir, tmp_path):
    # the model was trained on a 'composition' column: a CSV with that column needs no flag
    inputs = tmp_path / "in.csv"
    inputs.write_text("id,composition\n1,ZnO\n2,not a formula\n3,CaS\n4,ZnO\n5,\n6,KI\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = invoke("predict", "run", "--model", str(model_dir), "--input", str(inputs), "--output", str(out))
    rows = read(out)
    assert list(rows[0]) == ["formula", "prediction", "lower", "upper"]
    assert [r["formula"] for r in rows] == ["ZnO", "not a formula", "CaS", "ZnO", "", "KI"]
    assert rows[1]["prediction"] == rows[1]["lower"] == rows[4]["prediction"] == ""
    assert rows[0] == rows[3]  # same input, same answer
    for r in (rows[0], rows[2], rows[5]):
        assert float(r["lower"]) <= float(r["prediction"]) <= float(r["upper"])
    assert "line 3: 'not a formula' is not a definite chemical formula" in result.output


def test_run_falls_back_to_a_formula_column_and_coverage_sets_the_width(model_dir, tmp_path):
    inputs = tmp_path / "plain.csv"
    inputs.write_text("formula\nZnO\nMgSe\n", encoding="utf-8")
    widths = {}
    for coverage in ("0.5", "0.95"):
        out = tmp_path / f"out{coverage}.csv"
        invoke("predict", "run", "--model", str(model_dir), "--input", str(inputs), "--output", str(out), "--coverage", coverage)
        widths[coverage] = [float(r["upper"]) - float(r["lower"]) for r in read(out)]
    assert all(w50 < w95 for w50, w95 in zip(widths["0.5"], widths["0.95"]))


def test_run_on_a_folder_of_cifs_adds_structure_ids(model_dir, tmp_path):
    folder = cif_folder(tmp_path / "cifs", {"b-nacl": ("Na", "Cl", 5.64), "a-kbr": ("K", "Br", 6.6)})
    out = tmp_path / "cif_out.csv"
    invoke("predict", "run", "--model", str(model_dir), "--input", str(folder), "--output", str(out))
    rows = read(out)
    assert list(rows[0]) == ["formula", "prediction", "lower", "upper", "structure_id"]
    assert [(r["structure_id"], r["formula"]) for r in rows] == [("a-kbr", "K4Br4"), ("b-nacl", "Na4Cl4")]
    assert all(r["prediction"] for r in rows)


def test_save_keeps_predictions_beside_not_among_the_records(model_dir, tmp_path):
    inputs = tmp_path / "in.csv"
    inputs.write_text("formula\nZnO\nCdTe\n", encoding="utf-8")
    db = tmp_path / "tm.db"
    invoke("--db", str(db), "predict", "run", "--model", str(model_dir), "--input", str(inputs), "--output",
           str(tmp_path / "o.csv"), "--save")
    store = SQLiteStore(db)
    assert store.stats().records == 0  # nothing predicted is a record
    found = predictions_for(store).search_predictions(Query(property="band_gap", include_elements=["Zn"]))
    assert [(p.formula, p.origin, p.coverage, p.unit) for p in found.predictions] == [("ZnO", "predicted", 0.9, "eV")]
    p = found.predictions[0]
    assert p.lower <= p.value <= p.upper and p.value_si == pytest.approx(p.value * 1.602176634e-19)
    store.close()
    # search lists them only when asked, apart from the records; material shows them per property
    plain = json.loads(invoke("--db", str(db), "search", "--property", "band_gap", "--json").output)
    assert plain["total"] == 0 and "predictions" not in plain
    asked = json.loads(invoke("--db", str(db), "search", "--property", "band_gap", "--elements", "Zn", "--include-predicted",
                              "--json").output)
    assert asked["total"] == 0 and [(x["formula"], x["origin"]) for x in asked["predictions"]["predictions"]] == [("ZnO", "predicted")]
    assert "2 predictions (origin: predicted)" in invoke("--db", str(db), "search", "--property", "band_gap",
                                                         "--include-predicted").output
    # a filter only records have matches no prediction
    text_only = json.loads(invoke("--db", str(db), "search", "--year-min", "2000", "--include-predicted", "--json").output)
    assert text_only["predictions"]["total"] == 0
    view = json.loads(invoke("--db", str(db), "material", "ZnO", "--json").output)
    [zno] = view["properties"]["band_gap"]["predictions"]
    assert zno["origin"] == "predicted" and zno["value"] == pytest.approx(p.value) and view["records"] == 0


def test_structure_model_trains_from_a_csv_with_cif_names(tmp_path):
    rows = [(f, v) for f, v in synthetic_rows() if f in {"LiF", "NaF", "KF", "LiCl", "NaCl", "KCl", "LiBr", "NaBr", "KBr",
                                                         "LiI", "NaI", "KI", "MgO", "CaO", "SrO", "MgS", "CaS", "SrS",
                                                         "MgSe", "CaSe", "SrSe", "ZnO", "CdO", "ZnS", "CdS"}]
    cations = ("Li", "Na", "K", "Mg", "Ca", "Sr", "Zn", "Cd")
    spec = {}
    for formula, _ in rows:
        cation = next(c for c in cations if formula.startswith(c))
        spec[formula] = (cation, formula[len(cation):], 4.0 + 0.1 * len(spec))
    cifs = cif_folder(tmp_path / "cifs", spec)
    data = tmp_path / "s.csv"
    data.write_text("formula,gap,cif\n" + "".join(f"{f},{v},{f}.cif\n" for f, v in rows), encoding="utf-8")
    invoke("predict", "train", "band_gap", "--data", str(data), "--target-column", "gap", "--structure-column", "cif",
           "--cif-folder", str(cifs), "--members", "2", "--folds", "3", "-o", str(tmp_path / "smodel"))
    meta = json.loads((tmp_path / "smodel" / "model.json").read_text())
    assert meta["features"]["structure"] is True and meta["training"]["with_structure"] == len(rows)
    out = tmp_path / "pred.csv"
    invoke("predict", "run", "--model", str(tmp_path / "smodel"), "--input", str(cifs), "--output", str(out))
    assert len(read(out)) == len(rows) and all(r["prediction"] for r in read(out))


def test_errors_are_messages_not_tracebacks(model_dir, tmp_path):
    bad = invoke("predict", "run", "--model", str(tmp_path), "--input", str(tmp_path), "--output", str(tmp_path / "x.csv"),
                 ok=False)
    assert bad.exit_code != 0 and "model.json missing" in bad.output and "Traceback" not in bad.output
    data = write_csv(tmp_path / "t.csv", synthetic_rows()[:50], columns=("comp", "gap"))
    missing = invoke("predict", "train", "band_gap", "--data", str(data), "-o", str(tmp_path / "m"), ok=False)
    assert "which column holds the formulas? pass --formula-column (columns: comp, gap)" in missing.output
    audit = invoke("--db", str(tmp_path / "a.db"), "audit", "curie_temperature", "--model", str(model_dir), ok=False)
    assert "predicts 'band_gap', not 'curie_temperature'" in audit.output


def test_evaluate_reports_group_aware_figures(tmp_path):
    data = write_csv(tmp_path / "e.csv", synthetic_rows())
    result = invoke("predict", "evaluate", "band_gap", "--data", str(data), "--formula-column", "composition",
                    "--target-column", "gap", "--members", "2", "--folds", "3", "--outer-folds", "3", "--json")
    summary = json.loads(result.output)
    assert summary["materials"] == len(synthetic_rows()) and summary["outer_folds"] == 3
    assert 0.0 < summary["mae"] < 0.6 and 0.6 < summary["coverage@0.9"] <= 1.0


def test_without_the_extra_the_commands_say_what_to_install(model_dir, tmp_path, monkeypatch):
    import sys

    for module in ("crepes", "lightgbm", "sklearn"):  # as if the prediction extra were not installed
        monkeypatch.setitem(sys.modules, module, None)
    data = write_csv(tmp_path / "d.csv", synthetic_rows()[:20])
    db = str(tmp_path / "tm.db")
    commands = {
        "predict run": ["predict", "run", "--model", str(model_dir), "--input", str(tmp_path), "--output", str(tmp_path / "o.csv")],
        "predict train": ["predict", "train", "band_gap", "--data", str(data), "--target-column", "gap", "-o", str(tmp_path / "m")],
        "predict evaluate": ["predict", "evaluate", "band_gap", "--data", str(data), "--target-column", "gap"],
        "audit": ["--db", db, "audit", "band_gap", "--model", str(model_dir)],
    }
    for name, args in commands.items():
        result = invoke(*args, ok=False)
        assert result.exit_code == 1, (name, result.output)
        assert "needs lightgbm, crepes, sklearn: pip install 'textmine[prediction]'" in result.output, (name, result.output)
        assert "Traceback" not in result.output
    assert not (tmp_path / "m").exists()
    # building a dataset needs only the core install
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dataset"))
    from support import document, fact

    from textmine.dataset.groups import composition

    with SQLiteStore(db) as store:
        store.put_many(document(f"doc{i}", [fact(f, [el for el, _ in composition(f)], v)])
                       for i, (f, v) in enumerate(synthetic_rows()[:20]))
    invoke("--db", db, "dataset", "build", "band_gap", "-o", str(tmp_path / "ds"))
    assert json.loads((tmp_path / "ds" / "dataset.json").read_text())["counts"]["materials"] == 20
