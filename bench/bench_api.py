"""API load benchmark: N concurrent clients for S seconds against `textmine serve` on loopback.

    PYTHONPATH=. python bench/bench_api.py --sqlite-records 100000 --es-records 1000000 \\
        --es es://127.0.0.1:9206 --clients 50 --seconds 60

For each store (SQLite file, Elasticsearch index; built with the store benchmark's generator,
`bench_store.generate`, and kept for re-runs with --keep), it starts a real `textmine serve`
(uvicorn) and runs the clients (one asyncio process, httpx) over a mix of the store benchmark's
five queries as `GET /v1/records` requests plus record pages. It prints p50/p95/p99 latency,
throughput and errors (any non-2xx answer or failed request), and as a baseline, in the same
command, the same queries asked of the store directly (no HTTP, one client): the ratio is what
HTTP, JSON, the overlay of reviews and metadata, and 50-way concurrency on this machine cost.

The clients share the machine with the server and the store (2 cores here): say `uptime` next to
the numbers. Requests are bounded by count (none after the deadline) and time (--seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_store import QUERIES, generate  # noqa: E402

# The store benchmark's queries, as the API's query parameters (facets as each asks).
MIX = [
    {"property": "band_gap", "min": 1, "max": 2, "unit": "eV", "facets": ""},
    {"q": "band gap", "elements": "O", "facets": "elements,year"},
    {"elements": "Fe,O", "exclude": "Sr", "facets": "property,formula"},
    {"formula": "TiO2", "year-min": 2015, "year-max": 2020, "facets": ""},
    {"q": "Curie temperature", "property": "curie_temperature", "min": 27, "max": 127, "unit": "°C",
     "min-confidence": 0.8, "facets": ""},
]


def build(store_url: str, n: int) -> float:
    """Fill the store with `n` generated records unless it already holds them; seconds spent."""
    from textmine.store import open_store

    store = open_store(store_url)
    try:
        have = store.stats().records
        if have == n:
            print(f"  {store_url}: {have} records already there (kept from an earlier run)", flush=True)
            return 0.0
        if have:
            raise SystemExit(f"{store_url} holds {have} records, not {n}: use another path/prefix")
        started = time.perf_counter()
        done = 0
        for batch_start in range(0, n, 50_000):
            take = min(50_000, n - batch_start)
            store.put_many(_offset(generate(take, seed=2024 + batch_start), batch_start))
            done += take
            rate = done / (time.perf_counter() - started)
            print(f"  {store_url}: {done}/{n} records ({rate:.0f}/s)", flush=True)
        return time.perf_counter() - started
    finally:
        store.close()


def _offset(items, start: int):
    """Documents of later slices get ids of their own (the generator numbers from 0 each time)."""
    from textmine.records import Record

    for document, records, mentions in items:
        new_id = f"bench:{start}:{document.id.split(':', 1)[1]}"
        yield (document.model_copy(update={"id": new_id}),
               [Record.model_validate(r.model_dump() | {"doc_id": new_id, "record_id": ""}) for r in records],
               [m.model_copy(update={"doc_id": new_id}) for m in mentions])


def direct_baseline(store_url: str, runs: int) -> dict[str, float]:
    """Each query asked of the store itself, one at a time (the store benchmark's way)."""
    from textmine.store import open_store

    store = open_store(store_url, readonly=True)
    times = []
    try:
        for query in QUERIES.values():
            store.search(query)  # warm-up
            for _ in range(runs):
                started = time.perf_counter()
                store.search(query)
                times.append(time.perf_counter() - started)
    finally:
        store.close()
    return {"p50": statistics.median(times), "p95": _quantile(times, 0.95)}


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def load(base: str, clients: int, seconds: float, record_ids: list[str]) -> dict:
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(60.0), limits=limits) as client:
        async def one_client(n: int) -> None:
            rng = random.Random(n)
            while time.monotonic() < deadline:
                if record_ids and rng.random() < 0.2:
                    path, params = f"/v1/records/{rng.choice(record_ids)}", None
                else:
                    path, params = "/v1/records", dict(rng.choice(MIX), limit=20)
                started = time.perf_counter()
                try:
                    response = await client.get(path, params=params)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {path} {response.text[:200]}")
                    latencies.append(elapsed)
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__} {path}")

        started = time.perf_counter()
        await asyncio.gather(*(one_client(n) for n in range(clients)))
        wall = time.perf_counter() - started
    return {
        "requests": len(latencies) + len([e for e in errors if not e[:3].isdigit()]),
        "errors": len(errors), "error_examples": errors[:5], "seconds": wall,
        "throughput": len(latencies) / wall,
        "p50": statistics.median(latencies) if latencies else None,
        "p95": _quantile(latencies, 0.95) if latencies else None,
        "p99": _quantile(latencies, 0.99) if latencies else None,
    }


