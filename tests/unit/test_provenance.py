"""Which code a rule runs (its digests decide reruns) and the record of what made a result."""

import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnn_lesson.workflow import machine, provenance, sources
from helpers import ROOT

SCRIPTS = ROOT / "workflow" / "scripts"


def names(script):
    return {sources.label(path, ROOT) for path in sources.code_files(SCRIPTS / script)}


def test_a_training_runs_the_model_code_and_no_plotting_code():
    found = names("train.py")
    assert {"workflow/scripts/train.py", "cnn_lesson/__init__.py", "cnn_lesson/models.py",
            "cnn_lesson/training.py", "cnn_lesson/backend.py", "cnn_lesson/data.py"} <= found
    assert "cnn_lesson/plots.py" not in found


def test_a_plot_runs_the_plotting_code_and_no_model_code():
    found = names("plot_history.py")
    assert "cnn_lesson/plots.py" in found and "cnn_lesson/models.py" not in found


def test_imports_inside_functions_count():
    # evaluation imports the backend inside the function that runs the model
    assert "cnn_lesson/backend.py" in names("evaluate.py")


@pytest.fixture
def module(tmp_path):
    copy = tmp_path / "plots.py"
    shutil.copy(sources.PACKAGE / "plots.py", copy)
    return copy


def digest_after(path: Path, text: str) -> str:
    sources.code_digest.cache_clear()
    path.write_text(path.read_text() + text)
    return sources.code_digest(path)


def test_comments_and_blank_lines_keep_the_digest_and_code_changes_it(module):
    sources.code_digest.cache_clear()
    before = sources.code_digest(module)
    assert digest_after(module, "\n\n# a comment\n") == before
    assert digest_after(module, "X = 1\n") != before


def test_code_params_name_each_file():
    params = sources.code_params(SCRIPTS / "plot_history.py", ROOT)
    assert params["code_cnn_lesson_plots"].startswith("code of cnn_lesson/plots.py: ")
    assert params["code_workflow_scripts_plot_history"].startswith(
        "code of workflow/scripts/plot_history.py: ")


def test_the_environment_names_versions_cpu_and_threads():
    found = provenance.environment("tensorflow", threads=3)
    assert found["tensorflow"] == metadata.version("tensorflow")
    assert found["keras"] == metadata.version("keras")
    assert found["python"] == platform.python_version() and found["threads"] == 3
    assert "jax" not in found and found["gpu"] == "none"
    flags = Path("/proc/cpuinfo").read_text().split("\n\n")[0]
    expected = "AVX-512" if " avx512f" in flags else "AVX2" if " avx2" in flags else None
    if expected:
        assert found["isa"] == expected


def test_a_jax_environment_names_jax():
    assert {"jax", "jaxlib"} <= set(provenance.package_versions("jax"))


def test_equal_environments_have_equal_ids():
    first = {"a": 1, "b": "x"}
    assert provenance.environment_id(first) == provenance.environment_id({"b": "x", "a": 1})
    assert provenance.environment_id(first) != provenance.environment_id({**first, "a": 2})


def test_memory_left_under_a_cgroup_limit_counts(tmp_path, monkeypatch):
    group = tmp_path / "memory" / "job"
    group.mkdir(parents=True)
    (group / "memory.limit_in_bytes").write_text("3000000000\n")
    (group / "memory.usage_in_bytes").write_text("1000000000\n")
    monkeypatch.setattr(machine, "_cgroup_lines", lambda: ["4:memory:/job"])
    assert machine._cgroup_memory_left(tmp_path) == 2_000_000_000
    (group / "memory.limit_in_bytes").write_text(f"{2**63 - 4096}\n")  # v1's "no limit"
    assert machine._cgroup_memory_left(tmp_path) is None
    assert machine.available_memory_mb() > 0


# What `dirty` and `commit` say, for code in every state git knows: generated mixes of files
# committed as they ran, modified since, untracked, ignored, or outside the repository.
STATES = ["committed", "modified", "untracked", "ignored", "outside"]


def git_in(folder, *args):
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=test",
                           "-c", "user.email=test@example.org", *args],
                          capture_output=True, text=True, check=True).stdout.strip()


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states=st.lists(st.sampled_from(STATES), min_size=1, max_size=4))
def test_dirty_unless_every_file_that_ran_is_in_the_commit_as_it_ran(tmp_path_factory, states):
    base = tmp_path_factory.mktemp("code")
    repository, outside = base / "workflow", base / "elsewhere"
    repository.mkdir()
    outside.mkdir()
    git_in(repository, "init", "-q")
    (repository / ".gitignore").write_text("ignored_*\n")
    code = []
    for index, state in enumerate(states):
        folder = outside if state == "outside" else repository
        code.append(folder / f"{'ignored_' if state == 'ignored' else ''}module_{index}.py")
        code[-1].write_text(f"X = {index}\n")
    committed = [str(path) for path, state in zip(code, states)
                 if state in ("committed", "modified")]
    git_in(repository, "add", ".gitignore", *committed)
    git_in(repository, "commit", "-q", "-m", "the workflow")
    for path, state in zip(code, states):
        if state == "modified":
            path.write_text("X = 'changed'\n")

    found = provenance.git_state(code, repository)
    assert found["dirty"] == (set(states) != {"committed"})
    assert found["commit"] == (git_in(repository, "rev-parse", "HEAD") if committed else "")


def test_code_outside_any_repository_is_dirty_and_names_no_commit(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("X = 1\n")
    assert provenance.git_state([module], tmp_path) == {"commit": "", "dirty": True}
