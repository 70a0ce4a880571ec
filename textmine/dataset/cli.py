"""`textmine dataset build PROPERTY -o DIR`: a per-material dataset from the store's records."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click
from rich.console import Console

console = Console(stderr=True)


@contextmanager
def progress_bar(quiet: bool, label: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """`update(done, total=None, description=None)`; nothing is drawn when quiet."""
    if quiet:
        yield lambda *args, **kwargs: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int, total: int | None = None, description: str | None = None) -> None:
            changes: dict[str, Any] = {"completed": done}
            if total is not None:
                changes["total"] = total
            if description:
                changes["description"] = description
            bar.update(task, **changes)

        yield update


@click.group("dataset")
def dataset() -> None:
    """Datasets from extracted records: one row per material, group-aware splits."""


@dataset.command("build")
@click.argument("property_name", metavar="PROPERTY")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None, help="only records at least this confident")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), required=True, help="folder to write")
@click.option("--structures", "structures_folder", type=click.Path(exists=True, file_okay=False), default=None,
              help="folder of CIFs to join by composition (structures linked in the store are joined anyway)")
@click.option("--unit", default=None, help="unit of the values [default: the property's usual unit]")
@click.option("--drop-suspect", is_flag=True, help="leave out records `textmine audit` marked suspect")
@click.option("--no-sentences", is_flag=True, help="leave the source sentences (quotations) out")
@click.option("--overwrite", is_flag=True, help="replace an earlier dataset in the output folder")
@click.pass_obj
def build(app: Any, property_name: str, min_confidence: float | None, output: str, structures_folder: str | None,
          unit: str | None, drop_suspect: bool, no_sentences: bool, overwrite: bool) -> None:
    """Aggregate the records of PROPERTY per material (robust consensus, outliers flagged,
    provenance kept) and write Parquet files with a Hugging Face dataset card."""
    from textmine.dataset.build import BuildOptions, collect
    from textmine.dataset.write import write_dataset
    from textmine.normalise.units import UnitError

    options = BuildOptions(property=property_name, min_confidence=min_confidence, drop_suspect=drop_suspect,
                           include_sentences=not no_sentences, structures_folder=structures_folder, unit=unit)
    store = app.open_store(readonly=True)
    try:
        with progress_bar(app.quiet, f"reading {property_name} records") as update:
            built = collect(store, options, progress=lambda n: update(n))
    except (ValueError, UnitError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    if not built.materials:
        raise click.ClickException(
            f"no usable {property_name} records in {app.store_url}"
            + (f" with confidence ≥ {min_confidence}" if min_confidence is not None else "")
            + ": run `textmine run PATH...` first, or lower --min-confidence")
    try:
        folder = write_dataset(built, output, overwrite=overwrite)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    counts = built.meta["counts"]
    console.print(
        f"[bold]{counts['materials']}[/] materials from {counts['records']} records in {counts['documents']} documents "
        f"({counts['outlier_records']} outlier records, {counts['disputed_materials']} disputed materials, "
        f"{counts['with_structure']} with a structure); splits "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts["by_split"].items())) + f" -> {folder}"
    )
    for note in built.notes:
        console.print(f"  {note}", style="dim")
