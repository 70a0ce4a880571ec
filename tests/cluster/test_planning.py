"""Inputs into shards, the job table in SQLite (and Elasticsearch), job status arithmetic, and
`--cluster` without Dask installed. No cluster needed."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_support import DEMO, ROOT, env

from textmine.cluster.inputs import InputError, expand_inputs, plan_shards
from textmine.store.jobs import InputRef, Job, JobState, Quarantined, Shard, ShardState, match_job, new_job_id, now
from textmine.store.jobs_sqlite import SQLiteJobTable

sys.path.insert(0, str(ROOT / "tests" / "store"))


def test_paths_expand_as_a_plain_run_walks_them(tmp_path: Path) -> None:
    from textmine.readers import iter_paths

    refs = list(expand_inputs([str(DEMO)]))
    assert [r.source for r in refs] == [str(p) for p in iter_paths([DEMO])]
    assert all(Path(r.uri).is_absolute() and Path(r.uri).is_file() for r in refs)
    assert "README.md" not in {Path(r.source).name for r in refs}


def test_a_raw_store_gives_each_payload_once(tmp_path: Path) -> None:
    from textmine.sources.rawstore import RawStore

    raw = RawStore(tmp_path / "raw")
    first = raw.put(b"<feed>one</feed>", source="arxiv", url="https://example.org/1")
    raw.put(b"<feed>one</feed>", source="arxiv", url="https://example.org/1?again")
    second = raw.put(b"{}", source="crossref", url="https://example.org/2")
    refs = list(expand_inputs([str(tmp_path / "raw")]))
    assert [Path(r.uri).name for r in refs] == [first, second]
    assert refs[0].source == str(raw.path_for(first)) and refs[0].size == len(b"<feed>one</feed>")


def test_a_manifest_lists_paths_and_uris(tmp_path: Path) -> None:
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "a.txt").write_text("A", encoding="utf-8")
    manifest = tmp_path / "batch.manifest"
    manifest.write_text(
        "# the first batch\n\npapers/a.txt\n"
        f"file://{tmp_path / 'papers' / 'a.txt'}\n"
        "s3://bucket/paper.xml\n"
        "papers/missing.txt\n",
        encoding="utf-8",
    )
    refs = list(expand_inputs([str(manifest)]))
    assert [r.uri for r in refs] == [str(tmp_path / "papers" / "a.txt")] * 2 + ["s3://bucket/paper.xml",
                                                                                  str(tmp_path / "papers" / "missing.txt")]
    assert refs[3].size is None  # the worker reports it as a read failure, as a plain run does
    (tmp_path / "folder.uris").write_text("papers\n", encoding="utf-8")
    with pytest.raises(InputError, match="folder.uris:1: papers is a folder"):
        list(expand_inputs([str(tmp_path / "folder.uris")]))


def test_shards_are_bounded_by_files_and_bytes() -> None:
    refs = [InputRef(uri=f"/x/{i}", source=f"x/{i}", size=10) for i in range(10)]
    assert [len(s) for s in plan_shards(refs, max_files=4)] == [4, 4, 2]
    assert [len(s) for s in plan_shards(refs, max_files=100, max_bytes=25)] == [2, 2, 2, 2, 2]
    huge = [InputRef(uri="/big", source="big", size=10**9), *refs[:2]]
    assert [len(s) for s in plan_shards(huge, max_files=4, max_bytes=100)] == [1, 2]


def _job(job_id: str, created: dt.datetime) -> Job:
    return Job(id=job_id, created_at=created, updated_at=created, store="sqlite:///x.db", pipeline={"config": {}},
               provenance="rules@1#abc", n_shards=3)


def test_the_sqlite_job_table_keeps_jobs_shards_and_quarantine(tmp_path: Path) -> None:
    from textmine.store.sqlite import SQLiteStore

    db = tmp_path / "jobs.db"
    SQLiteStore(db).close()  # the table lives in the store's file, beside the records
    table = SQLiteJobTable(db)
    older, newer = _job("20240101-000000-aaaa", now() - dt.timedelta(hours=1)), _job("20240101-000001-bbbb", now())
    refs = [InputRef(uri="/a", source="a", size=1)]
    table.create(older, [Shard(job_id=older.id, shard=i, inputs=refs) for i in range(3)])
    table.create(newer, [Shard(job_id=newer.id, shard=0, inputs=refs)])
    assert [j.id for j in table.jobs()] == [newer.id, older.id]
    assert table.job("20240101-000000").id == older.id
    with pytest.raises(ValueError, match="ambiguous"):
        table.job("20240101-00000")
    assert table.job("nope") is None
    shard = table.shards(older.id)[1]
    shard.state, shard.attempts, shard.input_hashes = ShardState.DONE, 2, {"a": "f" * 64}
    table.put_shards([shard])
    again = SQLiteJobTable(db)  # durable: another connection sees it
    assert [s.state for s in again.shards(older.id)] == [ShardState.PENDING, ShardState.DONE, ShardState.PENDING]
    assert again.shards(older.id)[1].input_hashes == {"a": "f" * 64}
    older.state = JobState.DONE
    again.update_job(older)
    assert table.job(older.id).state == JobState.DONE
    entry = Quarantined(job_id=older.id, shard=1, doc="sha256:1", source="a", reason="worker died", at=now())
    table.quarantine(entry)
    table.quarantine(entry)  # idempotent
    assert table.quarantined(older.id) == [entry]


def test_the_elasticsearch_job_table_answers_as_sqlite(tmp_path: Path) -> None:
    from es_support import drop_prefix, require_es, unique_prefix

    url = require_es()
    from textmine.store.elasticsearch import ElasticsearchStore
    from textmine.store.jobs import open_job_table

    prefix = unique_prefix("jobs")
    try:
        store = ElasticsearchStore(url.replace("http://", "es://") + "/" + prefix)
        table = open_job_table(store)
        job = _job(new_job_id(), now())
        refs = [InputRef(uri="/a", source="a", size=1)]
        table.create(job, [Shard(job_id=job.id, shard=i, inputs=refs) for i in range(1500)])  # more than a page
        shards = table.shards(job.id)
        assert [s.shard for s in shards] == list(range(1500))
        shards[7].state = ShardState.FAILED
        table.put_shards([shards[7]])
        assert table.shards(job.id)[7].state == ShardState.FAILED
        assert table.job(job.id[:10]).id == job.id and [j.id for j in table.jobs()] == [job.id]
        entry = Quarantined(job_id=job.id, shard=7, doc="sha256:1", source="a", reason="worker died", at=now())
        table.quarantine(entry)
        assert table.quarantined(job.id) == [entry]
        store.close()
    finally:
        drop_prefix(url, prefix)


def test_status_gives_rate_eta_and_failures_by_reason(tmp_path: Path) -> None:
    from textmine.cluster.status import format_seconds, job_status

    table = SQLiteJobTable(tmp_path / "s.db")
    started = now() - dt.timedelta(seconds=100)
    job = _job(new_job_id(), started).model_copy(update={"n_shards": 4, "started_at": started, "active_seconds": 0.0})
    shards = [Shard(job_id=job.id, shard=i, inputs=[]) for i in range(4)]
    shards[0] = shards[0].model_copy(update={"state": ShardState.DONE, "documents": 150, "skipped": 50, "records": 9,
                                             "failures": 3, "worker": "tcp://w1", "failure_reasons": {"read: unknown format": 3}})
    shards[1] = shards[1].model_copy(update={"state": ShardState.RUNNING})
    table.create(job, shards)
    status = job_status(table, job)
    assert status.shards == {"pending": 2, "running": 1, "done": 1, "failed": 0}
    assert status.docs_per_second == pytest.approx(2.0, rel=0.05)
    assert status.eta_seconds == pytest.approx(300, rel=0.05)  # 3 shards left at 100 s a shard
    assert status.failure_reasons == {"read: unknown format": 3} and not status.stale
    assert format_seconds(3725) == "1h02m" and format_seconds(75) == "1m15s" and format_seconds(None) == "-"
    old = job.model_copy(update={"updated_at": now() - dt.timedelta(hours=1)})
    assert job_status(table, old).stale and job_status(table, old).eta_seconds is None


def test_failures_group_by_what_went_wrong() -> None:
    from textmine.cluster.driver import failure_key
    from textmine.records import Failure

    a = Failure(source="x/1.bin", stage="read", reason="unknown format for '1.bin' (no reader recognises it); supported: a, b")
    b = Failure(source="x/2.bin", stage="read", reason="unknown format for '2.bin' (closest: text at 0.10); supported: a, b")
    c = Failure(source="x/3.txt", stage="extract", reason="linker.rules@0.3.0: ValueError: bad span 3")
    assert failure_key(a) == failure_key(b) == "read: unknown format"
    assert failure_key(c) == "extract: linker.rules@0.3.0: ValueError"


def test_job_ids_sort_by_time_and_match_by_prefix() -> None:
    first, second = new_job_id(), new_job_id()
    assert len(first) == len("20250101-000000-abcd") and first[:15] <= second[:15]
    assert match_job(["a1", "b2"], "b") == "b2" and match_job(["a1"], "c") is None


def test_cluster_spec_forms() -> None:
    from textmine.cluster.connect import parse_spec

    assert parse_spec("local") == ("local", None) and parse_spec("local:3") == ("local", 3)
    assert parse_spec("tcp://10.0.0.1:8786") == ("address", None) and parse_spec("sched.json") == ("file", None)
    for bad in ("local:0", "local:x", "cluster"):
        with pytest.raises(ValueError, match="local, local:N, tcp://HOST:8786|local:N needs"):
            parse_spec(bad)


def test_without_dask_run_cluster_says_which_pip_install_fixes_it(tmp_path: Path) -> None:
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['distributed'] = None\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "textmine.cli", "--db", str(tmp_path / "x.db"), "run", "--cluster", "local:2", str(DEMO)],
        capture_output=True, text=True, env=env([blocker]), cwd=ROOT, timeout=300,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "pip install 'textmine[cluster]'" in result.stderr
    from textmine.store.sqlite import SQLiteStore

    SQLiteStore(tmp_path / "x.db").close()
    listed = subprocess.run([sys.executable, "-m", "textmine.cli", "--db", str(tmp_path / "x.db"), "jobs"],
                            capture_output=True, text=True, env=env([blocker]), cwd=ROOT, timeout=300)
    assert listed.returncode == 0 and "no jobs in this store" in listed.stderr  # listing needs no Dask


def test_input_hash_of_a_local_file_is_its_sha256(tmp_path: Path) -> None:
    from textmine.cluster.worker import read_input

    path = tmp_path / "paper.txt"
    path.write_text("Title\n\nThe band gap of ZnO is 3.3 eV.\n", encoding="utf-8")
    hashes: dict[str, str] = {}
    ref = InputRef(uri=str(path), source="relative/paper.txt", size=path.stat().st_size)
    [document] = list(read_input(ref, None, hashes))
    assert document.source == "relative/paper.txt"  # labelled as a plain run names it, read from the absolute path
    assert hashes == {"relative/paper.txt": hashlib.sha256(path.read_bytes()).hexdigest()}
    [failure] = list(read_input(InputRef(uri=str(tmp_path / "gone.txt"), source="gone.txt"), None, {}))
    assert failure.source == "gone.txt" and "no such file" in failure.reason
