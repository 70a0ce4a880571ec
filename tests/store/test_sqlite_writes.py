"""Batched writes keep the file exact: rows of a batch go in as multi-row statements (the FTS
triggers fire inside them), a re-put or a repeat inside one batch replaces, deletes remove from FTS,
and a row written by another program is still indexed by the triggers."""

from __future__ import annotations

import sqlite3

import pytest
from es_support import synthetic_corpus

from textmine.store import sqlite as sqlite_store
from textmine.store.base import Query
from textmine.store.sqlite import SQLiteStore


def _fts_matches_rows(db: sqlite3.Connection) -> None:
    """FTS5's own check of both indexes against their content tables, then word and element
    counts from FTS equal to counts from the rows."""
    db.execute("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')")
    db.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")
    for word in ("band", "curie", "gap"):
        fts = db.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH ?", (f'words:"{word}"',)).fetchone()[0]
        rows = db.execute("SELECT count(*) FROM records WHERE instr(words, ?) > 0", (f" {word} ",)).fetchone()[0]
        assert fts == rows > 0
        fts = db.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH ?", (word,)).fetchone()[0]
        rows = db.execute("SELECT count(*) FROM sentences WHERE instr(lower(text), ?) > 0", (word,)).fetchone()[0]
        assert fts == rows > 0
    for element in ("O", "Fe"):
        fts = db.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH ?", (f'elements:"{element.lower()}"',)).fetchone()[0]
        rows = db.execute("SELECT count(*) FROM records WHERE instr(elements, ?) > 0", (f" {element} ",)).fetchone()[0]
        assert fts == rows > 0


@pytest.fixture()
def small_chunks(monkeypatch):
    monkeypatch.setattr(sqlite_store, "ROWS_PER_INSERT", 7)  # many chunks, and a short last one


@pytest.mark.parametrize("chunks", ["default", "small"])
def test_batches_replace_repeat_and_delete_exactly(tmp_path, request, chunks):
    if chunks == "small":
        request.getfixturevalue("small_chunks")
    corpus = list(synthetic_corpus(300))  # 1,200 records: more than one statement of 500 rows
    other = list(synthetic_corpus(300, seed=12))
    with SQLiteStore(tmp_path / "w.db") as store:
        assert store.put_many(corpus, batch_size=120) == 300
        _fts_matches_rows(store._db)
        # A batch that re-puts documents with other records, and holds one document twice: the last wins.
        replaced = [(doc, o_records[:2], []) for (doc, _, _), (_, o_records, _) in zip(corpus[:50], other[:50])]
        replaced = [(d, [r.model_copy(update={"doc_id": d.id}) for r in rs], m) for d, rs, m in replaced]
        repeat = corpus[60]
        store.put_many([*replaced, (repeat[0], repeat[1][:1], []), *corpus[100:110], repeat])
        stats = store.stats()
        assert stats.documents == 300
        assert stats.records == 1200 - 50 * 2
        assert stats.mentions == 1200 - 50 * 4
        assert len(list(store.iter_records(Query(doc_id=repeat[0].id)))) == len(repeat[1])
        _fts_matches_rows(store._db)
        assert store.delete_documents([d.id for d, _, _ in corpus[200:]]) == 100
        assert store.stats().records == 1200 - 50 * 2 - 100 * 4
        _fts_matches_rows(store._db)
        # A re-run of everything gives back the first state.
        store.put_many(corpus, batch_size=64)
        assert store.stats().records == 1200
        _fts_matches_rows(store._db)
        expected = sum(1 for _, records, _ in corpus for r in records if "band gap" in r.sentence.lower())
        assert store.search(Query(text="band gap")).total == expected


def test_rows_written_by_another_program_are_indexed(tmp_path):
    """The FTS insert triggers are kept: a writer that is not textmine's stays exact too."""
    path = tmp_path / "x.db"
    with SQLiteStore(path) as store:
        store.put_many(synthetic_corpus(5))
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("INSERT INTO records(record_id, doc_id, property, material, confidence, extractor, n_elements, elements, words)"
               " VALUES ('x1', 'elsewhere', 'band_gap', 'Xe', 0.5, 'other', 1, ' Xe ', ' zebra gap ')")
    db.execute("INSERT INTO sentences(doc_id, char_start, char_end, text) VALUES ('elsewhere', 0, 9, 'zebra gap')")
    db.execute("INSERT INTO record_bodies SELECT rowid, '{}' FROM records WHERE record_id = 'x1'")
    assert db.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH 'zebra'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH 'elements:xe'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH 'zebra'").fetchone()[0] == 1
    db.execute("DELETE FROM records WHERE record_id = 'x1'")
    db.execute("DELETE FROM sentences WHERE doc_id = 'elsewhere'")
    _fts_matches_rows(db)
    assert db.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH 'zebra'").fetchone()[0] == 0
    db.close()
