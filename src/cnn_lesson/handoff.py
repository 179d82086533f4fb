"""A run's figures handed to a git checkout of the lesson (`cnn-lesson handoff RESULTS LESSON`):
each figure line of episode 4 that shows a figure the run made gets the run's figure and the alt
text computed from its table; nothing else of the checkout changes, and nothing is committed.

Everything is checked before anything is written: the checkout, its episode and the edition it
teaches, the run, each figure line's path (it must lead to a file inside the checkout: the
episode is text from elsewhere), uncommitted changes to a file it would write, and the output
folder. What it writes besides the checkout (handoff.md, handoff.html) is handoff_report's.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cnn_lesson import episode, layout, results
from cnn_lesson.edition import DRAWINGS, Edition, figure_names, load, names
from cnn_lesson.errors import InputError

# Where a checkout of the lesson keeps episode 4: the Markdown, or the R Markdown of older ones
EPISODES = ("episodes/4-advanced-layer-types.md", "episodes/4-advanced-layer-types.Rmd")
# What to do about an episode that is not UTF-8 (not a file of the run: nothing to train again)
EPISODE_MEND = ("the lesson keeps its episodes in UTF-8: save it as UTF-8, commit that, and hand "
                "over again")


def git(root: Path, *args: str, binary: bool = False):
    """What `git -C root args` prints, or None where it fails."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout if binary else done.stdout.decode(errors="replace")


@dataclass
class Change:
    """One figure the handoff replaces: its line, the file it writes (inside the checkout),
    the run's figure, and the alt text computed for it."""

    line: episode.FigureLine
    target: Path
    figure: Path
    alt: str


@dataclass
class Plan:
    """What the handoff does, worked out before anything is written."""

    lesson: Path  # the checkout's top folder
    episode: Path
    edition: Edition
    found: results.EditionResults
    changes: list[Change] = field(default_factory=list)
    lacking: list[str] = field(default_factory=list)  # figure lines whose figure the run lacks
    not_shown: list[str] = field(default_factory=list)  # figures made that no line shows
    drawings: list[str] = field(default_factory=list)  # left as they are (no --with-drawings)

    def relative(self, path: Path) -> str:
        """`path`, inside the checkout, as git names it."""
        return Path(path).resolve().relative_to(self.lesson.resolve()).as_posix()


def checkout(lesson: Path) -> tuple[Path, Path]:
    """The checkout's top folder and its episode 4; InputError where `lesson` is no git
    checkout or holds no episode 4."""
    if not lesson.is_dir():
        raise InputError(f"{lesson} is not a folder: give a git checkout of the lesson "
                         f"(carpentries-lab/deep-learning-intro, or a fork).")
    top = git(lesson, "rev-parse", "--show-toplevel")
    if top is None or Path(top.strip()).resolve() != lesson.resolve():
        raise InputError(f"{lesson} is not the top of a git checkout: give a clone of the "
                         f"lesson (git clone https://github.com/carpentries-lab/"
                         f"deep-learning-intro), so that its change can be reviewed.")
    for name in EPISODES:
        if (lesson / name).is_file():
            return lesson, lesson / name
    raise InputError(f"{lesson} holds no episode 4 ({' or '.join(EPISODES)}): give a checkout "
                     f"of the lesson Introduction to deep learning.")


def taught_edition(path: Path, text: str) -> Edition:
    """The edition the episode teaches, from the data set it loads (each edition's
    EPISODE_LOADS); InputError where it loads none this workflow knows."""
    taught = [load(name) for name in names()
              if load(name).EPISODE_LOADS and re.search(load(name).EPISODE_LOADS, text)]
    if len(taught) != 1:
        found = "several data sets" if taught else "no data set"
        raise InputError(f"{path} loads {found} of the editions this workflow knows "
                         f"({', '.join(names())}); it cannot tell which edition it teaches.")
    return taught[0]


def run_of(folder: Path, edition: Edition) -> results.EditionResults:
    """The finished results of `edition` in `folder`; InputError naming what it holds instead."""
    held = results.finished_editions(folder)
    if edition.NAME in held:
        return held[edition.NAME]
    others = ", ".join(load(name).DATA_SET for name in held)
    raise InputError(f"{folder} holds a run of the {others} edition, and the episode teaches "
                     f"the {edition.DATA_SET} edition: run that edition first "
                     f"(`snakemake --cores all --configfile {edition.CONFIG}`).")


