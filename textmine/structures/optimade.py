"""OPTIMADE v1 structure entries -> pymatgen structures -> `StructureEntry`.

The shape is the OPTIMADE v1.2 `structures` entry: `attributes.lattice_vectors`,
`cartesian_site_positions`, `species_at_sites` and `species` (each with `chemical_symbols` and
`concentration`, where `vacancy` marks a partly empty site). Used by the OPTIMADE harvest source
and by the JSON reader, so a saved response loads like a file.
"""

from __future__ import annotations

from typing import Any, Iterator

from textmine.records import Failure, FailureStage
from textmine.structures.model import StructureEntry, describe

VACANCY = {"vacancy", "X"}


class OptimadeEntryError(ValueError):
    pass


def structure_from_attributes(attributes: dict[str, Any]):
    """The pymatgen `Structure` an OPTIMADE entry describes (disordered sites kept)."""
    from pymatgen.core import Lattice, Structure

    lattice = attributes.get("lattice_vectors")
    positions = attributes.get("cartesian_site_positions")
    at_sites = attributes.get("species_at_sites")
    if not lattice or positions is None or at_sites is None:
        raise OptimadeEntryError("entry lacks lattice_vectors, cartesian_site_positions or species_at_sites "
                                 "(ask for them with response_fields, or the database serves no 3D structures)")
    dims = attributes.get("dimension_types") or [1, 1, 1]
    if list(dims) != [1, 1, 1] or any(v is None for row in lattice for v in row):
        raise OptimadeEntryError(f"not periodic in 3D (dimension_types={dims}): a molecule or slab, not a crystal")
    if len(positions) != len(at_sites):
        raise OptimadeEntryError(f"{len(positions)} positions but {len(at_sites)} species_at_sites")
    kinds: dict[str, dict[str, float]] = {}
    for species in attributes.get("species") or []:
        symbols = species.get("chemical_symbols") or []
        concentration = species.get("concentration") or [1.0] * len(symbols)
        kinds[species["name"]] = {s: float(c) for s, c in zip(symbols, concentration) if s not in VACANCY}
    site_species = []
    for name in at_sites:
        occupancy = kinds.get(name) or {name: 1.0}  # no `species` list: the site name is the element
        if not occupancy:
            raise OptimadeEntryError(f"species {name!r} is only a vacancy")
        site_species.append(occupancy)
    return Structure(Lattice(lattice), site_species, positions, coords_are_cartesian=True)


def entry_from_optimade(entry: dict[str, Any], *, base_url: str, provider: str | None = None, **describe_kw: Any) -> StructureEntry:
    """One OPTIMADE `data` item -> `StructureEntry` with source id `<provider>:<id>`."""
    attributes = entry.get("attributes") or {}
    structure = structure_from_attributes(attributes)
    entry_id = str(entry.get("id", ""))
    prefix = f"{provider}:" if provider and not entry_id.startswith(f"{provider}:") else ""
    source_id = f"{prefix}{entry_id}" if entry_id else None
    url = f"{base_url.rstrip('/')}/structures/{entry_id}" if entry_id else base_url
    return describe(structure, source=url, source_id=source_id, name=attributes.get("chemical_formula_descriptive"),
                    reference=base_url, **describe_kw)


def entries_from_response(payload: dict[str, Any], source: str, **describe_kw: Any) -> Iterator[StructureEntry | Failure]:
    """Every structure of an OPTIMADE `/structures` response (a list, or one entry)."""
    data = payload.get("data")
    items = data if isinstance(data, list) else [data]
    provider = ((payload.get("meta") or {}).get("provider") or {}).get("prefix")
    base_url = str(((payload.get("links") or {}).get("base_url")) or source)
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in (None, "structures"):
            continue
        try:
            yield entry_from_optimade(item, base_url=base_url, provider=provider, **describe_kw)
        except Exception as exc:  # noqa: BLE001 - a bad entry is a failure, not the end of the page
            yield Failure(source=f"{source}#{item.get('id', '?')}", stage=FailureStage.READ, reason=str(exc)[:300])


__all__ = ["structure_from_attributes", "entry_from_optimade", "entries_from_response", "OptimadeEntryError"]
