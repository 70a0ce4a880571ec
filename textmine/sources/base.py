"""What a source adapter is: the shape of one API's pages, nothing else.

An adapter says where the API lives, how polite to be (its published rate limit), how to ask for
the first page and how to get from one page to the next. Everything else (HTTP, retries, rate
limiting, the raw payload store, cursors, de-duplication) is the harvesting core's job.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, ClassVar, Iterable, Mapping, TypeVar

import httpx

from textmine.document import Document
from textmine.readers.base import ReaderError
from textmine.records import Failure
from textmine import registry
from textmine.registry import Registry
from textmine.sources.http import DEFAULT_TIMEOUT, FetchError, HarvestClient, RateLimit, RetryPolicy, Sleep
from textmine.readers.payloads import MalformedPayload
from textmine.sources.rawstore import RawStore

T = TypeVar("T")
Cursor = dict[str, Any]


class SourceConfigError(ValueError):
    """The source cannot run as configured (missing key, bad query); the message says the fix."""


class PageError(RuntimeError):
    """A page could not be fetched or parsed even after retries."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class HarvestQuery:
    """What to harvest. `query` is the source's own query language (an arXiv search, an OAI set,
    a list of DOIs or files for the TDM and bulk sources)."""

    query: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def key(self) -> dict[str, Any]:
        """What identifies this harvest's cursor. For an `@file` list the file's content counts,
        so an edited list starts afresh instead of resuming at a shifted offset."""
        key: dict[str, Any] = {"query": self.query, "since": str(self.since or ""), "until": str(self.until or "")}
        if self.query and self.query.startswith("@"):
            key["items_sha256"] = hashlib.sha256("\n".join(self.items()).encode()).hexdigest()
        return key

    def items(self) -> list[str]:
        """The query as a list: comma/whitespace/newline separated, or `@file` with one per line
        (`#` starts a comment line)."""
        return list(_split_items(self.query)) if self.query else []


@functools.lru_cache(maxsize=16)
def _split_items(query: str) -> tuple[str, ...]:
    text = query
    if text.startswith("@"):
        with open(text[1:], encoding="utf-8") as fh:
            text = fh.read()
    items: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0] if line.lstrip().startswith("#") or " #" in line else line
        items += [t for t in line.replace(",", " ").split() if t]
    return tuple(items)


@dataclass(frozen=True)
class SourceSettings:
    base_url: str
    rate: RateLimit
    api_key: str | None = None
    inst_token: str | None = None
    mailto: str | None = None
    page_size: int = 100
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    retry: RetryPolicy = RetryPolicy()
    parse_attempts: int = 3  # a malformed body is refetched this many times before it is a failure
    sleep: Sleep = time.sleep

    def with_(self, **changes: Any) -> "SourceSettings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


@dataclass
class Page:
    """One page of a harvest. `items` may be lazy (a bulk file streams its patents); its order
    must be the same each time the page is fetched, because a resume skips what was delivered."""

    items: Iterable[Document | Failure]
    next_cursor: Cursor | None  # None: the harvest is complete
    total: int | None = None  # what the API says the whole result holds, for progress


class Source:
    """Base of every adapter. Subclasses set the class attributes and implement
    `first_cursor` and `fetch_page`; offset-paged APIs also `skip_page`."""

    name: ClassVar[str]
    description: ClassVar[str]
    base_url: ClassVar[str]
    rate: ClassVar[RateLimit]
    rate_note: ClassVar[str] = ""
    auth: ClassVar[str] = "none"  # none | optional | required
    paging: ClassVar[str] = ""
    page_size: ClassVar[int] = 100

    def __init__(self, settings: SourceSettings | None = None, *, raw: RawStore | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings or self.default_settings()
        if self.auth == "required" and not self.settings.api_key:
            raise SourceConfigError(
                f"{self.name} needs an API key: pass --api-key or set {env_name(self.name, 'API_KEY')}"
            )
        self.raw = raw
        self.client = HarvestClient(
            rate=self.settings.rate, retry=self.settings.retry, timeout=self.settings.timeout,
            headers=self.headers(), sleep=self.settings.sleep, transport=transport,
        )

    # -- configuration ----------------------------------------------------------------------
    @classmethod
    def default_settings(cls, **overrides: Any) -> SourceSettings:
        """Class defaults, then environment (`TEXTMINE_<SOURCE>_BASE_URL`, `_API_KEY`,
        `TEXTMINE_MAILTO`), then explicit overrides (CLI options)."""
        env = os.environ
        settings = SourceSettings(
            base_url=env.get(env_name(cls.name, "BASE_URL")) or cls.base_url,
            rate=cls.rate,
            api_key=env.get(env_name(cls.name, "API_KEY")) or None,
            inst_token=env.get(env_name(cls.name, "INST_TOKEN")) or None,
            mailto=env.get("TEXTMINE_MAILTO") or None,
            page_size=cls.page_size,
        )
        return settings.with_(**overrides)

    def headers(self) -> Mapping[str, str]:
        return {}

    def url(self, path: str = "") -> str:
        base = self.settings.base_url.rstrip("/")
        return f"{base}/{path.lstrip('/')}" if path else base

    # -- the adapter's part ------------------------------------------------------------------
    def first_cursor(self, query: HarvestQuery) -> Cursor:
        raise NotImplementedError

    def fetch_page(self, query: HarvestQuery, cursor: Cursor) -> Page:
        raise NotImplementedError

    def skip_page(self, query: HarvestQuery, cursor: Cursor) -> Cursor | None:
        """Where to go on after a page that failed for good; None when the next position is only
        known from inside that page (token/cursor paging): then the harvest stops there and a
        resume retries it."""
        return None

    # -- shared plumbing ----------------------------------------------------------------------
    def fetch(self, url: str, *, parse: Callable[[bytes, str], T], params: Mapping[str, Any] | None = None,
              headers: Mapping[str, str] | None = None, method: str = "GET", json: Any = None) -> T:
        """GET/POST `url`, keep the payload in the raw store, parse it. A malformed body (often a
        truncated transfer) is refetched; a body that stays malformed raises `PageError`, as does a
        request that fails for good."""
        last = ""
        for attempt in range(self.settings.parse_attempts):
            try:
                response = self.client.request(method, url, params=params, headers=headers, json=json)
            except FetchError as exc:
                raise PageError(exc.url, exc.reason, exc.status) from exc
            data = response.content
            where = str(response.url)
            if self.raw is not None:
                self.raw.put(data, source=self.name, url=where, content_type=response.headers.get("content-type", ""))
            try:
                return parse(data, where)
            except MalformedPayload as exc:
                last = str(exc)
                if attempt + 1 < self.settings.parse_attempts:
                    self.settings.sleep(self.settings.retry.backoff(attempt, self.client._rng))
            except ReaderError as exc:
                raise PageError(where, str(exc)) from exc
        raise PageError(url, f"{last} (after {self.settings.parse_attempts} attempts)")

    def close(self) -> None:
        self.client.close()


def env_name(source: str, what: str) -> str:
    return f"TEXTMINE_{source.upper().replace('-', '_')}_{what}"


def harvest_failure(url: str, reason: str, doc_id: str | None = None) -> Failure:
    return Failure(source=url, stage="harvest", reason=reason, doc_id=doc_id)


sources: Registry[type[Source]] = registry.sources  # the one registry (entry-point group textmine.sources)
