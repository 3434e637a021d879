"""LaTeX → SymPy for the notation of ML notes. The only module that imports latex2sympy2.

The parser (latex2sympy2_extended) reads LaTeX; this layer makes it read ML notation right
(`PARSING.md` measures how it fails without one):

1. guards: length, brace depth, forbidden commands, a time budget for large inputs;
2. relations split at the top level (``=``, ``\\le``, ``\\approx``, chains ``a = b = c``),
   each side parsed on its own;
3. ``\\log`` without a base is the natural log (configurable);
4. names: ``\\hat{y}``, ``x_{ij}``, ``W^{[l]}``, ``\\mathrm{MSE}`` become plain identifiers
   (the LaTeX they came from is kept for messages), so no name is ever code;
5. functions: ``\\sigma(wx+b)`` is the sigmoid applied to ``wx+b`` (the parser alone reads a
   product), as are ``f(x+y)``, ``J(w)``, ``\\operatorname{softmax}(z)``, ``\\mathrm{ReLU}(x)``;
6. primes: ``f'(x)`` is ``d/dx f(x)``;
7. derivatives: ``\\frac{\\partial J}{\\partial w_j}``, ``\\frac{d}{dx}``;
8. sums: ``x_i`` inside ``\\sum_{i=1}^{n}`` is the i-th entry of x, not one symbol;
9. what cannot be read with confidence (transposes without shapes, norms ``\\|x\\|``,
   ``cases``, ``\\arg\\max``) is refused with a ParseError, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from checker.functions import relu, sigmoid

#: Single letters read as functions when followed by "(" (others multiply: a(b+c)).
FUNCTION_LETTERS = frozenset("fghJLPpqFGHsS")
#: Named functions (\mathrm{..} / \operatorname{..} / plain words) and what they become.
NAMED = {"softmax": "softmax", "ReLU": "relu", "relu": "relu", "Var": "Var", "Cov": "Cov",
         "KL": "KL", "MSE": "MSE", "E": "E", "sign": "sign", "sgn": "sign", "LeakyReLU": "LeakyReLU",
         "sigmoid": "sigmoid", "tanh": "tanh", "Softmax": "softmax"}
_FORBIDDEN = re.compile(r"\\(def|edef|gdef|input|include|write|immediate|catcode|csname|openout|read|newcommand"
                        r"|renewcommand|let|expandafter)\b")
_REFUSED = [
    (re.compile(r"\^\s*\{?\s*(T|\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\})"),
     "transposes need the shapes of the matrices, which the notes do not give"),
    (re.compile(r"\\\||\\lVert|\\rVert|\\Vert"), "norms ‖x‖ are not supported"),
    (re.compile(r"\\begin\{(cases|matrix|pmatrix|bmatrix|vmatrix)\}"), "matrices and cases are not supported"),
    (re.compile(r"\\arg\s*\\?(max|min)|\\(operatorname\*?|mathrm)\{arg\s*(max|min)\}"), "argmax/argmin are not supported"),
    (re.compile(r"\\odot|\\otimes|\\circ"), "elementwise and tensor products need shapes"),
    (re.compile(r"\\nabla"), "gradients ∇ need the variables they are taken in"),
    (re.compile(r"\\in\b|\\subset|\\cup|\\cap|\\forall|\\exists|\\mid"), "sets and quantifiers are not supported"),
    (re.compile(r"\\mathbb\{E\}|\\mathbb\{P\}|\\Pr\b"), "expectations and probabilities of events need a distribution"),
    (re.compile(r"(?<![A-Za-z\\])E\s*\["), "expectations need a distribution"),
    (re.compile(r"\\lim"), "limits are not supported in notes"),
    (re.compile(r"(?<![A-Za-z\\])I(?![A-Za-z])"), "I is the identity matrix in ML notes, and matrices need shapes"),
    (re.compile(r"(?<![A-Za-z\\])[A-Z]\s*\^\s*\{\s*-\s*1\s*\}"), "matrix inverses need shapes"),
]
_RELATIONS = [
    ("\\leq", "<="), ("\\le", "<="), ("\\geq", ">="), ("\\ge", ">="), ("\\neq", "!="), ("\\ne", "!="),
    ("\\approx", "approx"), ("\\equiv", "="), (":=", "="), ("\\coloneqq", "="), ("<", "<"), (">", ">"), ("=", "="),
]
_SPACING = re.compile(r"\\(left|right|big|Big|bigg|Bigg)(?![A-Za-z])|\\displaystyle|\\textstyle|\\limits"
                      r"|\\[,;:! ]|\\q?quad\b|~")
_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class ParseError(ValueError):
    """The LaTeX could not be read as mathematics.

    Attributes:
        position: 0-based offset in the input where reading failed, when known.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class Notation:
    """How to read ambiguous notation."""

    log_base: str = "e"
    sigma: str = "sigmoid"
    functions: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed equation: its sides and the relations between consecutive sides."""

    relation: str | None
    sides: tuple[Any, ...]
    relations: tuple[str, ...]
    names: Mapping[str, str] = field(default_factory=dict)


def parse_latex(text: str, *, notation: Notation = Notation(), max_length: int = 2000, max_depth: int = 50,
                timeout: float = 2.0) -> Parsed:
    """Read one equation (or expression) of notes.

    Raises:
        ParseError: the text cannot be read with confidence; the message says why.
    """
    _guard(text, max_length, max_depth)
    if len(text) > 300 or _depth(text) > 12:
        from checker.budget import WorkerError, call_with_budget
        from checker.errors import BudgetSpent

        try:
            return call_with_budget(_parse, text, notation, timeout=timeout, what="parsing")
        except BudgetSpent:
            raise ParseError(f"parsing took longer than its budget ({timeout:g} s)") from None
        except WorkerError as exc:
            raise ParseError(f"the parser failed: {str(exc).splitlines()[0][:200]}") from None
    return _parse(text, notation)


def _depth(text: str) -> int:
    depth = best = 0
    for ch in text:
        if ch in "{([":
            depth += 1
            best = max(best, depth)
        elif ch in "})]":
            depth -= 1
    return best


def _guard(text: str, max_length: int, max_depth: int) -> None:
    if len(text) > max_length:
        raise ParseError(f"the equation is {len(text)} characters long; at most {max_length} are read")
    if _depth(text) > max_depth:
        raise ParseError(f"the equation is nested more than {max_depth} levels deep")
    m = _FORBIDDEN.search(text)
    if m:
        raise ParseError(f"{m.group(0)} is a TeX programming command, not mathematics", m.start())


def _parse(text: str, notation: Notation) -> Parsed:
    src = _prepare(text, notation)
    for pattern, why in _REFUSED:
        m = pattern.search(src)
        if m:
            raise ParseError(why, m.start())
    pieces, relations = _split_relations(src)
    names: dict[str, str] = {}
    sides = tuple(_side(p, notation, names) for p in pieces)
    if not relations:
        return Parsed(relation=None, sides=sides, relations=(), names=names)
    return Parsed(relation=relations[0], sides=sides, relations=tuple(relations), names=names)


# --- preparing the text ---------------------------------------------------------------------

def _prepare(text: str, notation: Notation) -> str:
    s = text.replace("&", " ").replace("\\\\", " ")
    s = _SPACING.sub(" ", s)
    s = re.sub(r"\\(mathrm|text|textrm|operatorname\*?|mathit)\s*\{\s*d\s*\}", "d", s)  # \mathrm{d}x
    s = _cut_trailing_text(s)
    s = re.sub(r"\\(dfrac|tfrac)", r"\\frac", s)
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec|mathit|mathsf)\s*\{([^{}]*)\}", r"\2", s)
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec)\s*([A-Za-z])", r"\2", s)
    if notation.log_base == "e":
        s = re.sub(r"\\log(?!_)(?![A-Za-z])", r"\\ln", s)
    else:
        s = re.sub(r"\\log(?!_)(?![A-Za-z])", rf"\\log_{{{notation.log_base}}}", s)
    s = re.sub(r"\\operatorname\*?\s*\{([A-Za-z]+)\}", r"\\mathrm{\1}", s)
    s = re.sub(r"\\text\s*\{([A-Za-z]+)\}(?=\s*\()", r"\\mathrm{\1}", s)
    s = re.sub(r"\\(hat|bar|tilde|widehat|overline)\s*\{\s*\\?([A-Za-z]+)\s*\}", _accent, s)
    s = re.sub(r"\\(hat|bar|tilde)\s+\\?([A-Za-z]+)", _accent, s)
    s = re.sub(r"\^\s*\{\s*\[\s*([A-Za-z0-9+\-]+)\s*\]\s*\}", r"_{L\1}", s)  # W^{[l]} is a layer index
    s = re.sub(r"\^\s*\{\s*\(\s*([A-Za-z0-9+\-]+)\s*\)\s*\}", r"_{S\1}", s)  # x^{(i)} is a sample index
    s = _primes(s)
    s = _force_calls(s, notation)
    s = s.strip()
    s = re.sub(r"[\s,.;:]+$", "", s)
    return s


def _accent(m: re.Match[str]) -> str:
    """``\\hat{y}`` → one name, ``y_hat`` (spelled so that the parser keeps it whole)."""
    acc = {"widehat": "hat", "overline": "bar"}.get(m.group(1), m.group(1))
    return rf"\mathrm{{{m.group(2)}QQ{acc}}}"


def _cut_trailing_text(s: str) -> str:
    """Drop trailing prose: ``\\text{for all } i``, ``\\quad \\text{where ...}``."""
    m = re.search(r"\\(text|textrm|mbox)\s*\{[^{}]*[A-Za-z]{2,}[^{}]*\}", s)
    if m and not re.search(r"[=<>]", s[m.end():]):
        return s[: m.start()]
    return s


def _matching(s: str, open_at: int) -> int:
    """Offset of the parenthesis closing the one at `open_at`, or -1."""
    depth = 0
    for k in range(open_at, len(s)):
        c = s[k]
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
            if depth == 0:
                return k if c == ")" else -1
    return -1


_CALLEE = re.compile(r"(\\mathrm\{[A-Za-z]+\}|\\sigma|\\phi|\\psi|(?<![A-Za-z\\])[A-Za-z](?:_\{?[A-Za-z0-9\\]+\}?)?)\s*\(")


def _force_calls(s: str, notation: Notation) -> str:
    """``NAME(args)`` → ``NAME(args,)`` for function names, so the parser reads a call."""
    out, i = [], 0
    for m in _CALLEE.finditer(s):
        name = m.group(1)
        base = name.split("_")[0]
        is_function = (name.startswith("\\mathrm") or (name == "\\sigma" and notation.sigma == "sigmoid")
                       or name in ("\\phi", "\\psi") or base in FUNCTION_LETTERS or base in notation.functions)
        if not is_function or m.start() < i:
            continue
        open_at = m.end() - 1
        close = _matching(s, open_at)
        if close < 0:
            continue
        inner = s[open_at + 1:close]
        if inner.rstrip().endswith(","):
            continue
        out.append(s[i:close])
        out.append(",)")
        i = close + 1
    out.append(s[i:])
    return "".join(out)


_PRIME = re.compile(r"(\\sigma|\\tanh|\\mathrm\{[A-Za-z]+\}|(?<![A-Za-z\\])[A-Za-z])\s*('+)\s*\(")


def _primes(s: str) -> str:
    """``f'(x)`` → ``\\frac{d}{dx} f(x)`` (the argument must be a plain variable)."""
    while True:
        m = _PRIME.search(s)
        if not m:
            return s
        close = _matching(s, m.end() - 1)
        if close < 0:
            raise ParseError("unbalanced parenthesis after a prime", m.start())
        arg = s[m.end():close].strip()
        if not re.fullmatch(r"\\?[A-Za-z]+(_\{?[A-Za-z0-9]+\}?)?", arg):
            raise ParseError(f"a prime on a compound argument ({m.group(0)}{arg})) is ambiguous; "
                             "write the derivative with \\frac{d}{dx}", m.start())
        order = len(m.group(2))
        d = rf"\frac{{d}}{{d{arg}}}" if order == 1 else rf"\frac{{d^{order}}}{{d{arg}^{order}}}"
        s = s[: m.start()] + f"{d} {m.group(1)}({arg})" + s[close + 1:]


