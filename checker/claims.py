"""Claims: statements that can be true or false, as small frozen dataclasses of SymPy objects.

A claim says nothing about how it is checked; `checker.engine.check` decides that.

Common fields:
    assumptions: relations the symbols satisfy (``(p > 0, p < 1)``); sampling stays inside
        them and they are passed on to the symbolic check.
    sizes: for each size symbol (the bound of a ``Sum``, the dimension of a ``MatrixSymbol``),
        the concrete sizes it is instantiated at, e.g. ``((n, (1, 2, 3, 4)),)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import sympy as sp

Assumptions = tuple[sp.Basic, ...]
Sizes = tuple[tuple[sp.Symbol, tuple[int, ...]], ...]


def _check_sizes(owner: str, sizes: Sizes) -> None:
    for entry in sizes:
        if len(entry) != 2 or not isinstance(entry[0], sp.Symbol) or not entry[1]:
            raise ValueError(f"{owner}(sizes={sizes!r}): each entry is (Symbol, (size, ...))")
        if not all(isinstance(v, int) and v >= 1 for v in entry[1]):
            raise ValueError(f"{owner}(sizes={sizes!r}): sizes are integers >= 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """``lhs = rhs`` for every point of the domain (scalars, or matrices entry by entry)."""

    lhs: Any
    rhs: Any
    assumptions: Assumptions = ()
    sizes: Sizes = ()

    def __post_init__(self) -> None:
        _check_sizes("Identity", self.sizes)

    @property
    def kind(self) -> str:
        return "identity"


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivativeClaim:
    """``∂ⁿ function / ∂wrt[0] … ∂wrt[n-1] = claimed`` (a repeated variable is a higher order).

    `function` is the undifferentiated expression: finite differences are taken of it,
    independently of SymPy's `diff`.
    """

    function: Any
    wrt: tuple[sp.Symbol, ...]
    claimed: Any
    assumptions: Assumptions = ()
    sizes: Sizes = ()

    def __post_init__(self) -> None:
        if not self.wrt or not all(isinstance(v, (sp.Symbol, sp.Indexed)) for v in self.wrt):
            raise ValueError(f"DerivativeClaim(wrt={self.wrt!r}): a tuple of one or more symbols")
        if len(self.wrt) > 4:
            raise ValueError(f"DerivativeClaim(wrt={self.wrt!r}): at most 4th derivatives")
        _check_sizes("DerivativeClaim", self.sizes)

    @property
    def kind(self) -> str:
        return "derivative"


@dataclass(frozen=True, slots=True, kw_only=True)
class GradientClaim:
    """The gradient or Jacobian of `function` with respect to `wrt` equals `claimed`.

    - `function` scalar, `wrt` a tuple of n symbols: `claimed` is a column of n entries;
    - `function` scalar, `wrt` a `MatrixSymbol` W: `claimed` has W's shape, entry (i, j)
      being ∂function/∂W[i, j] (denominator layout, as in ∂J/∂W);
    - `function` a column vector of m entries, `wrt` n symbols or an n×1 `MatrixSymbol`:
      `claimed` is the m×n Jacobian.
    """

    function: Any
    wrt: Any
    claimed: Any
    assumptions: Assumptions = ()
    sizes: Sizes = ()

    def __post_init__(self) -> None:
        ok = isinstance(self.wrt, sp.MatrixSymbol) or (
            isinstance(self.wrt, tuple) and self.wrt
            and all(isinstance(v, (sp.Symbol, sp.Indexed)) for v in self.wrt)
        )
        if not ok:
            raise ValueError(f"GradientClaim(wrt={self.wrt!r}): a MatrixSymbol or a tuple of symbols")
        _check_sizes("GradientClaim", self.sizes)

    @property
    def kind(self) -> str:
        return "gradient"


@dataclass(frozen=True, slots=True, kw_only=True)
class Property:
    """A statement about expressions: ``Eq(Integral(p, (x, -oo, oo)), 1)``, ``kl >= 0``, a limit.

    `quantifier` ``"forall"``: the statement holds at every point of the domain (an equation
    with integrals, sums or limits, or an inequality). ``"exists"``: some point of the domain
    makes it true (a witness, e.g. ``Ne(A*B, B*A)`` for non-commuting matrices).
    """

    statement: Any
    assumptions: Assumptions = ()
    sizes: Sizes = ()
    quantifier: Literal["forall", "exists"] = "forall"
    symbolic: bool = True  # False: SymPy is known not to decide it in budget; check numerically only

    def __post_init__(self) -> None:
        if isinstance(self.statement, (bool, sp.logic.boolalg.BooleanAtom)):
            raise ValueError(f"Property(statement={self.statement!r}): SymPy evaluated the relation "
                             "already; build it with evaluate=False, e.g. Eq(lhs, rhs, evaluate=False)")
        if not isinstance(self.statement, (sp.Rel, sp.Eq, sp.Ne)):
            raise ValueError(f"Property(statement={self.statement!r}): a SymPy relation")
        if self.quantifier not in ("forall", "exists"):
            raise ValueError(f"Property(quantifier={self.quantifier!r}): 'forall' or 'exists'")
        _check_sizes("Property", self.sizes)

    @property
    def kind(self) -> str:
        return "property"


@dataclass(frozen=True, slots=True, kw_only=True)
class SqueezeClaim:
    """``lim_{var → point} function = limit`` by the squeeze theorem.

    Its hypotheses are what gets checked: ``lower ≤ function ≤ upper`` on the domain of the
    assumptions, and both bounds tend to `limit`. SymPy rarely finds limits such as
    ``(Σ|dᵢ|ᵖ)^(1/p)`` as p → ∞ itself; the bounds usually have limits it does find.
    """

    function: Any
    lower: Any
    upper: Any
    var: sp.Symbol
    point: Any
    limit: Any
    assumptions: Assumptions = ()
    sizes: Sizes = ()

    def __post_init__(self) -> None:
        if not isinstance(self.var, sp.Symbol):
            raise ValueError(f"SqueezeClaim(var={self.var!r}): the variable of the limit, a Symbol")
        _check_sizes("SqueezeClaim", self.sizes)

    @property
    def kind(self) -> str:
        return "squeeze"


@dataclass(frozen=True, slots=True, kw_only=True)
class Approximation:
    """``value ≈ stated``: the number `value` rounds to `stated` at the place of its last digit.

    `unit` is the place value of the last stated digit (``0.622`` → 1/1000, ``1.2·10⁻³`` →
    1/10000). `value` is a SymPy expression without free symbols; a free symbol makes the
    claim undecidable (it is not a given number). See `checker.approx`.
    """

    value: Any
    stated: sp.Rational
    unit: sp.Rational
    assumptions: Assumptions = ()

    def __post_init__(self) -> None:
        if not isinstance(self.stated, sp.Rational):
            raise ValueError(f"Approximation(stated={self.stated!r}): an exact sp.Rational")
        if not isinstance(self.unit, sp.Rational) or not self.unit.is_positive:
            raise ValueError(f"Approximation(unit={self.unit!r}): a positive sp.Rational")

    @property
    def kind(self) -> str:
        return "approximation"


Sampler = Callable[[np.random.Generator], Mapping[str, Any]]
Program = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeClaim:
    """A computation as a document writes it in code agrees with a reference.

    `program` is the document's code transcribed into Python (it never comes from a
    document at run time). `reference` is an independent computation of the same
    quantity, or a SymPy expression in the sampled names. Both take the sampled inputs
    and return a number or an array. `sample` draws inputs; ``None`` means a fixed input
    (a value claim).
    """

    program: Program
    reference: Program | sp.Basic
    sample: Sampler | None = None
    n_samples: int = 8
    rtol: float = 1e-9
    atol: float = 1e-12

    @property
    def kind(self) -> str:
        return "code"


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeGradientClaim:
    """Hand-written gradient code agrees with finite differences of the loss it belongs to.

    `loss` maps a dict of parameter arrays to a float; `gradient` maps the same dict to a
    dict of arrays with the same keys and shapes (the code's ∂loss/∂param).
    """

    loss: Program
    gradient: Program
    sample: Sampler
    n_samples: int = 4
    params: tuple[str, ...] | None = None  # the sampled names to differentiate; the rest is data

    @property
    def kind(self) -> str:
        return "code-gradient"


Claim = (Identity | DerivativeClaim | GradientClaim | Property | SqueezeClaim | CodeClaim
         | CodeGradientClaim | Approximation)

__all__ = [
    "Approximation", "Assumptions", "Claim", "CodeClaim", "CodeGradientClaim", "DerivativeClaim",
    "GradientClaim", "Identity", "Property", "Sizes", "SqueezeClaim",
]
