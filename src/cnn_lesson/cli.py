"""The `cnn-lesson` command: `cnn-lesson compare A B` (cnn_lesson.compare)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cnn_lesson.errors import InputError

# Exit statuses of `cnn-lesson compare`
AGREE, DIFFER, UNUSABLE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cnn-lesson", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser(
        "compare", help="two finished runs side by side: claims, numbers with their noise, "
                        "curves, environments",
        description="Exit status: 0 when no claim's verdict flips (timings aside), no number "
                    "moved beyond the noise and both hold the same runs; 1 otherwise; 2 for a "
                    "folder that holds no finished run.")
    compare.add_argument("a", type=Path, help="a run's folder (its --directory) or its results/")
    compare.add_argument("b", type=Path, help="the other")
    compare.add_argument("--out", type=Path, help="where to write the tables and figures "
                         "(default: results/compare/A-vs-B under the current folder)")
    args = parser.parse_args(argv)
    try:
        return run_compare(args.a, args.b, args.out)
    except InputError as error:
        print(f"cnn-lesson compare: {error}", file=sys.stderr)
        return UNUSABLE


def run_compare(a: Path, b: Path, out: Path | None) -> int:
    from cnn_lesson import compare

    comparisons = compare.compare(a, b)
    out = out or default_out(a, b)
    text = compare.write(comparisons, a, b, out)
    print(text)
    print(f"Written to {out}/: compare.md, the tables as .tsv, compare.json, curves.png.")
    return DIFFER if any(found.reasons() for found in comparisons) else AGREE


def default_out(a: Path, b: Path) -> Path:
    """results/compare/<A>-vs-<B> under the current folder; never inside A or B."""
    out = Path.cwd() / "results" / "compare" / f"{a.resolve().name}-vs-{b.resolve().name}"
    for folder in (a, b):
        if out.resolve().is_relative_to(folder.resolve()):
            raise InputError(f"the default output folder, {out}, would be inside {folder}: run "
                             f"from another folder, or give --out.")
    return out


if __name__ == "__main__":
    sys.exit(main())
