"""The SQLite file itself: read-only commands leave it as it was (issue 12, item 10), a file that is
not textmine's is refused untouched, and a v1 file (textmine 0.1) is upgraded in place."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from click.testing import CliRunner
from es_support import build_corpus, synthetic_corpus
from sqlite_v1 import write_v1

from textmine.normalise.material_id import material_id
from textmine.records import Record
from textmine.store import StoreUnavailable, open_store
from textmine.store.base import Query
from textmine.store.sqlite import SCHEMA_VERSION, SQLiteStore

QUESTIONS = [
    Query(facets=["property", "elements", "formula", "year", "kind", "extractor"]),
    Query(property="band_gap", value_min=1, value_max=2, unit="eV", facets=["elements", "formula"]),
    Query(text="band gap", include_elements=["O"], exclude_elements=["Sr"], facets=["year"]),
    Query(include_elements=["Fe", "O"], only_elements=True),
    Query(text="Curie temperature", property="curie_temperature", value_min=300, value_max=700, unit="K", min_confidence=0.7),
    Query(formula="GaAs", year_min=2015),
    Query(material="la0.7sr0.3mno3"),
]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def answers(store) -> list:
    out = []
    for q in QUESTIONS:
        r = store.search(q)
        out.append((r.total, [x.record_id for x in r.records], r.facets))
    return out


def foreign_db(path, journal="delete"):
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA journal_mode={journal}")
    db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO photos(name) VALUES ('cat.jpg')")
    db.commit()
    db.close()
    return path


def test_search_on_another_programs_database_changes_nothing(tmp_path):
    """Reproduction: `textmine search` on another program's SQLite file added a `meta` table and
    switched it to WAL. Now: refused in one line, the file byte for byte as it was."""
    path = foreign_db(tmp_path / "photos.db")
    before = digest(path)
    for readonly in (True, False):
        with pytest.raises(StoreUnavailable, match="is not a textmine database") as caught:
            open_store(path, readonly=readonly)
        assert "\n" not in str(caught.value)
    assert digest(path) == before
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in db.execute("SELECT name FROM sqlite_schema")] == ["photos"]


def test_read_only_commands_never_write_the_file(tmp_path):
    path = tmp_path / "t.db"
    with SQLiteStore(path) as store:
        store.put_many(synthetic_corpus(30))
    db = sqlite3.connect(path)  # as a user may get it: a copy without WAL
    db.execute("PRAGMA journal_mode=delete")
    db.close()
    before = digest(path)
    with SQLiteStore(path, readonly=True) as reader:
        assert answers(reader)[0][0] == 120  # facets use temp tables: in memory, not in the file
        list(reader.iter_records(Query(text="band gap")))
        reader.stats()
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader._db.execute("CREATE TABLE x (a)")
    assert digest(path) == before
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    # an empty file is not a textmine database to read; to write, it becomes one
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(StoreUnavailable, match="not a textmine database"):
        open_store(tmp_path / "empty.db", readonly=True)
    assert (tmp_path / "empty.db").read_bytes() == b""
    with open_store(tmp_path / "empty.db") as store:
        assert store.stats().records == 0


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    for readonly in (True, False):
        with pytest.raises(StoreUnavailable, match="newer textmine"):
            SQLiteStore(path, readonly=readonly)


@pytest.fixture(scope="module")
def corpus():
    return list(build_corpus())


def test_v1_file_upgrades_in_place_and_answers_as_a_new_one(tmp_path, corpus):
    v1 = write_v1(tmp_path / "v1.db", corpus)
    fresh = SQLiteStore(tmp_path / "fresh.db")
    fresh.put_many(corpus)
    # read-only: refused with the command that fixes it; the file untouched
    before = digest(v1)
    with pytest.raises(StoreUnavailable, match=rf"schema v1, this textmine reads v{SCHEMA_VERSION}: run `textmine --db .*v1.db migrate`"):
        open_store(v1, readonly=True)
    assert digest(v1) == before
    # for writing: upgraded in place, same answers as a store written by this version
    upgraded = SQLiteStore(v1)
    assert upgraded._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    assert upgraded.stats() == fresh.stats()
    assert answers(upgraded) == answers(fresh)
    fe2o3 = material_id("Fe2O3", "Fe2O3")
    assert upgraded.search(Query(material_id=fe2o3)).total == fresh.search(Query(material_id=fe2o3)).total > 0
    assert [r.record_id for r in upgraded.iter_records()] == [r.record_id for r in fresh.iter_records()]
    # bodies written before material_id get it when read
    body = upgraded._db.execute("SELECT body FROM record_bodies LIMIT 1").fetchone()[0]
    assert "material_id" not in body and Record.model_validate_json(body).material_id
    # and it keeps working as a store: re-put replaces, no duplicates
    upgraded.put_many(corpus[:5])
    assert upgraded.stats() == fresh.stats()
    upgraded.close()
    fresh.close()
    with SQLiteStore(v1, readonly=True) as reader:
        assert reader.stats().records == 151


def test_migrate_command_then_search(tmp_path, corpus):
    from textmine.cli import main

    v1 = write_v1(tmp_path / "v1.db", corpus)
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(v1), "migrate"])
    assert result.exit_code == 0, result.output
    assert "up to date (40 documents, 151 records)" in result.output
    result = runner.invoke(main, ["--db", str(v1), "search", "--property", "band_gap", "--json"])
    assert result.exit_code == 0, result.output
    assert '"total":' in result.output.replace(" ", "")
