"""The embedded store on a real SQLite file: idempotent writes, every query field, facets, export."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from textmine.document import DocumentBuilder
from textmine.records import Failure, Material, Mention, Record
from textmine.store import open_store
from textmine.store.base import Query
from textmine.store.sqlite import SQLiteStore

EV = 1.602176634e-19


def _doc(n: int, year: int, kind: str = "paper", sentences: list[str] | None = None):
    b = DocumentBuilder(source=f"doc{n}.txt", format="text", kind=kind)  # type: ignore[arg-type]
    b.title = f"Document {n}"
    b.date = dt.date(year, 1, 1)
    b.doi = f"10.1000/test.{n}"
    for s in sentences or [f"Sentence number {n} about band gaps."]:
        b.add_paragraph(s, section="Results")
    doc = b.build()
    from textmine.nlp import segment

    return segment(doc)


def _record(doc, formula: str, elements: list[str], prop: str, lo: float, hi: float | None = None, unit="eV", si=EV, conf=0.9):
    sentence = next(iter(doc.sentences()))[1]
    at = doc.text.find(formula)
    return Record(
        doc_id=doc.id,
        material=Material(text=formula, formula=formula, elements=elements, char_start=at, char_end=at + len(formula)),
        property=prop,
        value=lo if hi is None else None,
        value_min=lo if hi is not None else None,
        value_max=hi,
        unit=unit,
        value_si=lo * si if hi is None else None,
        value_min_si=lo * si,
        value_max_si=(hi if hi is not None else lo) * si,
        unit_si="J" if unit == "eV" else "K",
        sentence=doc.text[sentence.start : sentence.end],
        char_start=sentence.start,
        char_end=sentence.end,
        value_start=at + len(formula) + 1,
        confidence=conf,
        extractor="rules@test",
    )


@pytest.fixture()
def store(tmp_path):
    s = SQLiteStore(tmp_path / "t.db")
    docs = [
        _doc(1, 2018, sentences=["The band gap of TiO2 is 3.2 eV."]),
        _doc(2, 2020, sentences=["CoTiO3 shows a gap of 1.95 eV and NiTiO3 between 1.8 and 2.1 eV."]),
        _doc(3, 2021, sentences=["CdTe has a band gap of 1.5 eV."]),
        _doc(4, 2022, kind="patent", sentences=["La0.7Sr0.3MnO3 has a Curie temperature of 370 K."]),
    ]
    s.put(docs[0], [_record(docs[0], "TiO2", ["O", "Ti"], "band_gap", 3.2)])
    s.put(docs[1], [_record(docs[1], "CoTiO3", ["Co", "O", "Ti"], "band_gap", 1.95),
                    _record(docs[1], "NiTiO3", ["Ni", "O", "Ti"], "band_gap", 1.8, 2.1, conf=0.7)])
    s.put(docs[2], [_record(docs[2], "CdTe", ["Cd", "Te"], "band_gap", 1.5)],
          [Mention(doc_id=docs[2].id, label="MAT", text="CdTe", char_start=0, char_end=4, confidence=0.9, extractor="rules@test")])
    s.put(docs[3], [_record(docs[3], "La0.7Sr0.3MnO3", ["La", "Mn", "O", "Sr"], "curie_temperature", 370, unit="K", si=1.0)])
    yield s
    s.close()


def _formulas(result):
    return [r.material.formula for r in result.records]


def test_range_in_any_unit_overlaps_reported_ranges(store):
    in_ev = store.search(Query(property="band_gap", value_min=1, value_max=2, unit="eV"))
    in_mev = store.search(Query(property="band_gap", value_min=1000, value_max=2000, unit="meV"))
    assert sorted(_formulas(in_ev)) == ["CdTe", "CoTiO3", "NiTiO3"]  # NiTiO3's 1.8-2.1 eV overlaps
    assert _formulas(in_ev) == _formulas(in_mev)
    curie = store.search(Query(property="curie_temperature", value_min=90, value_max=100, unit="degC"))
    assert _formulas(curie) == ["La0.7Sr0.3MnO3"]  # 370 K = 96.85 °C
    assert store.search(Query(property="curie_temperature", value_min=100, unit="degC")).total == 0


def test_elements_include_exclude_only(store):
    q = Query(property="band_gap", value_min=1, value_max=2, unit="eV", include_elements=["ti", "O"])
    assert sorted(_formulas(store.search(q))) == ["CoTiO3", "NiTiO3"]
    q = Query(include_elements=["Ti", "O"], exclude_elements=["Ni"])
    assert sorted(_formulas(store.search(q))) == ["CoTiO3", "TiO2"]
    assert _formulas(store.search(Query(include_elements=["Ti", "O"], only_elements=True))) == ["TiO2"]


def test_text_year_kind_and_order(store):
    assert _formulas(store.search(Query(text="Curie temperature"))) == ["La0.7Sr0.3MnO3"]
    assert store.search(Query(kind="patent")).total == 1
    assert sorted(_formulas(store.search(Query(year_min=2020, year_max=2021)))) == ["CdTe", "CoTiO3", "NiTiO3"]
    result = store.search(Query(property="band_gap"))
    confidences = [r.confidence for r in result.records]
    assert confidences == sorted(confidences, reverse=True)
    page = store.search(Query(property="band_gap", limit=2, offset=2))
    assert [r.record_id for r in page.records] == [r.record_id for r in result.records[2:4]]


def test_facets_count_matching_records(store):
    result = store.search(Query(include_elements=["O"], facets=["property", "elements", "year", "kind"]))
    assert result.total == 4
    assert {f.value: f.count for f in result.facets["property"]} == {"band_gap": 3, "curie_temperature": 1}
    elements = {f.value: f.count for f in result.facets["elements"]}
    assert elements["O"] == 4 and elements["Ti"] == 3 and "Cd" not in elements
    assert result.facets["elements"][0].value == "O"
    assert {f.value for f in result.facets["kind"]} == {"paper", "patent"}


def test_put_is_idempotent_and_replaces(store, tmp_path):
    before = store.stats()
    doc = store.get_document(next(store.iter_records(Query(formula="CdTe"))).doc_id)
    assert doc is not None and doc.title == "Document 3"
    from textmine.nlp import segment

    segment(doc)
    record = next(store.iter_records(Query(formula="CdTe")))
    store.put(doc, [record])
    store.put(doc, [record, record])
    after = store.stats()
    assert (after.documents, after.records, after.sentences) == (before.documents, before.records, before.sentences)
    assert after.mentions == before.mentions - 1  # the re-put carried no mentions: replaced, not merged
    store.put(doc, [])
    assert store.search(Query(formula="CdTe")).total == 0
    assert store.known(doc.id, doc.content_hash, doc.extractor) is True
    assert store.known(doc.id, "other-hash", doc.extractor) is False


def test_sentences_fts_and_failures(store):
    hits = store.search_sentences("band gap")
    assert hits and all("band gap" in h.text.lower() for h in hits)
    assert all(h.text == store.get_document(h.doc_id).text[h.char_start : h.char_end] for h in hits)
    store.add_failure(Failure(source="bulk.xml#2", stage="read", reason="truncated XML"))
    store.add_failure(Failure(source="junk.bin", stage="read", reason="unknown format"))
    assert [f.source for f in store.failures()] == ["bulk.xml#2", "junk.bin"]
    store.clear_failure("bulk.xml")
    assert [f.source for f in store.failures()] == ["junk.bin"]


def test_iter_records_streams_all_matches(store):
    ids = [r.record_id for r in store.iter_records(Query(property="band_gap"), batch_size=1)]
    assert len(ids) == len(set(ids)) == 4


def test_open_store_urls_and_errors(tmp_path):
    s = open_store(f"sqlite:///{tmp_path}/a.db")
    assert isinstance(s, SQLiteStore) and (tmp_path / "a.db").exists()
    s.close()
    with pytest.raises(Exception, match="run `textmine run"):
        open_store(tmp_path / "missing.db", readonly=True)
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(Exception, match="cannot open"):
        open_store(tmp_path / "junk.db")
    with pytest.raises(ValueError, match="needs a property"):
        SQLiteStore(tmp_path / "b.db").search(Query(value_min=1, unit="eV"))


def test_wal_file_is_shared_by_readers(store):
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT count(*) FROM records").fetchone()[0] == 5
