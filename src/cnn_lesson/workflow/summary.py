"""What a successful run prints last: this run's results and where they are, the claims' counts,
and a report command that works when pasted as printed (cnn_lesson.workflow.command)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cnn_lesson.claims import CANNOT_TELL, FAILS, HOLDS
from cnn_lesson.results import Trained

SHOWN_TRAININGS = 12


@dataclass
class Made:
    """What this run's targets hold, each None where the run's targets do not make it: this
    config's trainings whose test metrics they hold (read back through cnn_lesson.results), the
    sweeps' choices (chosen_dropout.tsv), the claims checked (claims.tsv)."""

    trainings: list[Trained]
    chosen: Path | None = None
    claims: Path | None = None
    folders: tuple[str, ...] = ()  # the folders that hold files of this run's targets


def finished(made: Made, figures: str, strays: list[str], report: str) -> str:
    """The summary: each training's test loss and accuracy, each sweep's choice, the claims'
    counts, where the results are, files another config left in `figures` (named, kept), the
    report command."""
    lines = ["", "Finished."]
    lines += training_lines(made.trainings)
    if made.chosen and made.chosen.is_file():
        lines += [chosen_line(row) for row in pd.read_csv(made.chosen, sep="\t").itertuples()]
    if made.claims and made.claims.is_file():
        lines.append(claims_line(made.claims))
    if made.folders:
        lines.append(f"Results: {', '.join(f'{folder}/' for folder in made.folders)}.")
    if strays:
        lines.append(f"{figures}/ also holds {len(strays)} file(s) this config does "
                     f"not make, left by another config (kept): {', '.join(strays)}.")
    lines.append(f"Report: {report}")
    return "\n".join(lines)


def tabled_trainings(runs: Path) -> set[tuple[str, float, int]]:
    """(model, dropout, seed) of each training in the table `runs` (runs.tsv); empty without
    one."""
    if not Path(runs).is_file():
        return set()
    table = pd.read_csv(runs, sep="\t")
    return set(zip(table["model"], table["dropout"].astype(float), table["seed"].astype(int)))


def training_lines(trainings: list[Trained]) -> list[str]:
    """A line per training of this run's targets whose metrics are there."""
    found = [found for found in trainings if found.finished]
    if not found:
        return []
    lines = [f"Test loss and accuracy of this config's {len(found)} training(s):"]
    for training in found[:SHOWN_TRAININGS]:
        values = training.metrics()
        lines.append(f"  {training.name:<34} test loss {values['test_loss']:.4f}  "
                     f"accuracy {values['test_accuracy']:.4f}")
    if len(found) > SHOWN_TRAININGS:
        lines.append(f"  ... and {len(found) - SHOWN_TRAININGS} more (tables/runs.tsv)")
    return lines


def claims_line(claims: Path) -> str:
    """'22 claims: 17 hold, 5 do not hold, 0 cannot tell: results/lesson/claims.md'."""
    verdicts = pd.read_csv(claims, sep="\t")["verdict"].value_counts()
    return (f"{sum(verdicts)} claims: {verdicts.get(HOLDS, 0)} hold, "
            f"{verdicts.get(FAILS, 0)} do not hold, {verdicts.get(CANNOT_TELL, 0)} cannot tell: "
            f"{claims.with_suffix('.md')}")


def chosen_line(row) -> str:
    """One sweep's choice, as a sentence that says how sure it is."""
    line = (f"Dropout rate chosen for {row.model}: {row.chosen_rate:g}, on "
            f"{row.chosen_on}; its test loss {row.test_loss_mean:.4f}")
    if row.seeds < 2:
        return line + " (one seed: no spread to say how sure; several seeds say more)."
    line += f" +- {row.test_loss_sd:.4f} over {row.seeds} seeds"
    if isinstance(row.within_one_sd, str) and row.within_one_sd:
        return line + (f". {row.within_one_sd} cannot be told apart from it (mean validation "
                       f"loss within one standard deviation).")
    return line + "; no other rate comes within one standard deviation of it."


def folders_of(files: set[str], folders: list[str]) -> tuple[str, ...]:
    """Those of `folders` that hold one of `files` at least."""
    return tuple(folder for folder in folders
                 if any(path.startswith(f"{folder}/") for path in files))


def stray_figures(folder: Path, made: list[str]) -> list[str]:
    """The files in `folder` that are not among `made` (this config's): another config's."""
    if not Path(folder).is_dir():
        return []
    names = {Path(path).name for path in made}
    return sorted(path.name for path in Path(folder).iterdir()
                  if path.is_file() and path.name not in names)
