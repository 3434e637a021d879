"""Shapes by inference: vectors and matrices that the notes use without declaring their size.

A reader of ML notes knows that ``\\mathbf{w}`` is a vector, that in ``W\\mathbf{h} + \\mathbf{b}``
the capital W is a matrix, and that in ``\\mathbf{w}^\\top \\mathbf{x}`` both vectors have one
size. This module does the same before an equation is parsed:

- `kinds` reads the kind of each name from its use: bold lowercase (``\\mathbf{w}``,
  ``\\boldsymbol{\\delta}``) is a vector, bold capitals are matrices, a transposed name is a
  vector (lowercase) or a matrix (capital), a capital next to a vector or a matrix in a
  product is a matrix, a lowercase name right after a matrix or a transposed vector is a
  vector, ``\\mathbf{0}`` and ``\\mathbf{1}_B`` are the zero and the all-ones vector;
- `initial_table` gives each such name a shape of *flexible* sizes (``size_w``, ``rows_W``,
  ``cols_W``); a size the notes declared wins;
- the matrix layer (`checker.notation_matrix`) raises `Reshape` where a product, a sum or a
  relation needs two sizes to be one; `apply_reshape` records that and the equation is read
  again, until the sizes fit (a unification). Where two declared sizes, or a size and 1,
  must agree and do not, the equation is not read: never a guess.

Claims are then checked at several concrete sizes, each flexible size taking its own values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Prefixes of the sizes this module invents (never a size the notes declared).
FLEXIBLE = ("size_", "rows_", "cols_")

_BOLD = re.compile(r"\\(mathbf|boldsymbol|bm|vec|mathbold)\s*\{")
_ACCENT = re.compile(r"\\(hat|bar|tilde|widehat|overline)\s*\{\s*$")
_LABEL = re.compile(r"\s*\^\s*\{\s*[(\[][^{}()\[\]]*[)\]]\s*\}|\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9])")
_TRANSPOSED = re.compile(r"\s*\^\s*(?:\{\s*(?:T|\\top|\\intercal)\s*\}|T(?![A-Za-z])|\\top(?![A-Za-z])"
                         r"|\\intercal(?![A-Za-z]))")
_INVERSE = re.compile(r"\s*\^\s*\{\s*-\s*1\s*\}")
_PLAIN = re.compile(r"(?<![\\A-Za-z])([A-Za-z])(?![A-Za-z])|\\(Delta|Sigma|Lambda|Phi|Psi|Omega|Gamma|Theta"
                    r"|alpha|beta|gamma|delta|epsilon|eta|theta|lambda|mu|nu|xi|pi|rho|sigma|tau|phi|psi|omega)"
                    r"(?![A-Za-z])")
#: What may stand between two factors of one product: spacing, brackets, \left and \right.
_BETWEEN = re.compile(r"^(?:\s|\\[,;:! ]|\\left|\\right|\\big|\\Big|[()])*$")
_MATRIX_WORDS = re.compile(r"\\(?:mathbf|boldsymbol|bm)\s*\{\s*[A-Z]")


class ShapeConflict(ValueError):
    """Two uses of the notes give one name shapes that cannot both hold."""


@dataclass(frozen=True, slots=True)
class Token:
    """A name in the text, with where it stands and how it is written."""

    start: int
    end: int
    span: str
    bold: bool
    capital: bool
    transposed: bool
    inverse: bool
    digit: str = ""


def normalise(text: str) -> str:
    """``x^{(i)\\top}`` → ``x^{(i)}^{\\top}``: a label and a transpose in one superscript, split."""
    return re.sub(r"\^\s*\{\s*([(\[][^{}()\[\]]*[)\]])\s*(\\top|T|\\intercal)\s*\}", r"^{\1}^{\2}", text)


def _brace_end(text: str, k: int) -> int:
    """The offset after the brace group that opens at `k` (``{``), or -1."""
    depth = 0
    for j in range(k, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def _extend(text: str, end: int) -> int:
    """The end of a name with its labels and subscripts (``^{(2)}``, ``_t``, ``_{\\text{ridge}}``)."""
    for _ in range(2):
        m = _LABEL.match(text, end)
        sub = re.match(r"\s*_\s*\{", text[end:])
        if sub:
            close = _brace_end(text, end + sub.end() - 1)
            if close > 0:
                end = close
                continue
        if not m:
            break
        end = m.end()
    return end


def tokens(text: str) -> list[Token]:
    """The names of `text` in order: bold ones, and plain letters (Latin or Greek)."""
    found: list[Token] = []
    taken: list[tuple[int, int]] = []
    for m in _BOLD.finditer(text):
        close = _brace_end(text, m.end() - 1)
        if close < 0:
            continue
        inner = text[m.end():close - 1].strip()
        start, end = m.start(), close
        accent = _ACCENT.search(text[:start])
        if accent and text[end:].lstrip().startswith("}"):
            start, end = accent.start(), end + text[end:].index("}") + 1
        end = _extend(text, end)
        t = _TRANSPOSED.match(text, end)
        inv = _INVERSE.match(text, end)
        digit = inner if inner in ("0", "1") else ""
        capital = bool(re.match(r"\\?[A-Z]", inner))
        found.append(Token(start, end, text[start:end], True, capital, bool(t), bool(inv), digit))
        taken.append((start, end))
    for m in _PLAIN.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        before = text[:m.start()].rstrip()
        if before.endswith(("_", "^", "\\partial", "{\\partial", "d")) and not before.endswith("\\nabla_"):
            continue  # an index, a power or the variable of a derivative
        if re.search(r"_\s*\{[^{}]*$", text[:m.start()]) or re.search(r"\^\s*\{[^{}]*$", text[:m.start()]):
            continue  # inside a subscript or a superscript group
        end = _extend(text, m.end())
        letter = m.group(1) or m.group(2)
        t = _TRANSPOSED.match(text, end)
        inv = _INVERSE.match(text, end)
        found.append(Token(m.start(), end, text[m.start():end], False, letter[0].isupper(), bool(t), bool(inv)))
    return sorted(found, key=lambda t: t.start)


def kinds(text: str, name_of: Callable[[str], str | None]) -> dict[str, str]:
    """The kind of each name that `text` uses as more than a number: "vector", "matrix",
    "zeros" or "ones" (keyed by the parser's name of it; see the module docstring)."""
    toks = tokens(text)
    kind: dict[int, str] = {}
    for k, t in enumerate(toks):
        if t.digit:
            kind[k] = "zeros" if t.digit == "0" else "ones"
        elif t.bold:
            kind[k] = "matrix" if t.capital else "vector"
        elif t.transposed:
            kind[k] = "matrix" if t.capital else "vector"
    if not kind:
        return {}
    for a, b in zip(toks, toks[1:]):
        if a.bold and a.capital and _called(text, b) and re.fullmatch(r"\s*[a-z]\s*", b.span) \
                and _BETWEEN.match(text[a.end:b.start]) and not _BOLD.search(_call_argument(text, b)):
            # \mathbf{H} f(x, y), \mathbf{J} g(x): an operator (a Hessian, a Jacobian) applied to a function
            raise ShapeConflict(f"{a.span.strip()} {b.span.strip()}(...) reads as an operator (a Hessian or a "
                                "Jacobian) applied to a function, which is not read")
    for _ in range(4):  # products spread the kinds: X^T X, W h, A w
        changed = False
        for k, (a, b) in enumerate(zip(toks, toks[1:])):
            if not _BETWEEN.match(text[a.end if not a.transposed else _TRANSPOSED.match(text, a.end).end():b.start]):
                continue
            if a.transposed and not _BETWEEN.match(text[_TRANSPOSED.match(text, a.end).end():b.start]):
                continue
            ka, kb = kind.get(k), kind.get(k + 1)
            if ka and not kb and b.capital and not b.bold and b.span.strip() != "I":
                kind[k + 1], changed = "matrix", True
            elif kb and not ka and a.capital and not a.bold and a.span.strip() != "I" \
                    and "(" not in text[a.end:b.start]:  # F(\mathbf{w}): a function of w
                kind[k], changed = "matrix", True
            elif ka in ("matrix",) and not kb and not b.capital and not _called(text, b):
                kind[k + 1], changed = "vector", True
            elif ka == "vector" and a.transposed and not kb and not b.capital and not _called(text, b):
                kind[k + 1], changed = "vector", True
        if not changed:
            break
    out: dict[str, str] = {}
    for k, what in kind.items():
        if what in ("zeros", "ones"):
            continue  # named in `mark_constants`
        name = name_of(toks[k].span)
        if name is None:
            continue
        if out.get(name, what) != what:
            raise ShapeConflict(f"{toks[k].span.strip()} is used both as a vector and as a matrix")
        out[name] = what
    return out


def _call_argument(text: str, t: Token) -> str:
    """The text inside the parentheses of a call ``f(...)`` (up to the matching one)."""
    start = text.index("(", t.end)
    depth = 0
    for k in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[k], 0)
        if depth == 0:
            return text[start + 1:k]
    return text[start + 1:]


def _called(text: str, t: Token) -> bool:
    """Whether the name is applied to an argument (``f(x)``), not a factor."""
    return not t.bold and text[t.end:].lstrip().startswith("(")


def mark_constants(text: str) -> tuple[str, dict[str, str]]:
    """``\\mathbf{0}``, ``\\mathbf{1}_B`` → reserved names of the zero and the all-ones vector."""
    names: dict[str, str] = {}

    def one(m: re.Match[str]) -> str:
        which = "zeros" if m.group(1) == "0" else "ones"
        name = f"MX{which}{chr(97 + len(names) % 26)}"
        names[name] = which
        return rf" \mathrm{{{name}}} "

    out = re.sub(r"\\(?:mathbf|boldsymbol|bm)\s*\{\s*([01])\s*\}(?:\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?", one, text)
    return out, names


def initial_table(found: dict[str, str], constants: dict[str, str],
                  declared: tuple[tuple[str, tuple[Any, Any]], ...]) -> tuple[tuple[str, tuple[Any, Any]], ...]:
    """Flexible shapes for the names found, after the declared ones (a declared size wins)."""
    known = {n for n, _ in declared}
    out = []
    for name, what in sorted(found.items()):
        if name in known:
            continue
        out.append((name, (f"size_{name}", 1) if what == "vector" else (f"rows_{name}", f"cols_{name}")))
    for name in sorted(constants):
        out.append((name, (f"size_{name}", 1)))
    return tuple(out)


def is_flexible(dim: Any) -> bool:
    """Whether a size was invented here (and may still be made equal to another)."""
    return str(dim).startswith(FLEXIBLE)


class Reshape(Exception):  # noqa: N818 - a control signal of the matrix layer, not an error
    """Two sizes must be one (`dims`), or scalar names must be vectors like their neighbours (`promote`)."""

    def __init__(self, dims: tuple[str, str] | None = None, promote: tuple[tuple[str, tuple[Any, Any]], ...] = ()):
        super().__init__("sizes to unify")
        self.dims = dims
        self.promote = promote


def apply_reshape(table: tuple[tuple[str, tuple[Any, Any]], ...], r: Reshape) -> tuple[tuple[str, tuple[Any, Any]], ...]:
    """The inferred table after a `Reshape`: one flexible size replaced by the other, or names added."""
    if r.promote:
        known = {n for n, _ in table}
        return table + tuple((n, tuple(int(d) if getattr(d, "is_Integer", False) or isinstance(d, int) else str(d)
                                       for d in s))
                             for n, s in r.promote if n not in known)
    assert r.dims is not None
    old, new = r.dims
    return tuple((n, tuple(new if str(d) == old else d for d in shape)) for n, shape in table)


def unify(a: Any, b: Any) -> None:
    """Raise `Reshape` to make sizes `a` and `b` one when one of them is flexible; else return."""
    if a == b:
        return
    fa, fb = is_flexible(a), is_flexible(b)
    if not fa and not fb:
        return
    if fa and fb:
        old, new = sorted((str(a), str(b)), reverse=True)
    elif fa:
        old, new = str(a), b
    else:
        old, new = str(b), a
    if new == 1 or new == sp_one():
        return  # a vector of size 1 would be a number: a contradiction, reported by the caller
    raise Reshape(dims=(old, str(new) if not isinstance(new, int) else new))


def sp_one() -> Any:
    import sympy as sp

    return sp.Integer(1)


__all__ = ["FLEXIBLE", "Reshape", "ShapeConflict", "Token", "apply_reshape", "initial_table", "is_flexible", "kinds",
           "mark_constants", "normalise", "tokens", "unify"]


# --- norms and gradients: rewritten before parsing -----------------------------------------------

_NORM_OPEN = re.compile(r"\\left\s*\\\||\\left\s*\\lVert|\\lVert|\\\||\\Vert|\|\|")
_NORM_CLOSE = re.compile(r"\\right\s*\\\||\\right\s*\\rVert|\\rVert|\\\||\\Vert|\|\|")
_NORM_INDEX = re.compile(r"\s*_\s*(?:\{\s*(1|2|F|\\mathrm\{F\}|\\text\{F\}|\\infty|\\max|fro)\s*\}|(1|2|F)(?![A-Za-z0-9])"
                         r"|(\\infty))")
#: The functions norms become (handled by `norm` when the layer builds calls).
NORMS = {"1": "normone", "2": "normtwo", "F": "normfro", "fro": "normfro", "\\infty": "normmax", "\\max": "normmax",
         "": "normtwo"}
_DIVERGENCE = re.compile(r"D\s*_\s*(?:\{[^{}]*\}|[A-Za-z])\s*\(")


def _divergence_spans(text: str) -> list[tuple[int, int]]:
    """The arguments of ``D_{KL}( ... )``: there ``\\|`` separates two distributions."""
    spans = []
    for m in _DIVERGENCE.finditer(text):
        depth = 0
        for j in range(m.end() - 1, len(text)):
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                depth -= 1
                if depth == 0:
                    spans.append((m.end(), j))
                    break
    return spans


def norms(text: str) -> str:
    """``\\|x\\|_2^2``, ``\\lVert A \\rVert_F``, ``\\|x\\|_1`` → calls of the norm functions (`NORMS`).

    A bar inside the arguments of a divergence ``D_{KL}(p \\| q)`` is left alone (it is refused
    as before). A norm without an index is the 2-norm."""
    divergences = _divergence_spans(text)
    out, i = [], 0
    while True:
        m = _NORM_OPEN.search(text, i)
        if m is None:
            break
        inside = next((b for a, b in divergences if a <= m.start() < b), None)
        if inside is not None:  # D_{KL}(p \| q): kept as written
            out.append(text[i:inside])
            i = inside
            continue
        c = _NORM_CLOSE.search(text, m.end())
        if c is None:
            break
        inner = text[m.end():c.start()]
        if "\\|" in inner or not inner.strip():
            break
        idx = _NORM_INDEX.match(text, c.end())
        if idx is None and re.match(r"\s*_", text[c.end():]):
            break  # a norm this layer does not know (‖x‖_*): refused as before
        which = ""
        end = c.end()
        if idx:
            which = (idx.group(1) or idx.group(2) or idx.group(3) or "").replace("\\mathrm{F}", "F").replace(
                "\\text{F}", "F")
            end = idx.end()
        out.append(text[i:m.start()] + rf"\operatorname{{{NORMS[which]}}}\left({inner}\right)")
        i = end
    out.append(text[i:])
    return "".join(out)


def gradients(text: str) -> str:
    """``\\nabla_{\\mathbf{w}} J`` and ``\\nabla_{\\mathbf{w}} (\\mathbf{w}^\\top A \\mathbf{w})`` →
    ``\\frac{\\partial ...}{\\partial \\mathbf{w}}``. A gradient taken at a point
    (``\\nabla J(\\mathbf{w}_t)`` with another argument) or without its variable is left alone
    (and refused)."""
    out, i = [], 0
    for m in re.finditer(r"\\nabla\s*_\s*", text):
        if m.start() < i:
            continue
        if text[m.end():m.end() + 1] == "{":
            close = _brace_end(text, m.end())
            var = text[m.end() + 1:close - 1] if close > 0 else ""
        else:
            vm = re.match(r"\\?[A-Za-z]+", text[m.end():])
            close = m.end() + vm.end() if vm else -1
            var = vm.group(0) if vm else ""
        if close < 0 or not var.strip():
            continue
        k = close
        while k < len(text) and text[k] in " \t":
            k += 1
        operand_end = -1
        if text.startswith("\\left(", k) or text.startswith("(", k):
            start = k + (5 if text.startswith("\\left(", k) else 0)
            depth, j = 0, start
            while j < len(text):
                if text[j] == "(":
                    depth += 1
                elif text[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            operand_end = j + 1 if j < len(text) else -1
        else:
            om = re.match(r"(?:\\mathcal\s*\{\s*[A-Za-z]\s*\}|\\?[A-Za-z]+|\\(?:mathbf|boldsymbol)\s*\{[^{}]*\})", text[k:])
            if om:
                operand_end = _extend(text, k + om.end())
                call = re.match(r"\s*(\\left)?\(", text[operand_end:])
                if call:
                    close_paren = text.find(")", operand_end)
                    arg = text[operand_end + call.end():close_paren].replace("\\right", "").strip()
                    if re.sub(r"\s", "", arg) != re.sub(r"\s", "", var):
                        continue  # the gradient at another point: not rewritten
                    operand_end = close_paren + 1
        if operand_end < 0:
            continue
        operand = text[k:operand_end]
        out.append(text[i:m.start()] + rf"\frac{{\partial {operand}}}{{\partial {var}}}")
        i = operand_end
    out.append(text[i:])
    return "".join(out)


def dots(text: str) -> str:
    """``\\mathbf{w} \\cdot \\mathbf{x}`` between two bold vectors is their inner product ``w^T x``."""
    toks = [t for t in tokens(text) if t.bold and not t.capital and not t.digit]
    out, i = [], 0
    for a, b in zip(toks, toks[1:]):
        if not a.transposed and re.fullmatch(r"\s*\\cdot\s*", text[a.end:b.start]):
            out.append(text[i:a.end] + r"^{\top} ")
            i = b.start
    out.append(text[i:])
    return "".join(out)


def value_shape(e: Any) -> Any:
    """The shape of a side: a matrix's shape; for a gradient of a number with respect to a vector
    or a matrix (∇_w J), the variable's shape; None for a number."""
    import sympy as sp

    if isinstance(e, sp.Derivative) and len(e.variables) == 1 and isinstance(e.variables[0], sp.MatrixSymbol) \
            and not isinstance(e.expr, (sp.MatrixExpr, sp.MatrixBase)):
        return e.variables[0].shape
    return e.shape if isinstance(e, (sp.MatrixBase, sp.MatrixExpr)) else None


def shape_clash(*exprs: Any) -> str:
    """Why the names of a claim do not fit together, or "": one name as two shapes (from two
    equations), a name both a vector and a number, a vector and its entries outside a sum that
    relates them, or a Jacobian (a derivative of a vector)."""
    import sympy as sp

    mats: dict[str, set[Any]] = {}
    scalars: set[str] = set()
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        for m in e.atoms(sp.MatrixSymbol):
            mats.setdefault(m.name, set()).add(m.shape)
        scalars |= {s.name for s in e.free_symbols if isinstance(s, sp.Symbol)}
        scalars |= {str(b.label) for b in e.atoms(sp.IndexedBase)}
        for d in e.atoms(sp.Derivative):
            if any(isinstance(v, sp.MatrixSymbol) for v in d.variables) and isinstance(d.expr, (sp.MatrixExpr,
                                                                                                sp.MatrixBase)):
                return "a derivative of a vector or a matrix (a Jacobian) is not checked yet"
    for e in exprs:
        for total in (e.atoms(sp.Sum) if isinstance(e, sp.Basic) else ()):
            for lim in total.limits:
                family = sorted(m.name for m in total.function.atoms(sp.MatrixSymbol)
                                if re.search(rf"_S{re.escape(str(lim[0]))}$", m.name))
                if family:
                    return (f"the vectors {family[0]} of a sum over {lim[0]} differ from term to term; a family of "
                            "vectors (x^{(i)}) summed over its index is not read yet")
    for name, shapes in sorted(mats.items()):
        if len(shapes) > 1:
            return (f"{name} has different sizes in the lines this claim draws on; declare its size "
                    f"({name} \\in \\mathbb{{R}}^n) to have it checked")
        if name in scalars:
            return f"{name} is used both as a vector (or a matrix) and as a number"
        entries = sorted(s for s in scalars if re.fullmatch(rf"{re.escape(name)}_[A-Za-z0-9]{{1,3}}", s))
        if entries:
            return (f"{name} is used both as a whole and through its entry {entries[0]}, which this claim does "
                    "not relate to it")
    return ""


def hidden_dependence(a: Any, b: Any) -> str:
    """Why a gradient with respect to a vector or a matrix may miss a dependence the notes do not
    write, or "": what is differentiated holds entries (ŷ_i, whose dependence on W is in words)
    or a number the other side does not use (L in ∂(L + λ‖W‖²)/∂W: a loss, not a constant)."""
    import sympy as sp

    for one, other in ((a, b), (b, a)):
        if not isinstance(one, sp.Basic):
            continue
        theirs = other.free_symbols if isinstance(other, sp.Basic) else set()
        for d in one.atoms(sp.Derivative):
            if not any(isinstance(v, sp.MatrixSymbol) for v in d.variables):
                continue
            if d.expr.has(sp.Indexed):
                return ("a gradient of a quantity written through entries (x_i) with respect to a vector or a "
                        "matrix: how the entries depend on it is not written, so it is not checked")
            lost = sorted(s.name for s in d.expr.free_symbols if isinstance(s, sp.Symbol) and s not in theirs
                          and not s.is_integer and s.name not in {t.name for t in theirs})
            if lost:
                return (f"the gradient takes {lost[0]} as a constant, which the other side does not use; if "
                        f"{lost[0]} depends on the variable in a way the notes give in words, it cannot be checked")
    return ""
