"""The transport core against a real loopback server: retries, Retry-After, timeouts, truncation,
rate limiting."""

from __future__ import annotations

import datetime as dt
import email.utils

import httpx
import pytest

from textmine.sources.http import FetchError, HarvestClient, RateLimit, RetryPolicy, TokenBucket, parse_retry_after

from tests.sources.replay import Reply


def _client(sleeps, **kw) -> HarvestClient:
    return HarvestClient(
        rate=kw.pop("rate", RateLimit(10_000, 1.0, burst=10_000)),
        retry=kw.pop("retry", RetryPolicy(attempts=4, backoff_base=0.001, backoff_max=0.01)),
        timeout=kw.pop("timeout", httpx.Timeout(2.0)),
        sleep=sleeps,
        **kw,
    )


def test_retry_after_seconds_is_honoured_on_429(replay, sleeps):
    replay.route("/x", Reply(b"ok", content_type="text/plain"))
    replay.fault("/x", Reply(b"slow down", status=429, headers={"Retry-After": "7"}))
    with _client(sleeps) as client:
        response = client.get(replay.url + "/x")
    assert response.text == "ok"
    assert 7.0 in sleeps.calls  # waited exactly what the server asked, not a backoff guess
    assert client.stats.statuses == {429: 1, 200: 1}
    assert len(replay.requests("/x")) == 2


def test_retry_after_http_date_is_honoured_on_503(replay, sleeps):
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)
    replay.route("/x", Reply(b"ok"))
    replay.fault("/x", Reply(b"", status=503, headers={"Retry-After": email.utils.format_datetime(when, usegmt=True)}))
    with _client(sleeps) as client:
        assert client.get(replay.url + "/x").status_code == 200
    assert len(sleeps.calls) == 1 and 25 <= sleeps.calls[0] <= 30


def test_retry_after_is_capped(replay, sleeps):
    replay.route("/x", Reply(b"ok"))
    replay.fault("/x", Reply(b"", status=429, headers={"Retry-After": "86400"}))
    with _client(sleeps, retry=RetryPolicy(attempts=3, max_retry_after=60)) as client:
        client.get(replay.url + "/x")
    assert sleeps.calls == [60]


def test_parse_retry_after_forms():
    now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0  # in the past: go now
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_500s_are_retried_with_growing_jittered_backoff(replay, sleeps):
    replay.route("/x", Reply(b"ok"))
    replay.fault("/x", Reply(b"boom", status=500), times=3)
    policy = RetryPolicy(attempts=4, backoff_base=0.001, backoff_max=1.0)
    with _client(sleeps, retry=policy) as client:
        assert client.get(replay.url + "/x").text == "ok"
    assert len(sleeps.calls) == 3
    for attempt, slept in enumerate(sleeps.calls):  # full jitter: uniform(0, base * 2**attempt)
        assert 0 <= slept <= 0.001 * 2**attempt


def test_gives_up_after_the_attempts_with_a_clear_reason(replay, sleeps):
    replay.route("/x", Reply(b"down", status=502))
    with _client(sleeps, retry=RetryPolicy(attempts=3, backoff_base=0.001)) as client:
        with pytest.raises(FetchError) as info:
            client.get(replay.url + "/x")
    assert "gave up after 3 attempts: HTTP 502" in info.value.reason
    assert len(replay.requests("/x")) == 3


def test_client_errors_are_final_and_explained(replay, sleeps):
    replay.route("/x", Reply(b'{"error":"bad key"}', status=401, content_type="application/json"))
    with _client(sleeps) as client:
        with pytest.raises(FetchError) as info:
            client.get(replay.url + "/x")
    assert info.value.status == 401 and "API key" in info.value.reason
    assert len(replay.requests("/x")) == 1 and sleeps.calls == []


def test_read_timeout_is_retried(replay, sleeps):
    replay.route("/x", Reply(b"ok"))
    replay.fault("/x", Reply(b"late", delay=2.0))
    with _client(sleeps, timeout=httpx.Timeout(1.0)) as client:
        assert client.get(replay.url + "/x").text == "ok"
    assert client.stats.retries == 1


def test_truncated_body_is_retried(replay, sleeps):
    body = b"<feed>" + b"x" * 5000 + b"</feed>"
    replay.route("/x", Reply(body))
    replay.fault("/x", Reply(body, truncate=100))
    with _client(sleeps) as client:
        assert client.get(replay.url + "/x").content == body
    assert client.stats.retries == 1


def test_connection_refused_is_retried_then_reported(sleeps):
    with _client(sleeps, retry=RetryPolicy(attempts=2, backoff_base=0.001)) as client:
        with pytest.raises(FetchError) as info:
            client.get("http://127.0.0.1:9/nothing")  # discard port: nothing listens
    assert "connection error" in info.value.reason


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_token_bucket_spaces_requests_to_the_published_rate():
    clock = FakeClock()
    bucket = TokenBucket(RateLimit(1, 3.0), clock=clock, sleep=clock.sleep)  # arXiv: 1 request / 3 s
    stamps = []
    for _ in range(4):
        bucket.acquire()
        stamps.append(clock.now)
    assert stamps == pytest.approx([0.0, 3.0, 6.0, 9.0])


def test_token_bucket_allows_a_burst_then_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(RateLimit(10, 1.0, burst=3), clock=clock, sleep=clock.sleep)
    for _ in range(3):
        assert bucket.acquire() == 0.0
    bucket.acquire()
    assert clock.now == pytest.approx(0.1)


def test_client_rate_limit_is_real_time(replay):
    import time

    replay.route("/x", Reply(b"ok"))
    with HarvestClient(rate=RateLimit(20, 1.0), retry=RetryPolicy(attempts=1)) as client:
        started = time.perf_counter()
        for _ in range(5):
            client.get(replay.url + "/x")
        elapsed = time.perf_counter() - started
    assert elapsed >= 4 / 20 - 0.01  # 5 requests at 20/s: at least 4 gaps of 50 ms
