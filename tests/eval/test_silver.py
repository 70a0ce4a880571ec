"""`textmine evaluate make-gold`: gold files and texts from the shared Snowball sets and PolyIE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from textmine.cli import main
from textmine.eval.gold import read_gold
from textmine.eval.silver import Tuple, _polyie_value, _silver_value, alternatives, detokenise, merge_statements, property_of


def test_silver_compound_alternatives():
    assert alternatives("EuS nanocrystals") == "EuS nanocrystals | EuS"
    assert alternatives("bulk hematite") == "bulk hematite | hematite"
    assert alternatives("copper oxide ( Cu2O )") == "copper oxide ( Cu2O ) | copper oxide | Cu2O"
    assert alternatives("ZnO(h)") == "ZnO(h)" and alternatives("Fe-Ni alloy") == "Fe-Ni alloy"


def test_silver_and_polyie_values_are_cleaned():
    assert _silver_value("∼2.0", "eV)") == "2.0 eV"
    assert _silver_value("1.5 and 2.08", "eV") == "1.5-2.08 eV"  # Snowball's 'between 1.5 and 2.08 eV'
    assert _silver_value("250", "°c") == "250 °C"
    assert _polyie_value("= 0.85 V") == "0.85 V" and _polyie_value("0.71 V vs. SCE.") == "0.71 V"
    assert detokenise("TiO2 ( anatase ) , has a gap") == "TiO2 (anatase), has a gap"
    assert detokenise("the ZnO / PMMA films and Au / ZnO / SiO2") == "the ZnO/PMMA films and Au/ZnO/SiO2"


def test_silver_tuples_of_one_statement_become_one_gold_row():
    # Snowball keeps one tuple per name of the material: 'Zinc oxide (ZnO) ... 3.37 eV'
    merged = merge_statements([Tuple("Zinc oxide", "3.37 eV", "band_gap"), Tuple("ZnO", "3.37 eV", "band_gap"),
                               Tuple("PbTiO3 crystal | PbTiO3", "490 °C", "band_gap"), Tuple("PbTiO3", "490 °C", "band_gap")])
    assert merged == [Tuple("Zinc oxide | ZnO", "3.37 eV", "band_gap"), Tuple("PbTiO3 crystal | PbTiO3", "490 °C", "band_gap")]
    # one value kept twice, with and without its decimals
    assert merge_statements([Tuple("MnF2", "67 K", "neel_temperature"), Tuple("MnF2", "67.4 K", "neel_temperature")]) == [
        Tuple("MnF2", "67 K", "neel_temperature")]
    # names the text gives one material: 'BiFeO3 (BFO)'
    text = "BiFeO3 (BFO) with high Tc ∼ 1103 K and TN ∼ 643 K"
    assert merge_statements([Tuple("BiFeO3", "643 K", "neel_temperature"), Tuple("BFO", "643 K", "neel_temperature")],
                            text) == [Tuple("BiFeO3 | BFO", "643 K", "neel_temperature")]
    assert len(merge_statements([Tuple("BiFeO3", "643 K", "neel_temperature"), Tuple("BFO", "643 K", "neel_temperature")])) == 2
    # other values, other materials, other properties stay apart
    apart = [Tuple("ZnO", "3.37 eV", "band_gap"), Tuple("ZnO", "3.3 eV", "band_gap"), Tuple("GaN", "3.3 eV", "band_gap"),
             Tuple("ZnO", "3.3 eV", "curie_temperature")]
    assert merge_statements(apart) == apart


def test_polyie_property_names_map_through_the_ontology():
    assert property_of("V oc") == "open_circuit_voltage"
    assert property_of("optical band gaps") == "band_gap"
    assert property_of("λ onset") is None


@pytest.mark.parametrize(("source", "folders"), [
    ("snowball", ["band_gap", "curie_temperature", "neel_temperature"]),
    ("polyie", ["."]),
])
def test_make_gold_writes_texts_and_gold_that_belong_together(shared_data, tmp_path, source, folders):
    if not (shared_data / "gold" / ("polyie" if source == "polyie" else "bandgap_snowball")).is_dir():
        pytest.skip(f"{source} data absent")
    result = CliRunner().invoke(main, ["evaluate", "make-gold", source, "-o", str(tmp_path), "--data", str(shared_data)])
    assert result.exit_code == 0, result.output
    for name in folders:
        folder = tmp_path / name
        texts = [json.loads(line) for line in (folder / "texts.jsonl").read_text(encoding="utf-8").splitlines()]
        ids = {t["id"] for t in texts}
        assert len(ids) == len(texts) >= 100 and all(t["text"].strip() for t in texts)
        gold = read_gold(folder)
        assert len(gold) >= 100 and {row.source for row in gold} <= ids
        # nearly every gold value reads as a value (the rest are empty or garbled spans)
        assert sum(not row.parsed for row in gold) <= 0.015 * len(gold)


def test_the_adjudicated_snowball_samples_belong_to_their_sets(shared_data, tmp_path):
    """corpora/dev/snowball-adjudicated: every statement parses and comes from a sampled text of its set."""
    folder = Path(__file__).resolve().parents[2] / "corpora" / "dev" / "snowball-adjudicated"
    sizes = {"band_gap": (40, 47), "curie_temperature": (20, 20), "neel_temperature": (30, 31)}
    samples = {name: (folder / f"sample-{name}.txt").read_text().split() for name in sizes}
    for name, (texts, statements) in sizes.items():
        gold = read_gold(folder, [name])
        assert len(set(samples[name])) == len(samples[name]) == texts and len(gold) == statements
        assert all(row.parsed for row in gold) and {row.source for row in gold} <= set(samples[name])
    if not (shared_data / "gold" / "bandgap_snowball").is_dir():
        pytest.skip("Snowball data absent")
    result = CliRunner().invoke(main, ["evaluate", "make-gold", "snowball", "-o", str(tmp_path), "--data", str(shared_data)])
    assert result.exit_code == 0, result.output
    for name, sample in samples.items():
        texts_file = tmp_path / name / "texts.jsonl"
        ids = {json.loads(line)["id"] for line in texts_file.read_text(encoding="utf-8").splitlines()}
        assert set(sample) <= ids
