"""An episode's Markdown, read and changed line by line: its figure lines found, and a figure
line's alt text replaced, every other byte of the episode kept (its line endings included).

A figure line is the workbench's `![caption](path){alt="..." style='...'}`. The alt text is
replaced inside its own quotes (the line's quote character kept, or switched where the new text
holds it, so that the attribute still parses); the CIFAR-10 episode's malformed `{alt: "..."}`
is repaired to `{alt="..."}` and the repair said. Nothing else of the line changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

FIGURE = re.compile(r"!\[(?P<caption>[^\]\n]*)\]\((?P<path>[^)\s]+)\)(?P<attrs>\{[^}\n]*\})?")
# alt="text", alt='text', and the malformed alt: "text"; a quote inside may be backslashed
ALT = re.compile(r"""\balt\s*(?P<sign>[=:])\s*(?P<quote>["'])"""
                 r"""(?P<text>(?:\\.|(?!(?P=quote)).)*)(?P=quote)""")
LINE = re.compile(r"[^\n]*\n|[^\n]+$")


@dataclass(frozen=True)
class FigureLine:
    """A line of the episode that shows a figure: its number (from 1), caption, path as
    written, and alt text (None where it has none)."""

    number: int
    caption: str
    path: str
    alt: str | None

    @property
    def name(self) -> str:
        """The figure's name: its file's, without the suffix ('04_cifar10')."""
        return PurePosixPath(self.path).stem


def lines(text: str) -> list[str]:
    """The episode's lines, each with its own ending ('\\n', '\\r\\n' or none at the end)."""
    return LINE.findall(text)


def figure_lines(text: str) -> list[FigureLine]:
    """Every figure the episode shows, in order, one per figure line."""
    found = []
    for number, line in enumerate(lines(text), start=1):
        for figure in FIGURE.finditer(line):
            alt = ALT.search(figure.group("attrs") or "")
            found.append(FigureLine(number, figure.group("caption"), figure.group("path"),
                                    unescape(alt.group("text")) if alt else None))
    return found


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def quoted(text: str, quote: str) -> str:
    """`text` as the value of an attribute: in `quote` where it holds none of it, else in the
    other quote character, else in `quote` with each inside backslashed (a backslash always
    is: Pandoc reads one as an escape)."""
    other = "'" if quote == '"' else '"'
    chosen = quote if quote not in text else (other if other not in text else quote)
    escaped = text.replace("\\", "\\\\").replace(chosen, f"\\{chosen}")
    return f"{chosen}{escaped}{chosen}"


def with_alt(line: str, path: str, alt: str) -> tuple[str, str | None]:
    """`line` with the alt text of the figure at `path` replaced by `alt` (an attribute added
    where there is none), and the repair made, in words, where its attribute was malformed."""
    body, ending = _split_ending(line)
    for figure in FIGURE.finditer(body):
        if figure.group("path") != path:
            continue
        attrs = figure.group("attrs")
        if attrs is None:
            new_attrs, repair = "{alt=" + quoted(alt, '"') + "}", None
        else:
            new_attrs, repair = _replaced(attrs, alt)
        start, end = figure.span("attrs") if attrs is not None else (figure.end(), figure.end())
        return body[:start] + new_attrs + body[end:] + ending, repair
    raise ValueError(f"no figure {path} on the line")


def _replaced(attrs: str, alt: str) -> tuple[str, str | None]:
    found = ALT.search(attrs)
    if found is None:
        return attrs[:-1].rstrip() + " alt=" + quoted(alt, '"') + "}", None
    value = quoted(alt, found.group("quote"))
    repair = None
    if found.group("sign") == ":":
        repair = "its attribute was written `{alt: ...}`, which does not parse: repaired to " \
                 "`{alt=...}`"
    return attrs[:found.start()] + "alt=" + value + attrs[found.end():], repair


def _split_ending(line: str) -> tuple[str, str]:
    if line.endswith("\r\n"):
        return line[:-2], "\r\n"
    if line.endswith("\n"):
        return line[:-1], "\n"
    return line, ""


def rewrite(text: str, alts: dict[tuple[int, str], str]) -> tuple[str, list[str]]:
    """The episode with the alt text of each figure `alts` names ((line number, path) -> new
    alt text) replaced, every other line as it was; and the repairs made, each naming its
    line."""
    changed, repairs = [], []
    for number, line in enumerate(lines(text), start=1):
        for (at, path), alt in alts.items():
            if at == number:
                line, repair = with_alt(line, path, alt)
                if repair:
                    repairs.append(f"line {number}: {repair}")
        changed.append(line)
    return "".join(changed), repairs