def _split_relations(s: str) -> tuple[list[str], list[str]]:
    """Split at relations outside braces, parentheses and brackets."""
    pieces, rels = [], []
    depth, start, i = 0, 0, 0
    while i < len(s):
        c = s[i]
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif depth == 0:
            for token, rel in _RELATIONS:
                if s.startswith(token, i) and not (token[0] == "\\" and s[i + len(token):i + len(token) + 1].isalpha()):
                    pieces.append(s[start:i])
                    rels.append(rel)
                    i += len(token)
                    start = i
                    break
            else:
                i += 1
                continue
            continue
        i += 1
    pieces.append(s[start:])
    if any(not p.strip() for p in pieces):
        raise ParseError("a relation is missing one of its sides")
    return pieces, rels


# --- parsing one side ----------------------------------------------------------------------

_D = r"(?:\\partial|d)"
_VAR = r"(?P<var>\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)"
_POW = r"(?:\^\s*\{?\s*(?P<n>\d)\s*\}?)?"
#: \frac{d}{dx} — an operator applied to the rest of the side
_DERIV_OP = re.compile(r"\\frac\s*\{\s*" + _D + r"\s*" + _POW + r"\s*\}\s*\{\s*" + _D + r"\s*" + _VAR
                       + r"\s*(?:\^\s*\{?\d\}?)?\s*\}")
