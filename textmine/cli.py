"""The `textmine` command line: run, ingest, extract, search, export, stats, failures."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from textmine import __version__
from textmine.store import DEFAULT_DB, Query, Store, StoreUnavailable, open_store

console = Console(stderr=True)
out = Console()


@dataclass
class AppContext:
    store_url: str
    quiet: bool = False
    extractor: str = "rules"

    def open_store(self, *, readonly: bool = False) -> Store:
        try:
            return open_store(self.store_url, readonly=readonly)
        except StoreUnavailable as exc:
            raise click.ClickException(str(exc)) from exc


class PluginGroup(click.Group):
    """The main group: core commands defined here, the others from the command registry
    (`textmine.registry.commands`, entry-point group `textmine.commands`), imported when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from textmine.registry import commands

        return sorted({*super().list_commands(ctx), *commands.names()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        from textmine.registry import commands

        if name not in commands:
            return None
        return commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from textmine.registry import commands

        rows = []
        for name in self.list_commands(ctx):
            command = super().get_command(ctx, name)
            help_text = command.get_short_help_str(limit=70) if command is not None else commands.help(name)
            rows.append((name, help_text))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="textmine")
@click.option("--db", "db", type=click.Path(dir_okay=False), default=None, help=f"SQLite database file [default: ./{DEFAULT_DB}]")
@click.option("--store", "store", default=None, envvar="TEXTMINE_STORE", help="store URL: sqlite:///path.db or es://host:9200")
@click.option("-q", "--quiet", is_flag=True, help="no progress bars")
@click.pass_context
def main(ctx: click.Context, db: str | None, store: str | None, quiet: bool) -> None:
    """Turn materials-science papers and patents into searchable property records."""
    if db and store:
        raise click.UsageError("give either --db or --store, not both")
    ctx.obj = AppContext(store_url=store or db or DEFAULT_DB, quiet=quiet)


@contextmanager
def _progress(quiet: bool, total: int | None, label: str) -> Iterator:
    if quiet:
        yield lambda _name: None
        return
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.fields[current]}", style="dim")]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(label, total=total, current="")

        last = [""]

        def advance(name: str) -> None:
            # Counts files: the documents of one bulk file ("path#2", "path#3") advance it once.
            file = name.split("#", 1)[0]
            progress.update(task, advance=0 if file == last[0] else 1, current=Path(file).name[:40])
            last[0] = file

        yield advance


def _extractor(name: str, ner_model: str = "fast"):
    from textmine.pipeline import load_extractor

    try:
        return load_extractor(name, model=ner_model) if name == "ner" else load_extractor(name)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    except (KeyError, ImportError) as exc:
        raise click.ClickException(f"cannot load extractor {name!r}: {exc}") from exc


def _report(summary, store: Store) -> None:
    console.print(
        f"[bold]{summary.documents}[/] documents processed, {summary.skipped} unchanged skipped, "
        f"[bold]{summary.records}[/] records, {len(summary.failures)} failures "
        f"in {summary.seconds:.1f} s -> {store.url}"
    )
    if summary.failures:
        table = Table("source", "stage", "reason", title="Failures (recorded in the store; fix and re-run)")
        for failure in summary.failures[:50]:
            table.add_row(failure.source, failure.stage, failure.reason[:200])
        console.print(table)
        if len(summary.failures) > 50:
            console.print(f"... and {len(summary.failures) - 50} more: `textmine failures`")


def _finish(summary, store: Store) -> None:
    """Report, close the store, and exit 1 when anything failed (the failures are in the store)."""
    _report(summary, store)
    store.close()
    if summary.failures:
        sys.exit(1)


def _count_documents(paths: tuple[str, ...]) -> int:
    from textmine.readers import iter_paths

    return sum(1 for _ in iter_paths([Path(p) for p in paths]))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--extractor", type=click.Choice(["rules", "ner"]), default="rules", show_default=True)
@click.option("--ner-model", default="fast", show_default=True,
              help="with --extractor ner: shipped model (fast: bulk jobs; accurate: MPNet-base, ~16x slower) or a model folder")
