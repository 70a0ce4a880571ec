"""The SQLite planner's paths give the same answer: FTS or index drivers, sorted or walked pages
(and a walk that gives up when hits sit at low confidence), facets from the hits table. The
reference is brute force over every stored record."""

from __future__ import annotations

from collections import Counter

import pytest
from es_support import synthetic_corpus

from textmine.store import sqlite_search
from textmine.store.base import FACET_SIZE, Query
from textmine.store.query import compile_query
from textmine.store.sqlite import SQLiteStore

QUERIES = [
    Query(property="band_gap", facets=["elements", "year"]),
    Query(property="band_gap", value_min=1, value_max=3),
    Query(text="band gap", include_elements=["O"]),
    Query(text="band gap", include_elements=["O"], facets=["elements", "year", "property"]),
    Query(include_elements=["Fe", "O"], exclude_elements=["Sr"], facets=["property", "formula"]),
    Query(include_elements=["O", "Ti"], only_elements=True),
    Query(text="Curie temperature", property="curie_temperature", value_min=300, value_max=900, unit="K", min_confidence=0.8),
    Query(formula="TiO2", year_min=2012),
    Query(exclude_elements=["O"], facets=["kind"]),
    Query(text="gap", facets=["year", "kind", "property", "formula", "elements"]),
    Query(include_elements=["O"], year_min=2015, facets=["year", "formula"], limit=3, offset=2),
    Query(min_confidence=0.75, year_max=2015),
    Query(material="zno"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = SQLiteStore(tmp_path_factory.mktemp("plans") / "p.db")
    s.put_many(synthetic_corpus(1500))  # 6,000 records
    yield s
    s.close()


def brute_force(store, query: Query):
    """Every record the query's predicates accept (iter_records over a full scan), ranked."""
    everything = list(store.iter_records())
    compiled = compile_query(query)
    where, params = sqlite_search.all_checks(compiled.predicates)
    sql = "SELECT r.record_id FROM records r" + (f" WHERE {' AND '.join(where)}" if where else "")
    ids = {row[0] for row in store._db.execute(sql, params)}
    hits = sorted((r for r in everything if r.record_id in ids), key=lambda r: (-r.confidence, r.record_id))
    return hits


def expected_facets(store, hits, names):
    """Facets counted over the brute-force hits: year, kind and the extractor's name from the rows
    (not on the model)."""
    rows = {rid: (year, kind, extractor) for rid, year, kind, extractor in
            store._db.execute("SELECT record_id, year, kind, extractor FROM records")}
    value = {"property": lambda r: r.property, "formula": lambda r: r.material.formula,
             "year": lambda r: rows[r.record_id][0], "kind": lambda r: rows[r.record_id][1],
             "extractor": lambda r: rows[r.record_id][2]}
    out = {}
    for name in names:
        if name == "elements":
            counts = Counter(e for r in hits for e in set(r.material.elements))
        else:
            counts = Counter(v for r in hits if (v := value[name](r)) is not None)
        out[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
    return out


def check(store, query: Query):
    hits = brute_force(store, query)
    for offset in (0, 7, 500):
        q = query.model_copy(update={"offset": offset, "limit": 25})
        result = store.search(q)
        assert result.total == len(hits)
        assert [r.record_id for r in result.records] == [r.record_id for r in hits[offset : offset + 25]]
        for name, buckets in expected_facets(store, hits, query.facets).items():
            assert [(f.value, f.count) for f in result.facets[name]] == [(str(v), n) for v, n in buckets]
    assert [r.record_id for r in store.iter_records(query, batch_size=97)] == sorted(r.record_id for r in hits)


@pytest.mark.parametrize("query", QUERIES, ids=[str(i) for i in range(len(QUERIES))])
def test_default_plans(store, query):
    check(store, query)


@pytest.mark.parametrize("query", QUERIES, ids=[str(i) for i in range(len(QUERIES))])
def test_walked_pages(store, query, monkeypatch):
    """Pages by walking the rank index (forced), including walks that give up and sort."""
    monkeypatch.setattr(sqlite_search, "SORT_MAX", 0)
    monkeypatch.setattr(sqlite_search, "WALK_COST", 0)
    check(store, query)
    real_walk = sqlite_search.walk
    monkeypatch.setattr(sqlite_search, "walk", lambda db, compiled, budget: real_walk(db, compiled, 30))
    check(store, query)


def test_fts_or_index_for_property_with_words(store, monkeypatch):
    """With a property and words, FTS drives only when its words are rare: both give one answer."""
    query = Query(text="band gap", property="band_gap", value_min=0.5, value_max=2.5, facets=["elements"])
    monkeypatch.setattr(sqlite_search, "FTS_PREFERRED", 1)  # words "common": the index drives
    assert sqlite_search.plan(store._db, compile_query(query)).driver == "records_property_value"
    check(store, query)
    monkeypatch.setattr(sqlite_search, "FTS_PREFERRED", 10**9)
    assert sqlite_search.plan(store._db, compile_query(query)).driver == "fts"
    check(store, query)


def test_walk_visits_a_bounded_number_of_rows(store):
    """A walk reads at most its budget of rows in rank order: with too few hits among them it
    answers None (the caller sorts); with enough, exactly the top of the ranking."""
    query = Query(formula="TiO2", limit=25)
    compiled = compile_query(query)
    ranked = [row[0] for row in store._db.execute(
        "SELECT formula FROM records INDEXED BY records_rank ORDER BY confidence DESC, record_id ASC")]
    for budget in (30, 300, len(ranked)):
        in_budget = sum(f == "TiO2" for f in ranked[:budget])
        rows = sqlite_search.walk(store._db, compiled, budget)
        if in_budget < 25:
            assert rows is None
        else:
            assert rows is not None
            ids = [b for b in sqlite_search.bodies(store._db, rows)]
            assert [i.split('"record_id":"')[1][:20] for i in ids] == [r.record_id for r in brute_force(store, query)[:25]]
    assert sum(f == "TiO2" for f in ranked[:30]) < 25 <= sum(f == "TiO2" for f in ranked)  # both cases were seen


# ----------------------------------------------------------------- value ranges and value_widths

def ranged_document(n: int, ranges: list[tuple[str, float, float, str, float]]):
    """One document whose records report ranges (property, low, high, unit, SI factor)."""
    import datetime as dt

    from textmine.document import Document, Paragraph, Section, Sentence
    from textmine.records import Material, Record

    lines = [f"Fe3O4 shows {prop.replace('_', ' ')} from {lo} to {hi} {unit}." for prop, lo, hi, unit, _ in ranges]
    text = " ".join(lines)
    sentences, records, at = [], [], 0
    for line, (prop, lo, hi, unit, si) in zip(lines, ranges):
        sentences.append(Sentence(start=at, end=at + len(line)))
        records.append(Record(
            doc_id=f"ranged:{n}", material=Material(text="Fe3O4", formula="Fe3O4", elements=["Fe", "O"]),
            property=prop, value=(lo + hi) / 2, unit=unit, value_si=(lo + hi) / 2 * si, value_min_si=lo * si,
            value_max_si=hi * si, sentence=line, char_start=at, char_end=at + len(line), confidence=0.85,
            extractor="rules@0.1.0",
        ))
        at += len(line) + 1
    document = Document(
        id=f"ranged:{n}", source=f"ranged/{n}", kind="paper", date=dt.date(2020, 1, 1), text=text,
        sections=[Section(title="Results", paragraphs=[Paragraph(start=0, end=len(text), sentences=sentences)])],
        content_hash=f"ranged-{n}", extractor="rules@0.1.0",
    )
    return document, records, []


RANGE_QUERIES = [
    Query(property="curie_temperature", value_min=1000, value_max=1050, unit="K"),  # only the wide ranges reach it
    Query(property="curie_temperature", value_min=600, value_max=700, unit="K", facets=["elements"]),
    Query(property="band_gap", value_min=3.4, value_max=3.6, unit="eV"),
    Query(property="band_gap", value_min=1, unit="eV"),
    Query(property="band_gap", value_max=0.6, unit="eV"),
    Query(text="Curie temperature", property="curie_temperature", value_min=900, value_max=950, unit="K"),
]


@pytest.fixture(scope="module")
def ranged_store(tmp_path_factory):
    s = SQLiteStore(tmp_path_factory.mktemp("ranged") / "r.db")
    s.put_many(synthetic_corpus(400))
    s.put_many([ranged_document(0, [("curie_temperature", 300, 1100, "K", 1.0), ("band_gap", 0.5, 3.5, "eV", EV)]),
                ranged_document(1, [("curie_temperature", 950, 1040, "K", 1.0)])])
    yield s
    s.close()


EV = 1.602176634e-19


def test_value_widths_are_kept_per_property(ranged_store):
    widths = dict(ranged_store._db.execute("SELECT property, width FROM value_widths"))
    assert widths == pytest.approx({"curie_temperature": 800.0, "band_gap": 3.0 * EV})


@pytest.mark.parametrize("query", RANGE_QUERIES, ids=[str(i) for i in range(len(RANGE_QUERIES))])
def test_range_queries_with_the_width_bound(ranged_store, query):
    """The lower bound from value_widths narrows the index scan and changes no answer (brute force)."""
    check(ranged_store, query)
    assert brute_force(ranged_store, query)  # every query here has hits
    p = sqlite_search.plan(ranged_store._db, compile_query(query))
    explained = " ".join(row[3] for row in ranged_store._db.execute("EXPLAIN QUERY PLAN " + p.sql("count(*)"), p.params))
    if query.value_min is not None and p.driver == "records_property_value":
        assert "value_min_si>?" in explained, explained  # bounded from below (and above, given a top)
        assert ("value_min_si<?" in explained) == (query.value_max is not None), explained
    hits = {r.record_id for r in brute_force(ranged_store, query)}
    if query.value_min == 1000:  # the wide ranges, and nothing from the point values (max 1000 K + 20)
        assert {r.doc_id for r in ranged_store.iter_records(query)} >= {"ranged:0", "ranged:1"} and len(hits) >= 2


def test_a_file_without_value_widths_answers_the_same_and_gets_them(tmp_path):
    """A file made before the table: read-only opens answer without the bound; a writable open adds
    and fills it; records stored afterwards widen it through the trigger."""
    path = tmp_path / "old.db"
    with SQLiteStore(path) as s:
        s.put_many(synthetic_corpus(100))
        s.put_many([ranged_document(0, [("curie_temperature", 300, 1100, "K", 1.0)])])
        s._db.execute("DROP TRIGGER records_width")
        s._db.execute("DROP TABLE value_widths")
    query = Query(property="curie_temperature", value_min=1000, value_max=1050, unit="K")
    with SQLiteStore(path, readonly=True) as ro:
        assert sqlite_search._width(ro._db, "curie_temperature") is None
        before = [r.record_id for r in ro.search(query).records]
    assert before and len(before) == len(set(before))
    with SQLiteStore(path) as rw:
        assert sqlite_search._width(rw._db, "curie_temperature") == pytest.approx(800.0)
        assert [r.record_id for r in rw.search(query).records] == before
        rw.put_many([ranged_document(1, [("curie_temperature", 0, 1500, "K", 1.0)])])
        assert sqlite_search._width(rw._db, "curie_temperature") == pytest.approx(1500.0)
        narrow = Query(property="curie_temperature", value_min=1400, value_max=1450, unit="K")
        assert [r.doc_id for r in rw.search(narrow).records] == ["ranged:1"]


# ------------------------------------------------------------------ facets from one pass

def test_facets_without_the_hits_index_are_the_same(tmp_path):
    """A file made before `records_hits`, opened read-only, reads facets from the rows: same answers."""
    path = tmp_path / "old.db"
    with SQLiteStore(path) as s:
        s.put_many(synthetic_corpus(300))
        s._db.execute("DROP INDEX records_hits")
    with SQLiteStore(path, readonly=True) as ro:
        assert not sqlite_search.has_hits_index(ro._db)
        for query in QUERIES:
            check(ro, query)
    with SQLiteStore(path) as rw:  # a writable open adds it
        assert sqlite_search.has_hits_index(rw._db)
        for query in QUERIES:
            check(rw, query)


def test_a_facet_value_holding_the_separator_is_counted_exactly(tmp_path):
    """group_concat joins values with \\x1f: a value holding it makes the split count differ from
    count(column), and that facet is counted by GROUP BY instead (exact either way)."""
    odd = []
    for document, records, mentions in synthetic_corpus(40, seed=5):
        records = [r.model_copy(update={"material": r.material.model_copy(update={"formula": r.material.formula + "\x1fX"})})
                   if i % 2 else r for i, r in enumerate(records)]
        odd.append((document, records, mentions))
    with SQLiteStore(tmp_path / "odd.db") as s:
        s.put_many(odd)
        for query in (Query(facets=["formula", "year"]), Query(text="band gap", facets=["formula", "elements"])):
            check(s, query)
            assert any("\x1f" in f.value for f in s.search(query).facets["formula"])
