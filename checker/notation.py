"""LaTeX → SymPy for the notation of ML notes. The only module that imports latex2sympy2.

The parser (latex2sympy2_extended) reads LaTeX; this layer makes it read ML notation right
(`PARSING.md` measures how it fails without one):

1. guards: length, brace depth, forbidden commands, a time budget for large inputs;
2. relations split at the top level (``=``, ``\\le``, ``\\approx``, chains ``a = b = c``),
   each side parsed on its own;
3. ``\\log`` without a base is the natural log (configurable);
4. names: ``\\hat{y}``, ``x_{ij}``, ``m_{t-1}``, ``W^{[l]}``, ``x^{(i)}``, ``s^{\\text{corrected}}``,
   ``\\mathrm{MSE}``, ``TP`` become plain identifiers, so no name is ever code. `Parsed.names`
   maps each to the LaTeX the notes wrote (``sigma_hat`` → ``\\hat{\\sigma}``), which `display`
   uses to print an expression for a message. A superscript that is a word (``\\text{..}``) or
   ``(k)``/``[l]`` is a part of the name; a number, a letter or an expression is a power.
   Words are names: a capitalised run of three or more letters (``Sales``) or any run of four
   or more (``loss``) is one name, and so is a ``\\text``/``\\mathrm``/``\\operatorname`` word
   that is not a known function; shorter runs (``ab``, ``xy``) are products. ``e``,
   ``e^{..}`` and upright ``\\mathrm{e}`` are Euler's number, an e inside a word never is;
   decimal literals (``0.1``, ``.5``, ``1e-3``) are exact rationals made from their digits;
5. functions: every call of a function name (``\\sigma(wx+b)``, ``f(x, y)``, ``\\mathrm{Var}(X)``,
   ``E[X]``) is cut out and rebuilt from its separately parsed arguments (the parser alone reads
   ``\\sigma(wx+b)`` as a product and splits nested arguments at every comma); an operator
   without parentheses takes the product of the factors that follow (``\\ln x / \\ln 2`` is
   (ln x)/(ln 2), ``\\log ab`` is log(ab)); ``\\log_b a`` is log(a)/log(b);
6. primes: ``f'(x)``, ``\\ell''(p)``, ``\\mathcal{L}'(p)`` are the derivative of the function taken
   at the argument, always ``Subs(Derivative(f(u), u), u, x)`` with a reserved variable
   (`prime_variable`, recognised by `is_prime_variable`), because notes define ``f(w)`` and then
   write ``f'(a)``; SymPy's own functions (``\\tanh'``, the sigmoid ``\\sigma'``) at a symbol are
   their derivative there;
7. derivatives: ``\\frac{\\partial^2 f}{\\partial x \\partial y}``, ``\\partial L / \\partial w``,
   ``\\frac{d}{dx}`` applied to the rest of the side, in any name the layer reads
   (``\\partial \\hat{y}``, ``\\partial \\theta_{ij}``); ``\\partial \\sigma^2`` is the variable σ²
   unless the order of the numerator counts the power;
8. sums: ``x_i`` inside ``\\sum_{i=1}^{n}`` is the i-th entry of x, not one symbol;
9. ``cases`` become a Piecewise and explicit matrices a Matrix; with a shape table
   (`Notation.shapes`) products keep their order, ``A^T``, ``A^{-1}``, ``\\odot`` and ``I``
   are matrix notation (`checker.notation_matrix`);
10. entries of a function's value (``\\operatorname{softmax}(\\mathbf{z})_i``) and indicators
    (``\\mathbb{1}[i = j]``) are read by `checker.notation_ops`; ellipses, ``\\max_j z_j``,
    ``\\arg\\min_x`` of a scalar and limits by `checker.notation_series`;
11. what cannot be read with confidence (transposes without shapes, norms ``\\|x\\|``,
    ``\\arg\\max`` over a vector, conditional bars, sets) is refused with a ParseError, never guessed
    (`checker.notation_rules`).

Readings. Where the text can be read in more than one plausible way, the layer reads it the
way notes nearly always mean it and keeps the other readings in `Parsed.readings` (at most
`MAX_READINGS`, each different from the first and from each other; empty when nothing was
ambiguous): a word against the product of its letters, ``\\sigma(x)`` as the sigmoid against σ
times x when σ is also a plain symbol of the same text, the argument of an operator without
parentheses (``\\ln x / \\ln 2``: the parser's own ln(x / ln 2)), and ``1e-3`` against 1·e − 3.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from checker.functions import relu, sigmoid
from checker.notation_matrix import (Blocks, MatrixError, Table, cells, extract_blocks, identity_marker, is_matrix,
                                     mark, norm, rebuild, relate_entries, unify_sides)
from checker.shapes import NORMS, Reshape, ShapeConflict, apply_reshape, gradients, initial_table, kinds, mark_constants
from checker.shapes import dots, norms as _norms
from checker.shapes import normalise as _normalise_shapes
from checker.notation_rules import FORBIDDEN as _FORBIDDEN
from checker.notation_rules import REFUSED as _REFUSED
from checker.notation_rules import ParseError, matching
from checker.notation_rules import code as _code
from checker.notation_rules import split_relations as _split_relations
from checker import notation_ops as ops
from checker import notation_series as series
from checker.notation_text import Rewrites, arguments, derivative_fraction, group, prepare, primes

#: Named functions (\mathrm{..} / \operatorname{..} / plain words) and what they become.
NAMED = {"softmax": "softmax", "ReLU": "relu", "relu": "relu", "Var": "Var", "Cov": "Cov",
         "KL": "KL", "MSE": "MSE", "E": "E", "sign": "sign", "sgn": "sign", "LeakyReLU": "LeakyReLU",
         "sigmoid": "sigmoid", "tanh": "tanh", "Softmax": "softmax"}
_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: The functions norms are written as (`checker.shapes.norms`).
_NORM_FUNCTIONS = frozenset(NORMS.values())
#: Functions meant entry by entry when applied to a vector.
_ELEMENTWISE = frozenset({"relu", "sigmoid", "tanh", "sign", "LeakyReLU"})


@dataclass(frozen=True, slots=True)
class Notation:
    """How to read ambiguous notation.

    `shapes` is the shape table: names that are matrices or vectors, with their shapes
    (``(("A", (2, 2)), ("x", ("n", 1)))``). Only with it are ``A^T``, ``AB``, ``A^{-1}``,
    ``\\odot`` and ``I`` read as matrix notation; without it they are refused.
    """

    log_base: str = "e"
    sigma: str = "sigmoid"
    functions: frozenset[str] = frozenset()
    shapes: tuple[tuple[str, tuple[Any, Any]], ...] = ()
    #: infer the kinds and sizes of names the shape table does not give (`checker.shapes`)
    infer: bool = True
    #: the equation reads its vectors entry by entry (``f(z)_i``): entries are not tied to the
    #: declared vectors inside sums (`relate_entries`), so that z_i and z_j stay alike
    entrywise: bool = False


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed equation: its sides and the relations between consecutive sides."""

    relation: str | None
    sides: tuple[Any, ...]
    relations: tuple[str, ...]
    names: Mapping[str, str] = field(default_factory=dict)
    readings: tuple[Parsed, ...] = ()


