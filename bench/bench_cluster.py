"""Distributed jobs against the plain run, in one command: documents/s of `textmine run` (one
process), of a Dask job with 1 and with 2 local worker processes, the scheduling overhead per
shard, and (with --costs) the per-document costs docs/scaling.md plans 10 million papers from.

    python bench/bench_cluster.py [--docs 400] [--shard-size 16] [--pipeline rules] [--costs]

Each job runs on a fresh SQLite store (writer mode: workers return extractions, this process
writes). Worker start-up (spawning the processes, building the pipeline in each) is timed apart
from the job: it is paid once per worker, not per document. Overhead per shard is measured two
ways: a job of empty shards (submit -> run -> result -> commit -> job table, nothing to read), and
from the real job, (wall time x workers - worker time of all shards) / shards.

The machine is shared: the load (`uptime`) is printed before and after; compare ratios, which
are measured in the same command, rather than absolute numbers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_run import make_corpus  # noqa: E402

from textmine.cluster.connect import connect  # noqa: E402
from textmine.cluster.driver import JobDriver, create_job  # noqa: E402
from textmine.cluster.inputs import expand_inputs, plan_shards  # noqa: E402
from textmine.cluster.tasks import PipelineSpec  # noqa: E402
from textmine.cluster.worker import preload  # noqa: E402
from textmine.extract import document_from_text  # noqa: E402
from textmine.pipeline import Pipeline, load_pipeline  # noqa: E402
from textmine.store.jobs import open_job_table  # noqa: E402
from textmine.store.sqlite import SQLiteStore  # noqa: E402


def uptime() -> str:
    with open("/proc/loadavg", encoding="utf-8") as handle:
        return "load average " + " ".join(handle.read().split()[:3]) + f" on {os.cpu_count()} cores"


def run_job(work: Path, name: str, workers: int, corpus: Path, spec: PipelineSpec, provenance: str, shard_size: int,
            empty_shards: int = 0) -> dict:
    db = work / f"{name}.db"
    db.unlink(missing_ok=True)
    store = SQLiteStore(db)
    table = open_job_table(store)
    t0 = time.perf_counter()
    handle = connect(f"local:{workers}", dashboard_address="127.0.0.1:0")
    handle.client.run(preload, spec, warm=True)  # what the first shard of each worker would pay
    startup = time.perf_counter() - t0
    shards = list(plan_shards(expand_inputs([corpus]), max_files=shard_size))
    job = create_job(table, store, inputs=[str(corpus)], shards=shards, spec=spec, provenance=provenance, cluster=handle,
                     cluster_spec=f"local:{workers}", reprocess=False, max_bytes=None, shard_size=shard_size)
    t0 = time.perf_counter()
    summary = JobDriver(job, table, store, handle).run()
    wall = time.perf_counter() - t0
    worker_seconds = sum(s.seconds for s in table.shards(job.id))
    stats = store.stats()
    result = {"startup": startup, "wall": wall, "documents": summary.documents + summary.skipped,
              "stored": (stats.documents, stats.records),
              "shards": len(shards), "overhead_from_job": (wall * workers - worker_seconds) / len(shards)}
    if empty_shards:
        empty = create_job(table, store, inputs=[], shards=[[] for _ in range(empty_shards)], spec=spec,
                           provenance=provenance, cluster=handle, cluster_spec=f"local:{workers}", reprocess=False,
                           max_bytes=None, shard_size=shard_size)
        t0 = time.perf_counter()
        JobDriver(empty, table, store, handle).run()
        result["overhead_empty"] = (time.perf_counter() - t0) / empty_shards
    handle.close()
    table.close()
    store.close()
    return result


def es_bytes_per_document(es_url: str, files: list[Path]) -> None:
    """Index the same papers (rules) into Elasticsearch and read back what its indices take on disk."""
    import json
    import urllib.request
    import uuid

    from textmine.store.elasticsearch import ElasticsearchStore

    prefix = f"bench-costs-{uuid.uuid4().hex[:8]}"
    http = es_url.replace("es://", "http://").rstrip("/")
    store = ElasticsearchStore(es_url.replace("http://", "es://").rstrip("/") + "/" + prefix)
    try:
        summary = Pipeline(store, load_pipeline("rules")).run_paths(files)
        store.close()
        urllib.request.urlopen(urllib.request.Request(f"{http}/{prefix}-*/_forcemerge?max_num_segments=1", method="POST"),
                               timeout=600).read()
        stats = json.load(urllib.request.urlopen(f"{http}/{prefix}-*/_stats/store,docs", timeout=60))["indices"]
        print(f"Elasticsearch, rules, {summary.documents} documents, after a force merge (1 replica doubles it):")
        total = 0
        for index, data in sorted(stats.items()):
            size = data["primaries"]["store"]["size_in_bytes"]
            total += size
            print(f"  {index.removeprefix(prefix + '-'):<22}{data['primaries']['docs']['count']:>8} docs{size / 1024:>10.0f} KB")
        print(f"  total: {total / 1024 / max(summary.documents, 1):.1f} KB per paper (primaries)")
    finally:
        urllib.request.urlopen(urllib.request.Request(f"{http}/{prefix}-*", method="DELETE"), timeout=60).read()


def per_document_costs(work: Path, pipelines: list[str], es_url: str | None = None, limit: int = 12) -> None:
    """Single-process costs on real full-text papers from the shared data (when present)."""
    shared = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "docs"
    folders = ["elsevier_xml_oa_stm_ccby", "jats_pmc_xml", "springer_jats_xml"]
    per_folder = [[p for p in sorted((shared / f).glob("*")) if p.suffix in (".xml", ".nxml", ".norm-xml")] for f in folders]
    files = []
    while len(files) < limit and any(per_folder):  # round robin: each publisher's format
        files += [group.pop(0) for group in per_folder if group][: limit - len(files)]
    if not files:
        print(f"--costs: no full-text papers under {shared}; skipped")
        return
    print(f"\nper-document costs, one process, {len(files)} real full-text papers ({', '.join(folders)}):")
    print("(CPU ms/doc: CPU time of the process, all its threads; on a loaded machine wall time grows, CPU time much less)")
    print(f"{'pipeline':<10}{'docs':>6}{'wall ms/doc':>13}{'CPU ms/doc':>12}{'chars/doc':>11}{'records/doc':>13}{'SQLite KB/doc':>15}")
    for name in pipelines:
        db = work / f"costs-{name}.db"
        db.unlink(missing_ok=True)
        store = SQLiteStore(db)
        extraction = load_pipeline(name)
        extraction.process([document_from_text("warm-up", "The band gap of ZnO is 3.3 eV at 300 K.", kind="body")])
        runner = Pipeline(store, extraction)  # models loaded and warm: a worker pays that once, not per paper
        t0, cpu0 = time.perf_counter(), time.process_time()
        summary = runner.run_paths(files)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        chars = sum(len(d.text) for d in store.iter_documents())
        store.close()
        size = sum(p.stat().st_size for p in work.glob(f"costs-{name}.db*"))
        n = max(summary.documents, 1)
        print(f"{name:<10}{summary.documents:>6}{1000 * seconds / n:>13.1f}{1000 * cpu / n:>12.1f}{chars / n:>11.0f}{summary.records / n:>13.1f}"
              f"{size / 1024 / n:>15.1f}")
    if es_url:
        es_bytes_per_document(es_url, files)


def plain_run(work: Path, corpus: Path, extraction) -> tuple[float, int, tuple[int, int]]:
    db = work / "plain.db"
    db.unlink(missing_ok=True)
    store = SQLiteStore(db)
    t0 = time.perf_counter()
    Pipeline(store, extraction).run_paths([corpus])
    wall = time.perf_counter() - t0
    stats = store.stats()
    store.close()
    return wall, stats.documents, (stats.documents, stats.records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--shard-size", type=int, default=10)
    parser.add_argument("--pipeline", default="rules")
    parser.add_argument("--rounds", type=int, default=2, help="plain, 1 worker, 2 workers, interleaved; medians reported")
    parser.add_argument("--empty-shards", type=int, default=100, help="shards of the overhead job")
    parser.add_argument("--costs", action="store_true", help="also per-document costs of rules and ner on real papers")
    parser.add_argument("--cost-papers", type=int, default=12, help="with --costs: how many real papers")
    parser.add_argument("--es", default=os.environ.get("TEXTMINE_ES_URL"), help="with --costs: also ES bytes per paper")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="textmine-bench-cluster-"))
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    n_files = make_corpus(ROOT / "corpora" / "demo", corpus, args.docs)
    print(f"before: {uptime()}")
    print(f"corpus: {n_files} files ({corpus}); pipeline {args.pipeline}; {args.shard_size} files per shard; "
          f"{args.rounds} interleaved rounds, medians")
    extraction = load_pipeline(args.pipeline)
    spec = PipelineSpec.of(args.pipeline)
    # the machine is shared and its load drifts: the three runs alternate, so drift hits them alike
    walls: dict[str, list[float]] = {"plain": [], "job1": [], "job2": []}
    jobs: dict[str, list[dict]] = {"job1": [], "job2": []}
    for round_ in range(args.rounds):
        wall, plain_docs, stored = plain_run(work, corpus, extraction)
        walls["plain"].append(wall)
        for workers in (1, 2):
            name = f"job{workers}"
            last = round_ == args.rounds - 1 and workers == 2
            result = run_job(work, name, workers, corpus, spec, extraction.provenance.key, args.shard_size,
                             empty_shards=args.empty_shards if last else 0)
            # the same store contents. Documents/s below count the distinct documents stored (the
            # same work for every run): a copy of a file is stored once, but counted as "processed"
            # by a plain run that met both copies in one batch and as "skipped" by a job that met
            # them in two shards.
            assert result["stored"] == stored, (result, stored)
            walls[name].append(result["wall"])
            jobs[name].append(result)
        print(f"  round {round_ + 1}: plain {walls['plain'][-1]:.1f} s, 1 worker {walls['job1'][-1]:.1f} s, "
              f"2 workers {walls['job2'][-1]:.1f} s ({uptime()})")
    plain_rate = plain_docs / statistics.median(walls["plain"])
    print(f"{'':<24}{'docs':>6}{'seconds':>9}{'docs/s':>9}{'x plain':>9}{'start-up s':>12}{'overhead s/shard':>18}")
    rows = [("plain run (1 process)", walls["plain"], None, None)]
    rows += [(f"job, {w} worker{'s' * (w > 1)}", walls[f"job{w}"], statistics.median(r["startup"] for r in jobs[f"job{w}"]),
              statistics.median(r["overhead_from_job"] for r in jobs[f"job{w}"])) for w in (1, 2)]
    for name, times, startup, overhead in rows:
        wall = statistics.median(times)
        rate = plain_docs / wall
        print(f"{name:<24}{plain_docs:>6}{wall:>9.2f}{rate:>9.1f}{rate / plain_rate:>9.2f}"
              f"{'' if startup is None else f'{startup:.1f}':>12}{'' if overhead is None else f'{overhead:.3f}':>18}")
    print(f"scheduling overhead per shard, a job of {args.empty_shards} empty shards on 2 workers: "
          f"{1000 * jobs['job2'][-1]['overhead_empty']:.1f} ms (submit, run, result, commit, job-table writes)")
    print(f"shards per document job: {jobs['job1'][0]['shards']}")
    if args.costs:
        per_document_costs(work, ["rules", "ner"], args.es, args.cost_papers)
    print(f"after: {uptime()}")


if __name__ == "__main__":
    main()
