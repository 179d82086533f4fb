"""What `cnn-lesson handoff` writes besides the checkout: handoff.md, a pull-request description
ready to paste (the run that made the figures, each figure's old and new alt text, the episode's
sentences the run finds do not hold or cannot tell, what was left alone), and handoff.html, each
figure old (the checkout's HEAD) and new side by side."""

from __future__ import annotations

import html
import shlex

from cnn_lesson import layout, results
from cnn_lesson.claims import CANNOT_TELL, FAILS
from cnn_lesson.handoff import Plan, old_figure

PACKAGES = ("python", "tensorflow", "keras", "numpy", "jax", "jaxlib", "torch")


def run_lines(made: Plan) -> list[str]:
    """The run that made the figures, from its trainings' records: edition, seeds, backend,
    packages, machine, commit and whether its code was all committed."""
    records = [found.record for found in made.found.finished()]

    def environment(key: str) -> str:
        """The values the trainings' environments hold for `key`, joined."""
        return ", ".join(sorted({str(record["environment"][key]) for record in records
                                 if key in record.get("environment", {})}))

    packages = [f"{name} {environment(name)}" for name in PACKAGES if environment(name)]
    commits = sorted({str(record.get("workflow", {}).get("commit") or "none")
                      for record in records})
    dirty = any(record.get("workflow", {}).get("dirty", True) for record in records)
    return [f"- edition: {made.edition.TITLE}",
            f"- trainings: {len(records)}, seeds {', '.join(map(str, seeds(made)))}",
            f"- Keras backend: {environment('backend')}; {'; '.join(packages)}",
            f"- machine: {environment('cpu')} ({environment('isa')}), GPU {environment('gpu')}",
            f"- cnn-lesson commit {', '.join(commits)}"
            f"{' (dirty: code that ran was not all committed)' if dirty else ' (clean)'}"]


def seeds(made: Plan) -> list[int]:
    return sorted({found.seed for found in made.found.finished()})


def claims_to_check(made: Plan) -> list[str]:
    """The episode's checked sentences whose verdict is `does not hold` or `cannot tell`, each
    quoted with its verdict, section and what the run measured."""
    path = made.found.table(layout.CLAIMS_TABLE)
    if not path.exists():
        return [f"(no claims: {path} is missing; run the `lesson` target to check them)"]
    table = results.read_table(path, ("claim", "section", "episode_says", "measured",
                                      "verdict"))
    open_ = table[table["verdict"].isin([FAILS, CANNOT_TELL])]
    return [f"- **{row.verdict}** ({row.section}): \"{row.episode_says}\" — measured: "
            f"{row.measured} (`{row.claim}`)" for row in open_.itertuples()]


def notes(made: Plan, repairs: list[str]) -> list[str]:
    """What was left alone or repaired, and why: said in handoff.md and on the terminal."""
    found = [f"the run lacks {name}: the lesson's figure and its alt text stay"
             for name in made.lacking]
    found += [f"the run made {name}, which the episode no longer shows: not copied"
              for name in made.not_shown]
    found += [f"{name} is a drawing on another photograph than the lesson's: left as it is "
              f"(--with-drawings replaces it)" for name in made.drawings]
    found += [f"{made.relative(made.episode)} {repair}" for repair in repairs]
    if len(seeds(made)) < 2:
        command = shlex.join(["snakemake", "--cores", "all", "lesson", "--configfile",
                              made.edition.CLAIMS_CONFIG or made.edition.CONFIG])
        found.append(f"the run trained one seed, so its claims about trainings could not be "
                     f"judged (cannot tell): train 3 seeds with `{command}` and hand it over "
                     f"again")
    return found


def markdown(made: Plan, repairs: list[str]) -> str:
    """handoff.md: the pull request's description."""
    lines = [f"# Episode 4's figures regenerated with cnn-lesson ({made.edition.DATA_SET})", "",
             f"This change replaces {len(made.changes)} figure(s) of "
             f"`{made.relative(made.episode)}` with those of a run of the cnn-lesson workflow, "
             f"and their alt text with text computed from each figure's data. Nothing else of "
             f"the episode changes.", "", "## The run", "", *run_lines(made), "",
             "## Figures", ""]
    for change in made.changes:
        lines += [f"### {change.line.name} (line {change.line.number})", "",
                  f"- file: `{made.relative(change.target)}`",
                  f"- caption: {change.line.caption or '(none)'}",
                  f"- old alt text: {change.line.alt or '(none)'}",
                  f"- new alt text: {change.alt}", ""]
    lines += ["## Sentences to check", "",
              "The run checked the episode's sentences; these do not hold, or the run cannot "
              "tell. Edit them, or say why they stay:", "",
              *(claims_to_check(made) or ["(none: every checked sentence holds)"]), ""]
    said = notes(made, repairs)
    if said:
        lines += ["## Left alone, and why", "", *(f"- {note}" for note in said), ""]
    return "\n".join(lines)


def image(path: str, alt: str) -> str:
    """An image of the page, which marks itself loaded (data-loaded="yes"), or says it is
    missing where it cannot be shown."""
    return (f'<img src="{html.escape(path)}" alt="{html.escape(alt)}" '
            f"onload=\"this.dataset.loaded='yes'\" "
            f"onerror=\"this.dataset.loaded='no'; this.insertAdjacentText('afterend', "
            f"'(missing: {html.escape(path)})')\">")


def page(made: Plan) -> tuple[str, dict[str, bytes]]:
    """handoff.html, each figure old and new side by side, and the images it shows (old/,
    new/), by their path under the output folder."""
    images, rows = {}, []
    for change in made.changes:
        name = change.line.name
        images[f"new/{name}.png"] = change.figure.read_bytes()
        old = old_figure(made, change)
        if old is not None:
            images[f"old/{name}.png"] = old
        before = (image(f"old/{name}.png", change.line.alt or "") if old is not None
                  else "<p>(not in the checkout's HEAD)</p>")
        rows.append(f"<tr><th colspan=2>{html.escape(name)}: "
                    f"{html.escape(change.line.caption)}</th></tr>\n<tr><td>{before}"
                    f"<p>{html.escape(change.line.alt or '')}</p></td><td>"
                    f"{image(f'new/{name}.png', change.alt)}"
                    f"<p>{html.escape(change.alt)}</p></td></tr>")
    text = ("<!doctype html>\n<html><head><meta charset='utf-8'><title>Episode 4: figures "
            "handed over</title><style>img{max-width:100%} td{vertical-align:top;width:50%}"
            "</style></head><body>\n"
            f"<h1>Episode 4 ({html.escape(made.edition.DATA_SET)}): old and new figures</h1>\n"
            "<table><tr><th>old (HEAD)</th><th>new (this run)</th></tr>\n"
            + "\n".join(rows) + "\n</table></body></html>\n")
    return text, images
