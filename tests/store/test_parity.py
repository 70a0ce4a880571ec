"""One corpus, one set of questions, two stores: SQLite (the reference) and Elasticsearch must
give identical answers — hits in the same order (confidence desc, then record_id), totals, facet
counts, ranges in any compatible unit, element filters, full text, stats, documents, failures."""

from __future__ import annotations

import pytest
from es_support import EV, FAILURES, build_corpus, drop_prefix, require_es, unique_prefix

from textmine.normalise.material_id import material_id
from textmine.records import Failure
from textmine.store.base import Query
from textmine.store.elasticsearch import ElasticsearchStore
from textmine.store.sqlite import SQLiteStore

pytestmark = pytest.mark.es

ALL_FACETS = ["property", "elements", "formula", "year", "kind", "extractor"]
K0 = 273.15

# (name, query, must the answer be non-empty?)
QUERIES: list[tuple[str, Query, bool]] = [
    ("everything, all facets", Query(facets=ALL_FACETS), True),
    ("band gap 1-2 eV", Query(property="band_gap", value_min=1, value_max=2, unit="eV", facets=["elements", "formula"]), True),
    ("band gap 1-2 eV in J", Query(property="band_gap", value_min=1 * EV, value_max=2 * EV, unit="J", facets=["elements", "formula"]), True),
    ("band gap 1000-2000 meV", Query(property="band_gap", value_min=1000, value_max=2000, unit="meV"), True),
    ("band gap >= 3 eV", Query(property="band_gap", value_min=3, unit="eV", facets=["formula"]), True),
    ("band gap <= 1.5 eV", Query(property="band_gap", value_max=1.5, unit="eV"), True),
    ("Curie 300-400 K", Query(property="curie_temperature", value_min=300, value_max=400, unit="K", facets=["formula"]), True),
    ("Curie 300-400 K in °C", Query(property="curie_temperature", value_min=300 - K0, value_max=400 - K0, unit="°C", facets=["formula"]), True),
    ("Curie >= 600 K (open ranges)", Query(property="curie_temperature", value_min=600, unit="K"), True),
    ("Curie <= 700 K (open ranges)", Query(property="curie_temperature", value_max=700, unit="K"), True),
    ("include O Ti", Query(include_elements=["O", "Ti"], facets=["elements"]), True),
    ("include O exclude Ti Sr", Query(include_elements=["o"], exclude_elements=["Ti", "sr"], facets=["formula"]), True),
    ("only Fe O", Query(include_elements=["fe", "O"], only_elements=True, facets=["formula"]), True),
    ("only Ni", Query(include_elements=["Ni"], only_elements=True), True),
    ("exclude O", Query(exclude_elements=["O"], facets=["elements"]), True),
    ("text band gap", Query(text="band gap", facets=["property"]), True),
    ("text Curie temperature", Query(text="Curie Temperature"), True),
    ("text with number 3.2", Query(text="3.2 eV"), True),
    ("text formula", Query(text="La0.7Sr0.3MnO3"), True),
    ("text UV-vis", Query(text="UV-vis spectroscopy"), True),
    ("text no stemming", Query(text="ferromagnetic"), True),
    ("text absent", Query(text="superconductivity"), False),
    ("text punctuation only", Query(text="-- !"), True),
    ("formula", Query(formula="GaAs"), True),
    ("material case-insensitive", Query(material="la0.7sr0.3mno3"), True),
    ("material id", Query(material_id=material_id("Fe2O3", "Fe2O3"), facets=["property", "formula"]), True),
    ("material id + range", Query(material_id=material_id("ZnO", "ZnO"), property="band_gap", value_min=3.3, unit="eV"), True),
    ("material id unknown", Query(material_id="0000000000000000"), False),
    ("years 2016-2019", Query(year_min=2016, year_max=2019, facets=["year", "kind"]), True),
    ("patents", Query(kind="patent", facets=["year", "property"]), True),
    ("extractor by name", Query(extractor="ner", facets=["extractor"]), True),
    ("extractor by name@version", Query(extractor="rules@9.9.9"), True),
    ("min confidence", Query(min_confidence=0.9, facets=["property"]), True),
    ("one document", Query(doc_id="doi:10.1000/tm.3"), True),
    ("page 3 of 7", Query(limit=7, offset=14), True),
    ("count only", Query(limit=0, facets=["elements", "year"]), True),
    ("past the end", Query(offset=5000), False),
    (
        "combined",
        Query(text="band gap", property="band_gap", value_min=1.5, value_max=3.5, unit="eV", include_elements=["O"],
              exclude_elements=["Sr"], year_min=2015, kind="paper", min_confidence=0.7, facets=ALL_FACETS),
        True,
    ),
]

