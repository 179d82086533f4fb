"""The workflow on a real one-node Slurm cluster (Debian's slurm, munge, a fake gres/gpu)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, tiny_config, write_config
from servers import Route, Server

pytestmark = [pytest.mark.slurm, pytest.mark.workflow]
SCRIPTS = Path(__file__).parent / "slurm"
DAEMONS = {"slurmctld": "run/slurmctld.pid", "slurmd": "run/slurmd.pid",
           "munged": "munge/munged.pid"}
BROKEN_RUN = "extra_layer/dropout-0.50/seed-1"


def running(pid: int, name: str) -> bool:
    """Whether `pid` is a live (not zombie) process called `name`."""
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return comm == name and state != "Z"


@pytest.fixture(scope="module")
def cluster():
    """A started cluster's environment; its daemons are stopped by their pids afterwards."""
    if os.geteuid() != 0 or not (shutil.which("slurmctld") or shutil.which("apt-get")):
        pytest.skip("a local Slurm cluster needs root and Debian's packages (apt-get)")
    # Not under pytest's private temporary folder: munged runs as user munge and must reach it.
    base = Path(tempfile.mkdtemp(prefix="slurm-ci-"))
    base.chmod(0o755)
    env = {**os.environ, "SLURM_CI_GPUS": "1", "SLURM_CONF": str(base / "etc/slurm.conf")}
    started = subprocess.run(["bash", SCRIPTS / "start-slurm.sh", base], env=env,
                             capture_output=True, text=True, timeout=600)
    pids = {name: int((base / path).read_text()) for name, path in DAEMONS.items()
            if (base / path).exists()}
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield env
    finally:
        subprocess.run(["bash", SCRIPTS / "stop-slurm.sh", base], env=env,
                       capture_output=True, timeout=300)
        assert [name for name, pid in pids.items() if running(pid, name)] == []
        shutil.rmtree(base, ignore_errors=True)


def submit(workdir: Path, env: dict, *args) -> subprocess.CompletedProcess:
    """Run the workflow with the Slurm profile plus what this one-node cluster needs."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"),
               "--directory", str(workdir), "--profile", str(ROOT / "profiles/slurm"),
               # no slurmdbd here, so no sacct; and the node has 2 CPUs (1 thread per job
               # also matches the local run it is compared with)
               "--slurm-status-command", "squeue",
               "--slurm-init-seconds-before-status-checks", "1",
               "--seconds-between-status-checks", "2",
               "--set-threads", "train=1", "evaluate=1", "--verbose", *args]
    # Snakemake ignores SIGTERM while jobs run; SIGINT stops it and cancels its jobs.
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as process:
        try:
            output, _ = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=120)
    return subprocess.CompletedProcess(command, process.returncode, output, "")


def slurm_jobs(env: dict) -> list[dict]:
    """Every job the cluster has seen: its rule (from the plugin's comment) and its settings."""
    ids = subprocess.run(["squeue", "-h", "-t", "all", "-o", "%i"], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    jobs = []
    for job_id in ids:
        show = subprocess.run(["scontrol", "show", "job", job_id], env=env,
                              capture_output=True, text=True, check=True).stdout
        fields = dict(re.findall(r"(\w[\w/:]*)=(\S*)", show))
        jobs.append({"id": int(job_id), "comment": fields.get("Comment", ""),
                     "gres": fields.get("TresPerJob", ""), "time": fields.get("TimeLimit"),
                     "state": fields.get("JobState"), "cpus": fields.get("NumCPUs")})
    return sorted(jobs, key=lambda job: job["id"])


@pytest.fixture(scope="module")
def on_slurm(cluster, tmp_path_factory, tiny_archive):
    """The tiny workflow run through the Slurm profile, and the jobs it submitted."""
    server = Server()
    server.routes["/cifar-10-python.tar.gz"] = Route(tiny_archive.bytes)
    workdir = tmp_path_factory.mktemp("on-slurm")
    write_config(workdir, tiny_config(server.url("/cifar-10-python.tar.gz"), tiny_archive))
    try:
        result = submit(workdir, cluster)
    finally:
        server.close()
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir, result.stdout, slurm_jobs(cluster)


def result_files(workdir: Path) -> list[str]:
    return sorted(str(p.relative_to(workdir)) for p in (workdir / "results").rglob("*")
                  if p.suffix in (".tsv", ".json", ".txt", ".md"))


def test_same_files_and_numbers_as_a_local_run(on_slurm, finished):
    workdir, _, _ = on_slurm
    assert result_files(workdir) == result_files(finished)
    differ = [name for name in result_files(workdir)
              if (workdir / name).read_bytes() != (finished / name).read_bytes()]
    assert differ == []


def test_only_compute_rules_are_submitted_and_training_asks_for_a_gpu(on_slurm):
    _, _, jobs = on_slurm
    rules = sorted({job["comment"].split("_wildcards")[0] for job in jobs})
    assert rules == ["rule_evaluate", "rule_prepare_data", "rule_train"]
    assert len([job for job in jobs if job["comment"].startswith("rule_train")]) == 4
    for job in jobs:
        wants_gpu = job["comment"].startswith("rule_train")
        assert (job["gres"] == "gres:gpu:1") == wants_gpu, job
        assert job["state"] == "COMPLETED"


def test_sbatch_lines(on_slurm):
    _, output, _ = on_slurm
    calls = [line for line in output.splitlines() if line.startswith("sbatch call:")]
    train = [call for call in calls if "--comment rule_train" in call]
    assert len(train) == 4
    assert all("--gpus=1" in call and "-t 60" in call and "--cpus-per-task=1" in call
               and "--mem 8000" in call for call in train)
    assert not [call for call in calls if "download_cifar10" in call or "lesson_" in call]


def test_gpu_variable_without_a_gpu_is_said_in_the_log(on_slurm):
    workdir, _, _ = on_slurm
    log = (workdir / f"logs/train/{BROKEN_RUN}.log").read_text()
    assert "CUDA_VISIBLE_DEVICES=0 names GPU(s), but the backend sees none" in log


def test_a_failing_job_fails_the_run_with_its_log_and_a_rerun_finishes(on_slurm, cluster):
    workdir, _, before = on_slurm
    metrics = workdir / f"results/evaluate/{BROKEN_RUN}/metrics.json"
    expected = metrics.read_bytes()
    model = workdir / f"results/train/{BROKEN_RUN}/model.keras"
    model.write_bytes(b"not a model")  # newer than its metrics: evaluate runs again, and fails
    failed = submit(workdir, cluster)
    assert failed.returncode != 0
    assert "Error in rule evaluate" in failed.stdout
    assert f"{model.relative_to(workdir)}: cannot be loaded as a Keras model" in failed.stdout
    tries = [job for job in slurm_jobs(cluster)[len(before):]
             if job["comment"] == "rule_evaluate_wildcards_extra_layer_0.50_1"]
    # retries: 2, with more runtime on each attempt
    assert [job["time"] for job in tries] == ["00:15:00", "00:30:00", "00:45:00"]
    assert {job["state"] for job in tries} == {"FAILED"}
    model.unlink()
    fixed = submit(workdir, cluster)
    assert fixed.returncode == 0, fixed.stdout[-5000:]
    assert metrics.read_bytes() == expected
