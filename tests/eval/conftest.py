"""Fixtures for the record scorers: real gold CSVs and records JSONL files written in the test."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest


@pytest.fixture
def write_files(tmp_path: Path):
    """write_files(gold_rows, records, name='gold.csv', header=('compound','value','source')) -> (gold, records)."""

    def write(gold_rows, records, name: str = "gold.csv", header=("compound", "value", "source")):
        gold = tmp_path / name
        gold.parent.mkdir(parents=True, exist_ok=True)
        with open(gold, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(gold_rows)
        out = tmp_path / "records.jsonl"
        out.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
        return gold, out

    return write