@click.option("--reprocess", is_flag=True, help="redo documents already stored unchanged")
@click.option("--max-bytes", type=int, default=None, help="skip (and record) files larger than this")
@click.option("--workers", "-j", type=int, default=1, show_default=True, help="extraction processes (0: one per core)")
@click.pass_obj
def run(app: AppContext, paths: tuple[str, ...], extractor: str, ner_model: str, reprocess: bool, max_bytes: int | None,
        workers: int) -> None:
    """Read, extract and index PATHS (files or folders) in one go."""
    from textmine.pipeline import Pipeline

    store = app.open_store()
    pipeline = Pipeline(store, _extractor(extractor, ner_model), reprocess=reprocess, max_bytes=max_bytes, workers=workers)
    with _progress(app.quiet, _count_documents(paths), "run") as advance:
        summary = pipeline.run_paths(paths, progress=advance)
    _finish(summary, store)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--max-bytes", type=int, default=None)
@click.pass_obj
def ingest(app: AppContext, paths: tuple[str, ...], max_bytes: int | None) -> None:
    """Read and store documents without extracting records (run `textmine extract` later)."""
    from textmine.pipeline import Pipeline

    store = app.open_store()
    pipeline = Pipeline(store, _NoExtraction(), reprocess=True, max_bytes=max_bytes)
    with _progress(app.quiet, _count_documents(paths), "ingest") as advance:
        summary = pipeline.run_paths(paths, progress=advance)
    _finish(summary, store)


class _NoExtraction:
    name = "none"
    version = "0"

    def extract(self, document):
        return [], []


@main.command()
@click.option("--input", "input_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help='stateless mode: JSONL of {"id", "text"}; no database involved')
@click.option("--output", "output_path", type=click.Path(dir_okay=False), default=None, help="stateless mode: records as JSONL")
@click.option("--extractor", type=click.Choice(["rules", "ner"]), default="rules", show_default=True)
@click.option("--ner-model", default="fast", show_default=True,
              help="with --extractor ner: shipped model (fast: bulk jobs; accurate: MPNet-base, ~16x slower) or a model folder")
@click.pass_obj
def extract(app: AppContext, input_path: str | None, output_path: str | None, extractor: str, ner_model: str) -> None:
    """Extract records from the documents in the store, or (with --input/--output) from a JSONL of texts."""
    ex = _extractor(extractor, ner_model)
    if input_path or output_path:
        if not (input_path and output_path):
            raise click.UsageError("stateless mode needs both --input and --output")
        _extract_jsonl(ex, Path(input_path), Path(output_path), app.quiet)
        return
    from textmine.pipeline import Pipeline

    store = app.open_store(readonly=True)
    total = store.stats().documents
    pipeline = Pipeline(store, ex, reprocess=True)
    with _progress(app.quiet, total, "extract") as advance:
        summary = pipeline.process(store.iter_documents(), progress=advance)
    _finish(summary, store)


def distinct_statements(records):
    """One record per (material, property, value) statement: a text that states the same value for
    the same material twice (abstract and conclusion) yields it once, with the best confidence."""
    best: dict[tuple, object] = {}
    for record in records:
        material = record.material.formula or record.material.text.lower()
        key = (material, record.property, record.value, record.value_min, record.value_max, record.unit)
        if key not in best or record.confidence > best[key].confidence:
            best[key] = record
    return sorted(best.values(), key=lambda r: (r.char_start, r.value_start or 0))


def _extract_jsonl(extractor, input_path: Path, output_path: Path, quiet: bool) -> None:
    from textmine.document import DocumentBuilder
    from textmine.pipeline import process_document

    lines = input_path.read_text(encoding="utf-8").splitlines()
    written = bad = 0
    with open(output_path, "w", encoding="utf-8") as sink, _progress(quiet, len(lines), "extract") as advance:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                doc_id, text = str(item["id"]), str(item["text"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                console.print(f"[red]line {number}: skipped, expected {{\"id\", \"text\"}} ({exc})")
                bad += 1
                continue
            builder = DocumentBuilder(source=f"{input_path}:{number}", format="text")
            for paragraph in text.split("\n\n"):
                builder.add_paragraph(paragraph, section="", kind="body")
            document = builder.build()
            document.id = doc_id
            _, records, _ = process_document(document, extractor)
            for record in distinct_statements(records):
                record = record.model_copy(update={"doc_id": doc_id})
                sink.write(record.model_dump_json() + "\n")
                written += 1
            advance(doc_id)
    console.print(f"{written} records from {len(lines) - bad} texts -> {output_path}")
    if bad:
        sys.exit(1)


def _query_options(f):
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
        click.option("--extractor", default=None, help="only records of this extractor (rules, ner)"),
        click.option("--min-confidence", type=float, default=None),
    ]
    for option in reversed(options):
        f = option(f)
    return f


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


def _build_query(text: str | None, **kw) -> Query:
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
        raise click.BadParameter(str(exc)) from exc


@main.command()
@click.argument("text", required=False)
@_query_options
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--offset", type=int, default=0)
@click.option("--facets", "facet_names", default="property,elements,year,kind", show_default=True,
              help="comma-separated facets to count (empty for none)")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.option("--sentences", is_flag=True, help="search source sentences instead of records")
@click.pass_obj
def search(app: AppContext, text: str | None, limit: int, offset: int, facet_names: str, as_json: bool, sentences: bool, **kw) -> None:
    """Search records: full TEXT over source sentences plus filters.

    \b
    Example: band gaps between 1 and 2 eV of compounds containing Ti and O
      textmine search --property band_gap --min 1 --max 2 --unit eV --elements Ti,O
    """
    store = app.open_store(readonly=True)
    if sentences:
        if not text:
            raise click.UsageError("--sentences needs a TEXT to search for")
        hits = store.search_sentences(text, limit=limit)
        if as_json:
            out.print_json(json.dumps([h.model_dump() for h in hits]))
        else:
            for hit in hits:
                out.print(f"[dim]{hit.doc_id}[{hit.char_start}:{hit.char_end}][/] {hit.text}")
        return
    query = _build_query(text, **kw)
    query.limit, query.offset = limit, offset
    query.facets = [f.strip() for f in facet_names.split(",") if f.strip()]  # type: ignore[misc]
    try:
        result = store.search(query)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if as_json:
        out.print_json(result.model_dump_json())
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
        table.add_row(material, r.property, f"{value} {r.unit or ''}".strip(), f"{r.confidence:.2f}", sentence)
    out.print(table)
    for name, counts in result.facets.items():
        out.print(f"[bold]{name}[/]: " + ", ".join(f"{c.value} ({c.count})" for c in counts))
    out.print("[dim]--json gives every field: document id, char spans, SI values, extractor[/]")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "hf"]), default="jsonl", show_default=True)
