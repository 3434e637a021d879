r"""Claims about any random variable, read on random finite distributions.

Notes state facts that hold for *every* random variable: ``E[aX + b] = aE[X] + b``,
``Var(X) = E[X^2] - E[X]^2``, ``Cov(X, Y) = E[XY] - E[X]E[Y]``, Jensen's inequality
``E[\log X] \le \log E[X]`` for positive X. The parser reads ``\mathbb{E}[\cdot]``,
``\mathrm{Var}(\cdot)`` and ``\mathrm{Cov}(\cdot, \cdot)`` as undefined SymPy functions named
``E``, ``Var`` and ``Cov``; without a distribution such a claim cannot be decided. This module
reads it on a distribution with finitely many atoms whose probabilities and values are symbols,
so the claim becomes an ordinary `Identity` or `Property` that `checker.engine.check` samples
(every positive sample of the weights is a distribution) and tries to prove. A claim true for
every distribution holds for each finite one; a wrong one fails on some, and the sampled atoms
are its counterexample.

Which symbols are random variables (`random_variables`):
    the names the notes declared random (``declared``), plus every symbol inside an argument
    of E, Var or Cov whose name is one uppercase Latin letter, optionally with a subscript or
    an accent (``X``, ``Y``, ``X_1``, ``X_i``, ``X_bar``): the common convention that X, Y, Z
    are random and a, b, μ, lowercase letters are constants.

The distributions (`finite_reading`):
    - jointly (the default): one distribution over all the random variables with ``atoms``
      atoms; atom i has the weight ``weight__at{i}`` and the value ``X__at{i}`` for each
      random variable X. Probabilities are the weights normalised, weight_i / Σ_j weight_j.
      X and Y are then generically dependent.
    - ``independent=True``: each random variable X has its own distribution with ``atoms``
      atoms, weights ``weight_X__at{i}`` and values ``X__at{i}``; the joint distribution is the
      product of them (with one random variable, the joint names above).
    The weights are positive symbols, the values real symbols (positive for the variables in
    ``positive``, or bounded below by 0 where an assumption says ``X > 0``). The double
    underscore keeps these names apart from the notes' names: the parser never produces
    ``__`` in a name (`checker.notation._safe_name` collapses runs of underscores).

What makes a reading impossible (`finite_reading` returns None, `claims_for` returns []):
    no E, Var or Cov in the equation; no random variable; a random variable outside E, Var
    and Cov (``E[X] = X`` says nothing about every random variable); an argument without a
    random variable (``E[\hat\theta] = \theta``: whether θ̂ is random is not known); an
    argument that cannot be evaluated atom by atom (an undefined function ``f(X)``, a
    derivative, a sum, an integral, a matrix); a constant that occurs only outside E, Var and
    Cov (``E[X] = \mu`` relates X to a parameter of its distribution, which the generic reading
    does not know).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from checker.claims import Identity, Property
from checker.relations import INEQUALITIES

#: The operators read on the distribution, with their number of arguments.
OPERATORS = {"E": 1, "Var": 1, "Cov": 2}
#: The atom counts `claims_for` checks a claim at.
ATOM_COUNTS = (2, 3)
#: Ends the names of the atoms' symbols; the parser never writes ``__`` in a name.
SUFFIX = "__at"

RANDOM_NAME = re.compile(r"^[A-Z](?:_[A-Za-z0-9]+)?$")
#: Constructs an argument may not contain: they cannot be evaluated atom by atom.
_OPAQUE = (sp.Derivative, sp.Integral, sp.Sum, sp.Product, sp.Limit, sp.Indexed, sp.MatrixExpr, sp.Subs)


class NotApplicable(Exception):
    """The equation has no reading on finite distributions."""


def _is_operator(e: Any) -> bool:
    return isinstance(e, AppliedUndef) and e.func.__name__ in OPERATORS


def _name(v: sp.Symbol | str) -> str:
    return v if isinstance(v, str) else v.name


def _basic(side: Any) -> sp.Basic:
    if isinstance(side, sp.Basic):
        return side
    if isinstance(side, (int, float)) and not isinstance(side, bool):
        return sp.Integer(side) if isinstance(side, int) else sp.Float(side)
    raise NotApplicable(f"not a SymPy expression: {type(side).__name__}")


def random_variables(sides: Iterable[Any], declared: Iterable[sp.Symbol | str] = ()) -> set[sp.Symbol]:
    """The symbols of `sides` that are random variables.

    Those named in `declared` (the notes declared them random, "a random variable $X$"),
    and the symbols inside an argument of E, Var or Cov whose name is an uppercase Latin
    letter, optionally followed by a subscript or an accent (``X``, ``X_1``, ``X_i``,
    ``X_bar``). Lowercase and Greek names (a, b, μ, θ̂) are constants unless declared.
    """
    names = {_name(d) for d in declared}
    found: set[sp.Symbol] = set()
    for side in sides:
        if not isinstance(side, sp.Basic):
            continue
        found |= {s for s in side.free_symbols if isinstance(s, sp.Symbol) and s.name in names}
        for op in side.atoms(AppliedUndef):
            if _is_operator(op):
                found |= {s for a in op.args for s in a.free_symbols
                          if isinstance(s, sp.Symbol) and RANDOM_NAME.match(s.name)}
    return found


class _Distribution:
    """Atoms of a finite distribution over named random variables: (probability, values)."""

    def __init__(self, names: Sequence[str], atoms: int, independent: bool, lower: dict[str, str]) -> None:
        def value(name: str, i: int) -> sp.Symbol:
            kind = lower.get(name)
            extra = {"positive": True} if kind == "positive" else {"nonnegative": True} if kind == "nonnegative" else {}
            return sp.Symbol(f"{name}{SUFFIX}{i}", real=True, **extra)

        values = {n: [value(n, i) for i in range(1, atoms + 1)] for n in names}
        self.atoms: list[tuple[sp.Expr, dict[str, sp.Symbol]]] = []
        if independent and len(names) > 1:
            marginals = []
            for n in names:
                w = [sp.Symbol(f"weight_{n}{SUFFIX}{i}", positive=True) for i in range(1, atoms + 1)]
                total = sp.Add(*w)
                marginals.append([(wi / total, n, v) for wi, v in zip(w, values[n])])
            for combo in itertools.product(*marginals):
                self.atoms.append((sp.Mul(*(p for p, _, _ in combo)), {n: v for _, n, v in combo}))
        else:
            w = [sp.Symbol(f"weight{SUFFIX}{i}", positive=True) for i in range(1, atoms + 1)]
            total = sp.Add(*w)
            for i, wi in enumerate(w):
                self.atoms.append((wi / total, {n: values[n][i] for n in names}))

    def at(self, e: sp.Basic, values: dict[str, sp.Symbol]) -> sp.Basic:
        mapping = {s: values[s.name] for s in e.free_symbols if isinstance(s, sp.Symbol) and s.name in values}
        return e.xreplace(mapping) if mapping else e

    def mean(self, e: sp.Basic) -> sp.Expr:
        return sp.Add(*(p * self.at(e, values) for p, values in self.atoms))

    def each(self, rel: sp.Basic) -> list[sp.Basic]:
        """`rel` at every atom (a relation that holds almost surely)."""
        return [self.at(rel, values) for _, values in self.atoms]


class _Reader:
    """E, Var and Cov replaced by their values on one distribution."""

    def __init__(self, dist: _Distribution, names: set[str]) -> None:
        self.dist, self.names = dist, names

    def _value(self, op: AppliedUndef) -> sp.Expr:
        name = op.func.__name__
        if len(op.args) != OPERATORS[name]:
            raise NotApplicable(f"{name} with {len(op.args)} arguments")
        for arg in op.args:
            random = any(isinstance(s, sp.Symbol) and s.name in self.names for s in arg.free_symbols)
            if arg.free_symbols and not random:
                raise NotApplicable(f"{name}({arg}) has no random variable")
            if arg.has(*_OPAQUE) or any(not _is_operator(f) for f in arg.atoms(AppliedUndef)) \
                    or getattr(arg, "is_Matrix", False) or not arg.is_commutative:
                raise NotApplicable(f"{name}({arg}) cannot be evaluated atom by atom")
        mean = self.dist.mean
        if name == "E":
            return mean(op.args[0])
        if name == "Var":
            u = op.args[0]
            return mean(u**2) - mean(u) ** 2
        u, v = op.args
        return mean(u * v) - mean(u) * mean(v)

    def read(self, e: sp.Basic) -> sp.Basic:
        # replace() works bottom-up: an inner E[X] is a number of the atoms before the outer one is read
        return e.replace(_is_operator, self._value)


def _realified(exprs: list[sp.Basic]) -> list[sp.Basic]:
    """Symbols of unknown sign are real (as the notes reader makes them), the same name alike."""
    mapping = {s: sp.Symbol(s.name, real=True) for e in exprs for s in e.free_symbols
               if isinstance(s, sp.Symbol) and s.is_real is None}
    return [e.xreplace(mapping) for e in exprs] if mapping else exprs


def _lower_bounds(assumptions: Iterable[sp.Basic], names: set[str]) -> dict[str, str]:
    """Random variables an assumption bounds below by 0: ``X > 0`` → positive, ``X >= 0`` → nonnegative."""
    out: dict[str, str] = {}
    for a in assumptions:
        if not isinstance(a, (sp.StrictGreaterThan, sp.GreaterThan, sp.StrictLessThan, sp.LessThan)):
            continue
        big, small = (a.lhs, a.rhs) if isinstance(a, (sp.StrictGreaterThan, sp.GreaterThan)) else (a.rhs, a.lhs)
        if isinstance(big, sp.Symbol) and big.name in names and small == 0:
            strict = isinstance(a, (sp.StrictGreaterThan, sp.StrictLessThan))
            if strict or out.get(big.name) != "positive":
                out[big.name] = "positive" if strict else "nonnegative"
    return out


def finite_reading(sides: Sequence[Any], rvs: Iterable[sp.Symbol | str], *, atoms: int = 3,
                   independent: bool = False, positive: Iterable[sp.Symbol | str] = (),
                   assumptions: Iterable[sp.Basic] = ()) -> tuple[list[sp.Basic], list[sp.Basic]] | None:
    """The sides with E, Var and Cov evaluated on a finite distribution of symbols.

    Args:
        sides: the equation's sides (SymPy expressions, as `checker.notation.parse_latex` gives).
        rvs: the random variables (symbols or names), e.g. from `random_variables`.
        atoms: atoms of the distribution (of each variable's distribution when `independent`).
        independent: the joint distribution is the product of one distribution per variable.
        positive: random variables whose values are positive (their value symbols are).
        assumptions: the claim's assumptions. One that mentions a random variable outside E,
            Var and Cov holds almost surely, so at every atom (``X > 0``: every value of X is
            positive); E, Var and Cov in it are read like the sides.

    Returns:
        ``(sides, assumptions)``: the sides read on the distribution, and the assumptions the
        sampler must keep (the given ones, translated); None when the equation has no such
        reading (see the module's documentation).

    ``Var(U) = E[U^2] - E[U]^2`` and ``Cov(U, V) = E[UV] - E[U]E[V]`` on the same distribution.
    """
    if atoms < 1:
        raise ValueError(f"finite_reading(atoms={atoms}): at least 1 atom")
    names = {_name(v) for v in rvs}
    try:
        exprs = [_basic(s) for s in sides]
        given = [_basic(a) for a in assumptions]
    except NotApplicable:
        return None
    if not names or any(getattr(e, "is_Matrix", False) or e.has(sp.MatrixExpr) for e in exprs):
        return None
    ops = [op for e in exprs for op in e.atoms(AppliedUndef) if _is_operator(op)]
    if not ops:
        return None
    both = _realified(exprs + given)
    exprs, given = both[:len(exprs)], both[len(exprs):]

    # a constant seen only outside E, Var and Cov may be a parameter of the distribution (E[X] = μ)
    def constants(es: Iterable[sp.Basic]) -> set[str]:
        return {s.name for e in es for s in e.free_symbols if isinstance(s, sp.Symbol)} - names
    inside = constants(a for e in exprs for op in e.atoms(AppliedUndef) if _is_operator(op) for a in op.args)
    if constants(exprs) - inside - constants(given):
        return None

    lower = _lower_bounds(given, names)
    lower.update({_name(v): "positive" for v in positive if _name(v) in names})
    present = sorted(names & {s.name for e in exprs + given for s in e.free_symbols if isinstance(s, sp.Symbol)})
    dist = _Distribution(present, atoms, independent, lower)
    reader = _Reader(dist, names)
    try:
        read = [reader.read(e) for e in exprs]
        read_given = [reader.read(a) for a in given]
    except NotApplicable:
        return None
    if any(s.name in names for e in read for s in e.free_symbols if isinstance(s, sp.Symbol)):
        return None  # a random variable outside E, Var and Cov

    kept: list[sp.Basic] = []
    for a in read_given:
        if any(isinstance(s, sp.Symbol) and s.name in names for s in a.free_symbols):
            kept.extend(dist.each(a))
        else:
            kept.append(a)
    out: list[sp.Basic] = []
    for a in kept:
        if a is sp.true:
            continue
        if a is sp.false:
            return None  # the assumptions contradict each other on every distribution
        out.append(a)
    return read, out


def claims_for(lhs: Any, rhs: Any, relation: str, rvs: Iterable[sp.Symbol | str], *, independent: bool = False,
               positive: Iterable[sp.Symbol | str] = (),
               assumptions: Iterable[sp.Basic] = ()) -> list[Identity | Property]:
    """The claims that check ``lhs relation rhs`` for every distribution of the random variables.

    One claim per atom count in `ATOM_COUNTS` (2 and 3); the equation holds for every
    distribution only if every claim is verified, and is wrong if any claim is. `relation` is
    ``"="`` (an `Identity`) or ``"<"``, ``"<="``, ``">"``, ``">="`` (a `Property`). Returns []
    when the equation has no reading on finite distributions (see `finite_reading`) or the
    relation is another one.
    """
    if relation != "=" and relation not in INEQUALITIES:
        return []
    rvs, positive, assumptions = list(rvs), list(positive), list(assumptions)
    claims: list[Identity | Property] = []
    for n in ATOM_COUNTS:
        reading = finite_reading((lhs, rhs), rvs, atoms=n, independent=independent, positive=positive,
                                 assumptions=assumptions)
        if reading is None:
            return []
        (left, right), given = reading
        if relation == "=":
            claims.append(Identity(lhs=left, rhs=right, assumptions=tuple(given)))
        else:
            statement = INEQUALITIES[relation](left, right, evaluate=False)
            if isinstance(statement, (bool, sp.logic.boolalg.BooleanAtom)):
                return []
            claims.append(Property(statement=statement, assumptions=tuple(given)))
    return claims


__all__ = ["ATOM_COUNTS", "OPERATORS", "RANDOM_NAME", "SUFFIX", "NotApplicable", "claims_for", "finite_reading", "random_variables"]
