"""Exceptions of mathcheck. Each carries a sentence and the fields behind it."""

from __future__ import annotations


class MathcheckError(Exception):
    """Base class of the errors mathcheck raises for misuse."""


class UsageError(MathcheckError, ValueError):
    """A command was called with arguments that cannot work (exit status 2)."""


class SourceError(MathcheckError, OSError):
    """A source file could not be read.

    Attributes:
        path: the file.
        line: the line where reading failed, when known.
    """

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.args[0]}"


class UnsafeNameError(MathcheckError, ValueError):
    """A symbol or function name is not a plain identifier and must not reach `lambdify`."""

    def __init__(self, name: str) -> None:
        super().__init__(f"name {name[:60]!r} is not a plain identifier; refusing to evaluate it")
        self.name = name


class BudgetSpent(MathcheckError, TimeoutError):
    """A computation used up its time or memory budget."""

    def __init__(self, seconds: float, what: str = "computation") -> None:
        super().__init__(f"time budget spent ({seconds:g} s) in {what}")
        self.seconds = seconds
        self.what = what
