"""Command lines: the one that runs the workflow, as a user types it (the tests and bench/ use
it), and those the workflow prints (`Remedies`), shell-quoted so that they work when pasted
where the run was started, and act on that run alone."""

from __future__ import annotations

import shlex
import sys
from functools import cached_property
from pathlib import Path


def snakemake_command(root: Path, workdir: Path, *args: str) -> list[str]:
    """`snakemake` with the Snakefile of the workflow in `root`, run in `workdir`, with `args`,
    through this Python (so in this environment)."""
    return [sys.executable, "-m", "snakemake", "--snakefile", str(Path(root) / "Snakefile"),
            "--directory", str(workdir), *args]


def snakemake_line(*targets, options: tuple[str, ...] | list[str] = ()) -> str:
    """`snakemake --cores all TARGETS OPTIONS`, shell-quoted: the targets first, so that no
    option's list (--configfile's) takes them in."""
    return shlex.join(["snakemake", "--cores", "all", *map(str, targets), *options])


def run_options(args) -> list[str]:
    """The options of a parsed snakemake command line (Snakemake's own argparse namespace) that
    another command needs to find the same results: the Snakefile, the folder, the config."""
    options = []
    if args.snakefile:
        options += ["--snakefile", str(args.snakefile)]
    if args.directory:
        options += ["--directory", str(args.directory)]
    if args.config:
        options += ["--config", *args.config]
    if args.configfile:
        options += ["--configfile", *map(str, args.configfile)]
    return options


class Remedies:
    """The commands a message prints for the run the user started, safe to paste where it was
    started: Snakemake with the run's own Snakefile, folder and config (`options`, as Snakemake
    read them), its targets first; and the run's files named from that place (`directory`, the
    run's --directory as given; None where it ran in the current folder), so that `rm` and `cp`
    act on the run's own files and nothing else."""

    def __init__(self, options: tuple[str, ...] = (), directory: str | None = None):
        self.options, self.directory = tuple(options), directory

    def make(self, *targets) -> str:
        """The command that makes `targets` (paths in the run's folder, as Snakemake takes
        them) with the run's options."""
        return snakemake_line(*targets, options=self.options)

    def path(self, path) -> str:
        """`path`, in the run's folder, as named from where the run was started."""
        return str(Path(self.directory) / path) if self.directory else str(path)

    def remove(self, *paths) -> str:
        """`rm -f` of `paths` (files of the run's folder)."""
        return shlex.join(["rm", "-f", *map(self.path, paths)])

    def remove_folder(self, folder) -> str:
        """`rm -r` of `folder` (of the run's folder)."""
        return shlex.join(["rm", "-r", self.path(folder)])

    def again(self, target, *removed) -> str:
        """`rm -f REMOVED && snakemake ... TARGET`: make `target` again, alone, after removing
        `removed` (by default `target` itself), quoted for a message."""
        return f"`{self.remove(*(removed or (target,)))} && {self.make(target)}`"

    def report(self, targets) -> str:
        """The command that builds the report of what `targets` made."""
        return shlex.join(["snakemake", *targets, *self.options, "--report", "report.html"])


class CommandLine(Remedies):
    """The Remedies of the snakemake command line `argv` (its sys.argv[1:]), as Snakemake's own
    parser reads it: parsed when a message first needs them (a parse costs 0.1 s)."""

    def __init__(self, argv: list[str]):
        self.argv = list(argv)

    @cached_property
    def parsed(self):
        from cnn_lesson.workflow import internals

        return internals.command_line(self.argv)

    @property
    def targets(self) -> list[str]:
        return list(self.parsed.targets)

    @cached_property
    def options(self) -> tuple[str, ...]:
        return tuple(run_options(self.parsed))

    @cached_property
    def directory(self) -> str | None:
        return str(self.parsed.directory) if self.parsed.directory else None
