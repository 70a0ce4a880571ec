"""The transport layer every source shares: one `httpx.Client` with explicit timeouts, a token
bucket per source, and retries with exponential backoff + jitter that honour `Retry-After`
(the one `textmine.retry.RetryPolicy` the Elasticsearch transport uses too). A host name that does
not resolve fails at once with a clear reason: offline, retrying only wastes the user's time.

Adapters never call httpx directly; they ask `HarvestClient.get(...)` and receive either a
successful response or a `FetchError` that says why the request was given up.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, TypeVar
from urllib.parse import urlsplit

import httpx

from textmine import __version__
from textmine.retry import RETRY_STATUSES, RetryPolicy, parse_retry_after  # noqa: F401  (re-exported: the policy and its parts)
from textmine.retry import Clock, RetryableError, RetryExhausted, Sleep, describe, is_name_resolution_error, unresolved_host_message

T = TypeVar("T")

USER_AGENT = f"textmine/{__version__} (+https://github.com/textmine; materials-science text mining)"


@dataclass(frozen=True)
class RateLimit:
    """`requests` per `per_seconds`, with up to `burst` requests sent back to back."""

    requests: float = 1.0
    per_seconds: float = 1.0
    burst: int = 1

    @property
    def rate(self) -> float:
        return self.requests / self.per_seconds

    def describe(self) -> str:
        if self.per_seconds == 1:
            return f"{self.requests:g} req/s"
        return f"{self.requests:g} req / {self.per_seconds:g} s"


class TokenBucket:
    """Blocks in `acquire()` until a request may go out under `limit`. Thread-safe."""

    def __init__(self, limit: RateLimit, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(limit.burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping as long as needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(float(self.limit.burst), self._tokens + (now - self._stamp) * self.limit.rate)
                self._stamp = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return waited
                delay = (1.0 - self._tokens) / self.limit.rate
            self._sleep(delay)
            waited += delay


DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class FetchError(RuntimeError):
    """A request failed for good (retries exhausted or a final 4xx); `reason` is for `Failure`."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    waited_s: float = 0.0
    bytes: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


class HarvestClient:
    """One polite HTTP client per source: rate-limited, retrying, with explicit timeouts.

    `sleep` and `rng` are injectable so tests run with tiny backoffs and can assert the waits
    the server asked for without waiting them.
    """

    def __init__(
        self,
        *,
        rate: RateLimit = RateLimit(),
        retry: RetryPolicy = RetryPolicy(),
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        sleep: Sleep = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        follow_redirects: bool = True,
    ) -> None:
        self.rate = rate
        self.retry = retry
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.bucket = TokenBucket(rate, sleep=sleep)
        self.stats = ClientStats()
        self._client = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
            follow_redirects=follow_redirects,
            transport=transport,
        )

    def get(self, url: str, *, params: Mapping[str, object] | None = None, headers: Mapping[str, str] | None = None,
            ok: tuple[int, ...] = (200,)) -> httpx.Response:
        return self.request("GET", url, params=params, headers=headers, ok=ok)

    def post(self, url: str, *, params: Mapping[str, object] | None = None, json: object = None,
             headers: Mapping[str, str] | None = None, ok: tuple[int, ...] = (200,)) -> httpx.Response:
        return self.request("POST", url, params=params, json=json, headers=headers, ok=ok)

    def request(self, method: str, url: str, *, params: Mapping[str, object] | None = None, json: object = None,
                headers: Mapping[str, str] | None = None, ok: tuple[int, ...] = (200,)) -> httpx.Response:
        """Send until a status in `ok` arrives (body fully read), or raise `FetchError`."""
        return self.stream(method, url, params=params, json=json, headers=headers, ok=ok, consume=_read_body)

    def stream(self, method: str, url: str, *, consume: Callable[[httpx.Response], T],
               params: Mapping[str, object] | None = None, json: object = None,
               headers: Mapping[str, str] | None = None, ok: tuple[int, ...] = (200,)) -> T:
        """Like `request`, but hands a successful response to `consume` while its body is still
        streaming (a bulk file goes to disk chunk by chunk). A transfer cut short raises inside
        `consume` and the whole attempt is retried, so `consume` must start afresh each time."""
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        status: list[int | None] = [None]

        def attempt() -> T:
            self.stats.waited_s += self.bucket.acquire()
            self.stats.requests += 1
            status[0] = None
            try:
                with self._client.stream(method, url, params=clean, json=json, headers=headers) as response:
                    status[0] = response.status_code
                    self.stats.statuses[response.status_code] = self.stats.statuses.get(response.status_code, 0) + 1
                    if response.status_code in ok:
                        result = consume(response)
                        self.stats.bytes += response.num_bytes_downloaded
                        return result
                    response.read()
            except httpx.TimeoutException as exc:
                raise RetryableError(f"timeout ({type(exc).__name__})") from exc
            except httpx.TransportError as exc:  # refused, reset, or a body cut short
                if is_name_resolution_error(exc):
                    raise FetchError(url, unresolved_host_message(urlsplit(url).hostname or url)) from exc
                raise RetryableError(f"connection error ({type(exc).__name__}: {exc})") from exc
            if response.status_code not in self.retry.statuses:
                raise FetchError(str(response.url), _describe(response), response.status_code)
            raise RetryableError(f"HTTP {response.status_code}", retry_after=parse_retry_after(response.headers.get("Retry-After")))

        def count_retry(exc: BaseException, attempt: int, wait: float) -> None:
            self.stats.retries += 1

        try:
            return self.retry.run(attempt, sleep=self._sleep, rng=self._rng, on_retry=count_retry)
        except RetryExhausted as exc:
            raise FetchError(url, f"gave up after {exc.attempts} attempts: {describe(exc.last)}", status[0]) from exc

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HarvestClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_body(response: httpx.Response) -> httpx.Response:
    response.read()
    return response


def _describe(response: httpx.Response) -> str:
    text = response.text[:200].strip().replace("\n", " ") if response.content else ""
    hint = {
        401: "unauthorised: check the API key (--api-key or the source's env variable)",
        403: "forbidden: the key has no entitlement for this content, or the IP is not registered",
        404: "not found",
    }.get(response.status_code, "")
    return " - ".join(x for x in (f"HTTP {response.status_code}", hint, text) if x)