@dataclass
class _State:
    """What one equation's parse collects: names, placeholders and their meanings."""

    notation: Notation
    names: dict[str, str] = field(default_factory=dict)
    table: Table = field(default_factory=Table)
    values: dict[str, Any] = field(default_factory=dict)  # BLKaaa → a matrix or a Piecewise
    primes: list[tuple[str, str, int]] = field(default_factory=list)
    calls: list[tuple[str, list[str]]] = field(default_factory=list)
    matrix_blocks: set[str] = field(default_factory=set)
    rw: Rewrites = field(default_factory=Rewrites)

    @property
    def shapes(self) -> dict[str, tuple[Any, Any]]:
        bad = [n for n, _ in self.notation.shapes if not _SAFE.match(n)]
        if bad:  # names in the table become MatrixSymbols, which reach lambdify
            raise ParseError(f"the shape table has a name that is not an identifier: {bad[0][:40]!r}")
        return {n: tuple(sp.Symbol(str(d), integer=True, positive=True) if isinstance(d, str) else d for d in shape)
                for n, shape in self.notation.shapes}


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


#: Placeholder names of the layer (`checker.notation_text`, `checker.notation_matrix`).
_RESERVED = re.compile(r"(FNC|PRM|BLK|DRV|MX|NUM|IND)[a-z]{3}|GRP\d|PRMARG|MXidentity|MXhadamard|hidden_base|ZZ[A-Za-z]|QQ[a-z]")


def _guard(text: str, max_length: int, max_depth: int) -> None:
    if len(text) > max_length:
        raise ParseError(f"the equation is {len(text)} characters long; at most {max_length} are read")
    if _depth(text) > max_depth:
        raise ParseError(f"the equation is nested more than {max_depth} levels deep")
    m = _FORBIDDEN.search(text)
    if m:
        raise ParseError(f"{m.group(0)} is a TeX programming command, not mathematics", m.start())
    m = _RESERVED.search(text)
    if m:  # the layer's own placeholders: a document spelling one must not reach its tables
        raise ParseError(f"{m.group(0)!r} is a name reserved by the notation layer", m.start())
    m = _HUGE_EXPONENT.search(text)
    if m:  # 2^{1000000000} has 300 million digits: computing it exactly costs minutes and gigabytes
        raise ParseError(f"the exponent {m.group(1)} is too large for exact arithmetic", m.start())


#: An integer exponent of a million or more, written out.
_HUGE_EXPONENT = re.compile(r"\^\s*\{?\s*(\d{7,})")


#: How many other readings a Parsed keeps at most.
MAX_READINGS = 3


#: How many times an equation is read again while inferred sizes are made to agree.
_MAX_RESHAPES = 24


def _parse(text: str, notation: Notation, *, choices: frozenset[str] = frozenset(), readings: bool = True) -> Parsed:
    """The reading of `text`, with the shapes of undeclared vectors and matrices inferred from
    their use (`checker.shapes`): each time the matrix layer finds two inferred sizes that must be
    one, the table is updated and the text read again."""
    # f(z)_i, 1[k = i], max_j z_j: the equation reads its vectors entry by entry (z_i, z[k]), not
    # as whole vectors; the two readings are not mixed in one equation
    entrywise = notation.infer and bool(_ENTRYWISE.search(text))
    if not notation.infer or entrywise:
        return _parse_plain(text, replace(notation, infer=False, entrywise=entrywise), choices=choices,
                            readings=readings)
    text = dots(gradients(_norms(_normalise_shapes(text))))
    text, constants = mark_constants(text)
    plain = replace(notation, infer=False)
    try:
        found = kinds(text, lambda span: _name_of(span.strip(), plain))
    except ShapeConflict as exc:
        raise ParseError(str(exc)) from None
    inferred = initial_table(found, constants, notation.shapes)
    for _ in range(_MAX_RESHAPES):
        try:
            return _parse_plain(text, replace(plain, shapes=notation.shapes + inferred), choices=choices,
                                readings=readings)
        except Reshape as r:
            inferred = apply_reshape(inferred, r)
    raise ParseError("the sizes of the vectors and matrices could not be made to agree")


#: Notation that reads vectors entry by entry: an entry of a function's value (``f(z)_i``), an
#: indicator (``\\mathbb{1}[k = i]``), an extremum over an index (``\\max_j z_j``).
_ENTRYWISE = re.compile(r"(\\right)?\)\s*_\s*(\{|[A-Za-z0-9])|\\mathbb\s*\{\s*1\s*\}|\\mathbf\s*\{\s*1\s*\}\s*[\[({_]"
                        r"|\[\\!|\\(max|min)\s*_")