SENTENCE_QUERIES = ["band gap", "Curie temperature", "pulsed laser deposition", "3.37", "ferromagnetic above", "nothing-like-this"]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    url = require_es()
    prefix = unique_prefix("parity")
    sqlite = SQLiteStore(tmp_path_factory.mktemp("parity") / "parity.db")
    es = ElasticsearchStore(url, index_prefix=prefix, chunk_actions=150)  # small chunks: several bulk requests
    for store in (sqlite, es):
        assert store.put_many(build_corpus()) == 40
        for failure in FAILURES:
            store.add_failure(failure)
    yield sqlite, es
    sqlite.close()
    es.close()
    drop_prefix(url, prefix)


def _answer(store, query: Query):
    result = store.search(query)
    return (
        result.total,
        [r.record_id for r in result.records],
        {name: [(f.value, f.count) for f in buckets] for name, buckets in result.facets.items()},
        [r.model_dump() for r in result.records],
    )


@pytest.mark.parametrize("name,query,non_empty", QUERIES, ids=[q[0] for q in QUERIES])
def test_search_parity(stores, name, query, non_empty):
    sqlite, es = stores
    expected = _answer(sqlite, query)
    got = _answer(es, query)
    if non_empty:
        assert expected[0] > 0, f"{name}: the reference answer is empty, the comparison would prove nothing"
    assert got[0] == expected[0], f"{name}: totals differ"
    assert got[1] == expected[1], f"{name}: hits or their order differ"
    assert got[2] == expected[2], f"{name}: facets differ"
    assert got[3] == expected[3], f"{name}: records differ"


def test_units_select_the_same_records(stores):
    sqlite, es = stores
    for store in (sqlite, es):
        ev = store.search(Query(property="band_gap", value_min=1, value_max=2, unit="eV", limit=1000))
        joule = store.search(Query(property="band_gap", value_min=1.602176634e-19, value_max=3.204353268e-19, unit="J", limit=1000))
        assert ev.total == joule.total > 0
        kelvin = store.search(Query(property="curie_temperature", value_min=300, value_max=400, unit="K", limit=1000))
        celsius = store.search(Query(property="curie_temperature", value_min=26.85, value_max=126.85, unit="°C", limit=1000))
        assert [r.record_id for r in kelvin.records] == [r.record_id for r in celsius.records]
        assert {r.material.formula for r in kelvin.records} >= {"La0.7Sr0.3MnO3"}


@pytest.mark.parametrize("query", [Query(), Query(property="band_gap", value_min=2, unit="eV"), Query(text="Curie")])
def test_iter_records_parity(stores, query):
    sqlite, es = stores
    expected = [r.record_id for r in sqlite.iter_records(query, batch_size=17)]
    assert expected
    assert [r.record_id for r in es.iter_records(query, batch_size=17)] == expected


@pytest.mark.parametrize("text", SENTENCE_QUERIES)
def test_sentence_search_parity(stores, text):
    """Same matching sentences. Ranking: both use BM25, but FTS5's IDF and exact lengths differ
    from Lucene's IDF and quantised norms, so the order of equally relevant hits may differ:
    compared as sets (with a limit above the number of matches)."""
    sqlite, es = stores
    expected = sqlite.search_sentences(text, limit=500)
    got = es.search_sentences(text, limit=500)
    assert len(expected) < 500
    key = lambda h: (h.doc_id, h.char_start)  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)
    if text != "nothing-like-this":
        assert expected


def test_documents_stats_failures_parity(stores):
    sqlite, es = stores
    assert es.stats() == sqlite.stats()
    assert es.stats().records == 151
    assert [d.id for d in es.iter_documents()] == [d.id for d in sqlite.iter_documents()]
    doc = next(iter(sqlite.iter_documents()))
    assert es.get_document(doc.id) == sqlite.get_document(doc.id)
    assert es.get_document("doi:10.1000/none") is None and sqlite.get_document("doi:10.1000/none") is None
    for store in (sqlite, es):
        assert store.known(doc.id, doc.content_hash, doc.extractor)
        assert not store.known(doc.id, doc.content_hash, "rules@99")
        assert not store.known(doc.id, "0" * 64, doc.extractor)
    assert es.failures() == sqlite.failures() == sorted(FAILURES, key=lambda f: f.source)


