"""`--cluster SPEC` -> a Dask client: `local` (one worker process per core), `local:N`,
`tcp://HOST:8786` (any running scheduler: `dask scheduler`, `textmine cluster slurm`, Kubernetes),
or a scheduler file (`scheduler.json`, as `dask scheduler --scheduler-file` writes it)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from textmine.cluster import ClusterUnavailable, require_dask

CONNECT_TIMEOUT = 30  # seconds to reach a scheduler


@dataclass
class ClusterHandle:
    client: Any
    address: str
    dashboard: str
    local: Any = None  # the LocalCluster this process started, if any

    def nthreads(self) -> int:
        return sum(self.client.nthreads().values())

    def close(self) -> None:
        self.client.close()
        if self.local is not None:
            self.local.close()


def parse_spec(spec: str) -> tuple[str, int | None]:
    """('local', N or None) | ('address', None) | ('file', None); ValueError with the accepted forms."""
    text = spec.strip()
    if text == "local" or text.startswith("local:"):
        count = text.partition(":")[2]
        if count and (not count.isdigit() or int(count) < 1):
            raise ValueError(f"--cluster {spec!r}: local:N needs a number of worker processes >= 1")
        return "local", int(count) if count else None
    if "://" in text:
        return "address", None
    if text.endswith(".json"):
        return "file", None
    raise ValueError(f"--cluster {spec!r}: use local, local:N, tcp://HOST:8786 or a scheduler .json file")


def connect(spec: str, *, dashboard_address: str | None = None) -> ClusterHandle:
    require_dask()
    import dask
    from distributed import Client, LocalCluster

    kind, count = parse_spec(spec)
    if kind == "local":
        workers = count or os.cpu_count() or 1
        # One thread per process: extraction is Python (the GIL) and onnxruntime gets the
        # process's share of the cores. A document that kills its worker is retried once by
        # Dask, then the job's careful retry finds and quarantines it.
        env = {"TEXTMINE_ORT_THREADS": str(max(1, (os.cpu_count() or 1) // workers))}
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, env=env,
                                   dashboard_address=dashboard_address or os.environ.get("TEXTMINE_DASHBOARD", ":8787"),
                                   silence_logs=logging.ERROR)
        client = Client(cluster)
        return ClusterHandle(client, cluster.scheduler_address, client.dashboard_link or "", cluster)
    try:
        if kind == "file":
            client = Client(scheduler_file=spec, timeout=CONNECT_TIMEOUT)
        else:
            client = Client(spec, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterUnavailable(
            f"cannot reach the Dask scheduler at {spec} ({type(exc).__name__}: {exc}); start one (`dask scheduler`, "
            "`textmine cluster slurm ...`) and workers (`dask worker tcp://HOST:8786`), or use --cluster local:N"
        ) from None
    return ClusterHandle(client, client.scheduler.address, client.dashboard_link or "")


__all__ = ["ClusterHandle", "connect", "parse_spec"]
