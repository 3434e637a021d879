"""LaTeX rendering of SymPy expressions in the notation ML people write.

A `LatexPrinter` subclass with `_print_<Class>` methods: hatted and indexed names
(``y_hat`` → ``\\hat{y}``), σ for the sigmoid, ``\\log`` for the natural log.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

_ACCENT = re.compile(r"^(?P<base>[A-Za-z]+)_(?P<acc>hat|bar|tilde)(?P<rest>(_.*)?)$")


class MLLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with ML notation."""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        base = {"ln_notation": False, "mul_symbol": None, "mat_str": "pmatrix", "mat_delim": ""}
        base.update(settings or {})
        super().__init__(base)

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        name = expr.name
        m = _ACCENT.match(name)
        if m:
            base = self._print_Symbol(sp.Symbol(m["base"]))
            rest = m["rest"][1:] if m["rest"] else ""
            out = rf"\{m['acc']}{{{base}}}"
            return out + (f"_{{{self._print_Symbol(sp.Symbol(rest))}}}" if rest else "")
        m = _LAYER.match(name)
        if m:  # W^[l]: the layer index as a bracketed superscript
            return f"{self._print_Symbol(sp.Symbol(m['base']))}^{{[{m['layer']}]}}"
        m = _PRIME_OF.match(name)
        if m:  # g'(z^[l]): an activation's derivative applied entrywise
            return rf"{m['f']}'\left({self._print_Symbol(sp.Symbol(m['arg']))}\right)"
        m = _NABLA_OF.match(name)
        if m:
            return rf"\nabla_{{{self._print_Symbol(sp.Symbol(m['wrt']))}}} {self._print_Symbol(sp.Symbol(m['f']))}"
        head, _, sub = name.partition("_")
        if len(head) > 1 and head not in _GREEK and head.isalpha():
            # a word is one name: \mathrm{fair}, never the product f·a·i·r
            out = rf"\mathrm{{{head}}}"
            return out + (f"_{{{self._print_Symbol(sp.Symbol(sub))}}}" if sub else "")
        return super()._print_Symbol(expr, style=style)

    def _print_Indexed(self, expr: Any) -> str:
        base = self._print_Symbol(sp.Symbol(str(expr.base)))
        indices = [self._print(i) for i in expr.indices]
        sep = "" if all(len(str(i)) == 1 for i in expr.indices) else ", "
        return f"{base}_{{{sep.join(indices)}}}"

    def _print_Function(self, expr: Any, exp: Any = None) -> str:
        if isinstance(expr, sp.core.function.AppliedUndef):
            name = self._print_Symbol(sp.Symbol(type(expr).__name__))
            out = rf"{name}\left({', '.join(self._print(a) for a in expr.args)}\right)"
            return rf"{out}^{{{exp}}}" if exp else out
        name = type(expr).__name__
        if name in _PLAIN_FUNCTIONS and len(expr.args) == 1:  # \tanh\left(x\right), \tanh^{2}\left(x\right)
            power = f"^{{{exp}}}" if exp else ""
            return rf"\{name}{power}\left({self._print(expr.args[0])}\right)"
        return super()._print_Function(expr, exp)

    def _print_sign(self, expr: Any, exp: Any = None) -> str:
        out = rf"\operatorname{{sign}}\left({self._print(expr.args[0])}\right)"
        return rf"{out}^{{{exp}}}" if exp else out

    def _print_gamma(self, expr: Any, exp: Any = None) -> str:
        out = rf"\Gamma\left({self._print(expr.args[0])}\right)"
        return rf"{out}^{{{exp}}}" if exp else out

    def _print_Sum(self, expr: sp.Sum) -> str:
        if len(expr.limits) > 1:  # Σ_i Σ_j rather than one \substack sum (the first limit is innermost)
            outer = "".join(rf"\sum_{{{self._print(v)}={self._print(lo)}}}^{{{self._print(hi)}}} "
                            for v, lo, hi in reversed(expr.limits[1:]))
            return outer + super()._print_Sum(sp.Sum(expr.function, expr.limits[0]))
        return super()._print_Sum(expr)

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        # d f(x)/dx for an undefined function: "\frac{d}{dx} f(x) g(x)" would take in what follows
        if isinstance(expr.expr, sp.core.function.AppliedUndef) and len(expr.variables) == 1:
            var = self._print(expr.variables[0])
            d = r"\partial" if len(expr.expr.args) > 1 else "d"
            return rf"\frac{{{d} {self._print(expr.expr)}}}{{{d} {var}}}"
        return super()._print_Derivative(expr)

    def _needs_mul_brackets(self, expr: Any, first: bool = False, last: bool = False) -> bool:
        # Γ(Σ α_i) carries its own parentheses; SymPy brackets anything that holds a sum
        if isinstance(expr, sp.Function) and not isinstance(expr, sp.Piecewise):
            return False
        return super()._needs_mul_brackets(expr, first=first, last=last)

    def _print_Identity(self, expr: Any) -> str:
        return "I"

    def _print_Determinant(self, expr: Any) -> str:
        return rf"\det\left({self._print(expr.arg)}\right)"

    def _print_Add(self, expr: sp.Add, order: Any = None) -> str:
        # θ − α∇J rather than −α∇J + θ: the terms with a plus sign first, each group in SymPy's order
        terms = list(self._as_ordered_terms(expr, order=order))
        plus = [t for t in terms if not _negative(t)]
        terms = plus + [t for t in terms if _negative(t)] if plus else terms
        tex = ""
        for k, term in enumerate(terms):
            if k and _negative(term):
                tex += " - "
                term = -term
            elif k:
                tex += " + "
            term_tex = self._print(term)
            tex += rf"\left({term_tex}\right)" if self._needs_add_brackets(term) else term_tex
        return tex

    def _print_Mul(self, expr: sp.Mul) -> str:
        reordered = _scalars_first(expr)
        if reordered is not None:
            saved, self._settings["order"] = self._settings.get("order"), "none"
            try:
                return super()._print_Mul(reordered)
            finally:
                self._settings["order"] = saved
        # (1/n) Σ ...: the coefficient in front of the sum, as ML notes write it
        sums = [a for a in expr.args if isinstance(a, sp.Sum)]
        rest = [a for a in expr.args if not isinstance(a, sp.Sum)]
        if len(sums) == 1 and rest and not expr.is_commutative is False:
            coefficient = sp.Mul(*rest)
            if coefficient == -1:
                return "- " + self._print(sums[0])
            if coefficient.is_number or sp.fraction(coefficient)[1] != 1:
                c = self._print(coefficient)
                if c.startswith("- "):
                    return "- " + c[2:] + " " + self._print(sums[0])
                return c + " " + self._print(sums[0])
        return super()._print_Mul(expr)

    def _print_Implies(self, expr: Any) -> str:
        return r" \Rightarrow ".join(self._print(a) for a in expr.args)

    def _print_Transpose(self, expr: Any) -> str:
        arg = expr.arg
        inner = self._print(arg)
        if not isinstance(arg, (sp.MatrixSymbol, sp.Symbol)):
            inner = rf"\left({inner}\right)"
        elif "^" in inner:  # W^{[l]}: braces, so that the transpose is not a second superscript
            inner = f"{{{inner}}}"
        return rf"{inner}^{{\top}}"

    def _print_beta(self, expr: Any, exp: Any = None) -> str:
        out = rf"\mathrm{{B}}\left({self._print(expr.args[0])}, {self._print(expr.args[1])}\right)"
        return rf"{out}^{{{exp}}}" if exp else out

    def _print_HadamardProduct(self, expr: Any) -> str:
        parts = [self._print(a) if isinstance(a, (sp.MatrixSymbol, sp.Symbol)) else rf"\left({self._print(a)}\right)"
                 for a in expr.args]
        return r" \odot ".join(parts)

    def _print_MatrixElement(self, expr: Any) -> str:
        parent = self._print(expr.parent)
        if expr.parent.shape[1] == 1 and expr.j == 0:  # a vector: one index
            return f"{parent}_{{{self._print(expr.i)}}}"
        return f"{parent}_{{{self._print(expr.i)}{self._print(expr.j)}}}"

    def _print_log(self, expr: sp.Expr, exp: Any = None) -> str:
        arg = self._print(expr.args[0])
        tex = rf"\log\left({arg}\right)"
        return rf"{tex}^{{{exp}}}" if exp else tex


