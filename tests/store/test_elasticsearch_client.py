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


def test_fts_tokens_split_like_sqlite_fts5():
    """The `*_terms` fields hold FTS5's tokens, so word queries match alike in both stores."""
    import sqlite3
    import unicodedata

    from textmine.store.es_schema import fts_tokens

    texts = [
        "La0.7Sr0.3MnO3 has a Curie temperature (T_C) of 370 K and a gap of 1.2 eV.",
        "Ångström-scale α-Fe2O3 films: ΔT = 10⁻³ K, ρ = 5 µΩ·cm, naïve café Über ﬁt, 中文字.",
    ]
    # every letter and number of Latin, Greek and Cyrillic (less the few that SQLite's older Unicode
    # tables do not case-fold: U+037F, U+0528..U+052F), between two ASCII letters
    texts += [f"a{chr(i)}b" for i in range(0x80, 0x528) if unicodedata.category(chr(i))[0] in "LN" and i != 0x37F]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(t)")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, instance)")
    db.executemany("INSERT INTO f(rowid, t) VALUES (?, ?)", enumerate(texts))
    fts: dict[int, list[str]] = {}
    for doc, term in db.execute("SELECT doc, term FROM v ORDER BY doc, offset"):
        fts.setdefault(doc, []).append(term)
    mismatches = [(t, fts.get(i), fts_tokens(t)) for i, t in enumerate(texts) if fts.get(i, []) != fts_tokens(t)]
    assert not mismatches, mismatches[:5]
