"""The one retry policy: backoff and jitter, attempts and deadline, Retry-After, which errors are
retried, and name-resolution failures that fail fast (harvest HTTP and the Elasticsearch transport)."""

from __future__ import annotations

import random
import socket
import time

import pytest

from textmine.retry import (
    RetryableError,
    RetryExhausted,
    RetryPolicy,
    is_name_resolution_error,
    parse_retry_after,
)


class FakeTime:
    """A clock that only moves when slept on: tests wait for nothing and see every wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def failing(times: int, error: Exception, result: str = "ok"):
    calls = {"n": 0}

    def call() -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise error
        return result

    return call, calls


def test_full_jitter_backoff_stays_under_the_doubling_ceiling_and_the_cap():
    policy = RetryPolicy(backoff_base=0.5, backoff_max=4.0)
    rng = random.Random(1)
    for attempt in range(12):
        ceiling = min(4.0, 0.5 * 2**attempt)
        waits = [policy.backoff(attempt, rng) for _ in range(200)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) > 0.8 * ceiling  # the whole range is used, not just its bottom


def test_partial_jitter_keeps_the_fixed_part_of_the_wait():
    policy = RetryPolicy(backoff_base=1.0, backoff_max=8.0, jitter=0.25)
    rng = random.Random(2)
    for attempt, ceiling in enumerate([1, 2, 4, 8, 8]):
        for _ in range(50):
            assert 0.75 * ceiling <= policy.backoff(attempt, rng) <= ceiling
    assert RetryPolicy(backoff_base=1.0, jitter=0.0).backoff(3) == 8.0  # no jitter: the schedule itself
    assert RetryPolicy(backoff_max=60).backoff(10_000) <= 60  # no overflow on absurd attempt numbers


def test_retryable_errors_are_retried_until_success_with_the_backoff_between():
    t = FakeTime()
    call, calls = failing(3, RetryableError("HTTP 503"))
    policy = RetryPolicy(attempts=5, backoff_base=1.0, jitter=0.0)
    assert policy.run(call, sleep=t.sleep, clock=t.clock) == "ok"
    assert calls["n"] == 4 and t.sleeps == [1.0, 2.0, 4.0]


def test_other_errors_escape_at_once():
    t = FakeTime()
    call, calls = failing(1, KeyError("bug"))
    with pytest.raises(KeyError):
        RetryPolicy().run(call, sleep=t.sleep, clock=t.clock)
    assert calls["n"] == 1 and t.sleeps == []


def test_a_classifier_decides_which_foreign_errors_are_retried():
    t = FakeTime()
    call, calls = failing(2, ConnectionResetError("reset"))
    policy = RetryPolicy(attempts=3, jitter=0.0, backoff_base=0.1)
    assert policy.run(call, retryable=lambda e: isinstance(e, ConnectionError), sleep=t.sleep, clock=t.clock) == "ok"
    assert calls["n"] == 3


def test_attempts_exhausted_raise_with_the_last_error_and_the_count():
    t = FakeTime()
    call, calls = failing(10, RetryableError("HTTP 502"))
    with pytest.raises(RetryExhausted) as info:
        RetryPolicy(attempts=3, backoff_base=0.01).run(call, sleep=t.sleep, clock=t.clock)
    assert calls["n"] == 3 and len(t.sleeps) == 2  # no pointless sleep after the last try
    assert info.value.attempts == 3 and isinstance(info.value.last, RetryableError)
    assert "gave up after 3 attempts" in str(info.value) and "HTTP 502" in str(info.value)


def test_the_deadline_stops_retrying_before_a_wait_would_pass_it():
    t = FakeTime()
    call, calls = failing(100, RetryableError("busy"))
    policy = RetryPolicy(attempts=None, deadline=10.0, backoff_base=1.0, backoff_max=4.0, jitter=0.0)
    with pytest.raises(RetryExhausted):
        policy.run(call, sleep=t.sleep, clock=t.clock)
    assert t.sleeps == [1.0, 2.0, 4.0]  # 7 s spent; the next 4 s wait would end past 10 s
    assert t.now <= 10.0


def test_retry_after_is_honoured_and_capped():
    t = FakeTime()
    call, _ = failing(1, RetryableError("HTTP 429", retry_after=7.0))
    RetryPolicy(backoff_base=100.0).run(call, sleep=t.sleep, clock=t.clock)
    assert t.sleeps == [7.0]  # what the server asked, not the (huge) backoff
    t = FakeTime()
    call, _ = failing(1, RetryableError("HTTP 429", retry_after=86_400.0))
    RetryPolicy(max_retry_after=60).run(call, sleep=t.sleep, clock=t.clock)
    assert t.sleeps == [60.0]


def test_on_retry_sees_every_retry():
    t = FakeTime()
    seen = []
    call, _ = failing(2, RetryableError("x"))
    RetryPolicy(jitter=0.0, backoff_base=0.5).run(call, sleep=t.sleep, clock=t.clock,
                                                    on_retry=lambda e, attempt, wait: seen.append((attempt, wait)))
    assert seen == [(0, 0.5), (1, 1.0)]


def test_a_policy_that_could_retry_forever_or_never_is_refused():
    with pytest.raises(ValueError):
        RetryPolicy(attempts=None, deadline=None)
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=1.5)


def _wrapped_gaierror() -> Exception:
    try:
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as inner:
            raise ConnectionError("connection failed") from inner
    except ConnectionError as outer:
        return outer


def test_name_resolution_errors_are_recognised_through_wrapping():
    assert is_name_resolution_error(_wrapped_gaierror())
    assert is_name_resolution_error(OSError("[Errno -3] Temporary failure in name resolution"))
    assert not is_name_resolution_error(ConnectionRefusedError("[Errno 111] Connection refused"))
    assert not is_name_resolution_error(RetryableError("HTTP 503"))


def test_name_resolution_errors_fail_fast_even_when_the_classifier_says_retry():
    t = FakeTime()
    call, calls = failing(5, _wrapped_gaierror())
    with pytest.raises(ConnectionError):
        RetryPolicy(attempts=5).run(call, retryable=lambda e: True, sleep=t.sleep, clock=t.clock)
    assert calls["n"] == 1 and t.sleeps == []


def test_parse_retry_after_never_raises_on_junk():
    for junk in ("", "soon", "-5", "Mon, 99 Foo 2026", "1.5"):
        assert parse_retry_after(junk) is None or parse_retry_after(junk) >= 0


# --- the two users, against the real network stack (a .invalid name never resolves: RFC 2606) ---


def test_harvest_client_fails_fast_on_a_host_that_does_not_resolve():
    from textmine.sources.http import FetchError, HarvestClient, RateLimit

    slept: list[float] = []
    started = time.monotonic()
    with HarvestClient(rate=RateLimit(100, 1.0, burst=100), retry=RetryPolicy(attempts=5, backoff_base=10.0),
                       sleep=slept.append) as client:
        with pytest.raises(FetchError) as info:
            client.get("http://no-such-host.invalid/api")
    assert time.monotonic() - started < 10
    assert slept == [] and client.stats.requests == 1  # one try, no backoff
    assert "cannot resolve" in info.value.reason and "no-such-host.invalid" in info.value.reason
    assert "connection" in info.value.reason  # says what to check


def test_elasticsearch_transport_fails_fast_on_a_host_that_does_not_resolve():
    pytest.importorskip("elasticsearch")
    from textmine.store.base import StoreUnavailable
    from textmine.store.es_transport import Retrying, Timeouts, connect

    timeouts = Timeouts(request=5, retry_deadline=60, initial_backoff=5)
    client, connection = connect("es://no-such-host.invalid:9200", timeouts=timeouts)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        Retrying(connection, timeouts)(lambda: client.info())
    assert time.monotonic() - started < 10  # not the 60 s deadline
    assert "cannot resolve the Elasticsearch host 'no-such-host.invalid'" in str(info.value)


def test_elasticsearch_transport_retries_refused_connections_until_the_deadline():
    pytest.importorskip("elasticsearch")
    from textmine.store.base import StoreUnavailable
    from textmine.store.es_transport import Retrying, Timeouts, connect

    timeouts = Timeouts(request=2, retry_deadline=1.5, initial_backoff=0.2, max_backoff=0.4)
    client, connection = connect("es://127.0.0.1:9", timeouts=timeouts)  # discard port: refused
    tries = []
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        Retrying(connection, timeouts)(lambda: tries.append(1) or client.info())
    assert len(tries) >= 3 and time.monotonic() - started < 5
    assert "is not answering" in str(info.value) and "es.sh start" in str(info.value)
