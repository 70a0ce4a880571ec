"""Throughput and peak memory of `textmine run` on a corpus made by repeating the demo corpus.

    python bench/bench_run.py [--docs 2000] [--workdir DIR]

Each copy of a demo file gets its DOIs / patent numbers rewritten so every copy is a distinct
document (re-ingesting the same paper would otherwise just replace it). Stages are timed in the
same process over the same files, so the ratios say where the time goes:
  read            readers only (bytes -> Document)
  read+segment    + spaCy tokens and sentences
  run             + rules extraction + SQLite writes  (the real `textmine run` path, via Pipeline)
Peak memory is the process's max RSS after all stages (the stages share one process).
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textmine.nlp import segment  # noqa: E402
from textmine.pipeline import Pipeline  # noqa: E402
from textmine.readers import iter_paths, read_file  # noqa: E402
from textmine.records import Failure  # noqa: E402
from textmine.store.sqlite import SQLiteStore  # noqa: E402

_IDS = re.compile(rb"(10\.\d{4,9}/[A-Za-z0-9._;()/:-]+|US\d{7,8}[AB]\d|EP\d{7}|<doc-number>\d+)")


def make_corpus(demo: Path, target: Path, n_docs: int) -> int:
    files = [p for p in iter_paths([demo]) if p.suffix != ".md"]
    copies = 0
    i = 0
    while copies < n_docs:
        for path in files:
            data = path.read_bytes()
            if path.suffix.lower() != ".pdf":
                data = _IDS.sub(lambda m: m.group(0) + f"{i}".encode(), data)
                if path.suffix == ".txt":  # ids rewritten above; plain text has none, so mark the copy
                    data += f"\n\nCopy {i}.\n".encode()
            (target / f"{i:05d}_{path.name}").write_bytes(data)
            copies += 1
            if copies >= n_docs:
                break
        i += 1
    return copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="textmine-bench-"))
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    n_files = make_corpus(ROOT / "corpora" / "demo", corpus, args.docs)

    t0 = time.perf_counter()
    docs = [d for p in iter_paths([corpus]) for d in read_file(p) if not isinstance(d, Failure)]
    t_read = time.perf_counter() - t0

    t0 = time.perf_counter()
    for d in docs:
        segment(d)
    t_segment = time.perf_counter() - t0
    n_docs = len(docs)
    del docs

    db = work / "bench.db"
    if db.exists():
        db.unlink()
    store = SQLiteStore(db)
    t0 = time.perf_counter()
    summary = Pipeline(store, "rules").run_paths([corpus])
    t_run = time.perf_counter() - t0
    store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"corpus: {n_files} files -> {n_docs} documents ({corpus})")
    print(f"{'stage':<14}{'seconds':>10}{'docs/s':>10}{'share of run':>14}")
    for name, seconds in (("read", t_read), ("read+segment", t_read + t_segment), ("run", t_run)):
        print(f"{name:<14}{seconds:>10.2f}{n_docs / seconds:>10.1f}{seconds / t_run:>14.2f}")
    print(f"run: {summary.documents} documents stored, {summary.records} records, {len(summary.failures)} failures")
    print(f"peak memory (max RSS of this process): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