@lru_cache(maxsize=4096)
def _name_of(span: str, notation: Notation) -> str | None:
    """The parser's name of a name written alone (``\\hat{\\mathbf{w}}`` → ``w_hat``), or None
    (cached: notes write the same few names again and again)."""
    try:
        parsed = _parse_plain(span, notation, readings=False)
    except ParseError:
        return None
    side = parsed.sides[0] if len(parsed.sides) == 1 and not parsed.relations else None
    return side.name if isinstance(side, sp.Symbol) and _SAFE.match(side.name) else None


def _parse_plain(text: str, notation: Notation, *, choices: frozenset[str] = frozenset(),
                 readings: bool = True) -> Parsed:
    """The reading of `text`; with `readings`, the other plausible readings where the layer chose.

    Each choice the text made ambiguous (`Rewrites.found`) is turned off in turn and the text
    read again; the readings that differ from the first (and from each other) are kept.
    """
    st = _State(notation, rw=Rewrites(choices=choices))
    primary = _guarded(text, st)
    if not readings or not st.rw.found:
        return primary
    others: list[Parsed] = []
    for choice in sorted(st.rw.found)[:MAX_READINGS]:
        try:
            if choice == "sigmoid":  # σ(x) also read as σ times x
                other = _parse_plain(text, replace(notation, sigma="symbol"), choices=frozenset({choice}),
                                     readings=False)
            else:
                other = _parse_plain(text, notation, choices=frozenset({choice}), readings=False)
        except ParseError:
            continue
        if other.sides != primary.sides and all(other.sides != o.sides for o in others):
            others.append(other)
    return replace(primary, readings=tuple(others)) if others else primary


def _guarded(text: str, st: _State) -> Parsed:
    try:
        return _parse_with(text, st)
    except (ParseError, Reshape):
        raise
    except MatrixError as exc:
        raise ParseError(str(exc)) from None
    except RecursionError:
        raise ParseError("nested too deeply") from None
    except Exception as exc:  # untrusted input: whatever SymPy refuses to build is unparsed, never a crash
        first = str(exc).splitlines()[0][:160] if str(exc) else ""
        raise ParseError(f"cannot read the equation ({type(exc).__name__}: {first})") from None


def _parse_with(text: str, st: _State) -> Parsed:
    blocks = Blocks()
    src = extract_blocks(text, blocks)
    notation = st.notation
    src = prepare(src, st.calls, log_base=notation.log_base, sigma_is_sigmoid=notation.sigma == "sigmoid",
                  functions=notation.functions, rw=st.rw)
    src = primes(src, st.primes)
    for n, (env, body) in enumerate(blocks.items):
        key = "BLK" + _code(n)
        st.values[key] = _block(env, body, notation)
        if env != "cases":
            st.matrix_blocks.add(key)
    st.table.parse = lambda inner: _parse_side(inner, st)
    _refuse(src, st, before_marking=True)
    pieces, relations = _split_relations(src)
    sides = list(ops.unify_sizes(*[_side(p, st) for p in pieces]))
    if st.table.entries:
        unify_sides(sides)
        sides = _resolve_identity(sides)
    names = _result_names(sides, st.names)
    if not relations:
        return Parsed(relation=None, sides=tuple(sides), relations=(), names=names)
    return Parsed(relation=relations[0], sides=tuple(sides), relations=tuple(relations), names=names)


def _result_names(sides: list[Any], names: dict[str, str]) -> dict[str, str]:
    """The display names, without the layer's placeholders; every name of the result has one."""
    out = {k: v for k, v in names.items() if not _RESERVED.search(k) and not _RESERVED.search(v)}
    for side in sides:
        if not isinstance(side, sp.Basic):
            continue
        for a in side.atoms(sp.Symbol, sp.MatrixSymbol, sp.IndexedBase):
            name = str(a.label) if isinstance(a, sp.IndexedBase) else a.name
            if name in out or is_prime_variable(a):
                continue
            # the base of x_i inside a sum: x_i's LaTeX without its subscript
            entry = next((v for k, v in out.items() if k.startswith(name + "_") and "_" not in k[len(name) + 1:]), None)
            stripped = re.sub(r"_\s*(\{[^{}]*\}|\\?[A-Za-z0-9]+)$", "", entry) if entry else ""
            out[name] = stripped if stripped and stripped != entry else _latex_name(name, {})
        for f in side.atoms(sp.core.function.AppliedUndef):
            name = type(f).__name__
            if name not in out:
                out[name] = _latex_name(name, {})
    return out


#: Refusals that matrix marking can lift (with a shape table, A^T and I can be read).
_MATRIX_REFUSALS = ("transposes", "elementwise", "I is the identity", "matrix inverses", "a determinant")


def _refuse(text: str, st: _State, *, before_marking: bool) -> None:
    for pattern, why in _REFUSED:
        if before_marking and why.startswith(_MATRIX_REFUSALS) and (st.shapes or st.matrix_blocks):
            continue  # decided per piece, once the matrices are marked
        m = pattern.search(text)
        if m:
            raise ParseError(why, m.start())


def _resolve_identity(sides: list[Any]) -> list[Any]:
    """``I`` alone on a side has the size of the other side (``AA^{-1} = I``). A name, a
    function value or a derivative may equal a matrix (``W_1 = \\begin{pmatrix}...``,
    ``f(x) = x^T A x``); a nonzero number may not."""
    shapes = [x.shape for x in sides if is_matrix(x)]
    out = []
    for x in sides:
        if identity_marker(x):
            if not shapes or shapes[0][0] != shapes[0][1]:
                raise ParseError("the size of the identity I is not known")
            x = sp.Identity(shapes[0][0])
        out.append(x)
    if any(is_matrix(x) for x in out) and any(getattr(x, "is_number", False) and x != 0 for x in out):
        raise ParseError("a matrix is compared with a scalar")
    return out


