"""What one document per paper costs a run: `Pipeline.run_paths` over a generated folder of small
papers, each as JATS XML, plain text and PDF, with paper identity (the default) and without it
(`one_per_paper=False`, every read stored), on fresh SQLite files, in one command.

    python bench/bench_same_paper.py [--papers 60] [--pipeline rules]

Prints documents and records stored and seconds for each mode, and the ratio; a second run over
the same folder shows the cost of re-running (everything unchanged).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import inputs as H  # noqa: E402
from textmine.extract.pipeline import load_pipeline  # noqa: E402
from textmine.pipeline import Pipeline  # noqa: E402
from textmine.store.sqlite import SQLiteStore  # noqa: E402


def make_corpus(folder: Path, papers: int) -> None:
    for i in range(papers):
        H.same_paper_in_three_formats(folder, title=f"Optical band gaps of sputtered oxide films, part {i}",
                                      seed=i, stem=f"paper{i:04d}")


def timed(folder: Path, db: Path, extraction, one_per_paper: bool) -> list[tuple[int, int, float]]:
    store = SQLiteStore(db)
    out = []
    for _ in range(2):  # first run, then a re-run over the unchanged folder
        started = time.perf_counter()
        Pipeline(store, extraction, one_per_paper=one_per_paper).run_paths([folder])
        seconds = time.perf_counter() - started
        stats = store.stats()
        out.append((stats.documents, stats.records, seconds))
    store.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=60)
    parser.add_argument("--pipeline", default="rules")
    args = parser.parse_args()
    extraction = load_pipeline(args.pipeline)
    load = os.getloadavg()
    print(f"{args.papers} papers x 3 formats, pipeline {args.pipeline}; load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
          f" on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-same-paper-") as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        make_corpus(folder, args.papers)
        warm = Path(tmp) / "warm"
        H.same_paper_in_three_formats(warm)  # loads the models and readers before anything is timed
        timed(warm, Path(tmp) / "warm.db", extraction, True)
        every = timed(folder, Path(tmp) / "every.db", extraction, False)
        merged = timed(folder, Path(tmp) / "merged.db", extraction, True)
    for label, (first, again) in (("one per paper", merged), ("every read (baseline)", every)):
        print(f"{label:>22}: {first[0]} documents, {first[1]} records, first run {first[2]:.1f} s, re-run {again[2]:.1f} s")
    print(f"ratio one-per-paper / baseline: first run {merged[0][2] / every[0][2]:.2f}, re-run {merged[1][2] / every[1][2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
