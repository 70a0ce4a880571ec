"""Training, calibration and the model folder, on a small synthetic table (fast, deterministic)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import synthetic_rows, write_csv

from textmine.predict.data import DataError, load_training_table
from textmine.predict.features import composition_feature_names, feature_matrix
from textmine.predict.model import ModelError, PropertyModel
from textmine.predict.train import TrainSettings, cross_validate, fit_model

FAST = TrainSettings(members=3, folds=4, seed=0, learner_options={"rounds": 150})


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = write_csv(tmp_path_factory.mktemp("data") / "gaps.csv", synthetic_rows())
    return load_training_table(path, "band_gap", formula_column="composition", target_column="gap")


@pytest.fixture(scope="module")
def trained(table, tmp_path_factory):
    model = fit_model(table, FAST)
    folder = model.save(tmp_path_factory.mktemp("model") / "m")
    return model, folder


def test_training_table_merges_repeats_and_reports_what_it_skipped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("composition,gap\nZnO,3.3\nZn2O2,3.5\nZnO,3.4\nxyz,1.0\nGaN,n/a\nGaN,<3.4\n", encoding="utf-8")
    table = load_training_table(path, "band_gap", formula_column="composition", target_column="gap")
    assert sorted(zip(table.formulas, table.values.tolist())) == [("GaN", 3.4), ("ZnO", 3.4)]
    assert table.unit == "eV"  # the ontology's usual unit for band_gap
    notes = " ".join(table.notes)
    assert "1 rows without a numeric 'gap'" in notes and "1 rows whose 'composition'" in notes
    assert "1 censored" in notes and "4 rows merged into 2 materials" in notes
    with pytest.raises(DataError, match="pass --target-column"):
        load_training_table(path, "curie_temperature", formula_column="composition")
    with pytest.raises(DataError, match="no column 'Eg'"):
        load_training_table(path, "band_gap", target_column="Eg")


def test_model_folder_round_trip_and_metadata(trained, table):
    model, folder = trained
    loaded = PropertyModel.load(folder)
    formulas = ["ZnO", "CaS", "not a formula", "LiF"]
    a = model.predict(formulas, coverage=0.9)
    b = loaded.predict(formulas, coverage=0.9)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    prediction, lower, upper, ok = b
    assert ok.tolist() == [True, True, False, True]
    assert np.isnan(prediction[2])
    assert (lower[ok] <= prediction[ok]).all() and (prediction[ok] <= upper[ok]).all()
    meta = json.loads((folder / "model.json").read_text())
    assert meta["training"]["data_hash"] == table.data_hash()
    assert meta["training"]["materials"] == len(table)
    assert meta["features"]["structure"] is False and meta["features"]["names"] == list(composition_feature_names())
    assert {"lightgbm", "crepes", "numpy", "textmine"} <= set(meta["versions"])
    assert meta["columns"]["formula"] == "composition"
    assert len(list((folder / "members").iterdir())) == 3
    assert loaded.model_id == meta["model_id"] and len(loaded.model_id) == 16


def test_wider_coverage_gives_wider_intervals(trained):
    model, _ = trained
    _, lo90, hi90, _ = model.predict(["ZnS", "KI"], coverage=0.9)
    _, lo99, hi99, _ = model.predict(["ZnS", "KI"], coverage=0.99)
    assert ((hi99 - lo99) > (hi90 - lo90)).all()


def test_cross_validation_covers_about_the_promised_share(table):
    result = cross_validate(table, FAST, outer_folds=4, coverages=(0.9,))
    summary = result.summary()
    assert summary["materials"] == len(table)
    assert summary["mae"] < 0.5 * float(np.mean(np.abs(table.values - table.values.mean())))  # learns something
    assert 0.75 <= summary["coverage@0.9"] <= 0.99, summary


def test_a_damaged_or_foreign_folder_is_a_clear_error(trained, tmp_path):
    _, folder = trained
    with pytest.raises(ModelError, match="model.json missing"):
        PropertyModel.load(tmp_path)
    (tmp_path / "model.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ModelError, match="not a textmine property model"):
        PropertyModel.load(tmp_path)


def test_model_loads_and_predicts_without_torch(trained):
    """The model folder needs the prediction extra only: torch is made unimportable."""
    _, folder = trained
    code = (
        "import importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'transformers'):\n"
        "            raise ImportError('blocked for this test: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from textmine.predict.model import PropertyModel\n"
        f"m = PropertyModel.load({str(folder)!r})\n"
        "p, lo, hi, ok = m.predict(['ZnO'])\n"
        "assert ok[0] and lo[0] <= p[0] <= hi[0]\n"
        "assert 'torch' not in sys.modules\n"
        "print('ok', round(float(p[0]), 3))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok ")


def test_members_see_every_system_by_default_and_still_disagree(table, trained):
    model, folder = trained
    meta = json.loads((folder / "model.json").read_text())
    assert meta["ensemble"]["group_bag"] == 1.0
    assert meta["learner"]["params"]["extra_trees"] is True
    # every member is trained on every row: they differ by seed only (row and feature subsamples,
    # random thresholds), and that must still make them disagree, or the intervals could not widen
    X, _ = feature_matrix(["ZnO", "CsI", "Sr2Te3"])
    mean, spread = model.raw_predict(X)
    assert (spread > 0).all(), spread
    assert np.std(model.calibration.sigmas) > 0
    with pytest.raises(ValueError, match="group_bag must lie in"):
        fit_model(table, TrainSettings(members=2, folds=3, group_bag=0.0, learner_options={"rounds": 20}))
    bagged = fit_model(table, TrainSettings(members=2, folds=3, group_bag=0.8, learner_options={"rounds": 20}))
    assert bagged.metadata["ensemble"]["group_bag"] == 0.8


def test_a_model_of_older_features_is_refused_with_what_to_do(trained, tmp_path):
    """A folder trained before the oxidation-state features (composition-v3): loading says to
    retrain, `predict run` says it without a traceback."""
    import shutil

    from click.testing import CliRunner

    from textmine.cli import main

    _, folder = trained
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    meta = json.loads((old / "model.json").read_text())
    meta["features"]["version"] = "composition-v3+structure-v1"
    meta["features"]["names"] = [n for n in meta["features"]["names"] if not n.startswith("ox_")]
    (old / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="uses features composition-v3.*retrain it"):
        PropertyModel.load(old)
    inputs = tmp_path / "in.csv"
    inputs.write_text("formula\nZnO\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["predict", "run", "--model", str(old), "--input", str(inputs), "--output",
                                       str(tmp_path / "out.csv")])
    assert result.exit_code != 0
    assert "retrain it" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.csv").exists()
