"""`textmine stats`, `failures`, `properties` and `pipelines`: what is in the store and in the package."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from textmine.cli import main
from textmine.cli._common import AppContext, load_extraction, out, store_options
from textmine.extract.pipeline import DEFAULT_PIPELINE


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--pipeline", "--extractor", "pipeline", default=DEFAULT_PIPELINE, show_default=True, metavar="NAME|FILE",
              help="count documents whose stored extraction is stale against this pipeline")
@click.option("--ner-model", default="fast", show_default=True, hidden=True)
@store_options
@click.pass_obj
def stats(app: AppContext, as_json: bool, pipeline: str, ner_model: str) -> None:
    """Counts of documents, sentences, mentions, records and failures, and how many documents a
    plain `run` would re-extract because the pipeline (components, models, ontology) changed."""
    store = app.open_store(readonly=True)
    s = store.stats()
    key = load_extraction(pipeline, ner_model).provenance.key
    stale = store.stale(key) if hasattr(store, "stale") else None
    if as_json:
        data = json.loads(s.model_dump_json())
        data["stale"] = stale
        data["pipeline"] = key
        out.print_json(json.dumps(data))
        return
    table = Table("what", "count", title=store.url)
    for name in ("documents", "sentences", "mentions", "records", "failures"):
        table.add_row(name, str(getattr(s, name)))
    if stale is not None:
        table.add_row(f"documents stale for {key.split('#')[0]}", str(stale))
    for kind, n in s.by_kind.items():
        table.add_row(f"documents: {kind}", str(n))
    for prop, n in s.by_property.items():
        table.add_row(f"records: {prop}", str(n))
    out.print(table)


@main.command()
@click.option("--json", "as_json", is_flag=True)
def properties(as_json: bool) -> None:
    """The property ontology: canonical names, units, cue phrases."""
    from textmine.ontology import load_ontology

    ontology = load_ontology()
    if as_json:
        out.print_json(ontology.model_dump_json())
        return
    table = Table("property", "unit", "SI unit", "plausible range", "cues", title=f"property ontology v{ontology.version}")
    for p in ontology.properties:
        table.add_row(p.name, p.default_unit, p.si_unit, f"{p.range[0]:g} – {p.range[1]:g}", ", ".join(p.cues[:4]))
    out.print(table)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="one JSON object per failure, one per line")
@store_options
@click.pass_obj
def failures(app: AppContext, as_json: bool) -> None:
    """Documents that could not be read or processed, and why."""
    store = app.open_store(readonly=True)
    found = store.failures()
    if as_json:
        for failure in found:
            click.echo(failure.model_dump_json())
        return
    table = Table("source", "stage", "reason", title=f"{len(found)} failures")
    for failure in found:
        table.add_row(escape(failure.source), str(failure.stage), escape(failure.reason))
    out.print(table)


@main.command()
@click.option("--json", "as_json", is_flag=True)
def pipelines(as_json: bool) -> None:
    """The extraction pipelines (`--pipeline NAME`) and the components they are made of."""
    from textmine.extract.pipeline import pipeline_config, pipeline_names
    from textmine.registry import components

    configs = [pipeline_config(name) for name in pipeline_names()]
    if as_json:
        data = {"pipelines": [c.model_dump() for c in configs],
                "components": {name: components.help(name) for name in components.names()}}
        out.print_json(json.dumps(data))
        return
    table = Table("pipeline", "components", "what it does", title="pipelines (--pipeline NAME, or a .toml file)")
    for config in configs:
        table.add_row(config.name, " -> ".join(config.components), config.description)
    out.print(table)
    table = Table("component", "what it does", title="components (textmine.registry.components)")
    for name in components.names():
        table.add_row(name, components.help(name))
    out.print(table)


__all__ = ["failures", "pipelines", "properties", "stats"]
