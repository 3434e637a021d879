"""The context of notes checking: what earlier equations and directives said.

Definitions (``J(w) = ...``, ``\\sigma(z) = ...``), assumptions (``<!-- mathcheck: assume
0 < p < 1 -->``), the notation (``\\sigma`` as a standard deviation, the base of ``\\log``),
and the claim an equation makes in that context. `checker.notes_check` plans and runs the
claims.

The reader is conservative: a name set to a number in running text (``$w = 0$``) is a value
for that sentence, not a definition; a derivative of a quantity that is neither defined nor
a function of the variable is uncheckable, not true.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.core.function import AppliedUndef

from checker.claims import DerivativeClaim, Identity, Property
from checker.information import is_information_call
from checker.notation import Notation, ParseError, parse_latex
from checker.notation_rules import split_relations
from checker.notation_ops import unify_sizes
from checker.notation_series import ArgOpt, extremum_bounds, optimum_claim
from checker.notes import Directive, Equation
from checker.shapes import value_shape
from checker.relations import INEQUALITIES
from checker.notes_forms import drop_alignment, is_matrix, plain_symbols, top_level_commas, trim

#: Sizes at which sums with symbolic bounds are instantiated.
SUM_SIZES = (1, 2, 3, 4)



@dataclass
class Context:
    """What the notes have said so far."""

    notation: Notation = field(default_factory=Notation)
    definitions: dict[str, tuple[tuple[sp.Symbol, ...], Any]] = field(default_factory=dict)
    assumptions: list[sp.Basic] = field(default_factory=list)
    skip_next: bool = False
    expect_wrong_next: bool = False
    parse: Any = parse_latex  # how LaTeX is read: a budgeted, prefetched parser in `mathcheck check`
    #: numbers the notes give names (``at $\\lambda = 0.5$``): used only to evaluate worked numbers,
    #: never substituted into identities; they hold until the next heading
    values: dict[str, Any] = field(default_factory=dict)
    #: the line that gave each defined name (and each value) its meaning, for messages
    origins: dict[str, int] = field(default_factory=dict)
    #: how the notes write each name (``sigma_hat`` → ``\\hat{\\sigma}``), for messages
    spelling: dict[str, str] = field(default_factory=dict)
    section: int = 0
    #: the part of the notes (heading) where each name was defined
    sections: dict[str, int] = field(default_factory=dict)
    #: indexed families (``p_j = ...`` for every j) and sequences (``v_t = \\mu v_{t-1} + g_t``)
    families: dict[str, Any] = field(default_factory=dict)
    family_sections: dict[str, int] = field(default_factory=dict)
    #: the notes say that every sequence starts at zero
    zero_start: bool = False
    #: names the notes call random variables ("a positive random variable $X$"), and whether
    #: they said the random variables are independent
    random: set[str] = field(default_factory=set)
    positive_random: set[str] = field(default_factory=set)
    independent: bool = False
    #: names the notes use as distributions (``\\sum_x p(x)``, ``H(p, q)``): H(p) of one is its entropy
    distributions: set[str] = field(default_factory=set)
    #: vectors declared to sum to one (``assume \\sum_j y_j = 1``)
    normalised: set[str] = field(default_factory=set)
    #: names declared to take integer values (``y \\in \\{0, 1\\}``)
    integers: set[str] = field(default_factory=set)
    #: every name of the equations read so far
    seen: set[str] = field(default_factory=set)
    #: each definition as written, before the names in it were replaced (∂J/∂L holds L)
    written: dict[str, tuple[tuple[sp.Symbol, ...], Any]] = field(default_factory=dict)
    #: names defined by a form whose equality with their definition could not be checked, with
    #: why a claim that fails with that form is not wrong
    provisional: dict[str, str] = field(default_factory=dict)

    def define(self, name: str, params: tuple[sp.Symbol, ...], body: Any, line: int) -> None:
        """Give `name` its meaning from here on."""
        self.written[name] = (params, body)
        self.definitions[name] = (params, _substitute(body, self))
        self.origins[name], self.sections[name] = line, self.section
        self.values.pop(name, None)
        self.provisional.pop(name, None)


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    column: int
    latex: str
    continues: bool  # an align row that starts with `&=`: it continues the previous row's chain
    lead: str = "="  # the relation it continues with
    #: the readable part of a row with an unreadable side: its steps are numbered from `offset`,
    #: and it continues from `anchor` (the side before it, read on its own) when that is given
    offset: int = 0
    anchor: Any = None
    part: bool = False  # such a part: not split again when it cannot be read as a whole


_LEAD = re.compile(r"^\s*&?\s*(=|\\approx|\\leq?|\\geq?|<|>)\s*")
_LEAD_NAMES = {"=": "=", "\\approx": "approx", "\\le": "<=", "\\leq": "<=", "\\ge": ">=", "\\geq": ">=",
               "<": "<", ">": ">"}


def _rows(eq: Equation) -> list[_Row]:
    out = []
    for row in eq.rows or ():
        text = row.latex.strip()
        m = _LEAD.match(text) if text.startswith("&") or (out and text[:1] in "=<>\\") else None
        if m and out:
            rest = drop_alignment(text[m.end():]).strip()
            if rest:
                out.append(_Row(row.line, row.column, rest, True, _LEAD_NAMES.get(m.group(1), "=")))
            continue
        text = drop_alignment(text).strip()
        for k, part in enumerate(_equations_in_row(text)):
            out.append(_Row(row.line, row.column + text.find(part), part, False) if k else
                       _Row(row.line, row.column, part, False))
    if not out and eq.latex.strip():
        for part in _equations_in_row(drop_alignment(eq.latex).strip()):
            out.append(_Row(eq.line, eq.column, part, False))
    return out


#: How each relation is written back when readable sides are joined again.
_RELATION_TEXT = {"=": "=", "<=": "\\le", ">=": "\\ge", "!=": "\\ne", "<": "<", ">": ">", "approx": "\\approx",
                  "propto": "\\propto"}


@dataclass(frozen=True)
class Sides:
    """A row read side by side, because it could not be read as a whole."""

    texts: tuple[str, ...]
    relations: tuple[str, ...]
    sides: tuple[Any, ...]  # each side read on its own; None where it cannot be read
    reasons: tuple[str, ...]  # why each unreadable side cannot be read ("" where it was read)
    names: dict[str, str]

    def joined(self, start: int, end: int) -> str:
        """The LaTeX of the sides ``start..end`` and the relations between them."""
        out = [self.texts[start]]
        for k in range(start + 1, end + 1):
            out += [_RELATION_TEXT[self.relations[k - 1]], self.texts[k]]
        return " ".join(out)


#: The longest row that is read side by side (the parser reads at most 2000 characters).
MAX_SIDES_LENGTH = 2000


def read_sides(latex: str, ctx: Context) -> Sides | None:
    """The sides of a chain ``a = b = c``, each read on its own: the steps between readable
    sides can still be checked when one side uses notation that cannot be read. None when the
    text is not a chain of relations."""
    if len(latex) > MAX_SIDES_LENGTH:
        return None  # refused as a whole for its length: not worth splitting
    try:
        texts, relations = split_relations(latex)
    except ParseError:
        return None
    if not relations or any(r not in _RELATION_TEXT for r in relations):
        return None
    sides: list[Any] = []
    reasons: list[str] = []
    names: dict[str, str] = {}
    for text in texts:
        try:
            parsed = ctx.parse(text.strip(), notation=ctx.notation)
        except ParseError as exc:
            sides.append(None)
            reasons.append(str(exc))
            continue
        if parsed.relations or len(parsed.sides) != 1:
            sides.append(None)
            reasons.append("a relation inside a side")
            continue
        sides.append(parsed.sides[0])
        reasons.append("")
        names.update(getattr(parsed, "names", None) or {})
    return Sides(tuple(t.strip() for t in texts), tuple(relations), tuple(sides), tuple(reasons), names)


_QUAD = re.compile(r"\\q?quad\b|\\(?:text|textrm|mbox)\s*\{\s*(?:and|,|or)\s*\}")
_HAS_RELATION = re.compile(r"=|\\le|\\ge|<|>|\\in\b")


def _equations_in_row(text: str) -> list[str]:
    """Equations written side by side on one row (``z = Uh + b \\quad \\delta = ...``,
    ``W_1 = ..., b_1 = ...``), each on its own."""
    parts = [p for p in (trim(q) for q in _QUAD.split(text) if q) if p]
    if len(parts) > 1 and sum(1 for p in parts if _HAS_RELATION.search(p)) > 1:
        return parts
    parts = top_level_commas(re.sub(r"\\,", r"\\ ", text))  # the thin space \, is not a comma
    if len(parts) > 1 and all(_HAS_RELATION.search(p) for p in parts):
        return parts
    return [text] if text else []


def _realify(e: Any) -> Any:
    """Symbols of notes are real unless said otherwise (ML notes mean real numbers)."""
    if not isinstance(e, sp.Basic):
        return e
    variables = {v for d in e.atoms(sp.Derivative) for v in d.variables}  # ∂σ²/∂h_j: h_j is not free there
    mapping = {s: sp.Symbol(s.name, real=True) for s in e.free_symbols | variables
               if isinstance(s, sp.Symbol) and s.is_real is None}
    return e.xreplace(mapping) if mapping else e


class SubstitutionError(ValueError):
    """A definition of the notes does not fit where its name is used (a vector where a number
    stands): the equation is not checked, and the message says which definition."""

    def __init__(self, name: str, line: int | None, exc: Exception) -> None:
        where = f" (line {line})" if line else ""
        first = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        super().__init__(f"the definition of {name}{where} does not fit where it is used here ({first})")
        self.name = name


def _substitute(e: Any, ctx: Context, depth: int = 0, used: set[str] | None = None) -> Any:
    """`e` with the names the notes defined replaced by their definitions (transitively).

    A function's name alone (``\\partial \\ell / \\partial \\sigma`` after ``\\ell(\\mu, \\sigma) = ...``)
    stands for the function at its own parameters. The names substituted go into `used`.
    """
    if not isinstance(e, sp.Basic) or not ctx.definitions or depth > 8:
        return e
    if depth == 0:
        e = _products_of_names(e, ctx)
        e = _through_intermediates(e, ctx, used)
    changed = False
    # the variables of derivatives (∂L/∂z after z = Wx + b) stay names: d/d(Wx + b) means nothing
    variables = {getattr(v, "name", "") for d in e.atoms(sp.Derivative) for v in d.variables}
    for name, (params, body) in ctx.definitions.items():
        try:
            if name in variables:
                continue
            if params:
                f = sp.Function(name)
                if e.has(f):
                    e = e.replace(lambda a, f=f, n=len(params): isinstance(a, AppliedUndef) and a.func == f
                                  and len(a.args) == n and _applicable(params, body, a.args)
                                  and not is_information_call(a, ctx.distributions),
                                  lambda a, params=params, body=body: _apply_definition(params, body, a.args))
                    changed = True
                    if used is not None:
                        used.add(name)
                alone = [s for s in plain_symbols(e) if isinstance(s, sp.Symbol) and s.name == name]
                if alone:
                    e = _replace_symbols(e, {s: body for s in alone})
                    changed = True
                    if used is not None:
                        used.add(name)
            elif value_shape(body) is not None:
                # a named vector or matrix (z = W x + b, δ = ∂L/∂a): where it has the same shape
                found = [m for m in e.atoms(sp.MatrixSymbol) if m.name == name and m.shape == value_shape(body)]
                if found:
                    e = e.xreplace({m: body for m in found})
                    changed = True
                    if used is not None:
                        used.add(name)
            else:
                labels = {b.label for b in e.atoms(sp.IndexedBase)}
                syms = [s for s in e.free_symbols if isinstance(s, sp.Symbol) and s.name == name and s not in labels]
                if syms:
                    e = _replace_symbols(e, {s: body for s in syms})
                    changed = True
                    if used is not None:
                        used.add(name)
        except SubstitutionError:
            raise
        except (TypeError, ValueError, AttributeError) as exc:  # e.g. a vector's definition where a number stands
            raise SubstitutionError(ctx.spelling.get(name, name), ctx.origins.get(name), exc) from None
    if changed and e.has(sp.Sum, sp.Product):
        # a definition put into a sum (h_i(x) = g(b_i + v_i x) inside Σ_i): its b_i is the entry b[i]
        from checker.notation import _indexed_in_sum

        e = e.replace(lambda a: isinstance(a, (sp.Sum, sp.Product)), _indexed_in_sum)
    if changed:
        return _substitute(e, ctx, depth + 1, used)
    if depth and e.has(sp.Subs):  # f'(a) once f is known: the derivative taken at a
        e = e.replace(lambda a: isinstance(a, sp.Subs) and not a.expr.has(AppliedUndef), lambda a: a.doit())
    return e


def _products_of_names(e: sp.Basic, ctx: Context) -> sp.Basic:
    """``\\hat y (1 - \\hat y)`` read as a call of ŷ, where the notes define ŷ as a quantity, not a
    function: the product it is."""
    calls = [c for c in e.atoms(AppliedUndef) if len(c.args) == 1 and type(c).__name__ in ctx.definitions
             and not ctx.definitions[type(c).__name__][0]]
    if not calls:
        return e
    return e.xreplace({c: sp.Symbol(type(c).__name__, real=True) * c.args[0] for c in calls})


def _through_intermediates(e: sp.Basic, ctx: Context, used: set[str] | None) -> sp.Basic:
    """Derivatives with respect to a defined name (∂L/∂ŷ with ŷ = σ(a)): the name is held as a
    variable while what is differentiated is written out, then the derivative is taken."""
    derivatives = [d for d in e.atoms(sp.Derivative)
                   if any(isinstance(v, sp.Symbol) and v.name in ctx.definitions for v in d.variables)]
    if not derivatives:
        return e
    mapping = {}
    for d in derivatives:
        held = {v.name for v in d.variables if isinstance(v, sp.Symbol)}
        inner = Context(notation=ctx.notation, spelling=ctx.spelling,
                        definitions={k: v for k, v in (ctx.written or ctx.definitions).items() if k not in held})
        body = _substitute(d.expr, inner, used=used)
        try:
            mapping[d] = sp.Derivative(body, *d.variable_count).doit()
        except (TypeError, ValueError, NotImplementedError):
            continue
    return e.xreplace(mapping) if mapping else e


def _applicable(params: Sequence[sp.Symbol], body: Any, args: Sequence[Any]) -> bool:
    """A definition whose body indexes a parameter (``y_j``) applies only to a plain name; a
    definition of scalars does not apply to a vector or a matrix (H(θ) of a number, H(x) of x ∈ ℝⁿ)."""
    labels = {b.label for b in body.atoms(sp.IndexedBase)} if isinstance(body, sp.Basic) else set()
    if any(_power_parameter(p) and not (isinstance(a, sp.Pow) and a.exp == p.exp) for p, a in zip(params, args)):
        return False  # ℓ(μ, σ^2) applies at a variance written as a square (s^2), not at any number
    if any(isinstance(p, sp.MatrixSymbol) != isinstance(a, (sp.MatrixBase, sp.MatrixExpr))
           or (isinstance(p, sp.MatrixSymbol) and p.shape != a.shape) for p, a in zip(params, args)):
        return False  # J(w) of a vector w applies to a vector of its shape, not to a number
    if any(isinstance(a, (sp.MatrixBase, sp.MatrixExpr)) for p, a in zip(params, args)
           if p not in labels and not isinstance(p, sp.MatrixSymbol)):
        return False
    return all(isinstance(a, sp.Symbol) for p, a in zip(params, args) if p in labels)


def _power_parameter(a: Any) -> bool:
    """``σ^2`` as a parameter (``ℓ(μ, σ^2)``): the function of the variance, written in σ."""
    return isinstance(a, sp.Pow) and isinstance(a.base, sp.Symbol) and a.exp.is_Integer and a.exp > 1


def _apply_definition(params: Sequence[sp.Symbol], body: Any, args: Sequence[Any]) -> Any:
    labels = {b.label: b for b in body.atoms(sp.IndexedBase)}
    mapping: dict[Any, Any] = {}
    for p, a in zip(params, args):
        if _power_parameter(p):  # ℓ(μ, σ^2) at (μ, s^2) is the body with s for σ
            base, exp = p.args
            mapping[base] = a.base
        elif p in labels:
            mapping[labels[p]] = sp.IndexedBase(a.name, **a.assumptions0)
        else:
            mapping[p] = a
    bases = {k: v for k, v in mapping.items() if isinstance(k, sp.IndexedBase)}
    plain = {k: v for k, v in mapping.items() if not isinstance(k, sp.IndexedBase)}
    return _replace_symbols(body.xreplace(bases), plain)


def _replace_symbols(e: sp.Basic, mapping: dict[sp.Symbol, Any]) -> sp.Basic:
    """Replace symbols, leaving the labels of indexed objects (``x`` in ``x[i]``) alone."""
    bases = sorted(e.atoms(sp.IndexedBase), key=sp.default_sort_key)
    if not bases:
        return e.xreplace(mapping)
    # Each entry x[i] is hidden as an undefined function of its indices, so that the indices are
    # still replaced but the base is not. (Hiding the base behind a Dummy does not work: Indexed
    # wraps the Dummy in a new IndexedBase, and x[i] comes back as IndexedBase(x)[i].)
    hidden = {b: sp.Function(f"hidden_base_{k}") for k, b in enumerate(bases)}
    back = {f: b for b, f in hidden.items()}
    e = e.replace(lambda a: isinstance(a, sp.Indexed) and a.base in hidden,
                  lambda a: hidden[a.base](*a.indices))
    e = e.xreplace(mapping)
    return e.replace(lambda a: isinstance(a, AppliedUndef) and a.func in back, lambda a: back[a.func][a.args])


def _sizes_of(*exprs: Any) -> tuple[tuple[Any, ...], tuple[tuple[sp.Symbol, tuple[int, ...]], ...]]:
    """Symbolic sum bounds and matrix sizes become integer size symbols instantiated at SUM_SIZES."""
    exprs = unify_sizes(*exprs)
    bounds: set[sp.Symbol] = set()
    for e in exprs:
        if isinstance(e, sp.Basic):
            for s in e.atoms(sp.Sum, sp.Product):
                for _, lo, hi in s.limits:
                    bounds |= {b for b in (lo.free_symbols | hi.free_symbols) if isinstance(b, sp.Symbol)}
            # matrices of symbolic size (from the notes' declarations) are instantiated likewise
            bounds |= {d for m in e.atoms(sp.MatrixSymbol) for d in m.shape if isinstance(d, sp.Symbol)}
            bounds |= extremum_bounds(e)  # \max_j z_j runs over a size as a sum does
    if not bounds:
        return exprs, ()
    mapping = {b: sp.Symbol(b.name, integer=True, positive=True) for b in bounds}
    # the m of 1/m is the m of X ∈ ℝ^{m×n}: a reader reads one name as one number
    sized = {b.name for e in exprs if isinstance(e, sp.Basic) for m in e.atoms(sp.MatrixSymbol) for b in m.shape
             if isinstance(b, sp.Symbol)}
    for e in exprs:
        if isinstance(e, sp.Basic):
            mapping.update({s: sp.Symbol(s.name, integer=True, positive=True) for s in e.free_symbols
                            if isinstance(s, sp.Symbol) and s.name in sized and s not in mapping})
    new = tuple(e.xreplace(mapping) if isinstance(e, sp.Basic) else e for e in exprs)
    return new, tuple((mapping[b], SUM_SIZES) for b in sorted(bounds, key=sp.default_sort_key))


def power_variables(e: Any) -> Any:
    """Derivatives with respect to a power (the ``σ^2`` of ``∂ℓ/∂σ^2``, a symbol ``sigma_pow2``)
    of an expression written in σ, as the notation layer writes them: differentiated as a
    function of v = σ² and taken at σ²."""
    if not isinstance(e, sp.Basic) or not e.has(sp.Derivative):
        return e

    def rewrite(d: sp.Derivative) -> Any:
        [(v, n)] = d.variable_count
        m = re.fullmatch(r"(?P<base>.+)_pow(?P<exp>\d+)", v.name)
        bases = [s for s in d.expr.free_symbols if isinstance(s, sp.Symbol) and m and s.name == m.group("base")]
        if len(bases) != 1 or v in d.expr.free_symbols:
            return d
        exp = sp.Integer(int(m.group("exp")))
        return sp.Subs(sp.Derivative(d.expr.xreplace({bases[0]: v ** (1 / exp)}), (v, n)), v, bases[0] ** exp)

    return e.replace(lambda a: isinstance(a, sp.Derivative) and len(a.variable_count) == 1
                     and isinstance(a.variable_count[0][0], sp.Symbol) and "_pow" in a.variable_count[0][0].name,
                     rewrite)


def _opaque_derivative(e: Any) -> Any:
    """A derivative of an undefined quantity (∂L/∂w with L opaque, ∂σ²/∂h_j with σ not in terms
    of h_j), if any: the notes mean a dependence they do not write, so it reads as zero."""
    if not isinstance(e, sp.Basic):
        return None
    for d in e.atoms(sp.Derivative):
        inner = d.expr
        if isinstance(inner, sp.Symbol) or (isinstance(inner, AppliedUndef) and not d.variables[0] in inner.args):
            return d
        if isinstance(inner, sp.Basic) and inner.free_symbols and not inner.has(AppliedUndef) \
                and not any(v in inner.free_symbols or _entry_of(v, inner) for v in d.variables):
            return d
    return None


def _entry_of(v: Any, e: sp.Basic) -> bool:
    """Whether `v` is an entry of a vector that `e` contains (w[j] of Σ_k w_k^2)."""
    if isinstance(v, MatrixElement):  # w[j - 1, 0] of ‖w‖²
        return v.parent in e.atoms(sp.MatrixSymbol)
    return isinstance(v, sp.Indexed) and v.base in e.atoms(sp.IndexedBase)


def _integers(e: Any, names: set[str]) -> Any:
    """The names declared to take integer values (``y \\in \\{0, 1\\}``) as integer symbols."""
    if not names or not isinstance(e, sp.Basic):
        return e
    mapping = {s: sp.Symbol(s.name, integer=True) for s in e.free_symbols
               if isinstance(s, sp.Symbol) and s.name in names and not s.is_integer}
    return e.xreplace(mapping) if mapping else e


def _entries_alike(lhs: Any, rhs: Any, ctx: Context) -> tuple[Any, Any]:
    """An entry written ``y_i`` on one side and ``y[i]`` on the other (a vector summed over there):
    the same entry on both."""
    from checker.notes_sequences import as_terms

    labels = {str(b.label) for e in (lhs, rhs) if isinstance(e, sp.Basic) for b in e.atoms(sp.IndexedBase)}
    if not labels:
        return lhs, rhs
    return as_terms(lhs, ctx.spelling, labels), as_terms(rhs, ctx.spelling, labels)


def _claim_for(lhs: Any, rhs: Any, relation: str, ctx: Context) -> Any:
    assumptions = tuple(_realify(_integers(a, ctx.integers)) for a in ctx.assumptions)
    lhs, rhs = _integers(lhs, ctx.integers), _integers(rhs, ctx.integers)
    lhs, rhs = _entries_alike(lhs, rhs, ctx)
    (lhs, rhs), sizes = _sizes_of(_realify(lhs), _realify(rhs))
    if relation == "=" and (isinstance(lhs, ArgOpt) or isinstance(rhs, ArgOpt)):
        optimum = optimum_claim(*((lhs, rhs) if isinstance(lhs, ArgOpt) else (rhs, lhs)))
        if optimum is None:
            return None
        statement, near = optimum
        return Property(statement=statement, assumptions=assumptions + near, sizes=sizes)
    if relation == "=":
        if isinstance(lhs, sp.Derivative) and not rhs.has(sp.Derivative) and len(set(lhs.variables)) == len(lhs.variables) == 1 \
                and not lhs.expr.has(AppliedUndef) and not sizes:
            return DerivativeClaim(function=lhs.expr, wrt=tuple(lhs.variables), claimed=rhs, assumptions=assumptions)
        if isinstance(rhs, sp.Derivative) and not lhs.has(sp.Derivative) and len(rhs.variables) == 1 \
                and not rhs.expr.has(AppliedUndef) and not sizes:
            return DerivativeClaim(function=rhs.expr, wrt=tuple(rhs.variables), claimed=lhs, assumptions=assumptions)
        return Identity(lhs=lhs, rhs=rhs, assumptions=assumptions, sizes=sizes)
    if relation in INEQUALITIES:
        return Property(statement=INEQUALITIES[relation](lhs, rhs, evaluate=False), assumptions=assumptions, sizes=sizes)
    if relation == "!=":
        return Property(statement=sp.Ne(lhs, rhs, evaluate=False), assumptions=assumptions, sizes=sizes,
                        quantifier="exists")
    return None


# --- definitions ----------------------------------------------------------------------------

def _definition(lhs: Any, rhs: Any, display: bool, ctx: Context) -> tuple[str, tuple[sp.Symbol, ...], Any] | None:
    """``(name, params, body)`` when ``lhs = rhs`` defines a name, else None.

    A new name (``J = ...``), a new function (``J(w) = ...``), or the square of a new name
    (``\\hat\\sigma^2 = ...`` defines σ̂ as the square root). A name set to a number is a
    value (`value_of`), not a definition.
    """
    if isinstance(lhs, sp.Symbol) and is_matrix(rhs):
        return lhs.name, (), rhs  # a name for an explicit matrix (not substituted later: see the planner)
    if isinstance(lhs, sp.MatrixSymbol) and (isinstance(rhs, (sp.MatrixExpr, sp.MatrixBase))
                                             or value_shape(rhs) == lhs.shape) \
            and lhs not in getattr(rhs, "free_symbols", set()) \
            and not isinstance(ctx.definitions.get(lhs.name, (None, None))[1], (sp.MatrixExpr, sp.MatrixBase)):
        return lhs.name, (), rhs  # a vector or a matrix named (z = W x + b)
    if isinstance(lhs, sp.Pow) and isinstance(lhs.base, sp.Symbol) and lhs.exp == 2 \
            and lhs.base.name not in ctx.definitions and lhs.base not in plain_symbols(rhs) \
            and isinstance(rhs, sp.Basic) and not rhs.is_number:
        return lhs.base.name, (), sp.sqrt(rhs)
    if isinstance(lhs, sp.Symbol):
        if lhs in plain_symbols(rhs):
            return None  # recursive (L = (1/N) Σ L_i is not: there L is the base of its entries)
        if getattr(rhs, "is_number", False):
            return None  # a value, not a definition
        if lhs.name in ctx.definitions:
            return None
        return lhs.name, (), rhs
    if isinstance(rhs, sp.Symbol) and not display and not isinstance(lhs, sp.Symbol) \
            and rhs not in getattr(lhs, "free_symbols", set()) and getattr(lhs, "free_symbols", None):
        return rhs.name, (), lhs  # "a quadratic function: $x_1^2 + x_2^2 = y$" names y
    if isinstance(lhs, AppliedUndef) and all(isinstance(a, (sp.Symbol, sp.MatrixSymbol)) or _power_parameter(a)
                                             for a in lhs.args) \
            and len(set(lhs.args)) == len(lhs.args) and not getattr(rhs, "is_number", False) \
            and lhs.func.__name__ not in PROBABILITY_OPERATORS and not is_information_call(lhs, ctx.distributions):
        name = lhs.func.__name__
        if name in ctx.definitions and display:
            return None  # a claim about a defined function, e.g. J(w) = <another form>
        # in running text, "$l(x) = ax^2 + bx + c$" after another l: the newer meaning
        if lhs.func in {type(a) for a in rhs.atoms(AppliedUndef)}:
            return None  # recursive: not a definition
        return name, tuple(lhs.args), rhs
    return None


#: Operators of probability that the parser reads as functions: E[X] = μ states a property of
#: the distribution of X, never a definition of E.
PROBABILITY_OPERATORS = frozenset({"E", "Var", "Cov", "P", "KL", "MI", "H_given", "P_given"})


def value_of(lhs: Any, rhs: Any, ctx: Context) -> tuple[str, Any] | None:
    """``(name, number)`` when ``lhs = rhs`` gives a name that the notes do not define a number
    (``a = 0.5``, ``P(D) = 0.01``): a value for the worked numbers of its part of the notes."""
    if not getattr(rhs, "is_number", False) or isinstance(rhs, (sp.MatrixBase, sp.MatrixExpr)):
        return None
    if isinstance(lhs, sp.Symbol):
        name = lhs.name
    elif isinstance(lhs, AppliedUndef) and all(isinstance(a, sp.Symbol) or a.is_number for a in lhs.args):
        name = str(lhs)
    else:
        return None
    if name in ctx.definitions:
        return None
    return name, rhs


_HYPOTHESIS = re.compile(r"\b(if|iff|when|whenever|where|such that|suppose|supposing|assume|assuming|given|"
                         r"implies|satisfy|satisfies|unless|provided)\W*$", re.IGNORECASE)


def _running_text(eq: Equation, sides: Sequence[Any], relations: Sequence[str], ctx: Context) -> tuple[str, str] | None:
    """Inline math that states a condition or a value for its sentence, not a claim.

    "for some $\\alpha > 0$", "set $b = 0$ and $a \\geq b$", "when $n = m = 2$": in running
    text, an inequality is a condition and a name set to a number is a value. Neither is
    checked, and neither changes the meaning of later equations.
    """
    if eq.display:
        return None
    if _HYPOTHESIS.search(eq.context[-40:]):
        return "condition", "a hypothesis in running text (after 'if', 'when', 'such that', ...)"
    if all(r in ("<", "<=", ">", ">=", "!=") for r in relations):
        return "condition", "a condition in running text"
    plain = [isinstance(x, (sp.Symbol, AppliedUndef)) or getattr(x, "is_number", False) for x in sides]
    if all(r == "=" for r in relations) and all(plain) and any(getattr(x, "is_number", False) for x in sides) \
            and not any(isinstance(x, sp.Symbol) and x.name in ctx.definitions for x in sides):
        return "value", "a value in running text"
    return None


def _undefined_functions(e: Any, ctx: Context) -> list[str]:
    if not isinstance(e, sp.Basic):
        return []
    # a defined function still applied after substitution did not apply here (a vector argument
    # for a definition of scalars): as undefined as a function the notes never define
    return sorted({type(a).__name__ for a in e.atoms(AppliedUndef)})


# --- directives -------------------------------------------------------------------------------

def _apply_directive(d: Directive, ctx: Context) -> str | None:
    """Apply a directive to the context; returns an error message for a bad directive."""
    verb, arg = d.verb.lower(), d.argument.strip()
    if verb == "skip":
        ctx.skip_next = True
    elif verb == "expect":
        if arg.lower() != "wrong":
            return f"'expect {arg}': only 'expect wrong' is known"
        ctx.expect_wrong_next = True
    elif verb == "assume":
        try:
            parsed = ctx.parse(arg, notation=ctx.notation)
        except ParseError as exc:
            return f"cannot read the assumption {arg!r}: {exc}"
        if parsed.relation is None:
            return f"an assumption is a relation such as '0 < p < 1', not {arg!r}"
        for a, b, rel in zip(parsed.sides, parsed.sides[1:], parsed.relations):
            if rel in INEQUALITIES:
                ctx.assumptions.append(INEQUALITIES[rel](a, b))
            elif rel == "!=":
                ctx.assumptions.append(sp.Ne(a, b))
            elif rel == "=" and _sum_of_entries(a) is not None and b == 1:
                ctx.normalised.add(_sum_of_entries(a))  # Σ_j y_j = 1: a label or probability vector
            elif rel == "=" and isinstance(a, sp.Symbol) and getattr(b, "is_number", False):
                ctx.values[a.name] = b
                ctx.origins[a.name] = d.line
            else:
                return (f"assumption relation {rel!r} is not supported here; use <, <=, >, >=, !=, "
                        "a sum of entries equal to 1 (\\sum_j y_j = 1), or a name equal to a number")
    elif verb == "define":
        try:
            parsed = ctx.parse(arg, notation=ctx.notation)
        except ParseError as exc:
            return f"cannot read the definition {arg!r}: {exc}"
        found = _definition(parsed.sides[0], parsed.sides[1], True, Context(notation=ctx.notation)) \
            if parsed.relations == ("=",) else None
        if not found:
            return f"'define' needs NAME = expression or f(x) = expression, not {arg!r}"
        name, params, body = found
        ctx.define(name, params, body, d.line)
    elif verb == "notation":
        return _apply_notation(arg, ctx)
    else:
        return f"unknown directive {verb!r} (known: assume, define, skip, expect wrong, notation)"
    return None


def _sum_of_entries(e: Any) -> str | None:
    """The vector whose entries `e` sums (``\\sum_j y_j`` → ``"y"``), or None."""
    if not isinstance(e, sp.Sum) or len(e.limits) != 1:
        return None
    term = e.function
    if isinstance(term, sp.Mul):  # 1*y[j], as the parser builds it unevaluated
        coefficient, term = term.as_coeff_Mul()
        if coefficient != 1:
            return None
    if isinstance(term, sp.Indexed) and [str(i) for i in term.indices] == [str(e.limits[0][0])]:
        return str(term.base.label)
    return None


def _apply_notation(arg: str, ctx: Context) -> str | None:
    key, _, value = (p.strip() for p in arg.partition("="))
    key = key.lstrip("\\")
    if key == "sigma" and value in ("sigmoid", "symbol", "std"):
        ctx.notation = replace(ctx.notation, sigma="sigmoid" if value == "sigmoid" else "symbol")
    elif key == "log" and value in ("e", "10", "2"):
        ctx.notation = replace(ctx.notation, log_base=value)
    else:
        return f"unknown notation {arg!r} (known: \\sigma = sigmoid|std, \\log = e|10|2)"
    return None
