"""Domains and seeded sampling of points where claims are evaluated.

The domain of a symbol comes from its SymPy assumptions (real, positive, integer, ...)
and from the claim's relations that bound it by a number (``0 < p``, ``p < 1``). Relations
between symbols (``k <= n``) are enforced by rejection. Every random choice goes through
one `numpy.random.Generator` made from the seed, so a run is repeatable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

#: Half-width of the interval an unbounded real symbol is drawn from.
REAL_SPAN = 3.0
#: Upper end of the interval a positive symbol without an upper bound is drawn from.
POSITIVE_SPAN = 4.0


@dataclass(frozen=True, slots=True)
class Domain:
    """An interval of the real line, possibly of integers only."""

    lo: float = -math.inf
    hi: float = math.inf
    integer: bool = False

    def draw(self, rng: np.random.Generator) -> float:
        """One value of the domain (an `int` for integer domains)."""
        if self.integer:
            lo = int(math.ceil(self.lo)) if math.isfinite(self.lo) else -4
            hi = int(math.floor(self.hi)) if math.isfinite(self.hi) else lo + 7
            if math.isfinite(self.lo) and not math.isfinite(self.hi):
                hi = lo + 6
            if hi < lo:
                raise ValueError(f"empty integer domain [{self.lo}, {self.hi}]")
            return int(rng.integers(lo, hi + 1))
        lo, hi = self.lo, self.hi
        if math.isfinite(lo) and math.isfinite(hi):
            pad = 1e-3 * (hi - lo)
            return float(rng.uniform(lo + pad, hi - pad))
        if math.isfinite(lo):
            return float(lo + _positive_draw(rng))
        if math.isfinite(hi):
            return float(hi - _positive_draw(rng))
        return float(rng.uniform(-REAL_SPAN, REAL_SPAN))


def _positive_draw(rng: np.random.Generator) -> float:
    """A positive value, spread over (0.05, POSITIVE_SPAN) so that small values occur too."""
    return float(math.exp(rng.uniform(math.log(0.05), math.log(POSITIVE_SPAN))))


def domain_of(symbol: sp.Symbol, assumptions: Iterable[sp.Basic] = ()) -> Domain:
    """The interval a symbol ranges over, from its assumptions and numeric bounds.

    Examples:
        >>> p = sp.Symbol('p')
        >>> domain_of(p, (p > 0, p < 1))
        Domain(lo=0.0, hi=1.0, integer=False)
        >>> domain_of(sp.Symbol('n', integer=True, positive=True))
        Domain(lo=1.0, hi=inf, integer=True)
    """
    lo, hi = -math.inf, math.inf
    integer = bool(symbol.is_integer)
    if symbol.is_positive:
        lo = 1.0 if integer else 0.0
    elif symbol.is_nonnegative:
        lo = 0.0
    if symbol.is_negative:
        hi = -1.0 if integer else 0.0
    elif symbol.is_nonpositive:
        hi = 0.0
    for rel in _flatten(assumptions):
        bound = _numeric_bound(rel, symbol)
        if bound is None:
            continue
        side, value = bound
        if side == "lo":
            lo = max(lo, value)
        else:
            hi = min(hi, value)
    return Domain(lo=lo, hi=hi, integer=integer)


def _flatten(assumptions: Iterable[sp.Basic]) -> list[sp.Basic]:
    out: list[sp.Basic] = []
    for a in assumptions:
        if isinstance(a, sp.And):
            out.extend(_flatten(a.args))
        else:
            out.append(a)
    return out


def _numeric_bound(rel: sp.Basic, symbol: sp.Symbol) -> tuple[str, float] | None:
    """``('lo', 0.0)`` for ``symbol > 0`` or ``0 < symbol``; None when not of that form."""
    if not isinstance(rel, (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)):
        return None
    lhs, rhs = rel.lhs, rel.rhs
    greater = isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan))
    if lhs == symbol and rhs.is_number:
        return ("lo" if greater else "hi", float(rhs))
    if rhs == symbol and lhs.is_number:
        return ("hi" if greater else "lo", float(lhs))
    return None


def satisfies(assumptions: Sequence[sp.Basic], point: Mapping[sp.Symbol, float]) -> bool:
    """Whether every relation holds at the point (an undecidable one counts as violated)."""
    for rel in assumptions:
        try:
            value = rel.subs(point)
        except (TypeError, ValueError):
            return False
        if value is not sp.true and value is not True:
            return False
    return True


def rng_for(seed: int, *salt: object) -> np.random.Generator:
    """A generator for one check, derived from the run's seed and a stable salt.

    Using a salt (the claim's text) rather than a shared stream makes each check's points
    independent of the order claims are checked in, so serial and parallel runs agree.
    """
    data = repr((seed,) + salt).encode()
    digest = 0
    for byte in data:  # FNV-1a: stable across processes, unlike hash()
        digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return np.random.default_rng(digest)


def draw_points(
    symbols: Sequence[sp.Symbol],
    rng: np.random.Generator,
    *,
    n: int,
    assumptions: Sequence[sp.Basic] = (),
    max_tries: int | None = None,
) -> list[dict[sp.Symbol, float]]:
    """Up to `n` points of the domain; fewer if rejection keeps failing."""
    domains = {s: domain_of(s, assumptions) for s in symbols}
    relations = [a for a in _flatten(assumptions) if len(a.free_symbols) > 1
                 or not any(_numeric_bound(a, s) for s in symbols)]
    relations = [a for a in relations if a.free_symbols <= set(symbols)]
    holds = _compiled(relations, symbols) if relations else None
    points: list[dict[sp.Symbol, float]] = []
    tries = max_tries if max_tries is not None else 20 * n
    for _ in range(tries):
        if len(points) >= n:
            break
        point = {s: domains[s].draw(rng) for s in symbols}
        if holds is not None and not holds(point):
            continue
        points.append(point)
    return points


def _compiled(relations: Sequence[sp.Basic], symbols: Sequence[sp.Symbol]) -> Callable[[Mapping[sp.Symbol, float]], bool]:
    """A fast test of `satisfies(relations, point)`: the relations compiled once.

    Rejection tries many points, and substituting into each relation (SymPy's ``subs``)
    took a quarter of a second per claim; a relation that cannot be compiled keeps ``subs``.
    """
    from checker.errors import UnsafeNameError
    from checker.evaluate import lambdify_safe

    args = tuple(symbols)
    compiled: list[Callable[..., Any]] = []
    slow: list[sp.Basic] = []
    for rel in relations:
        try:
            compiled.append(lambdify_safe(args, rel))
        except UnsafeNameError:
            raise
        except Exception:  # not printable for NumPy: keep substitution
            slow.append(rel)

    def holds(point: Mapping[sp.Symbol, float]) -> bool:
        values = [point[s] for s in args]
        for f in compiled:
            try:
                with np.errstate(all="ignore"):
                    if not bool(f(*values)):
                        return False
            except Exception:  # evaluation failed (an undecidable relation counts as violated)
                return False
        return not slow or satisfies(slow, point)

    return holds


__all__ = ["Domain", "domain_of", "draw_points", "rng_for", "satisfies"]
