"""pytest plugin: ``pytest --mathcheck notes/`` collects every equation of the notes as a test.

Each equation is an item named after its line (node id ``notes/logreg.md::14``). A wrong
equation fails with the equation, the counterexample and the source line, as doctest
failures do; `inconclusive` and `unparsed` equations are skipped with the reason (they fail
under ``--mathcheck-strict``). Notes are checked file by file, in order, because later
equations use the definitions of earlier ones; with pytest-xdist, ``--dist loadfile`` keeps a
file's equations on one worker (other modes work too, repeating a file's checks per worker).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SUFFIXES = {".md", ".markdown", ".tex", ".ipynb"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mathcheck", "check the equations of notes with mathcheck")
    group.addoption("--mathcheck", action="store_true", default=False,
                    help="collect the equations of Markdown, LaTeX and notebook files as tests")
    group.addoption("--mathcheck-strict", action="store_true", default=False,
                    help="unparsed or inconclusive equations fail instead of being skipped")
    group.addoption("--mathcheck-timeout", type=float, default=None, metavar="S",
                    help="time budget per equation in seconds (default: configuration, else 5)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if parent.config.getoption("mathcheck") and file_path.suffix.lower() in SUFFIXES:
        return NotesFile.from_parent(parent, path=file_path)
    return None


class MathcheckFailure(Exception):
    """An equation of the notes is wrong."""


class NotesFile(pytest.File):
    """A notes file; its items are its equations."""

    _results: list[Any] | None = None

    def collect(self) -> Iterator[EquationItem]:
        from checker.errors import SourceError
        from checker.notes import Equation, read_path

        try:
            items = read_path(str(self.path))
        except SourceError as exc:
            raise self.CollectError(str(exc)) from None
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            if not isinstance(item, Equation):
                continue
            name = str(item.line) if item.cell is None else f"cell{item.cell}:{item.line}"
            if name in seen:
                name = f"{name}:{item.column}"
            seen[name] = 1
            yield EquationItem.from_parent(self, name=name, index=index, equation=item)

    def results(self) -> list[Any]:
        """Check the whole file once, in order (definitions carry over), and keep the results."""
        if self._results is None:
            from checker.config import discover
            from checker.notation import Notation
            from checker.notes import read_path
            from checker.notes_check import check_equations

            cfg = discover(self.path.parent)
            timeout = self.config.getoption("mathcheck_timeout") or cfg.timeout
            notation = Notation(log_base=cfg.log, sigma="sigmoid" if cfg.sigma == "sigmoid" else "symbol")
            self._results = check_equations(read_path(str(self.path)), notation=notation, seed=cfg.seed,
                                            timeout=timeout)
        return self._results


class EquationItem(pytest.Item):
    """One equation of a notes file."""

    def __init__(self, *, index: int, equation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index
        self.equation = equation

    def _mine(self) -> list[Any]:
        eq = self.equation
        rows = {(r.line, r.column) for r in eq.rows} | {(eq.line, eq.column)}
        return [r for r in self.parent.results()  # type: ignore[attr-defined]
                if (r.line, r.column) in rows and r.cell == eq.cell]

    def runtest(self) -> None:
        strict = self.config.getoption("mathcheck_strict")
        mine = self._mine()
        failed = [r for r in mine if r.failed]
        undecided = [r for r in mine if r.verdict.value in ("unparsed", "inconclusive")]
        if failed or (strict and undecided):
            raise MathcheckFailure(failed or undecided)
        if undecided:
            pytest.skip("; ".join(f"{r.verdict.value}: {r.message}" for r in undecided))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, MathcheckFailure):
            return super().repr_failure(excinfo)
        lines = []
        source = self.path.read_text(encoding="utf-8", errors="replace").splitlines() if self.equation.cell is None else []
        for r in excinfo.value.args[0]:
            label = r.verdict.value if not r.expected_wrong else f"expected wrong, but {r.verdict.value}"
            lines.append(f"{r.location}: {label}" + (f" (step {r.step})" if r.step > 1 else "") + f": {r.message}")
            if source and 1 <= r.line <= len(source):
                lines.append(f"{r.line:03d} {source[r.line - 1]}")
            else:
                lines.append(f"    {r.latex}")
            if r.counterexample is not None:
                lines.append(f"    {r.counterexample.describe()}")
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.equation.line - 1, f"{self.path.name}::{self.name}"
