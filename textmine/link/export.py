"""Records joined to their best linked structure, for structure models.

    rows = join_best_structures(store, store.iter_records(query))   # (record, link, structure)
    export_with_structures(store, query, "out.parquet", "parquet")   # parquet | hf | jsonl | extxyz

Parquet/HF rows are the record's columns (as `textmine export`) plus the best structure: its id,
score and reason, space group, crystal system, the CIF text and the pymatgen dict (JSON). extxyz
writes one frame per record whose best structure is ordered (extxyz has no partial occupancies),
with the record's property, value and provenance in the frame's info line.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from textmine.link.model import Link, LinkQuery
from textmine.records import Record
from textmine.structures.model import StructureEntry

STRUCTURE_FIELDS = [
    ("structure_id", pa.string()), ("structure_score", pa.float64()), ("structure_reason", pa.string()),
    ("structure_formula", pa.string()), ("space_group", pa.string()), ("space_group_number", pa.int64()),
    ("crystal_system", pa.string()), ("structure_source_id", pa.string()), ("structure_cif", pa.string()),
    ("structure_json", pa.string()),
]
FORMATS = ("parquet", "hf", "jsonl", "extxyz")


def _schema() -> pa.Schema:
    from textmine.export import ARROW_SCHEMA

    return pa.schema(list(ARROW_SCHEMA) + [pa.field(n, t) for n, t in STRUCTURE_FIELDS])


def join_best_structures(store, records: Iterable[Record], batch_size: int = 500) -> Iterator[tuple[Record, Link | None, StructureEntry | None]]:
    """Each record with its rank-1 link and that structure (None, None when it has none)."""
    from textmine.store.structures import structure_store

    companion = structure_store(store)
    cache: dict[str, StructureEntry | None] = {}
    batch: list[Record] = []

    def flush() -> Iterator[tuple[Record, Link | None, StructureEntry | None]]:
        links = companion.search_links(LinkQuery(kind="record", subject_ids=[r.record_id for r in batch], max_rank=1, limit=10_000))
        best = {link.subject_id: link for link in links}
        for record in batch:
            link = best.get(record.record_id)
            entry = None
            if link is not None:
                if link.structure_id not in cache:
                    if len(cache) > 2000:
                        cache.clear()
                    cache[link.structure_id] = companion.get_structure(link.structure_id)
                entry = cache[link.structure_id]
            yield record, link, entry
        batch.clear()

    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()


def structure_columns(link: Link | None, entry: StructureEntry | None) -> dict[str, Any]:
    if link is None or entry is None:
        return {name: None for name, _ in STRUCTURE_FIELDS}
    from pymatgen.io.cif import CifWriter

    return {
        "structure_id": entry.structure_id, "structure_score": link.score, "structure_reason": link.reason,
        "structure_formula": entry.reduced_formula, "space_group": entry.space_group,
        "space_group_number": entry.space_group_number, "crystal_system": entry.crystal_system,
        "structure_source_id": entry.source_id, "structure_cif": str(CifWriter(entry.to_pymatgen())),
        "structure_json": json.dumps(entry.structure),
    }


def _rows(rows: Iterable[tuple[Record, Link | None, StructureEntry | None]]) -> Iterator[dict[str, Any]]:
    for record, link, entry in rows:
        yield {**record.model_dump(mode="json"), **structure_columns(link, entry)}


def write_parquet_with_structures(rows: Iterable[tuple[Record, Link | None, StructureEntry | None]], path: Path,
                                  batch_size: int = 2000) -> int:
    schema = _schema()
    names = set(schema.names)
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        chunk: list[dict[str, Any]] = []
        for row in _rows(rows):
            chunk.append({k: v for k, v in row.items() if k in names})
            if len(chunk) >= batch_size:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                n += len(chunk)
                chunk = []
        if chunk:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            n += len(chunk)
    return n


def write_hf_with_structures(rows, path: Path) -> int:
    try:
        import datasets
    except ImportError as exc:
        raise RuntimeError("exporting a Hugging Face dataset needs `pip install 'textmine[hf]'`") from exc
    with tempfile.TemporaryDirectory(prefix="textmine-hf-") as tmp:
        parquet = Path(tmp) / "records.parquet"
        n = write_parquet_with_structures(rows, parquet)
        dataset = datasets.Dataset.from_parquet(str(parquet), cache_dir=str(Path(tmp) / "cache"),
                                                features=datasets.Features.from_arrow_schema(_schema()))
        if path.exists():
            shutil.rmtree(path)
        dataset.save_to_disk(str(path))
    return n


def write_jsonl_with_structures(rows, path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as handle:
        for row in _rows(rows):
            handle.write(json.dumps(row) + "\n")
            n += 1
    return n


def write_extxyz(records: Iterable[Any], path: Path, *, store=None) -> int:
    """Frames of the records' best structures. Takes records (with `store=`) or joined rows."""
    try:
        import ase.io
        from pymatgen.io.ase import AseAtomsAdaptor
    except ImportError as exc:
        raise RuntimeError("extxyz export needs ASE: pip install 'textmine[structures]'") from exc
    items = iter(records)
    first = next(items, None)
    if first is None:
        Path(path).write_text("")
        return 0
    import itertools

    stream = itertools.chain([first], items)
    if isinstance(first, Record):
        if store is None:
            raise ValueError("extxyz needs each record's linked structure: pass store=..., or call "
                             "textmine.link.export.export_with_structures(store, query, path, 'extxyz')")
        stream = join_best_structures(store, stream)
    n = 0
    with open(path, "w", encoding="utf-8") as handle:
        for record, link, entry in stream:
            if entry is None or not entry.ordered:
                continue  # no structure, or partial occupancies extxyz cannot say
            atoms = AseAtomsAdaptor.get_atoms(entry.to_pymatgen())
            atoms.info = {"record_id": record.record_id, "doc_id": record.doc_id, "material": record.material.text,
                          "property": record.property, "value": record.value if record.value is not None else float("nan"),
                          "unit": record.unit or "", "value_si": record.value_si if record.value_si is not None else float("nan"),
                          "unit_si": record.unit_si or "", "structure_id": entry.structure_id,
                          "space_group": entry.space_group or "", "link_score": link.score if link else float("nan")}
            ase.io.write(handle, atoms, format="extxyz")
            n += 1
    return n


def export_with_structures(store, query, path: str | Path, fmt: str) -> int:
    """`textmine export --with-structures`: the records matching `query`, joined, in `fmt`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} with structures; one of {', '.join(FORMATS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = join_best_structures(store, store.iter_records(query))
    writer = {"parquet": write_parquet_with_structures, "hf": write_hf_with_structures,
              "jsonl": write_jsonl_with_structures, "extxyz": write_extxyz}[fmt]
    return writer(rows, path)


__all__ = ["join_best_structures", "export_with_structures", "write_extxyz", "write_parquet_with_structures",
           "write_hf_with_structures", "write_jsonl_with_structures", "structure_columns"]
