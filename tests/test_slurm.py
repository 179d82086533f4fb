"""The README's cluster command on a real one-node Slurm cluster (Debian's slurm and munge, a
fake gres/gpu): what each job asks sbatch for, what it runs with, packing trainings, failures.

Opt-in: with CNN_LESSON_SLURM=1 (as .ci/run sets it) and as root, these tests install Debian's
slurm and munge with apt-get where missing and start a throw-away cluster; otherwise they skip.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from cnn_lesson.integrity import TRAINING_RECORD
from helpers import ROOT, snakemake, snakemake_command, tiny_config, unloadable_model, write_config
from servers import Route, Server

pytestmark = [pytest.mark.slurm, pytest.mark.workflow]
SCRIPTS = Path(__file__).parent / "slurm"
DAEMONS = {"slurmctld": "run/slurmctld.pid", "slurmd": "run/slurmd.pid",
           "munged": "munge/munged.pid"}
BROKEN_RUN = "extra_layer/dropout-0.50/seed-1"
SWITCH = "CNN_LESSON_SLURM"
# The test node declares 8 CPUs (a pack of two 4-CPU trainings) whatever the machine has. Slurm
# grants a training its 4; with no cpuset on this node, Snakemake inside the job counts the
# machine's CPUs and gives the training at most that many threads.
NODE_CPUS, TRAIN_CPUS = 8, 4
THREADS_IN_JOB = min(TRAIN_CPUS, len(os.sched_getaffinity(0)))


def running(pid: int, name: str) -> bool:
    """Whether `pid` is a live (not zombie) process called `name`."""
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return comm == name and state != "Z"


def skip_unless_asked() -> None:
    if os.environ.get(SWITCH) != "1":
        pytest.skip(f"set {SWITCH}=1 to run the Slurm tests (as root: they apt-get install "
                    f"slurm and munge and start a local cluster)")
    if os.geteuid() != 0 or not (shutil.which("slurmctld") or shutil.which("apt-get")):
        pytest.skip("the Slurm tests need root and Debian's packages (apt-get)")


@pytest.fixture(scope="module")
def cluster():
    """A started cluster's environment; its daemons are stopped by their pids afterwards."""
    skip_unless_asked()
    # Not under pytest's private temporary folder: munged runs as user munge and must reach it.
    base = Path(tempfile.mkdtemp(prefix="slurm-ci-"))
    base.chmod(0o755)
    env = {**os.environ, "SLURM_CI_GPUS": "1", "SLURM_CI_CPUS": str(NODE_CPUS),
           "SLURM_CONF": str(base / "etc/slurm.conf")}
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
    """The README's cluster command, `snakemake --profile profiles/slurm`, in `workdir`."""
    command = snakemake_command(
        workdir, "--profile", str(ROOT / "profiles/slurm"),
        # this cluster has no slurmdbd, so no sacct; and it answers at once
        "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "1",
        "--seconds-between-status-checks", "2", "--verbose", *args)
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
                     "gres": fields.get("TresPerNode", ""), "time": fields.get("TimeLimit"),
                     "state": fields.get("JobState"), "cpus": fields.get("NumCPUs")})
    return sorted(jobs, key=lambda job: job["id"])


def sbatch_lines(output: str) -> dict[str, list[str]]:
    """The sbatch calls Snakemake made, by rule (packed trainings count as 'train')."""
    calls: dict[str, list[str]] = {}
    for line in output.splitlines():
        if line.startswith("sbatch call:"):
            rule = re.search(r"--comment rule_(?:trainings_)?([a-z_]+?)(?:_wildcards|\s)", line)
            calls.setdefault(rule.group(1), []).append(line.split("--wrap=")[0])
    return calls


def tiny_workflow(workdir: Path, url: str, archive) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    write_config(workdir, tiny_config(url, archive))
    return workdir


@pytest.fixture(scope="module")
def served(tiny_archive):
    server = Server()
    server.routes["/cifar-10-python.tar.gz"] = Route(tiny_archive.bytes)
    yield server.url("/cifar-10-python.tar.gz")
    server.close()


@pytest.fixture(scope="module")
def on_slurm(cluster, tmp_path_factory, tiny_archive, served):
    """The tiny workflow run with the README's cluster command, and the jobs it submitted."""
    workdir = tiny_workflow(tmp_path_factory.mktemp("on-slurm"), served, tiny_archive)
    result = submit(workdir, cluster)
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir, result.stdout, slurm_jobs(cluster)


