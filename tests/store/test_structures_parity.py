"""Structures, spectra and links in both stores: the same structure queries, link queries and
record queries by linked structure (space group, crystal system, has_structure) give the same
answers on SQLite (the reference) and Elasticsearch; spectra arrays come back bit for bit."""

from __future__ import annotations

import pytest
from es_support import build_corpus, drop_prefix, require_es, unique_prefix

from textmine.link.model import LinkQuery
from textmine.link.records import link_records
from textmine.spectra.model import make_spectrum
from textmine.spectra.references import reference_entries
from textmine.store.base import Query
from textmine.store.structures import StructureQuery, structure_store

pytestmark = pytest.mark.es

STRUCTURE_QUERIES = [
    ("everything", StructureQuery(limit=100), True),
    ("formula TiO2", StructureQuery(formula="TiO2"), True),
    ("formula written Ti2O4", StructureQuery(formula="Ti2O4"), True),
    ("elements Fe O", StructureQuery(include_elements=["fe", "O"]), True),
    ("only Fe O", StructureQuery(include_elements=["Fe", "O"], only_elements=True), True),
    ("exclude O", StructureQuery(exclude_elements=["O"]), True),
    ("chemsys O-Zn-Ti any order", StructureQuery(chemsys="Ti-Zn-O"), True),
    ("space group symbol", StructureQuery(space_group="P4_2/mnm"), True),
    ("space group spelled P42/mnm", StructureQuery(space_group="P42/mnm"), True),
    ("space group number", StructureQuery(space_group="167"), True),
    ("space group in another setting (Pbnm = 62)", StructureQuery(space_group="Pbnm"), True),
    ("cubic", StructureQuery(crystal_system="cubic", limit=50), True),
    ("disordered", StructureQuery(ordered=False), True),
    ("small cells", StructureQuery(max_sites=6), True),
    ("page 2", StructureQuery(limit=5, offset=5), True),
    ("nothing", StructureQuery(formula="Og"), False),
]

