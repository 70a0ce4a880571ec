"""A real `textmine serve` (uvicorn) on loopback, over a real store, for the API and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
API_KEY = "test-key-" + "0123456789abcdef"


def require(module: str, install: str):
    """Import `module` for a test module, or skip it saying which install brings it; under CI=true a
    missing module fails instead (CI installs the test and serving extras: nothing may skip there)."""
    import importlib

    import pytest

    try:
        return importlib.import_module(module)
    except ImportError:
        reason = f"needs {module}: {install}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + " -- CI must install it, not skip these tests", pytrace=False)
        pytest.skip(reason, allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(store_url: str, *, write: bool = True, extra: tuple[str, ...] = (), env: dict[str, str] | None = None,
          log: Path | None = None) -> Iterator[str]:
    """Start `textmine --store URL serve` in its own process; yield its base URL; stop it."""
    port = free_port()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    if write:
        environment["TEXTMINE_API_KEY"] = API_KEY
    args = [sys.executable, "-c", "from textmine.cli import main; main()", "--store", store_url, "serve",
            "--host", "127.0.0.1", "--port", str(port), *(["--write"] if write else []), *extra]
    out = open(log, "wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(args, env=environment, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"textmine serve exited with {process.returncode}"
                                   + (f": {log.read_text()[-2000:]}" if log else ""))
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("textmine serve did not answer /health within 240 s")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            out.close()


def load_corpus(store_url: str, paths: list[Path]) -> None:
    """Index files with the rules pipeline, as `textmine run` does."""
    from textmine.pipeline import Pipeline
    from textmine.store import open_store

    store = open_store(store_url)
    try:
        Pipeline(store, "rules").run_paths([str(p) for p in paths])
    finally:
        store.close()


__all__ = ["API_KEY", "FIXTURES", "ROOT", "free_port", "http", "load_corpus", "serve"]


# One client for the tests: generous timeouts, the machine running them may be busy.
http = httpx.Client(timeout=httpx.Timeout(120.0, connect=10.0))
