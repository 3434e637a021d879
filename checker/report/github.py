"""`--format github`: workflow commands that GitHub Actions shows as annotations.

``::error file=F,line=L,col=C,title=T::message``. Values are escaped as the Actions
toolkit does: ``%`` → ``%25``, CR → ``%0D``, LF → ``%0A`` everywhere, and in properties
also ``:`` → ``%3A`` and ``,`` → ``%2C``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from checker.results import Result
from checker.verdict import Status


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, r: Result, message: str) -> str:
    label = f"expected wrong, but {r.verdict.value}" if r.expected_wrong else r.verdict.value
    if r.cell is None:
        where = f"file={escape_property(r.file)},line={r.line},col={r.column}"
    else:
        # a notebook's line numbers count within a cell, not in the file's JSON: name the cell instead
        where = f"file={escape_property(r.file)}"
        label += f" (cell {r.cell}, line {r.line})"
    return f"::{level} {where},title={escape_property('mathcheck: ' + label)}::{escape_data(message)}"


def _message(r: Result) -> str:
    text = r.message or r.verdict.value
    if r.counterexample is not None:
        text += "\n" + r.counterexample.describe()
    return f"{text}\n{r.latex[:300]}"


def write(results: Sequence[Result], out: TextIO, *, strict: bool = False, errors: Sequence[str] = ()) -> None:
    for e in errors:
        out.write(f"::error title=mathcheck::{escape_data(e)}\n")
    for r in results:
        if r.failed:
            out.write(annotation("error", r, _message(r)) + "\n")
        elif r.verdict in (Status.UNPARSED, Status.INCONCLUSIVE):
            out.write(annotation("error" if strict else "warning", r, _message(r)) + "\n")
