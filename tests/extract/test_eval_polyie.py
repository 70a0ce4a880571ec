"""Regression floor on the PolyIE dev split (polymer papers parsed from PDF: a hard, general set).

Measured micro F1 0.500 over the mapped properties (PCE, Voc, Jsc, FF, mobility, band gap, ...);
the floor leaves a small margin. `python bench/eval_polyie.py --errors 30` shows the misses.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MICRO_F1_FLOOR = 0.46


def _bench_module():
    spec = importlib.util.spec_from_file_location("eval_polyie", ROOT / "bench" / "eval_polyie.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("eval_polyie", module)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_polyie_dev_micro_f1_stays_above_floor(shared_data):
    if not (shared_data / "gold" / "polyie" / "validation_split.txt").is_file():
        pytest.skip("PolyIE validation split absent")
    bench = _bench_module()
    scores = bench.evaluate(shared_data, "validation")
    tp = sum(s.tp for s in scores.values())
    predicted = sum(s.predicted for s in scores.values())
    gold = sum(s.gold for s in scores.values())
    assert gold > 200
    precision, recall = tp / predicted, tp / gold
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= MICRO_F1_FLOOR, f"PolyIE micro F1 {f1:.3f} < {MICRO_F1_FLOOR} (P {precision:.3f}, R {recall:.3f})"


def test_property_names_map_through_the_ontology():
    bench = _bench_module()
    assert bench.property_of("V oc") == "open_circuit_voltage"
    assert bench.property_of("optical band gaps") == "band_gap"
    assert bench.property_of("λ onset") is None
