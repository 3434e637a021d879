"""pytest plugin: ``pytest --mathcheck notes/`` collects every checkable equation as a test.

Each equation with something to check is an item named after its line (node id
``notes/logreg.md::14``; ``notes/nb.ipynb::cell3:2`` in a notebook; ``::14:30`` when two
equations share a line). Definitions are not items: they only give later equations their
meaning. A wrong equation fails with the equation, the counterexample and the source line,
as doctest failures do; `inconclusive` and `unparsed` equations are skipped with the reason
(they fail under ``--mathcheck-strict`` or ``strict = true``).

A file is read and planned at collection, in order, because later equations use the
definitions of earlier ones; that is cheap (parsing only). Each item then checks only its
own claims, so with pytest-xdist (``-n 2``, any ``--dist`` mode) every claim is checked
once, on the worker that runs its item.

Configuration (``[tool.mathcheck]`` or ``mathcheck.toml``, found from the file's folder
upwards) gives include/exclude globs, the notation, assumptions, timeout, seed and
strictness; the ``--mathcheck-*`` options override it.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from checker.config import Config, ConfigError, assumptions_of, discover, notation_of
from checker.errors import SourceError
from checker.results import Result
from checker.verdict import Status, Verdict

_UNDECIDED = (Status.UNPARSED, Status.INCONCLUSIVE)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mathcheck", "check the equations of notes with mathcheck")
    group.addoption("--mathcheck", action="store_true", default=False,
                    help="collect the equations of Markdown, LaTeX and notebook files as tests")
    group.addoption("--mathcheck-strict", action=argparse.BooleanOptionalAction, default=None,
                    help="unparsed or inconclusive equations fail instead of being skipped "
                         "(default: the configuration's 'strict', else off)")
    group.addoption("--mathcheck-timeout", type=float, default=None, metavar="S",
                    help="time budget per equation in seconds (default: configuration, else 5)")
    group.addoption("--mathcheck-seed", type=int, default=None, metavar="N",
                    help="seed of the sampled points (default: configuration, else 0)")


def pytest_configure(config: pytest.Config) -> None:
    _config_for.cache_clear()  # a new session reads the configuration files afresh
    timeout = config.getoption("mathcheck_timeout")
    if timeout is not None and timeout <= 0:
        raise pytest.UsageError("--mathcheck-timeout must be a positive number of seconds")


@lru_cache(maxsize=256)
def _config_for(folder: Path) -> Config | ConfigError:
    """The configuration of a folder (cached: every file of a folder asks for it)."""
    try:
        return discover(folder)
    except ConfigError as exc:
        return exc


def _wanted(path: Path, cfg: Config) -> bool:
    """Whether the include/exclude globs of `cfg` select `path` (as `mathcheck check` does in folders).

    `include` is matched against the file name; `exclude` against the path from the
    configuration's folder, each folder on it, and their names, so ``drafts/*``, ``drafts``
    and ``*.draft.md`` all work.
    """
    if not any(fnmatch.fnmatch(path.name, pat) for pat in cfg.include):
        return False
    base = Path(cfg.source).parent if cfg.source else Path.cwd()
    try:
        rel = path.resolve().relative_to(base.resolve())
    except ValueError:
        rel = path
    candidates = [rel.as_posix()] + [p.as_posix() for p in rel.parents if p.as_posix() not in (".", "/")]
    return not any(fnmatch.fnmatch(c, pat) or fnmatch.fnmatch(c.rsplit("/", 1)[-1], pat)
                   or fnmatch.fnmatch(c, "*/" + pat) for c in candidates for pat in cfg.exclude)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not parent.config.getoption("mathcheck"):
        return None
    cfg = _config_for(file_path.parent.resolve())
    if isinstance(cfg, ConfigError):
        # a broken configuration is reported once per notes file it applies to, never ignored
        if file_path.suffix.lower() in (".md", ".markdown", ".tex", ".ipynb"):
            return NotesFile.from_parent(parent, path=file_path, cfg=None, problem=str(cfg))
        return None
    if _wanted(file_path, cfg):
        return NotesFile.from_parent(parent, path=file_path, cfg=cfg, problem=None)
    return None


class MathcheckFailure(Exception):
    """An equation of the notes is wrong (or, strictly, undecided)."""


def _display_name(path: Path) -> str:
    """The path as reports show it: relative to the current folder when below it."""
    rel = os.path.relpath(path)
    return path.as_posix() if rel.startswith("..") else Path(rel).as_posix()


def _item_name(task: Any) -> str:
    eq = task.eq
    return str(eq.line) if eq.cell is None else f"cell{eq.cell}:{eq.line}"


def _checkable(tasks: list[Any]) -> bool:
    """Whether an equation's tasks hold something to check or to report (not a definition alone)."""
    for t in tasks:
        if t.claim is not None or isinstance(t.fixed, Verdict) or t.kind == "skipped":
            return True
    return False


