"""`textmine cluster slurm|pbs`: Dask workers as batch jobs, through dask-jobqueue.

    textmine cluster slurm --jobs 20 --cores 32 --memory 64GB --walltime 04:00:00 --scheduler-file sched.json
    textmine --store es://es-head:9200 run --cluster sched.json /shared/corpus        # in another shell

This process runs the Dask scheduler (on the login node, or inside a small batch job of its own)
and submits `--jobs` batch jobs; each starts `--processes` worker processes (default: one per
core, one thread each) that connect back to it. `--print-script` shows the job script and submits
nothing. Workers need the same Python environment (`--python`, a venv on the shared file system),
the inputs and any model folder at the same paths, and, for Elasticsearch, network access to it
and its credentials in their environment (`--prologue 'export TEXTMINE_ES_API_KEY=...'`).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from textmine.cli._common import console
from textmine.cluster import ClusterUnavailable, INSTALL_HINT

KINDS = {"slurm": "SLURMCluster", "pbs": "PBSCluster"}


def make_cluster(kind: str, *, jobs: int, cores: int, memory: str, walltime: str, processes: int | None = None,
                 queue: str | None = None, account: str | None = None, gpus: int = 0, python: str | None = None,
                 prologue: tuple[str, ...] = (), job_extra: tuple[str, ...] = (), interface: str | None = None,
                 scheduler_port: int = 8786, dashboard_address: str = ":8787", log_directory: str | None = None,
                 local_directory: str | None = None) -> Any:
    """A dask-jobqueue cluster (not yet scaled). Nothing is submitted until `scale`."""
    try:
        import dask_jobqueue
    except ImportError as exc:
        raise ClusterUnavailable(f"textmine cluster {kind} needs dask-jobqueue ({exc.name} is missing): {INSTALL_HINT}") from None
    processes = processes or cores
    if processes < 1 or processes > cores:
        raise ValueError(f"--processes must be between 1 and --cores ({cores}), got {processes}")
    # Each worker process gets its share of the cores for onnxruntime; GPU jobs run the models on CUDA.
    env = [f"export TEXTMINE_ORT_THREADS={max(1, cores // processes)}"]
    env.append("export TEXTMINE_DEVICE=cuda" if gpus else "export TEXTMINE_DEVICE=cpu")
    directives = list(job_extra)
    options: dict[str, Any] = {}
    if gpus and kind == "slurm":
        directives.append(f"--gres=gpu:{gpus}")
    elif gpus and kind == "pbs":
        options["resource_spec"] = f"select=1:ncpus={cores}:ngpus={gpus}:mem={memory}"
    cls = getattr(dask_jobqueue, KINDS[kind])
    try:
        return cls(
            cores=cores, processes=processes, memory=memory, walltime=walltime, queue=queue, account=account,
            job_name="textmine-worker", python=python or sys.executable, interface=interface,
            job_script_prologue=[*env, *prologue], job_extra_directives=directives,
            scheduler_options={"port": scheduler_port, "dashboard_address": dashboard_address},
            log_directory=log_directory, local_directory=local_directory, **options,
        )
    except (ValueError, RuntimeError, OSError) as exc:  # the scheduler starts here: a bad interface, a port in use
        cause = exc.__cause__ or exc
        if isinstance(cause, ValueError):
            raise ValueError(f"{cause} (--interface, --memory, --walltime)") from None
        raise ClusterUnavailable(f"cannot start the Dask scheduler on this machine: {cause}") from None


def _hpc_options(f: Any) -> Any:
    options = [
        click.option("--jobs", "n_jobs", type=click.IntRange(min=1), default=1, show_default=True, help="batch jobs to submit"),
        click.option("--cores", type=click.IntRange(min=1), required=True, help="cores per job"),
        click.option("--memory", required=True, help="memory per job, e.g. 64GB"),
        click.option("--walltime", default="04:00:00", show_default=True, help="per job, HH:MM:SS"),
        click.option("--processes", type=click.IntRange(min=1), default=None,
                     help="worker processes per job, one thread each [default: one per core]"),
        click.option("--queue", default=None, help="partition (Slurm) or queue (PBS)"),
        click.option("--account", default=None, help="account / project to charge"),
        click.option("--gpus", type=click.IntRange(min=0), default=0, show_default=True,
                     help="GPUs per job: models run on onnxruntime's CUDA provider (needs onnxruntime-gpu)"),
        click.option("--python", default=None, help="the Python on the compute nodes [default: this one]"),
        click.option("--prologue", multiple=True, help="shell line run before the workers start (repeatable): module load, source venv, export ..."),
        click.option("--job-extra", multiple=True, help="extra #SBATCH / #PBS directive (repeatable), e.g. --constraint=skylake"),
        click.option("--interface", default=None, help="network interface workers and scheduler talk over, e.g. ib0"),
        click.option("--scheduler-port", type=int, default=8786, show_default=True),
        click.option("--scheduler-file", type=click.Path(dir_okay=False), default=None,
                     help="write the scheduler's address here (`textmine run --cluster FILE`)"),
        click.option("--log-directory", type=click.Path(file_okay=False), default=None, help="where the jobs' output goes"),
        click.option("--print-script", is_flag=True, help="print the job script and submit nothing"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.group("cluster")
def cluster() -> None:
    """Dask workers on an HPC batch system (Slurm, PBS) for `textmine run --cluster`."""


def _command(kind: str) -> Any:
    @cluster.command(kind, help=f"Start a Dask scheduler here and workers as {kind.upper()} jobs; Ctrl-C stops them.")
    @_hpc_options
    def command(n_jobs: int, cores: int, memory: str, walltime: str, processes: int | None, queue: str | None,
                account: str | None, gpus: int, python: str | None, prologue: tuple[str, ...], job_extra: tuple[str, ...],
                interface: str | None, scheduler_port: int, scheduler_file: str | None, log_directory: str | None,
                print_script: bool) -> None:
        try:
            hpc = make_cluster(kind, jobs=n_jobs, cores=cores, memory=memory, walltime=walltime, processes=processes,
                               queue=queue, account=account, gpus=gpus, python=python, prologue=prologue,
                               job_extra=job_extra, interface=interface, scheduler_port=scheduler_port,
                               log_directory=log_directory)
        except ClusterUnavailable as exc:
            raise click.ClickException(str(exc)) from None
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        if print_script:
            click.echo(hpc.job_script())
            hpc.close()
            return
        serve(hpc, n_jobs, scheduler_file)

    return command


def serve(hpc: Any, n_jobs: int, scheduler_file: str | None) -> None:
    """Submit the jobs, say where the scheduler is, and keep it up until Ctrl-C."""
    import json

    address = hpc.scheduler_address
    if scheduler_file:
        with open(scheduler_file, "w", encoding="utf-8") as handle:
            json.dump({"address": address, "type": "Scheduler"}, handle)
    try:
        hpc.scale(jobs=n_jobs)
    except Exception as exc:  # noqa: BLE001 - sbatch/qsub's own message is the useful part
        hpc.close()
        raise click.ClickException(f"submitting the worker jobs failed: {exc}") from None
    console.print(f"scheduler {address}; dashboard {hpc.dashboard_link}")
    console.print(f"{n_jobs} job(s) submitted; run a job with: textmine run --cluster {scheduler_file or address} PATHS")
    console.print("Ctrl-C stops the scheduler and cancels the worker jobs")
    from distributed import Client

    client = Client(hpc)
    seen = -1
    try:
        while True:
            workers = len(client.nthreads())
            if workers != seen:
                console.print(f"{workers} worker processes connected")
                seen = workers
            time.sleep(5)
    except KeyboardInterrupt:
        console.print("stopping: cancelling the worker jobs")
    finally:
        client.close()
        hpc.close()


slurm = _command("slurm")
pbs = _command("pbs")

__all__ = ["cluster", "make_cluster", "serve"]
