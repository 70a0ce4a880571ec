"""Issue 12 items 1, 4, 11 and 12 through a real `textmine run` (subprocesses on a real SQLite file;
a real Elasticsearch node behind a proxy that goes down mid-run): a file name that is not UTF-8,
an edited file re-run, files that failed and did not change, the store going away."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from textmine.readers import source_bytes, source_of

from tests.conftest import ROOT
from tests.hostile import inputs as H


def textmine(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    args = with_rules(args)
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "textmine.cli", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-3000:]
    return proc


def with_rules(args: tuple[str, ...] | list[str]) -> list[str]:
    """`run` with the rules pipeline: these tests are about inputs and identity, not about a model."""
    args = list(args)
    if "run" in args:
        args.insert(args.index("run") + 1, "--pipeline=rules")
    return args


def query(db: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, args).fetchall()


def band_gap_corpus(folder: Path, n: int = 150) -> Path:
    """The issue's reproduction: `n` small texts (no DOI), one record each."""
    folder.mkdir()
    for i in range(100, 100 + n):
        (folder / f"p{i}.txt").write_text(f"S{i}\n\nTiO2 has a band gap of 3.{i} eV.\n", encoding="utf-8")
    return folder


# --- item 1: a file name that is not valid UTF-8 ---------------------------------------------------------


