"""The engine: which checks run on which claim, and what they add up to.

- Identity: a numeric screen (a wrong claim is caught in milliseconds, with a
  counterexample), then a symbolic proof within the budget.
- DerivativeClaim, GradientClaim: symbolic (SymPy's diff) and finite differences of the
  undifferentiated function.
- Property: symbolic (evaluate integrals, sums, limits) and numeric (sampled, in high
  precision for integrals).
- SqueezeClaim: both bounds checked as inequalities, their limits as properties.
- CodeClaim: the transcribed code against its reference at sampled inputs.
- CodeGradientClaim: hand-written gradient code against finite differences of its loss.
- Approximation: the value computed in high precision, against the stated digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from checker import approx, derivatives, numeric, symbolic
from checker.budget import WorkerError
from checker.claims import (
    Approximation, Claim, CodeClaim, CodeGradientClaim, DerivativeClaim, GradientClaim, Identity, Property,
    Sizes, SqueezeClaim,
)
from checker.errors import BudgetSpent, UnsafeNameError
from checker.evaluate import instantiate, mp_value
from checker.functions import unfold
from checker.sampling import rng_for
from checker.verdict import (
    METHOD_RANK, CheckResult, ClaimResult, Counterexample, Evidence, Method, Status, Verdict,
)

#: Default time budget of one symbolic check, in seconds.
DEFAULT_TIMEOUT = 5.0


def check(claim: Claim, *, seed: int = 0, timeout: float = DEFAULT_TIMEOUT,
          n_points: int = 16) -> ClaimResult:
    """Run every check that applies to `claim`.

    Args:
        claim: what to check.
        seed: seed of the sampling; the same seed gives the same points.
        timeout: budget of each symbolic step, in seconds.
        n_points: sampled points per size for numeric checks.

    Returns:
        The checks that ran, each with its verdict; ``.verdict`` combines them.
    """
    rng = rng_for(seed, type(claim).__name__, _salt(claim))
    try:
        checks = _dispatch(claim, rng=rng, seed=seed, timeout=timeout, n_points=n_points)
    except UnsafeNameError as exc:
        checks = [CheckResult(name="numeric", verdict=Verdict.inconclusive(str(exc)))]
    return ClaimResult(checks=tuple(checks))


def _salt(claim: Claim) -> str:
    if isinstance(claim, (CodeClaim, CodeGradientClaim)):
        return getattr(claim, "program", getattr(claim, "loss", None)).__qualname__  # type: ignore[union-attr]
    return sp.srepr(getattr(claim, "lhs", getattr(claim, "function", getattr(claim, "statement", None))), order="none")[:500]


def _dispatch(claim: Claim, *, rng: np.random.Generator, seed: int, timeout: float,
              n_points: int) -> list[CheckResult]:
    if isinstance(claim, Identity):
        if claim.sizes:  # matrix algebra may prove it for every size at once, before any sampling
            proof = symbolic.check_all_sizes(claim.lhs, claim.rhs)
            if proof is not None:
                return [CheckResult(name="symbolic", verdict=proof)]
        screen = numeric.check_identity(claim.lhs, claim.rhs, assumptions=claim.assumptions,
                                        sizes=claim.sizes, rng=rng, seed=seed, n_points=n_points)
        checks = [CheckResult(name="numeric", verdict=screen)]
        if screen.status is not Status.WRONG:
            proof = symbolic.check_identity(claim.lhs, claim.rhs, sizes=claim.sizes,
                                            assumptions=claim.assumptions, timeout=timeout)
            checks.insert(0, CheckResult(name="symbolic", verdict=proof))
        return checks
    if isinstance(claim, DerivativeClaim):
        return [
            CheckResult(name="symbolic", verdict=derivatives.check_derivative_symbolic(claim, timeout=timeout)),
            CheckResult(name="finite-difference", verdict=derivatives.check_derivative_fd(claim, rng=rng, seed=seed)),
        ]
    if isinstance(claim, GradientClaim):
        return [
            CheckResult(name="symbolic", verdict=derivatives.check_gradient_symbolic(claim, timeout=timeout)),
            CheckResult(name="finite-difference", verdict=derivatives.check_gradient_fd(claim, rng=rng, seed=seed)),
        ]
    if isinstance(claim, Property):
        return _check_property(claim, rng=rng, seed=seed, timeout=timeout, n_points=n_points)
    if isinstance(claim, SqueezeClaim):
        return [CheckResult(name="squeeze", verdict=_check_squeeze(
            claim, rng=rng, seed=seed, timeout=timeout, n_points=n_points))]
    if isinstance(claim, CodeClaim):
        return [CheckResult(name="numeric", verdict=check_code(claim, rng=rng, seed=seed))]
    if isinstance(claim, CodeGradientClaim):
        return [CheckResult(name="finite-difference",
                            verdict=derivatives.check_code_gradient(claim, rng=rng, seed=seed))]
    if isinstance(claim, Approximation):
        return [CheckResult(name="numeric", verdict=approx.check_approximation(claim, timeout=timeout))]
    raise TypeError(f"check(claim={claim!r}): not a claim")


# --- properties ------------------------------------------------------------------------

def _doit(e: Any) -> Any:
    if not isinstance(e, sp.Basic):
        return e
    if e.has(sp.Integral):
        e = e.replace(lambda a: isinstance(a, sp.Integral), _by_linearity)
    return e.doit()


def _by_linearity(integral: sp.Integral) -> sp.Integral:
    """∫(a + b) integrated as ∫a + ∫b: products in the integrand distributed over sums.

    SymPy integrates (μ + σt)φ(t) over ℝ in 0.3 s, into erfc terms that cancel only after
    simplification; μφ + σtφ, term by term, in 0.06 s, into μ.
    """
    return sp.Integral(sp.expand_mul(integral.function), *integral.limits)


def _evaluated(e: Any, timeout: float) -> Any:
    """`e` with its integrals, sums and limits done by SymPy (in a worker, within budget)."""
    if not isinstance(e, sp.Basic) or not e.has(sp.Integral, sp.Sum, sp.Limit, sp.Product, sp.Derivative):
        return e
    return symbolic.budgeted(_doit, e, timeout=timeout, what="evaluating integrals, sums and limits",
                             needs=symbolic.needs_of(e))


def _evaluation_needs_sizes(st: sp.Basic, sizes: Sizes) -> bool:
    """Whether an integral, sum or limit of `st` depends on a size symbol.

    Evaluating ∫ u^(A−1)(1−u)^(B−1) du for symbolic integers A, B costs seconds and gives a
    hypergeometric form; at concrete A, B it is a polynomial integral. The sizes are then
    instantiated before SymPy evaluates anything.
    """
    names = {s for s, _ in sizes}
    return bool(names) and any(
        node.free_symbols & names for node in st.atoms(sp.Integral, sp.Sum, sp.Limit, sp.Product))


def _prove_at_each_size(st: sp.Basic, claim: Property, timeout: float) -> Verdict:
    """The symbolic proof of an evaluated property, size by size."""
    tried: list[int] = []
    ways: set[str] = set()
    for combo in symbolic.symbolic_sizes(claim.sizes, claim.assumptions):
        lhs = _evaluated(instantiate(st.lhs, combo), timeout)
        rhs = _evaluated(instantiate(st.rhs, combo), timeout)
        proof = symbolic.check_identity(lhs, rhs, assumptions=claim.assumptions, timeout=timeout)
        if proof.status is not Status.VERIFIED:
            return proof
        tried.extend(combo.values())
        if proof.evidence and proof.evidence.detail:
            ways.add(proof.evidence.detail.removeprefix("lhs − rhs = 0 by "))
    return Verdict.verified(Method.SYMBOLIC, Evidence(
        sizes=tuple(sorted(set(tried))), detail=f"evaluated and proved at each size tried ({', '.join(sorted(ways))})"))


def _check_property(claim: Property, *, rng: np.random.Generator, seed: int, timeout: float,
                    n_points: int) -> list[CheckResult]:
    st = claim.statement
    if claim.quantifier == "exists":
        witness = numeric.find_witness(st.lhs, st.rhs, assumptions=claim.assumptions,
                                       sizes=claim.sizes, rng=rng, seed=seed, n_points=n_points)
        return [CheckResult(name="numeric", verdict=witness)]
    if isinstance(st, sp.Eq):
        has_limit = st.has(sp.Limit)
        n = n_points if not st.has(sp.Integral, sp.Sum) else max(3, n_points // 4)
        checks = []
        if not has_limit:
            checks.append(CheckResult(name="numeric", verdict=numeric.check_identity(
                st.lhs, st.rhs, assumptions=claim.assumptions, sizes=claim.sizes, rng=rng,
                seed=seed, n_points=n)))
            if checks[0].verdict.status is Status.WRONG:
                return checks
        if not claim.symbolic:
            checks.insert(0, CheckResult(name="symbolic", verdict=Verdict.inconclusive(
                "not attempted: SymPy does not evaluate this in closed form within the budget; checked numerically",
                method=Method.SYMBOLIC)))
            return checks
        try:
            if _evaluation_needs_sizes(st, claim.sizes):
                proof = _prove_at_each_size(st, claim, timeout)
            else:
                lhs, rhs = _evaluated(st.lhs, timeout), _evaluated(st.rhs, timeout)
                proof = symbolic.check_identity(lhs, rhs, sizes=claim.sizes, assumptions=claim.assumptions,
                                                timeout=timeout)
        except BudgetSpent as exc:
            proof = Verdict.inconclusive(str(exc), method=Method.SYMBOLIC)
        except WorkerError as exc:
            proof = Verdict.inconclusive(f"SymPy failed: {str(exc).splitlines()[0]}", method=Method.SYMBOLIC)
        checks.insert(0, CheckResult(name="symbolic", verdict=proof))
        return checks
    if isinstance(st, sp.Ne):
        raise ValueError("Property(Ne(...)) needs quantifier='exists'")
    sampled = numeric.check_inequality(st, assumptions=claim.assumptions, sizes=claim.sizes,
                                       rng=rng, seed=seed, n_points=2 * n_points)
    checks = [CheckResult(name="numeric", verdict=sampled)]
    if sampled.status is not Status.WRONG:
        checks.insert(0, CheckResult(name="symbolic", verdict=_prove_inequality(st, timeout, claim.assumptions)))
    return checks


def _squeeze_places(var: sp.Symbol, point: Any) -> list[tuple[str, Any]]:
    """Where the bounds are sampled: the domain of the assumptions, and, for a limit at ±∞,
    also far out along it (the theorem needs the bounds near the point; the domain's samples
    stay within a few units of its lower end)."""
    places: list[tuple[str, Any]] = [("", var)]
    if point in (sp.oo, -sp.oo):
        sign = 1 if point == sp.oo else -1
        for k in (1, 2):
            places.append((f" at {var} = {sign * 10**k}(1 + |{var}|)", sign * sp.Integer(10) ** k * (1 + sp.Abs(var))))
    return places


def _check_squeeze(claim: SqueezeClaim, *, rng: np.random.Generator, seed: int, timeout: float,
                   n_points: int) -> Verdict:
    """The squeeze theorem's hypotheses, each a property; all of them must be verified.

    The verdict is a conjunction, so it carries the weakest method among its parts (the
    bounds are usually sampled, the limits of the bounds proved).
    """
    common = {"assumptions": claim.assumptions, "sizes": claim.sizes}
    parts: list[tuple[str, Property]] = []
    for where, at in _squeeze_places(claim.var, claim.point):
        lower, function, upper = (e.xreplace({claim.var: at}) if isinstance(e, sp.Basic) else e
                                  for e in (claim.lower, claim.function, claim.upper))
        parts.append((f"lower bound{where}", Property(statement=sp.Le(lower, function, evaluate=False), **common)))
        parts.append((f"upper bound{where}", Property(statement=sp.Le(function, upper, evaluate=False), **common)))
    parts += [
        ("limit of the lower bound", Property(statement=sp.Eq(
            sp.Limit(claim.lower, claim.var, claim.point), claim.limit, evaluate=False), **common)),
        ("limit of the upper bound", Property(statement=sp.Eq(
            sp.Limit(claim.upper, claim.var, claim.point), claim.limit, evaluate=False), **common)),
    ]
    done: list[tuple[str, Verdict]] = []
    for name, prop in parts:
        checks = _check_property(prop, rng=rng, seed=seed, timeout=timeout, n_points=n_points)
        v = ClaimResult(checks=tuple(checks)).verdict
        if v.status is Status.WRONG and v.counterexample is not None and v.method is not None:
            return Verdict.wrong(v.method, v.counterexample, reason=f"{name}: {v.reason}", evidence=v.evidence)
        if v.status is not Status.VERIFIED or v.method is None:
            return Verdict.inconclusive(f"{name}: {v.reason}", method=v.method)
        done.append((name, v))
    weakest = max((v.method for _, v in done), key=lambda m: METHOD_RANK[m])
    detail = "; ".join(f"{name}: {v.method.value}" for name, v in done)  # type: ignore[union-attr]
    return Verdict.verified(weakest, Evidence(seed=seed, detail=f"squeeze theorem ({detail})"))


def _nonneg(e: Any) -> bool | None:
    """Whether SymPy's assumptions show `e` ≥ 0 from a factored or expanded form."""
    for form in (lambda: e, lambda: sp.factor(e), lambda: sp.expand(e)):  # the cheapest form first
        if form().is_nonnegative:
            return True
    return None


