"""Exporters: stream records out of a store as JSONL, CSV, Parquet or a Hugging Face dataset on disk.

Each streamable format is a generator of byte chunks (`STREAMS`): `textmine export` writes them to a
file, the API sends them as an HTTP response, so both give the same bytes. With a document lookup
(`DocumentIndex(store)`) every record carries its document's metadata (`export/documents.py`).

All of them serialise the same `Record` model, so the formats cannot drift apart; all of them
stream in bounded batches, so exporting millions of records never holds them all in memory.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from textmine.iterate import batched
from textmine.export.documents import CSV_COLUMNS as DOC_CSV_COLUMNS
from textmine.export.documents import DocumentIndex, DocumentLookup, DocumentMeta
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
_DOCUMENT = pa.struct(
    [("doc_id", pa.string()), ("title", pa.string()), ("authors", pa.list_(pa.string())), ("year", pa.int64()),
     ("date", pa.string()), ("venue", pa.string()), ("doi", pa.string()), ("url", pa.string()), ("source", pa.string()),
     ("licence", pa.string()), ("kind", pa.string()), ("format", pa.string()), ("patent_number", pa.string()),
     ("arxiv_id", pa.string())]
)


# -- streams: the bytes of each format, chunk by chunk (files and HTTP responses write the same) ----

def _with_documents(records: Iterable[Record], documents: DocumentLookup | None) -> Iterator[tuple[Record, DocumentMeta | None]]:
    for record in records:
        yield record, documents(record.doc_id) if documents is not None else None


def jsonl_chunks(records: Iterable[Record], documents: DocumentLookup | None = None,
                 batch_size: int = 500) -> Iterator[bytes]:
    """One record per line; with `documents`, each line also has the record's `"document"` metadata
    (`Record.model_validate` of a line ignores it, so old readers keep working)."""
    for batch in batched(_with_documents(records, documents), batch_size):
        lines = []
        for record, meta in batch:
            line = record.model_dump_json()
            if documents is not None:
                line = line[:-1] + ',"document":' + (meta.model_dump_json() if meta else "null") + "}"
            lines.append(line + "\n")
        yield "".join(lines).encode("utf-8")


def csv_chunks(records: Iterable[Record], documents: DocumentLookup | None = None, batch_size: int = 500) -> Iterator[bytes]:
    columns = CSV_COLUMNS + (DOC_CSV_COLUMNS if documents is not None else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for batch in batched(_with_documents(records, documents), batch_size):
        for record, meta in batch:
            row = record.flat()
            if meta is not None:
                row.update(meta.flat())
            writer.writerow(row)
        yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def arrow_schema(with_documents: bool) -> pa.Schema:
    return ARROW_SCHEMA.append(pa.field("document", _DOCUMENT)) if with_documents else ARROW_SCHEMA


def _table(batch: list[tuple[Record, DocumentMeta | None]], schema: pa.Schema) -> pa.Table:
    rows = []
    for record, meta in batch:
        row = record.model_dump(mode="json")
        if "document" in schema.names:
            row["document"] = meta.model_dump(mode="json") if meta is not None else None
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=schema)


class _Sink(io.RawIOBase):
    """A write-only file that keeps what was written until `take()`: lets ParquetWriter stream."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self._parts.append(chunk)
        self._pos += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._pos

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def parquet_chunks(records: Iterable[Record], documents: DocumentLookup | None = None,
                   batch_size: int = 10_000) -> Iterator[bytes]:
    """Apache Parquet (zstd), one row group per batch, sent as each row group is written."""
    schema = arrow_schema(documents is not None)
    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    try:
        for batch in batched(_with_documents(records, documents), batch_size):
            writer.write_table(_table(batch, schema))
            yield sink.take()
    finally:
        writer.close()
    yield sink.take()


# Formats that can be streamed (an HTTP response, stdout): name -> (chunks, media type, suffix).
STREAMS: dict[str, tuple[Callable[..., Iterator[bytes]], str, str]] = {
    "jsonl": (jsonl_chunks, "application/x-ndjson", "jsonl"),
    "csv": (csv_chunks, "text/csv; charset=utf-8", "csv"),
    "parquet": (parquet_chunks, "application/vnd.apache.parquet", "parquet"),
}


class _Counted:
    def __init__(self, records: Iterable[Record]) -> None:
        self.records = records
        self.n = 0

    def __iter__(self) -> Iterator[Record]:
        for record in self.records:
            self.n += 1
            yield record


def _write_stream(chunks: Callable[..., Iterator[bytes]], records: Iterable[Record], path: Path,
                  documents: DocumentLookup | None) -> int:
    counted = _Counted(records)
    with open(path, "wb") as out:
        for chunk in chunks(counted, documents):
            out.write(chunk)
    return counted.n


# -- the exporters registered in textmine.registry.exporters: (records, path, documents=None) -> count

def write_jsonl(records: Iterable[Record], path: Path, documents: DocumentLookup | None = None) -> int:
    return _write_stream(jsonl_chunks, records, path, documents)


def write_csv(records: Iterable[Record], path: Path, documents: DocumentLookup | None = None) -> int:
    return _write_stream(csv_chunks, records, path, documents)


def write_parquet(records: Iterable[Record], path: Path, documents: DocumentLookup | None = None) -> int:
    return _write_stream(parquet_chunks, records, path, documents)


def write_hf(records: Iterable[Record], path: Path, documents: DocumentLookup | None = None) -> int:
    """A `datasets.Dataset` saved with `save_to_disk`; load it with `datasets.load_from_disk(path)`."""
    try:
        import datasets
    except ImportError as exc:
        raise ExportError("exporting a Hugging Face dataset needs its extra: pip install 'textmine[hf]'") from exc
    with tempfile.TemporaryDirectory(prefix="textmine-hf-") as tmp:
        parquet = Path(tmp) / "records.parquet"
        n = write_parquet(records, parquet, documents)
        features = datasets.Features.from_arrow_schema(arrow_schema(documents is not None))
        dataset = datasets.Dataset.from_parquet(str(parquet), cache_dir=str(Path(tmp) / "cache"), features=features)
        if path.exists():
            shutil.rmtree(path)
        dataset.save_to_disk(str(path))
    return n


def export_records(records: Iterable[Record], path: str | Path, fmt: str, documents: DocumentLookup | None = None) -> int:
    """Write `records` to `path` with the exporter registered as `fmt` (textmine.registry.exporters:
    jsonl, csv, parquet, hf, and any plugin's). With `documents` (e.g. `DocumentIndex(store)`),
    every record carries its document's metadata, in exporters that take it."""
    from textmine.registry import exporters

    if fmt not in exporters:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(exporters.names())}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = exporters.get(fmt)
    if documents is not None and "documents" in inspect.signature(writer).parameters:
        return writer(records, path, documents=documents)
    return writer(records, path)


def read_jsonl(path: str | Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


__all__ = ["ARROW_SCHEMA", "CSV_COLUMNS", "DocumentIndex", "DocumentMeta", "ExportError", "STREAMS", "arrow_schema",
           "csv_chunks", "export_records", "jsonl_chunks", "parquet_chunks", "read_jsonl", "write_csv", "write_hf",
           "write_jsonl", "write_parquet"]
