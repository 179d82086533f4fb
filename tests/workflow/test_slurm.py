"""The README's cluster command on a real one-node Slurm cluster (Debian's slurm and munge, a
fake gres/gpu declared with shards): what each job asks sbatch for, what it runs with,
trainings sharing a GPU at the same time, packing refused, failures.

Opt-in: with CNN_LESSON_SLURM=1 (as .ci/run sets it) and as root, these tests install Debian's
slurm and munge with apt-get where missing and start a throw-away cluster; otherwise they skip.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from cnn_lesson import results
from cnn_lesson.layout import TIMINGS
from cnn_lesson.workflow.integrity import TRAINING_RECORD
from helpers import ROOT, snakemake, snakemake_command, tiny_config, unloadable_model, write_config
from servers import Route, Server

pytestmark = [pytest.mark.slurm, pytest.mark.workflow]
SCRIPTS = Path(__file__).parents[1] / "slurm"
DAEMONS = {"slurmctld": "run/slurmctld.pid", "slurmd": "run/slurmd.pid",
           "munged": "munge/munged.pid"}
BROKEN_RUN = "extra_layer/dropout-0.50/seed-1"
SWITCH = "CNN_LESSON_SLURM"
# The test node declares 8 CPUs (two 4-CPU trainings at once) whatever the machine has, and its
# one GPU as 4 shards. Slurm grants a training its 4 CPUs; with no cpuset on this node,
# Snakemake inside the job counts the machine's CPUs and gives the training at most that many
# threads.
NODE_CPUS, TRAIN_CPUS, SHARDS = 8, 4, 4
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
           "SLURM_CI_SHARDS": str(SHARDS), "SLURM_CONF": str(base / "etc/slurm.conf")}
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
                     "state": fields.get("JobState"), "cpus": fields.get("NumCPUs"),
                     "partition": fields.get("Partition")})
    return sorted(jobs, key=lambda job: job["id"])


def jobs_since(env: dict, before: list[dict]) -> list[dict]:
    """The jobs the cluster has seen that `before` (an earlier slurm_jobs) did not hold: those
    with a higher id, as finished jobs older than MinJobAge are forgotten in between."""
    last = max((job["id"] for job in before), default=0)
    return [job for job in slurm_jobs(env) if job["id"] > last]


def sbatch_lines(output: str) -> dict[str, list[str]]:
    """The sbatch calls Snakemake made, by rule."""
    calls: dict[str, list[str]] = {}
    for line in output.splitlines():
        if line.startswith("sbatch call:"):
            rule = re.search(r"--comment rule_([a-z_]+?)(?:_wildcards|\s)", line)
            calls.setdefault(rule.group(1), []).append(line.split("--wrap=")[0])
    return calls


def tiny_workflow(workdir: Path, url: str, archive, config=None) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    write_config(workdir, config or tiny_config(url, archive))
    return workdir


def four_trainings(url: str, archive) -> dict:
    """Four trainings of three epochs: long enough for two at a time to overlap."""
    config = tiny_config(url, archive)
    config["data"]["n_train"] = 300
    config["experiments"] = [{"model": "extra_layer", "dropout": [0.2, 0.4, 0.6, 0.8],
                              "epochs": 3, "figure": "04_vary_dropout_rate"}]
    return config


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
    (workdir / "console.log").write_text(result.stdout)  # what the login node showed
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir, result.stdout, slurm_jobs(cluster)


@pytest.fixture(scope="module")
def local_with_the_jobs_threads(tmp_path_factory, tiny_archive, served):
    """The same workflow run locally with the thread count the cluster's trainings ran with."""
    workdir = tiny_workflow(tmp_path_factory.mktemp("local"), served, tiny_archive)
    snakemake(workdir, "--set-threads", f"train={THREADS_IN_JOB}")
    return workdir


def result_files(workdir: Path) -> dict[str, bytes]:
    """Every result but the records of checksums and the timings (which differ run to run)."""
    return {str(p.relative_to(workdir)): p.read_bytes() for p in (workdir / "results").rglob("*")
            if p.suffix in (".tsv", ".json", ".txt", ".md")
            and p.name not in (TRAINING_RECORD, TIMINGS)}


