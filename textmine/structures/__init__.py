"""Crystal structures: read (CIF, POSCAR, extxyz, JSON, OPTIMADE), describe (spglib symmetry with
its tolerance), store (`textmine.store.structures`) and search them; see docs/structures.md."""

from textmine.structures.model import StructureEntry, describe

__all__ = ["StructureEntry", "describe"]
