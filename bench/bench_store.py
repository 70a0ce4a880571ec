"""Store benchmark: SQLite vs Elasticsearch on the same generated corpus.

    PYTHONPATH=. python bench/bench_store.py --records 1000000 [--es http://127.0.0.1:9200]
    PYTHONPATH=. python bench/bench_store.py --records 1000000 --only sqlite --runs 10
    PYTHONPATH=. python bench/bench_store.py --only sqlite --scaling 100000,300000,1000000,3000000
    PYTHONPATH=. python bench/bench_store.py --query-only /path/to/kept/bench.db --runs 10

Measures, for each store, in its own process (so peak RSS is that store's alone):
  - indexing throughput (records/s) of `put_many` over a streamed, generated corpus
    (documents with one sentence, one material mention and one record per statement), and the
    same per CPU-second of the indexing process (what a shared machine's load does not change;
    for Elasticsearch it leaves out the node's own work);
  - p50/p95 latency of five typical queries (after warm-up); for the embedded store, the time
    and memory its in-memory facet columns take (built first, as a server does when it starts),
    and as the baseline, in the same process on the same file, the faceted queries' p95 with the
    facets counted in SQL instead (the ratio is printed);
  - peak RSS of the indexing process (and, for Elasticsearch, of the node's JVM: the cost of the
    server is not in the client's RSS).
Generation is streamed (bounded memory) and deterministic. Its own cost (building pydantic
Records, whose material_id goes through pymatgen) is timed inside the same stream and left out of
the store's indexing rate; the rate with generation included is printed beside it.

The numbers depend on the machine: say how many cores were shared with what when you quote them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textmine.document import Document, Paragraph, Section, Sentence  # noqa: E402
from textmine.records import Material, Mention, Record  # noqa: E402
from textmine.store.base import Query  # noqa: E402

EV = 1.602176634e-19
ELEMENTS = ["O", "Ti", "Zn", "Ga", "N", "As", "Cd", "Te", "Si", "Mo", "S", "Co", "Ni", "Bi", "V", "Fe", "Cu", "Cs",
            "Pb", "I", "Sr", "In", "La", "Mn", "Cr", "Gd", "Nd", "B", "Eu", "Ba", "Se", "Sn", "Al", "Mg", "Li", "Ca"]
PROPERTIES = [
    # (property, unit, SI factor, low, high, sentence template)
    ("band_gap", "eV", EV, 0.1, 6.0, "The band gap of {m} was measured as {v} eV by UV-vis spectroscopy."),
    ("curie_temperature", "K", 1.0, 20, 1100, "{m} orders ferromagnetically with a Curie temperature of {v} K."),
    ("thermal_conductivity", "W/(m*K)", 1.0, 0.1, 400, "The thermal conductivity of {m} reaches {v} W/(m*K) at 300 K."),
    ("seebeck_coefficient", "uV/K", 1e-6, -400, 400, "A Seebeck coefficient of {v} uV/K was found for {m}."),
    ("hardness", "GPa", 1e9, 0.5, 40, "Nanoindentation gives a hardness of {v} GPa for {m}."),
]
QUERIES = {
    "range: band gap 1-2 eV": Query(property="band_gap", value_min=1, value_max=2, unit="eV"),
    "text + elements + facets": Query(text="band gap", include_elements=["O"], facets=["elements", "year"]),
    "elements incl/excl + facets": Query(include_elements=["Fe", "O"], exclude_elements=["Sr"], facets=["property", "formula"]),
    "formula + years": Query(formula="TiO2", year_min=2015, year_max=2020),
    "text + range in °C + conf": Query(text="Curie temperature", property="curie_temperature", value_min=27, value_max=127,
                                       unit="°C", min_confidence=0.8),
}


def generate(n_records: int, per_doc: int = 5, seed: int = 2024) -> Iterator[tuple[Document, list[Record], list[Mention]]]:
    """Deterministic, streamed: one document at a time, nothing accumulates."""
    rng = random.Random(seed)
    made = 0
    n = 0
    while made < n_records:
        k = min(per_doc, n_records - made)
        doc_id = f"bench:{n}"
        lines, facts = [], []
        for _ in range(k):
            elements = sorted(rng.sample(ELEMENTS, rng.choice((1, 2, 2, 3, 3, 4))))
            formula = "".join(e + (str(rng.randint(2, 4)) if rng.random() < 0.4 else "") for e in elements)
            if rng.random() < 0.02:
                formula, elements = "TiO2", ["O", "Ti"]
            prop, unit, si, lo, hi, template = rng.choice(PROPERTIES)
            value = round(rng.uniform(lo, hi), 3)
            lines.append(template.format(m=formula, v=value))
            facts.append((formula, elements, prop, unit, si, value))
        text = " ".join(lines)
        sentences, records, mentions, at = [], [], [], 0
        for line, (formula, elements, prop, unit, si, value) in zip(lines, facts):
            sentences.append(Sentence(start=at, end=at + len(line)))
            m = at + line.index(formula)
            records.append(Record(
                doc_id=doc_id,
                material=Material(text=formula, formula=formula, elements=elements, char_start=m, char_end=m + len(formula)),
                property=prop, value=value, unit=unit, value_si=value * si, value_min_si=value * si, value_max_si=value * si,
                sentence=line, char_start=at, char_end=at + len(line), confidence=round(rng.uniform(0.5, 1.0), 2),
                extractor="rules@0.1.0",
            ))
            mentions.append(Mention(doc_id=doc_id, label="MAT", text=formula, char_start=m, char_end=m + len(formula),
                                    confidence=0.9, extractor="rules@0.1.0"))
            at += len(line) + 1
        yield Document(
            id=doc_id, source=f"bench/{n}.xml", format="jats", kind="patent" if n % 7 == 0 else "paper",
            date=dt.date(2000 + n % 25, 1 + n % 12, 1), title=f"Bench document {n}", text=text,
            sections=[Section(title="Results", paragraphs=[Paragraph(start=0, end=len(text), sentences=sentences)])],
            content_hash=f"{seed}-{n}", extractor="rules@0.1.0",
        ), records, mentions
        made += k
        n += 1


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def node_rss_mb(pid_file: str | None) -> float | None:
    """Peak RSS (VmHWM) of the Elasticsearch JVM, if we can find it."""
    try:
        pid = Path(pid_file).read_text().strip() if pid_file else ""
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def open_store(kind: str, target: str, readonly: bool = False):
    if kind == "sqlite":
        from textmine.store.sqlite import SQLiteStore

        return SQLiteStore(target, readonly=readonly)
    from textmine.store.elasticsearch import ElasticsearchStore

    url, prefix = target.rsplit("|", 1)
    return ElasticsearchStore(url, index_prefix=prefix, readonly=readonly)


def measure(store, runs: int) -> tuple[dict, dict, dict]:
    """p50/p95 per query (after 3 warm-up runs), the hit counts and, for the embedded store, the
    time and memory its facet columns took: it builds them first, as a server does when it starts
    (`SQLiteStore.warm_facets`, `textmine/store/sqlite_mirror.py`)."""
    latencies, totals, warm = {}, {}, {}
    if hasattr(store, "warm_facets"):
        from textmine.store.sqlite_mirror import MIRRORS

        t = time.perf_counter()
        store.warm_facets(wait=True)
        mirror = MIRRORS.get(store._mirror_path)
        warm = {"seconds": time.perf_counter() - t, "mb": mirror.nbytes / 1e6 if mirror else 0.0}
    for name, query in QUERIES.items():
        for _ in range(3):
            result = store.search(query)
        samples, cpu = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            result = store.search(query)
            samples.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        samples.sort()
        cpu.sort()
        p95 = min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))
        # wall p50, wall p95, and this process's CPU time p50/p95 (on a loaded machine wall >> CPU)
        latencies[name] = (statistics.median(samples), samples[p95], statistics.median(cpu), cpu[p95])
        totals[name] = result.total
    return latencies, totals, warm


class Timed:
    """An iterator that adds up the time spent producing its items (the corpus generator's share)."""

    def __init__(self, items: Iterator) -> None:
        self.items, self.seconds, self.cpu = items, 0.0, 0.0

    def __iter__(self) -> "Timed":
        return self

    def __next__(self):
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return next(self.items)
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu += time.process_time() - cpu


def worker(kind: str, n_records: int, target: str, runs: int) -> dict:
    store = open_store(kind, target)
    corpus = Timed(generate(n_records))
    started, cpu = time.perf_counter(), time.process_time()
    store.put_many(corpus)
    stats = store.stats()  # includes making the writes visible (ES refresh)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu - corpus.cpu  # this process's CPU in the store (not ES's JVM)
    assert stats.records == n_records, f"{kind}: {stats.records} records stored, {n_records} generated"
    rss_mb = peak_rss_mb()
    store.close()
    store = open_store(kind, target, readonly=True)  # searched as `textmine search` does: read-only
    latencies, totals, warm = measure(store, runs)
    baseline = sql_facets(store, runs) if warm else {}
    store.close()
    return {"baseline": baseline, "seconds": seconds - corpus.seconds, "with_generation": seconds, "cpu": cpu, "records": stats.records, "rss_mb": rss_mb,
            "latencies": latencies, "totals": totals, "warm": warm, "load": os.getloadavg()}


def sql_facets(store, runs: int) -> dict:
    """The baseline, in the same process and on the same file: p95 of each faceted query with the
    facets counted in SQL (the in-memory columns turned off), as before they existed."""
    os.environ["TEXTMINE_FACET_MIRROR"] = "0"
    try:
        latencies, totals, _ = measure(store, runs)
    finally:
        del os.environ["TEXTMINE_FACET_MIRROR"]
    return {name: (latencies[name][1], totals[name]) for name, query in QUERIES.items() if query.facets}


def scaling_worker(kind: str, sizes: list[int], target: str, runs: int) -> dict:
    """One store grown to each size in turn (the corpus is deterministic: the first N records
    are the same at every size), measured at each."""
    store = open_store(kind, target)
    out: dict[str, dict] = {}
    done = 0
    for size in sizes:
        # generate() makes 5 records per document: skip the documents already stored
        corpus = Timed(item for i, item in enumerate(generate(size)) if i * 5 >= done)
        started, cpu = time.perf_counter(), time.process_time()
        store.put_many(corpus)
        seconds = time.perf_counter() - started - corpus.seconds
        cpu = time.process_time() - cpu - corpus.cpu
        assert store.stats().records == size
        with open_store(kind, target, readonly=True) as reader:
            latencies, totals, warm = measure(reader, runs)
        out[str(size)] = {"seconds": seconds, "cpu": cpu, "added": size - done, "latencies": latencies, "totals": totals,
                          "warm": warm, "load": os.getloadavg()}
        print(json.dumps({"size": size, **out[str(size)]}), file=sys.stderr, flush=True)
        done = size
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--es", default=os.environ.get("TEXTMINE_ES_URL", "http://127.0.0.1:9200"))
    parser.add_argument("--es-pid-file", default="/var/cache/textmine/elasticsearch/node-9200/es.pid")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query")
    parser.add_argument("--only", choices=["sqlite", "es"], help="benchmark one store")
    parser.add_argument("--keep", action="store_true", help="keep the ES indices and the SQLite file")
    parser.add_argument("--scaling", default=None, help="comma-separated sizes (e.g. 100000,300000,1000000,3000000): "
                        "grow one store to each and print p95 per query at each size")
    parser.add_argument("--query-only", metavar="DB", default=None,
                        help="only time the queries on an existing SQLite store (e.g. one kept with --keep)")
    parser.add_argument("--worker", choices=["sqlite", "es"], help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker and args.scaling:
        sizes = [int(x) for x in args.scaling.split(",")]
        print(json.dumps(scaling_worker(args.worker, sizes, args.target, args.runs)))
        return
    if args.worker:
        print(json.dumps(worker(args.worker, args.records, args.target, args.runs)))
        return
    if args.scaling:
        scaling(args)
        return
    if args.query_only:
        query_only(args.query_only, args.runs)
        return

    print(f"load before: {load()}", flush=True)

    results: dict[str, dict] = {}
    workdir = Path(tempfile.mkdtemp(prefix="textmine-bench-"))
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    targets = {"sqlite": str(workdir / "bench.db"), "es": f"{args.es}|{prefix}"}
    try:
        for kind in ("sqlite", "es"):
            if args.only and kind != args.only:
                continue
            print(f"indexing {args.records:,} records into {kind} ...", flush=True)
            out = subprocess.run(
                [sys.executable, __file__, "--worker", kind, "--records", str(args.records), "--target", targets[kind],
                 "--runs", str(args.runs)],
                check=True, capture_output=True, text=True,
            )
            results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
            if kind == "es":
                results[kind]["node_rss_mb"] = node_rss_mb(args.es_pid_file)
            r = results[kind]
            print(f"  {kind}: {r['seconds']:.0f}s in the store, {r['records'] / r['seconds']:,.0f} records/s "
                  f"({r['records'] / r['with_generation']:,.0f}/s with the corpus generation)", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
            if "es" in results or args.only == "es" or not args.only:
                try:
                    from elasticsearch import Elasticsearch

                    Elasticsearch(args.es).indices.delete(index=f"{prefix}-*", expand_wildcards="all")
                except Exception:
                    pass
    report(results, args.records)


def scaling(args: argparse.Namespace) -> None:
    kind = args.only or "sqlite"
    workdir = Path(tempfile.mkdtemp(prefix="textmine-bench-"))
    target = str(workdir / "bench.db") if kind == "sqlite" else f"{args.es}|bench-{uuid.uuid4().hex[:8]}"
    print(f"scaling {kind}: {args.scaling} records, load {load()}", flush=True)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", kind, "--scaling", args.scaling, "--target", target, "--runs", str(args.runs)],
            check=True, capture_output=True, text=True,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results = json.loads(out.stdout.strip().splitlines()[-1])
    sizes = list(results)
    print(f"{'':38s}" + "".join(f"{int(n):>12,d}" for n in sizes))
    print(f"{'indexing, records/s':38s}" + "".join(f"{r['added'] / r['seconds']:>12,.0f}" for r in results.values()))
    print(f"{'  records per CPU-second of the store':38s}" + "".join(f"{r['added'] / r['cpu']:>12,.0f}" for r in results.values()))
    if all(r.get("warm") for r in results.values()):
        print(f"{'facet columns in memory, built in s':38s}" + "".join(f"{r['warm']['seconds']:>12,.1f}" for r in results.values()))
        print(f"{'facet columns in memory, MB':38s}" + "".join(f"{r['warm']['mb']:>12,.0f}" for r in results.values()))
    for name in QUERIES:
        print(f"{name + ' p95 ms':38s}" + "".join(f"{r['latencies'][name][1]:>12,.2f}" for r in results.values()))
    for name in QUERIES:  # this process's CPU time: what the load of other work does not add
        print(f"{'  CPU p95 ms, ' + name:38s}" + "".join(f"{r['latencies'][name][3]:>12,.2f}" for r in results.values()))
    for name in QUERIES:
        print(f"  hits for {name!r}: " + ", ".join(f"{int(n):,}: {r['totals'][name]:,}" for n, r in results.items()))
    print("  load (1/5/15 min) after each size: " + "; ".join(
        f"{int(n):,}: {' '.join(f'{x:.2f}' for x in r['load'])}" for n, r in results.items()))


def query_only(path: str, runs: int) -> None:
    from textmine.store.sqlite import SQLiteStore

    print(f"queries on {path}, load before: {load()}", flush=True)
    with SQLiteStore(path, readonly=True) as store:
        cpu = time.process_time()
        latencies, totals, warm = measure(store, runs)
        cpu = time.process_time() - cpu
        baseline = sql_facets(store, runs)
        n = store.stats().records
    print(f"{n:,} records; CPU time of the whole measurement {cpu:.1f}s; load after: {load()}")
    if warm:
        print(f"facet columns in memory: built in {warm['seconds']:.1f}s, {warm['mb']:,.0f} MB")
    for name in QUERIES:
        print(f"{name + ' p50 ms':38s}{latencies[name][0]:>12,.2f}")
        print(f"{name + ' p95 ms':38s}{latencies[name][1]:>12,.2f}")
    for name, (p95, hits) in baseline.items():
        same = "same hits" if hits == totals[name] else "<-- DIFFERENT hits"
        print(f"  {name}: p95 {p95:.2f} ms with facets counted in SQL (baseline), {p95 / latencies[name][1]:.1f}x the time; {same}")
    for name in QUERIES:
        print(f"  {name}: CPU time p50 {latencies[name][2]:.2f} ms, p95 {latencies[name][3]:.2f} ms")
    for name in QUERIES:
        print(f"  hits for {name!r}: {totals[name]:,}")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1/5/15 min load average)"


def report(results: dict[str, dict], n: int) -> None:
    kinds = [k for k in ("sqlite", "es") if k in results]
    header = f"{'':38s}" + "".join(f"{k:>14s}" for k in kinds) + ("  ES/SQLite" if len(kinds) == 2 else "")
    print()
    print(f"{n:,} records, {os.cpu_count()} CPU cores (shared with other work while measured)")
    for kind in kinds:
        print(f"load after {kind}: " + " ".join(f"{x:.2f}" for x in results[kind].get("load", ())) + " (1/5/15 min)")
    print(header)
    print("-" * len(header))

    def row(label: str, values: list[float | None], fmt: str) -> None:
        cells = "".join(f"{format(v, fmt) if v is not None else '-':>14s}" for v in values)
        ratio = ""
        if len(values) == 2 and values[0] and values[1] is not None:
            ratio = f"  {values[1] / values[0]:9.2f}x"
        print(f"{label:38s}{cells}{ratio}")

    row("indexing, records/s", [results[k]["records"] / results[k]["seconds"] for k in kinds], ",.0f")
    row("indexing, total s", [results[k]["seconds"] for k in kinds], ",.1f")
    row("  records per CPU-second (this process)", [results[k]["records"] / results[k]["cpu"] for k in kinds], ",.0f")
    row("  with corpus generation, records/s", [results[k]["records"] / results[k]["with_generation"] for k in kinds], ",.0f")
    row("peak RSS of indexing process, MB", [results[k]["rss_mb"] for k in kinds], ",.0f")
    if results.get("sqlite", {}).get("warm"):
        row("facet columns in memory, built in s", [results[k]["warm"].get("seconds") if k == "sqlite" else None for k in kinds], ",.1f")
        row("facet columns in memory, MB", [results[k]["warm"].get("mb") if k == "sqlite" else None for k in kinds], ",.0f")
    if "es" in results:
        row("peak RSS of ES node (JVM), MB", [None if k == "sqlite" else results[k].get("node_rss_mb") for k in kinds], ",.0f")
    for name in QUERIES:
        row(f"{name} p50 ms", [results[k]["latencies"][name][0] for k in kinds], ",.2f")
        row(f"{name} p95 ms", [results[k]["latencies"][name][1] for k in kinds], ",.2f")
    for name, (p95, hits) in results.get("sqlite", {}).get("baseline", {}).items():
        now = results["sqlite"]["latencies"][name][1]
        same = "same hits" if hits == results["sqlite"]["totals"][name] else "<-- DIFFERENT hits"
        print(f"  {name}: p95 {p95:.2f} ms with facets counted in SQL (baseline), {p95 / now:.1f}x the time; {same}")
    for name in QUERIES:
        cpu = ", ".join(f"{k} {results[k]['latencies'][name][2]:.2f}/{results[k]['latencies'][name][3]:.2f}"
                        for k in kinds if len(results[k]["latencies"][name]) > 2)
        print(f"  {name}: CPU time p50/p95 ms {cpu}")
    for name in QUERIES:
        totals = {results[k]["totals"][name] for k in kinds}
        counts = ", ".join(f"{k}={results[k]['totals'][name]:,}" for k in kinds)
        print(f"  hits for {name!r}: {counts}" + ("" if len(totals) == 1 else "  <-- DIFFERENT"))


if __name__ == "__main__":
    main()
