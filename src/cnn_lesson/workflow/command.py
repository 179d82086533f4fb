"""Command lines: the one that runs the workflow, as a user types it (the tests and bench/ use
it), and those the workflow prints, shell-quoted so that they work when pasted as printed."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def snakemake_command(root: Path, workdir: Path, *args: str) -> list[str]:
    """`snakemake` with the Snakefile of the workflow in `root`, run in `workdir`, with `args`,
    through this Python (so in this environment)."""
    return [sys.executable, "-m", "snakemake", "--snakefile", str(Path(root) / "Snakefile"),
            "--directory", str(workdir), *args]


def snakemake_line(*targets, options: Sequence[str] = ()) -> str:
    """`snakemake --cores all TARGETS OPTIONS`, shell-quoted: the targets first, so that no
    option's list (--configfile's) takes them in."""
    return shlex.join(["snakemake", "--cores", "all", *map(str, targets), *options])


# What makes the command that makes some targets: snakemake_line, or one that adds the options
# of the command the user ran (the workflow's Snakefile passes that)
Command = Callable[..., str]
