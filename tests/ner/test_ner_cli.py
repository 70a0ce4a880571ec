from __future__ import annotations

import json

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
