"""Crystal structures joined to dataset materials, from wherever they are known.

Two sources, tried in this order:

1. **Links in the store.** `textmine.link` (the structures/linking feature) is expected to offer

       structures_for_materials(store, material_ids: list[str]) -> dict[str, list[LinkedStructure-like]]

   where each item has `structure_id` and `cif` (CIF text), as attributes or dict keys, and
   optionally `source` and `score`. When that module or function is absent (the feature is not
   installed, or an older textmine), this source is skipped and the dataset card says so.
2. **A folder of CIFs** (`textmine dataset build --structures DIR`): each CIF is keyed by its
   reduced formula, so it joins every material of that composition (whatever its qualifiers).

A material with several structures gets the first (the best-scored link, or the first file name).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable



@dataclass(frozen=True)
class LinkedStructure:
    structure_id: str
    cif: str
    source: str  # 'link' or the CIF folder


def from_links(store: Any, material_ids: Iterable[str]) -> tuple[dict[str, LinkedStructure], str]:
    """Structures linked in the store, and a note for the dataset card."""
    try:
        module = importlib.import_module("textmine.link")
    except ImportError:
        return {}, "no structure links: textmine.link is not available in this installation"
    lookup = getattr(module, "structures_for_materials", None)
    if lookup is None:
        return {}, "no structure links: textmine.link has no structures_for_materials(store, material_ids)"
    try:
        found = lookup(store, list(material_ids))
    except Exception as exc:  # noqa: BLE001 - a broken link index must not stop the dataset
        return {}, f"structure links could not be read ({type(exc).__name__}: {exc})"
    out: dict[str, LinkedStructure] = {}
    for mid, items in (found or {}).items():
        for item in sorted(items or [], key=lambda i: -float(_field(i, "score") or 0.0)):
            cif = _field(item, "cif")
            sid = _field(item, "structure_id")
            if cif and sid:
                out[mid] = LinkedStructure(structure_id=str(sid), cif=str(cif), source="link")
                break
    return out, f"{len(out)} materials joined to structures linked in the store"


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def from_folder(folder: str | Path, wanted: set[str]) -> tuple[dict[str, LinkedStructure], str]:
    """CIFs of `folder` whose reduced formula is one of `wanted`, keyed by that formula."""
    import warnings

    from pymatgen.core import Structure

    folder = Path(folder)
    out: dict[str, LinkedStructure] = {}
    unreadable = 0
    for path in sorted(folder.glob("*.cif")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reduced = Structure.from_file(str(path)).composition.reduced_formula
        except Exception:  # noqa: BLE001 - pymatgen raises many types on malformed CIFs
            unreadable += 1
            continue
        if reduced in wanted and reduced not in out:
            out[reduced] = LinkedStructure(structure_id=path.stem, cif=path.read_text(encoding="utf-8", errors="replace"),
                                           source=str(folder))
    note = f"{len(out)} compositions joined to CIFs in {folder}"
    if unreadable:
        note += f" ({unreadable} unreadable CIFs skipped)"
    return out, note


__all__ = ["LinkedStructure", "from_links", "from_folder"]