def _block(env: str, body: str, notation: Notation) -> Any:
    """A ``cases`` block as a Piecewise, a matrix block as an ImmutableMatrix."""
    rows = cells(body)
    if not rows:
        raise ParseError(f"an empty {env} block")
    if env == "cases":
        pieces = []
        for row in rows:
            if len(row) == 1:  # "1 \text{if } z \geq 0": the condition starts at its word
                m = re.search(r"\\(text|textrm|mbox)\s*\{\s*(if|for|when|otherwise|else)\b", row[0])
                row = [row[0][:m.start()], row[0][m.start():]] if m else row
            if len(row) != 2:
                raise ParseError("each row of cases needs a value and a condition")
            pieces.append((_expression(row[0], notation), _condition(row[1], notation)))
        return sp.Piecewise(*pieces)
    width = {len(r) for r in rows}
    if len(width) != 1:
        raise ParseError("the rows of the matrix have different lengths")
    # a lone d is an entry, not a differential, inside a matrix
    return sp.ImmutableMatrix([[_expression(re.sub(r"(?<![A-Za-z\\])d(?![A-Za-z])", r"\\mathrm{ZZd}", c), notation)
                                for c in r] for r in rows])


def _expression(text: str, notation: Notation) -> Any:
    parsed = _parse(text, notation, readings=False)
    if parsed.relations or len(parsed.sides) != 1:
        raise ParseError(f"{text.strip()[:60]!r} should be an expression")
    return parsed.sides[0]


def _condition(text: str, notation: Notation) -> Any:
    t = re.sub(r"\\(text|textrm|mbox)\s*\{\s*(if|for|when)\s*\}", " ", text)
    t = re.sub(r"^\s*(if|for|when)\b", " ", t).strip().rstrip(",.")
    if re.fullmatch(r"(\\(text|textrm|mbox)\s*\{\s*)?(otherwise|else|elsewhere)\s*\}?", t):
        return sp.true
    parsed = _parse(t, notation, readings=False)
    ops = {"<": sp.StrictLessThan, "<=": sp.LessThan, ">": sp.StrictGreaterThan, ">=": sp.GreaterThan,
           "=": sp.Eq, "!=": sp.Ne}
    if not parsed.relations or any(r not in ops for r in parsed.relations):
        raise ParseError(f"cannot read the condition {text.strip()[:60]!r}")
    return sp.And(*[ops[r](a, b) for a, b, r in zip(parsed.sides, parsed.sides[1:], parsed.relations)])


# --- parsing one side ----------------------------------------------------------------------


def _frac_at(text: str, k: int) -> tuple[str, str, int] | None:
    """Numerator, denominator and end of the ``\\frac`` at offset `k`."""
    num = group(text, k + len("\\frac"))
    if num is None:
        return None
    den = group(text, num[1])
    if den is None:
        return None
    return num[0], den[0], den[1]


def _side(text: str, st: _State) -> Any:
    """One side of a relation.

    ``\\frac{\\partial J}{\\partial w_j}`` becomes a placeholder that is replaced by the
    derivative after parsing; an operator ``\\frac{d}{dx}`` applies to the rest of the side.
    Both are built here because the parser cannot differentiate with respect to a
    subscripted variable.
    """
    derivatives: dict[str, tuple[str, list[tuple[str, int]]]] = {}
    out, i = [], 0
    for m in re.finditer(r"\\frac(?![A-Za-z])", text):
        if m.start() < i:
            continue
        frac = _frac_at(text, m.start())
        found = derivative_fraction(frac[0], frac[1]) if frac else None
        if frac is None or found is None:
            continue
        body, variables = found
        if not body:  # an operator: d/dx applied to everything after it on this side
            rest = text[frac[2]:]
            if not rest.strip():
                raise ParseError("d/dx is applied to nothing")
            operand = _side(rest, st)
            key = f"DRV{_code(len(derivatives))}"
            derivatives[key] = ("", [])
            st.values[key] = _derivative(operand, variables, st)
            out.append(text[i:m.start()] + rf" \mathrm{{{key}}} ")
            i = len(text)
            break
        end, times = frac[2], ""
        call = re.match(r"\s*\(([^()]*)\)", text[end:])
        if call and re.fullmatch(r"\\?[A-Za-z]+", body.strip()):
            if len(variables) == 1 and call.group(1).replace(" ", "") == variables[0][0].replace(" ", ""):
                body = f"{body}({call.group(1)})"  # df/dx(x): the derivative of the function f
                end += call.end()
            elif re.fullmatch(r"\s*[-+]?\d+(\.\d+)?\s*", call.group(1)):
                raise ParseError("a derivative taken at a point (df/dx(2)) is not read; write f'(2)")
        if text[end:].lstrip().startswith("("):
            times = r" \cdot "  # dL/dz (1 - z): a product, not a call of the derivative
        key = f"DRV{_code(len(derivatives))}"
        derivatives[key] = (body, variables)
        out.append(text[i:m.start()] + rf" \mathrm{{{key}}} " + times)
        i = end
    out.append(text[i:])
    expr = _parse_side("".join(out), st)
    mapping = {}
    for key, (body, variables) in derivatives.items():
        if body:
            mapping[sp.Symbol(key)] = _derivative(_side(body, st), variables, st)
        else:
            mapping[sp.Symbol(key)] = st.values.pop(key)
    return _xreplace_symbols(expr, mapping) if mapping else expr


def _xreplace_symbols(expr: Any, mapping: dict[sp.Symbol, Any]) -> Any:
    """Replace placeholder symbols by name (they may carry assumptions)."""
    by_name = {k.name: v for k, v in mapping.items()}
    found = {s: by_name[s.name] for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name in by_name}
    return expr.xreplace(found) if found else expr


def _derivative(operand: Any, variables: list[tuple[str, int]], st: _State) -> Any:
    """The derivative of `operand` in `variables` (LaTeX names, with their orders).

    A power as the variable (``\\partial \\sigma^2``) is the variable σ² (a symbol ``sigma_pow2``):
    where the operand is written in σ, it is differentiated as a function of σ² and taken at
    σ², ``Subs(d/dv f(v^(1/2)), v, σ²)``.
    """
    wrt, powers = [], []
    for text, n in variables:
        var = _variable(text, st)
        if isinstance(var, sp.Pow):
            base, exp = var.args
            v = sp.Symbol(f"{base.name}_pow{exp}", positive=True)
            st.names.setdefault(v.name, rf"{st.names.get(base.name, base.name)}^{{{exp}}}")
            powers.append((base, exp, v))
            var = v
        wrt.append((var, n))
    for base, exp, v in powers:
        if isinstance(operand, sp.Basic) and operand.has(base):
            operand = operand.xreplace({base: v ** (sp.Integer(1) / exp)})
        else:
            powers = [p for p in powers if p[2] != v]
    result = sp.Derivative(operand, *wrt)
    for base, exp, v in powers:
        result = sp.Subs(result, v, base**exp)
    return result