def _negative(term: Any) -> bool:
    """A term printed with a minus sign: −x, or a matrix term −λI whose coefficient is negative."""
    if isinstance(term, sp.MatMul):
        return bool(term.args) and term.args[0].could_extract_minus_sign()
    return term.could_extract_minus_sign()


def _scalars_first(expr: sp.Mul) -> sp.Mul | None:
    """``a X`` and ``p_i log p_i``: numbers, then lower-case names, then the rest (SymPy sorts X before a).

    Only for products without denominators and with a positive sign, which SymPy prints
    factor by factor; None when nothing moves.
    """
    args = list(expr.as_ordered_factors())
    if not expr.is_commutative or expr.could_extract_minus_sign() or any(
            a.is_Pow and a.exp.is_negative or a.is_Rational and not a.is_Integer for a in args):
        return None

    def rank(a: Any) -> int:
        if a.is_number:
            return 0
        base = a.base if a.is_Pow else a
        if isinstance(base, sp.Indexed):  # entries keep SymPy's order among themselves: A_ij x_j
            return 1
        name = base.name if isinstance(base, sp.Symbol) else ""
        return 1 if name[:1].islower() or name.split("_")[0] in _GREEK else 2

    ordered = sorted(args, key=rank)
    return None if ordered == args else sp.Mul(*ordered, evaluate=False)


