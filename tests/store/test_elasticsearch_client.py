"""Elasticsearch store without a node: store URLs, credentials from the environment, and the error
a user gets when the node is gone. (Everything else runs on a real node: test_elasticsearch.py.)"""

from __future__ import annotations

import time

import pytest

from textmine.store.base import StoreUnavailable
from textmine.store.elasticsearch import ElasticsearchStore
from textmine.store.es_transport import Timeouts, connect, parse_url


@pytest.mark.parametrize(
    "url,expected",
    [
        ("es://127.0.0.1:9200", ("http://127.0.0.1:9200", "textmine", None, None)),
        ("es://localhost", ("http://localhost:9200", "textmine", None, None)),
        ("es+https://elastic:s%40cret@search.example.org:9243/lab", ("https://search.example.org:9243", "lab", "elastic", "s@cret")),
        ("http://10.0.0.5:9201/", ("http://10.0.0.5:9201", "textmine", None, None)),
        ("https://[::1]:9200/x", ("https://[::1]:9200", "x", None, None)),
    ],
)
def test_parse_url(url, expected):
    assert parse_url(url) == expected


def test_bad_urls_and_prefixes_are_refused():
    with pytest.raises(ValueError, match="not an Elasticsearch store URL"):
        parse_url("sqlite:///x.db")
    with pytest.raises(ValueError, match="lowercase"):
        connect("es://127.0.0.1:9200/Bad")


def test_credentials_from_environment_and_hidden_in_url(monkeypatch, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not used until a request is made")
    monkeypatch.setenv("TEXTMINE_ES_USER", "reader")
    monkeypatch.setenv("TEXTMINE_ES_PASSWORD", "pw")
    client, conn = connect("es+https://127.0.0.1:9243/prod", ca_certs=None, verify_certs=True)
    assert conn.prefix == "prod" and conn.http_url == "https://127.0.0.1:9243"
    assert client._headers["authorization"].startswith("Basic ")
    monkeypatch.setenv("TEXTMINE_ES_API_KEY", "a2V5OnNlY3JldA==")
    client, _ = connect("es://127.0.0.1:9200")
    assert client._headers["authorization"] == "ApiKey a2V5OnNlY3JldA=="
    _, conn = connect("es+https://u:p@127.0.0.1:9243/prod")
    assert "p@" not in conn.url and conn.url == "es+https://127.0.0.1:9243/prod"


def test_unreachable_node_raises_store_unavailable_with_next_step():
    """No node on this port: connection refused, retried with backoff, then a clear error."""
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="es.sh start"):
        ElasticsearchStore("es://127.0.0.1:9", timeouts=Timeouts(request=2, retry_deadline=2, initial_backoff=0.2))
    assert 1 <= time.monotonic() - started < 10  # it did retry, and it did give up