@click.option("--output", "-o", "output", type=click.Path(), required=True, help="file (or folder for hf)")
@click.argument("text", required=False)
@_query_options
@click.pass_obj
def export(app: AppContext, fmt: str, output: str, text: str | None, **kw) -> None:
    """Export records (all, or those matching the filters) as JSONL, CSV, Parquet or an HF dataset."""
    from textmine.export import export_records

    store = app.open_store(readonly=True)
    query = _build_query(text, **kw)
    total = store.search(query.model_copy(update={"limit": 0})).total
    with _progress(app.quiet, total, f"export {fmt}") as advance:
        def counted():
            for record in store.iter_records(query):
                advance(record.doc_id)
                yield record

        n = export_records(counted(), output, fmt)
    console.print(f"{n} records -> {output}")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stats(app: AppContext, as_json: bool) -> None:
    """Counts of documents, sentences, mentions, records and failures."""
    store = app.open_store(readonly=True)
    s = store.stats()
    if as_json:
        out.print_json(s.model_dump_json())
        return
    table = Table("what", "count", title=store.url)
    for name in ("documents", "sentences", "mentions", "records", "failures"):
        table.add_row(name, str(getattr(s, name)))
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
@click.pass_obj
def failures(app: AppContext) -> None:
    """Documents that could not be read or processed, and why."""
    store = app.open_store(readonly=True)
    table = Table("source", "stage", "reason")
    for failure in store.failures():
        table.add_row(failure.source, failure.stage, failure.reason)
    out.print(table)


if __name__ == "__main__":  # pragma: no cover
    main()
