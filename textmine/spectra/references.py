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
    species = [site[0] if isinstance(site[0], str) else dict(site[0]) for site in item["sites"]]
    coords = [[float(Fraction(v)) if isinstance(v, str) else v for v in site[1:4]] for site in item["sites"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        structure = Structure.from_spacegroup(item["sg"], lattice, species, coords, tol=1e-3)
    expected = Composition(item["formula"]).reduced_formula
    if structure.composition.reduced_formula != expected:
        raise ReferenceError(f"{item['name']}: built {structure.composition.reduced_formula}, expected {expected} "
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


@functools.lru_cache(maxsize=1)
def reference_entries(path: Path = REFERENCES) -> tuple[StructureEntry, ...]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for item in items:
        structure = build_reference(item)
        out.append(describe(structure, source=f"textmine:references/{item['name']}", name=item["name"],
                            reference=item["source"] + (f" ({item['note']})" if item.get("note") else "")))
    return tuple(out)


__all__ = ["reference_entries", "build_reference", "ReferenceError", "REFERENCES"]