def same_as_a_local_run(workdir: Path, local: Path, config: dict) -> bool:
    """Whether `config` run locally in `local`, with the threads the cluster's trainings ran
    with, makes the result files of the cluster run in `workdir`."""
    snakemake(tiny_workflow(local, "", None, config), "--set-threads", f"train={THREADS_IN_JOB}")
    return result_files(workdir) == result_files(local)


def test_same_files_and_numbers_as_a_local_run(on_slurm, local_with_the_jobs_threads):
    workdir, _, _ = on_slurm
    cluster, local = result_files(workdir), result_files(local_with_the_jobs_threads)
    assert sorted(cluster) == sorted(local)
    assert [name for name in cluster if cluster[name] != local[name]] == []


def test_each_job_asks_sbatch_for_what_the_profile_and_rules_promise(on_slurm):
    _, output, _ = on_slurm
    # the login node's free memory limits nothing: each job is given what it asks
    assert "Memory:" not in output and "Provided resources: mem_mb" not in output
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


def test_the_login_node_shows_each_trainings_epochs(on_slurm):
    """Read from the trainings' logs on the shared file system as they are written."""
    workdir, output, _ = on_slurm
    for log in (workdir / "logs/train").rglob("*.log"):
        epochs = [line.split(" cnn_lesson.progress: ")[1]
                  for line in log.read_text().splitlines() if " cnn_lesson.progress: " in line]
        assert epochs and [epoch in output for epoch in epochs] == [True] * len(epochs), log


def test_only_trainings_get_a_gpu_and_every_job_completes(on_slurm):
    _, _, jobs = on_slurm
    assert {job["state"] for job in jobs} == {"COMPLETED"}
    for job in jobs:
        assert ("gpu:1" in job["gres"]) == job["comment"].startswith("rule_train_"), job


def test_trainings_run_with_the_threads_slurm_gave_them(on_slurm):
    workdir, _, _ = on_slurm
    for log in (workdir / "logs/train").rglob("*.log"):
        text = log.read_text()
        assert (f"TensorFlow uses {THREADS_IN_JOB} intra-op and {THREADS_IN_JOB} inter-op "
                f"thread(s)") in text, log
    # the GPU Slurm gave the job is the one the backend is pointed at (and here finds none)
    log = (workdir / f"logs/train/{BROKEN_RUN}.log").read_text()
    assert "CUDA_VISIBLE_DEVICES=0 names GPU(s), but the backend sees none" in log


def epochs(workdir: Path) -> list[dict]:
    """Each epoch of each training, from its timings: when it began and ended; and the Slurm job
    and GPU its log says it ran in."""
    found = []
    for training in results.editions(workdir)["cifar10"].trainings:
        log = (workdir / "logs/train" / f"{training.name}.log").read_text()
        job = re.search(r"Slurm job (\d+), CUDA_VISIBLE_DEVICES=(\S+)", log)
        found += [{"run": training.name, "epoch": int(epoch["epoch"]), "start": epoch["started"],
                   "end": epoch["ended"], "job": job.group(1), "gpu": job.group(2)}
                  for epoch in training.timings()["epochs"]]
    return sorted(found, key=lambda epoch: epoch["start"])


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The most intervals that share an instant."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = most = 0
    for _, change in events:
        running += change
        most = max(most, running)
    return most


# A site's partitions as the Slurm plugin's partition config describes them: one without GPUs,
# listed first, and one with the node's GPU (both hold the one test node).
PARTITIONS = {"cpu": {"max_threads": NODE_CPUS}, "gpu": {"max_gpu": 1, "max_threads": NODE_CPUS}}


@pytest.fixture(scope="module")
def partitions(cluster, tmp_path_factory) -> Path:
    """The partitions of PARTITIONS made on the cluster, and their partition config."""
    for name in PARTITIONS:
        subprocess.run(["scontrol", "create", f"PartitionName={name}",
                        f"Nodes={socket.gethostname().split('.')[0]}", "State=UP",
                        "MaxTime=INFINITE"], env=cluster, check=True, capture_output=True)
    config = tmp_path_factory.mktemp("site") / "partitions.yaml"
    config.write_text(yaml.safe_dump({"partitions": PARTITIONS}))
    return config


