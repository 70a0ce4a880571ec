from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from textmine.ner.cli import ner_command


def test_ner_jsonl_both_input_kinds(tagger, tmp_path) -> None:
    lines = [
        {"id": "raw", "text": "Thin films of SiO2 were grown at 300 K."},
        {"id": "tok", "tokens": ["the", "O2Si", "films", "were", "grown", "at", "<nUm>", "K", "."]},
        {"id": "rawtok", "tokens": ["The", "SiO2", "films", "were", "grown", "at", "300", "K", "."]},
        {"id": "empty", "tokens": []},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    dst = tmp_path / "out.jsonl"
    result = CliRunner().invoke(ner_command, ["--input", str(src), "--output", str(dst), "--model", "fast",
                                              "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == ["raw", "tok", "rawtok", "empty"]
    raw = out[0]
    assert any(s["label"] == "MAT" and s["text"] == "SiO2" for s in raw["spans"])
    for s in raw["spans"]:
        assert lines[0]["text"][s["start"] : s["end"]] == s["text"]
    for o, line in zip(out[1:], lines[1:]):
        assert len(o["tags"]) == len(line["tokens"])
    assert out[1]["tags"][1] == "B-MAT" and out[2]["tags"][1] == "B-MAT"


def test_ner_rejects_bad_input(tagger, tmp_path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1}\n', encoding="utf-8")
    result = CliRunner().invoke(ner_command, ["--input", str(src), "--output", str(tmp_path / "o.jsonl")])
    assert result.exit_code != 0
    assert "tokens" in result.output


def test_extract_with_the_accurate_model_says_so_in_its_records(accurate_tagger, tmp_path) -> None:
    from textmine.cli import main

    src = tmp_path / "texts.jsonl"
    src.write_text(json.dumps({"id": "d1", "text": "The band gap of the TiO2 films is 3.2 eV."}) + "\n", encoding="utf-8")
    runner = CliRunner()
    for model, tag in (("fast", None), ("accurate", "accurate")):
        dst = tmp_path / f"{model}.jsonl"
        result = runner.invoke(main, ["-q", "extract", "--extractor", "ner", "--ner-model", model, "--input", str(src),
                                      "--output", str(dst)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        records = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
        assert records and all(r["extractor"].startswith("ner@") for r in records)
        band_gap = [r for r in records if r["material"]["formula"] == "TiO2" and r["property"] == "band_gap"
                    and r["value_si"] == pytest.approx(3.2 * 1.602176634e-19, rel=1e-6) and 0 < r["confidence"] <= 1]
        assert band_gap, records
        assert all(("+accurate+" in r["extractor"]) == (tag is not None) for r in records)
    bad = runner.invoke(main, ["-q", "extract", "--extractor", "ner", "--ner-model", "nope", "--input", str(src),
                               "--output", str(tmp_path / "x.jsonl")])
    assert bad.exit_code != 0 and "no NER model 'nope'" in bad.output
