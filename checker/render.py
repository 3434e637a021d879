"""LaTeX rendering of SymPy expressions in the notation ML people write.

A `LatexPrinter` subclass with `_print_<Class>` methods: hatted and indexed names
(``y_hat`` → ``\\hat{y}``), σ for the sigmoid, ``\\log`` for the natural log.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

_ACCENT = re.compile(r"^(?P<base>[A-Za-z]+)_(?P<acc>hat|bar|tilde)(?P<rest>(_.*)?)$")


class MLLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with ML notation."""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        base = {"ln_notation": False, "mul_symbol": None}
        base.update(settings or {})
        super().__init__(base)

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        m = _ACCENT.match(expr.name)
        if m:
            base = super()._print_Symbol(sp.Symbol(m["base"]))
            rest = m["rest"][1:] if m["rest"] else ""
            out = rf"\{m['acc']}{{{base}}}"
            return out + (f"_{{{rest}}}" if rest else "")
        return super()._print_Symbol(expr, style=style)

    def _print_log(self, expr: sp.Expr, exp: Any = None) -> str:
        arg = self._print(expr.args[0])
        tex = rf"\log\left({arg}\right)"
        return rf"{tex}^{{{exp}}}" if exp else tex


def latex_of(expr: Any) -> str:
    """LaTeX of an expression, an equation, or a matrix, in ML notation."""
    if isinstance(expr, str):
        return expr
    return MLLatexPrinter().doprint(expr)


__all__ = ["MLLatexPrinter", "latex_of"]
