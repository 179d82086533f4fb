"""What made a result: the software, the machine, the threads and the workflow's version.

`provenance()` is written beside every training's outputs. Its `environment` holds exactly what
changes a training's numbers for the same config (README, "Same numbers every time"), so two runs
with the same environment id can be compared digit for digit and two with different ones cannot.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from cnn_lesson.workflow import sources
from cnn_lesson.workflow.machine import cpu

# Packages whose versions change the numbers; the backend's own is added when it is in use.
CORE_PACKAGES = ("numpy", "tensorflow", "keras")
BACKEND_PACKAGES = {"jax": ("jax", "jaxlib"), "torch": ("torch",)}


def package_versions(backend: str) -> dict[str, str]:
    """Python's version and that of each package the training's numbers depend on."""
    names = CORE_PACKAGES + BACKEND_PACKAGES.get(backend, ())
    return {"python": platform.python_version(), **{name: _version(name) for name in names}}


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def accelerator(backend: str) -> dict[str, str]:
    """The GPU the backend trains on, with the CUDA and cuDNN it uses; 'none' on the CPU."""
    found = {"gpu": "none", "cuda": "", "cudnn": ""}
    try:
        if backend == "tensorflow":
            found.update(_tensorflow_gpu())
        elif backend == "jax":
            found.update(_jax_gpu())
        elif backend == "torch":
            found.update(_torch_gpu())
    except Exception as error:  # a half-installed GPU stack must not fail the training
        found["gpu"] = f"unknown ({type(error).__name__})"
    return found


def _tensorflow_gpu() -> dict[str, str]:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return {}
    build = tf.sysconfig.get_build_info()
    name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
    return {"gpu": name, "cuda": str(build.get("cuda_version", "")),
            "cudnn": str(build.get("cudnn_version", ""))}


def _jax_gpu() -> dict[str, str]:
    import jax

    gpus = [device for device in jax.devices() if device.platform != "cpu"]
    return {"gpu": gpus[0].device_kind} if gpus else {}


def _torch_gpu() -> dict[str, str]:
    import torch

    if not torch.cuda.is_available():
        return {}
    return {"gpu": torch.cuda.get_device_name(0), "cuda": str(torch.version.cuda),
            "cudnn": str(torch.backends.cudnn.version())}


def environment(backend: str, threads: int) -> dict[str, str | int]:
    """Everything besides the config that decides a training's numbers, as flat fields."""
    return {**package_versions(backend), "backend": backend, **cpu(), **accelerator(backend),
            "threads": threads}


def environment_id(environment: dict) -> str:
    """A short name for an environment: equal environments, equal names."""
    return json_digest(environment)[:8]


def json_digest(value: dict) -> str:
    """SHA-256 of a JSON-able value, independent of key order."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def workflow_version(code: list[Path], root: Path) -> dict:
    """The package's version; a digest of each file of `code` that ran (its script and package
    modules, named as in the rules' params, relative to the workflow's folder `root`); and the
    commit of the git repository that holds that code, `dirty` unless every file is in that
    commit as it ran."""
    return {"version": _version("cnn-lesson"), **git_state(code, root),
            "code": {sources.label(path, root): sources.code_digest(path) for path in code}}


def git_state(code: list[Path], root: Path) -> dict[str, str | bool]:
    """The commit of the git repository of the workflow's folder `root`, if it tracks any file
    of `code` (none where it does not: a copy of the workflow inside another repository), and
    whether any file of `code` is untracked, ignored, modified or outside it (`dirty`; always so
    where no repository holds the code)."""
    top = _git(Path(root), "rev-parse", "--show-toplevel")
    if not top:
        return {"commit": "", "dirty": True}
    top = Path(top).resolve()
    code = [Path(path).resolve() for path in code]
    inside = [str(path) for path in code if path.is_relative_to(top)]
    tracked = (_git(top, "ls-files", "--", *inside) or "").splitlines() if inside else []
    changed = _git(top, "status", "--porcelain", "--ignored", "--untracked-files=all", "--",
                   *inside) if inside else None
    clean = len(tracked) == len(code) and changed == ""
    return {"commit": (_git(top, "rev-parse", "HEAD") or "") if tracked else "",
            "dirty": not clean}


def _git(folder: Path, *args: str) -> str | None:
    """What `git -C folder args` prints, or None where it fails (no git, not a repository)."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def provenance(settings: dict, backend: str, threads: int, code: list[Path], root: Path,
               data: dict | None = None) -> dict:
    """What made one training (its record): its settings (and a digest of them), environment,
    the workflow's version and code (`code`: the files the job ran; `root`: the workflow's
    folder), and the checksums its data was checked against (`data`, data_checked)."""
    found = environment(backend, threads)
    made_by = {"training": settings, "config_digest": json_digest(settings)[:12],
               "environment": found,
               "environment_id": environment_id(found), "workflow": workflow_version(code, root)}
    return {**made_by, "data": data} if data else made_by


def data_checked(record: Path) -> dict | None:
    """The checksums prepare_data checked the data against, and where they came from (the
    config, or the md5 a record publishes), from its record beside the .npz."""
    written = json.loads(Path(record).read_text())
    if "archive" not in written:
        return None
    return {"checksums": written["archive"], "from": written.get("checksums_from", "the config")}