def _bounded(e: Any, assumptions: tuple[Any, ...]) -> Any:
    """Symbols bounded by numbers (0 ≤ λ ≤ 1) rewritten through a nonnegative parameter, so
    that SymPy's sign rules can use the bounds: λ = lo + (hi − lo)·q/(1 + q), q ≥ 0."""
    from checker.sampling import domain_of

    mapping = {}
    for s in e.free_symbols:
        d = domain_of(s, assumptions)
        q = sp.Symbol(f"q_{s.name}", nonnegative=True)
        if np.isfinite(d.lo) and np.isfinite(d.hi) and not d.integer:
            mapping[s] = sp.nsimplify(d.lo) + sp.nsimplify(d.hi - d.lo) * q / (1 + q)
        elif np.isfinite(d.lo) and not d.integer and not s.is_nonnegative:
            mapping[s] = sp.nsimplify(d.lo) + q
    return e.xreplace(mapping) if mapping else e


def _prove_inequality(st: sp.Rel, timeout: float, assumptions: tuple[Any, ...] = ()) -> Verdict:
    """Prove ``lhs ≥ rhs`` (or ≤) from the symbols' assumptions and numeric bounds, when SymPy can."""
    gap = st.lhs - st.rhs if isinstance(st, (sp.GreaterThan, sp.StrictGreaterThan)) else st.rhs - st.lhs
    gap = _bounded(unfold(gap), assumptions)
    try:
        if sp.count_ops(gap) < 200:
            proved = _nonneg(gap)
        else:
            proved = symbolic.budgeted(_nonneg, gap, timeout=timeout, what="proving an inequality", needs=())
    except (BudgetSpent, WorkerError) as exc:
        return Verdict.inconclusive(str(exc).splitlines()[0], method=Method.SYMBOLIC)
    if proved and not isinstance(st, (sp.StrictGreaterThan, sp.StrictLessThan)):
        return Verdict.verified(Method.SYMBOLIC, Evidence(detail="the difference is nonnegative by SymPy's sign rules"))
    return Verdict.inconclusive("SymPy cannot decide the sign of the difference", method=Method.SYMBOLIC)


