"""The component interface: a small named step that reads some annotation layers and writes one.

    class Quantities:
        name, version = "quantities", "0.3.0"
        reads, writes = ("sentences",), "quantities"

        def __call__(self, ex: Extraction) -> None:
            ex.layers.quantities = [...]

A component is built by a factory registered in `textmine.registry.components` (built-ins by
import path there; plugins by the entry-point group `textmine.components`); its options come
from the pipeline config. Components never subclass or call each other: they share results
only through the layers. A component that gains from seeing many documents at once (a model
batching sentences across documents) also defines `pipe(extractions)`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textmine.extraction import Extraction


@runtime_checkable
class Component(Protocol):
    name: str
    version: str
    reads: tuple[str, ...]
    writes: str

    def __call__(self, extraction: Extraction) -> None:
        """Fill `self.writes` on `extraction.layers` (or its records) from the layers in `reads`."""
        ...


def models_of(component: object) -> dict[str, str]:
    """Model name -> content hash that a component declares (for provenance)."""
    models = getattr(component, "models", None)
    return dict(models() if callable(models) else models or {})


def component_id(component: object) -> str:
    return f"{component.name}@{component.version}"  # type: ignore[attr-defined]


__all__ = ["Component", "component_id", "models_of"]
