"""Connection, retries and bulk writes for the Elasticsearch store.

The client's own retries are switched off (`max_retries=0`): they retry at once, with no backoff,
which only hammers a node that is busy (429) or restarting. Instead every call goes through
`Retrying`, which runs the shared `textmine.retry.RetryPolicy` (the one harvesting uses): it backs
off exponentially on 429, 502/503/504 and connection errors up to an explicit deadline, then
raises `StoreUnavailable` with what to do next. A host name that does not resolve fails at once.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, TypeVar
from urllib.parse import unquote, urlsplit

from textmine.retry import RetryableError, RetryExhausted, RetryPolicy, is_name_resolution_error, unresolved_host_message
from textmine.store.base import StoreUnavailable

try:
    from elastic_transport import TlsError
    from elasticsearch import ApiError, ConnectionTimeout, Elasticsearch
    from elasticsearch import ConnectionError as ESConnectionError
except ImportError as exc:  # pragma: no cover - exercised only without the extra installed
    raise ImportError("the Elasticsearch store needs its client: pip install 'textmine[es]'") from exc

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_STATUS = frozenset({429, 502, 503, 504})
DEFAULT_PREFIX = "textmine"


@dataclass(frozen=True)
class Timeouts:
    """Explicit limits, never the client's defaults."""

    request: float = 30.0  # one HTTP request
    bulk_request: float = 120.0  # one bulk chunk (a large chunk on a busy node takes a while)
    retry_deadline: float = 60.0  # keep retrying a failing call this long, then give up
    initial_backoff: float = 0.5
    max_backoff: float = 10.0

    @classmethod
    def from_env(cls) -> "Timeouts":
        """The defaults, with `retry_deadline` from TEXTMINE_ES_RETRY_DEADLINE (seconds) when it is set."""
        raw = os.environ.get("TEXTMINE_ES_RETRY_DEADLINE")
        if not raw:
            return cls()
        try:
            return cls(retry_deadline=float(raw))
        except ValueError:
            raise StoreUnavailable(f"TEXTMINE_ES_RETRY_DEADLINE={raw!r} is not a number of seconds") from None


@dataclass(frozen=True)
class Connection:
    url: str  # as the user gave it (credentials removed)
    http_url: str
    prefix: str


