"""Each reliance of the workflow on Snakemake beyond its documented interface
(cnn_lesson.workflow.internals), checked on a real Snakemake running a small Snakefile: an upgrade
that changes one fails here, naming it, before a user meets it."""

import json
import subprocess
import sys
import textwrap

import pytest

from cnn_lesson.workflow import internals

SNAKEFILE = textwrap.dedent("""
    import json
    from pathlib import Path

    from cnn_lesson.workflow import internals

    found = {"in_charge": internals.in_charge(workflow),
             "runs_locally": internals.runs_locally(workflow),
             "memory_limit": internals.memory_limit(workflow),
             "config_files": internals.config_files(workflow)}
    internals.limit_memory(workflow, 500)

    rule all:
        input: "b"

    rule a:
        output: "a"
        resources: mem_mb=lambda wildcards, attempt: 1000 * attempt
        shell: "echo a > {output}"

    rule b:
        input: "a"
        output: "b"
        shell: "cp {input} {output}"

    rule b2:
        input: "a"
        output: "b2"
        shell: "cp {input} {output}"

    rule broken:
        output: "c"
        log: "logs/broken.log"
        shell: "echo 'it broke' > {log}; exit 1"

    Path("parsed.json").write_text(json.dumps(found))

    onstart:
        reasons = internals.planned_reasons(workflow)
        Path("reasons.json").write_text(json.dumps(
            {rule: sorted(why) for rule, why in reasons}))
        Path("groups.json").write_text(json.dumps({
            "packed": internals.packed(workflow, rules.a),
            "components": internals.group_components(workflow, "pack")}))
        Path("memory.json").write_text(json.dumps({
            "asked": internals.asked_memory(workflow),
            "files": sorted(internals.dag_files(workflow))}))
        Path("executor.json").write_text(json.dumps({
            "name": internals.executor_name(workflow),
            "arrays": sorted(internals.array_rules(workflow)),
            "partitions": internals.partition_config(workflow),
            "gres": internals.set_resource(workflow, "a", "gres"),
            "jobs": internals.max_jobs(workflow)}))
    """)


def run(folder, *args, check=True):
    """Run Snakemake in `folder`: what it printed, and what the Snakefile found when it was read
    (parsed.json). onstart writes the reasons for each job it starts to reasons.json."""
    for found in ("parsed.json", "reasons.json"):
        (folder / found).unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", *args],
                          cwd=folder, capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done, json.loads((folder / "parsed.json").read_text())


def last_log(folder) -> str:
    return sorted((folder / ".snakemake" / "log").glob("*.snakemake.log"))[-1].read_text()


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    return tmp_path


def test_in_charge_and_runs_locally_and_the_memory_limit(folder):
    done, found = run(folder)
    assert found["in_charge"] is True, "internals.in_charge"
    assert found["runs_locally"] is True, "internals.runs_locally"
    assert found["memory_limit"] is None, "internals.memory_limit without --resources"
    log = last_log(folder)
    assert "Provided resources: mem_mb" in log and "mem_mb=500," in log, \
        "internals.limit_memory: job a, asking 1000, should have run within the limit, 500"
    _, found = run(folder, "--forceall", "--resources", "mem_mb=5000")
    assert found["memory_limit"] == 5000, "internals.memory_limit with --resources"


def test_config_files_are_the_given_ones_made_absolute(folder):
    (folder / "sub").mkdir()
    (folder / "sub" / "my.yaml").write_text("a: 1\n")
    _, found = run(folder, "--directory", str(folder), "--configfile", "sub/my.yaml")
    assert found["config_files"] == [str(folder / "sub" / "my.yaml")], "internals.config_files"


def test_planned_reasons_name_a_missing_output_and_an_input_made_again(folder):
    """As keep_finished_trainings reads them: a deleted file that a new job needs is made again,
    and a finished job that read it would run again for that reason alone."""
    run(folder, "b")
    (folder / "a").unlink()
    run(folder, "b", "b2")
    reasons = json.loads((folder / "reasons.json").read_text())
    assert reasons["a"] == ["output files have to be generated"], "internals.planned_reasons"
    assert reasons["b"] == ["input files updated by another job"], "internals.planned_reasons"


def test_packed_reads_group_components_and_no_group_locally(folder):
    """Snakemake has groups only where jobs are submitted: a local run has none, whatever
    --groups says (tests/workflow/test_slurm.py reads them where jobs are submitted)."""
    run(folder, "--groups", "a=pack", "--group-components", "pack=3")
    groups = json.loads((folder / "groups.json").read_text())
    assert groups["components"] == 3, "internals.group_components"
    assert groups["packed"] == [None, 1], "internals.packed on a local run"


def test_asked_memory_is_the_rules_before_the_limit_lowers_it(folder):
    """Rule a asks 1000 MB (a function of the attempt, as train's), the limit is 500: the job
    is given 500, and asked_memory still says 1000, as check_memory_asked needs."""
    run(folder, "a", "--set-resources", "b:mem_mb=70")
    memory = json.loads((folder / "memory.json").read_text())
    assert memory["asked"] == [["a", 1000]], "internals.asked_memory"
    run(folder, "b", "b2", "--set-resources", "b:mem_mb=70", "--forcerun", "b")
    asked = json.loads((folder / "memory.json").read_text())["asked"]
    assert ["b", 70] in asked, "internals.asked_memory misses --set-resources"


def test_dag_files_hold_what_is_made_and_what_is_already_there(folder):
    run(folder, "a")
    run(folder, "b")
    files = json.loads((folder / "memory.json").read_text())["files"]
    assert files == ["a", "b"], "internals.dag_files: a is made already, b is to make"


def test_command_line_is_read_as_snakemake_reads_it():
    """A target after --configfile is a config file to Snakemake: it stays one here."""
    before = internals.command_line(["lesson", "--configfile", "a b.yaml", "-d", "w é"])
    assert sorted(before.targets) == ["lesson"], "internals.command_line: targets"
    assert [str(path) for path in before.configfile] == ["a b.yaml"]
    assert before.directory is not None and str(before.directory) == "w é"
    after = internals.command_line(["--configfile", "a.yaml", "lesson"])
    assert not after.targets and [str(p) for p in after.configfile] == ["a.yaml", "lesson"]


def test_runs_locally_knows_a_cluster_run_while_the_snakefile_is_read(folder):
    """Before the run starts Snakemake has given the workflow no executor yet; the command line's
    choice answers (a dry run submits nothing, so no cluster is needed)."""
    _, found = run(folder, "--dry-run", "--executor", "slurm", "--jobs", "5")
    assert found["runs_locally"] is False, "internals.chosen_executor: args_to_api's plugin"
    _, found = run(folder, "--dry-run")
    assert found["runs_locally"] is True, "internals.runs_locally"


def test_the_executor_and_what_was_set_for_a_rule_once_the_run_starts(folder):
    run(folder, "a", "--set-resources", "a:gres=shard:1")
    executor = json.loads((folder / "executor.json").read_text())
    assert executor == {"name": "local", "arrays": [], "partitions": None, "gres": "shard:1",
                        "jobs": None}, "internals: executor_name, array_rules, set_resource"