#: \frac{\partial J}{\partial w} — a derivative of what the numerator names
_DERIV_FRAC = re.compile(r"\\frac\s*\{\s*" + _D + r"\s*(?:\^\s*\{?\s*(?P<n>\d)\s*\}?)?\s*(?P<num>[^{}\s^][^{}]*?)\s*\}"
                         r"\s*\{\s*" + _D + r"\s*" + _VAR + r"\s*(?:\^\s*\{?\d\}?)?\s*\}")


def _side(text: str, notation: Notation, names: dict[str, str]) -> Any:
    """One side of a relation.

    ``\\frac{\\partial J}{\\partial w_j}`` becomes a placeholder that is replaced by the
    derivative after parsing; an operator ``\\frac{d}{dx}`` applies to the rest of the side.
    Both are built here because the parser cannot differentiate with respect to a
    subscripted variable.
    """
    placeholders: dict[str, Any] = {}

    def frac(m: re.Match[str]) -> str:
        key = "DRV" + "abcdefghijklmnopqrstuvwxyz"[len(placeholders) % 26] * (1 + len(placeholders) // 26)
        placeholders[key] = (m.group("num"), m.group("var"), int(m.group("n") or 1))
        return rf" \mathrm{{{key}}} "

    text = _DERIV_FRAC.sub(frac, text)
    m = _DERIV_OP.search(text)
    if m and text[m.end():].strip():
        body = _side(text[m.end():], notation, names)
        derivative = sp.Derivative(body, (_variable(m.group("var"), notation, names), int(m.group("n") or 1)))
        head = text[: m.start()]
        if head.strip():
            outer = _parse_side(head + r" \mathrm{DRVop}", notation, names)
            expr = outer.xreplace({_placeholder_symbol(head, "DRVop", notation, names, outer): derivative})
        else:
            expr = derivative
    else:
        expr = _parse_side(text, notation, names)
    for key, (num, var, order) in placeholders.items():
        sym = _placeholder_symbol(text, key, notation, names, expr)
        if sym is None:
            continue
        inner = _side(num, notation, names)
        expr = expr.xreplace({sym: sp.Derivative(inner, (_variable(var, notation, names), order))})
    return expr


def _variable(text: str, notation: Notation, names: dict[str, str]) -> sp.Symbol:
    var = _parse_side(text, notation, names)
    if not isinstance(var, sp.Symbol):
        raise ParseError(f"cannot differentiate with respect to {text!r}")
    return var


def _placeholder_symbol(text: str, key: str, notation: Notation, names: dict[str, str],
                        expr: Any = None) -> Any:
    for s in (expr.free_symbols if expr is not None else ()):
        if isinstance(s, sp.Symbol) and s.name.endswith(key):
            return s
    return sp.Symbol(key) if expr is None else None


def _parse_side(text: str, notation: Notation, names: dict[str, str]) -> Any:
    from latex2sympy2_extended import latex2sympy
    from latex2sympy2_extended.latex2sympy2 import ConversionConfig

    config = ConversionConfig(lowercase_symbols=False, interpret_as_mixed_fractions=False,
                              interpret_simple_eq_as_assignment=False)
    try:
        expr = latex2sympy(text, conversion_config=config, normalization_config=None)
    except RecursionError:
        raise ParseError("nested too deeply") from None
    except Exception as exc:  # the parser's own errors: report its message, never a traceback
        message = str(exc).strip().splitlines()
        raise ParseError(f"cannot read {text.strip()[:80]!r}: {message[0][:160] if message else type(exc).__name__}") from None
    if not isinstance(expr, sp.Basic) or isinstance(expr, (sp.logic.boolalg.Boolean,)) and not isinstance(expr, sp.Basic):
        raise ParseError(f"{text.strip()[:80]!r} is not an expression")
    if isinstance(expr, (sp.Tuple, sp.Set)) or isinstance(expr, sp.logic.boolalg.BooleanAtom):
        raise ParseError(f"{text.strip()[:80]!r} is not a single expression")
    return _clean(expr, notation, names)


def _safe_name(raw: str, names: dict[str, str]) -> str:
    name = raw.replace("\\", "")
    name = re.sub(r"math(?:rm)?\{([^{}]*)\}", r"\1", name)
    name = re.sub(r"(hat|bar|tilde|widehat|overline)\{([^{}]*)\}", r"\2_\1", name).replace("QQ", "_")
    name = re.sub(r"[{}\s,]", "", name)
    name = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_")
    name = re.sub(r"__+", "_", name)
    if not name or not name[0].isalpha():
        name = "v_" + name
    if not _SAFE.match(name):
        raise ParseError(f"cannot make a safe name of {raw[:40]!r}")
    names.setdefault(name, raw)
    return name


def _clean(expr: sp.Basic, notation: Notation, names: dict[str, str]) -> Any:
    """Safe names, the ML functions, and indexed entries inside sums."""
    mapping: dict[sp.Basic, sp.Basic] = {}
    for s in expr.free_symbols:
        if isinstance(s, sp.Symbol):
            new = _safe_name(s.name, names)
            if new != s.name:
                mapping[s] = sp.Symbol(new, **s.assumptions0)
    for v in expr.atoms(sp.Symbol):  # bound variables too
        if v not in mapping and not _SAFE.match(v.name):
            mapping[v] = sp.Symbol(_safe_name(v.name, names), **v.assumptions0)
    if mapping:
        expr = expr.xreplace(mapping)
    expr = expr.replace(lambda a: isinstance(a, sp.core.function.AppliedUndef), lambda a: _function(a, notation, names))
    if expr.has(sp.log):
        expr = expr.replace(lambda a: isinstance(a, sp.log) and len(a.args) == 2,
                            lambda a: sp.log(a.args[0]) / sp.log(a.args[1]))
    if expr.has(sp.Sum, sp.Product):
        expr = expr.replace(lambda a: isinstance(a, (sp.Sum, sp.Product)), _indexed_in_sum)
    return expr


def _function(call: Any, notation: Notation, names: dict[str, str]) -> Any:
    raw = type(call).__name__
    plain = re.sub(r"\\mathrm\{([^{}]*)\}", r"\1", raw).lstrip("\\")
    args = call.args
    if plain == "sigma" and notation.sigma == "sigmoid" and len(args) == 1:
        return sigmoid(args[0])
    mapped = NAMED.get(plain)
    if mapped == "relu" and len(args) == 1:
        return relu(args[0])
    if mapped == "sigmoid" and len(args) == 1:
        return sigmoid(args[0])
    if mapped == "tanh" and len(args) == 1:
        return sp.tanh(args[0])
    if mapped == "sign" and len(args) == 1:
        return sp.sign(args[0])
    name = _safe_name(mapped or plain, names)
    return sp.Function(name)(*args)


def _indexed_in_sum(s: Any) -> Any:
    """Inside ``Sum(x_i, (i, 1, n))``, the symbol ``x_i`` is the entry ``x[i]``."""
    indices = {v.name: v for v, *_ in s.limits}
    body = s.function
    mapping = {}
    for sym in body.free_symbols:
        if not isinstance(sym, sp.Symbol) or "_" not in sym.name:
            continue
        base, _, sub = sym.name.rpartition("_")
        if not base or not _SAFE.match(base):
            continue
        if sub in indices:
            mapping[sym] = sp.IndexedBase(base)[indices[sub]]
        elif len(sub) == 2 and sub.isalnum() and any(ch in indices for ch in sub):
            mapping[sym] = sp.IndexedBase(base)[tuple(
                indices[ch] if ch in indices else sp.Integer(int(ch)) if ch.isdigit() else sp.Symbol(ch, integer=True)
                for ch in sub)]
    if not mapping:
        return s
    return type(s)(body.xreplace(mapping), *s.limits)


__all__ = ["Notation", "ParseError", "Parsed", "parse_latex"]
