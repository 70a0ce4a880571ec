"""`dataset build` reads an Elasticsearch store exactly as it reads SQLite."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from textmine.cli import main
from textmine.store.sqlite import SQLiteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from es_support import drop_prefix, node_health, require_es, unique_prefix  # noqa: E402
from test_dataset_build import db as _db  # noqa: E402,F401 - the same corpus as the SQLite tests

pytestmark = pytest.mark.es
db = _db


def invoke(*args: str):
    result = CliRunner().invoke(main, ["-q", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_elasticsearch_store_gives_the_same_dataset(db, tmp_path):
    url = require_es()
    prefix = unique_prefix("dataset")
    es_url = url.replace("http://", "es://") + "/" + prefix
    try:
        from textmine.store.elasticsearch import ElasticsearchStore

        sqlite_store = SQLiteStore(db)
        es_store = ElasticsearchStore(es_url)
        es_store.put_many((d, list(sqlite_store.iter_records(_query(d.id))), []) for d in sqlite_store.iter_documents())
        es_store.close()
        sqlite_store.close()
        invoke("--db", str(db), "dataset", "build", "band_gap", "-o", str(tmp_path / "from-sqlite"))
        invoke("--store", es_url, "dataset", "build", "band_gap", "-o", str(tmp_path / "from-es"))
        for name in ("materials.parquet", "records.parquet"):
            a = pq.read_table(tmp_path / "from-sqlite" / name).to_pylist()
            b = pq.read_table(tmp_path / "from-es" / name).to_pylist()
            assert a == b, name
    finally:
        if node_health(url):
            drop_prefix(url, prefix)


def _query(doc_id: str):
    from textmine.store import Query

    return Query(doc_id=doc_id)