def test_a_non_utf8_file_name_is_stored_and_failed_losslessly(tmp_path):
    corpus = band_gap_corpus(tmp_path / "c")
    cafe = H.non_utf8_name(corpus)  # "p220_caf\xe9.txt", the reproduction's file
    db = tmp_path / "c.db"
    proc = textmine("--db", str(db), "-q", "run", "c", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "151 documents processed" in proc.stderr and "0 failures" in proc.stderr
    assert query(db, "SELECT count(*) FROM documents") == [(151,)]
    assert query(db, "SELECT count(*) FROM records") == [(151,)]
    (source,) = [s for (s,) in query(db, "SELECT source FROM documents") if "caf" in s]
    assert source == source_of(cafe.absolute())
    assert source_bytes(source) == os.fsencode(cafe.absolute())  # the path round-trips, byte for byte
    assert Path(os.fsdecode(source_bytes(source))).read_bytes() == cafe.read_bytes()

    # a file with such a name that fails is recorded under the same lossless path, and re-runs go on
    empty = corpus / b"vide\xe9.txt".decode("utf-8", "surrogateescape")
    empty.write_bytes(b"")
    proc = textmine("--db", str(db), "-q", "run", "c", cwd=tmp_path)
    assert proc.returncode == 1 and "151 unchanged skipped" in proc.stderr and "1 failures" in proc.stderr
    ((failed, reason),) = query(db, "SELECT source, reason FROM failures")
    assert source_bytes(failed) == os.fsencode(empty.absolute()) and "empty file" in reason
    proc = textmine("--db", str(db), "-q", "run", "c", cwd=tmp_path)
    assert proc.returncode == 1 and "1 failures" in proc.stderr
    assert query(db, "SELECT count(*) FROM documents") == [(151,)]


# --- item 4: a file's path is its identity -----------------------------------------------------------------


def shard(folder: Path, values: list[str]) -> Path:
    """An S2ORC shard of papers without DOI, one band gap each."""
    lines = [json.dumps({"paper_id": f"p{i}", "title": f"Paper {i}", "authors": [], "year": 2020,
                         "body_text": [{"text": f"TiO2 film {i} has a band gap of {v} eV.", "section": "Results"}]})
             for i, v in enumerate(values)]
    path = folder / "shard.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(db: Path) -> tuple[dict[str, str], set[str], list[float]]:
    documents = dict(query(db, "SELECT id, source FROM documents"))
    records = {r for (r,) in query(db, "SELECT record_id FROM records")}
    values = sorted(v for (v,) in query(db, "SELECT json_extract(body, '$.value') FROM record_bodies"))
    return documents, records, values


def test_an_edited_file_replaces_its_old_version_whatever_the_working_directory(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Films\n\nTiO2 has a band gap of 3.2 eV. ZnO has a band gap of 3.37 eV.\n")
    (corpus / "b.txt").write_text("Nitrides\n\nGaN has a band gap of 3.4 eV.\n")
    shard(corpus, ["1.1", "1.2", "1.3"])
    db = tmp_path / "c.db"
    assert textmine("--db", str(db), "-q", "run", "corpus", cwd=tmp_path).returncode == 0
    docs1, records1, values1 = stored(db)
    assert len(docs1) == 5 and values1 == [1.1, 1.2, 1.3, 3.2, 3.37, 3.4]

    (corpus / "a.txt").write_text("Films\n\nTiO2 has a band gap of 3.1 eV. ZnO has a band gap of 3.37 eV.\n")
    shard(corpus, ["1.1", "1.25", "1.3"])  # one paper of the shard edited
    proc = textmine("--db", str(db), "-q", "run", ".", cwd=corpus)  # another working directory
    assert proc.returncode == 0 and "2 documents processed, 3 unchanged skipped" in proc.stderr
    docs2, records2, values2 = stored(db)
    assert values2 == [1.1, 1.25, 1.3, 3.1, 3.37, 3.4]  # no duplicate, no stale value
    assert len(docs2) == 5 and len(records2) == 6
    kept = set(docs1) & set(docs2)  # unchanged inputs keep their ids: b.txt and two papers of the shard
    assert len(kept) == 3 and sum(docs1[d].endswith("b.txt") for d in kept) == 1
    assert all(s.startswith(str(corpus) + os.sep) for s in docs2.values())  # absolute, cwd-independent

    # the same ids whatever the order of work and the number of workers
    proc = textmine("--db", str(db), "-q", "run", "--reprocess", "-j", "2", str(corpus), cwd=ROOT)
    assert proc.returncode == 0
    assert stored(db)[:2] == (docs2, records2)


@pytest.mark.parametrize("moved_to", ["a.txt", "c.txt"])  # read before, or after, the file it came from
def test_content_moved_to_another_file_is_kept(tmp_path, moved_to):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    first = "Films\n\nTiO2 has a band gap of 3.2 eV.\n"
    (corpus / "b.txt").write_text(first)
    db = tmp_path / "c.db"
    assert textmine("--db", str(db), "-q", "run", str(corpus), cwd=tmp_path).returncode == 0
    (corpus / "b.txt").write_text("Films\n\nTiO2 has a band gap of 3.1 eV.\n")
    (corpus / moved_to).write_text(first)  # b's old text now lives in another file
    assert textmine("--db", str(db), "-q", "run", str(corpus), cwd=tmp_path).returncode == 0
    assert stored(db)[2] == [3.1, 3.2]  # b's new text, and its old text that another file still gives
    assert len(stored(db)[0]) == 2


# --- item 12: files that failed before and did not change -------------------------------------------------


def test_unchanged_failed_files_are_not_read_again_unless_asked(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Films\n\nTiO2 has a band gap of 3.2 eV.\n")
    (corpus / "empty.txt").write_bytes(b"")
    H.s2orc_shard(corpus, good=3, bad_line=2)  # a file with good papers and one failure
    db = tmp_path / "c.db"
    proc = textmine("--db", str(db), "run", str(corpus), cwd=tmp_path)
    assert proc.returncode == 1 and "2 failures" in proc.stderr and "empty file" in proc.stderr
    fingerprints = query(db, "SELECT source, fingerprint FROM failures")
    assert len(fingerprints) == 2 and all(f for _, f in fingerprints)

    proc = textmine("--db", str(db), "run", str(corpus), cwd=tmp_path)
    assert proc.returncode == 1  # still not stored: the exit status says so
    assert "0 documents processed, 1 unchanged skipped" in proc.stderr and "2 failures" in proc.stderr
    assert "2 files that failed before and did not change since not read again" in proc.stderr
    assert "empty file" not in proc.stderr  # the table is not printed again
    assert query(db, "SELECT source, fingerprint FROM failures") == fingerprints

    proc = textmine("--db", str(db), "-q", "run", "--retry-failed", str(corpus), cwd=tmp_path)
    assert proc.returncode == 1 and "not read again" not in proc.stderr
    assert "4 unchanged skipped" in proc.stderr and "2 failures" in proc.stderr  # read again: good.txt, 3 papers

    (corpus / "empty.txt").write_text("Oxides\n\nZnO has a band gap of 3.37 eV.\n")  # fixed: read again
    proc = textmine("--db", str(db), "-q", "run", str(corpus), cwd=tmp_path)
    assert "1 documents processed" in proc.stderr and "1 failures" in proc.stderr
    assert "1 file that failed before" in proc.stderr
    assert [s for (s,) in query(db, "SELECT source FROM failures")] == [f"{corpus / 'shard.jsonl'}#2"]


# --- item 11: Elasticsearch goes down mid-run --------------------------------------------------------------


@pytest.mark.es
def test_elasticsearch_down_mid_run_is_one_line_and_a_rerun_finishes(tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "store"))
    from es_support import Proxy, drop_prefix, require_es, unique_prefix

    es_url = require_es()
    corpus = band_gap_corpus(tmp_path / "c", n=400)
    prefix = unique_prefix("rerun")
    env = {"TEXTMINE_ES_PREFIX": prefix, "TEXTMINE_ES_RETRY_DEADLINE": "2"}
    proxy = Proxy(int(es_url.rsplit(":", 1)[1]))
    try:
        environment = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **env}
        run = subprocess.Popen([sys.executable, "-m", "textmine.cli", *with_rules(["--store", f"es://127.0.0.1:{proxy.port}", "-q",
                                "run", str(corpus)])], cwd=tmp_path, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while run.poll() is None and time.monotonic() < deadline and not _count(es_url, f"{prefix}-documents", complete=True):
            time.sleep(0.05)
        proxy.stop()  # the node goes away after the first batch, with three more to write
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 1, stderr
        assert "Traceback" not in stdout + stderr
        lines = [x for x in stderr.splitlines() if x.strip()]
        assert all(x.startswith("Elasticsearch call failed") for x in lines[:-1]), stderr  # the retries, logged
        line = lines[-1]  # then one line that says what happened and what to do
        assert line.startswith("Error: the store stopped answering mid-run; the documents stored before that are kept")
        assert "Elasticsearch at" in line and "is not answering" in line and "es.sh start" in line
        written = _count(es_url, f"{prefix}-documents", complete=True)
        assert 0 < written < 400

        proc = textmine("--store", es_url.replace("http://", "es://"), "-q", "run", str(corpus), cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        assert f"{400 - written} documents processed, {written} unchanged skipped" in proc.stderr
        assert _count(es_url, f"{prefix}-documents", complete=True) == 400
    finally:
        proxy.stop()
        drop_prefix(es_url, prefix)


def _count(es_url: str, index: str, complete: bool = False) -> int:
    body = json.dumps({"query": {"term": {"complete": True}}} if complete else {"query": {"match_all": {}}}).encode()
    request = urllib.request.Request(f"{es_url}/{index}/_count", data=body, headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(urllib.request.Request(f"{es_url}/{index}/_refresh", method="POST"), timeout=10).read()
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["count"]
    except urllib.error.HTTPError:
        return 0  # the index does not exist yet
