"""Shared by bench/eval_snowball.py and bench/eval_polyie.py: the three commands a user would type
(make-gold, extract, evaluate), run in one go. Scoring is textmine.eval's; nothing is scored here."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textmine.eval.calibration import format_table as calibration_table  # noqa: E402
from textmine.eval.calibration import reliability  # noqa: E402
from textmine.eval.gold import read_gold, read_records  # noqa: E402
from textmine.eval.records import RecordsResult, format_errors, format_table, score_records  # noqa: E402

CLI = "import sys; from textmine.cli import main; sys.exit(main())"


def arguments(description: str) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--data", type=Path, default=None, help="shared data folder [default: ../shared/data]")
    ap.add_argument("--keep", type=Path, default=None, help="write gold, texts and records here (default: a temp folder)")
    ap.add_argument("--errors", type=int, default=0, help="list up to N misses and unmatched records per set")
    ap.add_argument("extract_options", nargs="*", help="after --: options for `textmine extract`, e.g. -- --extractor ner")
    return ap


def textmine(*args: str) -> None:
    subprocess.run([sys.executable, "-c", CLI, *args], check=True, cwd=ROOT)


def make_gold(source: str, out: Path, data: Path | None) -> None:
    textmine("evaluate", "make-gold", source, "-o", str(out), *(["--data", str(data)] if data else []))


def extract_and_score(folder: Path, extract_options: list[str]) -> RecordsResult:
    records = folder / "records.jsonl"
    textmine("-q", "extract", "--input", str(folder / "texts.jsonl"), "--output", str(records), *extract_options)
    return score_records(read_gold(folder), read_records(records))


def report(results: dict[str, RecordsResult], errors: int, calibration: bool = True) -> None:
    pooled = RecordsResult(scores={}, records=[], correct=[])
    for name, result in results.items():
        print(f"== {name}")
        print(format_table(result))
        if errors:
            print(format_errors(result, errors))
        for prop, score in result.scores.items():
            pooled.scores.setdefault(prop, type(score)()).add(score)
        pooled.records += result.records
        pooled.correct += result.correct
    if len(results) > 1:
        print("== all sets")
        print(format_table(pooled))
    if pooled.records and calibration:
        print("== calibration (all sets pooled)")
        print(calibration_table(reliability([r.confidence for r in pooled.records], pooled.correct)))


def workdir(keep: Path | None) -> Path:
    return keep if keep else Path(tempfile.mkdtemp(prefix="textmine-eval-"))
