"""One registry for every extension point: readers, pipeline components, pipelines, stores,
exporters, harvest sources and CLI commands.

Each kind is a `Registry` of factories found three ways, in this order:

1. registered in code with `@registry.components.register("name")` (what a module does on import);
2. the built-ins below, named as `"module:attr"` strings and imported only when first asked for,
   so `textmine search` never imports the NER model and `--pipeline rules` never imports torch;
3. Python entry points of installed packages (group `textmine.<kind>`, e.g. `textmine.components`):
   a third-party package adds a reader, a component or a store by declaring

       [project.entry-points."textmine.components"]
       my_component = "my_package.module:factory"

The CLI takes its choices and help text from here, so a plugin shows up in `--help` as soon as
it is installed. `names()` and `help()` never import a plugin; `get()` does.
"""

from __future__ import annotations

import importlib
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")

ENTRY_POINT_PREFIX = "textmine."


class Registry(Generic[T]):
    """Named factories of one kind (`kind` appears in error messages and is the entry-point group suffix)."""

    def __init__(self, kind: str, group: str | None = None, builtins: dict[str, tuple[str, str]] | None = None) -> None:
        self.kind = kind
        self.group = group or f"{ENTRY_POINT_PREFIX}{kind}s"
        self._factories: dict[str, Callable[..., T]] = {}
        self._help: dict[str, str] = {}
        self._lazy: dict[str, str] = {}
        for name, (target, help_text) in (builtins or {}).items():
            self._lazy[name] = target
            self._help[name] = help_text
        self._entry_points: dict[str, EntryPoint] | None = None

    # -- registration ----------------------------------------------------------------------
    def register(self, name: str, factory: Callable[..., T] | None = None, *, help: str = "") -> Any:
        """Register `factory` under `name`; without `factory`, a decorator."""

        def decorator(obj: Callable[..., T]) -> Callable[..., T]:
            self._factories[name] = obj
            if help or name not in self._help:
                self._help[name] = help or _first_line(obj.__doc__)
            return obj

        return decorator(factory) if factory is not None else decorator

    def register_lazy(self, name: str, target: str, *, help: str = "") -> None:
        """Register `"module:attr"`, imported on first `get(name)`."""
        self._lazy[name] = target
        self._help[name] = help

    # -- lookup ----------------------------------------------------------------------------
    def get(self, name: str) -> Callable[..., T]:
        if name in self._factories:
            return self._factories[name]
        target = self._lazy.get(name)
        if target is not None:
            factory = _load(target)
        else:
            entry = self._discovered().get(name)
            if entry is None:
                known = ", ".join(self.names()) or "none"
                raise KeyError(f"unknown {self.kind} {name!r}; known: {known}")
            factory = entry.load()
        # importing the module may have registered it already (decorators); keep that one
        self._factories.setdefault(name, factory)
        if not self._help.get(name):
            self._help[name] = _first_line(getattr(factory, "__doc__", None))
        return self._factories[name]

    def names(self) -> list[str]:
        return sorted({*self._factories, *self._lazy, *self._discovered()})

    def help(self, name: str) -> str:
        if name not in self._help and name in self._discovered():
            return f"(plugin: {self._discovered()[name].value})"
        return self._help.get(name, "")

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._factories or name in self._lazy or name in self._discovered())

    def _discovered(self) -> dict[str, EntryPoint]:
        if self._entry_points is None:
            self._entry_points = {ep.name: ep for ep in entry_points(group=self.group)}
        return self._entry_points

    def refresh(self) -> None:
        """Forget the entry points seen so far (after installing a plugin in a running process)."""
        self._entry_points = None


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else []:
        obj = getattr(obj, part)
    return obj


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n", 1)[0]


# --- the registries ------------------------------------------------------------------------------
# Built-ins are listed here, by import path, so that listing them (CLI choices, `--help`) costs no
# import. Readers register themselves when `textmine.readers` is imported (sniffing asks them all).

readers: Registry[Any] = Registry("reader")

