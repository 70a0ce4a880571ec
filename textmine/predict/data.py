"""Tables a model trains on, and inputs it predicts for, read from the places users keep them.

Training sources (`textmine predict train PROPERTY --data SOURCE`):
- a dataset folder written by `textmine dataset build` (its `materials.parquet`; the `test`
  split is left out unless asked, so it stays a fair test);
- a CSV with a formula column, a target column and optionally a structure column naming CIF
  files (relative to `--cif-folder`, else to the CSV's folder).

Rows of one material (same `material_id`, and same structure when structures are given) are
merged into one by their median, so a composition measured five times counts once. Values such
as `<1E-10` are read as their bound and counted as censored.

Prediction inputs (`textmine predict run --input`): a CSV (rows kept in order) or a folder of CIFs
(one row per file, sorted by name, the formula taken from the structure).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from textmine.dataset.groups import chemical_system, composition
from textmine.normalise.material_id import material_id
from textmine.predict.features import read_structure, structure_from_text

DATASET_META = "dataset.json"
_BOUND = re.compile(r"^\s*([<>≤≥~≈]=?)\s*")


class DataError(ValueError):
    """Input that cannot be used; the message names the file, the column or the row and what to do."""


@dataclass
class TrainingTable:
    property: str
    unit: str
    formulas: list[str]
    values: np.ndarray  # target in `unit`
    groups: list[str]  # chemical systems
    material_ids: list[str]
    structures: list[Any] | None = None  # pymatgen Structures (None where a row has none); None: no structure column
    structure_ids: list[str | None] | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)  # what was merged, skipped or censored
    columns: dict[str, str | None] = field(default_factory=dict)  # CSV columns used: formula, target, structure

    def __len__(self) -> int:
        return len(self.formulas)

    def data_hash(self) -> str:
        """SHA-256 over the rows as trained on (formula, value, structure id): two models with the
        same hash saw the same data."""
        digest = hashlib.sha256()
        for i, formula in enumerate(self.formulas):
            sid = self.structure_ids[i] if self.structure_ids else ""
            digest.update(f"{formula}\t{self.values[i]!r}\t{sid or ''}\n".encode("utf-8"))
        return digest.hexdigest()

    def subset(self, index: np.ndarray) -> "TrainingTable":
        index = np.asarray(index)
        pick = lambda seq: [seq[i] for i in index]  # noqa: E731
        return TrainingTable(
            property=self.property, unit=self.unit, formulas=pick(self.formulas), values=self.values[index],
            groups=pick(self.groups), material_ids=pick(self.material_ids),
            structures=pick(self.structures) if self.structures is not None else None,
            structure_ids=pick(self.structure_ids) if self.structure_ids is not None else None,
            source=self.source, notes=list(self.notes), columns=dict(self.columns),
        )


def parse_number(text: str) -> tuple[float | None, bool]:
    """'3.2' -> (3.2, False); '<1E-10' -> (1e-10, True); '' or 'n/a' -> (None, False)."""
    if text is None:
        return None, False
    raw = str(text).strip()
    censored = bool(_BOUND.match(raw))
    raw = _BOUND.sub("", raw)
    try:
        value = float(raw)
    except ValueError:
        return None, False
    return (value, censored) if math.isfinite(value) else (None, False)


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            columns = list(reader.fieldnames or [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read {path} as CSV: {exc}") from exc
    if not columns:
        raise DataError(f"{path} has no header row: the first line must name the columns (e.g. formula,value)")
    return columns, rows


def _pick_column(columns: list[str], wanted: str | None, fallbacks: Iterable[str], what: str, path: Path, flag: str) -> str:
    if wanted:
        if wanted not in columns:
            raise DataError(f"{path} has no column {wanted!r} ({what}); columns: {', '.join(columns)}")
        return wanted
    for name in fallbacks:
        if name and name in columns:
            return name
    raise DataError(f"{path}: which column holds the {what}? pass {flag} (columns: {', '.join(columns)})")


class StructureReader:
    """CIF files by name, each read once; a file that cannot be read is reported, not fatal."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[Path, Any] = {}
        self.failures: list[str] = []

    def resolve(self, name: str) -> Path | None:
        name = name.strip()
        if not name:
            return None
        candidates = [Path(name)] if Path(name).is_absolute() else [self.folder / name, self.folder / f"{name}.cif"]
        return next((p for p in candidates if p.is_file()), None)

    def get(self, name: str) -> Any:
        path = self.resolve(name)
        if path is None:
            return None
        if path not in self._cache:
            try:
                self._cache[path] = read_structure(path)
            except ValueError as exc:
                self.failures.append(str(exc))
                self._cache[path] = None
        return self._cache[path]


