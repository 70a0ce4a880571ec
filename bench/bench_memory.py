"""Peak memory of `textmine run` against input size, on the hostile inputs of issue 12.

    python bench/bench_memory.py                 # every input below (several minutes)
    python bench/bench_memory.py --only table_bomb_114KB word_2MB

Each input is generated in a temporary folder and run through a real `textmine run` subprocess
(rules pipeline, a fresh SQLite file); the child's own peak RSS comes from bench/_peak.py. The baseline
is a real paper-sized article run the same way in the same command: `x base` is the ratio to it.
Limits (issue 12): under 400 MB for an input under 1 MB, under 1.5 GB for any input the default
--max-bytes admits (DEFAULT_MAX_BYTES). Say the machine load next to the figures: `uptime`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _peak import run_with_peak  # noqa: E402
from tests.hostile import inputs as H  # noqa: E402  (the generators the hostile tests use)
from textmine.readers import DEFAULT_MAX_BYTES  # noqa: E402

MB = 2**20
SMALL_LIMIT = 400 * MB
LARGE_LIMIT = 1536 * MB


def baseline(folder: Path) -> Path:
    """A real article (the largest PMC JATS file of the shared docs), else the demo JATS paper."""
    shared = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "docs" / "jats_pmc_xml"
    papers = sorted(shared.glob("*.nxml"), key=lambda p: p.stat().st_size) if shared.is_dir() else []
    source = papers[-1] if papers else ROOT / "corpora" / "demo" / "thermoelectrics_2020.nxml"
    target = folder / source.name
    target.write_bytes(source.read_bytes())
    return target


INPUTS: dict[str, Callable[[Path], Path]] = {
    "baseline_paper": baseline,
    "table_bomb_114KB": H.jats_table_bomb,
    "table_30k_cells": H.jats_wide_table,
    "text_1MB": lambda d: H.big_text(d, MB - 4096),  # just under 1 MB: the 400 MB limit applies
    "word_2MB": H.single_word,
    "text_8MB": lambda d: H.big_text(d, 8 * MB),
    "text_50MB": lambda d: H.big_text(d, 50 * MB),
    "jats_60MB": lambda d: H.big_jats(d, 60 * MB),
}


def run(path: Path, workdir: Path) -> tuple[int, int, float, str]:
    """(exit status, peak RSS bytes, seconds, last output line) of `textmine run PATH`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = workdir / f"{path.name}.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        status, peak = run_with_peak([sys.executable, "-m", "textmine.cli", "--db", str(workdir / f"{path.name}.db"),
                                      "-q", "run", str(path)], stdout=out, stderr=subprocess.STDOUT, cwd=workdir, env=env)
    seconds = time.perf_counter() - started
    lines = [line for line in log.read_text("utf-8", "replace").splitlines() if line.strip()]
    summary = next((line for line in lines if "documents processed" in line), lines[-1] if lines else "")
    if "Traceback" in log.read_text("utf-8", "replace"):
        summary = "TRACEBACK: " + lines[-1]
    return status, peak, seconds, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=sorted(INPUTS), help="run these inputs (the baseline always runs)")
    args = parser.parse_args()
    names = ["baseline_paper", *[n for n in INPUTS if n != "baseline_paper" and (not args.only or n in args.only)]]
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on {os.cpu_count()} CPUs;"
          f" DEFAULT_MAX_BYTES {DEFAULT_MAX_BYTES / MB:.0f} MiB")
    print(f"{'input':<18} {'size':>10} {'peak RSS':>10} {'x base':>7} {'seconds':>8} {'limit':>8}  result")
    failed = 0
    base_rss = None
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        for name in names:
            folder = Path(tmp) / name
            folder.mkdir()
            path = INPUTS[name](folder)
            size = path.stat().st_size
            status, rss, seconds, summary = run(path, folder)
            base_rss = base_rss or rss
            limit = SMALL_LIMIT if size < MB else LARGE_LIMIT
            verdict = "ok" if rss < limit and not summary.startswith("TRACEBACK") else "OVER"
            failed += verdict != "ok"
            print(f"{name:<18} {size / MB:>8.2f}MB {rss / MB:>8.0f}MB {rss / base_rss:>7.2f} {seconds:>8.1f} "
                  f"{limit / MB:>6.0f}MB  {verdict} (exit {status}): {summary[:110]}", flush=True)
            for leftover in folder.iterdir():
                leftover.unlink()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
