"""`textmine run --cluster SPEC` (through `run_job`), `textmine jobs [show|resume] ID`.

`textmine cluster slurm|pbs` is in `hpc.py`. Dask is imported only when a job runs, so `textmine
jobs` lists the jobs of a store on a machine without the cluster extra.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from textmine.cli._common import AppContext, console, load_extraction, out, report, store_options
from textmine.cluster import ClusterUnavailable, require_dask
from textmine.cluster.status import JobStatus, format_seconds, job_status
from textmine.store.base import StoreUnavailable
from textmine.store.jobs import Job, JobTable, open_job_table


def _ner_overrides(ner_model: str) -> dict[str, dict[str, Any]]:
    """As `load_extraction` applies --ner-model; a model folder as an absolute path, which every
    node sees when the folder is on a shared file system."""
    if ner_model == "fast":
        return {}
    model = str(Path(ner_model).absolute()) if Path(ner_model).is_dir() else ner_model
    return {"entities.ner": {"model": model}}


def run_job(app: AppContext, paths: tuple[str, ...], cluster: str, *, pipeline: str, ner_model: str, reprocess: bool,
            max_bytes: int | None, shard_size: int) -> None:
    """`textmine run --cluster`: plan PATHS into a job in the store's job table and run it."""
    from textmine.cluster.inputs import InputError, expand_inputs, plan_shards
    from textmine.cluster.tasks import PipelineSpec

    _require()
    extraction = load_extraction(pipeline, ner_model)
    spec = PipelineSpec(config=extraction.config.model_dump(mode="json"), overrides=_ner_overrides(ner_model))
    try:
        refs = list(expand_inputs(paths))
    except (InputError, OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(str(exc)) from exc
    if not refs:
        raise click.UsageError(f"no input files under {', '.join(paths)}")
    shards = list(plan_shards(refs, max_files=shard_size))
    store = app.open_store()
    table = _table(store)
    handle = _connect(cluster)
    from textmine.cluster.driver import create_job

    job = create_job(table, store, inputs=list(paths), shards=shards, spec=spec, provenance=extraction.provenance.key,
                     cluster=handle, cluster_spec=cluster, reprocess=reprocess, max_bytes=max_bytes, shard_size=shard_size)
    _drive(app, job, table, store, handle)


def _require() -> None:
    try:
        require_dask()
    except ClusterUnavailable as exc:
        raise click.ClickException(str(exc)) from None


def _connect(spec: str) -> Any:
    from textmine.cluster.connect import connect

    try:
        return connect(spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--cluster") from None
    except ClusterUnavailable as exc:
        raise click.ClickException(str(exc)) from None


def _table(store: Any) -> JobTable:
    try:
        return open_job_table(store)
    except (TypeError, StoreUnavailable) as exc:
        raise click.ClickException(str(exc)) from None


def _drive(app: AppContext, job: Job, table: JobTable, store: Any, handle: Any) -> None:
    from textmine.cluster.driver import JobAborted, JobDriver

    console.print(f"job [bold]{job.id}[/]: {job.n_inputs} inputs in {job.n_shards} shards, {job.mode} writes to {store.url}; "
                  f"cluster {handle.address} ({handle.nthreads()} worker threads)")
    if handle.dashboard:
        console.print(f"Dask dashboard: {handle.dashboard}")
    driver = JobDriver(job, table, store, handle, write_url=app.store_url)
    summary = None
    try:
        with _progress(app.quiet, job) as on_progress:
            driver.on_progress = on_progress
            summary = driver.run()
    except KeyboardInterrupt:
        console.print(f"[yellow]interrupted: `textmine jobs resume {job.id}` goes on from the shards not done")
        sys.exit(130)
    except JobAborted as exc:
        raise click.ClickException(f"job {job.id} stopped: {exc}") from None
    except StoreUnavailable as exc:
        raise click.ClickException(f"{exc}\n`textmine jobs resume {job.id}` goes on once it is back") from None
    finally:
        handle.close()
        table.close()
    from textmine.cli.run import link_new_records

    link_new_records(store, summary, app.quiet)  # as a plain run: new records get their structures
    report(summary, store, app.quiet)
    line = f"job {job.id}: {summary.shards_done}/{job.n_shards} shards done"
    if summary.shards_failed:
        line += f", [red]{summary.shards_failed} failed[/] (`textmine jobs show {job.id}`; `textmine jobs resume {job.id}` retries them)"
    if summary.quarantined:
        line += f", {summary.quarantined} documents quarantined"
    console.print(line)
    store.close()
    if not summary.ok:
        sys.exit(1)


class _progress:
    """Shards done of all, with documents and documents/s, on the terminal."""

    def __init__(self, quiet: bool, job: Job) -> None:
        self.quiet = quiet
        self.job = job

    def __enter__(self):
        if self.quiet:
            return None
        self.bar = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.fields[info]}", style="dim"), console=console)
        self.bar.__enter__()
        self.task = self.bar.add_task("shards", total=self.job.n_shards, info="")

        def update(driver: Any) -> None:
            summary = driver.summary
            elapsed = max(summary_elapsed(driver), 1e-9)
            counts = driver.counts()
            info = (f"{summary.documents + summary.skipped} docs, {(summary.documents + summary.skipped) / elapsed:.1f} docs/s, "
                    f"{counts.get('running', 0)} running, {counts.get('failed', 0)} failed")
            self.bar.update(self.task, completed=summary.shards_done, info=info)

        return update

    def __exit__(self, *exc: object) -> None:
        if not self.quiet:
            self.bar.__exit__(*exc)


def summary_elapsed(driver: Any) -> float:
    import time

    return time.monotonic() - driver.session_started


# -- textmine jobs ----------------------------------------------------------------------------
@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@store_options
@click.pass_context
def jobs(ctx: click.Context, as_json: bool) -> None:
    """Distributed corpus jobs of the store (`textmine run --cluster`): list, show, resume."""
    if ctx.invoked_subcommand is not None:
        return
    with _open(ctx.obj) as (store, table):
        statuses = [job_status(table, job) for job in table.jobs()]
    if as_json:
        out.print_json(json.dumps([_status_json(s) for s in statuses]))
        return
    if not statuses:
        console.print("no jobs in this store: `textmine run --cluster local PATHS` starts one")
        return
    grid = Table("job", "created", "state", "shards done/failed/running/total", "docs", "docs/s", "records", "failures", "ETA")
    for s in statuses:
        grid.add_row(s.job.id, s.job.created_at.strftime("%Y-%m-%d %H:%M"), s.state,
                     f"{s.done}/{s.shards['failed']}/{s.shards['running']}/{s.total}", str(s.documents + s.skipped),
                     f"{s.docs_per_second:.1f}", str(s.records), str(s.failures), format_seconds(s.eta_seconds))
    out.print(grid)


@jobs.command("show")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@store_options
@click.pass_obj
def show(app: AppContext, job_id: str, as_json: bool) -> None:
    """One job: shards by state, documents/s, ETA, failures by reason, quarantined documents."""
    with _open(app) as (store, table):
        s = job_status(table, _find(table, job_id), detail=True)
    if as_json:
        out.print_json(json.dumps(_status_json(s, detail=True)))
        return
    job = s.job
    out.print(f"[bold]job {job.id}[/]  {s.state}  created {job.created_at:%Y-%m-%d %H:%M:%S} UTC, updated {job.updated_at:%H:%M:%S}")
    out.print(f"inputs: {', '.join(job.inputs)} ({job.n_inputs} files)   pipeline: {job.provenance}")
    out.print(f"store: {job.store} ({job.mode} writes)   cluster: {job.cluster}" + (f"   dashboard: {job.dashboard}" if job.dashboard else ""))
    out.print(f"shards: {s.done} done, {s.shards['failed']} failed, {s.shards['running']} running, {s.shards['pending']} pending "
              f"of {s.total}   documents: {s.documents} written, {s.skipped} unchanged   records: {s.records}")
    out.print(f"time: {format_seconds(s.elapsed)}   {s.docs_per_second:.1f} documents/s   ETA: {format_seconds(s.eta_seconds)}")
    if s.workers:
        out.print("workers: " + ", ".join(f"{w} ({n} shards)" for w, n in s.workers.most_common()))
    if s.failure_reasons:
        grid = Table("failures by reason", "documents", title=f"{s.failures} failures (`textmine failures` lists them)")
        for reason, count in s.failure_reasons.most_common(20):
            grid.add_row(reason, str(count))
        out.print(grid)
    if s.errors:
        grid = Table("shard", "last error")
        for shard, error in s.errors[:20]:
            grid.add_row(str(shard), error[:200])
        out.print(grid)
    if s.quarantined:
        grid = Table("quarantined document", "source", "reason")
        for q in s.quarantined[:50]:
            grid.add_row(q.doc, q.source, q.reason[:160])
        out.print(grid)
    if s.job.state.value != "done":
        out.print(f"resume: textmine jobs resume {job.id}")


@jobs.command("resume")
@click.argument("job_id")
@click.option("--cluster", default=None, metavar="local[:N]|tcp://HOST:8786",
              help="where to run the rest [default: where the job ran]")
@store_options
@click.pass_obj
def resume(app: AppContext, job_id: str, cluster: str | None) -> None:
    """Run the shards of job ID that are not done (and retry its failed ones)."""
    from textmine.cluster.tasks import PipelineSpec

    _require()
    store = app.open_store()
    table = _table(store)
    job = _find(table, job_id)
    if job.state.value == "done":
        console.print(f"job {job.id} is done: nothing to resume")
        return
    try:
        pipeline = PipelineSpec.model_validate(job.pipeline).build()
    except Exception as exc:  # noqa: BLE001 - a plugin gone, a model missing: say which
        raise click.ClickException(f"cannot build job {job.id}'s pipeline here: {exc}") from None
    if pipeline.provenance.key != job.provenance:
        raise click.ClickException(
            f"job {job.id} was made by pipeline {job.provenance}; this textmine builds {pipeline.provenance.key}. "
            "Resume it with the same textmine, ontology and models, or start a new job (`textmine run --cluster`).")
    spec = cluster or job.cluster or "local"
    handle = _connect(spec)
    job.cluster, job.dashboard = spec, handle.dashboard
    _drive(app, job, table, store, handle)


class _open:
    def __init__(self, app: AppContext) -> None:
        self.app = app

    def __enter__(self):
        self.store = self.app.open_store(readonly=True)
        self.table = _table(self.store)
        return self.store, self.table

    def __exit__(self, *exc: object) -> None:
        self.table.close()
        self.store.close()


def _find(table: JobTable, job_id: str) -> Job:
    try:
        job = table.job(job_id)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="JOB_ID") from None
    if job is None:
        raise click.BadParameter(f"no job {job_id!r} in this store; `textmine jobs` lists them", param_hint="JOB_ID")
    return job


def _status_json(s: JobStatus, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": s.job.id, "state": s.job.state.value, "stale": s.stale, "created_at": s.job.created_at.isoformat(),
        "updated_at": s.job.updated_at.isoformat(), "shards": {**s.shards, "total": s.total}, "documents": s.documents,
        "skipped": s.skipped, "records": s.records, "failures": s.failures, "elapsed_s": round(s.elapsed, 3),
        "docs_per_s": round(s.docs_per_second, 3), "eta_s": s.eta_seconds, "store": s.job.store, "cluster": s.job.cluster,
        "dashboard": s.job.dashboard, "provenance": s.job.provenance, "failures_by_reason": dict(s.failure_reasons),
    }
    if detail:
        data["quarantined"] = [q.model_dump(mode="json") for q in s.quarantined]
        data["workers"] = dict(s.workers)
        data["errors"] = [{"shard": n, "error": e} for n, e in s.errors]
    return data


__all__ = ["jobs", "run_job"]
