"""Fixtures of the cluster tests (helpers in cluster_support.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from cluster_support import LoopbackCluster, require_dask


@pytest.fixture
def loopback(tmp_path: Path) -> Iterator[LoopbackCluster]:
    """A scheduler and two plain worker processes (no nanny: a killed worker stays dead)."""
    require_dask()
    cluster = LoopbackCluster(tmp_path).start(2)
    try:
        yield cluster
    finally:
        cluster.stop()
