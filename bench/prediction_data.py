"""The shared materials data as training tables, for the prediction benchmarks (not a test fixture).

    bandgap()              expt_band_gaps: composition -> Eg (eV), repeated compositions merged (median)
    supercon()             SuperCon (Stanev 2018): composition -> Tc (K), every entry
    supercon_3dsc()        the SuperCon entries 3DSC matched to a structure, with that structure's
                           features (one structure per entry: the parent if there is one, else the
                           first artificially doped one, by file name)
    obelix()               OBELiX: composition (+ structure where it has a CIF) -> ionic conductivity (S/cm)

Structure features are cached per CIF in bench/out/cache (they take minutes to compute on a busy
machine); the cache key includes the structure features' version.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textmine.dataset.groups import composition  # noqa: E402
from textmine.predict.data import TrainingTable, load_training_table  # noqa: E402
from textmine.predict.features import FEATURE_VERSION, STRUCTURE_FEATURE_NAMES, read_structure, structure_features  # noqa: E402

MATERIALS = Path(os.environ.get("TEXTMINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "materials"
CACHE = ROOT / "bench" / "out" / "cache"
_CIF_NAME = re.compile(r"(.+)-MP-(.+?)(-synth_doped)?\.cif$")


def bandgap() -> TrainingTable:
    return load_training_table(MATERIALS / "expt_band_gaps" / "expt-non-metals.csv", "band_gap",
                               formula_column="composition", target_column="Eg")


def supercon() -> TrainingTable:
    return load_training_table(MATERIALS / "supercon_3dsc" / "Supercon_data_by_2018_Stanev.csv",
                               "superconducting_transition_temperature", formula_column="name", target_column="Tc")


def _key(formula: str) -> tuple | None:
    amounts = composition(formula)
    return tuple((el, round(n, 3)) for el, n in amounts) if amounts else None


def cached_structure_features(paths: list[Path], log: Callable[[str], None] = print) -> dict[str, np.ndarray]:
    """name -> structure feature vector (NaN where the CIF cannot be read), cached on disk."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cache_file = CACHE / f"structure-features-{FEATURE_VERSION.split('+')[-1]}.npz"  # the structure part's version
    cached: dict[str, np.ndarray] = dict(np.load(cache_file)) if cache_file.exists() else {}
    todo = [p for p in paths if str(p) not in cached]
    for i, path in enumerate(todo):
        try:
            cached[str(path)] = structure_features(read_structure(path))
        except ValueError:
            cached[str(path)] = np.full(len(STRUCTURE_FEATURE_NAMES), np.nan)
        if (i + 1) % 250 == 0 or i + 1 == len(todo):
            log(f"  structure features {i + 1}/{len(todo)}")
            np.savez(cache_file, **cached)
    return {str(p): cached[str(p)] for p in paths}


def supercon_3dsc() -> TrainingTable:
    """Entries with a 3DSC structure: `structures` holds their cached feature vectors."""
    folder = MATERIALS / "supercon_3dsc" / "cifs"
    by_key: dict[tuple, list[str]] = {}
    for name in sorted(os.listdir(folder)):
        m = _CIF_NAME.match(name)
        if m and (key := _key(m.group(1))):
            by_key.setdefault(key, []).append(name)
    chosen = {k: sorted(v, key=lambda n: ("synth_doped" in n, n))[0] for k, v in by_key.items()}
    rows = []
    with open(MATERIALS / "supercon_3dsc" / "Supercon_data_by_2018_Stanev.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = _key(row["name"])
            if key in chosen:
                rows.append({"formula": row["name"], "Tc": row["Tc"], "cif": chosen[key]})
    out = _write_rows("supercon_3dsc.csv", rows)
    return _with_cached_structures(out, "superconducting_transition_temperature", "formula", "Tc", "cif", folder)


def _write_rows(name: str, rows: list[dict[str, str]]) -> Path:
    """A derived CSV in the cache (never beside the shared data)."""
    out = CACHE / name
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def _with_cached_structures(csv_path: Path, prop: str, fcol: str, tcol: str, scol: str, folder: Path) -> TrainingTable:
    """Load a CSV with its structure column, reading each CIF once through the feature cache."""
    table = load_training_table(csv_path, prop, formula_column=fcol, target_column=tcol, unit=None)
    # the table above has no structures; attach the cached vectors by the rows' CIF names
    names: dict[str, str] = {}
    with open(csv_path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get(scol):
                names.setdefault(row[fcol], row[scol])
    paths = sorted({folder / n if n.endswith(".cif") else folder / f"{n}.cif" for n in names.values()})
    features = cached_structure_features([p for p in paths if p.is_file()])
    structures, ids = [], []
    for formula in table.formulas:
        name = names.get(formula)
        path = str(folder / (name if name and name.endswith(".cif") else f"{name}.cif")) if name else None
        vector = features.get(path) if path else None
        usable = vector is not None and not np.isnan(vector).all()
        structures.append(vector if usable else None)
        ids.append(name if usable else None)
    table.structures, table.structure_ids = structures, ids
    table.columns["structure"] = scol
    table.notes.append(f"{sum(s is not None for s in structures)} of {len(structures)} materials with a structure")
    return table


def obelix() -> TrainingTable:
    """Ionic conductivity in S/cm (log10 target); `<1E-10` read as 1e-10. The CIF of a row is `<ID>.cif`
    when OBELiX has one."""
    folder = MATERIALS / "obelix" / "cifs"
    rows = []
    with open(MATERIALS / "obelix" / "all.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            has_cif = (folder / f"{row['ID']}.cif").is_file()
            rows.append({"formula": row["Reduced Composition"], "sigma": row["Ionic conductivity (S cm-1)"],
                         "cif": row["ID"] if has_cif else ""})
    out = _write_rows("obelix.csv", rows)
    return _with_cached_structures(out, "ionic_conductivity", "formula", "sigma", "cif", folder)


def by_groups(table: TrainingTable, n: int, rng: np.random.Generator) -> TrainingTable:
    """About n materials, whole chemical systems at a time."""
    groups = np.asarray(table.groups)
    order = rng.permutation(np.unique(groups))
    chosen, count = [], 0
    sizes = dict(zip(*np.unique(groups, return_counts=True)))
    for g in order:
        if count >= n:
            break
        chosen.append(g)
        count += sizes[g]
    return table.subset(np.flatnonzero(np.isin(groups, chosen)))


def without_structures(table: TrainingTable) -> TrainingTable:
    """The same rows, composition only (for a like-for-like comparison)."""
    out = table.subset(np.arange(len(table)))
    out.structures, out.structure_ids = None, None
    out.columns = {**out.columns, "structure": None}
    return out


__all__ = ["bandgap", "by_groups", "supercon", "supercon_3dsc", "obelix", "without_structures", "MATERIALS", "CACHE"]
