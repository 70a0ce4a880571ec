"""Faults on a real node. The node dies in the middle of a bulk write; after a restart, re-running
the job leaves exactly what a clean run leaves: same counts, no duplicates, nothing half-written
reported as done. And a node too busy to take more writes (429) slows writers down, loses nothing.

Runs its own node (port 9250, its own data dir, a write queue of 1 so that concurrent bulk writes
are rejected with 429) so the shared node other tests use is untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import json
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from es_support import ES_SH, node_health, require_es, synthetic_corpus, unique_prefix

from textmine.store.base import Query, StoreUnavailable
from textmine.store.elasticsearch import ElasticsearchStore
from textmine.store.es_transport import Timeouts
from textmine.store.sqlite import SQLiteStore

pytestmark = [pytest.mark.es, pytest.mark.slow]

PORT = int(os.environ.get("TEXTMINE_ES_FAULT_PORT", "9250"))
URL = f"http://127.0.0.1:{PORT}"
N_DOCS = 1000
STOP_AFTER = 300


def es_sh(command: str, node_dir: Path) -> None:
    args = [str(ES_SH), command, "--port", str(PORT), "--dir", str(node_dir), "--heap", "256m", "--timeout", "150",
            "--setting", "thread_pool.write.queue_size=1"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=200)
    assert result.returncode == 0, f"es.sh {command} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def fault_node():
    require_es()  # same policy: skip locally / fail in CI when ES cannot run here
    if not ES_SH.exists():
        pytest.fail(f"{ES_SH} is missing")
    # Under the node cache (readable by the node's user, unlike pytest's 0700 tmp dirs).
    default = "/var/cache/textmine/elasticsearch" if os.geteuid() == 0 else Path.home() / ".cache/textmine/elasticsearch"
    cache = Path(os.environ.get("TEXTMINE_ES_CACHE") or default)
    node_dir = cache / f"fault-{unique_prefix('node')}"
    es_sh("start", node_dir)
    yield node_dir
    es_sh("stop", node_dir)
    shutil.rmtree(node_dir, ignore_errors=True)


def test_node_stopped_mid_bulk_then_rerun_equals_clean_run(fault_node, tmp_path):
    prefix = unique_prefix("fault")
    timeouts = Timeouts(request=10, bulk_request=20, retry_deadline=6, initial_backoff=0.2, max_backoff=2)
    store = ElasticsearchStore(URL, index_prefix=prefix, timeouts=timeouts, chunk_actions=300)

    stopper = threading.Thread(target=es_sh, args=("stop", fault_node))
    produced = 0

    def corpus_that_pulls_the_plug():
        nonlocal produced
        for item in synthetic_corpus(N_DOCS):
            produced += 1
            if produced == STOP_AFTER:
                stopper.start()  # in the background: writing goes on while the node shuts down
            if produced > STOP_AFTER and stopper.is_alive():
                time.sleep(0.003)  # writing goes on, slowly, for the seconds a shutdown takes
            if produced == N_DOCS - 200:
                stopper.join()  # however slow the machine, the node is gone before the job ends
            yield item

    with pytest.raises(StoreUnavailable, match="es.sh start"):
        store.put_many(corpus_that_pulls_the_plug(), batch_size=100)
    stopper.join()
    assert STOP_AFTER <= produced < N_DOCS, "the node went away before the job ended"
    assert node_health(URL) is None

    es_sh("start", fault_node)
    store = ElasticsearchStore(URL, index_prefix=prefix, timeouts=timeouts, chunk_actions=300)
    interrupted = store.stats()
    assert 0 < interrupted.documents < N_DOCS, "the cut fell in the middle of the job"

    # Re-run as `textmine run` does: skip what is already known to be complete, redo the rest.
    todo = [item for item in synthetic_corpus(N_DOCS) if not store.known(item[0].id, item[0].content_hash, item[0].extractor)]
    assert len(todo) == N_DOCS - interrupted.documents  # half-written documents are not "known"
    assert store.put_many(todo, batch_size=100) == len(todo)

    clean = SQLiteStore(tmp_path / "clean.db")
    clean.put_many(synthetic_corpus(N_DOCS))
    assert store.stats() == clean.stats()
    ids = [r.record_id for r in store.iter_records(Query(), batch_size=5000)]
    assert len(ids) == len(set(ids)) == clean.stats().records == 4 * N_DOCS
    assert ids == [r.record_id for r in clean.iter_records(Query(), batch_size=5000)]
    for query in (Query(property="band_gap", value_min=1, value_max=2, unit="eV", facets=["elements"]), Query(text="Curie", limit=5)):
        assert store.search(query) == clean.search(query)
    store.close()
    clean.close()


def _write_rejections() -> int:
    with urllib.request.urlopen(f"{URL}/_nodes/stats/thread_pool", timeout=10) as response:
        nodes = json.load(response)["nodes"]
    return sum(node["thread_pool"]["write"]["rejected"] for node in nodes.values())


def test_busy_node_429s_are_retried_with_backoff_and_nothing_is_lost(fault_node, tmp_path):
    """Four writers at once against a write queue of one: Elasticsearch rejects bulk items with
    429; the store re-sends them with backoff, and every record arrives exactly once."""
    prefix = unique_prefix("busy")
    timeouts = Timeouts(request=10, bulk_request=30, retry_deadline=60, initial_backoff=0.1, max_backoff=1)
    before = _write_rejections()

    def writer(seed: int) -> int:
        with ElasticsearchStore(URL, index_prefix=prefix, timeouts=timeouts, chunk_actions=400) as store:
            return store.put_many(synthetic_corpus(150, seed=seed), batch_size=50)

    ElasticsearchStore(URL, index_prefix=prefix, timeouts=timeouts).close()  # create the indices once
    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(writer, range(100, 104))) == 600
    assert _write_rejections() > before, "the node never pushed back: this test proved nothing"

    store = ElasticsearchStore(URL, index_prefix=prefix, timeouts=timeouts)
    clean = SQLiteStore(tmp_path / "clean.db")
    for seed in range(100, 104):
        clean.put_many(synthetic_corpus(150, seed=seed))
    assert store.stats() == clean.stats()
    assert [r.record_id for r in store.iter_records()] == [r.record_id for r in clean.iter_records()]
    store.close()
    clean.close()
