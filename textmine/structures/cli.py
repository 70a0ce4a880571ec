"""`textmine structures add|search|show`: crystal structures in the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from textmine.cli._common import store_options
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)
out = Console()


def companion_of(app: Any, *, readonly: bool = False):
    """(store, structures companion) of the CLI's store, with errors a user can act on."""
    from textmine.store.structures import structure_store

    store = app.open_store(readonly=readonly)
    try:
        return store, structure_store(store)
    except TypeError as exc:
        raise click.ClickException(str(exc)) from exc


def progress_bar(quiet: bool, total: int | None, label: str):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if quiet:
        return None
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


@click.group(name="structures")
def structures() -> None:
    """Crystal structures: add files (CIF, POSCAR, extxyz, JSON), search, show."""


@structures.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
@store_options
@click.pass_obj
def add(app: Any, paths: tuple[Path, ...], as_json: bool) -> None:
    """Read structure files (folders recursively) into the store; bad files become failures."""
    from textmine.structures.ingest import add_structures
    from textmine.structures.readers import ExtraMissing, iter_structure_files

    store, _ = companion_of(app)
    files = list(iter_structure_files(list(paths)))
    bar = progress_bar(getattr(app, "quiet", False) or as_json, len(files), "structures add")
    try:
        if bar is None:
            summary = add_structures(store, files)
        else:
            with bar:
                task = bar.add_task("structures add", total=len(files))
                summary = add_structures(store, files, progress=lambda _p: bar.advance(task))
    except ExtraMissing as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    if as_json:
        out.print_json(json.dumps({**summary.as_dict(), "failures": [f.model_dump(mode="json") for f in summary.failures]}))
    else:
        console.print(f"[bold]{summary.structures}[/] structures ({len(summary.unique)} distinct) from {summary.files} files, "
                      f"{len(summary.failures)} failures in {summary.seconds:.1f} s ({summary.rate:.1f} structures/s) -> {store.url}")
        if summary.failures:
            table = Table("source", "reason", title="Failures (recorded in the store; `textmine failures` lists them)")
            for failure in summary.failures[:30]:
                table.add_row(escape(failure.source), escape(failure.reason[:200]))
            console.print(table)
    if summary.failures:
        sys.exit(1)


def structure_query_options(f):
    options = [
        click.option("--formula", default=None, help="any formula; matched on the reduced formula (Ti2O4 = TiO2)"),
        click.option("--elements", default=None, help="comma-separated elements the structure must contain"),
        click.option("--exclude", default=None, help="comma-separated elements it must not contain"),
        click.option("--only", "only_elements", is_flag=True, help="made of --elements and nothing else"),
        click.option("--chemsys", default=None, help="exactly these elements, e.g. Ti-O"),
        click.option("--space-group", default=None, help="symbol in any setting (P4_2/mnm, P42/mnm, Pbnm) or number"),
        click.option("--crystal-system", default=None, type=click.Choice(
            ["triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic"])),
        click.option("--source-id", default=None, help="mp-…, icsd:…, cod:…, an OPTIMADE id"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def build_structure_query(**kw: Any):
    from textmine.store.structures import StructureQuery

    elements, exclude = kw.pop("elements", None), kw.pop("exclude", None)
    try:
        query = StructureQuery(include_elements=elements.split(",") if elements else [],
                               exclude_elements=exclude.split(",") if exclude else [], **kw)
        query.reduced_formula()
        query.space_group_number()
        return query
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@structures.command()
@structure_query_options
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--offset", type=int, default=0)
@click.option("--json", "as_json", is_flag=True, help="every field, the serialised structure included")
@store_options
@click.pass_obj
def search(app: Any, limit: int, offset: int, as_json: bool, **kw: Any) -> None:
    """Search stored structures by formula, elements, space group, crystal system."""
    query = build_structure_query(limit=limit, offset=offset, **kw)
    store, companion = companion_of(app, readonly=True)
    result = companion.search_structures(query)
    store.close()
    if as_json:
        out.print_json(result.model_dump_json())
        return
    table = Table("structure_id", "formula", "space group", "system", "sites", "source id", "source", title=f"{result.total} structures")
    for e in result.structures:
        table.add_row(e.structure_id, e.reduced_formula, f"{e.space_group or '?'} ({e.space_group_number or '?'})",
                      e.crystal_system or "", str(e.nsites) + ("" if e.ordered else " (disordered)"), e.source_id or "",
                      Path(e.source).name if "://" not in e.source else e.source)
    out.print(table)


@structures.command()
@click.argument("structure_id")
@click.option("--format", "fmt", type=click.Choice(["summary", "cif", "poscar", "json"]), default="summary", show_default=True)
@store_options
@click.pass_obj
def show(app: Any, structure_id: str, fmt: str) -> None:
    """One stored structure: its fields, or the structure as CIF, POSCAR or pymatgen JSON."""
    store, companion = companion_of(app, readonly=True)
    entry = companion.get_structure(structure_id)
    store.close()
    if entry is None:
        raise click.ClickException(f"no structure {structure_id!r}: `textmine structures search` lists them")
    if fmt == "summary":
        out.print_json(json.dumps(entry.summary(), default=str))
    elif fmt == "json":
        out.print_json(json.dumps(entry.structure))
    elif fmt == "cif":
        from pymatgen.io.cif import CifWriter

        click.echo(str(CifWriter(entry.to_pymatgen())))
    else:
        from pymatgen.io.vasp import Poscar

        click.echo(Poscar(entry.to_pymatgen()).get_str())


__all__ = ["structures", "companion_of", "structure_query_options", "build_structure_query"]