def test_batched_document_reads_parity(stores, monkeypatch):
    """`get_documents`: one call for many ids (in batches: 7 here, to cross batch edges), the same
    documents as `get_document` one at a time, in the order asked, unknown ids left out; without
    content, the same metadata with no text or structure."""
    import textmine.store.base as base

    monkeypatch.setattr(base, "ID_BATCH", 7)
    sqlite, es = stores
    ids = [d.id for d in sqlite.iter_documents()]
    assert len(ids) > 20
    asked = [ids[3], "doi:10.1000/none", ids[0], ids[3], *ids[5:20]]
    expected_ids = list(dict.fromkeys(i for i in asked if i != "doi:10.1000/none"))
    for store in (sqlite, es):
        full = store.get_documents(asked)
        assert list(full) == expected_ids
        assert full == {i: sqlite.get_document(i) for i in expected_ids}
        meta = store.get_documents(iter(asked), content=False)
        assert list(meta) == expected_ids
        for doc_id, document in meta.items():
            assert document.text == "" and document.sections == [] and full[doc_id].text
            assert document.model_copy(update={f: getattr(full[doc_id], f) for f in base.CONTENT_FIELDS}) == full[doc_id]
        assert store.get_documents([]) == {} and store.get_documents(["doi:10.1000/none"], content=False) == {}
    assert es.get_documents(asked, content=False) == sqlite.get_documents(asked, content=False)


def test_rewrites_and_failure_clearing_stay_in_parity(stores):
    """Runs last: re-`put` documents with fewer/changed records, forget failures, compare again."""
    sqlite, es = stores
    corpus = list(build_corpus())
    changed = []
    for doc, records, mentions in corpus[:10]:
        kept = records[1:]  # the first record disappears in the new version
        if kept:
            kept[0] = kept[0].model_copy(update={"confidence": 0.5})
        changed.append((doc, kept, mentions[:1]))
    for store in (sqlite, es):
        store.put_many(changed)
        store.put_many(changed)  # twice: idempotent
        store.clear_failure("corpus/grants.xml")
    assert es.stats() == sqlite.stats()
    assert es.stats().records < 151
    assert es.failures() == sqlite.failures() and len(es.failures()) == 1
    for _, query, _ in QUERIES:
        assert _answer(es, query) == _answer(sqlite, query)


def test_an_edited_files_documents_are_deleted_alike(stores):
    """Runs after the rewrites: what `run` does for an edited file (issue 12 item 4), and a failure's
    fingerprint (item 12), in both stores."""
    sqlite, es = stores
    doc = next(iter(sqlite.iter_documents()))
    assert es.document_ids(doc.source) == sqlite.document_ids(doc.source) and doc.id in sqlite.document_ids(doc.source)
    assert es.document_ids("nowhere/none.txt") == sqlite.document_ids("nowhere/none.txt") == []
    before = sqlite.stats()
    for store in (sqlite, es):
        assert store.delete_documents([doc.id, "sha256:" + "0" * 32]) == 1  # an unknown id is no error
        assert store.get_document(doc.id) is None
        store.add_failure(Failure(source="corpus/bad.txt", stage="read", reason="empty file", fingerprint="0:123"))
    assert es.stats() == sqlite.stats() and sqlite.stats().documents == before.documents - 1
    assert sqlite.stats().records < before.records
    assert es.failures() == sqlite.failures() and [f.fingerprint for f in es.failures()].count("0:123") == 1
    for _, query, _ in QUERIES:
        assert _answer(es, query) == _answer(sqlite, query)


def test_demo_corpus_through_the_cli_gives_identical_answers(demo_corpus, tmp_path):
    """End to end: `textmine run` on the demo corpus into each store, then the same CLI questions."""
    from click.testing import CliRunner

    from textmine.cli import main

    url = require_es()
    prefix = unique_prefix("cli")
    stores = {"sqlite": f"sqlite:///{tmp_path / 'demo.db'}", "es": url.replace("http://", "es://") + "/" + prefix}
    questions = [
        ["stats", "--json"],
        ["search", "band gap", "--property", "band_gap", "--min", "1", "--max", "3", "--unit", "eV", "--json"],
        ["search", "--elements", "Ti,O", "--facets", "elements,year,kind", "--limit", "100", "--json"],
        ["search", "oxide", "--sentences", "--json"],
    ]
    answers: dict[str, list[str]] = {}
    runner = CliRunner()
    try:
        for name, store in stores.items():
            ran = runner.invoke(main, ["--quiet", "--store", store, "run", str(demo_corpus)], catch_exceptions=False)
            assert ran.exit_code == 0, ran.output
            answers[name] = []
            for question in questions:
                result = runner.invoke(main, ["--store", store, *question], catch_exceptions=False)
                assert result.exit_code == 0, result.output
                answers[name].append(result.output)
            rerun = runner.invoke(main, ["--quiet", "--store", store, "run", str(demo_corpus)], catch_exceptions=False)
            assert "0 documents processed" in rerun.output  # all known: nothing redone
    finally:
        drop_prefix(url, prefix)
    assert '"records": 0' not in answers["sqlite"][0]
    assert answers["es"] == answers["sqlite"]