_PLAIN_FUNCTIONS = frozenset({"sin", "cos", "tan", "sinh", "cosh", "tanh"})
_LAYER = re.compile(r"^(?P<base>[A-Za-z]+)\^\[(?P<layer>[^\]]+)\]$")
_PRIME_OF = re.compile(r"^(?P<f>[A-Za-z])'\((?P<arg>[^()]+)\)$")
_NABLA_OF = re.compile(r"^nabla_(?P<wrt>[A-Za-z]+) (?P<f>[A-Za-z]+)$")
_GREEK = frozenset("""alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi omicron pi
rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell""".split())


def latex_of(expr: Any) -> str:
    """LaTeX of an expression, an equation, or a matrix, in ML notation."""
    if isinstance(expr, str):
        return expr
    return MLLatexPrinter().doprint(expr)





class PgfPrinter(StrPrinter):
    """Prints a real function of one variable in pgfmath syntax (for pgfplots ``\\addplot``)."""

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exp = expr.as_base_exp()
        if exp == sp.Rational(1, 2):
            return f"sqrt({self._print(base)})"
        if exp == -1:
            return f"(1/({self._print(base)}))"
        return f"(({self._print(base)})^({self._print(exp)}))"

    def _print_exp(self, expr: sp.Expr) -> str:
        return f"exp({self._print(expr.args[0])})"

    def _print_log(self, expr: sp.Expr) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_Abs(self, expr: sp.Expr) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr: sp.Expr) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr: sp.Expr) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Heaviside(self, expr: sp.Expr) -> str:
        return f"ifthenelse({self._print(expr.args[0])} > 0, 1, 0)"

    def _print_sign(self, expr: sp.Expr) -> str:
        a = self._print(expr.args[0])
        return f"ifthenelse({a} > 0, 1, ifthenelse({a} < 0, -1, 0))"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        out = "0"
        for value, cond in reversed(expr.args):
            out = self._print(value) if cond is sp.true else f"ifthenelse({self._print(cond)}, {self._print(value)}, {out})"
        return out

    def _print_Relational(self, expr: sp.Basic) -> str:
        return f"({self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)})"

    def _print_Float(self, expr: sp.Float) -> str:
        return f"{float(expr):.10g}"

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"({expr.p}/{expr.q})"

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return "exp(1)"

    def _print_Pi(self, expr: sp.Basic) -> str:
        return "pi"


def pgf_of(expr: Any, var: sp.Symbol) -> str:
    """`expr` as a pgfmath expression in ``x`` (pgfplots' variable)."""
    from checker.functions import unfold

    x = sp.Symbol("x", real=True)
    e = unfold(expr).xreplace({var: x}) if isinstance(expr, sp.Basic) else expr
    if isinstance(e, sp.Basic) and e.free_symbols - {x}:
        raise ValueError(f"pgf_of({expr}): only {var} may be free, not {e.free_symbols - {x}}")
    return PgfPrinter().doprint(e)



def tex_text(s: str) -> str:
    """Plain text for LaTeX's text mode: specials escaped, common Unicode math as math,
    and ``$...$`` segments kept as they are (so rules and titles may hold math)."""
    parts = s.split("$")
    if len(parts) > 1 and len(parts) % 2 == 1:
        return "".join(f"${p}$" if k % 2 else _tex_plain(p) for k, p in enumerate(parts))
    return _tex_plain(s)


_SUPERSCRIPT = re.compile(r"\^(\w+|\([^()]*\))")


