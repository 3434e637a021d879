"""Derivations of the calculus formulas of the catalog: the gradient of a quadratic form, and
the Minkowski distance tending to the Chebyshev distance."""

from __future__ import annotations

from typing import Any

import sympy as sp

from checker.claims import Property, SqueezeClaim
from checker.relations import Eq, Le
from derivations._model import Derivation, Step

# --- gradient of a quadratic form ------------------------------------------------------------
# The index form is checked entry by entry at concrete sizes (0-based indices, printed 1-based);
# the last line is pure matrix algebra, which SymPy proves for every size at once.

d = sp.Symbol("d", integer=True, positive=True)
A = sp.MatrixSymbol("A", d, d)
xv = sp.MatrixSymbol("x", d, 1)
bv = sp.MatrixSymbol("b", d, 1)
c = sp.Symbol("c", real=True)
i, j, k, col = sp.symbols("i j k col", integer=True)
_delta = sp.KroneckerDelta


def _sum(body: sp.Expr, *indices: sp.Symbol) -> sp.Expr:
    return sp.Sum(body, *((a, 0, d - 1) for a in indices))


def _column(body: sp.Expr) -> sp.FunctionMatrix:
    """The gradient as a d×1 column whose entry k is `body`."""
    return sp.FunctionMatrix(d, 1, sp.Lambda((k, col), body))


QUADRATIC = _sum(xv[i, 0] * A[i, j] * xv[j, 0], i, j) + _sum(bv[i, 0] * xv[i, 0], i) + c

quadratic_form_gradient = Derivation(
    id="quadratic_form_gradient",
    title="Gradient of a quadratic form, in index notation",
    supports=("opt.quadratic_form",),
    sizes=((d, (1, 2, 3, 4)),),
    steps=(
        Step(expr=_column(sp.Derivative(QUADRATIC, xv[k, 0])),
             rule=r"write $f$ with indices: $x^\top A x = \sum_{i,j} x_i A_{ij} x_j$, $b^\top x = \sum_i b_i x_i$",
             latex=r"\frac{\partial f}{\partial x_k} &= \frac{\partial}{\partial x_k}"
                   r"\Bigl(\sum_{i,j} x_i A_{ij} x_j + \sum_i b_i x_i + c\Bigr)"),
        Step(expr=_column(_sum(_delta(i, k) * A[i, j] * xv[j, 0] + xv[i, 0] * A[i, j] * _delta(j, k), i, j)
                          + _sum(bv[i, 0] * _delta(i, k), i)),
             rule=r"linearity and the product rule, with $\partial x_i/\partial x_k = \delta_{ik}$ "
                  r"and $\partial c/\partial x_k = 0$",
             latex=r"\sum_{i,j}\bigl(\delta_{ik} A_{ij} x_j + x_i A_{ij}\delta_{jk}\bigr) + \sum_i b_i\delta_{ik}"),
        Step(expr=_column(_sum(A[k, j] * xv[j, 0], j) + _sum(A[i, k] * xv[i, 0], i) + bv[k, 0]),
             rule=r"sum out the $\delta$s",
             latex=r"\sum_{j} A_{kj} x_j + \sum_{i} A_{ik} x_i + b_k"),
        Step(expr=_column((A * xv)[k, 0] + (A.T * xv)[k, 0] + bv[k, 0]),
             rule=r"$\sum_i A_{ik} x_i = (A^\top x)_k$",
             latex=r"(A x)_k + (A^\top x)_k + b_k"),
        Step(expr=A * xv + A.T * xv + bv, rule="all $k$ at once",
             latex=r"\nabla f &= A x + A^\top x + b"),
        Step(expr=(A + A.T) * xv + bv, rule="factor out $x$",
             latex=r"(A + A^\top)\,x + b"),
    ),
    notes="Checked entry by entry at d = 1, 2, 3, 4; the matrix lines for every d.",
)

# --- Minkowski → Chebyshev ---------------------------------------------------------------------


