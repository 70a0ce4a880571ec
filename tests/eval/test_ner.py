"""`textmine evaluate ner`: conlleval-style span scoring, and the shipped model through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from textmine.cli import main
from textmine.eval.ner import span_scores


@pytest.fixture(scope="module")
def tagger():
    pytest.importorskip("onnxruntime", reason="NER inference needs onnxruntime: pip install 'textmine[ner]'")
    from textmine.ner.tagger import load_tagger

    return load_tagger("fast")


def test_span_scores_exact_span_and_type() -> None:
    gold = [["B-MAT", "I-MAT", "O", "B-PRO"], ["B-MAT", "O"]]
    pred = [["B-MAT", "O", "O", "B-PRO"], ["B-MAT", "O"]]
    s = span_scores(gold, pred)
    assert s["PRO"]["f1"] == 1.0
    assert s["MAT"]["precision"] == 0.5 and s["MAT"]["recall"] == 0.5  # a cut span is wrong, not half right
    assert abs(s["micro"]["f1"] - 2 / 3) < 1e-9


def test_span_scores_type_must_agree_and_stray_inside_starts_a_span() -> None:
    s = span_scores([["B-MAT", "I-MAT"], ["I-SPL", "O"]], [["B-DSC", "I-DSC"], ["B-SPL", "O"]])
    assert s["MAT"]["recall"] == 0.0 and s["DSC"]["precision"] == 0.0
    assert s["SPL"]["f1"] == 1.0  # conlleval reads a stray I-SPL as the start of an SPL span


def _conll(path, sentences) -> None:
    path.write_text("\n\n".join("\n".join(f"{t} {g}" for t, g in s) for s in sentences) + "\n", encoding="utf-8")


def test_evaluate_ner_command_on_a_small_file(tmp_path, tagger) -> None:
    data = tmp_path / "tiny.conll"
    sentences = [[("the", "O"), ("O2Si", "B-MAT"), ("films", "B-DSC"), ("were", "O"), ("annealed", "B-SMT")],
                 [("thin", "B-DSC"), ("films", "I-DSC"), ("of", "O"), ("O2Ti", "B-MAT")]]
    _conll(data, sentences)
    result = CliRunner().invoke(main, ["evaluate", "ner", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)["scores"]
    # the same figure as scoring the shipped tagger's own tags directly
    pred = [tw.tags for tw in tagger.tag_words([[t for t, _ in s] for s in sentences], normalise=False)]
    expected = span_scores([[g for _, g in s] for s in sentences], pred)
    assert scores["micro"]["f1"] == pytest.approx(expected["micro"]["f1"])
    assert scores["MAT"]["support"] == 2 and scores["MAT"]["recall"] == 1.0


def test_evaluate_ner_unknown_model_is_a_clear_error(tmp_path) -> None:
    pytest.importorskip("onnxruntime", reason="NER inference needs onnxruntime")
    data = tmp_path / "tiny.conll"
    _conll(data, [[("O2Si", "B-MAT")]])
    result = CliRunner().invoke(main, ["evaluate", "ner", "--model", "nosuch", "--data", str(data)])
    assert result.exit_code != 0 and "no NER model 'nosuch'" in result.output and "Traceback" not in result.output


def test_shipped_fast_model_dev_score(shared_data, tagger) -> None:
    """The figure the README quotes (0.8479 here), through the shipped inference path; NER must not fall below it."""
    dev = shared_data / "gold" / "matscholar_ner" / "dev.txt"
    if not dev.is_file():
        pytest.skip("Matscholar dev split absent")
    from textmine.eval.ner import evaluate_model

    scores = evaluate_model("fast", dev)
    assert scores["micro"]["support"] == 2342
    assert scores["micro"]["f1"] >= 0.847, scores["micro"]
