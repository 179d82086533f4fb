"""The claims as a table (claims.tsv, a row per claim) and as Markdown (claims.md)."""

from __future__ import annotations

import statistics

import pandas as pd

from cnn_lesson.claims.rules import CANNOT_TELL, FAILS, HOLDS

COLUMNS = ["claim", "section", "episode_says", "measured", "seeds", "verdict", "rule"]


def row(claim: str, section: str, says: str, measured: str, seeds: int | str, verdict: str,
        rule: str) -> dict:
    """One claim's row of the table."""
    return dict(zip(COLUMNS, [claim, section, says, measured, seeds, verdict, rule]))


def not_run(claim: str, section: str, says: str, rule: str) -> dict:
    """The row of a claim about trainings this config does not make."""
    return row(claim, section, says, "not run by this config", 0, CANNOT_TELL, rule)


def mean_sd(values: list[float], digits: int = 4) -> str:
    """'1.2345 +- 0.0123 (n=3)', or the one value."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f} (n=1)"
    return f"{statistics.mean(values):.{digits}f} +- {statistics.stdev(values):.{digits}f} " \
           f"(n={len(values)})"


def claims_table(claims: list, facts) -> pd.DataFrame:
    """Every checked claim of an edition, a row each, in the episode's order."""
    return pd.DataFrame([claim.row(facts) for claim in claims], columns=COLUMNS)


def verdict_counts(table: pd.DataFrame) -> str:
    """'12 hold, 2 do not hold, 5 cannot tell'."""
    counts = table["verdict"].value_counts()
    return (f"{counts.get(HOLDS, 0)} hold, {counts.get(FAILS, 0)} do not hold, "
            f"{counts.get(CANNOT_TELL, 0)} cannot tell")


def markdown(table: pd.DataFrame, edition: str) -> str:
    """The claims as a Markdown document: the counts, the table, and the readings; `edition`
    names the episode's edition ('CIFAR-10 edition (deep-learning-intro at c411bb6c)')."""
    lines = ["# The episode's claims, checked", "",
             f"Episode 4, {edition}: {verdict_counts(table)}.", "",
             "| claim | episode says | measured | seeds | verdict |", "|---|---|---|---|---|"]
    for found in table.itertuples():
        lines.append(f"| {found.claim} | {found.episode_says} ({found.section}) | "
                     f"{found.measured} | {found.seeds} | **{found.verdict}** |")
    lines += ["", "How each verdict is decided:", ""]
    lines += [f"- `{found.claim}`: {found.rule}" for found in table.itertuples()]
    return "\n".join(lines) + "\n"
