"""`textmine evaluate calibration`: reliability bins and ECE on constructed examples with known answers."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from eval_helpers import make_record

from textmine.cli import main
from textmine.eval.calibration import reliability


def test_ece_of_a_constructed_example():
    # 10 records at 0.95, 9 right (gap 0.05); 10 at 0.25, 5 right (gap 0.25): ECE = 0.5*0.05 + 0.5*0.25 = 0.15
    confidences = [0.95] * 10 + [0.25] * 10
    correct = [True] * 9 + [False] + [True] * 5 + [False] * 5
    cal = reliability(confidences, correct)
    assert cal.ece == pytest.approx(0.15)
    assert [b.n for b in cal.bins] == [0, 0, 10, 0, 0, 0, 0, 0, 0, 10]
    assert cal.bins[2].accuracy == 0.5 and cal.bins[9].mean_confidence == pytest.approx(0.95)
    assert cal.monotone and cal.accuracy == 0.7


def test_perfect_calibration_and_bin_edges():
    # 0.7 lands in [0.7, 0.8) (not 0.6 by rounding) and 1.0 in the last bin
    cal = reliability([0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 1.0], [True] * 7 + [False] * 3 + [True])
    assert cal.bins[7].n == 10 and cal.bins[9].n == 1
    assert cal.ece == pytest.approx(0.0)


def test_monotone_is_false_when_accuracy_falls():
    cal = reliability([0.15, 0.15, 0.85, 0.85], [True, True, False, True])
    assert not cal.monotone and cal.ece == pytest.approx((0.85 + 0.35) / 2)


def test_out_of_range_confidence_is_refused():
    with pytest.raises(ValueError, match="outside"):
        reliability([1.2], [True])


def test_command_pools_properties(write_files, tmp_path):
    # band gap: two records at 0.9 (one right); Curie: two records at 0.3 (one right) -> bins 3 and 9, ECE 0.3
    write_files([("GaN", "3.4 eV", "d1")], [], name="gold/gold-band_gap.csv")
    gold, out = write_files(
        [("Fe", "1043 K", "d1")],
        [make_record("d1", "GaN", 3.4, "eV", confidence=0.9), make_record("d1", "ZnO", 3.3, "eV", confidence=0.9),
         make_record("d1", "Fe", 1043.0, "K", prop="curie_temperature", confidence=0.3),
         make_record("d1", "Ni", 627.0, "K", prop="curie_temperature", confidence=0.3)],
        name="gold/gold-curie_temperature.csv",
    )
    result = CliRunner().invoke(main, ["evaluate", "calibration", str(gold.parent), str(out), "--json"])
    assert result.exit_code == 0, result.output
    cal = json.loads(result.output)
    assert cal["n"] == 4 and cal["ece"] == pytest.approx(0.3) and cal["monotone"] is True
    assert [b["n"] for b in cal["bins"]] == [0, 0, 0, 2, 0, 0, 0, 0, 0, 2]
    text = CliRunner().invoke(main, ["evaluate", "calibration", str(gold.parent), str(out)]).output
    assert "ECE 0.3000" in text and "[0.9, 1.0]      2" in text


def test_isotonic_fit_is_monotone_and_pools_small_blocks():
    from textmine.eval.calibration import apply_map, fit_isotonic

    # raw 0.1..0.4 mostly wrong, 0.6..0.9 mostly right, with a violator in each half
    scores = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]
    correct = [False, True, False, False, False, False, False, True, True, False, True, True, True, True]
    xs, ys = fit_isotonic(scores, correct, min_block=7)
    assert len(xs) == 2 and xs == sorted(xs) and ys == sorted(ys)
    assert ys[0] == pytest.approx(1 / 7, abs=1e-3) and ys[1] == pytest.approx(6 / 7, abs=1e-3)
    assert apply_map(xs, ys, 0.0) == ys[0] and apply_map(xs, ys, 1.0) == ys[1]
    assert ys[0] < apply_map(xs, ys, 0.5) < ys[1]
    # every fitted map is non-decreasing, whatever the data
    xs, ys = fit_isotonic([0.9, 0.8, 0.1, 0.2, 0.5] * 10, [False, False, True, True, True] * 10, min_block=5)
    assert all(a <= b for a, b in zip(ys, ys[1:]))


def test_fit_command_writes_a_map_the_calibrate_component_reads(write_files, tmp_path):
    from textmine.extract.calibrate import Calibrate

    gold_rows, records = [], []
    for i in range(60):  # high raw scores right 4 times in 5, low ones 1 time in 5, over 12 documents
        doc = f"d{i % 12}"
        right = (i % 5 != 0) if i % 2 else (i % 5 == 0)
        value = 1.0 + i / 10
        if right:
            gold_rows.append((f"M{i}", f"{value} eV", doc))
        records.append(make_record(doc, f"M{i}", value, "eV", confidence=0.8 if i % 2 else 0.3))
    gold, out = write_files(gold_rows, records)
    fitted = tmp_path / "map.json"
    result = CliRunner().invoke(main, ["evaluate", "calibration", str(gold), str(out), "--property", "band_gap",
                                       "--fit", str(fitted), "--folds", "3", "--min-block", "10", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(fitted.read_text())
    assert data["x"] == [0.3, 0.8] and data["y"] == [pytest.approx(0.2), pytest.approx(0.8)]
    assert (data["records"], data["min_block"]) == (60, 10)  # the map says what it was fitted on
    calibrate = Calibrate(str(fitted))
    assert calibrate.apply(0.3) == pytest.approx(0.2) and calibrate.apply(0.8) == pytest.approx(0.8)
    table = json.loads(result.output[result.output.index("{"):])
    assert table["n"] == 60 and table["ece"] < 0.1  # out-of-fold confidences of a well-separated toy set
