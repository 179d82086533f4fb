"""What made a result: the software, the machine, the threads and the workflow's version.

`record()` is written beside every training's outputs. Its `environment` holds exactly what
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

import cnn_lesson
from cnn_lesson.machine import cpu

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
    return digest(environment)[:8]


def digest(value: dict) -> str:
    """SHA-256 of a JSON-able value, independent of key order."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def workflow_version() -> dict[str, str | bool]:
    """The package's version and, in a git checkout, the commit and whether files differ from it."""
    version = {"version": _version("cnn-lesson"), "commit": "", "dirty": False}
    folder = Path(cnn_lesson.__file__).parent
    commit = _git(folder, "rev-parse", "HEAD")
    if commit:
        status = _git(folder, "status", "--porcelain", "--untracked-files=no")
        version.update(commit=commit, dirty=bool(status))
    return version


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def record(run: dict, backend: str, threads: int) -> dict:
    """What made one training: its config (and a digest of it), environment and workflow version."""
    found = environment(backend, threads)
    return {"run": run, "config_digest": digest(run)[:12], "environment": found,
            "environment_id": environment_id(found), "workflow": workflow_version()}
