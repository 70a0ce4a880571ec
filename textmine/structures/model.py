"""The structure model: one crystal structure as the store keeps it.

A `StructureEntry` is what `textmine structures add` makes of one CIF data block, POSCAR, extxyz
frame or JSON structure: the serialised pymatgen structure plus the fields queries and linking
use (reduced formula, chemical system, space group and crystal system found by spglib at a
recorded tolerance, lattice, density, number of sites), where it came from, and a stable id.

`structure_id` depends on the structure's content only (species with occupancies, lattice and
fractional coordinates, rounded), so the same structure read twice, from two files or from a
harvest and a file, is stored once.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# spglib tolerances: 0.1 Å / 5° is what Materials Project uses for its space-group labels; a
# structure spglib cannot analyse at that tolerance is retried at the looser one and says so.
SYMPREC = 0.1
ANGLE_TOLERANCE = 5.0
FALLBACK_SYMPREC = 0.5

CRYSTAL_SYSTEMS = ("triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic")

_SOURCE_ID = [
    (re.compile(r"(?<![A-Za-z0-9])(mp-\d+|mvc-\d+)(?![0-9])"), "{0}"),
    (re.compile(r"(?<![A-Za-z0-9])(agm\d{6,})"), "alexandria:{0}"),
    (re.compile(r"(?<![A-Za-z0-9])(JVASP-\d+)", re.I), "jarvis:{0}"),
    (re.compile(r"(?<![A-Za-z0-9])(oqmd-\d+)", re.I), "{0}"),
]


class Lattice(BaseModel):
    model_config = ConfigDict(frozen=True)

    a: float
    b: float
    c: float
    alpha: float
    beta: float
    gamma: float
    volume: float


class StructureEntry(BaseModel):
    """One crystal structure in the store."""

    model_config = ConfigDict(frozen=True)

    structure_id: str = Field(description="'st-' + 16 hex digits of the canonical content")
    formula: str = Field(description="full formula of the cell, e.g. 'Ti2 O4'")
    reduced_formula: str = Field(description="pymatgen reduced formula, e.g. 'TiO2'")
    chemsys: str = Field(description="elements joined by '-', sorted: 'O-Ti'")
    elements: list[str]
    material_id: str = Field(description="textmine material id of the reduced formula (no qualifiers)")
    space_group: str | None = Field(default=None, description="Hermann-Mauguin symbol from spglib, e.g. 'P4_2/mnm'")
    space_group_number: int | None = None
    crystal_system: str | None = None
    symprec: float | None = Field(default=None, description="spglib distance tolerance (Å) the space group was found at")
    angle_tolerance: float | None = None
    declared_space_group: str | None = Field(default=None, description="what the file itself said, if anything")
    lattice: Lattice
    density: float = Field(description="g/cm³")
    nsites: int
    ordered: bool = Field(description="False when sites have partial occupancies")
    source: str = Field(description="file path (#block), or API URL")
    source_id: str | None = Field(default=None, description="mp-…, icsd:…, cod:…, an OPTIMADE id")
    name: str | None = Field(default=None, description="label the source gives (CIF block, 3DSC SuperCon formula)")
    kind: str = Field(default="", description="'synth_doped' for 3DSC artificially doped structures, '' otherwise")
    reference: str | None = Field(default=None, description="where the data come from (a paper, a database)")
    structure: dict[str, Any] = Field(description="pymatgen Structure.as_dict()")

    def to_pymatgen(self):
        from pymatgen.core import Structure

        return Structure.from_dict(self.structure)

    def summary(self) -> dict[str, Any]:
        """The flat fields (everything but the serialised structure)."""
        return self.model_dump(exclude={"structure"})


def canonical_id(structure) -> str:
    """Content hash of a pymatgen structure: the same atoms in the same cell, the same id,
    whatever the site order or float noise (coordinates rounded to 1e-4, lattice to 1e-4 Å)."""
    lattice = [round(float(x), 4) for x in structure.lattice.parameters]
    sites = []
    for site in structure:
        species = sorted((str(sp), round(float(occ), 4)) for sp, occ in site.species.items())
        coords = [round(float(c) % 1.0, 4) % 1.0 for c in site.frac_coords]
        sites.append((species, coords))
    sites.sort()
    blob = json.dumps({"lattice": lattice, "sites": sites}, separators=(",", ":"))
    return "st-" + hashlib.sha1(blob.encode("utf-8")).hexdigest()[:16]


def source_id_from(text: str) -> str | None:
    """An MP / Alexandria / JARVIS / OQMD id named in a file name or header."""
    for pattern, template in _SOURCE_ID:
        m = pattern.search(text)
        if m:
            return template.format(m.group(1))
    return None


def describe(structure, *, source: str, source_id: str | None = None, name: str | None = None,
             declared_space_group: str | None = None, kind: str = "", reference: str | None = None,
             symprec: float = SYMPREC, angle_tolerance: float = ANGLE_TOLERANCE) -> StructureEntry:
    """A pymatgen `Structure` -> `StructureEntry` (symmetry through spglib, tolerance recorded)."""
    from textmine.normalise.material_id import material_id

    composition = structure.composition
    reduced = composition.reduced_formula
    elements = sorted({el.symbol for el in composition.elements})
    sg_symbol, sg_number, system, used = _symmetry(structure, symprec, angle_tolerance)
    a, b, c, alpha, beta, gamma = (float(x) for x in structure.lattice.parameters)
    return StructureEntry(
        structure_id=canonical_id(structure),
        formula=composition.formula,
        reduced_formula=reduced,
        chemsys="-".join(elements),
        elements=elements,
        material_id=material_id(reduced),
        space_group=sg_symbol,
        space_group_number=sg_number,
        crystal_system=system,
        symprec=used,
        angle_tolerance=angle_tolerance if used is not None else None,
        declared_space_group=declared_space_group,
        lattice=Lattice(a=a, b=b, c=c, alpha=alpha, beta=beta, gamma=gamma, volume=float(structure.volume)),
        density=round(float(structure.density), 6),
        nsites=len(structure),
        ordered=bool(structure.is_ordered),
        source=source,
        source_id=source_id,
        name=name,
        kind=kind,
        reference=reference,
        structure=structure.as_dict(),
    )


def _symmetry(structure, symprec: float, angle_tolerance: float) -> tuple[str | None, int | None, str | None, float | None]:
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    for tolerance in (symprec, FALLBACK_SYMPREC):
        try:
            analyzer = SpacegroupAnalyzer(structure, symprec=tolerance, angle_tolerance=angle_tolerance)
            return analyzer.get_space_group_symbol(), analyzer.get_space_group_number(), analyzer.get_crystal_system(), tolerance
        except Exception:  # noqa: BLE001 - spglib gives up on some disordered/odd cells: try looser, else none
            continue
    return None, None, None, None


__all__ = ["StructureEntry", "Lattice", "describe", "canonical_id", "source_id_from", "SYMPREC", "CRYSTAL_SYSTEMS"]
