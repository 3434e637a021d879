"""The renderer: ML notation, and a round trip of every catalog formula through our reader."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sympy as sp

import formulas
from checker import operators as ops
from checker.functions import sigmoid
from checker.notation import ParseError
from checker.readback import normalise, read_back
from checker.render import MLLatexPrinter, latex_of


def _matrices(expr: Any) -> set[Any]:
    return {a for a in sp.preorder_traversal(expr) if isinstance(a, (sp.MatrixSymbol, sp.Identity))}


def _sides(statement: Any) -> tuple[Any, ...]:
    if isinstance(statement, (sp.Implies, ops.SubjectTo)):
        return statement.args
    if isinstance(statement, sp.core.relational.Relational):
        return (statement.lhs, statement.rhs)
    return (statement,)


def round_trip(statement: Any, latex: str | None = None) -> list[str]:
    """What differs between `statement` and its rendered LaTeX read back (empty: nothing)."""
    tex = latex_of(statement) if latex is None else latex
    parsed = read_back(tex, matrices=_matrices(statement))
    want = _sides(statement)
    if len(parsed.sides) != len(want):
        return [f"{len(parsed.sides)} sides read back, {len(want)} written: {tex}"]
    problems = [] if _same_relation(statement, parsed.relation) else [f"relation: read back {parsed.relation}"]
    for k, (w, got) in enumerate(zip(want, parsed.sides)):
        problems += [f"side {k}: {p}" for p in _differences(w, got)]
    return problems


def _same_relation(statement: Any, relation: str | None) -> bool:
    if isinstance(statement, sp.Implies):
        return relation == "implies"
    if isinstance(statement, ops.SubjectTo):
        return relation == "subject to"
    if isinstance(statement, sp.core.relational.Relational):
        return relation == {"==": "="}.get(statement.rel_op, statement.rel_op)
    return relation is None


def _differences(wrote: Any, read: Any) -> list[str]:
    """Empty when `read` is `wrote` (one normal form; a scalar may differ only in arrangement)."""
    if isinstance(wrote, sp.core.relational.Relational) or isinstance(read, sp.core.relational.Relational):
        if type(wrote) is not type(read):
            return [f"wrote {wrote}, read back {read}"]
        return _differences(wrote.lhs, read.lhs) + _differences(wrote.rhs, read.rhs)
    a, b = normalise(wrote), normalise(read)
    if a == b:
        return []
    # log_2 x comes back as log x / log 2: equal as expressions
    if a.is_commutative and b.is_commutative and sp.simplify(a - b) == 0:
        return []
    return [f"wrote {a}, read back {b}"]


@pytest.mark.parametrize("formula", list(formulas.CATALOG.values()), ids=list(formulas.CATALOG))
def test_rendered_formula_reads_back_as_its_statement(formula):
    """The rendered statement, parsed by our reader, is the SymPy statement it came from."""
    assert formula.latex is None, "a hand-written LaTeX display would bypass the round trip"
    assert round_trip(formula.statement) == []


# --- the round trip catches wrong renderings ----------------------------------------------------

A, B = sp.MatrixSymbol("A", 3, 3), sp.MatrixSymbol("B", 3, 3)
x, y, z, n = sp.symbols("x y z n")
i = sp.Symbol("i", integer=True)


@pytest.mark.parametrize("statement, wrong", [
    (sp.Eq(ops.Variance(x), ops.Expectation(x**2) - ops.Expectation(x) ** 2),
     r"\operatorname{Var}\left(x\right) = \mathbb{E}\left[x^{2}\right] + \mathbb{E}\left[x\right]^{2}"),
    (sp.Eq(ops.CondProb(x, y), ops.Prob(x, y) / ops.Prob(y)),
     r"P\left(x \mid y\right) = \frac{P\left(x \cap y\right)}{P\left(x\right)}"),
    (sp.Ne(A * B, B * A), r"A B \neq A B"),
    (sp.Eq(sp.MatrixSymbol("C", 3, 3), A.T * B), r"C = A B^{\top}"),
    (sp.Eq(sp.MatrixSymbol("C", 3, 3), sp.HadamardProduct(A, B)), r"C = A B"),
    (sp.Eq(z, sp.Sum(sp.IndexedBase("x")[i], (i, 1, n)) / n), r"z = \frac{1}{n} \sum_{i=1}^{n} x"),
    (sp.Eq(sigmoid(x), 1 / (1 + sp.exp(-x))), r"\sigma\left(x\right) = \frac{1}{1 + e^{x}}"),
    (sp.Eq(ops.KL(x, y), z), r"D_{\mathrm{KL}}\left(y \parallel x\right) = z"),
    (sp.Eq(ops.Prob(sp.Le(x, y)), z), r"P\left(x \geq y\right) = z"),
    (ops.SubjectTo(sp.Eq(z, x**2), sp.Ge(x, 1, evaluate=False)), r"z = x^{2} \quad \text{s.t.} \quad x \leq 1"),
    (sp.Implies(sp.Eq(x, 0), sp.Eq(y, 0)), r"x = 0 \Rightarrow y = 1"),
])
def test_round_trip_catches_a_wrong_rendering(statement, wrong):
    """LaTeX that says something else than the statement (a sign, an order, a lost ⊙) does not read back as it."""
    assert round_trip(statement) == []
    assert round_trip(statement, wrong) != []


def test_round_trip_reports_unreadable_latex():
    """LaTeX the reader cannot read is an error, never a pass."""
    with pytest.raises(ParseError):
        round_trip(sp.Eq(x, y), r"x = \frac{y")


# --- golden tests of the notation ----------------------------------------------------------------

@pytest.mark.parametrize("expr, tex", [
    (sigmoid(sp.Symbol("z")), r"\sigma\left(z\right)"),
    (sp.Symbol("y_hat"), r"\hat{y}"),
    (sp.IndexedBase("y_hat")[i], r"\hat{y}_{i}"),
    (sp.MatrixSymbol("W", 3, 2).T, r"W^{\top}"),
    (sp.MatrixSymbol("W^[l+1]", 3, 2).T, r"{W^{[l+1]}}^{\top}"),
    (sp.HadamardProduct(A, B), r"A \odot B"),
    (sp.Sum(sp.IndexedBase("x")[i], (i, 1, sp.Symbol("m"))), r"\sum_{i=1}^{m} x_{i}"),
    (sp.Sum(sp.IndexedBase("x")[i], (i, 1, n)) / n, r"\frac{1}{n} \sum_{i=1}^{n} x_{i}"),
    (ops.Expectation(sp.Symbol("X")), r"\mathbb{E}\left[X\right]"),
    (ops.Variance(sp.Symbol("X")), r"\operatorname{Var}\left(X\right)"),
    (ops.Softmax(sp.Symbol("z"), i), r"\operatorname{softmax}\left(z\right)_{i}"),
    (ops.CondProb(sp.Symbol("A"), sp.Symbol("B")), r"P\left(A \mid B\right)"),
    (ops.KL(sp.Symbol("P"), sp.Symbol("Q")), r"D_{\mathrm{KL}}\left(P \parallel Q\right)"),
    (ops.Norm(sp.Symbol("w"), 2) ** 2, r"\left\lVert w \right\rVert_{2}^{2}"),
    (ops.Grad(sp.Function("J")(sp.Symbol("theta")), sp.Symbol("theta")), r"\nabla_{\theta} J\left(\theta\right)"),
    (ops.Dot(sp.Symbol("w"), sp.Symbol("x")) + sp.Symbol("b"), r"b + w^{\top} x"),
    (sp.log(x), r"\log\left(x\right)"),
    (sp.Symbol("theta_new"), r"\theta_{new}"),
    (sp.Symbol("fair"), r"\mathrm{fair}"),
])
def test_ml_notation(expr, tex):
    """Each construct prints the way ML notes write it."""
    assert latex_of(expr) == tex


def test_no_internal_names_leak_into_the_catalog():
    """No rendered catalog formula shows SymPy's internal spellings (\\text{False}, FunctionMatrix, i_{1}) or x = x."""
    printer = MLLatexPrinter()
    leaks = {}
    for fid, f in formulas.CATALOG.items():
        tex = printer.doprint(f.statement)
        bad = [s for s in (r"\\text\{(False|True)\}", "FunctionMatrix", r"\\mathbb\{I\}", r"i_\{1\}",
                           r"(?<!\\)nabla", "prime", r"(?<!\\)prod_") if re.search(s, tex)]
        sides = _sides(f.statement)
        if len(sides) == 2 and printer.doprint(sides[0]) == printer.doprint(sides[1]):
            bad.append("both sides print the same (the statement evaluated itself away)")
        if bad:
            leaks[fid] = bad
    assert not leaks
