"""Jobs on a real Dask scheduler with two worker processes on loopback, compared with a plain
`textmine run` of the same corpus: the same records (ids and content), documents and counts, into
SQLite (one writer) and into Elasticsearch (workers write). And the faults: a worker killed with
SIGKILL in the middle of a job, the client killed and the job resumed, a document that kills every
worker that touches it."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_support import (
    DEMO,
    PIPELINE,
    ROOT,
    TEXTMINE,
    assert_same_store,
    chaos_pipeline,
    dump,
    env,
    jobs_json,
    make_corpus,
    plain_run,
    require_dask,
    textmine,
    wait_until,
)

sys.path.insert(0, str(ROOT / "tests" / "store"))
from es_support import drop_prefix, require_es, unique_prefix  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def standard(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The demo corpus and 40 generated papers, and what a plain `textmine run` stores of them
    (shared by the SQLite and the Elasticsearch job tests: one plain run)."""
    tmp = tmp_path_factory.mktemp("standard")
    corpus = make_corpus(tmp / "corpus")
    return corpus, plain_run(tmp, corpus)


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """A corpus, a pipeline that sleeps 0.25 s per document (a job lasts long enough to kill
    something in its middle) and the plain run of the two (shared by both fault tests)."""
    tmp = tmp_path_factory.mktemp("slow")
    corpus = make_corpus(tmp / "corpus", papers=30)
    pipeline = chaos_pipeline(tmp / "slow.toml", sleep=0.25)
    return corpus, pipeline, plain_run(tmp, corpus, "--pipeline", str(pipeline))


