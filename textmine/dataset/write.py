"""Write a built dataset as a Hugging Face dataset repository: Parquet files and a dataset card.

    DIR/README.md            dataset card; its YAML header declares the configs and splits
    DIR/data/train.parquet   materials of the train split (also validation, test; none for an empty split)
    DIR/materials.parquet    all materials, with their `split` column
    DIR/records.parquet      every record that went in, with `outlier`, `suspect` and `split`
    DIR/dataset.json         what `textmine predict train --data DIR` reads: property, unit, counts
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from textmine.dataset.build import BuiltDataset, dumps
from textmine.dataset.groups import SPLITS

_STRINGS = pa.list_(pa.string())
_CONDITION = pa.struct([("property", pa.string()), ("value", pa.float64()), ("unit", pa.string()), ("text", pa.string())])

MATERIAL_SCHEMA = pa.schema([
    ("material_id", pa.string()), ("formula", pa.string()), ("composition", pa.string()), ("material_texts", _STRINGS),
    ("chemical_system", pa.string()), ("elements", _STRINGS), ("value", pa.float64()), ("spread", pa.float64()),
    ("spread_scale", pa.string()), ("low", pa.float64()), ("high", pa.float64()), ("unit", pa.string()),
    ("n_records", pa.int64()), ("n_documents", pa.int64()), ("n_outliers", pa.int64()), ("disputed", pa.bool_()),
    ("n_suspect", pa.int64()), ("temperature_K", pa.float64()), ("pressure_Pa", pa.float64()), ("conditions", _STRINGS),
    ("record_ids", _STRINGS), ("doc_ids", _STRINGS), ("dois", _STRINGS), ("extractors", _STRINGS), ("split", pa.string()),
    ("structure_id", pa.string()), ("structure_cif", pa.string()), ("structure_source", pa.string()),
])
RECORD_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("doc_id", pa.string()), ("doi", pa.string()), ("material_id", pa.string()),
    ("formula", pa.string()), ("material_text", pa.string()), ("chemical_system", pa.string()), ("value", pa.float64()),
    ("value_min", pa.float64()), ("value_max", pa.float64()), ("is_range", pa.bool_()), ("unit", pa.string()),
    ("conditions", pa.list_(_CONDITION)), ("confidence", pa.float64()), ("extractor", pa.string()),
    ("sentence", pa.string()), ("outlier", pa.bool_()), ("suspect", pa.bool_()), ("split", pa.string()),
])


def write_dataset(built: BuiltDataset, directory: str | Path, *, overwrite: bool = False) -> Path:
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{directory} is not empty: choose another -o folder, or pass --overwrite")
        if not (directory / "dataset.json").is_file():
            raise FileExistsError(f"{directory} is not empty and not a textmine dataset: refusing to overwrite it")
        shutil.rmtree(directory)
    (directory / "data").mkdir(parents=True, exist_ok=True)
    _parquet(built.materials, MATERIAL_SCHEMA, directory / "materials.parquet")
    _parquet(built.records, RECORD_SCHEMA, directory / "records.parquet")
    for split, _ in SPLITS:  # an empty split gets no file: the datasets library cannot read an empty Parquet file
        rows = [m for m in built.materials if m["split"] == split]
        if rows:
            _parquet(rows, MATERIAL_SCHEMA, directory / "data" / f"{split}.parquet")
    (directory / "dataset.json").write_text(dumps(built.meta), encoding="utf-8")
    (directory / "README.md").write_text(dataset_card(built.meta), encoding="utf-8")
    return directory


def _parquet(rows: list[dict[str, Any]], schema: pa.Schema, path: Path) -> None:
    table = pa.Table.from_pylist([{name: row.get(name) for name in schema.names} for row in rows], schema=schema)
    pq.write_table(table, path, compression="zstd")


def dataset_card(meta: dict[str, Any]) -> str:
    counts = meta["counts"]
    prop, unit = meta["property"], meta["unit"]
    split_lines = "\n".join(f"  - split: {name}\n    path: data/{name}.parquet" for name, _ in SPLITS
                            if counts["by_split"].get(name))
    extractors = "\n".join(f"| `{name}` | {n} |" for name, n in meta["extractors"].items()) or "| (none) | 0 |"
    formats = "\n".join(f"| {name} | {n} |" for name, n in meta["sources"]["documents_by_format"].items()) or "| (none) | 0 |"
    prefixes = ", ".join(f"{p} ({n})" for p, n in meta["sources"]["doi_prefixes"].items()) or "none"
    by_split = ", ".join(f"{name}: {counts['by_split'].get(name, 0)}" for name, _ in SPLITS)
    notes = "\n".join(f"- {n}" for n in [*meta["structures"], *meta["notes"]]) or "- none"
    return f"""---
pretty_name: "{prop} of materials, mined from the literature by textmine"
license: other
tags: [materials-science, text-mining, textmine]
configs:
- config_name: materials
  default: true
  data_files:
{split_lines}
- config_name: records
  data_files:
  - split: records
    path: records.parquet
---

# {prop} ({unit}), one row per material

Built by textmine {meta['textmine_version']} on {meta['built']} from the store `{meta['store']}`
(records with confidence ≥ {meta['min_confidence'] if meta['min_confidence'] is not None else 'any'}{
', records marked suspect by `textmine audit` left out' if meta['drop_suspect'] else ''}).

| | count |
|---|---|
| materials | {counts['materials']} |
| records | {counts['records']} |
| independent documents | {counts['documents']} |
| chemical systems | {counts['chemical_systems']} |
| records flagged as outliers | {counts['outlier_records']} |
| materials with two disagreeing documents (`disputed`) | {counts['disputed_materials']} |
| records marked suspect by `textmine audit` | {counts['suspect_records']} |
| materials with a crystal structure | {counts['with_structure']} |

Splits ({meta['splits']}): {by_split}. A chemical system never spans two splits, so the test split
measures how a model does on systems it has not seen; the split of a system does not change when
the dataset is rebuilt with more records.

## Columns (`materials` config)

- `value`: the consensus — the median over independent documents (each document's own median
  first, so a paper repeating a value counts once), outliers left out; `spread` is the robust
  standard deviation across documents ({'in decades, the consensus being taken on log10' if meta['log_scale_consensus'] else f'in {unit}'});
  `low`/`high` the range of the values kept.
- `n_records`, `n_documents`, `n_outliers` (records more than 3.5 robust deviations from the
  consensus, with at least three documents), `disputed` (exactly two documents that disagree),
  `n_suspect` (records outside a model's 99 % interval, from `textmine audit`).
- `temperature_K`, `pressure_Pa`: the median measurement condition when records state one;
  `conditions` lists every stated condition.
- Provenance: `record_ids`, `doc_ids`, `dois`, `extractors`; the `records` config has each record
  with its source sentence, confidence, conditions and flags.
- `structure_id`, `structure_cif`, `structure_source`: a crystal structure when one is linked.

## Extraction

| extractor | records |
|---|---|
{extractors}

## Sources and licences

| document format | documents |
|---|---|
{formats}

DOI prefixes (publishers): {prefixes}.

The licence of each source document is not recorded in the store. Numbers, units and material
names are facts; the `sentence` column of the `records` config quotes the papers (short excerpts
for provenance). Check the terms of each source before redistributing this dataset, or rebuild it
with `--no-sentences` to leave the quotations out. Some shared corpora are licensed for
non-commercial use or share-alike only.

## Notes

{notes}
"""


__all__ = ["write_dataset", "dataset_card", "MATERIAL_SCHEMA", "RECORD_SCHEMA"]
