"""Load every CIF of the shared 3DSC and OBELiX folders into SQLite (and Elasticsearch when a node
answers), and report counts, failures (with reasons) and structures/s.

    nice -n 10 python bench/bench_structures.py [--es http://127.0.0.1:9204] [--limit N] [--out FILE]

Baseline in the same run: reading and describing alone (no store) on an evenly spread sample of
~500 files, so the store's share shows as a ratio of rates. Acceptance: at most 1 % of the CIFs fail, each with a reason.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textmine.records import Failure  # noqa: E402
from textmine.structures.readers import iter_structure_files, read_structures  # noqa: E402

SHARED = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data"))
FOLDERS = ["materials/supercon_3dsc/cifs", "materials/obelix/cifs"]


def files(limit: int | None) -> list[Path]:
    out: list[Path] = []
    for folder in FOLDERS:
        found = list(iter_structure_files([SHARED / folder]))
        out += found[:limit] if limit else found
    return out


def read_only(paths: list[Path]) -> tuple[int, float]:
    started = time.perf_counter()
    n = 0
    for path in paths:
        n += sum(1 for item in read_structures(path) if not isinstance(item, Failure))
    return n, time.perf_counter() - started


def load(store, paths: list[Path]) -> dict:
    from textmine.structures.ingest import add_structures

    summary = add_structures(store, paths)
    by_folder = Counter(next(f for f in FOLDERS if f in p.as_posix()) for p in paths)
    failed_files = {f.source.split("#")[0] for f in summary.failures}
    out = summary.as_dict()
    out["files_by_folder"] = dict(by_folder)
    out["failed_files"] = len(failed_files)
    out["failure_rate"] = round(len(failed_files) / max(1, len(paths)), 4)
    out["failure_reasons"] = Counter(f.reason.split(":")[0][:80] for f in summary.failures).most_common(10)
    out["failures_sample"] = [(f.source, f.reason) for f in summary.failures[:10]]
    out["stats"] = store.stats().model_dump(include={"structures", "spectra", "failures"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--es", default=None, help="also load into this Elasticsearch node (http://host:port)")
    parser.add_argument("--limit", type=int, default=None, help="files per folder (default: all)")
    parser.add_argument("--out", default=None, help="write the JSON report here too")
    parser.add_argument("--no-sqlite", action="store_true", help="only the baseline and Elasticsearch")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from textmine.store.sqlite import SQLiteStore

    paths = files(args.limit)
    report: dict = {"files": len(paths), "load_before": os.getloadavg()}
    sample = paths[:: max(1, len(paths) // 500)]  # every k-th file: ~500, both folders
    n, seconds = read_only(sample)
    report["baseline_read_only"] = {"files": len(sample), "structures": n, "seconds": round(seconds, 2), "structures_per_s": round(n / seconds, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_sqlite:
            store = SQLiteStore(Path(tmp) / "bench.db")
            report["sqlite"] = load(store, paths)
            store.close()
    if "sqlite" in report:
        report["sqlite"]["ratio_vs_read_only"] = round(report["sqlite"]["structures_per_s"] / report["baseline_read_only"]["structures_per_s"], 3)
    if args.es:
        from textmine.store.elasticsearch import ElasticsearchStore

        prefix = f"bench-structures-{int(time.time())}"
        store = ElasticsearchStore(args.es, index_prefix=prefix)
        try:
            report["elasticsearch"] = load(store, paths)
            report["elasticsearch"]["ratio_vs_read_only"] = round(
                report["elasticsearch"]["structures_per_s"] / report["baseline_read_only"]["structures_per_s"], 3)
        finally:
            store._client.indices.delete(index=f"{prefix}-*", expand_wildcards="all")
            store.close()
    report["load_after"] = os.getloadavg()
    text = json.dumps(report, indent=1, default=str)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
