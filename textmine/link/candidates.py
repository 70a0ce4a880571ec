"""Candidate structures for a composition: the exact reduced formula, and parents of doped or
non-stoichiometric compositions ranked by substitution distance (a compound with whole-number
amounts of the same elements, 'Ti2O3' beside 'TiO2', is none's parent or child).

The substitution distance between two compositions is half the L1 distance of their atomic
fractions: 0 for the same composition, 1 for disjoint ones. `La0.7Sr0.3MnO3` is 0.06 from
`LaMnO3` and 0.14 from `SrMnO3`; `YBa2Cu3O6.95` is 0.002 from `YBa2Cu3O7`. Parents are looked up
by chemical system: the composition's own system and each system with one element (the dopant)
left out, so `Ba0.6K0.4Fe2As2` finds `BaFe2As2` and `KFe2As2`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterable

from textmine.store.structures import StructureQuery
from textmine.structures.model import StructureEntry

MAX_PARENT_DISTANCE = 0.12  # beyond this a "parent" shares too little to be one (BaTiO3 is 0.2 from TiO2)
PER_SYSTEM_LIMIT = 2000


@dataclass(frozen=True)
class Candidate:
    entry: StructureEntry
    method: str  # formula | parent
    distance: float


def atomic_fractions(composition: dict[str, float]) -> dict[str, float]:
    total = sum(v for v in composition.values() if v > 0)
    return {el: v / total for el, v in composition.items() if v > 0} if total else {}


def substitution_distance(a: dict[str, float], b: dict[str, float]) -> float:
    fa, fb = atomic_fractions(a), atomic_fractions(b)
    return 0.5 * sum(abs(fa.get(el, 0.0) - fb.get(el, 0.0)) for el in set(fa) | set(fb))


def entry_composition(entry: StructureEntry) -> dict[str, float]:
    from pymatgen.core import Composition

    return {str(el): float(v) for el, v in Composition(entry.formula).get_el_amt_dict().items()}


def chemical_systems(elements: Iterable[str], drop: int = 1) -> list[str]:
    """The system itself, then each with up to `drop` elements left out (never below one)."""
    elements = sorted(set(elements))
    out = ["-".join(elements)]
    for k in range(1, drop + 1):
        if len(elements) - k < 1:
            break
        out += ["-".join(c) for c in itertools.combinations(elements, len(elements) - k)]
    return out


def candidates(companion, composition: dict[str, float], reduced_formula: str, *, drop: int = 1) -> list[Candidate]:
    """Structures of exactly this reduced formula (distance 0), else near compositions in the
    system and its one-element-less subsystems, nearest first (at most MAX_PARENT_DISTANCE)."""
    seen: dict[str, Candidate] = {}
    exact = companion.search_structures(StructureQuery(formula=reduced_formula, limit=PER_SYSTEM_LIMIT)).structures
    for entry in exact:
        seen[entry.structure_id] = Candidate(entry, "formula", 0.0)
    systems = chemical_systems(composition, drop=drop if len(composition) > 1 else 0)
    # whole-number amounts of the same elements as a stored structure name another compound, not
    # a variant of it: parents are for doped ('La0.7Sr0.3MnO3') and off-stoichiometric ('YBa2Cu3O6.95') ones
    line_compound = all(abs(amount - round(amount)) < 1e-6 for amount in composition.values())
    for system in systems:
        for entry in companion.search_structures(StructureQuery(chemsys=system, limit=PER_SYSTEM_LIMIT)).structures:
            if entry.structure_id in seen:
                continue
            parent = entry_composition(entry)
            distance = substitution_distance(composition, parent)
            if distance >= 1e-3 and line_compound and set(parent) == set(composition):
                continue  # 'Ti2O3' is a compound of its own, not a doped or off-stoichiometric 'TiO2'
            if distance <= MAX_PARENT_DISTANCE:
                # the same composition written another way (a doped cell's formula) counts as exact
                method = "formula" if distance < 1e-3 else "parent"
                seen[entry.structure_id] = Candidate(entry, method, round(distance, 4))
    found = list(seen.values())
    if any(c.method == "formula" for c in found):  # the composition itself is stored: no parents needed
        found = [c for c in found if c.method == "formula"]
    return sorted(found, key=lambda c: (c.distance, c.entry.nsites, c.entry.structure_id))


__all__ = ["candidates", "Candidate", "substitution_distance", "atomic_fractions", "chemical_systems", "MAX_PARENT_DISTANCE"]