def _tex_plain(s: str) -> str:
    # a^x and e^(-x) in titles: a superscript, not a circumflex
    pieces = _SUPERSCRIPT.split(s)
    if len(pieces) > 1:
        return "".join(f"$^{{{_tex_plain(p).replace('$', '')}}}$" if k % 2 else _tex_plain(p)
                       for k, p in enumerate(pieces))
    out = []
    for ch in s:
        if ch in "#$%&_{}":
            out.append("\\" + ch)
        elif ch == "~":
            out.append(r"\textasciitilde{}")
        elif ch == "^":
            out.append(r"\textasciicircum{}")
        elif ch == "\\":
            out.append(r"\textbackslash{}")
        elif ch.isascii():
            out.append(ch)
        elif unicodedata.combining(ch):
            # m̂ is "m" + U+0302: an accent on the letter before, or nothing.
            accent = _COMBINING_ACCENTS.get(ch)
            if accent and out and len(out[-1]) == 1 and out[-1].isalpha():
                out[-1] = f"\\{accent}{{{out[-1]}}}"
        else:
            out.append(_unicode_tex(ch))
    return "".join(out)


def _unicode_tex(ch: str) -> str:
    """ASCII TeX for one non-ASCII character, so pdflatex never meets an unknown glyph.

    The table first; then sub- and superscripts by their Unicode decomposition (ₜ is
    ``<sub> t``), Greek letters by name, accented Latin letters as their base letter;
    anything else as a visible code point rather than a compile error.
    """
    if ch in _UNICODE_TEXT:
        return _UNICODE_TEXT[ch]
    decomposition = unicodedata.decomposition(ch)
    tag, _, rest = decomposition.partition(" ")
    if tag in ("<sub>", "<super>") and rest:
        base = chr(int(rest.split()[0], 16))
        inner = _UNICODE_TEXT.get(base, base)
        inner = inner.strip("$") if inner.startswith("$") else inner
        if base.isascii() or inner != base:
            return f"${'_' if tag == '<sub>' else '^'}{{{inner}}}$"
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK ") and " LETTER " in name:
        letter = name.rsplit(" ", 1)[-1].lower()
        if "CAPITAL" in name:
            letter = letter.capitalize()
        return f"$\\{letter}$"
    if decomposition and not decomposition.startswith("<"):
        base = chr(int(decomposition.split()[0], 16))
        if base.isascii():
            return base
    return f"\\texttt{{[U+{ord(ch):04X}]}}"


_COMBINING_ACCENTS = {"\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0307": ".", "\u0308": '"'}

_UNICODE_TEXT = {
    "σ": r"$\sigma$", "−": "-", "∂": r"$\partial$", "Σ": r"$\Sigma$", "β": r"$\beta$", "α": r"$\alpha$",
    "μ": r"$\mu$", "λ": r"$\lambda$", "θ": r"$\theta$", "ε": r"$\varepsilon$", "δ": r"$\delta$",
    "∇": r"$\nabla$", "ᵀ": r"$^\top$", "²": r"$^2$", "³": r"$^3$", "ᵗ": r"$^t$", "₁": r"$_1$", "₂": r"$_2$",
    "≥": r"$\geq$", "≤": r"$\leq$", "→": r"$\to$", "∞": r"$\infty$", "·": r"$\cdot$", "×": r"$\times$",
    "ŷ": r"$\hat y$", "∝": r"$\propto$", "⇒": r"$\Rightarrow$", "‖": r"$\|$", "§": r"\S{}", "…": r"\dots{}",
    "ᵢ": r"$_i$", "ⱼ": r"$_j$", "ₖ": r"$_k$", "ₙ": r"$_n$", "≠": r"$\neq$", "≈": r"$\approx$", "π": r"$\pi$",
    "Λ": r"$\Lambda$", "ξ": r"$\xi$", "ρ": r"$\rho$", "ℓ": r"$\ell$", "⊙": r"$\odot$", "√": r"$\surd$",
    "∈": r"$\in$", "⟨": r"$\langle$", "⟩": r"$\rangle$", "ⁿ": r"$^n$", "ˣ": r"$^x$", "ʸ": r"$^y$", "⁻": r"$^-$",
    "¹": r"$^1$", "ᵏ": r"$^k$", "∫": r"$\int$", "∀": r"$\forall$", "⇔": r"$\Leftrightarrow$", "Γ": r"$\Gamma$",
    "ᵖ": r"$^p$", "∩": r"$\cap$", "¬": r"$\neg$", "∑": r"$\Sigma$", "Δ": r"$\Delta$", "η": r"$\eta$",
}


__all__ = ["MLLatexPrinter", "PgfPrinter", "latex_of", "pgf_of", "tex_text"]
