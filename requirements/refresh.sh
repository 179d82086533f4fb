#!/usr/bin/env bash
# Refresh the locked environment from pyproject.toml (needs PyPI):   bash requirements/refresh.sh
#
# uv resolves once for every platform and every Python from 3.11 up (a "universal" lock) and
# pins each package with the hashes of all its files on PyPI; pip installs from the result.
#   requirements/cpu.lock  the workflow and its tests: what the README's two commands install
#   requirements/gpu.lock  the same versions plus TensorFlow's CUDA packages (Linux GPU nodes)
#   requirements/jax.lock, requirements/torch.lock  the same versions plus JAX, or PyTorch
#   environment.yml        the same pins for conda/mamba users (pip inside a conda environment)
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v uv >/dev/null; then uv=(uv); else python3 -m pip install --quiet "uv>=0.9"; uv=(python3 -m uv); fi
compile=("${uv[@]}" pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet)
"${compile[@]}" --extra test -o requirements/cpu.lock
"${compile[@]}" --extra test --extra gpu --constraint requirements/cpu.lock -o requirements/gpu.lock
# Keras' other backends: the CPU environment and the backend. PyTorch is held at 2.14.1, the
# release pip finds on the project's machines' own disk; from PyPI every Linux x86_64 build of it
# brings its CUDA libraries (docs/reproducibility.md, "Keras backends").
"${compile[@]}" --extra test --extra jax --constraint requirements/cpu.lock -o requirements/jax.lock
"${compile[@]}" --extra test --extra torch --constraint requirements/cpu.lock \
    --constraint <(echo "torch==2.14.1") -o requirements/torch.lock
python3 - <<'PY'
from pathlib import Path

pins = [line.rstrip(" \\") for line in Path("requirements/cpu.lock").read_text().splitlines()
        if line[:1].isalnum()]
lines = ["# The locked environment for conda/mamba users: the pins of requirements/cpu.lock and this",
         "# package (editable), written by requirements/refresh.sh; pip installs them inside the",
         "# conda environment.   mamba env create -f environment.yml && mamba activate cnn-lesson",
         "name: cnn-lesson", "channels:", "  - conda-forge", "dependencies:", "  - python=3.11",
         "  - pip", "  - pip:", *[f"      - {pin}" for pin in pins], "      - -e ."]
Path("environment.yml").write_text("\n".join(lines) + "\n")
PY
echo "refreshed requirements/{cpu,gpu,jax,torch}.lock and environment.yml"
