"""Reading ahead in budgeted workers gives what reading in process gives, and never hangs."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from pathlib import Path

import pytest
import sympy as sp

from checker.notation import Notation, ParseError, parse_latex
from checker.notes import Equation, read_path
from checker.notes_check import _rows, check_equations
from checker.notes_run import check_sources
from checker.prefetch import BudgetedParser, ParseBudgetSpent, parse_budget

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "notes"
HANG = 300.0  # wall-clock seconds: only a safety net against a run that never ends, whatever the load


def _cpu() -> float:
    """CPU seconds used by this process and by the workers it has ended (budgets count CPU time, not wall time)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _texts(paths: list[Path], limit: int) -> list[str]:
    out = []
    for path in paths:
        for item in read_path(path):
            if isinstance(item, Equation):
                out.extend(r.latex for r in _rows(item))
    return list(dict.fromkeys(out))[:limit]


def _answer(parse, text: str):  # type: ignore[no-untyped-def]
    try:
        p = parse(text, notation=Notation())
    except ParseError as exc:
        return "error", str(exc)
    return p.relation, p.sides, p.relations


def test_prefetched_answers_equal_in_process_answers():
    """For the rows of the examples (and of some corpus notes), the workers' answers are parse_latex's."""
    paths = sorted((ROOT / "examples").iterdir()) + (sorted(CORPUS.iterdir())[:2] if CORPUS.is_dir() else [])
    texts = _texts(paths, 120)
    assert len(texts) > (30 if CORPUS.is_dir() else 15)  # the examples alone have about twenty rows
    with BudgetedParser(timeout=5.0, jobs=2) as parser:
        parser.prefetch([(t, Notation()) for t in texts])
    for text in texts:
        ours, theirs = _answer(parser, text), _answer(parse_latex, text)
        assert ours[0] == theirs[0] and ours[-1] == theirs[-1], text
        if ours[0] != "error":  # the same tree, up to a factor 1 that SymPy's Sum adds when rebuilt unevaluated
            assert all(a == b or sp.expand(a - b) == 0 for a, b in zip(ours[1], theirs[1], strict=True)), text
    assert parser.misses == 0
    assert not mp.active_children()  # the workers are gone once the parser is closed


def test_a_text_not_fetched_ahead_is_parsed_in_a_budgeted_worker():
    """A miss is parsed in a worker of its own; one that never finishes raises ParseBudgetSpent at the budget."""
    parser = BudgetedParser(timeout=1.0)
    assert _answer(parser, "a + a = 2a") == _answer(parse_latex, "a + a = 2a")
    start, cpu = time.monotonic(), _cpu()
    with pytest.raises(ParseBudgetSpent, match="time budget spent"):
        parser("\\frac{1}{3^{10^{12}}} = y", notation=Notation())
    assert _cpu() - cpu < 1.0 + 2.0
    assert time.monotonic() - start < HANG, "safety net only"
    assert parser.misses == 2
    with pytest.raises(ParseBudgetSpent):  # remembered, not tried again
        parser("\\frac{1}{3^{10^{12}}} = y", notation=Notation())
    assert parser.misses == 2


def test_reading_gets_a_share_of_the_budget_with_a_floor():
    """Reading gets a quarter of the time budget, at least one second, and never more than the budget."""
    assert parse_budget(8.0) == 2.0
    assert parse_budget(2.0) == 1.0
    assert parse_budget(0.5) == 0.5


def test_the_parallel_run_gives_the_results_of_the_in_process_planner():
    """check_sources (read ahead, pooled, parallel) gives check_equations' results, source by source."""
    paths = sorted(str(p) for p in (ROOT / "examples").iterdir())
    ours = check_sources(paths, jobs=2, timeout=5.0).results
    theirs = [r for p in paths for r in check_equations(read_path(p), timeout=5.0)]
    assert [(r.file, r.line, r.step, r.verdict, r.method, r.message) for r in ours] == \
        [(r.file, r.line, r.step, r.verdict, r.method, r.message) for r in theirs]
    assert any(r.verdict.value == "wrong" for r in ours)


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus/notes")
def test_the_parallel_run_gives_the_in_process_results_on_the_corpus():
    """On the corpus notes, every result of check_sources is check_equations', but for reading budgets spent."""
    paths = sorted(str(p) for p in CORPUS.iterdir())
    ours = {(r.file, r.line, r.column, r.step): r.to_json() for r in check_sources(paths, jobs=2, timeout=5.0).results}
    theirs = {(r.file, r.line, r.column, r.step): r.to_json()
              for p in paths for r in check_equations(read_path(p), timeout=5.0)}
    differ = [k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k)]
    assert all("while reading the equation" in (ours.get(k) or {}).get("message", "") for k in differ), differ
    assert len(differ) <= 2


def test_a_slow_text_does_not_hold_up_the_rest_and_the_notation_after_it_is_right(tmp_path):
    """A text that spends its reading budget pauses only its own source; rows after a declaration read in its notation."""
    slow = tmp_path / "a_slow.md"
    slow.write_text("$$\\frac{1}{3^{10^{12}}} = y$$\n\n$W \\in \\mathbb{R}^{2 \\times 2}$\n\n$$W^T = W^T$$\n\n"
                    "$$(a+b)^2 = a^2 + 2ab + b^2$$\n", encoding="utf-8")
    fast = tmp_path / "b_fast.md"
    fast.write_text("\n\n".join(f"$$(x + {k})^2 = x^2 + {2 * k}x + {k * k}$$" for k in range(1, 30)) + "\n",
                    encoding="utf-8")
    paths = [str(slow), str(fast)]
    start, cpu = time.monotonic(), _cpu()
    parallel = check_sources(paths, jobs=2, timeout=2.0)
    elapsed = _cpu() - cpu  # CPU seconds: what the budgets count
    assert time.monotonic() - start < HANG, "safety net only"
    serial = check_sources(paths, jobs=1, timeout=2.0)
    signature = [(r.file, r.line, r.step, r.verdict, r.message) for r in parallel.results]
    assert signature == [(r.file, r.line, r.step, r.verdict, r.message) for r in serial.results]
    assert signature[0][3].value == "inconclusive" and "while reading" in signature[0][4]
    assert [r.verdict.value for r in parallel.results if r.file == str(fast)] == ["verified"] * 29
    theirs = [(r.line, r.verdict, r.message) for r in check_equations(read_path(slow)[1:], timeout=2.0)]
    assert [(r.line, r.verdict, r.message) for r in parallel.results if r.file == str(slow)][1:] == theirs
    assert elapsed < 1.0 + 6.0
