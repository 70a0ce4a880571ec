"""The facet columns in memory (`sqlite_mirror.py`) answer exactly as SQL does, are used only while
they hold the file as it is, and follow writes by this store or by another connection. The
reference is brute force over every stored record (`test_sqlite_plans.check`)."""

from __future__ import annotations

import datetime as dt

import pytest
from es_support import synthetic_corpus
from test_sqlite_plans import QUERIES, brute_force, check, expected_facets

from textmine.document import Document, Paragraph, Section, Sentence
from textmine.records import Material, Record
from textmine.store import sqlite_mirror
from textmine.store import sqlite_search as search
from textmine.store.base import Query
from textmine.store.sqlite import SQLiteStore

FACET_QUERIES = [q for q in QUERIES if q.facets] + [
    Query(facets=["year", "kind", "property", "formula", "elements", "extractor"]),
    Query(property="band_gap", value_min=1, value_max=3, facets=["formula", "extractor"]),
    Query(text="Curie temperature", min_confidence=0.8, facets=["year", "elements"]),  # checks on the row
    Query(text="no-such-word-anywhere", facets=["elements", "year"]),  # no hits
]


@pytest.fixture
def used(monkeypatch):
    """How many facet answers came from the mirror."""
    calls = []
    real = sqlite_mirror.FacetMirror.counts

    def counting(self, rowids, names):
        calls.append(len(rowids))
        return real(self, rowids, names)

    monkeypatch.setattr(sqlite_mirror.FacetMirror, "counts", counting)
    return calls


def odd_document(n: int, *, year: int | None, formula: str, elements: list[str], prop: str = "band_gap") -> tuple:
    line = f"The band gap of {formula} is 1.{n} eV."
    record = Record(
        doc_id=f"odd:{n}", material=Material(text=formula, formula=formula, elements=elements), property=prop,
        value=1 + n / 10, unit="eV", sentence=line, char_start=0, char_end=len(line), confidence=0.95, extractor="rules@0.1.0",
    )
    document = Document(
        id=f"odd:{n}", source=f"odd/{n}", kind="paper", date=dt.date(year, 1, 1) if year else None, text=line,
        sections=[Section(title="Results", paragraphs=[Paragraph(start=0, end=len(line), sentences=[Sentence(start=0, end=len(line))])])],
        content_hash=f"odd-{n}", extractor="rules@0.1.0",
    )
    return document, [record], []


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = SQLiteStore(tmp_path_factory.mktemp("mirror") / "m.db")
    s.put_many(synthetic_corpus(600))
    s.put_many([odd_document(0, year=None, formula="Fe\x1fO", elements=["Fe", "O"]),  # no year; the separator in a value
                odd_document(1, year=1999, formula="TiO2", elements=["O", "Ti"], prop="curie_temperature")])
    yield s
    s.close()


@pytest.mark.parametrize("query", FACET_QUERIES, ids=[str(i) for i in range(len(FACET_QUERIES))])
def test_the_mirror_answers_as_sql(store, query, used, monkeypatch):
    store.warm_facets(wait=True)
    check(store, query)
    assert used, "the mirror did not answer"
    monkeypatch.setenv("TEXTMINE_FACET_MIRROR", "0")
    used.clear()
    check(store, query)
    assert not used


def test_the_mirror_follows_writes_of_this_store_and_of_others(tmp_path, used):
    path = tmp_path / "w.db"
    writer = SQLiteStore(path)
    writer.put_many(synthetic_corpus(200, seed=3))
    reader = SQLiteStore(path, readonly=True)
    query = Query(text="band gap", facets=["elements", "year", "formula"])
    for store in (writer, reader):
        store.warm_facets(wait=True)
        check(store, query)
    assert len(used) >= 2

    used.clear()
    writer.put_many(synthetic_corpus(50, seed=4))  # this store wrote: its mirror is stale
    for store in (writer, reader):  # the reader saw another connection commit
        first_answer(store, query)  # holds the new records: SQL answered
    assert not used

    # unchanged since the previous facet query: a build starts; once it is in, the mirror answers
    for store in (writer, reader):
        store.search(query)
        sqlite_mirror.MIRRORS.join(store._mirror_path)
        used.clear()
        check(store, query)
        assert used

    writer.delete_documents([f"synthetic:4:{n}" for n in range(50)])
    used.clear()
    for store in (writer, reader):
        first_answer(store, query)
    assert not used
    writer.close()
    reader.close()


