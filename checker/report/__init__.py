"""Reports of a `mathcheck check` run: text, JSON, JUnit XML, GitHub annotations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from checker.report import github, json_report, junit, text
from checker.results import Result

FORMATS = ("text", "json", "junit", "github")


def write(results: Sequence[Result], fmt: str, out: TextIO, *, strict: bool = False,
          seconds: float | None = None, sources: Mapping[str, Sequence[str]] | None = None,
          errors: Sequence[str] = ()) -> None:
    """Write `results` in format `fmt` to `out`.

    Args:
        results: the results, in document order.
        fmt: one of FORMATS.
        strict: whether unparsed and inconclusive results count as failures.
        seconds: how long the run took (text only).
        sources: file → its lines, for the context lines of the text report.
        errors: files that could not be read, one message each.
    """
    if fmt == "text":
        text.write(results, out, strict=strict, seconds=seconds, sources=sources or {}, errors=errors)
    elif fmt == "json":
        json_report.write(results, out, errors=errors)
    elif fmt == "junit":
        junit.write(results, out, strict=strict, errors=errors)
    elif fmt == "github":
        github.write(results, out, strict=strict, errors=errors)
    else:
        raise ValueError(f"format {fmt!r}: one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "write"]
