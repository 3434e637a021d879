"""Readers of notes: Markdown (and plain text), LaTeX, Jupyter notebooks, standard input.

They extract equations (with file, line, column) and ``mathcheck:`` directives, in order;
they do not parse the mathematics (that is `checker.notation`).
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from checker.errors import SourceError
from checker.notes._model import Directive, Equation, Row, decode
from checker.notes.latex import read_latex
from checker.notes.markdown import read_markdown

DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.tex", "*.ipynb", "*.txt")
MAX_BYTES = 20 * 1024 * 1024


def read_notebook(text: str, *, file: str) -> list[Equation | Directive]:
    """The Markdown cells of a Jupyter notebook; `line` is the line within the cell."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not a valid notebook (JSON: {exc.msg})", path=file, line=exc.lineno) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise SourceError("not a notebook: no list of cells", path=file)
    out: list[Equation | Directive] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(s) for s in source)
        if not isinstance(source, str):
            continue
        out.extend(read_markdown(source, file=file, cell=index))
    return out


def _kind(path: str, text: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".tex", ".ltx", ".latex"):
        return "latex"
    if suffix == ".ipynb":
        return "notebook"
    if path == "-" and text.lstrip().startswith(("\\documentclass", "\\begin")):
        return "latex"
    return "markdown"


def read_path(path: str | os.PathLike[str], *, text: str | None = None) -> list[Equation | Directive]:
    """Equations and directives of one source, by its kind (suffix; "-" is standard input).

    Plain text files (``.txt``) and anything unknown are read as Markdown.
    """
    name = os.fspath(path)
    if text is None:
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                size = os.path.getsize(name)
                if size > MAX_BYTES:
                    raise SourceError(f"file too large ({size} bytes; at most {MAX_BYTES})", path=name)
                with open(name, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                raise SourceError(f"cannot read: {exc.strerror}", path=name) from None
        text = decode(data, name)
    kind = _kind(name, text)
    try:
        if kind == "latex":
            return read_latex(text, file=name)
        if kind == "notebook":
            return read_notebook(text, file=name)
        return read_markdown(text, file=name)
    except RecursionError:
        raise SourceError("nested too deeply to read", path=name) from None


def iter_sources(paths: Sequence[str], *, include: Sequence[str] = DEFAULT_INCLUDE,
                 exclude: Sequence[str] = ()) -> list[str]:
    """Files to read: the files given, and the files of the folders given, recursively.

    Folder contents are filtered by `include` and `exclude` (glob patterns matched against
    the file name and the path), sorted for a deterministic order. A file named explicitly
    is read whatever its name. A missing path is an error.
    """
    out: list[str] = []
    for p in paths:
        if p == "-":
            out.append(p)
            continue
        if os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _excluded(os.path.join(root, d), exclude))
                for f in files:
                    full = os.path.join(root, f)
                    if any(fnmatch.fnmatch(f, pat) for pat in include) and not _excluded(full, exclude):
                        found.append(full)
            out.extend(sorted(found))
        elif os.path.exists(p):
            out.append(p)
        else:
            raise SourceError("no such file or folder", path=p)
    return list(dict.fromkeys(out))


def _excluded(path: str, exclude: Sequence[str]) -> bool:
    norm = path.replace(os.sep, "/")
    return any(fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(os.path.basename(norm), pat)
               or fnmatch.fnmatch(norm, "*/" + pat) for pat in exclude)


__all__ = ["DEFAULT_INCLUDE", "Directive", "Equation", "Row", "iter_sources", "read_latex", "read_markdown",
           "read_notebook", "read_path"]
