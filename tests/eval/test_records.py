"""`textmine evaluate records`: one test per matching rule, on real gold and records files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from eval_helpers import make_record

from textmine.cli import main
from textmine.eval.gold import parse_value, read_gold, read_records
from textmine.eval.records import score_records


def score(write_files, gold_rows, records, prop="band_gap"):
    gold, out = write_files(gold_rows, records)
    return score_records(read_gold(gold, [prop]), read_records(out), [prop])


def matched(write_files, gold_rows, records, prop="band_gap") -> int:
    return score(write_files, gold_rows, records, prop).scores[prop].matched


def test_alternatives_in_compound_and_value_cells(write_files):
    gold = [("TiO2 | titania", "3.2 eV | 3.0 eV", "d1")]
    assert matched(write_files, gold, [make_record("d1", "titania", 3.0, "eV")]) == 1
    assert matched(write_files, gold, [make_record("d1", "TiO2", 3.2, "eV")]) == 1
    assert matched(write_files, gold, [make_record("d1", "anatase", 3.0, "eV")]) == 0
    assert matched(write_files, gold, [make_record("d1", "titania", 3.1, "eV")]) == 0


def test_names_ignore_case_spaces_and_hyphens(write_files):
    gold = [("fe-ni Alloy", "1.1 eV", "d1")]
    assert matched(write_files, gold, [make_record("d1", "Fe–Ni alloy", 1.1, "eV")]) == 1
    assert matched(write_files, gold, [make_record("d1", "FeNi  alloy", 1.1, "eV")]) == 1
    assert matched(write_files, gold, [make_record("d1", "Fe-Co alloy", 1.1, "eV")]) == 0
    assert matched(write_files, gold, [make_record("d1", "Fe-Ni", 1.1, "eV")]) == 0  # a part is not the name


def test_the_form_a_material_was_studied_in_is_not_part_of_its_name(write_files):
    gold = [("gallium oxide", "4.9 eV", "d1")]
    assert matched(write_files, gold, [make_record("d1", "gallium oxide thin films", 4.9, "eV")]) == 1
    assert matched(write_files, [("KNN thin film", "3.75 eV", "d1")], [make_record("d1", "KNN", 3.75, "eV")]) == 1
    # a form is dropped, not any trailing word: another material is still another material
    assert matched(write_files, gold, [make_record("d1", "gallium oxide substrate", 4.9, "eV")]) == 0
    assert matched(write_files, gold, [make_record("d1", "gallium nitride films", 4.9, "eV")]) == 0


def test_reduced_composition(write_files):
    assert matched(write_files, [("Ti2O4", "3.2 eV", "d1")], [make_record("d1", "TiO2", 3.2, "eV")]) == 1
    # the record's normalised formula counts too: 'titanium dioxide' was resolved to TiO2
    assert matched(write_files, [("TiO2", "3.2 eV", "d1")],
                   [make_record("d1", "titanium dioxide", 3.2, "eV", formula="TiO2")]) == 1
    assert matched(write_files, [("O3PbTi", "3.4 eV", "d1")], [make_record("d1", "PbTiO3", 3.4, "eV")]) == 1
    assert matched(write_files, [("BaTiO3", "3.4 eV", "d1")], [make_record("d1", "PbTiO3", 3.4, "eV")]) == 0
    assert matched(write_files, [("Ba1-xSrxTiO3", "3.4 eV", "d1")],
                   [make_record("d1", "BaTiO3", 3.4, "eV")]) == 0  # an open variable has no composition
    # a phase label is no part of a composition: the record of crystals 'IV' (α-CsH2PO3·H3PO3) has its formula
    assert matched(write_files, [("α-CsH2PO3·H3PO3", "6.033 Å", "d1")],
                   [make_record("d1", "IV", 6.033, "Å", prop="lattice_parameter", formula="CsH2PO3·H3PO3")],
                   prop="lattice_parameter") == 1
    assert matched(write_files, [("2H-MoS2", "1.2 eV", "d1")], [make_record("d1", "MoSe2", 1.2, "eV")]) == 0
    # a gold compound written as a common name with one formula has that formula's composition
    assert matched(write_files, [("Zinc oxide", "3.37 eV", "d1")], [make_record("d1", "ZnO", 3.37, "eV", formula="ZnO")]) == 1
    assert matched(write_files, [("cuprous oxide films", "2.1 eV", "d1")], [make_record("d1", "Cu2O", 2.1, "eV")]) == 1
    assert matched(write_files, [("cupric oxide", "2.1 eV", "d1")], [make_record("d1", "Cu2O", 2.1, "eV")]) == 0
    assert matched(write_files, [("iron oxide", "2.1 eV", "d1")], [make_record("d1", "Fe2O3", 2.1, "eV")]) == 0  # no one formula


def test_one_formula_among_plain_words_is_the_compounds_composition(write_files):
    # 'mesoporous Co3O4', 'the RNiO3 series', 'FeWO4 microcrystals', 'a 5 nm CuO assembly': a reader takes the formula
    for gold, record in [("mesoporous Co3O4", "Co3O4"), ("SrCoO2.5 brownmillerite", "SrCoO2.5"),
                         ("FeWO4 microcrystals", "FeWO4"), ("5 nm CuO assembly", "CuO"), ("non-magnetic Cr metals", "Cr")]:
        assert matched(write_files, [(gold, "30 K", "d1")], [make_record("d1", record, 30, "K", prop="neel_temperature")],
                       prop="neel_temperature") == 1, gold
    # not beside a symbol or another name: a composite, a mixture or a named sample is another material
    for gold, record in [("TiO2 @ PDA", "TiO2"), ("CuO / ZnO", "CuO"), ("Eu2O3 NBs", "Eu2O3"), ("Fe-rich Co3O4", "Co3O4")]:
        assert matched(write_files, [(gold, "30 K", "d1")], [make_record("d1", record, 30, "K", prop="neel_temperature")],
                       prop="neel_temperature") == 0, gold
    # (nor another formula)
    assert matched(write_files, [("mesoporous Co3O4", "30 K", "d1")], [make_record("d1", "CoO", 30, "K", prop="neel_temperature")],
                   prop="neel_temperature") == 0


def test_values_within_two_percent(write_files):
    gold = [("GaN", "3.2 eV", "d1")]
    assert matched(write_files, gold, [make_record("d1", "GaN", 3.26, "eV")]) == 1   # 1.9 %
    assert matched(write_files, gold, [make_record("d1", "GaN", 3.14, "eV")]) == 1   # 1.9 %
    assert matched(write_files, gold, [make_record("d1", "GaN", 3.27, "eV")]) == 0   # 2.1 %
    # a range agrees when both ends do; a point is not a range
    assert matched(write_files, [("GaN", "3.1-3.3 eV", "d1")], [make_record("d1", "GaN", (3.1, 3.3), "eV")]) == 1
    assert matched(write_files, [("GaN", "3.1 to 3.3 eV", "d1")], [make_record("d1", "GaN", 3.1, "eV")]) == 0


def test_unit_conversion_and_unitless_gold(write_files):
    record = make_record("d1", "PbTiO3", 763.0, "K", prop="curie_temperature")
    assert matched(write_files, [("PbTiO3", "490 °C", "d1")], [record], "curie_temperature") == 1  # 763.15 K
    assert matched(write_files, [("PbTiO3", "490 K", "d1")], [record], "curie_temperature") == 0
    assert matched(write_files, [("GaN", "3400 meV", "d1")], [make_record("d1", "GaN", 3.4, "eV")]) == 1
    assert matched(write_files, [("GaN", "3.4 nm", "d1")], [make_record("d1", "GaN", 3.4, "eV")]) == 0
    # without a unit, the number as written in the paper, in whatever unit the paper gives
    assert matched(write_files, [("PbTiO3", "763", "d1")], [record], "curie_temperature") == 1
    assert matched(write_files, [("PbTiO3", "490", "d1")], [record], "curie_temperature") == 0


def test_each_gold_row_and_each_record_matched_once(write_files):
    twice = [make_record("d1", "ZnO", 3.3, "eV", confidence=0.4), make_record("d1", "ZnO", 3.3, "eV", confidence=0.9)]
    result = score(write_files, [("ZnO", "3.3 eV", "d1")], twice)
    s = result.scores["band_gap"]
    assert (s.gold, s.predicted, s.matched) == (1, 2, 1) and s.precision == 0.5 and s.recall == 1.0
    assert result.correct == [False, True]  # the more confident record takes the row
    # two rows, one record: recall 1/2; the record is not counted twice
    s = score(write_files, [("ZnO", "3.3 eV", "d1"), ("ZnO", "3.3 eV", "d1")], twice[:1]).scores["band_gap"]
    assert (s.matched, s.recall, s.precision) == (1, 0.5, 1.0)


def test_matching_is_maximal_not_greedy(write_files):
    # record A (more confident) could take either row; B only the first: both must be matched
    gold = [("ZnO | zinc oxide", "3.3 eV", "d1"), ("zinc oxide", "3.3 eV", "d1")]
    records = [make_record("d1", "zinc oxide", 3.3, "eV", confidence=0.9),
               make_record("d1", "ZnO", 3.3, "eV", confidence=0.5)]
    assert matched(write_files, gold, records) == 2


def test_source_and_property_must_agree(write_files):
    gold = [("GaN", "3.4 eV", "paper-1")]
    assert matched(write_files, gold, [make_record("paper-2", "GaN", 3.4, "eV")]) == 0
    result = score(write_files, gold, [make_record("paper-1", "GaN", 3.4, "eV", prop="work_function")])
    assert result.scores["band_gap"].predicted == 0  # records of other properties are not scored


def test_gold_values_parse():
    assert parse_value("3.2 eV").unit == "eV" and parse_value("~2.0 eV").low == 2.0
    v = parse_value("1.2 × 10^-4 S/cm")
    assert v is not None and v.low == pytest.approx(1.2e-4) and v.unit == "S/cm"
    assert parse_value("3.1 ± 0.2 eV").high == 3.1 and parse_value("-23 °C").low == -23
    assert parse_value("1,200 K").low == 1200 and parse_value("4.15-3.95 eV").low == 3.95
    assert parse_value("eV") is None and parse_value("3.2 bananas") is None
    # a bound by its number, as the annotation guideline writes bounded values ('>95%' -> 95%)
    assert parse_value(">3.4 eV") == parse_value("3.4 eV") and parse_value("<= 1.3 eV").low == 1.3


def test_command_prints_scores_and_json(write_files):
    gold, out = write_files(
        [("GaN", "3.4 eV", "d1"), ("ZnO", "3.3 eV", "d1"), ("CdS", "2.4 eV", "d2")],
        [make_record("d1", "GaN", 3.4, "eV"), make_record("d2", "CdS", 2.5, "eV"), make_record("d2", "CdS", 2.42, "eV")],
    )
    result = CliRunner().invoke(main, ["evaluate", "records", str(gold), str(out), "--property", "band gap"])
    assert result.exit_code == 0, result.output
    assert "band_gap" in result.output and "0.667" in result.output  # P 2/3, R 2/3
    result = CliRunner().invoke(main, ["evaluate", "records", str(gold), str(out), "--property", "band_gap", "--json"])
    scores = json.loads(result.output)
    assert scores["band_gap"] == {"gold": 3, "predicted": 3, "matched": 2, "precision": 0.6667, "recall": 0.6667,
                                  "f1": 0.6667}


def test_gold_folder_scores_every_property(tmp_path, write_files):
    write_files([("GaN", "3.4 eV", "d1")], [], name="gold/gold-band_gap.csv")
    gold, out = write_files([("Fe", "1043 K", "d1")],
                            [make_record("d1", "GaN", 3.4, "eV"),
                             make_record("d1", "Fe", 770.0, "°C", prop="curie_temperature", formula="Fe")],
                            name="gold/gold-curie_temperature.csv")
    result = CliRunner().invoke(main, ["evaluate", "records", str(gold.parent), str(out), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["band_gap"]["matched"] == 1 and scores["curie_temperature"]["matched"] == 1  # 770 °C = 1043 K
    assert scores["micro"]["f1"] == 1.0


@pytest.mark.parametrize(("rows", "header", "args", "message"), [
    ([("GaN", "3.4 eV")], ("compound", "value"), ["--property", "band_gap"], "missing column(s) source"),
    ([("GaN", "3.4 eV", "d1")], ("compound", "value", "source"), [], "name the property with --property"),
    ([("GaN", "", "d1")], ("compound", "value", "source"), ["--property", "band_gap"], "must all be filled"),
    ([("GaN", "3.4 eV", "d1")], ("compound", "value", "source"), ["--property", "colour"], "names no single property"),
])
def test_bad_gold_gives_a_clear_error(write_files, rows, header, args, message):
    gold, out = write_files(rows, [make_record("d1", "GaN", 3.4, "eV")], header=header)
    result = CliRunner().invoke(main, ["evaluate", "records", str(gold), str(out), *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_bad_records_line_names_the_line(write_files):
    gold, out = write_files([("GaN", "3.4 eV", "d1")], [make_record("d1", "GaN", 3.4, "eV")])
    out.write_text(out.read_text() + '{"not": "a record"}\n')
    result = CliRunner().invoke(main, ["evaluate", "records", str(gold), str(out), "--property", "band_gap"])
    assert result.exit_code != 0 and "records.jsonl:2: not a record" in result.output
