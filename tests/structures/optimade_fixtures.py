"""OPTIMADE v1 `/structures` responses written to the specification (v1.2: entry resource
`structures`, `links.next`, `meta.more_data_available`, `species` with `concentration`), for the
reader and the harvest tests. The lattices are real (rutile TiO2, rock-salt NaCl)."""

from __future__ import annotations

from typing import Any

PROVIDER = {"name": "Example provider", "description": "test", "prefix": "exmpl", "homepage": None}


def _meta(returned: int, more: bool) -> dict[str, Any]:
    return {"api_version": "1.2.0", "query": {"representation": "/structures"}, "more_data_available": more,
            "data_returned": returned, "data_available": returned, "provider": PROVIDER, "schema": None,
            "time_stamp": "2026-01-01T00:00:00Z"}


ENTRIES: dict[str, dict[str, Any]] = {
    "TiO2-rutile": {
        "lattice_vectors": [[4.5937, 0, 0], [0, 4.5937, 0], [0, 0, 2.9587]],
        "cartesian_site_positions": [[0, 0, 0], [2.29685, 2.29685, 1.47935], [1.40006, 1.40006, 0], [3.19364, 3.19364, 0],
                                     [3.69691, 0.89679, 1.47935], [0.89679, 3.69691, 1.47935]],
        "species_at_sites": ["Ti", "Ti", "O", "O", "O", "O"],
        "species": [{"name": "Ti", "chemical_symbols": ["Ti"], "concentration": [1.0]},
                    {"name": "O", "chemical_symbols": ["O"], "concentration": [1.0]}],
        "dimension_types": [1, 1, 1], "nperiodic_dimensions": 3, "chemical_formula_reduced": "O2Ti",
        "chemical_formula_descriptive": "TiO2", "nsites": 6, "elements": ["O", "Ti"],
    },
    "NaCl": {
        "lattice_vectors": [[0, 2.8201, 2.8201], [2.8201, 0, 2.8201], [2.8201, 2.8201, 0]],
        "cartesian_site_positions": [[0, 0, 0], [2.8201, 2.8201, 2.8201]],
        "species_at_sites": ["Na", "Cl"],
        "species": [{"name": "Na", "chemical_symbols": ["Na"], "concentration": [1.0]},
                    {"name": "Cl", "chemical_symbols": ["Cl"], "concentration": [1.0]}],
        "dimension_types": [1, 1, 1], "nperiodic_dimensions": 3, "chemical_formula_reduced": "ClNa",
        "chemical_formula_descriptive": "NaCl", "nsites": 2, "elements": ["Cl", "Na"],
    },
    "vacancy-disordered": {
        "lattice_vectors": [[4.0, 0, 0], [0, 4.0, 0], [0, 0, 4.0]],
        "cartesian_site_positions": [[0, 0, 0], [2.0, 2.0, 2.0]],
        "species_at_sites": ["LiNa", "O"],
        "species": [{"name": "LiNa", "chemical_symbols": ["Li", "Na", "vacancy"], "concentration": [0.5, 0.25, 0.25]},
                    {"name": "O", "chemical_symbols": ["O"], "concentration": [1.0]}],
        "dimension_types": [1, 1, 1], "nperiodic_dimensions": 3, "chemical_formula_reduced": "Li2NaO4",
        "chemical_formula_descriptive": "Li0.5Na0.25O", "nsites": 2, "elements": ["Li", "Na", "O"],
    },
    "molecule": {
        "lattice_vectors": [[None, None, None], [None, None, None], [None, None, None]],
        "cartesian_site_positions": [[0, 0, 0], [0, 0, 1.21]], "species_at_sites": ["O", "O"],
        "species": [{"name": "O", "chemical_symbols": ["O"], "concentration": [1.0]}],
        "dimension_types": [0, 0, 0], "nperiodic_dimensions": 0, "chemical_formula_reduced": "O2", "nsites": 2,
        "elements": ["O"],
    },
}


def page(ids: list[str], next_url: str | None, returned: int | None = None) -> dict[str, Any]:
    return {
        "data": [{"id": i, "type": "structures", "attributes": ENTRIES[i]} for i in ids],
        "meta": _meta(returned if returned is not None else len(ids), next_url is not None),
        "links": {"next": next_url},
    }


def error(status: int, detail: str) -> dict[str, Any]:
    return {"errors": [{"status": str(status), "title": "Bad Request", "detail": detail}], "meta": _meta(0, False)}
