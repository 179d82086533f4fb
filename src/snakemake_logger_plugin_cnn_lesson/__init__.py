"""The workflow's terminal as a Snakemake logger plugin, named `cnn-lesson` (`logger:` in
profiles/default): Snakemake finds logger plugins as top-level packages of this name's form.
The terminal itself is cnn_lesson.workflow.terminal."""

from cnn_lesson.workflow.terminal import Terminal as LogHandler

__all__ = ["LogHandler"]
