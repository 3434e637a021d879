"""Opaque operators of ML notation, for display: 𝔼, Var, Cov, P, H, D_KL, I, softmax, norms, ∇.

The catalog states its formulas with these (``Variance(X)`` rather than a symbol named
``Var_X``) so that the renderer prints what people write: ``\\operatorname{Var}(X)``,
``\\mathbb{E}[X]``, ``P(A \\mid B)``. They carry no definition: the checks of a formula work
on concrete distributions, never on these heads.

Each operator has a `head` (the name our reader gives the call back, see
`checker.readback`) and a `_latex` method, so any `LatexPrinter` prints it the ML way.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy as sp


class _Operator(sp.Function):
    """An opaque operator printed ``NAME\\left(args\\right)``; conditionals print ``a \\mid b``."""

    head: ClassVar[str] = ""
    latex_name: ClassVar[str] = ""
    open: ClassVar[str] = r"\left("
    close: ClassVar[str] = r"\right)"
    separator: ClassVar[str] = ", "
    #: the last argument is the condition: ``P(A | B)``, ``H(Y | X)``
    conditional: ClassVar[bool] = False
    #: the printed form needs parentheses before a power: ``(\nabla J)^{2}``, not ``\nabla J^{2}``
    wrap_power: ClassVar[bool] = False

    def _latex(self, printer: Any, exp: Any = None) -> str:
        out = self._body(printer)
        if not exp:
            return out
        return rf"\left({out}\right)^{{{exp}}}" if self.wrap_power else rf"{out}^{{{exp}}}"

    def _body(self, printer: Any) -> str:
        args = [printer._print(a) for a in self.args]
        if self.conditional and len(args) >= 2:
            inner = self.separator.join(args[:-1]) + r" \mid " + args[-1]
        else:
            inner = self.separator.join(args)
        return f"{self.latex_name}{self.open}{inner}{self.close}"


class Expectation(_Operator):
    """𝔼[X]."""

    nargs = 1
    head, latex_name, open, close = "E", r"\mathbb{E}", r"\left[", r"\right]"


class Variance(_Operator):
    """Var(X)."""

    nargs = 1
    head, latex_name = "Var", r"\operatorname{Var}"


class Covariance(_Operator):
    """Cov(X, Y)."""

    nargs = 2
    head, latex_name = "Cov", r"\operatorname{Cov}"


class Prob(_Operator):
    """P(A), or P(A ∩ B) for the joint event of several."""

    head, latex_name, separator = "P", "P", r" \cap "


class CondProb(_Operator):
    """P(A | B)."""

    nargs = 2
    head, latex_name, conditional = "P", "P", True


class Entropy(_Operator):
    """H(X), or the joint entropy H(X, Y)."""

    head, latex_name = "H", "H"


class CondEntropy(_Operator):
    """H(Y | X)."""

    nargs = 2
    head, latex_name, conditional = "H", "H", True


class CrossEntropy(_Operator):
    """The cross-entropy H(p, q) of q relative to p."""

    nargs = 2
    head, latex_name = "H", "H"


class KL(_Operator):
    """D_KL(P ‖ Q)."""

    nargs = 2
    head, latex_name, separator = "KL", r"D_{\mathrm{KL}}", r" \parallel "


class MutualInformation(_Operator):
    """I(X; Y)."""

    nargs = 2
    head, latex_name, separator = "MI", "I", "; "


class Named(_Operator):
    """A named quantity of a model or loss, ``\\operatorname{MSE}``, with or without arguments."""

    head = "named"

    def _body(self, printer: Any) -> str:
        name = str(self.args[0])
        out = rf"\operatorname{{{name}}}"
        if len(self.args) > 1:
            out += r"\left(" + ", ".join(printer._print(a) for a in self.args[1:]) + r"\right)"
        return out


class Softmax(_Operator):
    """softmax(z)_i: the i-th entry of the softmax of z."""

    nargs = 2
    head = "softmax"
    wrap_power = True

    def _body(self, printer: Any) -> str:
        z, idx = (printer._print(a) for a in self.args)
        return rf"\operatorname{{softmax}}\left({z}\right)_{{{idx}}}"


class Norm(_Operator):
    """‖v‖_p (p = 2 the Euclidean norm, 1 the Manhattan, oo the max, F the Frobenius)."""

    nargs = 2
    head = "norm"

    def _body(self, printer: Any) -> str:
        v, p = self.args
        sub = r"\infty" if p == sp.oo else printer._print(p)
        return rf"\left\lVert {printer._print(v)} \right\rVert_{{{sub}}}"


class Grad(_Operator):
    """∇_θ J: the gradient of J, with respect to the variables after it (if any are named)."""

    head = "grad"
    wrap_power = True

    def _body(self, printer: Any) -> str:
        f = printer._print(self.args[0])
        wrt = ", ".join(printer._print(a) for a in self.args[1:])
        return (rf"\nabla_{{{wrt}}} " if wrt else r"\nabla ") + f


class Prime(_Operator):
    """f'(u): the derivative of the function named f, at u (``f'(g(x))`` in the chain rule)."""

    nargs = 2
    head = "prime"

    def _body(self, printer: Any) -> str:
        name, arg = self.args
        return rf"{name}'\left({printer._print(arg)}\right)"


class Dot(_Operator):
    """uᵀv: the inner product of two vectors (the second may be a product, xᵀAx)."""

    nargs = 2
    head = "dot"
    wrap_power = True

    def _body(self, printer: Any) -> str:
        u, v = self.args
        return rf"{printer._print(u)}^{{\top}} {printer._print(v)}"


class PartialRatio(_Operator):
    """∂f/∂w between names (a layer's loss and weight), where no function body is at hand."""

    nargs = 2
    head = "partial"
    wrap_power = True

    def _body(self, printer: Any) -> str:
        f, w = (printer._print(a) for a in self.args)
        return rf"\frac{{\partial {f}}}{{\partial {w}}}"


class LogBase(_Operator):
    """log_b(x), printed with its base (SymPy's ``log(x, b)`` becomes ``log x / log b``)."""

    nargs = 2
    head = "logbase"

    def _body(self, printer: Any) -> str:
        x, base = (printer._print(a) for a in self.args)
        return rf"\log_{{{base}}}\left({x}\right)"


class MaxOver(_Operator):
    """max over an index: ``\\max_{i} |v_i|``."""

    nargs = 2
    head = "maxover"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body, idx = (printer._print(a) for a in self.args)
        return rf"\max_{{{idx}}} {body}"


class Entry(_Operator):
    """The entry (i) or (i, j) of a vector or matrix expression: ``(u + v)_i``, ``(AB)_{ij}``."""

    head = "entry"

    def _body(self, printer: Any) -> str:
        inner = printer._print(self.args[0])
        idx = "".join(printer._print(a) for a in self.args[1:])
        return rf"\left({inner}\right)_{{{idx}}}"


class SubjectTo(sp.Function):
    """An objective with its constraints: ``J(w) = ... \\quad \\text{s.t.} \\quad c_1, \\; c_2``."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        objective, *constraints = (printer._print(a) for a in self.args)
        return objective + r" \quad \text{s.t.} \quad " + r", \; ".join(constraints)


def named(name: str, *args: Any) -> sp.Expr:
    """``\\operatorname{name}`` applied to `args` (or alone)."""
    return Named(sp.Symbol(name), *args)


__all__ = ["CondEntropy", "CondProb", "Covariance", "CrossEntropy", "Dot", "Entropy", "Entry", "Expectation", "Grad", "KL",
           "LogBase", "MaxOver", "MutualInformation", "Named", "Norm", "PartialRatio", "Prime", "Prob", "SubjectTo", "Softmax", "Variance",
           "named"]