def load_training_table(
    source: str | Path,
    property_name: str,
    *,
    formula_column: str | None = None,
    target_column: str | None = None,
    structure_column: str | None = None,
    cif_folder: str | Path | None = None,
    unit: str | None = None,
    splits: tuple[str, ...] = ("train", "validation"),
    progress: Callable[[int, int], None] | None = None,
) -> TrainingTable:
    source = Path(source)
    if source.is_dir() and (source / DATASET_META).is_file():
        return _from_dataset(source, property_name, splits, structure_column is not None or cif_folder is not None)
    if source.is_dir():
        raise DataError(f"{source} is a folder but not a textmine dataset ({DATASET_META} missing): "
                        "pass a CSV, or build a dataset with `textmine dataset build`")
    if not source.is_file():
        raise DataError(f"no such file: {source}")
    columns, rows = read_csv_rows(source)
    fcol = _pick_column(columns, formula_column, ("formula", "composition"), "formulas", source, "--formula-column")
    tcol = _pick_column(columns, target_column, (property_name, "value", "target"), "target values", source, "--target-column")
    scol = None
    if structure_column or cif_folder:
        scol = _pick_column(columns, structure_column, ("structure", "cif", "structure_id"), "CIF file names", source,
                            "--structure-column")
    reader = StructureReader(Path(cif_folder) if cif_folder else source.parent) if scol else None
    notes: list[str] = []
    kept: list[tuple[str, float, str | None, Any]] = []
    bad_values = bad_formulas = censored = 0
    for i, row in enumerate(rows):
        value, was_censored = parse_number(row.get(tcol, ""))
        if value is None:
            bad_values += 1
            continue
        formula = (row.get(fcol) or "").strip()
        if composition(formula) is None:
            bad_formulas += 1
            continue
        censored += was_censored
        structure_id, structure = None, None
        if reader is not None and (name := (row.get(scol) or "").strip()):
            structure = reader.get(name)
            structure_id = name if structure is not None else None
        kept.append((formula, value, structure_id, structure))
        if progress and i % 200 == 0:
            progress(i, len(rows))
    if bad_values:
        notes.append(f"{bad_values} rows without a numeric {tcol!r} skipped")
    if bad_formulas:
        notes.append(f"{bad_formulas} rows whose {fcol!r} is not a definite formula skipped")
    if censored:
        notes.append(f"{censored} censored values ('<1E-10') read as their bound")
    if reader is not None:
        with_structure = sum(1 for k in kept if k[3] is not None)
        notes.append(f"{with_structure} of {len(kept)} rows have a readable structure")
        notes.extend(reader.failures[:5])
    if not kept:
        raise DataError(f"{source}: no usable rows (numeric {tcol!r} and a parseable {fcol!r}); " + "; ".join(notes))
    resolved_unit = unit if unit is not None else _default_unit(property_name)
    table = _merge(kept, property_name, resolved_unit, str(source), notes, with_structures=reader is not None)
    table.columns = {"formula": fcol, "target": tcol, "structure": scol}
    return table


def _default_unit(property_name: str) -> str:
    try:
        from textmine.ontology import load_ontology

        return load_ontology().get(property_name).default_unit
    except Exception:  # noqa: BLE001 - a property outside the ontology keeps its numbers unitless
        return ""


def _merge(rows: list[tuple[str, float, str | None, Any]], property_name: str, unit: str, source: str,
           notes: list[str], *, with_structures: bool) -> TrainingTable:
    """One row per (material_id, structure id): the median of the values."""
    by_key: dict[tuple[str, str | None], list[int]] = {}
    for i, (formula, _, structure_id, _) in enumerate(rows):
        by_key.setdefault((material_id(formula, formula), structure_id), []).append(i)
    formulas, values, groups, ids, structures, structure_ids = [], [], [], [], [], []
    for (mid, structure_id), members in by_key.items():
        first = rows[members[0]]
        formulas.append(first[0])
        values.append(float(np.median([rows[i][1] for i in members])))
        groups.append(chemical_system(first[0]) or mid)
        ids.append(mid)
        structures.append(first[3])
        structure_ids.append(structure_id)
    if len(by_key) < len(rows):
        notes.append(f"{len(rows)} rows merged into {len(by_key)} materials (median of repeated measurements)")
    return TrainingTable(
        property=property_name, unit=unit, formulas=formulas, values=np.asarray(values, dtype=np.float64), groups=groups,
        material_ids=ids, structures=structures if with_structures else None,
        structure_ids=structure_ids if with_structures else None, source=source, notes=notes,
    )