class IndexMax(sp.Function):
    """``max_{index = lo..hi} term``: stays unevaluated while a bound is symbolic, and becomes
    SymPy's `Max` of the terms once the bounds are numbers (when a check instantiates sizes)."""

    nargs = 4

    @classmethod
    def eval(cls, term: sp.Expr, index: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
        if lo.is_Integer and hi.is_Integer:
            return sp.Max(*(term.xreplace({index: sp.Integer(v)}) for v in range(int(lo), int(hi) + 1)))
        return None

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_nonnegative(self) -> bool | None:
        return True if self.args[0].is_nonnegative else None

    def _latex(self, printer: Any, exp: Any = None) -> str:
        term, index, lo, hi = (printer._print(a) for a in self.args)
        base = rf"\max_{{{index}={lo}}}^{{{hi}}} {term}"
        return rf"\left({base}\right)^{{{exp}}}" if exp else base


n = sp.Symbol("n", integer=True, positive=True)
p = sp.Symbol("p", positive=True)
m = sp.Symbol("m", integer=True)
dv = sp.IndexedBase("d", real=True)  # d = x − y
M = IndexMax(sp.Abs(dv[m]), m, 1, n)
POWER_SUM = sp.Sum(sp.Abs(dv[i]) ** p, (i, 1, n))
MINKOWSKI = POWER_SUM ** (1 / p)
UPPER = n ** (1 / p) * M
_common: dict[str, Any] = {"assumptions": (p >= 1,), "sizes": ((n, (2, 3, 4)),)}


def _prop(statement: sp.Basic) -> Property:
    return Property(statement=statement, **_common)


def _minkowski_steps() -> tuple[Step, ...]:
    return (
        Step(expr=MINKOWSKI,
             rule=r"Minkowski distance, with $d = x - y$ and $M = \max_i |d_i|$",
             latex=r"\|x - y\|_p &= \Bigl(\sum_{i=1}^{n} |d_i|^p\Bigr)^{1/p}"),
        Step(expr=Le(M ** p, POWER_SUM), claim=_prop(Le(M ** p, POWER_SUM)),
             rule=r"one term of the sum is $M^p$ and the others are $\ge 0$",
             latex=r"M^p &\le \sum_{i=1}^{n} |d_i|^p"),
        Step(expr=Le(POWER_SUM, n * M ** p), claim=_prop(Le(POWER_SUM, n * M ** p)),
             rule=r"each of the $n$ terms is at most $M^p$",
             latex=r"\sum_{i=1}^{n} |d_i|^p &\le n\,M^p"),
        Step(expr=Le(M, MINKOWSKI), claim=_prop(Le(M, MINKOWSKI)),
             rule=r"take $p$-th roots ($t \mapsto t^{1/p}$ is increasing)",
             latex=r"M &\le \|x - y\|_p"),
        Step(expr=Le(MINKOWSKI, UPPER), claim=_prop(Le(MINKOWSKI, UPPER)),
             rule=r"take $p$-th roots",
             latex=r"\|x - y\|_p &\le n^{1/p} M"),
        Step(expr=Eq(sp.Limit(n ** (1 / p), p, sp.oo), 1, evaluate=False),
             claim=_prop(Eq(sp.Limit(n ** (1 / p), p, sp.oo), 1, evaluate=False)),
             rule=r"$n^{1/p} = e^{(\log n)/p} \to e^0$",
             latex=r"\lim_{p\to\infty} n^{1/p} &= 1"),
        Step(expr=Eq(sp.Limit(MINKOWSKI, p, sp.oo), M, evaluate=False),
             claim=SqueezeClaim(function=MINKOWSKI, lower=M, upper=UPPER, var=p, point=sp.oo, limit=M,
                                **_common),
             rule=r"squeeze theorem: $M \le \|x - y\|_p \le n^{1/p} M$ and both bounds tend to $M$",
             latex=r"\lim_{p\to\infty} \|x - y\|_p &= \max_i |x_i - y_i|"),
    )


minkowski_chebyshev_limit = Derivation(
    id="minkowski_chebyshev_limit",
    title="The Minkowski distance tends to the Chebyshev distance as p → ∞",
    supports=("distance.minkowski",),
    steps=_minkowski_steps(),
    notes="Each line is a relation checked by itself (bounds sampled for p ≥ 1 at n = 2, 3, 4; "
          "limits evaluated by SymPy).",
)

DERIVATIONS: tuple[Derivation, ...] = (quadratic_form_gradient, minkowski_chebyshev_limit)
