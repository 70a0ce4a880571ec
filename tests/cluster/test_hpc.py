"""`textmine cluster slurm|pbs`: the job script dask-jobqueue generates, run for real.

The Slurm test submits the worker job through `sbatch` to a real single-node Slurm (slurmctld +
slurmd with munge). When none answers and the test runs as root, it starts one with
services/slurm/single-node.sh (which apt-installs slurmctld slurmd slurm-client munge when they are
missing) and stops what it started afterwards; it skips only where that cannot be done (not root, no
apt), saying so. The generated script is also run with bash on this machine: the #SBATCH lines are
comments to it, and everything after them (environment, the worker command and its scheduler
address) runs as on a compute node; the worker joins and a job runs through it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from cluster_support import PIPELINE, ROOT, TEXTMINE, assert_same_store, dump, env, make_corpus, plain_run, require_dask, textmine

pytestmark = pytest.mark.slow


def _cluster(kind: str, **options):
    require_dask()
    pytest.importorskip("dask_jobqueue", reason="dask-jobqueue is not installed: pip install -e '.[test,cluster]'")
    from textmine.cluster.hpc import make_cluster

    defaults = dict(jobs=1, cores=2, memory="2GB", walltime="00:20:00", interface="lo", scheduler_port=0,
                    dashboard_address="127.0.0.1:0")
    return make_cluster(kind, **{**defaults, **options})


def test_the_slurm_script_asks_for_the_job_and_starts_one_worker_per_core() -> None:
    cluster = _cluster("slurm", cores=32, memory="64GB", walltime="04:00:00", gpus=1, queue="gpu", account="mat-sci",
                       prologue=("source /shared/venvs/textmine/bin/activate",), job_extra=("--constraint=a100",))
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in ("#SBATCH -J textmine-worker", "#SBATCH -p gpu", "#SBATCH -A mat-sci", "#SBATCH --cpus-per-task=32",
                 "#SBATCH --mem=60G", "#SBATCH -t 04:00:00", "#SBATCH --constraint=a100", "#SBATCH --gres=gpu:1",
                 "export TEXTMINE_DEVICE=cuda", "export TEXTMINE_ORT_THREADS=1",
                 "source /shared/venvs/textmine/bin/activate"):
        assert line in script, line
    assert "--nworkers 32 " in script and "--nthreads 1 " in script and "distributed.cli.dask_worker" in script


def test_the_pbs_script_asks_for_gpus_in_its_select_statement() -> None:
    cluster = _cluster("pbs", cores=16, memory="32GB", walltime="02:00:00", gpus=2, processes=4)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert "#PBS -l select=1:ncpus=16:ngpus=2:mem=32GB" in script and "#PBS -l walltime=02:00:00" in script
    assert "--nworkers 4 " in script and "--nthreads 4 " in script and "export TEXTMINE_ORT_THREADS=4" in script


def test_print_script_submits_nothing_and_bad_options_say_why() -> None:
    require_dask()
    pytest.importorskip("dask_jobqueue")
    shown = textmine("cluster", "slurm", "--jobs", "20", "--cores", "32", "--memory", "64GB", "--walltime", "04:00:00",
                     "--interface", "lo", "--print-script")
    assert shown.returncode == 0 and shown.stdout.startswith("#!/usr/bin/env bash") and "#SBATCH" in shown.stdout
    bad = textmine("cluster", "pbs", "--cores", "4", "--memory", "8GB", "--processes", "8", "--print-script")
    assert bad.returncode == 2 and "--processes must be between 1 and --cores (4)" in bad.stderr
    nowhere = textmine("cluster", "slurm", "--cores", "4", "--memory", "8GB", "--interface", "nosuch0", "--print-script")
    assert nowhere.returncode == 2 and "'nosuch0' is not a valid network interface" in nowhere.stderr, nowhere.stderr
    assert "Traceback" not in nowhere.stderr


def test_the_generated_slurm_script_runs_a_worker_that_does_a_job(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", papers=6)
    plain = plain_run(tmp_path, corpus)
    cluster = _cluster("slurm", cores=1, memory="2GB")
    script = tmp_path / "worker.sh"
    script.write_text(cluster.job_script(), encoding="utf-8")
    worker = subprocess.Popen(["bash", str(script)], env=env(), cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=(tmp_path / "worker.log").open("w"), start_new_session=True)
    try:
        from distributed import Client

        with Client(cluster) as client:
            client.wait_for_workers(1, timeout=180)
        db = tmp_path / "job.db"
        result = textmine("--db", str(db), "run", *PIPELINE, "--cluster", cluster.scheduler_address, "--shard-size", "4", str(corpus))
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
        assert_same_store(dump(str(db)), plain)
    finally:
        import os

        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        cluster.close()


def _slurm_up() -> bool:
    if not shutil.which("sinfo") or not shutil.which("sbatch"):
        return False
    try:
        answer = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return answer.returncode == 0 and any(state.startswith(("idle", "mix", "alloc")) for state in answer.stdout.split())


SINGLE_NODE = ROOT / "services" / "slurm" / "single-node.sh"
SLURM_PACKAGES = "slurmctld slurmd slurm-client munge"


@pytest.fixture(scope="module")
def slurm() -> Iterator[None]:
    """A Slurm that answers: the one running here, or a single-node one started (and stopped) here."""
    if _slurm_up():
        yield
        return
    installed = all(shutil.which(tool) for tool in ("slurmctld", "slurmd", "sbatch", "munged"))
    if os.geteuid() != 0:
        pytest.skip(f"no Slurm answers and this is not root, so none can be started: as root, "
                    f"`{SINGLE_NODE.relative_to(ROOT)} start` (apt packages {SLURM_PACKAGES})")
    if not installed and not shutil.which("apt-get"):
        pytest.skip(f"Slurm is not installed and there is no apt-get to install {SLURM_PACKAGES}")
    started = subprocess.run(["bash", str(SINGLE_NODE), "start"], capture_output=True, text=True, timeout=900)
    try:
        if started.returncode != 0 and not installed and not shutil.which("slurmctld"):
            pytest.skip(f"cannot install {SLURM_PACKAGES}: {started.stderr.strip()[-500:]}")
        assert started.returncode == 0 and _slurm_up(), f"single-node Slurm did not start:\n{started.stdout}\n{started.stderr}"
        yield
    finally:
        subprocess.run(["bash", str(SINGLE_NODE), "stop"], capture_output=True, timeout=120)


def test_a_job_through_real_slurm_workers(tmp_path: Path, slurm: None) -> None:
    require_dask()
    corpus = make_corpus(tmp_path / "corpus", papers=6)
    plain = plain_run(tmp_path, corpus)
    scheduler_file = tmp_path / "scheduler.json"
    serve = subprocess.Popen([*TEXTMINE, "cluster", "slurm", "--jobs", "1", "--cores", "1", "--memory", "1GB",
                              "--walltime", "00:15:00", "--interface", "lo", "--scheduler-port", "0",
                              "--scheduler-file", str(scheduler_file), "--log-directory", str(tmp_path / "logs")],
                             env=env(), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        from cluster_support import wait_until

        wait_until(lambda: scheduler_file.exists(), timeout=120)
        from distributed import Client

        with Client(scheduler_file=str(scheduler_file), timeout=60) as client:
            client.wait_for_workers(1, timeout=300)
        db = tmp_path / "job.db"
        result = textmine("--db", str(db), "run", *PIPELINE, "--cluster", str(scheduler_file), "--shard-size", "4", str(corpus))
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
        assert_same_store(dump(str(db)), plain)
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
    queue = subprocess.run(["squeue", "-h", "-n", "textmine-worker"], capture_output=True, text=True, timeout=20)
    assert queue.stdout.strip() == "", "the worker job was not cancelled"


def test_cluster_commands_are_registered() -> None:
    result = subprocess.run([*TEXTMINE, "--help"], capture_output=True, text=True, env=env(), cwd=ROOT, timeout=120)
    assert "jobs" in result.stdout and "cluster" in result.stdout
