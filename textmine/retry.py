"""One retry policy for every remote call: harvest HTTP (`textmine.sources.http`) and the
Elasticsearch transport (`textmine.store.es_transport`).

    policy = RetryPolicy(attempts=5, backoff_base=1.0, backoff_max=60.0)
    result = policy.run(call, retryable=lambda exc: isinstance(exc, ConnectionError))

`run` calls `call()` until it returns, an error that is not retryable escapes, or the policy is
spent (`attempts` tries, or `deadline` seconds): then `RetryExhausted` carries the last error for
the caller to turn into its own clear message. Between tries it sleeps an exponential backoff
(`backoff_base * 2**k`, capped at `backoff_max`) of which the fraction `jitter` is random, unless
the error says how long the server asked to wait (`Retry-After`, capped at `max_retry_after`).

A host name that does not resolve is never retried: it means no network or a wrong name, and
waiting does not fix either (`is_name_resolution_error`). Pure standard library, no IO of its
own: sleep, clock and random source are injectable so tests wait for nothing.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import socket
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")
Sleep = Callable[[float], None]
Clock = Callable[[], float]

# 429 and the 5xx that mean "try again later"; other 4xx are the caller's mistake and final.
RETRY_STATUSES: frozenset[int] = frozenset({408, 425, 429, 500, 502, 503, 504})


class RetryableError(Exception):
    """Raised inside a call to ask for another try (e.g. an HTTP 503); `retry_after` is the wait
    the server asked for, in seconds, if it said."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class RetryExhausted(Exception):
    """Every try failed; `last` is the last error, `attempts` how many tries were made."""

    def __init__(self, last: BaseException, attempts: int, elapsed: float) -> None:
        super().__init__(f"gave up after {attempts} attempt{'s' if attempts != 1 else ''} in {elapsed:.1f} s: {describe(last)}")
        self.last = last
        self.attempts = attempts
        self.elapsed = elapsed


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    `attempts`: tries in all (None: as many as `deadline` allows). `deadline`: seconds after the
    first try past which no retry is started (None: no limit). `jitter`: the random fraction of each
    backoff; 1.0 is "full jitter", uniform(0, d), which spreads out many clients best.
    `statuses`: the HTTP statuses worth retrying (for callers that speak HTTP).
    """

    attempts: int | None = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    jitter: float = 1.0
    max_retry_after: float = 300.0
    deadline: float | None = None
    statuses: frozenset[int] = RETRY_STATUSES

    def __post_init__(self) -> None:
        if self.attempts is None and self.deadline is None:
            raise ValueError("a RetryPolicy needs attempts or a deadline, or it could retry forever")
        if self.attempts is not None and self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, not {self.attempts}")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"jitter is a fraction in [0, 1], not {self.jitter}")

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait after failed try number `attempt` (0-based) when the server did not say."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** min(attempt, 64))
        fixed = ceiling * (1.0 - self.jitter)
        return fixed + (rng or random).uniform(0.0, ceiling - fixed)

    def delay(self, attempt: int, rng: random.Random | None = None, retry_after: float | None = None) -> float:
        """The wait after failed try `attempt`: what the server asked (capped), else the backoff."""
        if retry_after is not None:
            return min(max(0.0, retry_after), self.max_retry_after)
        return self.backoff(attempt, rng)

    def run(
        self,
        call: Callable[[], T],
        *,
        retryable: Callable[[BaseException], bool] = lambda exc: isinstance(exc, RetryableError),
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
        on_retry: Callable[[BaseException, int, float], None] | None = None,
    ) -> T:
        """`call()` until it returns; raise `RetryExhausted` when the policy is spent.

        An error is retried when it is a `RetryableError` or `retryable(error)` says so, and it is
        not a name-resolution failure. `on_retry(error, attempt, wait)` runs before each sleep.
        """
        started = clock()
        attempt = 0
        while True:
            try:
                return call()
            except Exception as exc:  # noqa: BLE001 - classified below; what is not retryable escapes
                if is_name_resolution_error(exc) or not (isinstance(exc, RetryableError) or retryable(exc)):
                    raise
                wait = self.delay(attempt, rng, retry_after=getattr(exc, "retry_after", None))
                attempt += 1
                elapsed = clock() - started
                if (self.attempts is not None and attempt >= self.attempts) or (
                    self.deadline is not None and elapsed + wait > self.deadline
                ):
                    raise RetryExhausted(exc, attempt, elapsed) from exc
                if on_retry is not None:
                    on_retry(exc, attempt - 1, wait)
                sleep(wait)


# --- what an error means ----------------------------------------------------------------------

_RESOLUTION_MESSAGES = (
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname provided",
    "no address associated with hostname",
    "getaddrinfo failed",
    "failed to resolve",
)


def causes(exc: BaseException) -> list[BaseException]:
    """`exc` and everything it wraps (`__cause__`, `__context__`, an `errors` tuple), each once."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 32:
        current = todo.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        todo.extend(e for e in getattr(current, "errors", ()) or () if isinstance(e, BaseException))
    return seen


def is_name_resolution_error(exc: BaseException) -> bool:
    """True when `exc` comes from a host name that did not resolve (DNS): offline, or a typo."""
    for cause in causes(exc):
        if isinstance(cause, socket.gaierror):
            return True
        if any(m in str(cause).lower() for m in _RESOLUTION_MESSAGES):
            return True
    return False


def describe(exc: BaseException) -> str:
    if isinstance(exc, RetryableError):
        return exc.reason
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def unresolved_host_message(host: str, what: str = "the host") -> str:
    """One clear line for a failed name lookup, saying what to do next."""
    return (
        f"cannot resolve {what} {host!r}: no network connection, or a wrong host name "
        "(not retried: waiting does not fix it). Check the connection and the URL, then re-run."
    )


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


__all__ = [
    "RETRY_STATUSES", "RetryExhausted", "RetryPolicy", "RetryableError", "causes", "describe",
    "is_name_resolution_error", "parse_retry_after", "unresolved_host_message",
]
