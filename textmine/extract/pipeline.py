"""Extraction pipelines: a named list of components, built from config, run over documents.

    pipeline = load_pipeline("rules")                      # or "ner", or "my-pipeline.toml"
    extraction = pipeline(document)                        # one document -> Extraction
    for extraction in pipeline.pipe(documents):            # batched: models see many documents at once
        ...

Named pipelines live in `pipelines.toml` beside this module (and in plugins, through the
`textmine.pipelines` entry-point group: a function returning the same table). A component is
looked up in `textmine.registry.components` and built with its options; components declare what
they `reads` and `writes`, and a pipeline whose component reads a layer nothing earlier writes is
refused when it is built, not half-way through a corpus.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator

from pydantic import BaseModel, Field

from textmine import registry
from textmine.document import Document
from textmine.extract.component import component_id, models_of
from textmine.extraction import Extraction, Provenance
from textmine.iterate import batched
from textmine.layers import LAYER_NAMES
from textmine.records import Failure, FailureStage

DEFAULT_PIPELINE = "model"  # rules spans and links judged by the relation model (docs/relations.md)
BATCH_SIZE = 32


class PipelineConfig(BaseModel):
    name: str
    version: str = "0"
    description: str = ""
    components: list[str]
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)


class PipelineError(ValueError):
    """A pipeline that cannot be built: unknown name or component, missing layer, bad config."""


def builtin_configs() -> dict[str, PipelineConfig]:
    data = tomllib.loads(resources.files("textmine.extract").joinpath("pipelines.toml").read_text(encoding="utf-8"))
    return {name: PipelineConfig(name=name, **table) for name, table in data["pipelines"].items()}


def pipeline_names() -> list[str]:
    return sorted({*builtin_configs(), *registry.pipelines.names()})


def pipeline_config(name_or_path: str | Path) -> PipelineConfig:
    """A named pipeline, or the [pipeline] table of a TOML file (which may `extends` a named one)."""
    text = str(name_or_path)
    if text.endswith(".toml") or Path(text).is_file():
        path = Path(text)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PipelineError(f"cannot read pipeline config {path}: {exc}") from exc
        table = dict(data.get("pipeline") or {})
        if not table:
            raise PipelineError(f"{path} has no [pipeline] table (keys: name, version, components, options)")
        base = table.pop("extends", None)
        if base is not None:
            parent = pipeline_config(base).model_dump()
            options = {**parent.pop("options"), **table.pop("options", {})}
            table = {**parent, "name": path.stem, **table, "options": options}
        table.setdefault("name", path.stem)
        try:
            return PipelineConfig(**table)
        except ValueError as exc:
            raise PipelineError(f"bad pipeline config {path}: {exc}") from exc
    configs = builtin_configs()
    if text in configs:
        return configs[text]
    if text in registry.pipelines:
        table = registry.pipelines.get(text)()
        return PipelineConfig(**{"name": text, **table})
    raise PipelineError(f"unknown pipeline {text!r}; named pipelines: {', '.join(pipeline_names())}, or a .toml file")


_PLACEHOLDER = re.compile(r"\{([\w.\-]+)\}")  # `{component}` in a pipeline's version: that component's version


class ExtractionPipeline:
    """Components in order; `__call__` for one document, `pipe` for a stream (batched)."""

    def __init__(self, config: PipelineConfig, overrides: dict[str, dict[str, Any]] | None = None) -> None:
        self.config = config
        self.name = config.name
        self.components = [self._build(name, {**config.options.get(name, {}), **(overrides or {}).get(name, {})})
                           for name in config.components]
        self._check_layers()
        versions = {c.name: c.version for c in self.components}
        missing = sorted(set(_PLACEHOLDER.findall(config.version)) - set(versions))
        if missing:  # records would carry a version naming a component that did not run
            raise PipelineError(f"pipeline {config.name!r}: its version {config.version!r} names {', '.join(missing)}, "
                                f"not among its components; set `version` in the [pipeline] table (e.g. \"1+{{{config.components[-1]}}}\")")
        version = _PLACEHOLDER.sub(lambda m: versions[m.group(1)], config.version)
        models: dict[str, str] = {}
        for component in self.components:
            models.update(models_of(component))
        from textmine.ontology import load_ontology

        self.provenance = Provenance(pipeline=config.name, version=version, components=versions,
                                     ontology=load_ontology().version, models=models)

    @staticmethod
    def _build(name: str, options: dict[str, Any]) -> Any:
        try:
            factory = registry.components.get(name)
        except KeyError as exc:
            raise PipelineError(str(exc.args[0])) from None
        try:
            return factory(**options)
        except TypeError as exc:
            raise PipelineError(f"component {name!r} does not take these options {sorted(options)}: {exc}") from exc

    def _check_layers(self) -> None:
        """Every layer a component reads is written by an earlier one, or by none in this
        pipeline (then it stays empty: `mentions` reads `entities`, which only `ner` fills)."""
        writers = {c.writes: i for i, c in reversed(list(enumerate(self.components)))}
        known = {*LAYER_NAMES, "records"}
        for position, component in enumerate(self.components):
            unknown = [layer for layer in component.reads if layer not in known]
            late = [layer for layer in component.reads if writers.get(layer, -1) >= position]
            if unknown or late:
                problem = f"unknown layers {unknown}" if unknown else f"{', '.join(late)}, which no earlier component writes"
                raise PipelineError(f"pipeline {self.name!r}: component {component.name!r} reads {problem}")

    # -- running ---------------------------------------------------------------------------
    @property
    def extractor(self) -> str:
        return self.provenance.extractor

    def __call__(self, document: Document) -> Extraction:
        return self.process([document])[0]

    def pipe(self, documents: Iterable[Document], batch_size: int = BATCH_SIZE) -> Iterator[Extraction]:
        for batch in batched(documents, batch_size):
            yield from self.process(batch)

    def process(self, documents: list[Document]) -> list[Extraction]:
        """Run every component over the batch. A document a component fails on gets a Failure
        and drops out of the batch; the others go on."""
        extractions = [Extraction.of(document, self.provenance) for document in documents]
        for component in self.components:
            live = [e for e in extractions if e.ok]
            if not live:
                break
            batch_call = getattr(component, "pipe", None)
            if batch_call is not None and len(live) > 1:
                try:
                    batch_call(live)
                    continue
                except Exception:  # noqa: BLE001 - find the document that fails, one by one
                    pass
            for extraction in live:
                try:
                    component(extraction)
                except Exception as exc:  # noqa: BLE001 - one bad document must not stop a corpus
                    stage = FailureStage.SEGMENT if component.name == "sentences" else FailureStage.EXTRACT
                    extraction.failures.append(Failure(
                        source=extraction.document.source, stage=stage, doc_id=extraction.doc_id,
                        reason=f"{component_id(component)}: {type(exc).__name__}: {exc}",
                    ))
        for extraction in extractions:
            extraction.document.extractor = self.provenance.extractor
            extraction.document.provenance = self.provenance.key
        return extractions


def load_pipeline(name_or_path: str | Path = DEFAULT_PIPELINE, overrides: dict[str, dict[str, Any]] | None = None) -> ExtractionPipeline:
    return ExtractionPipeline(pipeline_config(name_or_path), overrides)


__all__ = [
    "BATCH_SIZE", "DEFAULT_PIPELINE", "ExtractionPipeline", "PipelineConfig", "PipelineError", "builtin_configs",
    "load_pipeline", "pipeline_config", "pipeline_names",
]
