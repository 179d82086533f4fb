"""The command line that runs the workflow, as a user types it: the tests and bench/ use it."""

from __future__ import annotations

import sys
from pathlib import Path


def snakemake_command(root: Path, workdir: Path, *args: str) -> list[str]:
    """`snakemake` with the Snakefile of the workflow in `root`, run in `workdir`, with `args`,
    through this Python (so in this environment)."""
    return [sys.executable, "-m", "snakemake", "--snakefile", str(Path(root) / "Snakefile"),
            "--directory", str(workdir), *args]