def _variable(text: str, st: _State) -> Any:
    var = _parse_side(text, st)
    if isinstance(var, sp.MatrixSymbol):
        return var  # ∂J/∂W, left unevaluated (SymPy cannot always differentiate matrix expressions)
    if isinstance(var, sp.Pow) and isinstance(var.args[0], sp.Symbol) and var.args[1].is_Integer \
            and var.args[1] > 1 and _SAFE.match(f"{var.args[0].name}_pow{var.args[1]}"):
        return var  # the variable σ²
    if not isinstance(var, sp.Symbol):
        raise ParseError(f"cannot differentiate with respect to {text!r}")
    return var


def _parse_side(text: str, st: _State) -> Any:
    from latex2sympy2_extended import latex2sympy
    from latex2sympy2_extended.latex2sympy2 import ConversionConfig

    config = ConversionConfig(lowercase_symbols=False, interpret_as_mixed_fractions=False,
                              interpret_simple_eq_as_assignment=False)
    shapes = st.shapes
    if shapes or st.matrix_blocks:
        text = mark(text, shapes, st.matrix_blocks, st.table)
    _refuse(text, st, before_marking=False)  # every piece: call arguments were cut out of the whole
    try:
        expr = latex2sympy(text, conversion_config=config, normalization_config=None)
    except RecursionError:
        raise ParseError("nested too deeply") from None
    except Exception as exc:  # the parser's own errors: report its message, never a traceback
        raise ParseError(_parser_message(text, exc)) from None
    if isinstance(expr, (sp.Tuple, sp.Set)) or isinstance(expr, sp.logic.boolalg.BooleanAtom) \
            or not isinstance(expr, sp.Basic):
        raise ParseError(f"{text.strip()[:80]!r} is not a single expression")
    try:
        return _clean(expr, st)
    except (ParseError, MatrixError, Reshape):
        raise
    except Exception as exc:  # SymPy refusing what was built (a shape mismatch, ...): not readable
        first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise ParseError(f"cannot read {text.strip()[:80]!r}: {first}") from None


def _parser_message(text: str, exc: Exception) -> str:
    """The parser's message, with the position it points at (its caret line) when it gives one."""
    lines = [ln for ln in str(exc).strip().splitlines() if ln.strip()]
    first = lines[0][:160] if lines else type(exc).__name__
    caret = next((ln for ln in lines[1:] if re.fullmatch(r"\s*~*\^\s*", ln)), None)
    where = f" at character {caret.index('^') + 1}" if caret else ""
    return f"cannot read {text.strip()[:80]!r}{where}: {first}"


def _safe_name(raw: str, names: dict[str, str], labels: Mapping[str, str] | None = None) -> str:
    """The identifier a name of the parser's becomes; `names` gets its LaTeX (`_latex_name`)."""
    name = raw.replace("\\", "")
    name = re.sub(r"math(?:rm)?\{([^{}]*)\}", r"\1", name)
    name = re.sub(r"(hat|bar|tilde|widehat|overline)\{([^{}]*)\}", r"\2_\1", name).replace("QQ", "_")
    name = name.replace("ZZ", "")  # ZZ marks a name kept literally (d inside a matrix, gamma, x^{(i)})
    name = re.sub(r"[{}\s,]", "", name)
    # m_{t-1} and m_{t+1} are different names: spell the sign
    name = re.sub(r"(?<=[A-Za-z0-9])-(?=[A-Za-z0-9])", "m", name)
    name = re.sub(r"(?<=[A-Za-z0-9])\+(?=[A-Za-z0-9])", "p", name)
    name = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_")
    name = re.sub(r"__+", "_", name)
    if not name or not name[0].isalpha():
        name = "v_" + name
    if not _SAFE.match(name):
        raise ParseError(f"cannot make a safe name of {raw[:40]!r}")
    if name not in names and not _RESERVED.fullmatch(name):
        names[name] = _latex_name(raw, labels or {})
    return name


#: Names of Greek letters (and ℓ) that the parser gives without their backslash.
_GREEK = ("alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|vartheta|iota|kappa|lambda|mu|nu|xi|pi|rho"
          "|varrho|sigma|varsigma|tau|upsilon|phi|varphi|chi|psi|omega|Gamma|Delta|Theta|Lambda|Xi|Pi|Sigma|Upsilon"
          "|Phi|Psi|Omega|ell")


