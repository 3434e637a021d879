"""Fuzzing: the readers never raise on generated LaTeX and Markdown, and the engine never calls a
mutated expression verified where it differs from the original at a sampled point."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from checker.claims import Identity
from checker.engine import check
from checker.errors import SourceError
from checker.notes import read_latex, read_markdown, read_notebook
from checker.notes import read_path
from checker.verdict import Status

#: Small in the default run; the slow profile goes deeper.
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEEP = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUICK_ENGINE = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEEP_ENGINE = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- text that looks like notes: the pieces readers split on, in any order ------------------

_PIECES = ["$", "$$", "\\[", "\\]", "\\(", "\\)", "{", "}", "\\\\", "&", "%", "\n", "\n\n", " ", "#", "> ", "- ",
           "1. ", "```", "```math\n", "`", "<!--", "-->", "mathcheck: assume x > 0", "mathcheck: skip", "\\begin{align}",
           "\\end{align}", "\\begin{equation*}", "\\end{equation*}", "\\begin{verbatim}", "\\end{verbatim}", "\\label{a}",
           "x", "y^2", "\\frac{1}{2}", "=", "\\le", "\\sigma(z)", "\\sum_{i=1}^n", "é", "∂", "\t", "\r\n", "\\", "<div>"]
notes_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=60).map("".join)


def _check_items(items: list[Any], text: str) -> None:
    lines = text.count("\n") + 1
    for item in items:
        assert 1 <= item.line <= lines, (item, lines)
        if hasattr(item, "column"):
            assert item.column >= 1


def _read_or_source_error(read: Any, text: str, **kw: Any) -> None:
    try:
        items = read(text, file="fuzz", **kw)
    except SourceError as exc:  # a clear message is allowed; any other exception is a bug
        assert exc.path == "fuzz" and str(exc)
        return
    _check_items(items, text)


def _readers_never_raise(text: str) -> None:
    _read_or_source_error(read_markdown, text)
    _read_or_source_error(read_latex, text)


@QUICK
@given(notes_text)
def test_readers_never_raise_on_generated_notes(text):
    """Markdown and LaTeX readers return located equations or a SourceError, for any text."""
    _readers_never_raise(text)


@pytest.mark.slow
@DEEP
@given(notes_text)
def test_readers_never_raise_on_generated_notes_deep(text):
    """The same, on ten times as many generated notes."""
    _readers_never_raise(text)


@QUICK
@given(st.binary(max_size=200), st.sampled_from(["n.md", "n.tex", "n.ipynb", "n.txt"]))
def test_read_path_never_raises_on_arbitrary_bytes(tmp_path_factory, data, name):
    """Any bytes, under any suffix, are read or refused with a SourceError naming the file."""
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    try:
        read_path(path)
    except SourceError as exc:
        assert str(path) in str(exc)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8) | notes_text,
                           lambda c: st.lists(c, max_size=4) | st.dictionaries(st.sampled_from(
                               ["cells", "cell_type", "source", "markdown", "code"]), c, max_size=4), max_leaves=12)


@QUICK
@given(json_values)
def test_notebook_reader_never_raises_on_odd_json(value):
    """A notebook of any JSON shape is read or refused with a SourceError."""
    _read_or_source_error(read_notebook, json.dumps(value))


# --- mutated expression pairs -------------------------------------------------------------------

X, Y = sp.symbols("x y", positive=True)
_leaves = st.sampled_from([X, Y]) | st.integers(1, 4).map(sp.Integer)


def _extend(children: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda t: t[0] + t[1]), pair.map(lambda t: t[0] - t[1]), pair.map(lambda t: t[0] * t[1]),
        pair.map(lambda t: t[0] / (1 + t[1] ** 2)), st.tuples(children, st.integers(2, 3)).map(lambda t: t[0] ** t[1]),
        children.map(sp.sin), children.map(sp.cos), children.map(lambda c: sp.exp(c / 4)),
        children.map(lambda c: sp.log(1 + c ** 2)),
    )


expressions = st.recursive(_leaves, _extend, max_leaves=5)


def _mutate(e: sp.Expr, where: int, how: int) -> sp.Expr:
    """A small change at one subtree: a constant nudged, a variable swapped, an operation changed."""
    subtrees = list(sp.preorder_traversal(e))
    sub = subtrees[where % len(subtrees)]
    swaps = {sp.sin: sp.cos, sp.cos: sp.sin}
    if how == 0:
        new = sub + 1
    elif how == 1:
        new = sub.xreplace({X: Y, Y: X}) if sub.free_symbols else sub + X
    elif how == 2:
        new = swaps[sub.func](*sub.args) if sub.func in swaps else 2 * sub
    elif how == 3:
        new = sub ** 2 if sub != 1 else sub + Y
    else:
        new = -sub if sub != 0 else X
    return e.xreplace({sub: new})


def _differs_at(a: sp.Expr, b: sp.Expr, point: dict[sp.Symbol, sp.Float]) -> bool | None:
    """Whether a and b differ at the point (relative 1e-8, at 30 digits); None when a side is not finite."""
    try:
        va, vb = sp.N(a.subs(point), 30), sp.N(b.subs(point), 30)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (va.is_real and vb.is_real and va.is_finite and vb.is_finite):
        return None
    return bool(abs(va - vb) > 1e-8 * max(1, abs(va), abs(vb)))


def _assert_sound(e: sp.Expr, mutated: sp.Expr, point: dict[sp.Symbol, sp.Float], engine: Any = check) -> bool:
    """The engine's verdicts on (e, mutated) and (e, e) agree with the sampled point; returns `differs`."""
    differs = _differs_at(e, mutated, point)
    if differs is None:
        return False
    verdict = engine(Identity(lhs=e, rhs=mutated), seed=0, timeout=2.0).verdict
    if differs:
        assert verdict.status is not Status.VERIFIED, f"{e} = {mutated} called verified by {verdict.method}"
    same = engine(Identity(lhs=e, rhs=e), seed=0, timeout=2.0).verdict
    assert same.status is not Status.WRONG, f"{e} = {e} called wrong"
    return differs


