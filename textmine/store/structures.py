"""Structures, spectra and links in the store: the seam both backends implement.

`structure_store(store)` gives the companion of an open `Store` (`SQLiteStructures` on the same
SQLite file, `ESStructures` on the same Elasticsearch node and prefix); both answer the same
`StructureQuery` and `LinkQuery` identically (tests/store/test_structures_parity.py).

Records are searched by their linked structures through three `Query` fields
(`space_group`, `crystal_system`, `has_structure`), compiled once into a `LinkedStructure`
predicate (textmine.store.query) that each store renders (an EXISTS over `links` in SQLite; the
linked record ids looked up in the links index for Elasticsearch): a record matches on its best
(rank 1) link.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterable, Iterator, Protocol

from pydantic import BaseModel, Field, field_validator

from textmine.link.model import Link, LinkQuery
from textmine.spectra.model import Spectrum
from textmine.structures.model import StructureEntry

CRYSTAL_SYSTEMS = ("triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic")


class StructureQuery(BaseModel):
    """A search over stored structures; set fields are AND-ed. Ordered by reduced formula, space
    group number, then structure id."""

    formula: str | None = Field(default=None, description="any formula: matched on its reduced formula ('Ti2O4' = 'TiO2')")
    include_elements: list[str] = Field(default_factory=list)
    exclude_elements: list[str] = Field(default_factory=list)
    only_elements: bool = False
    chemsys: str | None = Field(default=None, description="'O-Ti' (any order): exactly these elements")
    space_group: str | None = Field(default=None, description="symbol in any setting or spelling ('P4_2/mnm', 'P42/mnm', 'Pbnm') or number")
    crystal_system: str | None = None
    source_id: str | None = None
    material_id: str | None = None
    kind: str | None = Field(default=None, description="'' for plain structures, 'synth_doped' ...")
    ordered: bool | None = None
    max_sites: int | None = None
    limit: int = Field(default=20, ge=0, le=10_000)
    offset: int = Field(default=0, ge=0)

    @field_validator("include_elements", "exclude_elements")
    @classmethod
    def _capitalise(cls, v: list[str]) -> list[str]:
        return [e.strip().capitalize() for e in v if e.strip()]

    @field_validator("crystal_system")
    @classmethod
    def _system(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.strip().lower()
        if v not in CRYSTAL_SYSTEMS:
            raise ValueError(f"unknown crystal system {v!r}; one of {', '.join(CRYSTAL_SYSTEMS)}")
        return v

    def reduced_formula(self) -> str | None:
        return reduced_formula(self.formula) if self.formula else None

    def space_group_number(self) -> int | None:
        return space_group_number(self.space_group) if self.space_group else None

    def chemsys_key(self) -> str | None:
        if not self.chemsys:
            return None
        return "-".join(sorted({e.strip().capitalize() for e in re.split(r"[-,\s]+", self.chemsys) if e.strip()}))


class StructureResult(BaseModel):
    total: int
    structures: list[StructureEntry]


class StructureCompanion(Protocol):
    """What both backends implement next to the records store."""

    def put_structures(self, entries: Iterable[StructureEntry]) -> int: ...
    def get_structure(self, structure_id: str) -> StructureEntry | None: ...
    def search_structures(self, query: StructureQuery) -> StructureResult: ...
    def iter_structures(self, query: StructureQuery | None = None) -> Iterator[StructureEntry]: ...
    def put_spectra(self, spectra: Iterable[Spectrum]) -> int: ...
    def get_spectrum(self, spectrum_id: str) -> Spectrum | None: ...
    def iter_spectra(self) -> Iterator[Spectrum]: ...
    def put_simulated(self, structure_id: str, wavelength: float, pattern: dict[str, Any]) -> None: ...
    def get_simulated(self, structure_id: str, wavelength: float) -> dict[str, Any] | None: ...
    def replace_links(self, kind: str, subject_ids: Iterable[str], links: Iterable[Link]) -> int: ...
    def search_links(self, query: LinkQuery) -> list[Link]: ...
    def mentions(self, doc_id: str, labels: tuple[str, ...] = ("SPL",)) -> list[dict[str, Any]]: ...
    def counts(self) -> dict[str, int]: ...


def structure_store(store: Any) -> StructureCompanion:
    """The structures/spectra/links companion of an open records store."""
    from textmine.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from textmine.store.structures_sqlite import SQLiteStructures

        return SQLiteStructures(store._db)
    try:
        from textmine.store.elasticsearch import ElasticsearchStore
    except ImportError:  # no ES client installed: it cannot be an ES store
        ElasticsearchStore = ()  # type: ignore[assignment,misc]
    if isinstance(store, ElasticsearchStore):
        from textmine.store.structures_es import ESStructures

        return ESStructures.of(store)
    companion = getattr(store, "structures", None)  # a plugin store brings its own
    if companion is not None:
        return companion
    raise TypeError(f"{type(store).__name__} keeps no structures (SQLite and Elasticsearch stores do)")


# ------------------------------------------------------------------------------- helpers

@functools.lru_cache(maxsize=4096)
def reduced_formula(formula: str) -> str:
    from pymatgen.core import Composition

    try:
        composition = Composition(formula)
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"not a formula: {formula!r}") from exc
    if not composition.elements:
        raise ValueError(f"not a formula: {formula!r}")
    return composition.reduced_formula


@functools.lru_cache(maxsize=1024)
def space_group_number(text: str | int) -> int:
    """'P4_2/mnm', 'P42/mnm', 'P 4_2/m n m', 'Pbnm' (any setting), '136' -> 136."""
    raw = str(text).strip()
    if raw.isdigit():
        number = int(raw)
        if not 1 <= number <= 230:
            raise ValueError(f"space group number {number} is not in 1-230")
        return number
    from pymatgen.symmetry.groups import SpaceGroup

    compact = raw.replace(" ", "")
    candidates = [raw, compact, re.sub(r"(\d)(\d)", r"\1_\2", compact)]
    for candidate in dict.fromkeys(candidates):
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return SpaceGroup(candidate).int_number
        except Exception:  # noqa: BLE001 - try the next spelling
            continue
    raise ValueError(f"unknown space group {text!r}: give a Hermann-Mauguin symbol (P4_2/mnm) or a number (136)")


def record_structure_filter(query: Any) -> dict[str, Any] | None:
    """The structure part of a records `Query`, backend-neutral: which best links qualify.
    None when the query does not ask about structures."""
    space_group = getattr(query, "space_group", None)
    system = getattr(query, "crystal_system", None)
    has = getattr(query, "has_structure", None)
    if space_group is None and system is None and has is None:
        return None
    out: dict[str, Any] = {"has": True if (space_group or system) else bool(has)}
    if space_group:
        out["space_group_number"] = space_group_number(space_group)
    if system:
        system = system.strip().lower()
        if system not in CRYSTAL_SYSTEMS:
            raise ValueError(f"unknown crystal system {system!r}; one of {', '.join(CRYSTAL_SYSTEMS)}")
        out["crystal_system"] = system
    if has is False and (space_group or system):
        raise ValueError("has_structure=False cannot be combined with a space group or crystal system")
    return out


__all__ = ["StructureQuery", "StructureResult", "StructureCompanion", "structure_store", "reduced_formula",
           "space_group_number", "record_structure_filter", "CRYSTAL_SYSTEMS"]