def _latex_name(raw: str, labels: Mapping[str, str]) -> str:
    r"""The LaTeX of a name as the notes wrote it, from the parser's spelling of it.

    ``math{sigmaQQhat}`` → ``\hat{\sigma}``, ``theta_{ij}`` → ``\theta_{ij}``, ``x_{ZZSk}`` →
    ``x^{(k)}``, ``W_{ZZLl}`` → ``W^{[l]}``, ``math{LQQcal}`` → ``\mathcal{L}``.
    """
    bare = raw.lstrip("\\")
    if bare in labels:
        return labels[bare]
    m = re.fullmatch(r"([A-Za-z]+)_(hat|bar|tilde|cal)", raw)  # a safe name, e.g. of an entry's base
    if m:
        base = "\\" + m.group(1) if re.fullmatch(_GREEK, m.group(1)) else m.group(1)
        return rf"\math{m.group(2)}{{{base}}}" if m.group(2) == "cal" else rf"\{m.group(2)}{{{base}}}"
    s = re.sub(rf"(?<![\\A-Za-z{{])({_GREEK})(?![A-Za-z])", r"\\\1", raw)

    def inner(m: re.Match[str]) -> str:
        x = m.group(1)
        if x in labels:
            return labels[x]
        if x.startswith("ZZsizeQQ"):
            return rf"\mathrm{{size}}_{{{x[8:]}}}"
        if x.startswith("ZZ"):
            x = x[2:]
            return "\\" + x if re.fullmatch(_GREEK, x) else x
        if "QQ" in x:  # an accent or a label the labels do not know (a name from the shape table)
            base, _, rest = x.partition("QQ")
            base = "\\" + base if re.fullmatch(_GREEK, base) else base
            return rf"\{rest}{{{base}}}" if rest in ("hat", "bar", "tilde") else rf"{base}^{{\text{{{rest}}}}}"
        return x if len(x) == 1 else rf"\mathrm{{{x}}}"

    s = re.sub(r"\\?math(?:rm)?\{([^{}]*)\}", inner, s)
    s = re.sub(r"_\{ZZS([^{}]*)\}", r"^{(\1)}", s)
    s = re.sub(r"_\{ZZL([^{}]*)\}", r"^{[\1]}", s)
    return s


def _clean(expr: sp.Basic, st: _State) -> Any:
    """Safe names, placeholders filled in, the ML functions, matrices, indexed entries in sums."""
    names, labels = st.names, st.rw.labels
    mapping: dict[sp.Basic, sp.Basic] = {}
    for s in expr.free_symbols:
        if isinstance(s, sp.Symbol) and s.name not in ("+", "-", "+-"):
            new = _safe_name(s.name, names, labels)
            if new != s.name:
                mapping[s] = sp.Symbol(new, **s.assumptions0)
    for v in expr.atoms(sp.Symbol):  # bound variables too
        if v.name in ("+", "-", "+-"):
            continue  # the direction of a Limit
        if v not in mapping and not _SAFE.match(v.name):
            mapping[v] = sp.Symbol(_safe_name(v.name, names, labels), **v.assumptions0)
    if mapping:
        expr = expr.xreplace(mapping)
    expr = expr.replace(lambda a: isinstance(a, sp.core.function.AppliedUndef), lambda a: _function(a, st))
    expr = _fill_placeholders(expr, st)
    if expr.has(sp.log):
        expr = expr.replace(lambda a: isinstance(a, sp.log) and len(a.args) == 2,
                            lambda a: sp.log(a.args[0]) / sp.log(a.args[1]))
    if expr.has(sp.Sum, sp.Product):
        expr = expr.replace(lambda a: isinstance(a, (sp.Sum, sp.Product)), _indexed_in_sum)
    if expr.has(sp.KroneckerDelta) and expr.has(sp.Sum):
        expr = expr.replace(lambda a: isinstance(a, sp.Sum) and a.function.has(sp.KroneckerDelta),
                            lambda a: ops.select_deltas(a, _entry_name(st)))
    if st.table.entries:
        expr = rebuild(expr, st.table, st.values, st.shapes)
    if st.notation.shapes and expr.has(sp.Sum) and not st.notation.entrywise:
        expr = relate_entries(expr, st.shapes)
    return expr


def _fill_placeholders(expr: Any, st: _State) -> Any:
    """Primes (``PRMaaa``) become derivatives; cases blocks (``BLKaaa``) their Piecewise."""
    # a decimal before a parenthesis (``2.5 (y)``) is a factor, not a function being called
    numbers = [c for c in expr.atoms(AppliedUndef) if re.fullmatch(r"NUM[a-z]{3}", type(c).__name__)]
    if numbers:
        expr = expr.xreplace({c: sp.Symbol(type(c).__name__) * sp.Mul(*c.args) for c in numbers})
    mapping: dict[sp.Symbol, Any] = {}
    for s in expr.free_symbols:
        if not isinstance(s, sp.Symbol):
            continue
        if re.fullmatch(r"NUM[a-z]{3}", s.name):  # a decimal literal: the exact rational its digits say
            value = Fraction(st.rw.numbers[_index(s.name[3:])])
            mapping[s] = sp.Rational(value.numerator, value.denominator)
        elif re.fullmatch(r"PRM[a-z]{3}", s.name):
            k = _index(s.name[3:])
            mapping[s] = _prime(st.primes[k], k, st)
        elif re.fullmatch(r"IND[a-z]{3}", s.name):
            mapping[s] = _indicator(st.rw.indicators[_index(s.name[3:])], st)
        elif re.fullmatch(r"FNC[a-z]{3}", s.name) and _index(s.name[3:]) in st.rw.entries:
            k = _index(s.name[3:])
            callee, args = st.calls[k]
            mapping[s] = _entry_call(callee, args, st.rw.entries[k], st)
        elif re.fullmatch(r"FNC[a-z]{3}", s.name):
            callee, args = st.calls[_index(s.name[3:])]
            if any(len(_split_relations(a)[0]) > 1 for a in args):
                raise ParseError(f"an event such as X = x inside {callee.strip()}(...) is not supported")
            mapping[s] = _call(callee, [_side(a, st) for a in args], st)
        elif re.fullmatch(r"BLK[a-z]{3}", s.name) and not is_matrix(st.values.get(s.name)):
            mapping[s] = st.values[s.name]
    return expr.xreplace(mapping) if mapping else expr


def _indicator(condition: str, st: _State) -> Any:
    """The value of ``\\mathbb{1}[condition]`` (`checker.notation_ops.indicator`)."""
    if ops.bold_names(condition):
        raise ParseError("an indicator of a vector condition (entry by entry) is not supported")
    parsed = _parse(condition, st.notation, readings=False)
    for name, written in parsed.names.items():
        st.names.setdefault(name, written)
    return ops.indicator(parsed.sides, parsed.relations)


def _entry_name(st: _State) -> Any:
    """How the entry of a vector at an index is named outside sums (``z``, ``i`` → ``z_i``)."""
    def name(base: str, index: Any) -> sp.Symbol:
        return sp.Symbol(_safe_name(f"{base}_{{{index}}}", st.names, st.rw.labels))
    return name


