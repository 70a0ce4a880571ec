"""What the commands share: the app context (which store), progress bars, the pipeline and store
options, and turning errors into one clear line."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from textmine.extract.pipeline import DEFAULT_PIPELINE
from textmine.store import DEFAULT_DB, Store, StoreUnavailable, open_store

console = Console(stderr=True)
# Tables for a pipe or a file keep their width: a narrow 80-column default squeezes every cell.
out = Console(width=None if sys.stdout.isatty() else 200)


@dataclass
class AppContext:
    store_url: str
    quiet: bool = False

    def open_store(self, *, readonly: bool = False) -> Store:
        try:
            return open_store(self.store_url, readonly=readonly)
        except StoreUnavailable as exc:
            raise click.ClickException(str(exc)) from exc


def _set_store(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """`--db`/`--store` after the subcommand override the ones before it."""
    if value is not None:
        ctx.ensure_object(AppContext).store_url = value


def store_options(f: Callable) -> Callable:
    """The global --db/--store, accepted after the subcommand too (`textmine search --db x.db`)."""
    f = click.option("--store", "store", default=None, expose_value=False, callback=_set_store, is_eager=True,
                     help="store URL: sqlite:///path.db or es://host:9200")(f)
    f = click.option("--db", "db", type=click.Path(dir_okay=False), default=None, expose_value=False,
                     callback=_set_store, is_eager=True, help=f"SQLite database file [default: ./{DEFAULT_DB}]")(f)
    return f


def pipeline_choices() -> list[str]:
    from textmine.extract.pipeline import pipeline_names

    return pipeline_names()


def pipeline_options(f: Callable) -> Callable:
    """--pipeline NAME|FILE.toml (with --extractor as its old name) and --ner-model."""
    f = click.option("--ner-model", default="fast", show_default=True,
                     help="NER model of pipelines that use one: fast (bulk jobs), accurate (MPNet-base, ~16x slower), "
                          "or a model folder")(f)
    f = click.option("--pipeline", "--extractor", "pipeline", default=DEFAULT_PIPELINE, show_default=True, metavar="NAME|FILE",
                     help="extraction pipeline: " + ", ".join(pipeline_choices()) + "; or a pipeline .toml file "
                          "(`textmine pipelines` lists them and their components)")(f)
    return f


def load_extraction(pipeline: str, ner_model: str = "fast"):
    """The extraction pipeline a command asked for, or a one-line error saying what to do."""
    from textmine.extract.pipeline import PipelineError, load_pipeline

    try:
        config_overrides = {"entities.ner": {"model": ner_model}} if ner_model != "fast" else {}
        return load_pipeline(pipeline, config_overrides)
    except PipelineError as exc:
        raise click.BadParameter(str(exc), param_hint="--pipeline") from exc
    except FileNotFoundError as exc:
        raise click.ClickException(f"{exc}; `textmine ner --help` lists the shipped models") from exc
    except ImportError as exc:
        raise click.ClickException(f"cannot load pipeline {pipeline!r}: {exc}") from exc


@contextmanager
def progress_bar(quiet: bool, total: int | None, label: str) -> Iterator[Callable[[str], None]]:
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


def report(summary: Any, store: Store, quiet: bool = False) -> None:
    failed_before = getattr(summary, "failed_before", [])
    console.print(
        f"[bold]{summary.documents}[/] documents processed, {summary.skipped} unchanged skipped, "
        f"[bold]{summary.records}[/] records, {len(summary.failures) + len(failed_before)} failures "
        f"in {summary.seconds:.1f} s -> {store.url}"
    )
    merged = getattr(summary, "merged", 0)
    if merged and not quiet:
        console.print(f"{merged} cop{'ies' if merged != 1 else 'y'} of papers kept in a richer format not stored again "
                      "(the same paper in another format: docs/hostile.md)")
    if failed_before:
        files = len({f.source.split("#", 1)[0] for f in failed_before})
        console.print(f"{files} file{'s' if files != 1 else ''} that failed before and did not change since "
                      "not read again (`textmine failures` says why; --retry-failed reads them again)")
    if summary.failures and not quiet:
        table = Table("source", "stage", "reason", title="Failures (recorded in the store; fix and re-run)")
        for failure in summary.failures[:50]:
            table.add_row(escape(failure.source), str(failure.stage), escape(failure.reason[:200]))
        console.print(table)
        if len(summary.failures) > 50:
            console.print(f"... and {len(summary.failures) - 50} more: `textmine failures`")


def finish(summary: Any, store: Store, quiet: bool = False) -> None:
    """Report, close the store, and exit 1 when anything failed (the failures are in the store)."""
    report(summary, store, quiet)
    store.close()
    if summary.failures or getattr(summary, "failed_before", None):
        sys.exit(1)


@contextmanager
def store_errors() -> Iterator[None]:
    """A store that goes away mid-run (Elasticsearch node down, disk full) is one line saying what
    to do, not a traceback; what was written before it stays, and a re-run skips it."""
    try:
        yield
    except StoreUnavailable as exc:
        raise click.ClickException(
            f"the store stopped answering mid-run; the documents stored before that are kept and a re-run skips them. {exc}"
        ) from None


__all__ = [
    "AppContext", "console", "finish", "load_extraction", "out", "pipeline_options", "progress_bar", "report",
    "store_errors", "store_options",
]
