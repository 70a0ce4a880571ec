"""The server keeps an idle connection open longer than uvicorn's default 5 s: a client reusing a
connection the server is closing at that moment loses its request (one ReadError in 4,766 requests
of the 50-client load run on Elasticsearch, bench/results/bench_api.md)."""

from __future__ import annotations

import time

import httpx


def local_port(response: httpx.Response) -> int:
    return response.extensions["network_stream"].get_extra_info("client_addr")[1]


def test_an_idle_connection_outlives_uvicorns_default_keep_alive(readonly_api):
    # the client would drop an idle connection after 5 s of its own: keep it longer than the wait
    with httpx.Client(base_url=readonly_api, timeout=10, limits=httpx.Limits(keepalive_expiry=60)) as client:
        first = client.get("/health")
        first_port = local_port(first)
        time.sleep(6.5)  # past uvicorn's default timeout_keep_alive (5 s)
        second = client.get("/health")
        second_port = local_port(second)
    assert first.status_code == second.status_code == 200
    assert first_port == second_port  # one TCP connection: the server did not close it
