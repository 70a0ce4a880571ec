"""Structures through the main commands: `run` links new records when the store holds structures,
`search` filters by the linked structure, `export --with-structures` joins them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from textmine.cli import main

pytest.importorskip("pymatgen.symmetry.analyzer", reason="structures need: pip install 'textmine[structures]'")
ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_run_links_records_and_search_filters_by_structure(tmp_path: Path) -> None:
    from textmine.spectra.references import reference_entries

    folder = tmp_path / "structures"
    folder.mkdir()
    for entry in reference_entries():
        if entry.reduced_formula in ("TiO2", "ZnO"):
            path = folder / f"{entry.reduced_formula}_{entry.space_group_number}.json"
            path.write_text(json.dumps(entry.structure), encoding="utf-8")  # a pymatgen dict
    db = str(tmp_path / "t.db")
    invoke("--db", db, "-q", "structures", "add", str(folder))
    invoke("--db", db, "run", str(ROOT / "corpora" / "demo"))
    linked = json.loads(invoke("--db", db, "search", "--has-structure", "--json", "--limit", "500", "--facets", ""))
    assert linked["total"] > 0
    assert {r["material"]["formula"] for r in linked["records"]} <= {"TiO2", "ZnO"}
    unlinked = json.loads(invoke("--db", db, "search", "--no-structure", "--json", "--limit", "0", "--facets", ""))
    everything = json.loads(invoke("--db", db, "search", "--json", "--limit", "0", "--facets", ""))
    assert linked["total"] + unlinked["total"] == everything["total"]
    tetragonal = json.loads(invoke("--db", db, "search", "--crystal-system", "tetragonal", "--json", "--facets", ""))
    assert tetragonal["total"] >= 1 and all(r["material"]["formula"] == "TiO2" for r in tetragonal["records"])
    out = tmp_path / "joined.jsonl"
    invoke("--db", db, "export", "--with-structures", "--format", "jsonl", "-o", str(out), "--has-structure")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == linked["total"] and all(row.get("structure_id") for row in rows)
