"""What a run prints on the terminal when it ends: its results and where they are, or what went
wrong."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cnn_lesson.workflow import internals

SHOWN_RUNS = 12


def finished(runs: Path, chosen: Path, results: str = "results", which_run: str = "") -> str:
    """The test loss and accuracy of each run (from the table `runs`), the dropout rate each
    sweep chose and how sure that is (`chosen`), where the figures and tables are (under
    `results`, the edition's folder), and the command for the report (`which_run`: the options
    that find these results)."""
    lines = ["", "Finished."]
    if Path(runs).is_file():
        lines += _run_lines(pd.read_csv(runs, sep="\t"), runs)
    if Path(chosen).is_file():
        lines += [chosen_line(row) for row in pd.read_csv(chosen, sep="\t").itertuples()]
    lines += [f"Figures: {results}/lesson/fig/ (the episode's), {results}/plots/. "
              f"Tables: {results}/tables/.",
              f"Report: snakemake{which_run} --report report.html"]
    return "\n".join(lines)


def tabled_runs(runs: Path) -> set[tuple[str, float, int]]:
    """(model, dropout, seed) of each run in the table `runs`; empty without one."""
    if not Path(runs).is_file():
        return set()
    table = pd.read_csv(runs, sep="\t")
    return set(zip(table["model"], table["dropout"].astype(float), table["seed"].astype(int)))


def _run_lines(runs: pd.DataFrame, path: Path) -> list[str]:
    lines = [f"Test loss and accuracy of each run ({path}):"]
    for row in runs.head(SHOWN_RUNS).itertuples():
        lines.append(f"  {row.model:<12} dropout {row.dropout:<5g} seed {row.seed:<4} "
                     f"test loss {row.test_loss:.4f}  accuracy {row.test_accuracy:.4f}")
    if len(runs) > SHOWN_RUNS:
        lines.append(f"  ... and {len(runs) - SHOWN_RUNS} more")
    return lines


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


def failed(snakemake_logs: list[str]) -> str:
    """Each failed job with the message of its log, read from Snakemake's logs of the run."""
    jobs = internals.failed_jobs("\n".join(Path(path).read_text() for path in snakemake_logs
                                 if Path(path).is_file()))
    lines = ["", f"The run stopped: {len(jobs)} job(s) failed." if jobs else "The run stopped."]
    for rule, logs in jobs:
        lines.append(f"  {rule} ({logs[0]}): {last_error([Path(log) for log in logs])}")
    lines.append("Fix what it says and run the same command again: what finished is kept, and "
                 "only what is missing runs.")
    return "\n".join(lines)


def last_error(logs: list[Path]) -> str:
    """The message of bad input, or the last line of a traceback, from the first of `logs`
    that has one; else the last line of the last log (a cluster's, for a job it killed)."""
    texts = []
    for log in logs:
        try:
            texts.append([line for line in log.read_text().splitlines() if line.strip()])
        except OSError:
            continue
    for lines in texts:
        errors = [line for line in lines if " ERROR " in line]
        if errors:
            message = errors[-1].split(": ", 1)[-1]
            # "failed": an unexpected error, whose traceback's last line says what
            return lines[-1] if message == "failed" else message
    last = [lines for lines in texts if lines]
    return last[-1][-1] if last else "no message in its log; see the error above."
