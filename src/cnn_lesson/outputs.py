"""Where the package's own commands (`cnn-lesson compare`, `cnn-lesson handoff`) write: a folder
of their own, never inside a folder they read nor holding one, refused before anything is
written; each file written whole."""

from __future__ import annotations

from pathlib import Path

from cnn_lesson.errors import InputError
from cnn_lesson.files import write_atomically


def default_out(command: str, name: str) -> Path:
    """results/<command>/<name> under the current folder."""
    return Path.cwd() / "results" / command / name


def check_out(out: Path, read: dict[str, Path], option: str = "--out") -> None:
    """Refuse `out` where writing there could touch what is read (`read`: each folder read, by
    the name the command gives it): inside one, equal to one, or holding one; and where it
    cannot be a folder (a file, or below a file). InputError naming both and what to do."""
    where = out.resolve()
    for role, folder in read.items():
        folder = folder.resolve()
        if where == folder or where.is_relative_to(folder):
            raise InputError(f"{option} {out} is inside {role}, {folder}: nothing is written "
                             f"into a folder it reads. Give {option} a folder of its own.")
        if folder.is_relative_to(where):
            raise InputError(f"{option} {out} holds {role}, {folder}: nothing is written "
                             f"around a folder it reads. Give {option} a folder of its own.")
    for above in [where, *where.parents]:
        if above.exists() and not above.is_dir():
            raise InputError(f"{option} {out}: {above} is a file, not a folder. Give "
                             f"{option} a folder.")


def write(out: Path, files: dict[str, object], option: str = "--out") -> list[Path]:
    """Write `files` (name -> text, bytes or a matplotlib figure) into `out`, each whole or not
    at all; InputError naming `out` where it cannot be made or written."""
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            write_atomically(out / name, lambda path, content=content: _write(path, content))
            written.append(out / name)
    except OSError as error:
        raise InputError(f"{option} {out} cannot be written ({error.strerror or error}"
                         f"{f': {error.filename}' if error.filename else ''}). Give {option} a "
                         f"folder you can write to.") from None
    return written


def _write(path: Path, content) -> None:
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:  # a matplotlib figure
        import matplotlib.pyplot as plt

        content.savefig(path, dpi=100)
        plt.close(content)
