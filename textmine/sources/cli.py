"""`textmine harvest SOURCE` and `textmine sources`: click commands the main group attaches.

Harvested documents go through the same `Pipeline` as local files (segment, extract, store). The
harvest state (cursors, identity index) and the raw payloads live next to the store: for
`--db corpus.db` in `corpus.harvest/`, or wherever `--state-dir` / $TEXTMINE_HARVEST_DIR says.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console(stderr=True)
out = Console()


def _sources():
    try:
        import textmine.sources  # noqa: F401  (registers sources and payload readers)
    except ImportError as exc:
        if getattr(exc, "name", "") == "httpx":
            raise click.ClickException("harvesting needs httpx: pip install 'textmine[harvest]'") from exc
        raise
    from textmine.sources.base import sources

    return sources


def state_dir_for(store_url: str) -> Path:
    """Where a store's harvest state lives unless told otherwise."""
    if env := os.environ.get("TEXTMINE_HARVEST_DIR"):
        return Path(env)
    if store_url.startswith(("es://", "es+http://", "es+https://")):
        return Path("textmine.harvest")
    path = Path(store_url.removeprefix("sqlite:///").removeprefix("sqlite://"))
    return path.with_name(path.stem + ".harvest")


_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.argument("source", metavar="SOURCE")
@click.option("--query", default=None, help="the source's own query: a search, an OAI set, ids/DOIs/files (comma separated or @file)")
@click.option("--since", type=_DATE, default=None, help="from this date (publication / submission / datestamp), YYYY-MM-DD")
@click.option("--until", type=_DATE, default=None, help="up to this date, YYYY-MM-DD")
@click.option("--max", "max_documents", type=click.IntRange(min=1), default=None, help="stop after N new documents (resume continues)")
@click.option("--resume/--no-resume", default=True, show_default=True, help="continue from the saved cursor of this source+query")
@click.option("--base-url", default=None, help="API base URL (institutional mirror, test server); env TEXTMINE_<SOURCE>_BASE_URL")
@click.option("--api-key", default=None, help="API key where the source takes one; env TEXTMINE_<SOURCE>_API_KEY")
@click.option("--mailto", default=None, help="contact e-mail for polite pools (Crossref); env TEXTMINE_MAILTO")
@click.option("--page-size", type=click.IntRange(min=1), default=None, help="results per request (source default otherwise)")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="cursors, identity index and raw payloads [default: next to the store]")
@click.option("--extract/--no-extract", default=True, show_default=True, help="run the extraction pipeline, or only store documents")
@click.option("--pipeline", "--extractor", "pipeline", default="rules", show_default=True, metavar="NAME|FILE",
              help="extraction pipeline (`textmine pipelines` lists them)")
@click.pass_obj
def harvest(app: Any, source: str, query: str | None, since: dt.datetime | None, until: dt.datetime | None,
            max_documents: int | None, resume: bool, base_url: str | None, api_key: str | None, mailto: str | None,
            page_size: int | None, state_dir: Path | None, extract: bool, pipeline: str) -> None:
    """Harvest SOURCE into the store, politely and resumably (see `textmine sources`)."""
    registry = _sources()  # first: explains a missing httpx before anything imports it
    from textmine.extract.pipeline import PipelineError, load_pipeline
    from textmine.pipeline import Pipeline
    from textmine.sources.base import HarvestQuery, SourceConfigError
    from textmine.sources.harvest import Harvester
    from textmine.sources.rawstore import RawStore
    from textmine.sources.state import HarvestState

    if source not in registry:
        raise click.BadParameter(f"unknown source {source!r}; one of: {', '.join(registry.names())}", param_hint="SOURCE")
    cls = registry.get(source)
    settings = cls.default_settings(base_url=base_url, api_key=api_key, mailto=mailto, page_size=page_size)
    target = state_dir or state_dir_for(app.store_url)
    harvest_query = HarvestQuery(query=query, since=since.date() if since else None, until=until.date() if until else None)
    try:
        adapter = cls(settings, raw=RawStore(target / "raw"))
        adapter.first_cursor(harvest_query)  # validates the query before anything is opened
    except SourceConfigError as exc:
        raise click.UsageError(str(exc)) from exc

    structures = getattr(cls, "kind", "documents") == "structures"  # OPTIMADE yields crystal structures
    try:
        extraction = load_pipeline(pipeline if extract and not structures else "none")
    except (PipelineError, ImportError) as exc:
        raise click.ClickException(f"cannot load the pipeline ({exc}); use --no-extract to only store documents") from exc

    state = HarvestState(target / "harvest.sqlite")
    harvester = Harvester(adapter, state, resume=resume, max_documents=max_documents)
    store = app.open_store()
    # batch_size=1: each document is stored before the harvester is asked for the next one, which
    # is when the cursor moves on; a crash can then repeat a document but never lose one.
    runner = Pipeline(store, extraction, batch_size=1)
    interrupted = False
    summary = None
    try:
        with _progress(getattr(app, "quiet", False), f"harvest {source}") as hook:
            harvester.progress = hook
            if structures:
                from textmine.structures.ingest import harvest_structures

                summary = harvest_structures(harvester.items(harvest_query), store)
            else:
                summary = runner.process(harvester.items(harvest_query))
    except KeyboardInterrupt:
        interrupted = True  # the cursor already points after the last stored document
    finally:
        adapter.close()
        state.close()
        store.close()
    _report(harvester, adapter, summary, store.url, target)
    if interrupted:
        console.print("[yellow]interrupted: run the same command again to resume")
        sys.exit(130)
    if harvester.failures:
        sys.exit(1)


