"""One locked environment: every package pinned with hashes, installed by the README's commands
(and so by CI), carried by environment.yml, and the one these tests run in."""

import re
import tomllib
from importlib import metadata

import pytest
import yaml
from packaging.requirements import Requirement

from cnn_lesson.workflow.installed import INSTALL
from helpers import ROOT

LOCKS = {name: ROOT / "requirements" / f"{name}.lock" for name in ("cpu", "gpu", "jax", "torch")}


def pins(lock) -> dict[str, list[str]]:
    """Each pin of a lock ('name==version ; marker') and the hashes listed under it."""
    found, current = {}, None
    for line in lock.read_text().splitlines():
        if line[:1].isalnum():
            current = line.rstrip(" \\")
            found[current] = []
        elif current and (hashed := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            found[current].append(hashed.group(1))
    return found


def applying(lock) -> dict[str, str]:
    """Package name -> pinned version, for the pins whose markers hold on this machine."""
    requirements = [Requirement(pin) for pin in pins(lock)]
    return {req.name: str(req.specifier).removeprefix("==") for req in requirements
            if req.marker is None or req.marker.evaluate()}


def readme_command(marker: str) -> str:
    lines = (ROOT / "README.md").read_text().splitlines()
    start = lines.index(f"<!-- {marker} -->")
    return lines[start + 2]


@pytest.mark.parametrize("lock", LOCKS.values(), ids=LOCKS)
def test_every_package_is_pinned_exactly_with_hashes(lock):
    found = pins(lock)
    assert len(found) > 50
    assert [pin for pin in found if "==" not in pin] == []
    assert [pin for pin, hashes in found.items() if not hashes] == []


def test_the_lock_holds_what_pyproject_asks_for():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = applying(LOCKS["cpu"])
    asked = project["dependencies"] + project["optional-dependencies"]["test"]
    for wanted in map(Requirement, asked):
        assert wanted.name in locked, f"{wanted.name} is not locked: bash requirements/refresh.sh"
        assert wanted.specifier.contains(locked[wanted.name]), wanted


def test_the_gpu_lock_has_the_cpu_locks_versions_and_cuda():
    cpu, gpu = applying(LOCKS["cpu"]), applying(LOCKS["gpu"])
    assert {name: gpu[name] for name in cpu} == cpu
    assert "nvidia-cudnn-cu12" in gpu


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_each_backend_lock_has_the_cpu_locks_versions_and_its_backend(backend):
    cpu, lock = applying(LOCKS["cpu"]), applying(LOCKS[backend])
    assert {name: lock[name] for name in cpu} == cpu
    assert backend in lock and backend not in cpu  # the default install stays as small


def test_the_readme_has_one_install_line_per_backend():
    readme = (ROOT / "README.md").read_text()
    for line in INSTALL.values():
        assert f"`{line}`" in readme, line


def test_environment_yml_carries_the_same_pins_and_this_package():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    assert pip == [*pins(LOCKS["cpu"]), "-e ."]


@pytest.mark.parametrize("marker", ["workflow-command", "test-command"])
def test_the_readmes_commands_install_the_lock_and_nothing_else(marker):
    command = readme_command(marker)
    installs = [part.strip() for part in command.split("&&") if "pip install" in part]
    assert installs == ["pip install -r requirements/cpu.lock", "pip install --no-deps -e ."]


def test_these_tests_run_in_the_locked_environment():
    differing = {name: (version, metadata.version(name))
                 for name, version in applying(LOCKS["cpu"]).items()
                 if metadata.version(name) != version}
    assert differing == {}, ("installed versions differ from requirements/cpu.lock; install "
                             "with the README's test command")


def test_the_readme_is_200_lines_or_fewer_and_its_links_lead_somewhere():
    """Details belong in docs/: the README is what a newcomer reads first."""
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    for link in re.findall(r"\]\(((?:docs|config|profiles)/[^)#]+)", readme):
        assert (ROOT / link).is_file(), link


def test_the_install_provides_the_cnn_lesson_command():
    """`cnn-lesson compare` (README, Comparing two runs) is a console script of the package."""
    [script] = metadata.entry_points(group="console_scripts", name="cnn-lesson")
    assert script.value == "cnn_lesson.cli:main"
