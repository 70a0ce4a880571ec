"""`textmine documents` and `textmine serve` errors, through the CLI."""

from __future__ import annotations

import pytest

from tests.api.server import require  # noqa: E402

require("fastapi", "pip install -e '.[serving]'")
require("uvicorn", "pip install -e '.[serving]'")

import json

from click.testing import CliRunner

from textmine.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, ["-q", *args], catch_exceptions=False)


def test_documents_list_and_show(sqlite_corpus):
    result = invoke("--db", str(sqlite_corpus), "documents", "--json", "--limit", "0")
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in result.output.splitlines()]
    assert len(docs) == 15 and all(d["doc_id"] and d["source"] for d in docs)
    cited = next(d for d in docs if d["doi"] == "10.5555/textmine.demo.2016.01")
    assert cited["title"].startswith("Band gaps") and cited["authors"] == ["Mira Okafor", "Daniel Lindqvist"]
    assert cited["year"] == 2016 and cited["url"] == "https://doi.org/10.5555/textmine.demo.2016.01"
    table = invoke("--db", str(sqlite_corpus), "documents", "--limit", "3")
    assert table.exit_code == 0 and "3 of 15 documents" in table.output
    shown = invoke("--db", str(sqlite_corpus), "documents", "show", cited["doc_id"], "--json")
    data = json.loads(shown.output)
    assert data["document"] == cited and {r["material"]["formula"] for r in data["records"]} >= {"TiO2"}
    missing = invoke("--db", str(sqlite_corpus), "documents", "show", "doi:10.5555/none")
    assert missing.exit_code == 1 and "no document" in missing.output


def test_serve_refuses_write_without_key(sqlite_corpus, monkeypatch):
    monkeypatch.delenv("TEXTMINE_API_KEY", raising=False)
    result = invoke("--db", str(sqlite_corpus), "serve", "--write")
    assert result.exit_code == 2 and "TEXTMINE_API_KEY" in result.output


def test_serve_reports_a_missing_store(tmp_path):
    result = invoke("--db", str(tmp_path / "none.db"), "serve")
    assert result.exit_code == 1 and "no database" in result.output