def target_of(lesson: Path, episode_path: Path, line: episode.FigureLine) -> Path:
    """The file a figure line names, resolved from the episode's folder, symbolic links
    followed; InputError where it leads outside the checkout."""
    named = Path(line.path)
    where = f"{episode_path}, line {line.number}: the figure {line.path}"
    if named.is_absolute() or re.match(r"^[a-z][a-z0-9+.-]*:", line.path):
        raise InputError(f"{where} is not a path inside the checkout; nothing was written. Make "
                         f"it relative to the episode's folder, or hand the figures over by "
                         f"hand.")
    target = (episode_path.parent / named).resolve()
    if not target.is_relative_to(lesson.resolve()):
        raise InputError(f"{where} leads to {target}, outside the checkout {lesson}; nothing "
                         f"was written: handoff writes only inside the checkout it is given.")
    return target


def plan(folder: Path, lesson: Path, with_drawings: bool = False) -> Plan:
    """What handing `folder`'s run to `lesson` does, every refusal checked."""
    top, episode_path = checkout(lesson)
    text = results.read_text(episode_path, EPISODE_MEND)
    edition = taught_edition(episode_path, text)
    made = Plan(top, episode_path, edition, run_of(folder, edition))
    alts = computed_alts(made.found)
    figures = made.found.folder / layout.FIGURES
    known, shown = figure_names(edition), set()
    for line in episode.figure_lines(text):
        if line.name not in known:
            continue  # a figure no run makes (a sketch): left as it is
        target = target_of(top, episode_path, line)
        shown.add(line.name)
        if line.name in DRAWINGS and not with_drawings:
            made.drawings.append(line.name)
        elif (figures / f"{line.name}.png").is_file() and line.name in alts:
            made.changes.append(Change(line, target, figures / f"{line.name}.png",
                                       alts[line.name]))
        else:
            made.lacking.append(line.name)
    made.not_shown = sorted(path.stem for path in figures.glob("*.png")
                            if path.stem in known and path.stem not in shown)
    refuse_uncommitted(made)
    return made


def computed_alts(found: results.EditionResults) -> dict[str, str]:
    """Each figure's alt text as the run computed it (lesson/figures.md), by its name."""
    path = found.table(layout.FIGURES_MARKDOWN)
    if not path.exists():
        return {}
    text = results.read_text(path, results.MADE_MEND)
    return {line.name: line.alt for line in episode.figure_lines(text) if line.alt is not None}


def refuse_uncommitted(made: Plan) -> None:
    """Stop where a file the handoff would write has uncommitted changes: they would be mixed
    with the handoff's, or lost."""
    paths = [made.relative(made.episode), *(made.relative(change.target)
                                            for change in made.changes)]
    status = git(made.lesson, "status", "--porcelain", "--", *paths)
    if status is None:
        raise InputError(f"git status failed in {made.lesson}: is it a readable checkout?")
    if status.strip():
        changed = ", ".join(line[3:] for line in status.splitlines())
        raise InputError(f"{made.lesson} has uncommitted changes to {changed}, which the "
                         f"handoff would write; nothing was written. Commit or stash them "
                         f"first (git -C {made.lesson} stash).")


def old_figure(made: Plan, change: Change) -> bytes | None:
    """The figure a line showed at the checkout's HEAD (None where HEAD has none)."""
    return git(made.lesson, "show", f"HEAD:{made.relative(change.target)}", binary=True)


def new_episode(made: Plan) -> tuple[bytes, list[str]]:
    """The episode as the handoff writes it (its bytes, its line endings kept) and the repairs
    made, by line."""
    text, repairs = episode.rewrite(made.episode.read_bytes().decode("utf-8"),
                                    {(change.line.number, change.line.path): change.alt
                                     for change in made.changes})
    return text.encode("utf-8"), repairs


def apply(made: Plan, text: bytes) -> None:
    """Write the run's figures over the lesson's and the episode's new text: each file whole
    or not at all."""
    from cnn_lesson.files import write_atomically

    for change in made.changes:
        content = change.figure.read_bytes()
        write_atomically(change.target, lambda path, content=content: path.write_bytes(content))
    if text != made.episode.read_bytes():
        write_atomically(made.episode, lambda path: path.write_bytes(text))
