"""Which code a rule runs, and a digest of it, so that Snakemake reruns a job when its code changes.

A rule's script is thin: the logic is in this package. The digest of a script covers the script
and every module of the package it imports, directly or through other modules (imports inside
functions included), read from the source text without importing anything. A digest is taken of
the code's syntax tree, not of its bytes: a change to what the code does reruns the job; a new
comment, blank line or reformatting does not, and neither does a new modification time (a fresh
`git clone`, a `touch`).
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

import cnn_lesson

PACKAGE = Path(cnn_lesson.__file__).parent
NAME = PACKAGE.name


def module_path(module: str) -> Path | None:
    """The source file of a module of this package ('cnn_lesson.data'), or None for another."""
    parts = module.split(".")
    if parts[0] != NAME:
        return None
    base = PACKAGE.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def imported_modules(source: Path) -> frozenset[str]:
    """The modules of this package that `source` imports, anywhere in the file (read once per
    process: planning asks for each file many times)."""
    found = set()
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from cnn_lesson import data` imports the module cnn_lesson.data
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(module for module in found if module_path(module) is not None)


def package_inits(module: str) -> list[Path | None]:
    """The __init__.py of each package above `module` ('cnn_lesson.workflow.logs'), outermost
    first: Python runs them before the module."""
    parts = module.split(".")
    return [module_path(".".join(parts[:end])) for end in range(1, len(parts))]


def code_files(script: Path) -> list[Path]:
    """`script` and every package source file it runs: its imports, theirs, and so on."""
    return list(_code_files(Path(script)))


@cache
def _code_files(script: Path) -> tuple[Path, ...]:
    files, queue = {Path(script)}, [Path(script)]
    while queue:
        for module in imported_modules(queue.pop()):
            # importing cnn_lesson.a.b runs cnn_lesson/__init__.py and cnn_lesson/a/__init__.py
            for path in (*package_inits(module), module_path(module)):
                if path is not None and path not in files:
                    files.add(path)
                    queue.append(path)
    return tuple(sorted(files))


@cache
def code_digest(path: Path) -> str:
    """The first 12 hex digits of the SHA-256 of a Python file's syntax tree."""
    tree = ast.dump(ast.parse(Path(path).read_text(), str(path)))
    return hashlib.sha256(tree.encode()).hexdigest()[:12]


def definitions_digest(path: Path, names: tuple[str, ...]) -> str:
    """The first 12 hex digits of the SHA-256 of what a module's top-level `names` are: their
    statements, those of every top-level name they use, and so on, and the module's imports.
    An edition's trainings depend on its MODELS, not on its claims' words."""
    tree = ast.parse(Path(path).read_text(), str(path))
    defines = {id(node): _defined_names(node) for node in tree.body}
    wanted, queue = set(), list(names)
    while queue:
        name = queue.pop()
        if name in wanted:
            continue
        wanted.add(name)
        for node in tree.body:
            if name in defines[id(node)]:
                queue += [used.id for used in ast.walk(node) if isinstance(used, ast.Name)]
    kept = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
            or wanted & defines[id(node)]]
    dump = "".join(ast.dump(node) for node in kept)
    return hashlib.sha256(dump.encode()).hexdigest()[:12]


def _defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, ast.AnnAssign) else []
    return {found.id for target in targets for found in ast.walk(target)
            if isinstance(found, ast.Name)}


def label(path: Path, root: Path) -> str:
    """A file's name as the reason for a rerun shows it: 'cnn_lesson/data.py' or the path
    of a script relative to the workflow's folder."""
    path = Path(path)
    if path.is_relative_to(PACKAGE):
        return f"{NAME}/{path.relative_to(PACKAGE).as_posix()}"
    return path.relative_to(root).as_posix()


def code_params(script: Path, root: Path, module: str | None = None,
                names: tuple[str, ...] | None = None) -> dict[str, str]:
    """One Snakemake param per file of code `script` runs, e.g. code_cnn_lesson_plots:
    'code of cnn_lesson/plots.py: 1a2b3c4d5e6f'. A change to one of them reruns the job, and
    `snakemake -n` names the file in its reason. `module` adds one the script imports by name
    (an edition's), whole or, with `names`, those of its definitions (definitions_digest)."""
    params = {}
    for path in code_files(script):
        params[_key(path, root)] = f"code of {label(path, root)}: {code_digest(path)}"
    if module:
        path = module_path(module)
        digest = definitions_digest(path, names) if names else code_digest(path)
        part = f" ({', '.join(names)})" if names else ""
        params[_key(path, root)] = f"code of {label(path, root)}{part}: {digest}"
    return params


def _key(path: Path, root: Path) -> str:
    return "code_" + label(path, root).removesuffix(".py").replace("/", "_").replace(".", "_")