def _job(store_flag: list[str], cluster: str, *inputs: Path | str, options: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    options = options if "--pipeline" in options else (*PIPELINE, *options)
    result = textmine(*store_flag, "run", "--cluster", cluster, "--shard-size", "4", *options, *map(str, inputs))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr  # 1: the corpus has files that cannot be read, as for a plain run
    return result


def test_job_into_sqlite_on_two_loopback_workers_matches_a_plain_run(tmp_path: Path, loopback, standard) -> None:
    corpus, plain = standard
    db = tmp_path / "job.db"
    result = _job(["--db", str(db)], loopback.address, corpus)
    assert "Dask dashboard: http://127.0.0.1:" in result.stderr
    assert_same_store(dump(str(db)), plain)
    assert dump(str(db))["failures"] == plain["failures"]

    [listed] = jobs_json(str(db))
    assert listed["state"] == "done" and listed["shards"]["done"] == listed["shards"]["total"] >= 10
    shown = jobs_json(str(db), "show", listed["id"])
    assert len(shown["workers"]) == 2, "both workers took shards"
    assert shown["documents"] == len(plain["documents"])
    # the job table recorded the sha256 of every input as the workers read it
    from textmine.store.jobs_sqlite import SQLiteJobTable

    shards = SQLiteJobTable(db).shards(listed["id"])
    hashes = {source: digest for s in shards for source, digest in s.input_hashes.items()}
    sample = corpus / "generated_007.txt"
    assert hashes[str(sample)] == hashlib.sha256(sample.read_bytes()).hexdigest()
    assert all(s.attempts == 1 and s.worker for s in shards)

    # the model is built once per worker process, not once per shard
    client = loopback.client()
    try:
        loads = client.run(lambda: __import__("textmine.cluster.worker", fromlist=["LOADS"]).LOADS["pipelines"])
    finally:
        client.close()
    assert sorted(loads.values()) == [1, 1]

    # run again: every document is stored unchanged, so all are skipped, nothing is rewritten
    again = _job(["--db", str(db)], loopback.address, corpus)
    assert f"0 documents processed, {len(plain['documents'])} unchanged skipped" in again.stderr
    assert_same_store(dump(str(db)), plain)


def test_job_on_a_local_cluster_matches_a_plain_run(tmp_path: Path) -> None:
    require_dask()
    corpus = make_corpus(tmp_path / "corpus", papers=4)
    plain = plain_run(tmp_path, corpus)
    db = tmp_path / "local.db"
    _job(["--db", str(db)], "local:2", corpus)
    assert_same_store(dump(str(db)), plain)


def test_job_into_elasticsearch_workers_write_directly_and_match_a_plain_run(tmp_path: Path, loopback, standard) -> None:
    url = require_es()
    corpus, plain = standard
    prefix = unique_prefix("cluster")
    store = url.replace("http://", "es://") + "/" + prefix
    try:
        result = _job(["--store", store], loopback.address, corpus)
        assert "direct writes" in result.stderr
        job = dump(store)
        assert_same_store(job, plain)
        assert job["failures"] == plain["failures"]
        [listed] = jobs_json(store)
        assert listed["state"] == "done" and listed["documents"] == len(plain["documents"])
    finally:
        drop_prefix(url, prefix)


def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(tmp_path: Path, loopback, slow) -> None:
    corpus, slow, plain = slow
    db = tmp_path / "job.db"
    job = subprocess.Popen([*TEXTMINE, "--db", str(db), "-q", "run", "--cluster", loopback.address, "--shard-size", "3",
                            "--pipeline", str(slow), str(corpus)], env=env(), cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: _done_shards(db) >= 2, timeout=300)
        killed, lost = loopback.kill_worker("w1")  # SIGKILL, in the middle of a shard (each sleeps 0.75 s alone)
        _, stderr = job.communicate(timeout=600)
    finally:
        if job.poll() is None:
            job.kill()
    assert job.returncode in (0, 1) and "Traceback" not in stderr, stderr
    assert loopback.workers["w1"].wait(timeout=30) == -signal.SIGKILL
    assert_same_store(dump(str(db)), plain)
    [listed] = jobs_json(str(db))
    assert listed["state"] == "done" and listed["shards"]["done"] == listed["shards"]["total"]
    # the shard w1 was running when it died was done again, by the worker left
    assert lost, "w1 was running no shard when it was killed"
    redone = int(lost[0].split("-")[-2])
    from textmine.store.jobs_sqlite import SQLiteJobTable

    shard = SQLiteJobTable(db).shards(listed["id"])[redone]
    assert shard.state.value == "done" and shard.worker and shard.worker != killed


def test_a_killed_client_and_jobs_resume_lose_and_duplicate_nothing(tmp_path: Path, loopback, slow) -> None:
    corpus, slow, plain = slow
    db = tmp_path / "job.db"
    job = subprocess.Popen([*TEXTMINE, "--db", str(db), "-q", "run", "--cluster", loopback.address, "--shard-size", "3",
                            "--pipeline", str(slow), str(corpus)], env=env(), cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: _done_shards(db) >= 3, timeout=300)
        os.kill(job.pid, signal.SIGKILL)
        assert job.wait(timeout=30) == -signal.SIGKILL
    finally:
        if job.poll() is None:
            job.kill()
    [killed] = jobs_json(str(db))
    assert killed["state"] == "running" and 3 <= killed["shards"]["done"] < killed["shards"]["total"]
    resumed = textmine("--db", str(db), "jobs", "resume", killed["id"][:15])
    assert resumed.returncode in (0, 1) and "Traceback" not in resumed.stderr, resumed.stderr
    assert_same_store(dump(str(db)), plain)
    [finished] = jobs_json(str(db))
    assert finished["state"] == "done" and finished["shards"]["done"] == finished["shards"]["total"]
    again = textmine("--db", str(db), "jobs", "resume", killed["id"])
    assert again.returncode == 0 and "nothing to resume" in again.stderr


def test_a_document_that_kills_its_worker_is_quarantined_not_the_shard(tmp_path: Path) -> None:
    from cluster_support import LoopbackCluster

    require_dask()
    marker = "POISON-DOCUMENT-7f3a"
    corpus = make_corpus(tmp_path / "corpus", papers=6, poison=marker)
    chaos = chaos_pipeline(tmp_path / "chaos.toml", kill_marker=marker)
    clean = tmp_path / "clean"
    clean.mkdir()
    for path in corpus.iterdir():
        if path.name != "poison_paper.txt":
            (clean / path.name).write_bytes(path.read_bytes())
    plain = plain_run(tmp_path, clean, "--pipeline", str(chaos))
    cluster = LoopbackCluster(tmp_path, nanny=True).start(2)  # nannies restart the killed workers
    try:
        db = tmp_path / "job.db"
        result = _job(["--db", str(db)], cluster.address, corpus, options=("--pipeline", str(chaos)))
    finally:
        cluster.stop()
    assert result.returncode == 1 and "1 documents quarantined" in result.stderr, result.stderr
    job = dump(str(db))
    poison_source = str(corpus / "poison_paper.txt")
    kept = [d for d in job["documents"] if d[2] != poison_source]
    assert kept == [(i, h, s.replace(str(clean), str(corpus)), p) for i, h, s, p in plain["documents"]]
    assert job["records"] == [(i, body.replace(str(clean), str(corpus))) for i, body in plain["records"]]
    assert (poison_source, "extract") in {(s, st) for s, st, _ in job["failures"]}
    [listed] = jobs_json(str(db))
    shown = jobs_json(str(db), "show", listed["id"])
    [quarantined] = shown["quarantined"]
    assert quarantined["source"] == poison_source and "worker died" in quarantined["reason"]
    assert listed["shards"]["done"] == listed["shards"]["total"]


def _done_shards(db: Path) -> int:
    if not db.exists():
        return 0
    import sqlite3

    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM job_shards WHERE state = 'done'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # the table is not there yet


def test_raw_payloads_and_a_manifest_as_inputs_match_a_plain_run_of_the_same_files(tmp_path: Path, shared_data: Path) -> None:
    from textmine.sources.rawstore import RawStore

    require_dask()
    raw = RawStore(tmp_path / "harvest" / "raw")
    payloads = sorted((shared_data / "docs" / "arxiv_atom").glob("search_query=*.xml"))
    payloads += sorted((shared_data / "docs" / "crossref_json").glob("*.json"))[:2]
    assert payloads, "no harvested payloads in the shared data"
    digests = [raw.put(p.read_bytes(), source="test", url=f"https://example.org/{p.name}") for p in payloads]
    raw.put(payloads[0].read_bytes(), source="test", url="https://example.org/again")  # fetched twice, read once
    manifest = tmp_path / "batch.manifest"
    manifest.write_text("# two demo papers\n" + "\n".join(str(p) for p in sorted(DEMO.glob("*.txt"))[:2]) + "\n", encoding="utf-8")
    plain_files = [str(raw.path_for(d)) for d in digests] + [str(p) for p in sorted(DEMO.glob("*.txt"))[:2]]
    plain_db = tmp_path / "plain.db"
    result = textmine("--db", str(plain_db), "run", *PIPELINE, *plain_files)
    assert result.returncode in (0, 1), result.stderr
    processed = int(re.search(r"(\d+) documents processed", result.stderr).group(1))
    plain = dump(str(plain_db))
    db = tmp_path / "job.db"
    _job(["--db", str(db)], "local:1", tmp_path / "harvest" / "raw", str(manifest))
    assert_same_store(dump(str(db)), plain)
    [listed] = jobs_json(str(db))
    # a paper in two payloads is written twice (the last wins), by the job as by the plain run
    assert listed["documents"] == processed >= len(plain["documents"]) and listed["shards"]["total"] == 2