@pytest.fixture(scope="module")
def local_with_the_jobs_threads(tmp_path_factory, tiny_archive, served):
    """The same workflow run locally with the thread count the cluster's trainings ran with."""
    workdir = tiny_workflow(tmp_path_factory.mktemp("local"), served, tiny_archive)
    snakemake(workdir, "--set-threads", f"train={THREADS_IN_JOB}")
    return workdir


def result_files(workdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(workdir)): p.read_bytes() for p in (workdir / "results").rglob("*")
            if p.suffix in (".tsv", ".json", ".txt", ".md") and p.name != TRAINING_RECORD}


def test_same_files_and_numbers_as_a_local_run(on_slurm, local_with_the_jobs_threads):
    workdir, _, _ = on_slurm
    cluster, local = result_files(workdir), result_files(local_with_the_jobs_threads)
    assert sorted(cluster) == sorted(local)
    assert [name for name in cluster if cluster[name] != local[name]] == []


def test_each_job_asks_sbatch_for_what_the_profile_and_rules_promise(on_slurm):
    _, output, _ = on_slurm
    calls = sbatch_lines(output)
    assert sorted(calls) == ["evaluate", "prepare_data", "train"]  # no local rule submitted
    assert len(calls["train"]) == 4
    for call in calls["train"]:
        assert f"--cpus-per-task={TRAIN_CPUS}" in call and "--gres=gpu:1" in call
        assert "--mem 2000" in call and "-t 60" in call
    for call in calls["evaluate"] + calls["prepare_data"]:
        assert "--cpus-per-task=1" in call and "gpu" not in call
    assert all("--mem 2000" in call and "-t 15" in call for call in calls["evaluate"])
    assert ["--mem 4000" in call and "-t 30" in call for call in calls["prepare_data"]] == [True]


def test_only_trainings_get_a_gpu_and_every_job_completes(on_slurm):
    _, _, jobs = on_slurm
    assert {job["state"] for job in jobs} == {"COMPLETED"}
    for job in jobs:
        assert ("gpu:1" in job["gres"]) == job["comment"].startswith("rule_trainings"), job


def test_trainings_run_with_the_threads_slurm_gave_them(on_slurm):
    workdir, _, _ = on_slurm
    for log in (workdir / "logs/train").rglob("*.log"):
        text = log.read_text()
        assert (f"TensorFlow uses {THREADS_IN_JOB} intra-op and {THREADS_IN_JOB} inter-op "
                f"thread(s)") in text, log
    # the GPU Slurm gave the job is the one the backend is pointed at (and here finds none)
    log = (workdir / f"logs/train/{BROKEN_RUN}.log").read_text()
    assert "CUDA_VISIBLE_DEVICES=0 names GPU(s), but the backend sees none" in log


def test_packed_trainings_share_a_job_and_give_the_same_results(on_slurm, cluster, tmp_path,
                                                                tiny_archive, served):
    unpacked, _, _ = on_slurm
    workdir = tiny_workflow(tmp_path / "packed", served, tiny_archive)
    packed = submit(workdir, cluster, "--group-components", "trainings=2")
    assert packed.returncode == 0, packed.stdout[-5000:]
    calls = sbatch_lines(packed.stdout)["train"]
    assert len(calls) == 2  # four trainings, two jobs
    for call in calls:
        assert f"--cpus-per-task={2 * TRAIN_CPUS}" in call and "--gres=gpu:1" in call
        assert "--mem 4000" in call and "-t 60" in call
    assert result_files(workdir) == result_files(unpacked)


def test_a_failing_job_fails_the_run_with_its_log_and_a_rerun_finishes(on_slurm, cluster):
    workdir, _, _ = on_slurm
    before = slurm_jobs(cluster)
    metrics = workdir / f"results/evaluate/{BROKEN_RUN}/metrics.json"
    expected = metrics.read_bytes()
    model = workdir / f"results/train/{BROKEN_RUN}/model.keras"
    unloadable_model(model)  # newer than its metrics: evaluate runs again, and fails
    failed = submit(workdir, cluster)
    assert failed.returncode != 0
    assert "Error in rule evaluate" in failed.stdout
    assert f"{model.relative_to(workdir)}: cannot be loaded as a Keras model" in failed.stdout
    tries = [job for job in slurm_jobs(cluster)[len(before):]
             if job["comment"] == "rule_evaluate_wildcards_extra_layer_0.50_1"]
    # retries: 2, with more runtime on each attempt
    assert [job["time"] for job in tries] == ["00:15:00", "00:30:00", "00:45:00"]
    assert {job["state"] for job in tries} == {"FAILED"}
    model.unlink()  # its training runs again
    fixed = submit(workdir, cluster)
    assert fixed.returncode == 0, fixed.stdout[-5000:]
    assert metrics.read_bytes() == expected
