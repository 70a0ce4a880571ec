"""Helpers of the cluster tests: a real Dask scheduler and worker processes on loopback (`dask
scheduler`, `dask worker`), a corpus, the plain `textmine run` to compare with, and a dump of a
store's contents to compare by.

The tests need the cluster extra (`pip install -e '.[test,cluster]'`); without Dask they skip
locally with the reason, and fail under CI=true (CI must run them, not skip them).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpora" / "demo"
CHAOS_SITE = Path(__file__).resolve().parent / "site"
TEXTMINE = [sys.executable, "-m", "textmine.cli"]

FORMULAS = ["TiO2", "ZnO", "GaN", "GaAs", "CdTe", "MoS2", "BiVO4", "Fe2O3", "Cu2O", "SrTiO3", "In2O3", "BaTiO3"]


def require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        reason = "Dask distributed is not installed: pip install -e '.[test,cluster]'"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + " -- CI must run the cluster tests, not skip them")
        pytest.skip(reason)


def env(extra_path: list[Path] | None = None, **variables: str) -> dict[str, str]:
    """The environment of every process a test starts: this worktree's textmine first, the chaos
    plugin on the path, quiet Dask logs."""
    paths = [str(p) for p in (extra_path or [])] + [str(CHAOS_SITE), str(ROOT)]
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**base, "PYTHONPATH": os.pathsep.join(paths), "DASK_DISTRIBUTED__LOGGING__DISTRIBUTED": "error",
            "TEXTMINE_ORT_THREADS": "1", **variables}


def textmine(*args: str, timeout: float = 600, **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run([*TEXTMINE, *args], capture_output=True, text=True, timeout=timeout, env=env(), cwd=ROOT, **kwargs)


# ------------------------------------------------------------------------------------ corpus

def make_corpus(target: Path, papers: int = 40, *, poison: str = "") -> Path:
    """The demo corpus (every format, a PDF, a bulk patent file) and `papers` generated papers,
    each with its own statements; with `poison`, one more paper that contains it."""
    target.mkdir(parents=True, exist_ok=True)
    for path in DEMO.iterdir():
        if path.is_file():
            shutil.copy(path, target / path.name)
    for n in range(papers):
        lines = [f"Generated study {n} of oxide semiconductors", ""]
        for k in range(4):
            formula = FORMULAS[(n * 5 + k * 7) % len(FORMULAS)]
            value = round(1.0 + ((n * 37 + k * 11) % 300) / 100, 2)
            lines.append(f"The band gap of {formula} was measured as {value} eV by UV-vis spectroscopy in sample {n}-{k}.")
        (target / f"generated_{n:03d}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    if poison:
        (target / "poison_paper.txt").write_text(
            f"A harmless title\n\nThe band gap of ZnO is 3.3 eV. {poison}\n", encoding="utf-8")
    return target


def chaos_pipeline(path: Path, *, sleep: float = 0.0, kill_marker: str = "") -> Path:
    path.write_text(
        '[pipeline]\nextends = "rules"\nversion = "1+{testing.chaos}"\n'
        'components = ["sentences", "testing.chaos", "abbreviations", "quantities", "cues", "materials.rules",\n'
        '              "linker.rules", "mentions", "assemble", "calibrate"]\n'
        f'[pipeline.options."testing.chaos"]\nsleep = {sleep}\nkill_marker = "{kill_marker}"\n',
        encoding="utf-8",
    )
    return path


# ------------------------------------------------------------------------------------ stores

def dump(store_url: str) -> dict[str, Any]:
    """What a store holds, in comparable form: every record whole, documents, failures."""
    from textmine.store import open_store

    store = open_store(store_url, readonly=True)
    try:
        records = sorted((r.record_id, r.model_dump_json()) for r in store.iter_records())
        documents = sorted((d.id, d.content_hash, d.source, d.provenance or d.extractor or "") for d in store.iter_documents())
        failures = sorted((f.source, str(f.stage), f.doc_id or "") for f in store.failures())
        stats = store.stats()
    finally:
        store.close()
    return {"records": records, "documents": documents, "failures": failures,
            "counts": (stats.documents, stats.sentences, stats.mentions, stats.records)}


def assert_same_store(job: dict[str, Any], plain: dict[str, Any]) -> None:
    ids = [record_id for record_id, _ in job["records"]]
    assert len(ids) == len(set(ids)), "a record is duplicated"
    assert len(job["records"]) == len(plain["records"]) > 0
    assert [i for i, _ in job["records"]] == [i for i, _ in plain["records"]], "record ids differ"
    assert job["records"] == plain["records"], "record contents differ"
    assert job["documents"] == plain["documents"]
    assert job["counts"] == plain["counts"]


# The pipeline the comparisons run unless a test names its own. Not the default `model`: its
# relation model scores a document differently depending on which documents share its batch
# (confidences move by ~0.01-0.03), so a plain run and a job, which batch differently, disagree.
PIPELINE = ("--pipeline", "rules")


def plain_run(tmp: Path, corpus: Path, *extra: str) -> dict[str, Any]:
    db = tmp / "plain.db"
    extra = extra if "--pipeline" in extra else (*PIPELINE, *extra)
    result = textmine("--db", str(db), "-q", "run", *extra, str(corpus))
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    return dump(str(db))


def jobs_json(store: str, *args: str) -> Any:
    """`textmine jobs --json` (no args) or `textmine jobs show ID --json`."""
    result = textmine("--store", store, "jobs", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# ------------------------------------------------------------------------------------ cluster

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LoopbackCluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1."""

    workdir: Path
    nanny: bool = False
    address: str = ""
    scheduler: subprocess.Popen | None = None
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, n_workers: int = 2) -> "LoopbackCluster":
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        log = open(self.workdir / "scheduler.log", "w")
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
             "--dashboard-address", f"127.0.0.1:{free_port()}"],
            stdout=log, stderr=subprocess.STDOUT, env=env(DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1"),
            start_new_session=True,
        )
        for n in range(n_workers):
            self.add_worker(f"w{n}")
        self.wait_for_workers(n_workers)
        return self

    def add_worker(self, name: str) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", self.address, "--name", name, "--nthreads", "1",
             "--nworkers", "1", "--host", "127.0.0.1", "--memory-limit", "0", "--death-timeout", "60",
             "--nanny" if self.nanny else "--no-nanny"],
            stdout=log, stderr=subprocess.STDOUT, env=env(), cwd=self.workdir, start_new_session=True,
        )
        self.workers[name] = process
        return process

    def client(self) -> Any:
        from distributed import Client

        return Client(self.address, timeout=60)

    def wait_for_workers(self, n: int, timeout: float = 180) -> None:
        client = self.client()
        try:
            client.wait_for_workers(n, timeout=timeout)
        finally:
            client.close()

    def kill_worker(self, name: str) -> tuple[str, list[str]]:
        """SIGKILL the process that runs worker `name`'s tasks: its address and the task keys it was running."""
        client = self.client()
        try:
            pids = client.run(os.getpid)
            address = next(a for a, w in client.scheduler_info()["workers"].items() if w["name"] == name)
            running = [str(k) for k in client.processing([address])[address]]
            os.kill(pids[address], signal.SIGKILL)
        finally:
            client.close()
        return address, running

    def stop(self) -> None:
        """Workers first (a worker whose scheduler is gone waits to reconnect), then the scheduler;
        what has not exited 5 s after SIGTERM is killed."""
        for group in (list(self.workers.values()), [self.scheduler]):
            running = [p for p in group if p is not None and p.poll() is None]
            for process in running:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 5
            for process in running:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(process.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    process.wait(timeout=30)


def wait_until(predicate, timeout: float = 300, every: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
