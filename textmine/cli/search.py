"""`textmine search` and `textmine export`: the same filters, answered by the store."""

from __future__ import annotations

import json
from typing import Any, Callable

import click
from rich.markup import escape
from rich.table import Table

from textmine.cli import main
from textmine.cli._common import AppContext, console, out, progress_bar, store_options
from textmine.store import Query
from textmine.store.predictions import audit_marks


def query_options(f: Callable) -> Callable:
    options = [
        click.option("--property", "property_", default=None, help="canonical property name or a synonym, e.g. band_gap or 'band gap'"),
        click.option("--min", "value_min", type=float, default=None, help="lowest value (in --unit)"),
        click.option("--max", "value_max", type=float, default=None, help="highest value (in --unit)"),
        click.option("--unit", default=None, help="unit of --min/--max, e.g. eV, meV, K, degC [default: the property's]"),
        click.option("--formula", default=None, help="exact normalised formula"),
        click.option("--material", default=None, help="material as written"),
        click.option("--elements", default=None, help="comma-separated elements the material must contain, e.g. Ti,O"),
        click.option("--exclude", default=None, help="comma-separated elements the material must not contain"),
        click.option("--only", "only_elements", is_flag=True, help="material made of --elements and nothing else"),
        click.option("--year-min", type=int, default=None),
        click.option("--year-max", type=int, default=None),
        click.option("--kind", type=click.Choice(["paper", "patent"]), default=None),
        click.option("--extractor", default=None, help="only records of this pipeline (rules, ner)"),
        click.option("--min-confidence", type=float, default=None),
        click.option("--space-group", default=None, help="of the record's best linked structure: symbol or number, e.g. P4_2/mnm or 136"),
        click.option("--crystal-system", default=None,
                     type=click.Choice(["triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic"]),
                     help="of the record's best linked structure"),
        click.option("--has-structure/--no-structure", "has_structure", default=None,
                     help="only records linked (or not linked) to a crystal structure (`textmine link`)"),
    ]
    for option in reversed(options):
        f = option(f)
    return store_options(f)


def resolve_property(name: str) -> str:
    """'band_gap', 'band gap', 'Eg' -> 'band_gap'; an unknown name is an error with suggestions."""
    import difflib

    from textmine.ontology import load_ontology

    ontology = load_ontology()
    if name in ontology:
        return name
    matches = ontology.by_cue(name) or ontology.by_cue(name.replace("_", " "))
    if matches:
        return matches[0].name
    close = difflib.get_close_matches(name.replace(" ", "_").lower(), ontology.names(), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `textmine properties` lists them"
    raise click.BadParameter(f"unknown property {name!r}{hint}", param_hint="--property")


def build_query(text: str | None, **kw: Any) -> Query:
    """A `Query` from the CLI filters; a bad filter is a usage error (exit status 2), never a traceback."""
    property_ = kw.pop("property_")
    elements = kw.pop("elements")
    exclude = kw.pop("exclude")
    try:
        return Query(
            text=text,
            property=resolve_property(property_) if property_ else None,
            include_elements=elements.split(",") if elements else [],
            exclude_elements=exclude.split(",") if exclude else [],
            **kw,
        )
    except (ValueError, KeyError) as exc:
        raise click.BadParameter(_message(exc)) from exc


def _message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):  # a pydantic ValidationError: one line per bad field
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'query'}: {e['msg']}" for e in errors())
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


@main.command()
@click.argument("text", required=False)
@query_options
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--offset", type=int, default=0)
@click.option("--facets", "facet_names", default="property,elements,year,kind", show_default=True,
              help="comma-separated facets to count (empty for none): property, elements, formula, year, kind, extractor")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.option("--sentences", is_flag=True, help="search source sentences instead of records")
@click.option("--include-predicted", is_flag=True,
              help="also list model predictions matching the filters (origin: predicted; `textmine predict run --save`)")
