"""The job table is part of the SQLite store's schema: a new store has it, `textmine migrate` adds it
to a v1 file and to a v2 file made before it existed, and read-only commands (`textmine jobs`)
never add it (the file stays byte for byte as it was). No cluster needed."""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cluster_support import ROOT

from textmine.cli import main
from textmine.store.jobs import InputRef, Job, Shard, now, open_job_table
from textmine.store.sqlite import SCHEMA_VERSION, SQLiteStore

sys.path.insert(0, str(ROOT / "tests" / "store"))

JOB_TABLES = {"jobs", "job_shards", "job_quarantine"}


def tables(path: Path) -> set[str]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
    finally:
        db.close()


def drop_job_tables(path: Path) -> None:
    """What a store written before the job table existed looks like."""
    db = sqlite3.connect(path, isolation_level=None)
    for name in JOB_TABLES:
        db.execute(f"DROP TABLE {name}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def corpus():
    from es_support import build_corpus

    return list(build_corpus(n_docs=6))


def test_a_new_store_has_the_job_table(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "new.db").close()
    assert JOB_TABLES <= tables(tmp_path / "new.db")
    result = CliRunner().invoke(main, ["jobs", "--db", str(tmp_path / "new.db")])
    assert result.exit_code == 0, result.output
    assert "no jobs in this store" in result.output


def test_migrate_gives_a_v1_file_the_job_table(tmp_path: Path, corpus) -> None:
    from sqlite_v1 import write_v1

    v1 = write_v1(tmp_path / "v1.db", corpus)
    drop_job_tables(v1)  # textmine 0.1 had none
    assert not JOB_TABLES & tables(v1)
    result = CliRunner().invoke(main, ["--db", str(v1), "migrate"])
    assert result.exit_code == 0, result.output
    assert JOB_TABLES <= tables(v1)
    with SQLiteStore(v1, readonly=True) as store:
        assert store._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        table = open_job_table(store)
        assert table.jobs() == []
        table.close()


def test_a_v2_store_without_the_job_table_gets_it_when_opened_for_writing(tmp_path: Path, corpus) -> None:
    path = tmp_path / "v2.db"
    with SQLiteStore(path) as store:
        store.put_many(corpus)
    drop_job_tables(path)
    before = digest(path)
    # read-only: `textmine jobs` lists nothing and writes nothing
    for args in (["jobs"], ["jobs", "--json"]):
        result = CliRunner().invoke(main, [*args, "--db", str(path)])
        assert result.exit_code == 0, result.output
    assert "[]" in result.output
    result = CliRunner().invoke(main, ["jobs", "show", "2024", "--db", str(path)])
    assert result.exit_code == 2 and "no job '2024' in this store" in result.output
    assert digest(path) == before and not JOB_TABLES & tables(path)
    # writable (`textmine migrate`, or the store a job writes to): the tables are added, nothing else changes
    result = CliRunner().invoke(main, ["--db", str(path), "migrate"])
    assert result.exit_code == 0, result.output
    assert JOB_TABLES <= tables(path)
    with SQLiteStore(path) as store:
        assert store.stats().documents == 6
        table = open_job_table(store)
        job = Job(id="20240101-000000-aaaa", created_at=now(), updated_at=now(), store=str(path), pipeline={},
                  provenance="p")
        table.create(job, [Shard(job_id=job.id, shard=0, inputs=[InputRef(uri="/a", source="a")])])
        table.close()
    with SQLiteStore(path, readonly=True) as store:
        table = open_job_table(store)
        assert [j.id for j in table.jobs()] == [job.id] and len(table.shards(job.id)) == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            table.update_job(job)  # a read-only table never writes
        table.close()