def parse_url(url: str) -> tuple[str, str, str | None, str | None]:
    """'es://host:9200/prefix', 'es+https://user:pw@host:9243', 'http://host:9200' ->
    (http url, index prefix, user, password). The path, if any, is the index prefix."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("es", "es+http", "http"):
        http_scheme = "http"
    elif scheme in ("es+https", "https"):
        http_scheme = "https"
    else:
        raise ValueError(f"not an Elasticsearch store URL: {url!r} (use es://host:9200 or es+https://host:9243)")
    if not parts.hostname:
        raise ValueError(f"no host in {url!r}: use es://host:9200")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    port = parts.port or 9200
    prefix = parts.path.strip("/") or DEFAULT_PREFIX
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return f"{http_scheme}://{host}:{port}", prefix, user, password


def connect(
    url: str,
    *,
    index_prefix: str | None = None,
    api_key: str | None = None,
    basic_auth: tuple[str, str] | None = None,
    ca_certs: str | None = None,
    verify_certs: bool | None = None,
    timeouts: Timeouts = Timeouts(),
) -> tuple[Elasticsearch, Connection]:
    """Build a client from the URL, explicit options and the TEXTMINE_ES_* environment."""
    http_url, prefix, user, password = parse_url(url)
    prefix = index_prefix or os.environ.get("TEXTMINE_ES_PREFIX") or prefix
    if prefix != prefix.lower() or any(c in prefix for c in ' "*\\<|,>/?#:'):
        raise ValueError(f"index prefix {prefix!r} must be lowercase, without spaces or any of \"*\\<|,>/?#:")
    api_key = api_key or os.environ.get("TEXTMINE_ES_API_KEY")
    if basic_auth is None:
        user = user or os.environ.get("TEXTMINE_ES_USER")
        password = password or os.environ.get("TEXTMINE_ES_PASSWORD")
        if user:
            basic_auth = (user, password or "")
    ca_certs = ca_certs or os.environ.get("TEXTMINE_ES_CA_CERTS")
    if verify_certs is None:
        verify_certs = os.environ.get("TEXTMINE_ES_VERIFY_CERTS", "true").lower() not in ("0", "false", "no")
    options: dict[str, Any] = {
        "request_timeout": timeouts.request,
        "max_retries": 0,  # `Retrying` does it, with backoff
        "retry_on_timeout": False,
    }
    if api_key:
        options["api_key"] = api_key
    elif basic_auth:
        options["basic_auth"] = basic_auth
    if http_url.startswith("https"):
        options["verify_certs"] = verify_certs
        if ca_certs:
            options["ca_certs"] = ca_certs
    client = Elasticsearch(http_url, **options)
    clean = url if "@" not in url else url.split("://", 1)[0] + "://" + url.split("@", 1)[1]
    return client, Connection(url=clean, http_url=http_url, prefix=prefix)


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, TlsError):
        return False  # a certificate problem does not go away by waiting
    if isinstance(exc, (ESConnectionError, ConnectionTimeout)):
        return True  # connection refused/reset, node restarting, request timed out
    return isinstance(exc, ApiError) and exc.meta.status in RETRY_STATUS


class Retrying:
    """Run calls with exponential backoff (with jitter) until they succeed or the deadline passes."""

    def __init__(self, connection: Connection, timeouts: Timeouts) -> None:
        self.connection = connection
        self.timeouts = timeouts
        self.policy = RetryPolicy(
            attempts=None,
            deadline=timeouts.retry_deadline,
            backoff_base=timeouts.initial_backoff,
            backoff_max=timeouts.max_backoff,
            jitter=0.5,  # a few clients at most: keep the waits near the schedule
            statuses=RETRY_STATUS,
        )

    def unavailable(self, exc: BaseException) -> StoreUnavailable:
        return StoreUnavailable(
            f"Elasticsearch at {self.connection.http_url} is not answering ({type(exc).__name__}: {exc}); "
            f"gave up after {self.timeouts.retry_deadline:.0f}s of retries. Start it "
            "(`services/elasticsearch/es.sh start` for a local node) or point TEXTMINE_STORE / --store at a "
            "running cluster, then re-run: writes are idempotent, nothing is duplicated."
        )

    def __call__(self, fn: Callable[[], T]) -> T:
        return self.run(fn, _retryable)

    def run(self, fn: Callable[[], T], retryable: Callable[[BaseException], bool]) -> T:
        try:
            return self.policy.run(fn, retryable=retryable, on_retry=_log_retry)
        except RetryExhausted as exc:
            raise self.unavailable(exc.last) from exc
        except TlsError as exc:
            raise StoreUnavailable(
                f"TLS with Elasticsearch at {self.connection.http_url} failed ({exc}): set TEXTMINE_ES_CA_CERTS to "
                "the PEM file of the CA that signed the cluster's certificate"
            ) from exc
        except ApiError as exc:
            if exc.meta.status == 401:
                raise StoreUnavailable(
                    f"Elasticsearch at {self.connection.http_url} refused the credentials: set TEXTMINE_ES_API_KEY, "
                    "or TEXTMINE_ES_USER and TEXTMINE_ES_PASSWORD (see docs/elasticsearch.md)"
                ) from exc
            raise
        except ESConnectionError as exc:
            if is_name_resolution_error(exc):
                host = self.connection.http_url.split("://", 1)[-1].rsplit(":", 1)[0]
                raise StoreUnavailable(unresolved_host_message(host, "the Elasticsearch host")) from exc
            raise


def _log_retry(exc: BaseException, attempt: int, wait: float) -> None:
    log.warning("Elasticsearch call failed (%s); retrying in %.1fs", exc, wait)


# ----------------------------------------------------------------------------------- bulk

Action = tuple[dict[str, Any], dict[str, Any] | None]  # (action line, source or None for delete)


def chunks(actions: Iterable[Action], max_actions: int, max_bytes: int) -> Iterator[list[str]]:
    """Serialised NDJSON lines in chunks bounded by count and bytes: memory stays bounded."""
    lines: list[str] = []
    size = count = 0
    for action, source in actions:
        item = [json.dumps(action, separators=(",", ":"))]
        if source is not None:
            item.append(json.dumps(source, separators=(",", ":"), ensure_ascii=False))
        item_size = sum(len(x) + 1 for x in item)
        if lines and (count >= max_actions or size + item_size > max_bytes):
            yield lines
            lines, size, count = [], 0, 0
        lines.extend(item)
        size += item_size
        count += 1
    if lines:
        yield lines


class BulkError(RuntimeError):
    """Some bulk items were rejected for a reason retrying cannot fix (e.g. a mapping conflict)."""


class _ItemsRejected(RetryableError):
    """Some items of a bulk chunk came back 429/5xx: the chunk is re-sent with just those."""


def send_bulk(client: Elasticsearch, retrying: Retrying, lines: list[str], timeout: float) -> int:
    """Send one chunk; items rejected with 429 (or 5xx) are re-sent, with backoff, until accepted."""
    pending = lines
    written = 0

    def attempt() -> int:
        nonlocal pending, written
        body = "\n".join(pending) + "\n"
        response = retrying(lambda: client.options(request_timeout=timeout).bulk(operations=body))
        if not response.get("errors"):
            return written + len(response["items"])
        retry: list[str] = []
        fatal: list[str] = []
        position = 0
        for item in response["items"]:
            (op, result), = item.items()
            width = 1 if op == "delete" else 2
            status = result.get("status", 500)
            if status < 300 or (op == "delete" and status == 404):
                written += 1
            elif status in RETRY_STATUS or status >= 500:
                retry.extend(pending[position : position + width])
            else:
                fatal.append(f"{op} {result.get('_id')}: {result.get('error')}")
            position += width
        if fatal:
            raise BulkError(f"{len(fatal)} bulk item(s) rejected, first: {fatal[0]}")
        if not retry:
            return written
        pending = retry
        raise _ItemsRejected(f"{len(retry) // 2} bulk items still rejected (429/5xx)")

    return retrying.run(attempt, lambda exc: False)
