"""Bulk corpus jobs on Dask distributed: the same job on a laptop (`--cluster local:4`), on any Dask
scheduler (`--cluster tcp://host:8786`), on Slurm/PBS through dask-jobqueue (`textmine cluster
slurm ...`) and on Kubernetes (docs/scaling.md).

    inputs (paths, raw stores, manifests) ──► shards in the job table (store) ──► Dask workers
        workers: read ─► extract (pipeline built once per process) ─► write to Elasticsearch
                                                                     └► or return Extractions ─► one writer (SQLite)
        client: commits a shard `done` only after its writes; retries failed shards (capped);
                quarantines a document that keeps killing its shard

Modules: `inputs` (inputs -> `InputRef`s -> shards), `tasks` (what travels to a worker and back),
`worker` (runs on workers), `driver` (the client side), `connect` (`--cluster` specs), `status`
(docs/s, ETA, failures by reason), `hpc` (dask-jobqueue), `cli` (`run --cluster`, `jobs`,
`cluster`). Dask is an optional dependency: `pip install 'textmine[cluster]'`.
"""

from __future__ import annotations

INSTALL_HINT = "pip install 'textmine[cluster]'"


class ClusterUnavailable(RuntimeError):
    """Dask is missing, or the scheduler cannot be reached; the message says what to do."""


def require_dask(what: str = "--cluster") -> None:
    """Import-check Dask distributed, or a ClusterUnavailable that names the install command."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ClusterUnavailable(f"{what} needs Dask distributed ({exc.name} is not installed): {INSTALL_HINT}") from None


__all__ = ["ClusterUnavailable", "INSTALL_HINT", "require_dask"]