def _entry_call(callee: str, arg_texts: list[str], index_text: str, st: _State) -> Any:
    """``f(x)_i``: the entry i of a function's value (`checker.notation_ops`)."""
    plain = re.sub(r"\\mathrm\{([^{}]*)\}", r"\1", callee.replace(" ", "")).lstrip("\\")
    fname = NAMED.get(plain, plain)
    if plain == "sigma" and st.notation.sigma != "sigmoid":
        fname = "sigma_symbol"
    index: Any = sp.Integer(int(index_text)) if index_text.isdigit() else sp.Symbol(index_text)
    shapes = st.shapes
    if any(r != 1 and c != 1 for r, c in shapes.values()) and any(
            re.search(rf"(?<![A-Za-z\\]){re.escape(n)}(?![A-Za-z])", " ".join(arg_texts))
            for n, (r, c) in shapes.items() if r != 1 and c != 1):
        raise ParseError(f"an entry of {plain} of a matrix expression is not supported")
    vectors: dict[str, Any] = {n: None for n in st.rw.bold}
    # a declared size is the plain name the notes write in their sums (n in \sum_{j=1}^{n})
    vectors.update({n: _plain_size(r if c == 1 else c) for n, (r, c) in shapes.items() if r == 1 or c == 1})
    saved = st.notation
    st.notation = replace(saved, shapes=())  # entries are scalars: the argument is read entry by entry
    try:
        tuple_parts = arguments(arg_texts[0].strip()[1:-1]) if len(arg_texts) == 1 \
            and arg_texts[0].strip().startswith("(") and matching(arg_texts[0].strip(), 0) == len(arg_texts[0].strip()) - 1 \
            else []
        components = [_side(a, st) for a in (tuple_parts if len(tuple_parts) > 1 else arg_texts)] \
            if len(tuple_parts) > 1 or len(arg_texts) > 1 else None
        arg = _side(arg_texts[0], st) if components is None else None
    finally:
        st.notation = saved
    entry_name = _entry_name(st)
    if fname == "softmax":
        fresh = ops.fresh_index(" ".join(arg_texts) + " " + index_text, {index_text})
        return ops.softmax_entry(components, arg, index, vectors=vectors, entry_name=entry_name, fresh=fresh,
                                 size_of=lambda v: _size_symbol(v, st))
    if components is not None:
        raise ParseError(f"an entry of {plain} of several arguments is not supported")
    if fname in ops.ELEMENTWISE:
        return ops.elementwise_entry(fname, arg, index, vectors=vectors, entry_name=entry_name)
    if fname in ("sigma_symbol",) or fname in NAMED.values():
        raise ParseError(f"an entry of {plain}(...) is not supported")
    # any other function: its component function f_i, applied to the argument
    name = _safe_name(f"{plain}_{{{index_text}}}", st.names, st.rw.labels)
    return sp.Function(name)(arg)


def _plain_size(d: Any) -> Any:
    return sp.Symbol(d.name) if isinstance(d, sp.Symbol) else d


def _size_symbol(vector: str, st: _State) -> sp.Symbol:
    """The size of a vector the notes do not declare: checked at several sizes."""
    name = f"size_{vector}"
    st.names.setdefault(name, rf"\mathrm{{size}}({st.names.get(vector, _latex_name(vector, {}))})")
    return sp.Symbol(name, integer=True, positive=True)


def _index(code: str) -> int:
    a, b, c = (ord(ch) - 97 for ch in code)
    return a * 676 + b * 26 + c


#: LaTeX commands of functions SymPy knows: their primes are the derivatives SymPy computes.
_BUILTIN_COMMANDS = frozenset({"arcsinh", "arccosh", "arctanh", "arsinh", "arcosh", "artanh", "sinh", "cosh", "tanh",
                               "exp", "arcsin", "arccos", "arctan", "sin", "cos", "tan", "sec", "csc", "cot", "ln",
                               "log"})


def prime_variable(k: int = 0) -> sp.Symbol:
    """The reserved real variable of the k-th prime of an equation: ``f'(x)`` is
    ``Subs(Derivative(f(u1_), u1_), u1_, x)``. No name of a note ends with ``_``, so none clashes."""
    return sp.Symbol(f"u{k + 1}_", real=True)


def is_prime_variable(sym: Any) -> bool:
    """Whether `sym` is one of the variables `prime_variable` reserves."""
    return isinstance(sym, sp.Symbol) and re.fullmatch(r"u[0-9]+_", sym.name) is not None


def _prime(entry: tuple[str, str, int], k: int, st: _State) -> Any:
    """``f'(x)`` is the derivative of f taken at x: ``Subs(Derivative(f(u), u), u, x)``, also
    when x is a plain symbol (the notes may define f(w) and then write f'(a)). SymPy's own
    functions (``\\tanh'``, the sigmoid ``\\sigma'``) at a symbol are their derivative there."""
    callee, arg_text, order = entry
    args = arguments(arg_text)
    if len(args) != 1:
        raise ParseError(f"{callee}' needs a function of one variable")
    arg = _side(primes(args[0], st.primes), st)  # f'(g'(x)): the inner prime gets its own variable
    if callee.startswith("\\") and callee.lstrip("\\") in _BUILTIN_COMMANDS:
        call = _parse_side(rf"{callee}(\mathrm{{PRMARG}})", st)  # a built-in such as \tanh
        call = call.xreplace({sp.Symbol("PRMARG"): arg}) if isinstance(call, sp.Function) else None
    else:
        call = _call(callee, [arg], st)
    if not isinstance(call, sp.Function) or len(call.args) != 1:
        raise ParseError(f"{callee}' is not the derivative of a function of one variable")
    if not isinstance(call, sp.core.function.AppliedUndef) and isinstance(arg, sp.Symbol):
        return sp.Derivative(call, (arg, order))
    u = prime_variable(k)
    return sp.Subs(sp.Derivative(call.func(u), (u, order)), u, arg)