# --- code ------------------------------------------------------------------------------

def _value(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=complex)


def check_code(claim: CodeClaim, *, rng: np.random.Generator, seed: int = 0) -> Verdict:
    """The transcribed program agrees with its reference at every sampled input."""
    worst = 0.0
    runs = claim.n_samples if claim.sample is not None else 1
    for _ in range(runs):
        inputs: Mapping[str, Any] = claim.sample(rng) if claim.sample is not None else {}
        got = _value(claim.program(inputs))
        if isinstance(claim.reference, sp.Basic):
            point = {s: inputs[s.name] for s in claim.reference.free_symbols
                     if s.name in inputs and np.ndim(inputs[s.name]) == 0}
            ref_hp = mp_value(claim.reference, point)
            if ref_hp is None:
                return Verdict.inconclusive("the reference has no finite value at the sampled input")
            want = _value(complex(ref_hp))
        else:
            want = _value(claim.reference(inputs))
        if got.shape != want.shape:
            ce = Counterexample(point=_point(inputs), lhs=f"shape {got.shape}", rhs=f"shape {want.shape}",
                                digits=16, note="lhs: the document's code; rhs: the reference")
            return Verdict.wrong(Method.NUMERIC, ce, reason="the code returns a different shape")
        scale = np.maximum(np.abs(got), np.abs(want))
        bad = np.abs(got - want) > claim.atol + claim.rtol * scale
        err = numeric.relative_error(got, want, floor=claim.atol / claim.rtol if claim.rtol else 0.0)
        worst = max(worst, err)
        if np.any(bad):
            k = int(np.argmax(np.abs(got - want)))
            ce = Counterexample(point=_point(inputs), lhs=_plain(got.reshape(-1)[k]), rhs=_plain(want.reshape(-1)[k]),
                                digits=16, note="lhs: the document's code; rhs: the reference"
                                + (f" (entry {k} of the flattened output)" if got.size > 1 else ""))
            return Verdict.wrong(Method.NUMERIC, ce, reason="the code disagrees with the reference",
                                 evidence=Evidence(seed=seed, max_rel_err=err))
    return Verdict.verified(Method.NUMERIC, Evidence(n_points=runs, seed=seed, max_rel_err=worst))


def _plain(v: Any) -> Any:
    c = complex(v)
    return c.real if c.imag == 0 else c


def _point(inputs: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    out = []
    for k, v in inputs.items():
        arr = np.asarray(v)
        if arr.ndim == 0:
            out.append((k, arr.item()))
        elif arr.size <= 12:
            out.append((k, np.round(arr, 6).tolist()))
        else:
            out.append((k, f"array of shape {arr.shape}"))
    return tuple(out)


__all__ = ["DEFAULT_TIMEOUT", "check", "check_code"]
