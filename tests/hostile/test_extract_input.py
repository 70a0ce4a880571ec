"""`textmine extract --input`: every bad line is reported with its number (stderr and a rejects
file) and every other line is still processed; the exit status says some lines failed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def textmine(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "textmine.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)


GOOD = json.dumps({"id": "good-1", "text": "The band gap of ZnO is 3.37 eV."})
GOOD2 = json.dumps({"id": 7, "text": "CrO2 has a Curie temperature of 390 K."})


def test_bad_lines_are_reported_and_the_rest_is_processed(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    lines = [
        b"\xef\xbb\xbf" + GOOD.encode(),                                              # 1: BOM: fine
        json.dumps({"id": "latin", "text": "x"}).encode()[:-2] + b"\xe9\"}",           # 2: latin-1 byte
        deep.encode(),                                                                 # 3: 100k-deep JSON
        b'{"id": "sur", "text": "TiO2 \\ud800 has a band gap of 3.2 eV."}',            # 4: lone surrogate
        b'{"id": "null", "text": null}',                                               # 5: text null
        b'{"id": "noid"}',                                                             # 6: missing keys
        b"not json at all",                                                            # 7
        json.dumps({"id": "huge", "text": "The band gap of ZnO is 1e309 eV and that of GaN is 3.4 eV."}).encode(),  # 8
        GOOD2.encode(),                                                                # 9
    ]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    result = textmine("extract", "--input", str(source), "--output", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    rejects = [json.loads(line) for line in (tmp_path / "out.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 3, 4, 5, 6, 7]
    reasons = {r["line"]: r["reason"] for r in rejects}
    assert "UTF-8" in reasons[2] and "deep" in reasons[3] and "surrogate" in reasons[4]
    assert "null" in reasons[5] and "missing" in reasons[6] and "not JSON" in reasons[7]
    for line in (2, 3, 4, 5, 6, 7):
        assert f"line {line}: skipped" in result.stderr
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    got = {(r["doc_id"], r["material"]["text"], r["value"]) for r in records}
    # the BOM line, the line with an overflowing number (its good value kept) and the last line
    assert {("good-1", "ZnO", 3.37), ("7", "CrO2", 390.0)} <= got
    # (which material the rules link 3.4 eV to is the linker's business: with '3.3 eV' in place of
    # '1e309 eV' they link it to ZnO as well, 'that of GaN' is not resolved)
    assert any(doc == "huge" and value == 3.4 for doc, _, value in got)
    assert not any(r["value"] is not None and r["value"] > 1e300 for r in records)


def test_a_clean_file_exits_zero_and_writes_no_rejects(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(GOOD + "\n\n" + GOOD2 + "\n", encoding="utf-8")
    result = textmine("extract", "--input", str(source), "--output", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "out.jsonl.rejects.jsonl").exists()
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 2
