"""Fixtures: the demo corpus (plus a hostile document) in a real SQLite file and on a real
Elasticsearch node, each served by a real `textmine serve` on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.api.server import FIXTURES, ROOT, load_corpus, serve

DEMO = ROOT / "corpora" / "demo"
CORPUS = [DEMO, FIXTURES / "xss_2020.txt"]


def es_url(http_url: str) -> str:
    """http://host:port -> es://host:port, the store URL `--store` takes."""
    return "es://" + http_url.split("://", 1)[1].rstrip("/")


@pytest.fixture(scope="session")
def sqlite_corpus(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("api-sqlite") / "demo.db"
    load_corpus(str(db), CORPUS)
    return db


@pytest.fixture(scope="session")
def es_corpus():
    from tests.store.es_support import drop_prefix, require_es, unique_prefix

    url = require_es()
    prefix = unique_prefix("api")
    store_url = f"{es_url(url)}/{prefix}"
    load_corpus(store_url, CORPUS)
    yield store_url
    drop_prefix(url, prefix)


@pytest.fixture(scope="session", params=["sqlite", "es"])
def backend(request) -> tuple[str, str]:
    """(name, store URL) of each backend in turn: every API test runs against both."""
    if request.param == "sqlite":
        return "sqlite", str(request.getfixturevalue("sqlite_corpus"))
    return "es", request.getfixturevalue("es_corpus")


@pytest.fixture(scope="session")
def api(backend, tmp_path_factory) -> str:
    """Base URL of a read-write server (key in TEXTMINE_API_KEY) over the shared corpus. Tests on it
    must not curate: curation tests use `fresh_api`."""
    name, url = backend
    log = tmp_path_factory.mktemp(f"serve-{name}") / "serve.log"
    with serve(url, write=True, log=log) as base:
        yield base


@pytest.fixture(scope="session")
def readonly_api(sqlite_corpus, tmp_path_factory) -> str:
    with serve(str(sqlite_corpus), write=False, log=tmp_path_factory.mktemp("serve-ro") / "serve.log") as base:
        yield base


@pytest.fixture()
def fresh_store(backend, tmp_path) -> str:
    """A store of its own for a test that writes (reviews)."""
    name, url = backend
    if name == "sqlite":
        db = tmp_path / "fresh.db"
        shutil.copy(url, db)
        return str(db)
    from tests.store.es_support import ES_URL, unique_prefix

    store_url = f"{es_url(ES_URL)}/{unique_prefix('apiw')}"
    load_corpus(store_url, CORPUS)
    return store_url


@pytest.fixture()
def fresh_api(fresh_store, tmp_path):
    with serve(fresh_store, write=True, log=tmp_path / "serve.log") as base:
        yield base, fresh_store
    if "://" in fresh_store:
        from tests.store.es_support import ES_URL, drop_prefix

        drop_prefix(ES_URL, fresh_store.rsplit("/", 1)[1])