def _call(callee: str, args: list[Any], st: _State) -> Any:
    """The function `callee` (LaTeX: ``f``, ``\\sigma``, ``\\mathrm{Var}``) applied to `args`."""
    name = callee.replace(" ", "")
    if name.startswith("\\mathrm{") or name.startswith("\\"):
        raw = name
    else:
        raw = _safe_name(name, st.names, st.rw.labels)
    return _function(sp.Function(raw)(*args), st)


def _function(call: Any, st: _State) -> Any:
    notation, names = st.notation, st.names
    raw = type(call).__name__
    plain = re.sub(r"\\mathrm\{([^{}]*)\}", r"\1", raw).lstrip("\\")
    args = call.args
    if plain in _NORM_FUNCTIONS:
        return norm(plain, list(args))
    if plain in ("ZZmaxover", "ZZminover") and len(args) == 4:
        return series.extremum(plain[2:5], args, _indexed_in_sum)
    if plain in ("ZZargmin", "ZZargmax") and len(args) == 2:
        return series.argopt(plain[-3:], args[0], args[1])
    if plain in ("tr", "Tr", "trace") and len(args) == 1:
        if is_matrix(args[0]) and args[0].shape[0] == args[0].shape[1]:
            return sp.Trace(args[0])
        if not (isinstance(args[0], sp.Symbol) and args[0].name.startswith("MX")):  # else: the matrix step builds it
            raise ParseError("a trace needs a square matrix: give its entries or its shape")
    if plain == "det":
        if len(args) == 1 and is_matrix(args[0]) and args[0].shape[0] == args[0].shape[1]:
            return sp.Determinant(args[0])
        raise ParseError("a determinant needs a square matrix: give its entries or its shape")
    if any(is_matrix(a) for a in args) and (plain in ("sigma", "phi", "psi") or NAMED.get(plain) in _ELEMENTWISE):
        # σ(Wx + b) is meant entry by entry, which SymPy's matrix expressions do not say
        raise ParseError(f"{plain} of a matrix (entry by entry) is not supported")
    if plain == "sigma" and notation.sigma == "sigmoid" and len(args) == 1:
        return sigmoid(args[0])
    if plain == "sigma" and not st.rw.on("sigmoid") and len(args) == 1:  # the other reading: σ times x
        return sp.Symbol("sigma") * args[0]
    mapped = NAMED.get(plain)
    if mapped == "relu" and len(args) == 1:
        return relu(args[0])
    if mapped == "sigmoid" and len(args) == 1:
        return sigmoid(args[0])
    if mapped == "tanh" and len(args) == 1:
        return sp.tanh(args[0])
    if mapped == "sign" and len(args) == 1:
        return sp.sign(args[0])
    name = _safe_name(mapped or plain, names, st.rw.labels)
    if mapped:
        names.setdefault(name, {"E": r"\mathbb{E}"}.get(mapped, rf"\mathrm{{{plain}}}"))
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


# --- printing for messages ------------------------------------------------------------------


def display(expr: Any, names: Mapping[str, str]) -> str:
    r"""`expr` in LaTeX as the notes spell it, for a message shown next to the notes' LaTeX.

    `names` is `Parsed.names` (identifier → the LaTeX the notes wrote): ``sigma_hat`` prints as
    ``\hat{\sigma}``, ``L_cal`` as ``\mathcal{L}``; a prime ``Subs(d/du f(u), u, x)`` as ``f'(x)``;
    the sigmoid as ``\sigma``. Names `names` does not know print as `_latex_name` spells them.
    """
    from sympy.printing.latex import LatexPrinter

    class Printer(LatexPrinter):
        def _name(self, name: str) -> str:
            return names.get(name) or _latex_name(name, {})

        def _print_Symbol(self, e: Any, style: str = "plain") -> str:
            if is_prime_variable(e):
                return "u"
            return self._name(e.name)

        def _print_MatrixSymbol(self, e: Any) -> str:
            return self._name(e.name)

        def _print_IndexedBase(self, e: Any) -> str:
            return self._name(str(e.label))

        def _print_Indexed(self, e: Any) -> str:
            return "{%s}_{%s}" % (self._print(e.base), ",".join(self._print(i) for i in e.indices))

        def _print_Function(self, e: Any, exp: Any = None) -> str:
            if isinstance(e, sp.core.function.AppliedUndef) or type(e).__name__ in ("sigmoid", "relu"):
                head = {"sigmoid": r"\sigma", "relu": r"\mathrm{ReLU}"}.get(type(e).__name__) \
                    or self._name(type(e).__name__)
                if exp is not None:
                    head = f"{{{head}}}^{{{exp}}}"
                return r"%s\left(%s\right)" % (head, ", ".join(self._print(a) for a in e.args))
            return super()._print_Function(e, exp)

        def _print_ArgOpt(self, e: Any) -> str:
            lam, sign = e.args
            op = r"\arg\max" if sign == 1 else r"\arg\min"
            return r"%s_{%s} %s" % (op, self._print(lam.variables[0]), self._print(lam.expr))

        def _print_Subs(self, e: Any) -> str:
            inner, (var,), (point,) = e.args[0], e.args[1], e.args[2]
            if is_prime_variable(var) and isinstance(inner, sp.Derivative) and len(inner.variable_count) == 1 \
                    and isinstance(inner.expr, sp.Function) and inner.expr.args == (var,):
                order = inner.variable_count[0][1]
                f = inner.expr
                head = {"sigmoid": r"\sigma"}.get(type(f).__name__) or (
                    self._name(type(f).__name__) if isinstance(f, sp.core.function.AppliedUndef)
                    else super()._print_Function(f).split("{")[0].split("\\left")[0])
                ticks = "'" * order if order <= 3 else f"^{{({order})}}"
                return r"%s%s\left(%s\right)" % (head, ticks, self._print(point))
            return super()._print_Subs(e)

    return Printer().doprint(expr)


__all__ = ["MAX_READINGS", "Notation", "ParseError", "Parsed", "display", "is_prime_variable", "parse_latex",
           "prime_variable"]
