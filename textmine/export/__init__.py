"""Exporters: stream records out of a store as JSONL, CSV, Parquet or a Hugging Face dataset on disk.

All of them serialise the same `Record` model, so the formats cannot drift apart; all of them
stream in bounded batches, so exporting millions of records never holds them all in memory.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from textmine.iterate import batched
from textmine.records import Record



class ExportError(RuntimeError):
    """An export that cannot be written (unknown format, missing extra); the message says what to do."""

CSV_COLUMNS = [
    "record_id", "doc_id", "material_text", "formula", "elements", "property", "value", "value_min", "value_max",
    "uncertainty", "unit", "value_si", "value_min_si", "value_max_si", "unit_si", "conditions", "sentence",
    "char_start", "char_end", "value_start", "value_end", "section", "confidence", "extractor",
]

_MATERIAL = pa.struct(
    [("text", pa.string()), ("formula", pa.string()), ("elements", pa.list_(pa.string())),
     ("char_start", pa.int64()), ("char_end", pa.int64())]
)
_CONDITION = pa.struct([("property", pa.string()), ("value", pa.float64()), ("unit", pa.string()), ("text", pa.string())])
ARROW_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()), ("record_id", pa.string()), ("material", _MATERIAL), ("property", pa.string()),
        ("value", pa.float64()), ("value_min", pa.float64()), ("value_max", pa.float64()),
        ("uncertainty", pa.float64()), ("unit", pa.string()), ("value_si", pa.float64()),
        ("value_min_si", pa.float64()), ("value_max_si", pa.float64()), ("unit_si", pa.string()),
        ("conditions", pa.list_(_CONDITION)), ("sentence", pa.string()), ("char_start", pa.int64()),
        ("char_end", pa.int64()), ("value_start", pa.int64()), ("value_end", pa.int64()), ("section", pa.string()),
        ("confidence", pa.float64()), ("extractor", pa.string()),
    ]
)


def write_jsonl(records: Iterable[Record], path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(record.model_dump_json() + "\n")
            n += 1
    return n


def write_csv(records: Iterable[Record], path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow(record.flat())
            n += 1
    return n


def _table(batch: list[Record]) -> pa.Table:
    return pa.Table.from_pylist([r.model_dump(mode="json") for r in batch], schema=ARROW_SCHEMA)


def write_parquet(records: Iterable[Record], path: Path, batch_size: int = 10_000) -> int:
    n = 0
    with pq.ParquetWriter(path, ARROW_SCHEMA, compression="zstd") as writer:
        for batch in batched(records, batch_size):
            writer.write_table(_table(batch))
            n += len(batch)
    return n


def write_hf(records: Iterable[Record], path: Path, batch_size: int = 10_000) -> int:
    """A `datasets.Dataset` saved with `save_to_disk`; load it with `datasets.load_from_disk(path)`."""
    try:
        import datasets
    except ImportError as exc:
        raise ExportError("exporting a Hugging Face dataset needs its extra: pip install 'textmine[hf]'") from exc
    with tempfile.TemporaryDirectory(prefix="textmine-hf-") as tmp:
        parquet = Path(tmp) / "records.parquet"
        n = write_parquet(records, parquet, batch_size)
        dataset = datasets.Dataset.from_parquet(str(parquet), cache_dir=str(Path(tmp) / "cache"), features=_hf_features())
        if path.exists():
            shutil.rmtree(path)
        dataset.save_to_disk(str(path))
    return n


def _hf_features():
    import datasets

    return datasets.Features.from_arrow_schema(ARROW_SCHEMA)


def export_records(records: Iterable[Record], path: str | Path, fmt: str) -> int:
    """Write `records` to `path` with the exporter registered as `fmt` (textmine.registry.exporters:
    jsonl, csv, parquet, hf, and any plugin's)."""
    from textmine.registry import exporters

    if fmt not in exporters:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(exporters.names())}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return exporters.get(fmt)(records, path)


def read_jsonl(path: str | Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
