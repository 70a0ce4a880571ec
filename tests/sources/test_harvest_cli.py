"""`textmine harvest` and `textmine sources` through the real click group, into a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from textmine.cli import main
from textmine.sources.cli import harvest, sources, state_dir_for
from textmine.store import open_store

from tests.sources.conftest import FIXTURES
from tests.sources.replay import Reply


@pytest.fixture(scope="module")
def cli():
    # The lead attaches these to the main group; attach them here if that has not landed yet.
    if "harvest" not in main.commands:
        main.add_command(harvest, "harvest")
    if "sources" not in main.commands:
        main.add_command(sources, "sources")
    return main


def _crossref_routes(replay, docs):
    cr = docs / "crossref_json"

    def paged(name, next_cursor):
        payload = json.loads((cr / name).read_bytes())
        payload["message"]["next-cursor"] = next_cursor
        return Reply(json.dumps(payload).encode(), content_type="application/json")

    replay.route("/works", paged("test_works_field_queries.response0.derived.json", "c1"), params={"cursor": "*"})
    replay.route("/works", paged("test_works_query.response0.derived.json", "c2"), params={"cursor": "c1"})
    replay.route("/works", Reply.file(FIXTURES / "crossref_works_last_page.json", "application/json"),
                 params={"cursor": "c2"})


def test_harvest_writes_through_the_pipeline_and_resumes(cli, replay, docs, tmp_path):
    _crossref_routes(replay, docs)
    db = tmp_path / "corpus.db"
    args = ["-q", "--db", str(db), "harvest", "crossref", "--query", "ecology", "--base-url", replay.url,
            "--mailto", "lab@example.org", "--page-size", "20", "--no-extract"]
    runner = CliRunner()
    first = runner.invoke(cli, [*args, "--max", "5"])
    assert first.exit_code == 0, first.output
    store = open_store(str(db))
    assert store.stats().documents == 5
    store.close()

    second = runner.invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert "harvest complete" in second.output
    store = open_store(str(db))
    ids = [d.id for d in store.iter_documents()]
    assert len(ids) == 22 == len(set(ids))
    forecast = store.get_document("doi:10.1111/ele.14024")
    assert forecast is not None and forecast.title == "The forecast trap" and forecast.sections
    store.close()
    # the first request of the resumed run continued the interrupted page, not the query's start
    cursors = [r.params["cursor"] for r in replay.requests("/works")]
    assert cursors == ["*", "*", "c1", "c2"]

    third = runner.invoke(cli, args)
    assert "already complete" in third.output
    listed = runner.invoke(cli, ["--db", str(db), "sources", "--harvests", "--json"])
    (row,) = json.loads(listed.output)
    assert row["source"] == "crossref" and row["done"] and row["emitted"] == 22
    assert (tmp_path / "corpus.harvest" / "harvest.sqlite").exists()
    assert any((tmp_path / "corpus.harvest" / "raw").rglob("index.jsonl"))


def test_harvest_extracts_records_with_the_rules_extractor(cli, replay, docs, tmp_path):
    """Without --no-extract a harvest runs the whole pipeline: documents come back processed."""
    _crossref_routes(replay, docs)
    db = tmp_path / "extracted.db"
    result = CliRunner().invoke(cli, ["-q", "--db", str(db), "harvest", "crossref", "--query", "ecology",
                                      "--base-url", replay.url, "--page-size", "20", "--max", "6"])
    assert result.exit_code == 0, result.output
    store = open_store(str(db))
    documents = list(store.iter_documents())
    assert len(documents) == 6
    assert all(d.extractor and d.extractor.startswith("rules@") for d in documents)
    assert store.stats().sentences > 6
    store.close()


def test_harvest_failures_go_to_the_store_and_set_the_exit_code(cli, replay, tmp_path):
    replay.route("/graph/v1/paper/batch", Reply.file(FIXTURES / "s2_batch.json", "application/json"), method="POST")
    db = tmp_path / "s2.db"
    result = CliRunner().invoke(cli, ["-q", "--db", str(db), "harvest", "semantic-scholar-batch", "--base-url",
                                      replay.url + "/graph/v1", "--query",
                                      "DOI:10.5555/textmine.s2.0003,DOI:10.5555/unknown,ARXIV:1707.08567",
                                      "--no-extract"])
    assert result.exit_code == 1
    store = open_store(str(db))
    assert store.stats().documents == 2
    failures = store.failures()
    assert [f.stage for f in failures] == ["harvest"] and "not found" in failures[0].reason
    store.close()


def test_harvest_explains_a_missing_key_or_query(cli, tmp_path):
    runner = CliRunner()
    no_key = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "harvest", "elsevier", "--query", "10.1016/x"])
    assert no_key.exit_code == 2 and "TEXTMINE_ELSEVIER_API_KEY" in no_key.output
    no_query = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "harvest", "arxiv"])
    assert no_query.exit_code == 2 and "needs --query" in no_query.output
    unknown = runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "harvest", "pubmed"])
    assert unknown.exit_code == 2 and "crossref" in unknown.output


def test_sources_lists_every_source_with_its_settings(cli, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CROSSREF_BASE_URL", "https://crossref.mirror.example.edu")
    result = CliRunner().invoke(cli, ["sources", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert set(rows) >= {"arxiv", "arxiv-oai", "crossref", "semantic-scholar", "semantic-scholar-batch", "europepmc",
                         "elsevier", "springer", "uspto-bulk", "epo"}
    assert rows["arxiv"]["rate_limit"] == "1 req / 3 s"
    assert rows["crossref"]["base_url"] == "https://crossref.mirror.example.edu"
    assert rows["elsevier"]["auth"] == "required" and rows["semantic-scholar"]["auth"] == "optional"
    table = CliRunner().invoke(cli, ["sources"])
    assert "export.arxiv.org" in table.output


def test_state_dir_sits_next_to_the_store(monkeypatch):
    monkeypatch.delenv("TEXTMINE_HARVEST_DIR", raising=False)
    assert str(state_dir_for("data/corpus.db")) == "data/corpus.harvest"
    assert str(state_dir_for("sqlite:///runs/x.db")) == "runs/x.harvest"  # as open_store reads the URL
    assert str(state_dir_for("es://localhost:9200")) == "textmine.harvest"


def test_a_killed_harvest_process_resumes_without_loss_or_duplicates(replay, docs, tmp_path):
    """kill -9 the harvesting process while it waits for page two, then run it again."""
    import os
    import signal
    import subprocess
    import sys
    import time

    _crossref_routes(replay, docs)
    replay.fault("/works", Reply(b"", delay=30), params={"cursor": "c1"})  # hangs until killed
    db = tmp_path / "killed.db"
    script = ("from textmine.cli import main; from textmine.sources.cli import harvest, sources; "
              "main.add_command(harvest, 'harvest'); main()")
    args = [sys.executable, "-c", script, "-q", "--db", str(db), "harvest", "crossref", "--query", "ecology",
            "--base-url", replay.url, "--page-size", "20", "--no-extract"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not replay.requests_with("cursor", "c1") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert replay.requests_with("cursor", "c1"), "the harvest never reached page two"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    store = open_store(str(db))
    assert store.stats().documents == 20  # page one was stored document by document before the kill
    store.close()
    resumed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    store = open_store(str(db))
    ids = [d.id for d in store.iter_documents()]
    store.close()
    assert len(ids) == 22 == len(set(ids))
    assert [r.params["cursor"] for r in replay.requests("/works")][-2:] == ["c1", "c2"]