class _progress:
    def __init__(self, quiet: bool, label: str) -> None:
        self.quiet = quiet
        self.label = label

    def __enter__(self):
        if self.quiet:
            return lambda stats, doc: None
        self._bar = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), TextColumn("{task.fields[info]}", style="dim"), console=console)
        self._bar.__enter__()
        task = self._bar.add_task(self.label, total=None, info="")

        def hook(stats, doc) -> None:
            info = f"{stats.emitted} new, {stats.duplicates} dup, {stats.linked} linked, {stats.failures} failed"
            self._bar.update(task, completed=stats.seen, total=stats.total, info=info)

        return hook

    def __exit__(self, *exc: object) -> None:
        if not self.quiet:
            self._bar.__exit__(*exc)


def _report(harvester, adapter, summary, store_url: str, target: Path) -> None:
    stats = harvester.stats
    client = adapter.client.stats
    console.print(
        f"[bold]{stats.emitted}[/] new documents ({stats.updated} richer versions), {stats.duplicates} duplicates, "
        f"{stats.linked} linked to another version, {len(harvester.failures)} failures; "
        f"{stats.pages} pages, {client.requests} requests ({client.retries} retried) in {stats.seconds:.1f} s"
    )
    if summary is not None:
        console.print(f"stored: {summary.documents} documents, {summary.records} records -> {store_url}; state: {target}")
    if stats.stopped:
        console.print(f"[yellow]{stats.stopped}")
    elif stats.complete:
        console.print("harvest complete")
    if harvester.failures:
        table = Table("source", "reason", title="Harvest failures (recorded in the store)")
        for failure in harvester.failures[:30]:
            table.add_row(failure.source, failure.reason[:200])
        console.print(table)


@click.command(name="sources")
@click.option("--json", "as_json", is_flag=True, help="machine-readable")
@click.option("--harvests", is_flag=True, help="instead, the harvests saved next to the store: cursor, done, documents")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="harvest state to read with --harvests [default: next to the store]")
@click.pass_obj
def sources_command(app: Any, as_json: bool, harvests: bool, state_dir: Path | None) -> None:
    """List the harvestable sources and their settings (base URL, rate limit, auth)."""
    _sources()
    from textmine.sources.base import env_name

    if harvests:
        _list_harvests(state_dir or state_dir_for(getattr(app, "store_url", None) or "textmine.db"), as_json)
        return

    rows = []
    for name in _sources().names():
        cls = _sources().get(name)
        settings = cls.default_settings()
        rows.append({
            "name": name,
            "fetches": cls.description,
            "base_url": settings.base_url,
            "rate_limit": settings.rate.describe(),
            "rate_note": cls.rate_note,
            "auth": cls.auth,
            "api_key_set": bool(settings.api_key),
            "paging": cls.paging,
            "env": f"{env_name(name, 'BASE_URL')}, {env_name(name, 'API_KEY')}",
        })
    if as_json:
        out.print_json(json.dumps(rows))
        return
    for row in rows:  # one block per source: URLs stay whole on narrow terminals
        auth = row["auth"] + (" (key set)" if row["api_key_set"] else "")
        out.print(f"[bold]{row['name']}[/]  {row['fetches']}", soft_wrap=True, highlight=False)
        out.print(f"    base URL: {row['base_url']}", soft_wrap=True, highlight=False)
        out.print(f"    rate:     {row['rate_limit']}  ({row['rate_note']})", soft_wrap=True, highlight=False)
        out.print(f"    auth:     {auth}    paging: {row['paging']}", soft_wrap=True, highlight=False)
    out.print("Override a base URL with --base-url or TEXTMINE_<SOURCE>_BASE_URL, a key with --api-key or "
              "TEXTMINE_<SOURCE>_API_KEY, the polite-pool contact with --mailto or TEXTMINE_MAILTO.", soft_wrap=True)


def _list_harvests(target: Path, as_json: bool) -> None:
    from textmine.sources.state import HarvestState

    if not (target / "harvest.sqlite").exists():
        raise click.ClickException(f"no harvest state in {target} (harvest something first, or give --state-dir)")
    state = HarvestState(target / "harvest.sqlite")
    rows = list(state.cursors())
    state.close()
    if as_json:
        out.print_json(json.dumps(rows))
        return
    for row in rows:
        status = "complete" if row["done"] else f"resumable at {json.dumps(row['cursor'])}"
        query = ", ".join(f"{k}={v}" for k, v in row["query"].items() if v and k != "items_sha256")
        out.print(f"[bold]{row['source']}[/] {query}: {row['emitted']} documents, {status} "
                  f"(updated {row['updated_at']})", soft_wrap=True, highlight=False)


# The name the main group attaches: `main.add_command(sources_command, "sources")`.
sources = sources_command

__all__ = ["harvest", "sources", "sources_command", "state_dir_for"]
