"""Fixtures for the harvesting tests: a replay server on loopback, fast polite settings, state."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Iterator

import httpx
import pytest

import textmine.sources  # noqa: F401  (registers payload readers and sources)
from textmine.sources.base import Source, SourceSettings
from textmine.sources.http import RateLimit, RetryPolicy
from textmine.sources.rawstore import RawStore
from textmine.sources.state import HarvestState

from tests.sources.replay import ReplayServer

FIXTURES = Path(__file__).parent / "fixtures"


class SleepLog:
    """Stands in for time.sleep: records what the core asked for, sleeps at most a millisecond."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        import time

        time.sleep(min(seconds, 0.001))


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


@pytest.fixture
def state(tmp_path: Path) -> Iterator[HarvestState]:
    s = HarvestState(tmp_path / "harvest.sqlite")
    yield s
    s.close()


@pytest.fixture
def raw(tmp_path: Path) -> RawStore:
    return RawStore(tmp_path / "raw")


@pytest.fixture
def make_source(replay: ReplayServer, sleeps: SleepLog, raw: RawStore):
    """Build a source pointed at the replay server, with tiny backoffs and no real rate limit."""
    opened: list[Source] = []

    def build(cls: type[Source], path: str = "", **overrides) -> Source:
        settings = SourceSettings(
            base_url=replay.url + path,
            rate=RateLimit(10_000, 1.0, burst=10_000),
            retry=RetryPolicy(attempts=4, backoff_base=0.001, backoff_max=0.01),
            timeout=httpx.Timeout(2.0),
            sleep=sleeps,
            page_size=cls.page_size,
        ).with_(**overrides)
        source = cls(settings, raw=raw)
        source.client._rng = random.Random(7)
        opened.append(source)
        return source

    yield build
    for source in opened:
        source.close()


@pytest.fixture(scope="session")
def docs(shared_data: Path) -> Path:
    return shared_data / "docs"