def serve(store_url: str, port: int, log: Path) -> subprocess.Popen:
    import httpx

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", "from textmine.cli import main; main()", "--store", store_url,
                                "serve", "--port", str(port), "--no-web"], env=env, stdout=open(log, "wb"),
                               stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"textmine serve exited: {log.read_text()[-1000:]}")
        time.sleep(0.5)
    process.kill()
    raise SystemExit("textmine serve did not start")


def sample_ids(store_url: str, n: int = 200) -> list[str]:
    from textmine.store import Query, open_store

    store = open_store(store_url, readonly=True)
    try:
        return [r.record_id for r in store.search(Query(limit=n)).records]
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", default=str(Path(tempfile.gettempdir()) / "textmine-bench-api" / "bench.db"))
    parser.add_argument("--sqlite-records", type=int, default=100_000)
    parser.add_argument("--es", default=None, help="es://host:port/prefix (no ES run without it)")
    parser.add_argument("--es-records", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=10, help="direct-baseline runs per query")
    parser.add_argument("--only", choices=["sqlite", "es"])
    parser.add_argument("--build-only", action="store_true", help="fill the stores and stop")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    targets = []
    if args.only in (None, "sqlite"):
        Path(args.sqlite).parent.mkdir(parents=True, exist_ok=True)
        targets.append(("sqlite", args.sqlite, args.sqlite_records))
    if args.es and args.only in (None, "es"):
        targets.append(("es", args.es, args.es_records))
    results = {}
    for name, url, n in targets:
        print(f"[{name}] building {n} records ...", flush=True)
        built = build(url, n)
        if args.build_only:
            continue
        print(f"[{name}] direct baseline ...", flush=True)
        baseline = direct_baseline(url, args.runs)
        ids = sample_ids(url)
        log = Path(tempfile.gettempdir()) / f"textmine-bench-api-{name}.log"
        server = serve(url, args.port, log)
        try:
            print(f"[{name}] {args.clients} clients for {args.seconds:g} s ...", flush=True)
            with open("/proc/loadavg") as f:
                load_before = f.read().split()[:3]
            result = asyncio.run(load(f"http://127.0.0.1:{args.port}", args.clients, args.seconds, ids))
        finally:
            server.terminate()
            server.wait(timeout=30)
        result.update(records=n, build_seconds=round(built, 1), direct_p50=baseline["p50"], direct_p95=baseline["p95"],
                      loadavg_before=load_before)
        results[name] = result
    if not results:
        return
    print(f"\n{'store':8} {'records':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'direct p50 ms':>14} {'p50 ratio':>10}")
    for name, r in results.items():
        print(f"{name:8} {r['records']:>9} {r['throughput']:>7.1f} {r['p50'] * 1e3:>8.1f} {r['p95'] * 1e3:>8.1f} "
              f"{r['p99'] * 1e3:>8.1f} {r['errors']:>7} {r['direct_p50'] * 1e3:>14.1f} {r['p50'] / r['direct_p50']:>9.1f}x")
    with open("/proc/loadavg") as f:
        print(f"load average after: {' '.join(f.read().split()[:3])} (before each run: "
              + ", ".join(f"{k} {' '.join(v['loadavg_before'])}" for k, v in results.items()) + ")")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