components: Registry[Any] = Registry(
    "component",
    builtins={
        "markup.tex": ("textmine.extract.views:TexMarkup", "TeX markup ('MoS_2', '$T_C$', '300~K') as edits to plain text"),
        "sentences": ("textmine.extract.components:Sentences", "sentences of every paragraph (run-on text cut at ~2000 chars)"),
        "abbreviations": ("textmine.extract.components:Abbreviations", "materials the paper abbreviates: 'La2Ti2O7 (LTO)'"),
        "quantities": ("textmine.extract.components:Quantities", "numbers, ranges and uncertainties with their units"),
        "cues": ("textmine.extract.components:Cues", "property cues: ontology names and symbols"),
        "materials.rules": ("textmine.extract.components:RuleMaterials", "material mentions: formulas, names, defined abbreviations"),
        "linker.rules": ("textmine.extract.linker:RulesLinker", "value->property, value->material and condition->value by rules"),
        "linker.model": ("textmine.relations.component:ModelLinker", "value->property and value->material chosen by the trained relation model"),
        "linker.rescore": ("textmine.relations.rescore:RescoreLinker", "the relation model scores (and where sure, corrects) the relations of the linker before it"),
        "mentions": ("textmine.extract.components:Mentions", "the entity mentions a store keeps (NER spans, else materials and cues)"),
        "assemble": ("textmine.extract.assemble:Assemble", "layers -> Records (SI values, material ids) and table records"),
        "calibrate": ("textmine.extract.calibrate:Calibrate", "raw record scores -> calibrated confidence"),
        "entities.ner": ("textmine.ner.components:NerEntities", "transformer NER spans (the seven Matscholar types)"),
        "materials.ner": ("textmine.ner.components:NerMaterials", "materials from the NER model's MAT spans"),
        "cues.ner": ("textmine.ner.components:NerCues", "property cues weighed by the NER model's PRO spans"),
    },
)

pipelines: Registry[Any] = Registry("pipeline")  # named pipelines: see textmine/extract/pipelines.toml

stores: Registry[Any] = Registry(
    "store",
    builtins={
        "sqlite": ("textmine.store.sqlite:SQLiteStore", "embedded SQLite file: sqlite:///path.db or a plain path"),
        "es": ("textmine.store.elasticsearch:ElasticsearchStore", "Elasticsearch: es://host:9200"),
        "es+http": ("textmine.store.elasticsearch:ElasticsearchStore", "Elasticsearch over HTTP"),
        "es+https": ("textmine.store.elasticsearch:ElasticsearchStore", "Elasticsearch over HTTPS"),
    },
)

exporters: Registry[Any] = Registry(
    "exporter",
    builtins={
        "jsonl": ("textmine.export:write_jsonl", "one JSON record per line"),
        "csv": ("textmine.export:write_csv", "flat rows (material, value, unit, source sentence, ...)"),
        "parquet": ("textmine.export:write_parquet", "Apache Parquet, nested like the record (zstd)"),
        "hf": ("textmine.export:write_hf", "a Hugging Face dataset folder (needs the hf extra)"),
        "extxyz": ("textmine.link.export:write_extxyz", "records' best linked structures as extended XYZ (needs the structures extra)"),
    },
)

sources: Registry[Any] = Registry("source")  # harvest sources register on `import textmine.sources`

commands: Registry[Any] = Registry(
    "command",
    builtins={
        "harvest": ("textmine.sources.cli:harvest", "Harvest papers or patents from a source into the store."),
        "sources": ("textmine.sources.cli:sources", "The harvest sources, their endpoints and limits."),
        "ner": ("textmine.ner.cli:ner_command", "Tag entities with the transformer NER model."),
        "train": ("textmine.ner.training.cli:train_group", "Train models (needs the train extra)."),
        "evaluate": ("textmine.eval.cli:evaluate", "Score NER, records and confidence against gold data."),
        "jobs": ("textmine.cluster.cli:jobs", "Distributed corpus jobs (run --cluster): list, show, resume."),
        "cluster": ("textmine.cluster.hpc:cluster", "Dask workers as Slurm or PBS jobs (needs the cluster extra)."),
        "serve": ("textmine.api.cli:serve", "Serve the REST API and the web interface (needs the serving extra)."),
        "documents": ("textmine.export.cli:documents", "List and show documents with their metadata."),
        "dataset": ("textmine.dataset.cli:dataset", "Datasets from extracted records: one row per material, group-aware splits."),
        "predict": ("textmine.predict.cli:predict", "Property models with calibrated intervals (needs the prediction extra)."),
        "audit": ("textmine.predict.cli:audit", "Mark extracted records outside a model's 99 % interval as suspect."),
        "structures": ("textmine.structures.cli:structures", "Crystal structures: add (CIF, POSCAR, extxyz, JSON), search, show."),
        "spectra": ("textmine.spectra.cli:spectra", "Powder XRD patterns: add, simulate, identify phases."),
        "link": ("textmine.link.cli:link", "Link records and patterns to ranked candidate structures."),
        "material": ("textmine.link.cli:material", "One material: records by property, its structures and spectra."),
        "migrate": ("textmine.store.cli:migrate", "Upgrade a store to this textmine's schema, in place."),
    },
)

ALL: dict[str, Registry[Any]] = {
    r.kind: r for r in (readers, components, pipelines, stores, exporters, sources, commands)
}

__all__ = ["Registry", "readers", "components", "pipelines", "stores", "exporters", "sources", "commands", "ALL"]
