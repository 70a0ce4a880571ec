"""Reference structures built from published crystallographic data (references.yaml) with
`Structure.from_spacegroup`, checked on load: the built cell must have the stated reduced formula
and number of formula units, and no two atoms closer than 1.1 Å (a wrong origin choice or a mistyped coordinate fails both)."""

from __future__ import annotations

import functools
from fractions import Fraction
import warnings
from pathlib import Path
from typing import Any

import yaml

from textmine.structures.model import StructureEntry, describe

REFERENCES = Path(__file__).with_name("references.yaml")
MIN_DISTANCE = 1.1  # Å; C-O in carbonates (~1.2-1.3) is the shortest bond kept (H is left out)


class ReferenceError(ValueError):
    pass


def build_reference(item: dict[str, Any]):
    from pymatgen.core import Composition, Lattice, Structure

    a, b, c, alpha, beta, gamma = item["lattice"]
    lattice = Lattice.from_parameters(a, b, c, alpha, beta, gamma)
    species = [site[0] if isinstance(site[0], str) else {el: _number(v) for el, v in site[0].items()} for site in item["sites"]]
    coords = [[_number(v) for v in site[1:4]] for site in item["sites"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        structure = Structure.from_spacegroup(item["sg"], lattice, species, coords, tol=1e-3)
    expected = Composition(item["formula"])
    built = structure.composition
    if not all(abs(built.get_atomic_fraction(el) - expected.get_atomic_fraction(el)) < 1e-4 for el in {*built, *expected}):
        raise ReferenceError(f"{item['name']}: built {built.reduced_formula}, expected {expected.reduced_formula} "
                             f"(origin choice of {item['sg']}?)")
    z = round(structure.composition.num_atoms / Composition(item["formula"]).num_atoms, 3)
    if "z" in item and z != item["z"]:
        raise ReferenceError(f"{item['name']}: built Z = {z:g}, expected {item['z']} (origin choice of {item['sg']}?)")
    distances = structure.distance_matrix
    if len(structure) > 1:
        shortest = min(distances[i][j] for i in range(len(structure)) for j in range(i + 1, len(structure)))
        if shortest < MIN_DISTANCE:
            raise ReferenceError(f"{item['name']}: two atoms {shortest:.2f} Å apart (< {MIN_DISTANCE}): check the sites")
    return structure


def _number(value: Any) -> float:
    return float(Fraction(value)) if isinstance(value, str) else float(value)


def entries_from_yaml(items: list[dict[str, Any]], label: str = "references") -> tuple[StructureEntry, ...]:
    out = []
    for item in items:
        structure = build_reference(item)
        out.append(describe(structure, source=f"textmine:{label}/{item['name']}", name=item["name"],
                            reference=item["source"] + (f" ({item['note']})" if item.get("note") else "")))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def reference_entries(path: Path = REFERENCES) -> tuple[StructureEntry, ...]:
    return entries_from_yaml(yaml.safe_load(path.read_text(encoding="utf-8")))


__all__ = ["reference_entries", "entries_from_yaml", "build_reference", "ReferenceError", "REFERENCES"]
