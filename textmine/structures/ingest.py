"""`structures add` as a function: files -> StructureEntry -> store, failures recorded, streamed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from textmine.records import Failure
from textmine.structures.model import StructureEntry
from textmine.structures.readers import iter_structure_files, read_structures


@dataclass
class AddSummary:
    files: int = 0
    structures: int = 0  # entries read (a structure in two files counts twice)
    unique: set[str] = field(default_factory=set)  # distinct structure ids
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.structures / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {"files": self.files, "structures": self.structures, "unique_structures": len(self.unique),
                "failures": len(self.failures), "seconds": round(self.seconds, 2), "structures_per_s": round(self.rate, 1)}


def add_structures(store, paths: Iterable[Path], *, batch_size: int = 200,
                   progress: Callable[[Path], None] | None = None) -> AddSummary:
    """Read every structure file under `paths` into `store` (its structures companion); a file
    or block that fails is recorded in the store's failures (stage 'read') and reported."""
    from textmine.store.structures import structure_store

    companion = structure_store(store)
    summary = AddSummary()
    started = time.perf_counter()

    def entries() -> Iterator[StructureEntry]:
        for path in iter_structure_files(list(paths)):
            summary.files += 1
            store.clear_failure(str(path))
            for item in read_structures(path):
                if isinstance(item, Failure):
                    summary.failures.append(item)
                    store.add_failure(item)
                else:
                    summary.structures += 1
                    summary.unique.add(item.structure_id)
                    yield item
            if progress:
                progress(path)

    companion.put_structures(entries(), batch_size=batch_size)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class HarvestedStructures:
    """What `textmine harvest optimade` stored (named like `RunSummary` for the harvest report)."""

    documents: int = 0  # structures stored
    records: int = 0
    failures: list[Failure] = field(default_factory=list)


def harvest_structures(items: Iterable[StructureEntry | Failure], store) -> HarvestedStructures:
    """Store harvested structures one by one (the harvester saves its cursor when asked for the
    next item, so each is stored before that: a crash repeats at most one, never loses one)."""
    from textmine.store.structures import structure_store

    companion = structure_store(store)
    summary = HarvestedStructures()
    for item in items:
        if isinstance(item, Failure):
            summary.failures.append(item)
            store.add_failure(item)
            continue
        companion.put_structures([item])
        summary.documents += 1
    return summary


__all__ = ["add_structures", "AddSummary", "harvest_structures", "HarvestedStructures"]