class NotesFile(pytest.File):
    """A notes file; its items are its checkable equations."""

    def __init__(self, *, cfg: Config | None, problem: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cfg = cfg
        self.problem = problem
        self.plan: Any = None

    def collect(self) -> Iterator[EquationItem]:
        from checker.notes import read_path
        from checker.notes_check import Plan
        from checker.prefetch import BudgetedParser, parse_budget

        if self.problem is not None or self.cfg is None:
            raise self.CollectError(self.problem or "no configuration")
        try:
            items = read_path(_display_name(self.path))
            assumptions = assumptions_of(self.cfg)
        except (SourceError, ConfigError) as exc:
            raise self.CollectError(str(exc)) from None
        timeout = self.config.getoption("mathcheck_timeout")
        timeout = self.cfg.timeout if timeout is None else timeout
        # reading an equation is budgeted too: (1/3)^{10^{12}} must not hang the collection
        with BudgetedParser(timeout=parse_budget(timeout)) as parse:
            plan = Plan(parse=parse)
            plan.add_source(items, notation=notation_of(self.cfg), assumptions=assumptions)
        self.plan = plan
        groups: dict[tuple[int, int, int | None], list[Any]] = {}
        for task in plan.tasks:
            groups.setdefault((task.eq.line, task.eq.column, task.eq.cell), []).append(task)
        names: dict[str, int] = {}
        for (line, column, _cell), tasks in groups.items():
            if not _checkable(tasks):
                continue
            name = _item_name(tasks[0])
            if name in names:
                name = f"{name}:{column}"  # two equations on one line: the column tells them apart
            names[name] = 1
            yield EquationItem.from_parent(self, name=name, tasks=tasks, line=line)


class EquationItem(pytest.Item):
    """One equation of a notes file: its claims (one per step of a chain)."""

    def __init__(self, *, tasks: list[Any], line: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tasks = tasks
        self.line = line
        self.results: list[Result] = []

    def _option(self, name: str, default: Any) -> Any:
        value = self.config.getoption(name)
        return default if value is None else value

    def runtest(self) -> None:
        from checker.notes_check import Plan, execute

        parent: NotesFile = self.parent  # type: ignore[assignment]
        cfg = parent.cfg or Config()
        sub = Plan()
        sub.tasks = self.tasks
        sub.chains = parent.plan.chains  # a chain never leaves its equation: these tasks are all it needs
        self.results = execute(sub, seed=self._option("mathcheck_seed", cfg.seed),
                               timeout=self._option("mathcheck_timeout", cfg.timeout), jobs=1)
        strict = self._option("mathcheck_strict", cfg.strict)
        failed = [r for r in self.results if r.failed]
        undecided = [r for r in self.results if r.verdict in _UNDECIDED]
        if failed or (strict and undecided):
            raise MathcheckFailure(failed + (undecided if strict else []))
        if undecided:
            pytest.skip("; ".join(f"{r.verdict.value}: {r.message}" for r in undecided))
        if self.results and all(r.verdict is Status.SKIPPED for r in self.results):
            pytest.skip(self.results[0].message or "skipped")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, MathcheckFailure):
            return str(super().repr_failure(excinfo))
        source: list[str] = []
        if self.tasks[0].eq.cell is None:
            source = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        lines = []
        for r in excinfo.value.args[0]:
            label = r.verdict.value if not r.expected_wrong else f"expected wrong, but {r.verdict.value}"
            step = f" (step {r.step})" if r.step > 1 else ""
            lines.append(f"{r.location}: {label}{step}: {r.message}")
            if source and 1 <= r.line <= len(source):
                lines.append(f"{r.line:03d} {source[r.line - 1]}")
            else:
                lines.append(f"    {r.latex}")
            if r.counterexample is not None:
                lines.append(f"    {r.counterexample.describe()}")
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line - 1, f"{self.path.name}::{self.name}"