def _from_dataset(folder: Path, property_name: str, splits: tuple[str, ...], want_structures: bool) -> TrainingTable:
    import pyarrow.parquet as pq

    meta = json.loads((folder / DATASET_META).read_text(encoding="utf-8"))
    if meta.get("property") != property_name:
        raise DataError(f"{folder} is a dataset of {meta.get('property')!r}, not {property_name!r}")
    table = pq.read_table(folder / "materials.parquet").to_pylist()
    chosen = [r for r in table if "all" in splits or r["split"] in splits]
    notes = [f"dataset splits used: {', '.join(splits)} ({len(chosen)} of {len(table)} materials)"]
    chosen = [r for r in chosen if r.get("formula") and composition(r["formula"]) is not None]
    if not chosen:
        raise DataError(f"{folder}: no materials with a parseable formula in splits {', '.join(splits)}")
    has_structures = want_structures or any(r.get("structure_cif") for r in chosen)
    structures: list[Any] = []
    for r in chosen:
        cif = r.get("structure_cif")
        try:
            structures.append(structure_from_text(cif) if cif else None)
        except ValueError:
            structures.append(None)
    return TrainingTable(
        property=property_name, unit=meta.get("unit", ""), formulas=[r["formula"] for r in chosen],
        values=np.asarray([r["value"] for r in chosen], dtype=np.float64),
        groups=[r["chemical_system"] for r in chosen], material_ids=[r["material_id"] for r in chosen],
        structures=structures if has_structures else None,
        structure_ids=[r.get("structure_id") for r in chosen] if has_structures else None,
        source=str(folder), notes=notes, columns={"formula": "formula", "target": "value", "structure": None},
    )


# ----------------------------------------------------------------------------------- inputs

@dataclass
class PredictionInputs:
    formulas: list[str]
    structures: list[Any] | None
    structure_ids: list[str | None] | None
    problems: list[str] = field(default_factory=list)  # 'row 7: ...' for rows that get no prediction


def load_inputs(
    path: str | Path,
    *,
    formula_column: str | None = None,
    default_formula_column: str | None = None,
    structure_column: str | None = None,
    cif_folder: str | Path | None = None,
) -> PredictionInputs:
    path = Path(path)
    if path.is_dir():
        return _inputs_from_cifs(path)
    if not path.is_file():
        raise DataError(f"no such file or folder: {path}")
    columns, rows = read_csv_rows(path)
    fcol = _pick_column(columns, formula_column, (default_formula_column or "", "formula"), "formulas", path, "--formula-column")
    scol = structure_column if structure_column else None
    if scol and scol not in columns:
        raise DataError(f"{path} has no column {scol!r} (structures); columns: {', '.join(columns)}")
    reader = StructureReader(Path(cif_folder) if cif_folder else path.parent) if scol else None
    formulas, structures, structure_ids, problems = [], [], [], []
    for number, row in enumerate(rows, start=2):  # line numbers as an editor shows them (header is line 1)
        formula = (row.get(fcol) or "").strip()
        formulas.append(formula)
        if composition(formula) is None:
            problems.append(f"line {number}: {formula!r} is not a definite chemical formula")
        if reader is not None:
            name = (row.get(scol) or "").strip()
            structure = reader.get(name) if name else None
            if name and structure is None:
                problems.append(f"line {number}: structure {name!r} not found or unreadable (composition only)")
            structures.append(structure)
            structure_ids.append(name or None)
    return PredictionInputs(formulas, structures if reader else None, structure_ids if reader else None, problems)


def _inputs_from_cifs(folder: Path) -> PredictionInputs:
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".cif")
    if not paths:
        raise DataError(f"{folder} holds no .cif files: pass a CSV of formulas or a folder of CIFs")
    formulas, structures, ids, problems = [], [], [], []
    for path in paths:
        try:
            structure = read_structure(path)
            formulas.append(structure.composition.formula.replace(" ", ""))
            structures.append(structure)
        except ValueError as exc:
            formulas.append("")
            structures.append(None)
            problems.append(str(exc))
        ids.append(path.stem)
    return PredictionInputs(formulas, structures, ids, problems)


__all__ = ["TrainingTable", "load_training_table", "PredictionInputs", "load_inputs", "DataError", "parse_number",
           "DATASET_META", "StructureReader", "read_csv_rows"]
