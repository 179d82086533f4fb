"""The `cnn-lesson` command: `cnn-lesson compare A B` (cnn_lesson.compare) and `cnn-lesson handoff
RESULTS LESSON` (cnn_lesson.handoff)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from cnn_lesson.errors import InputError

# Exit statuses of `cnn-lesson compare` (and of `handoff`: 0 done, 2 refused)
AGREE, DIFFER, UNUSABLE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="cnn-lesson", description=__doc__)
    commands = made.add_subparsers(dest="command", required=True)
    compare = commands.add_parser(
        "compare", help="two finished runs side by side: claims, numbers with their noise, "
                        "curves, environments",
        description="Exit status: 0 when no claim's verdict flips (timings aside), no number "
                    "moved beyond the noise and both hold the same trainings; 1 otherwise; 2 "
                    "for a folder that holds no finished run, a file that is not what its run "
                    "wrote, or an --out it may not write.")
    compare.add_argument("a", type=Path, help="a run's folder (its --directory) or its results/")
    compare.add_argument("b", type=Path, help="the other")
    compare.add_argument("--out", type=Path, help="where to write the tables and figures: a "
                         "folder of its own (default: results/compare/A-vs-B under the current "
                         "folder)")
    handoff = commands.add_parser(
        "handoff", help="hand a run's figures to a git checkout of the lesson, with the alt "
                        "text computed and what changed written down",
        description="Copies the run's figures over those episode 4 of LESSON shows and puts "
                    "the computed alt text in their lines; writes handoff.md (a pull-request "
                    "description) and handoff.html (old and new side by side). Commits "
                    "nothing. Exit status 0, or 2 where it refuses (nothing written).")
    handoff.add_argument("results", type=Path, help="a finished run's folder (its --directory) "
                         "or a copy of its results/")
    handoff.add_argument("lesson", type=Path, help="a git checkout of the lesson "
                         "(carpentries-lab/deep-learning-intro, or a fork)")
    handoff.add_argument("--out", type=Path, help="where to write handoff.md and handoff.html: "
                         "a folder of its own (default: results/handoff/LESSON under the "
                         "current folder)")
    handoff.add_argument("--with-drawings", action="store_true", help="replace the two "
                         "drawings of a convolution too (drawn on another photograph than the "
                         "lesson's)")
    return made


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "handoff":
            return run_handoff(args.results, args.lesson, args.out, args.with_drawings)
        return run_compare(args.a, args.b, args.out)
    except InputError as error:
        print(f"cnn-lesson {args.command}: {error}", file=sys.stderr)
        return UNUSABLE


def run_compare(a: Path, b: Path, out: Path | None) -> int:
    from cnn_lesson import compare, outputs

    out = out or outputs.default_out("compare", f"{a.resolve().name}-vs-{b.resolve().name}")
    outputs.check_out(out, {"A": a, "B": b})
    comparisons = compare.compare(a, b)
    files = compare.outputs(comparisons, a, b)
    outputs.write(out, files)
    print(files["compare.md"])
    print(f"Written to {out}/: compare.md, the tables as .tsv, compare.json, curves.png.")
    return DIFFER if any(found.reasons() for found in comparisons) else AGREE


def run_handoff(folder: Path, lesson: Path, out: Path | None, with_drawings: bool) -> int:
    from cnn_lesson import handoff, handoff_report, outputs

    out = out or outputs.default_out("handoff", lesson.resolve().name)
    outputs.check_out(out, {"RESULTS": folder, "LESSON": lesson})
    made = handoff.plan(folder, lesson, with_drawings)
    text, repairs = handoff.new_episode(made)
    page, images = handoff_report.page(made)
    written = outputs.write(out, {"handoff.md": handoff_report.markdown(made, repairs),
                                  "handoff.html": page, **images})
    handoff.apply(made, text)
    for change in made.changes:
        print(f"{made.relative(change.target)}: the run's {change.line.name}, its alt text on "
              f"line {change.line.number}")
    for note in handoff_report.notes(made, repairs):
        print(f"Note: {note}.")
    print(f"Written: {written[0]} (the pull request's description), {written[1]} (old and new "
          f"side by side). Nothing is committed: review with "
          f"`{shlex.join(['git', '-C', str(lesson), 'diff', '--stat'])}`.")
    return AGREE


if __name__ == "__main__":
    sys.exit(main())