RECORD_QUERIES = [
    ("has structure", Query(has_structure=True, limit=200), True),
    ("has no structure", Query(has_structure=False, limit=200), True),
    ("space group of best link", Query(space_group="P6_3mc", limit=200), True),
    ("crystal system of best link", Query(crystal_system="trigonal", facets=["formula"], limit=200), True),
    ("combined with property", Query(property="band_gap", crystal_system="tetragonal", limit=200), True),
    ("none linked in this group", Query(space_group="Ia-3d"), False),
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    from textmine.store.elasticsearch import ElasticsearchStore
    from textmine.store.sqlite import SQLiteStore

    url = require_es()
    prefix = unique_prefix("structparity")
    sqlite = SQLiteStore(tmp_path_factory.mktemp("sp") / "sp.db")
    es = ElasticsearchStore(url, index_prefix=prefix)
    spectrum = make_spectrum([10.0, 10.02, 10.04, 10.06], [1.0, 3.25, 1e-300, 123456.789012345678], source="x.xy", format="xy",
                             wavelength=1.540598, name="x")
    for store in (sqlite, es):
        store.put_many(build_corpus())
        companion = structure_store(store)
        assert companion.put_structures(reference_entries()) == len(reference_entries())
        companion.put_spectra([spectrum])
        link_records(store)
    yield sqlite, es, spectrum
    sqlite.close()
    es.close()
    drop_prefix(url, prefix)


@pytest.mark.parametrize("name,query,non_empty", STRUCTURE_QUERIES, ids=[q[0] for q in STRUCTURE_QUERIES])
def test_structure_search_parity(stores, name, query, non_empty):
    sqlite, es, _ = stores
    expected = structure_store(sqlite).search_structures(query)
    got = structure_store(es).search_structures(query)
    if non_empty:
        assert expected.total > 0, f"{name}: empty reference answer proves nothing"
    assert got.total == expected.total
    assert [s.structure_id for s in got.structures] == [s.structure_id for s in expected.structures]
    assert [s.model_dump() for s in got.structures] == [s.model_dump() for s in expected.structures]


def test_space_group_spellings_agree(stores):
    sqlite, _, _ = stores
    c = structure_store(sqlite)
    ids = {q: [s.structure_id for s in c.search_structures(StructureQuery(space_group=q)).structures] for q in ("P4_2/mnm", "P42/mnm", "136")}
    assert ids["P4_2/mnm"] == ids["P42/mnm"] == ids["136"] and len(ids["136"]) == 3  # rutile TiO2, VO2, MnO2


LINK_QUERIES = [
    LinkQuery(kind="record", limit=10_000),
    LinkQuery(kind="record", max_rank=1, limit=10_000),
    LinkQuery(kind="record", method="formula", limit=10_000),
    LinkQuery(kind="record", min_score=0.75, limit=10_000),
    LinkQuery(kind="record", doc_id="doi:10.1000/tm.3"),
    LinkQuery(limit=7, offset=7),
]


@pytest.mark.parametrize("query", LINK_QUERIES, ids=[str(i) for i in range(len(LINK_QUERIES))])
def test_link_search_parity(stores, query):
    sqlite, es, _ = stores
    expected = structure_store(sqlite).search_links(query)
    got = structure_store(es).search_links(query)
    assert expected, "no links: the comparison would prove nothing"
    assert [link.model_dump() for link in got] == [link.model_dump() for link in expected]


def test_links_by_structure_and_material_parity(stores):
    sqlite, es, _ = stores
    best = structure_store(sqlite).search_links(LinkQuery(kind="record", max_rank=1, limit=1))[0]
    for query in (LinkQuery(structure_id=best.structure_id, limit=10_000), LinkQuery(material_id=best.material_id, limit=10_000),
                  LinkQuery(subject_ids=[best.subject_id])):
        assert [l.link_id for l in structure_store(es).search_links(query)] == [l.link_id for l in structure_store(sqlite).search_links(query)]


@pytest.mark.parametrize("name,query,non_empty", RECORD_QUERIES, ids=[q[0] for q in RECORD_QUERIES])
def test_record_search_by_structure_parity(stores, name, query, non_empty):
    sqlite, es, _ = stores
    expected = sqlite.search(query)
    got = es.search(query)
    if non_empty:
        assert expected.total > 0, f"{name}: empty reference answer proves nothing"
    assert got.total == expected.total
    assert [r.record_id for r in got.records] == [r.record_id for r in expected.records]
    assert {k: [(f.value, f.count) for f in v] for k, v in got.facets.items()} == \
           {k: [(f.value, f.count) for f in v] for k, v in expected.facets.items()}


def test_has_structure_splits_the_records(stores):
    sqlite, _, _ = stores
    total = sqlite.search(Query(limit=0)).total
    linked = sqlite.search(Query(has_structure=True, limit=0)).total
    unlinked = sqlite.search(Query(has_structure=False, limit=0)).total
    assert linked + unlinked == total and 0 < linked < total


def test_spectrum_arrays_are_lossless_in_both(stores):
    sqlite, es, spectrum = stores
    for store in (sqlite, es):
        back = structure_store(store).get_spectrum(spectrum.spectrum_id)
        assert back.two_theta == spectrum.two_theta and back.intensity == spectrum.intensity
        assert back == spectrum


def test_stats_report_structures_and_spectra(stores):
    sqlite, es, _ = stores
    for store in (sqlite, es):
        stats = store.stats()
        assert stats.structures == len(reference_entries()) and stats.spectra == 1


def test_relinking_replaces_links(stores):
    sqlite, es, _ = stores
    for store in (sqlite, es):
        before = structure_store(store).search_links(LinkQuery(kind="record", limit=10_000))
        link_records(store)
        after = structure_store(store).search_links(LinkQuery(kind="record", limit=10_000))
        assert [l.link_id for l in after] == [l.link_id for l in before]