@pytest.fixture(scope="module")
def on_shards(cluster, partitions, tmp_path_factory, tiny_archive, served):
    """Four trainings, each a job asking for a GPU shard: the README's command for a cluster
    with GPU shards, on a site whose partition config names a CPU and a GPU partition."""
    workdir = tiny_workflow(tmp_path_factory.mktemp("on-shards"), served, tiny_archive,
                            four_trainings(served, tiny_archive))
    result = submit(workdir, cluster, "--set-resources", "train:gres=shard:1",
                    "--slurm-partition-config", partitions)
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir, result.stdout


def test_trainings_sharing_a_gpu_run_at_the_same_time(on_shards):
    workdir, output = on_shards
    calls = sbatch_lines(output)["train"]
    assert len(calls) == 4
    for call in calls:  # each its own job, with its own CPUs and memory, and a share of a GPU
        assert f"--cpus-per-task={TRAIN_CPUS}" in call and "--gres=shard:1" in call
        assert "--mem 2000" in call and "--gres=gpu" not in call and "--gpus" not in call
    found = epochs(workdir)
    assert len(found) == 4 * 3 and len({epoch["job"] for epoch in found}) == 4
    assert {epoch["gpu"] for epoch in found} == {"0"}  # one GPU, shared
    trainings = [(min(e["start"] for e in found if e["run"] == run),
                  max(e["end"] for e in found if e["run"] == run))
                 for run in {epoch["run"] for epoch in found}]
    # as many at once as the node's CPUs allow, each on its promised threads
    assert most_at_once(trainings) == NODE_CPUS // TRAIN_CPUS
    assert most_at_once([(e["start"], e["end"]) for e in found]) >= 2  # epochs overlap
    for log in (workdir / "logs/train").rglob("*.log"):
        assert (f"TensorFlow uses {THREADS_IN_JOB} intra-op and {THREADS_IN_JOB} inter-op "
                f"thread(s)") in log.read_text()


def test_trainings_sharing_a_gpu_give_the_numbers_of_a_local_run(on_shards, tmp_path,
                                                                tiny_archive, served):
    workdir, _ = on_shards
    assert same_as_a_local_run(workdir, tmp_path / "local", four_trainings(served, tiny_archive))


def test_packing_trainings_into_one_job_is_refused_saying_what_to_do(cluster, tmp_path,
                                                                    tiny_archive, served):
    """Packed, they would take turns: the plugin's job runs one job step at a time."""
    workdir = tiny_workflow(tmp_path / "packed", served, tiny_archive)
    before = slurm_jobs(cluster)
    packed = submit(workdir, cluster, "--groups", "train=trainings", "--group-components",
                    "trainings=2")
    assert packed.returncode != 0
    assert ("--group-components trainings=2 would pack 2 trainings into each cluster job, and "
            "there they would run one after another") in packed.stdout
    assert "--set-resources train:gres=shard:1" in packed.stdout
    assert jobs_since(cluster, before) == [] and not (workdir / "results").exists()


def test_a_failing_job_fails_the_run_with_its_log_and_a_rerun_finishes(on_slurm, cluster):
    workdir, _, _ = on_slurm
    before = slurm_jobs(cluster)
    metrics = workdir / f"results/evaluate/{BROKEN_RUN}/metrics.json"
    expected = metrics.read_bytes()
    model = workdir / f"results/train/{BROKEN_RUN}/model.keras"
    unloadable_model(model)  # newer than its metrics: evaluate runs again, and fails
    failed = submit(workdir, cluster)
    assert failed.returncode != 0
    cause = f"{model.relative_to(workdir)}: cannot be loaded as a Keras model"
    assert f"Failed: evaluate {BROKEN_RUN}: {cause}" in failed.stdout
    last = failed.stdout.rstrip().splitlines()[-3:]
    assert last[0] == "The run stopped: 1 job(s) failed."  # once, though tried three times
    assert last[1].startswith(f"  evaluate {BROKEN_RUN}: {cause}")
    tries = [job for job in jobs_since(cluster, before)
             if job["comment"] == "rule_evaluate_wildcards_extra_layer_0.50_1"]
    # retries: 2, with more runtime on each attempt
    assert [job["time"] for job in tries] == ["00:15:00", "00:30:00", "00:45:00"]
    assert {job["state"] for job in tries} == {"FAILED"}
    model.unlink()  # its training runs again
    fixed = submit(workdir, cluster)
    assert fixed.returncode == 0, fixed.stdout[-5000:]
    assert metrics.read_bytes() == expected