@click.pass_obj
def search(app: AppContext, text: str | None, limit: int, offset: int, facet_names: str, as_json: bool, sentences: bool,
           include_predicted: bool, **kw: Any) -> None:
    """Search records: full TEXT over source sentences plus filters.

    \b
    Example: band gaps between 1 and 2 eV of compounds containing Ti and O
      textmine search --property band_gap --min 1 --max 2 --unit eV --elements Ti,O
    """
    if sentences:
        if not text:
            raise click.UsageError("--sentences needs a TEXT to search for")
        if limit < 0:
            raise click.BadParameter("must be 0 or more", param_hint="--limit")
        store = app.open_store(readonly=True)
        hits = store.search_sentences(text, limit=limit)
        if as_json:
            out.print_json(json.dumps([h.model_dump() for h in hits]))
        else:
            for hit in hits:
                out.print(f"[dim]{escape(hit.doc_id)}\\[{hit.char_start}:{hit.char_end}][/] {escape(hit.text)}")
        return
    facets = [f.strip() for f in facet_names.split(",") if f.strip()]
    query = build_query(text, limit=limit, offset=offset, facets=facets, **kw)
    store = app.open_store(readonly=True)
    try:
        result = store.search(query)
        marks = audit_marks(store, [r.record_id for r in result.records])
        predicted = _predictions(store, query) if include_predicted else None
    except ValueError as exc:
        raise click.BadParameter(_message(exc)) from exc
    if as_json:
        payload = json.loads(result.model_dump_json())
        for record in payload["records"]:  # `textmine audit`'s verdict, on the records it audited
            if flag := marks.get(record["record_id"]):
                record["audit"] = flag.status
        if predicted is not None:
            payload["predictions"] = json.loads(predicted.model_dump_json())
        out.print_json(json.dumps(payload))
        return
    table = Table("material", "property", "value", "conf.", "source sentence", title=f"{result.total} records",
                  expand=True)
    table.columns[0].max_width = 22
    table.columns[1].max_width = 18
    table.columns[2].no_wrap = True
    for r in result.records:
        value = f"{r.value:g}" if r.value is not None else f"{r.value_min:g}–{r.value_max:g}" if r.value_min is not None else ""
        if r.uncertainty:
            value += f" ± {r.uncertainty:g}"
        material = r.material.text if r.material.formula in (None, r.material.text) else f"{r.material.text} ({r.material.formula})"
        sentence = r.sentence if len(r.sentence) <= 160 else r.sentence[:157] + "..."
        flag = marks.get(r.record_id)
        confidence = f"{r.confidence:.2f}" + (" [bold red]suspect[/]" if flag and flag.status == "suspect" else "")
        table.add_row(escape(material), r.property, escape(f"{value} {r.unit or ''}".strip()), confidence,
                      escape(sentence))
    out.print(table)
    for name, counts in result.facets.items():
        out.print(f"[bold]{name}[/]: " + ", ".join(f"{escape(c.value)} ({c.count})" for c in counts))
    if predicted is not None:
        ptable = Table("formula", "property", "prediction", "interval", "model", title=f"{predicted.total} predictions (origin: predicted)")
        for p in predicted.predictions:
            interval = f"[{'-inf' if p.lower is None else f'{p.lower:.4g}'}, {'inf' if p.upper is None else f'{p.upper:.4g}'}] ({p.coverage:.0%})"
            ptable.add_row(escape(p.formula), p.property, escape(f"{p.value:.4g} {p.unit}".strip()), escape(interval), escape(p.model))
        out.print(ptable)
    if any(flag.status == "suspect" for flag in marks.values()):
        out.print("[dim]suspect: the value lies outside a model's interval for the material (`textmine audit`)[/]")
    out.print("[dim]--json gives every field: document id, char spans, SI values, extractor[/]")


def _predictions(store: Any, query: Query) -> Any:
    """Predictions matching the query (same filters, same page), or an empty result for a store that keeps none."""
    from textmine.store.predictions import PredictionResult, predictions_for

    try:
        prediction_store = predictions_for(store)
    except TypeError:
        return PredictionResult(total=0, predictions=[])
    try:
        return prediction_store.search_predictions(query)
    finally:
        prediction_store.close()


def _formats() -> list[str]:
    from textmine.registry import exporters

    return exporters.names()


@main.command()
@click.option("--format", "fmt", type=click.Choice(_formats()), default="jsonl", show_default=True)
@click.option("--output", "-o", "output", type=click.Path(), required=True, help="file (or folder for hf)")
@click.option("--with-structures", is_flag=True,
              help="join each record to its best linked crystal structure (CIF and pymatgen dict): parquet, hf, jsonl, extxyz")
@click.option("--reviews", "reviews_only", is_flag=True,
              help="write the curators' reviews as NER/relation training data (JSONL) instead of records")
@click.argument("text", required=False)
@query_options
@click.pass_obj
def export(app: AppContext, fmt: str, output: str, with_structures: bool, reviews_only: bool, text: str | None,
           **kw: Any) -> None:
    """Export records (all, or those matching the filters) as JSONL, CSV, Parquet, an HF dataset or extxyz,
    each with its document's metadata and as its reviewers left it (rejected records left out)."""
    from textmine.curation.export import export_reviews, open_reviews_or_none, reviewed_records
    from textmine.export import DocumentIndex, ExportError, export_records

    query = build_query(text, **kw)
    store = app.open_store(readonly=True)
    if reviews_only:
        n = export_reviews(store, output, fmt)
        console.print(f"{n} reviewed records -> {output}")
        return
    reviews = open_reviews_or_none(store)
    try:
        total = store.search(query.model_copy(update={"limit": 0})).total
    except ValueError as exc:
        raise click.BadParameter(_message(exc)) from exc
    if with_structures or fmt == "extxyz":
        from textmine.link.export import export_with_structures

        try:
            n = export_with_structures(store, query, output, fmt)
        except (ValueError, ImportError) as exc:
            raise click.ClickException(f"{exc}; pip install 'textmine[structures]' for structures") from exc
        console.print(f"{n} records with their structures -> {output}")
        return
    with progress_bar(app.quiet, total, f"export {fmt}") as advance:
        def counted():
            for record in store.iter_records(query):
                advance(record.doc_id)
                yield record

        try:
            n = export_records(reviewed_records(counted(), reviews), output, fmt, documents=DocumentIndex(store))
        except ExportError as exc:
            raise click.ClickException(str(exc)) from exc
    console.print(f"{n} records -> {output}")


__all__ = ["build_query", "export", "query_options", "resolve_property", "search"]