def first_answer(store, query: Query) -> None:
    """The next answer (one search: no rebuild can come in between) equals brute force."""
    hits = brute_force(store, query)
    result = store.search(query)
    assert result.total == len(hits)
    assert [r.record_id for r in result.records] == [r.record_id for r in hits[: query.limit]]
    for name, buckets in expected_facets(store, hits, query.facets).items():
        assert [(f.value, f.count) for f in result.facets[name]] == [(str(v), n) for v, n in buckets]


def test_more_symbols_than_the_mirror_holds_are_counted_in_sql(tmp_path, used):
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        store.put_many(synthetic_corpus(50, seed=5))
        store.put_many([odd_document(2, year=2001, formula="X", elements=[f"Q{i}" for i in range(130)])])
        store.warm_facets(wait=True)
        mirror = sqlite_mirror.MIRRORS.get(store._mirror_path)
        assert mirror is not None and "elements" not in mirror.facets and "year" in mirror.facets
        query = Query(text="band gap", facets=["elements"])
        check(store, query)
        assert not used  # elements asked: SQL
        check(store, Query(text="band gap", facets=["year", "formula"]))
        assert used  # what the mirror holds it answers


def test_turned_off_nothing_is_built(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_FACET_MIRROR", "off")
    with SQLiteStore(tmp_path / "o.db") as store:
        store.put_many(synthetic_corpus(20, seed=6))
        store.warm_facets(wait=True)
        for _ in range(3):
            store.search(Query(facets=["year"]))
        assert sqlite_mirror.MIRRORS.get(store._mirror_path) is None
        assert store._mirror_path not in sqlite_mirror.MIRRORS._building


def test_handles_of_one_file_share_one_mirror_until_the_last_closes(tmp_path, used):
    path = tmp_path / "h.db"
    with SQLiteStore(path) as writer:
        writer.put_many(synthetic_corpus(60, seed=7))
    handles = [SQLiteStore(path, readonly=True) for _ in range(3)]  # a server opens one per thread
    assert handles[0].warm_facets(wait=True)
    shared = sqlite_mirror.MIRRORS.get(handles[0]._mirror_path)
    query = Query(text="band gap", facets=["year", "elements"])
    for handle in handles:
        used.clear()
        check(handle, query)
        assert used  # each handle answered from the one mirror
    assert sqlite_mirror.MIRRORS.get(handles[2]._mirror_path) is shared
    key = handles[0]._mirror_path
    for handle in handles[:2]:
        handle.close()
    assert sqlite_mirror.MIRRORS.get(key) is shared
    handles[2].close()
    assert sqlite_mirror.MIRRORS.get(key) is None


def test_a_write_between_the_version_and_the_hits_is_counted_by_sql(tmp_path, used, monkeypatch):
    """The file's version is read before and after the hits: a commit in between is seen, and SQL
    answers that query."""
    path = tmp_path / "r.db"
    writer = SQLiteStore(path)
    writer.put_many(synthetic_corpus(80, seed=8))
    reader = SQLiteStore(path, readonly=True)
    assert reader.warm_facets(wait=True)
    query = Query(text="band gap", facets=["year", "formula"])
    real = sqlite_mirror.hit_rowids

    def write_then_read(joined):
        monkeypatch.setattr(search, "hit_rowids", real)  # once
        writer.put_many(synthetic_corpus(30, seed=9))  # commits after the hits were read
        return real(joined)

    monkeypatch.setattr(search, "hit_rowids", write_then_read)
    result = reader.search(query)
    assert used  # the mirror counted first ...
    first_answer(reader, query)  # ... and the answer given is the file's as it is now
    hits = brute_force(reader, query)
    assert result.total == len(hits)
    writer.close()
    reader.close()


def test_a_server_builds_the_facet_columns_when_it_starts(tmp_path, used):
    """`textmine serve` warms the mirror in its lifespan: the first faceted search already uses it."""
    from fastapi.testclient import TestClient

    from textmine.api import create_app
    from textmine.api.settings import ApiSettings

    path = tmp_path / "api.db"
    with SQLiteStore(path) as writer:
        writer.put_many(synthetic_corpus(40, seed=10))
    app = create_app(ApiSettings(store_url=str(path), web=False))
    with TestClient(app) as client:
        key = str(path.resolve())
        sqlite_mirror.MIRRORS.join(key)
        assert sqlite_mirror.MIRRORS.get(key) is not None
        response = client.get("/v1/records", params={"q": "band gap", "facets": "year,elements"})
        assert response.status_code == 200, response.text
        assert used  # the first faceted search counted over the mirror
    assert sqlite_mirror.MIRRORS.get(key) is None  # the server closed its handles: memory back