def test_shard_trainings_are_placed_on_the_gpu_partition_the_rest_where_the_plugin_says(
        on_shards, cluster):
    """The plugin alone scores a shard as no GPU and would put the trainings on cpu, the
    partition it puts every other job on."""
    workdir, output = on_shards
    calls = sbatch_lines(output)
    assert len(calls["train"]) == 4 and all(" -p gpu " in call for call in calls["train"])
    others = calls["evaluate"] + calls["prepare_data"]
    assert others and all(" -p cpu " in call for call in others)
    assert "Trainings ask for gres=shard:1: submitted to partition gpu" in output
    placed = {job["comment"].split("_wildcards")[0]: job["partition"]
              for job in slurm_jobs(cluster) if job["partition"] in PARTITIONS}
    assert placed == {"rule_train": "gpu", "rule_evaluate": "cpu", "rule_prepare_data": "cpu"}


def six_trainings(url: str, archive) -> dict:
    """Six trainings of one to three epochs (so of different lengths) of one rule."""
    config = tiny_config(url, archive)
    config["experiments"] = [
        {"model": "base", "dropout": [0], "epochs": 1, "figure": "04_training_history_1"},
        {"model": "extra_layer", "dropout": [0.2, 0.4, 0.6, 0.8], "epochs": 2,
         "figure": "04_vary_dropout_rate"},
        {"model": "extra_layer", "dropout": [0.5], "epochs": 3, "figure": "04_training_history_3"}]
    return config


ARRAYS = "--slurm-array-jobs=train"


@pytest.fixture(scope="module")
def on_arrays(cluster, tmp_path_factory, tiny_archive, served):
    """Six trainings submitted as a job array: profiles/README.md's command for arrays."""
    workdir = tiny_workflow(tmp_path_factory.mktemp("on-arrays"), served, tiny_archive,
                            six_trainings(served, tiny_archive))
    before = slurm_jobs(cluster)
    result = submit(workdir, cluster, ARRAYS)
    (workdir / "console.log").write_text(result.stdout)
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir, result.stdout, jobs_since(cluster, before)


def test_six_trainings_go_in_one_array_and_give_the_numbers_of_a_local_run(
        on_arrays, tmp_path, tiny_archive, served):
    workdir, output, jobs = on_arrays
    calls = re.findall(r"^Submitting array job with sbatch call: (.*?)--wrap=", output,
                       re.MULTILINE)
    assert len(calls) == 1 and "--array=1-6" in calls[0]  # one sbatch call, six tasks
    assert "rule_train" not in str(sbatch_lines(output))  # and no training submitted alone
    # one runtime for all: the first task's, which asks what every training asks
    assert "-t 60" in calls[0] and f"--cpus-per-task={TRAIN_CPUS}" in calls[0]
    trained = [job for job in jobs if job["comment"].startswith("rule_train")]
    assert len(trained) == 6 and {job["state"] for job in trained} == {"COMPLETED"}
    for log in (workdir / "logs/train").rglob("*.log"):  # each training's own log, whole
        run = log.relative_to(workdir / "logs/train").with_suffix("")
        assert f"train {run}  epoch 1/" in log.read_text(), log
    assert len(list((workdir / "logs/train").rglob("*.log"))) == 6
    assert same_as_a_local_run(workdir, tmp_path / "local", six_trainings(served, tiny_archive))


def test_arrays_larger_than_jobs_are_refused_before_anything_is_submitted(cluster, tmp_path,
                                                                         tiny_archive, served):
    """The plugin holds an array's jobs until all have arrived; with --jobs 4 two of the six
    never arrive and the run would wait forever (plugin issue 473, seen on this cluster)."""
    workdir = tiny_workflow(tmp_path / "held", served, tiny_archive,
                            six_trainings(served, tiny_archive))
    before = slurm_jobs(cluster)
    held = submit(workdir, cluster, ARRAYS, "--jobs", "4")
    assert held.returncode != 0
    assert "--slurm-array-jobs with --jobs 4: this run has 6 train jobs" in held.stdout
    assert "issue 473" in held.stdout and "--jobs 33" in held.stdout
    assert jobs_since(cluster, before) == [] and not (workdir / "results").exists()
