"""Shared fixtures. Tests read ../shared/data by path (never copied in) and skip with a reason
when it is absent; CI always has it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (set TEXTMINE_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_corpus() -> Path:
    return ROOT / "corpora" / "demo"
