"""Issue 12, item 11, on a real node: a document's records are not answers before the document is
complete, and Elasticsearch going away is one clear `StoreUnavailable` line saying what to do."""

from __future__ import annotations

import socket

import pytest
from es_support import Proxy, drop_prefix, require_es, synthetic_corpus, unique_prefix

from textmine.store.base import Query, StoreUnavailable
from textmine.store.elasticsearch import ElasticsearchStore
from textmine.store.es_transport import Timeouts

pytestmark = pytest.mark.es


@pytest.fixture()
def es_url():
    return require_es()


@pytest.fixture()
def prefix(es_url):
    name = unique_prefix("complete")
    yield name
    drop_prefix(es_url, name)


class Cut(RuntimeError):
    pass


def test_records_of_an_incomplete_document_are_not_answers(es_url, prefix):
    """Reproduction: a write cut after the records went in but before the completion marker
    (899 records were searchable for 94 complete documents after a kill)."""
    corpus = list(synthetic_corpus(6))
    writer = ElasticsearchStore(es_url, index_prefix=prefix)
    writer.put_many(corpus[:3])
    real_bulk, calls = writer._bulk, []

    def bulk_cut_before_completion(actions, touched):
        calls.append(touched)
        if len(calls) == 3:  # 1: entries marked incomplete, 2: children, 3: completion marker
            raise Cut("process killed")
        return real_bulk(actions, touched)

    writer._bulk = bulk_cut_before_completion
    with pytest.raises(Cut):
        writer.put_many(corpus[3:])
    writer.close()  # makes what was written searchable, as a node's refresh would

    reader = ElasticsearchStore(es_url, index_prefix=prefix)
    assert reader._call(reader._client.count, index=f"{prefix}-records")["count"] == 24  # they are in the index
    assert reader.search(Query(limit=100)).total == 12  # ... but not answers
    assert {r.doc_id for r in reader.search(Query(limit=100, facets=["property"])).records} == {d.id for d, _, _ in corpus[:3]}
    assert sum(f.count for f in reader.search(Query(facets=["property"])).facets["property"]) == 12
    assert len(list(reader.iter_records())) == 12
    assert (reader.stats().documents, reader.stats().records, reader.stats().sentences) == (3, 12, 12)
    assert {h.doc_id for h in reader.search_sentences("band gap", limit=100)} <= {d.id for d, _, _ in corpus[:3]}
    assert not reader.known(corpus[4][0].id, corpus[4][0].content_hash, corpus[4][0].extractor)
    # the next run redoes them, and then they count
    reader.put_many(corpus[3:])
    assert reader.search(Query(limit=100)).total == 24
    assert reader.stats().records == 24
    reader.close()


def test_node_down_is_one_clear_line(es_url, prefix):
    port = int(es_url.rsplit(":", 1)[1])
    proxy = Proxy(port)
    timeouts = Timeouts(request=5, retry_deadline=2, initial_backoff=0.2, max_backoff=0.5)
    store = ElasticsearchStore(f"http://127.0.0.1:{proxy.port}", index_prefix=prefix, timeouts=timeouts)
    corpus = list(synthetic_corpus(10))
    store.put_many(corpus[:5])
    proxy.stop()  # the node goes away mid-run
    with pytest.raises(StoreUnavailable) as caught:
        store.put_many(corpus[5:])
    message = str(caught.value)
    assert "\n" not in message
    assert f"127.0.0.1:{proxy.port}" in message and "is not answering" in message
    assert "es.sh start" in message and "re-run" in message
    with pytest.raises(StoreUnavailable):
        store.search(Query())
    store.close()  # closing a store whose node is gone does not raise
    # and a node that is not there at all, on open
    free = socket.create_server(("127.0.0.1", 0))
    closed_port = free.getsockname()[1]
    free.close()
    with pytest.raises(StoreUnavailable) as caught:
        ElasticsearchStore(f"es://127.0.0.1:{closed_port}", index_prefix=prefix, timeouts=timeouts)
    assert "\n" not in str(caught.value) and f"127.0.0.1:{closed_port}" in str(caught.value)
    # back up: the re-run completes what was cut, nothing duplicated
    again = ElasticsearchStore(es_url, index_prefix=prefix)
    again.put_many(corpus)
    assert again.stats().records == 40 and again.search(Query()).total == 40
    again.close()
