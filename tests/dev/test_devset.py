"""The relations dev set builds from ../shared/data into real files, covers every property family
issue 11 asks for, and every gold value is a quantity textmine's parser reads whole."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from textmine.extract.quantities import parse_quantities

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT / "corpora" / "dev" / "relations"
sys.path.insert(0, str(DEVSET))

import build  # noqa: E402  (corpora/dev/relations/build.py)
import check  # noqa: E402
import draw  # noqa: E402


@pytest.fixture(scope="module")
def built(shared_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("devset")
    result = subprocess.run(
        [sys.executable, str(DEVSET / "build.py"), str(out), "--shared", str(shared_data)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def gold(out: Path) -> dict[str, list[dict]]:
    rows = {}
    for path in sorted(out.glob("gold-*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == ["compound", "value", "source"]
            rows[path.stem.removeprefix("gold-")] = list(reader)
    return rows


def test_texts_match_sources_and_hashes(built):
    sources = build.load_jsonl(DEVSET / "sources.jsonl")
    texts = [json.loads(line) for line in (built / "texts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [t["id"] for t in texts] == [s["id"] for s in sources]
    assert len(texts) >= 280  # 126 keyword-selected texts + 162 from the seeded draw (draw.py)
    for text, source in zip(texts, sources):
        assert text["text"].strip(), source["id"]
        assert hashlib.sha256(text["text"].encode()).hexdigest()[:16] == source["sha256"]


def test_every_family_meets_its_minimum(built):
    rows = gold(built)
    texts_per_family = defaultdict(set)
    for prop, prop_rows in rows.items():
        family = build.family_of(prop)
        if family:
            texts_per_family[family].update(r["source"] for r in prop_rows)
    short = {f: len(texts_per_family[f]) for f, n in build.MINIMUM_TEXTS.items() if len(texts_per_family[f]) < n}
    assert not short, f"families below their minimum number of texts: {short} (minimums {build.MINIMUM_TEXTS})"
    manifest = json.loads((built / "manifest.json").read_text())
    for family, counts in manifest["families"].items():
        if family in texts_per_family:
            assert counts["texts"] == len(texts_per_family[family])


def test_declared_families_agree_with_annotations():
    sources = {s["id"]: s for s in build.load_jsonl(DEVSET / "sources.jsonl")}
    for entry in build.load_jsonl(DEVSET / "annotations.jsonl"):
        found = sorted({build.family_of(st["property"]) or "other" for st in entry["statements"]})
        assert found == sources[entry["id"]]["families"], entry["id"]


def test_every_gold_value_parses_whole(built):
    bad = []
    for prop, rows in gold(built).items():
        for row in rows:
            quantities = parse_quantities(row["value"])
            if not (len(quantities) == 1 and quantities[0].start == 0 and quantities[0].end == len(row["value"])):
                bad.append((prop, row["source"], row["value"], [q.text for q in quantities]))
            elif quantities[0].value is None and quantities[0].value_min is None:
                bad.append((prop, row["source"], row["value"], "no number"))
    assert not bad, bad


def test_every_text_has_a_statement_and_sources_are_unique(built):
    annotations = build.load_jsonl(DEVSET / "annotations.jsonl")
    assert all(entry["statements"] for entry in annotations)
    ids = [s["id"] for s in build.load_jsonl(DEVSET / "sources.jsonl")]
    assert len(ids) == len(set(ids))
    sourced = {r["source"] for rows in gold(built).values() for r in rows}
    assert sourced == set(ids)


def test_self_consistency_check_passes(shared_data, capsys):
    assert check.check(shared_data) == 0, capsys.readouterr().out


def test_seeded_draw_is_complete_and_reproducible(shared_data):
    """Every text the seeded draw yields is annotated or listed as holding no statement, and
    nothing else claims to come from the draw (docs/annotation.md, section 11)."""
    assert draw.verify(shared_data) == []
    sources = build.load_jsonl(DEVSET / "sources.jsonl")
    drawn = [s for s in sources if "draw" in s]
    assert len(drawn) == 162 and len(sources) - len(drawn) == 126
    assert {s["draw"]["seed"] for s in drawn} == {draw.SEED}


def test_seeded_draw_check_fails_on_a_dropped_text(shared_data, tmp_path, monkeypatch):
    rows = build.load_jsonl(draw.NO_STATEMENTS)
    short = tmp_path / "draw-without-statements.jsonl"
    short.write_text("\n".join(json.dumps(r) for r in rows[1:]) + "\n", encoding="utf-8")
    monkeypatch.setattr(draw, "NO_STATEMENTS", short)
    problems = draw.verify(shared_data)
    assert any(rows[0]["id"] in p and "neither annotated nor listed" in p for p in problems), problems


def test_changed_source_fails_loudly(shared_data, tmp_path):
    sources = build.load_jsonl(DEVSET / "sources.jsonl")
    source = dict(sources[0], sha256="0" * 16)
    with pytest.raises(build.BuildError, match="text changed"):
        build.load_texts(shared_data, [source])
    missing = dict(sources[0], path="gold/no-such-file.jsonl")
    with pytest.raises(build.BuildError, match="missing"):
        build.load_texts(shared_data, [missing])


def test_build_without_shared_data_says_what_to_do(tmp_path):
    result = subprocess.run(
        [sys.executable, str(DEVSET / "build.py"), str(tmp_path / "out"), "--shared", str(tmp_path / "nowhere")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "TEXTMINE_SHARED_DATA" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_detokenise_rules():
    assert build.detokenise(["push", "-", "pull", "(", "PVA", ")", ","]) == "push-pull (PVA),"
    assert build.detokenise(["SiO_{2", "}", "at", "70", "°", "C", "."]) == "SiO_{2} at 70 °C."
