"""Elasticsearch store specifics on a real node: index layout, versioned mappings and the
client-side reindex with an atomic alias swap, deep paging, idempotent re-runs, clear errors."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from elasticsearch import Elasticsearch
from es_support import build_corpus, drop_prefix, require_es, synthetic_corpus, unique_prefix

from textmine.store import es_schema as schema
from textmine.store.es_schema import RECORDS, SPECS
from textmine.store import open_store
from textmine.store.base import Query, StoreUnavailable
from textmine.store.elasticsearch import ElasticsearchStore
from textmine.store.sqlite import SQLiteStore

pytestmark = pytest.mark.es


@pytest.fixture()
def es_url():
    return require_es()


@pytest.fixture()
def prefix(es_url):
    name = unique_prefix("es")
    yield name
    drop_prefix(es_url, name)


def test_open_store_url_gives_es_store_with_prefix_from_path(es_url, prefix):
    url = es_url.replace("http://", "es://") + "/" + prefix
    store = open_store(url)
    assert isinstance(store, ElasticsearchStore)
    assert store.prefix == prefix
    store.put_many(synthetic_corpus(3))
    assert store.stats().records == 12
    client = Elasticsearch(es_url)
    aliases = client.indices.get_alias(index=f"{prefix}-*").body
    assert {name: list(v["aliases"]) for name, v in aliases.items()} == {
        f"{prefix}-{spec.name}-v{spec.version}": [f"{prefix}-{spec.name}"] for spec in SPECS
    }
    assert RECORDS.version == 2  # 2: material_id
    mapping = client.indices.get_mapping(index=f"{prefix}-records").body[f"{prefix}-records-v2"]["mappings"]
    assert mapping["properties"]["material_id"]["type"] == "keyword"
    assert mapping["dynamic"] == "strict"
    assert mapping["properties"]["value_range_si"]["type"] == "double_range"
    assert mapping["properties"]["elements"]["type"] == "keyword"
    # the reported range is queryable as a range field too
    hits = client.search(
        index=f"{prefix}-records",
        query={"range": {"value_range_si": {"gte": 300, "lte": 400, "relation": "intersects"}}},
        size=100,
    )["hits"]["hits"]
    assert all(300 <= h["_source"]["value_min_si"] <= 400 for h in hits)
    store.close()


def test_mapping_change_reindexes_client_side_and_swaps_alias(es_url, prefix):
    """vN -> vN+1 of the records index (a new field derived from each record), while a reader keeps
    searching: it never sees an error or a partial index."""
    store = ElasticsearchStore(es_url, index_prefix=prefix)
    corpus = list(synthetic_corpus(300))
    store.put_many(corpus)
    before = store.search(Query(property="band_gap", value_min=1, value_max=2, unit="eV", facets=["elements"]))
    assert before.total > 0
    # Counting through the writer refreshes what it wrote, so the migrating instance sees it all
    # (ES makes writes searchable at refresh; a bulk load refreshes every 30 s by itself).
    stats_before = store.stats()

    v2_mappings = {
        **schema.RECORDS.mappings,
        "properties": {**schema.RECORDS.mappings["properties"], "material_length": {"type": "integer"}},
    }

    def upgrade(source):
        body = schema.RECORDS.upgrade(source)
        body["material_length"] = len(body["material"])
        return body

    old, new = schema.RECORDS.version, schema.RECORDS.version + 1
    records_v2 = dataclasses.replace(schema.RECORDS, version=new, mappings=v2_mappings, upgrade=upgrade)
    specs_v2 = tuple(records_v2 if s.name == "records" else s for s in schema.SPECS)

    reader_errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def reader():
        client = Elasticsearch(es_url)
        while not stop.is_set():
            try:
                totals.append(client.count(index=f"{prefix}-records")["count"])
            except BaseException as exc:  # noqa: BLE001 - any failure is what we look for
                reader_errors.append(exc)
            time.sleep(0.01)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        migrated = ElasticsearchStore(es_url, index_prefix=prefix, specs=specs_v2)
    finally:
        stop.set()
        thread.join()
    assert not reader_errors
    assert totals and set(totals) == {1200}

    client = Elasticsearch(es_url)
    assert list(client.indices.get_alias(name=f"{prefix}-records").body) == [f"{prefix}-records-v{new}"]
    assert not client.indices.exists(index=f"{prefix}-records-v{old}")
    after = migrated.search(Query(property="band_gap", value_min=1, value_max=2, unit="eV", facets=["elements"]))
    assert after == before
    assert migrated.stats() == stats_before
    # the new field exists and was derived for every record
    long_names = client.count(index=f"{prefix}-records", query={"range": {"material_length": {"gte": 8}}})["count"]
    assert long_names == sum(len(r.material.text) >= 8 for _, records, _ in corpus for r in records) > 0
    # writes go to the new version; reopening does not migrate again
    migrated.put_many(synthetic_corpus(10, seed=99))
    assert migrated.stats().records == 1240
    reopened = ElasticsearchStore(es_url, index_prefix=prefix, specs=specs_v2)
    assert reopened.stats().records == 1240
    # an older textmine refuses a newer index instead of corrupting it
    with pytest.raises(StoreUnavailable, match="newer textmine"):
        ElasticsearchStore(es_url, index_prefix=prefix)
    for s in (store, migrated, reopened):
        s.close()


def test_deep_pages_past_the_result_window_match_sqlite(es_url, prefix, tmp_path):
    small_window = dataclasses.replace(
        schema.RECORDS, settings={**schema.RECORDS.settings, "max_result_window": 50}
    )
    specs = tuple(small_window if s.name == "records" else s for s in schema.SPECS)
    es = ElasticsearchStore(es_url, index_prefix=prefix, specs=specs)
    sqlite = SQLiteStore(tmp_path / "deep.db")
    for store in (es, sqlite):
        store.put_many(build_corpus())
    for offset, limit in ((40, 20), (100, 30), (149, 10)):
        query = Query(offset=offset, limit=limit, facets=["formula"])
        got, expected = es.search(query), sqlite.search(query)
        assert [r.record_id for r in got.records] == [r.record_id for r in expected.records]
        assert got.total == expected.total and got.facets == expected.facets
    es.close()
    sqlite.close()


def test_rerun_is_idempotent_and_put_replaces(es_url, prefix):
    store = ElasticsearchStore(es_url, index_prefix=prefix, chunk_actions=97)
    corpus = list(synthetic_corpus(120))
    store.put_many(corpus)
    first = store.stats()
    store.put_many(corpus)
    assert store.stats() == first
    assert first.records == 480 and first.sentences == 480 and first.mentions == 480 and first.documents == 120
    doc, records, mentions = corpus[0]
    store.put(doc, records[:1], [])
    stats = store.stats()
    assert (stats.records, stats.mentions) == (first.records - 3, first.mentions - 4)
    assert [r.record_id for r in store.iter_records(Query(doc_id=doc.id))] == [records[0].record_id]
    # the same document twice in one batch: the last one wins
    store.put_many([(doc, records, mentions), (doc, records[2:], mentions)])
    assert sorted(r.record_id for r in store.iter_records(Query(doc_id=doc.id))) == sorted(r.record_id for r in records[2:])
    assert store.known(doc.id, doc.content_hash, doc.extractor)
    store.close()


def test_readonly_open_of_missing_indices_says_what_to_do(es_url, prefix):
    with pytest.raises(StoreUnavailable, match="open it writable"):
        ElasticsearchStore(es_url, index_prefix=prefix, readonly=True)
