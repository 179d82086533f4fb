"""Every Keras backend the config offers: refused before any job where it is not installed, and
the tiny workflow run end to end on JAX and on PyTorch where it is (README: one install line
per backend; .ci/run installs both)."""

import importlib.util
import json
import os

import pandas as pd
import pytest

from cnn_lesson.workflow.installed import INSTALL
from helpers import snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow


def blocked(tmp_path, *modules: str) -> dict:
    """An environment in which `modules` cannot be imported, as where they are not installed:
    Python runs sitecustomize at start-up, and a None in sys.modules blocks an import."""
    folder = tmp_path / "blocker"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import sys\n" + "".join(f"sys.modules[{name!r}] = None\n" for name in modules))
    return {**os.environ, "PYTHONPATH": str(folder)}


def run_with(workdir, env, *args):
    """The workflow in `workdir` in the environment `env`: its status and what it printed."""
    done = snakemake(workdir, *args, check=False, env=env)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_backend_the_config_names_that_is_not_installed_stops_before_any_job(
        tmp_path, tiny_archive, backend):
    config = tiny_config(tiny_archive.path.as_uri(), tiny_archive)
    config["training"] = {"backend": backend}
    write_config(tmp_path, config)
    code, printed = run_with(tmp_path, blocked(tmp_path, backend))
    assert code != 0
    assert f"config key training.backend: {backend} is not installed in this environment" \
        in printed
    assert f"`{INSTALL[backend]}`" in printed
    assert not (tmp_path / "resources").exists() and not (tmp_path / "results").exists()


def test_keras_backend_is_checked_where_the_config_leaves_it_null(tmp_path, tiny_archive):
    write_config(tmp_path, tiny_config(tiny_archive.path.as_uri(), tiny_archive))
    env = {**blocked(tmp_path, "torch"), "KERAS_BACKEND": "torch"}
    code, printed = run_with(tmp_path, env)
    assert code != 0
    assert "KERAS_BACKEND (training.backend is null): torch is not installed" in printed
    code, printed = run_with(tmp_path, {**os.environ, "KERAS_BACKEND": "openvino"}, "--dry-run")
    assert code != 0 and "'openvino' is not a backend this workflow trains with" in printed


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_the_tiny_workflow_runs_on_the_backend_and_repeats_its_numbers(
        tmp_path, tiny_archive, backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed: `{INSTALL[backend]}` installs it")
    config = tiny_config(tiny_archive.path.as_uri(), tiny_archive)
    config["training"] = {"backend": backend}
    config["experiments"] = config["experiments"][:2]  # base, and the sweep at 0.25 and 0.5
    write_config(tmp_path, config)
    snakemake(tmp_path, "results/tables/runs.tsv")  # the trainings, evaluations and tables
    runs = pd.read_csv(tmp_path / "results/tables/runs.tsv", sep="\t")
    assert len(runs) == 3 and runs["test_loss"].notna().all()
    run = tmp_path / "results/train/extra_layer/dropout-0.50/seed-1"
    made_by = json.loads((run / "provenance.json").read_text())
    assert made_by["environment"]["backend"] == backend
    assert made_by["environment"][backend] not in ("", "not installed")
    assert "backend " + backend in (tmp_path / "logs/train/extra_layer/dropout-0.50/seed-1.log") \
        .read_text()
    history = (run / "history.tsv").read_bytes()
    snakemake(tmp_path, "--forcerun", "train", str(run.relative_to(tmp_path) / "history.tsv"))
    assert (run / "history.tsv").read_bytes() == history  # the same numbers on a rerun
