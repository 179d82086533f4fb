"""How the profiles layer: what each documented command gives a job, read with Snakemake's own
argument parser, and the resources Snakemake's dry run then gives a training."""

import re

import pytest
import yaml
from snakemake.cli import parse_args
from snakemake.settings.types import RerunTrigger

from helpers import ROOT, snakemake, tiny_config, write_config

SLURM = str(ROOT / "profiles" / "slurm")
SITE = {"default-resources": {"slurm_account": "my_project", "slurm_partition": "cpu"},
        "set-resources": {"train": {"slurm_partition": "gpu", "gres": "gpu:a100:1"}}}


def parsed(*argv):
    """The settings Snakemake takes from the profiles and the command line `argv`."""
    return parse_args([*argv, "--snakefile", str(ROOT / "Snakefile"), "--dry-run"])[1]


@pytest.fixture
def site(tmp_path):
    """A site's own profile, as profiles/README.md describes it."""
    folder = tmp_path / "my-cluster"
    folder.mkdir()
    (folder / "config.yaml").write_text(yaml.safe_dump(SITE))
    return str(folder)


def threads(args) -> dict:
    return {rule: resource.value for rule, resource in args.set_threads.items()}


def test_a_laptop_run_takes_each_rules_own_threads_and_no_cluster_setting():
    args = parsed("--cores", "all")
    assert args.executor is None and threads(args) == {} and args.set_resources == {}
    assert args.groups == {} and RerunTrigger.CODE not in args.rerun_triggers


def test_the_cluster_command_gets_the_slurm_profiles_threads_and_no_groups():
    args = parsed("--profile", SLURM)
    assert args.executor == "slurm" and threads(args) == {"train": 4}
    assert args.set_resources == {}  # memory, runtime and GPU are the rules' own
    assert args.groups == {} and args.group_components == {}  # a training per job
    assert args.retries == 2 and RerunTrigger.CODE not in args.rerun_triggers


def test_a_site_profile_adds_to_the_slurm_profile(site):
    args = parsed("--profile", SLURM, "--profile", site)
    assert args.executor == "slurm" and threads(args) == {"train": 4}
    assert {name: value.raw for name, value in args.set_resources["train"].items()} == \
        SITE["set-resources"]["train"]
    assert args.default_resources["slurm_account"].raw == "my_project"


def test_a_command_line_setting_changes_only_what_it_names():
    args = parsed("--profile", SLURM, "--set-resources", "train:gres=shard:1")
    assert threads(args) == {"train": 4} and args.retries == 2
    assert {name: value.raw for name, value in args.set_resources["train"].items()} == {
        "gres": "shard:1"}


def test_a_training_sharing_a_gpu_asks_for_a_shard_and_keeps_its_cpus_and_memory(
        tmp_path, tiny_archive):
    found = training_resources(tmp_path, tiny_archive, "--profile", SLURM, "--set-resources",
                               "train:gres=shard:1")
    assert {key: found[key] for key in ("threads", "mem_mb", "runtime", "gres")} == {
        "threads": "4", "mem_mb": "2000", "runtime": "60", "gres": "shard:1"}


def training_resources(tmp_path, tiny_archive, *argv) -> dict[str, str]:
    """threads and resources of one training in a dry run of the tiny workflow with `argv`
    (--cores 64: a dry run otherwise limits every job to one thread)."""
    write_config(tmp_path, tiny_config(tiny_archive.path.as_uri(), tiny_archive))
    out = snakemake(tmp_path, "--dry-run", *argv, "--cores", "64").stdout
    job = out[out.index("rule train:"):].split("\n\n")[0]
    found = dict(re.findall(r"(\w+)=([^,\s]+)", re.search(r"resources: (.*)", job).group(1)))
    found["threads"] = re.search(r"threads: (\d+)", job).group(1) if "threads:" in job else "1"
    return found


def test_a_training_asks_the_cluster_for_four_cpus_a_gpu_memory_and_time(tmp_path,
                                                                         tiny_archive):
    found = training_resources(tmp_path, tiny_archive, "--profile", SLURM)
    assert {key: found[key] for key in ("threads", "mem_mb", "runtime", "gres")} == {
        "threads": "4", "mem_mb": "2000", "runtime": "60", "gres": "gpu:1"}


def test_a_site_profile_and_a_command_line_setting_keep_the_rest(tmp_path, tiny_archive, site):
    found = training_resources(tmp_path, tiny_archive, "--profile", SLURM, "--profile", site,
                               "--set-resources", "train:runtime=120")
    assert found["threads"] == "4" and found["mem_mb"] == "2000"
    assert found["runtime"] == "120"  # the command line's, which replaces the site's set-resources
    assert found["slurm_account"] == "my_project"
    with_site = training_resources(tmp_path, tiny_archive, "--profile", SLURM, "--profile", site)
    assert with_site["gres"] == "gpu:a100:1" and with_site["slurm_partition"] == "gpu"
    assert with_site["runtime"] == "60" and with_site["threads"] == "4"


def test_a_laptop_training_runs_one_thread(tmp_path, tiny_archive):
    assert training_resources(tmp_path, tiny_archive)["threads"] == "1"
