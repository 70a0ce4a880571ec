"""Regression floor on the Snowball silver sets (band gap, Curie and Néel temperatures), end to end:
`textmine evaluate make-gold snowball`, `textmine extract --input`, `textmine evaluate records`.

The floors are the measured scores minus a small margin (measured: band gap F1 0.698, Curie 0.760,
Néel 0.813); a change that loses quality fails here. `python bench/eval_snowball.py --errors 20`
shows the misses.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from textmine.cli import main
from textmine.eval.gold import read_gold, read_records
from textmine.eval.records import score_records
from textmine.eval.silver import SNOWBALL_SETS, make_snowball

FLOORS = {"band_gap": 0.67, "curie_temperature": 0.73, "neel_temperature": 0.79}


@pytest.fixture(scope="module")
def scores(shared_data, tmp_path_factory):
    if not (shared_data / "gold" / "bandgap_snowball").is_dir():
        pytest.skip("bandgap_snowball silver set absent")
    out = tmp_path_factory.mktemp("snowball")
    make_snowball(shared_data, out)
    found = {}
    for prop in SNOWBALL_SETS:
        folder = out / prop
        result = CliRunner().invoke(main, ["-q", "extract", "--input", str(folder / "texts.jsonl"),
                                           "--output", str(folder / "records.jsonl")])
        assert result.exit_code == 0, result.output
        found[prop] = score_records(read_gold(folder), read_records(folder / "records.jsonl")).scores[prop]
    return found


@pytest.mark.parametrize("prop", sorted(FLOORS))
def test_silver_f1_stays_above_floor(scores, prop):
    score = scores[prop]
    assert score.gold > 100, f"{prop}: silver set shrank to {score.gold} tuples"
    assert score.f1 >= FLOORS[prop], f"{prop}: F1 {score.f1:.3f} < floor {FLOORS[prop]} (P {score.precision:.3f}, R {score.recall:.3f})"