def _never_verified_where_it_differs(e: sp.Expr, where: int, how: int, px: float, py: float) -> None:
    mutated = _mutate(e, where, how)
    point = {X: sp.Float(px, 30), Y: sp.Float(py, 30)}
    assume(_differs_at(e, mutated, point) is not None)
    note(f"{e} vs {mutated} at {point}")
    _assert_sound(e, mutated, point)


points = st.floats(0.2, 3.0, allow_nan=False)


@QUICK_ENGINE
@given(expressions, st.integers(0, 50), st.integers(0, 4), points, points)
def test_mutated_expressions_are_never_verified_where_they_differ(e, where, how, px, py):
    """An expression and a mutation of it that differ at a sampled point are never called verified."""
    _never_verified_where_it_differs(e, where, how, px, py)


@pytest.mark.slow
@DEEP_ENGINE
@given(expressions, st.integers(0, 50), st.integers(0, 4), points, points)
def test_mutated_expressions_are_never_verified_where_they_differ_deep(e, where, how, px, py):
    """The same, on ten times as many pairs."""
    _never_verified_where_it_differs(e, where, how, px, py)


def test_the_mutation_check_catches_a_wrong_verdict():
    """The soundness assertion fails when an engine calls a differing pair verified, or a true one wrong."""
    from checker.verdict import ClaimResult, CheckResult, Counterexample, Method, Verdict

    def always(verdict: Verdict) -> Any:
        return lambda claim, **kw: ClaimResult(checks=(CheckResult(name="forged", verdict=verdict),))

    point = {X: sp.Float(1, 30), Y: sp.Float(2, 30)}
    with pytest.raises(AssertionError, match="called verified"):
        _assert_sound(X + 1, X + 2, point, engine=always(Verdict.verified(Method.NUMERIC)))
    wrong = Verdict.wrong(Method.NUMERIC, Counterexample(point=(("x", 1.0),), lhs=1.0, rhs=2.0))
    with pytest.raises(AssertionError, match="called wrong"):
        _assert_sound(X + 1, X + 2, point, engine=always(wrong))
    assert _assert_sound(X + 1, X + 2, point) is True  # the real engine: the pair differs and is not verified
