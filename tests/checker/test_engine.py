"""The engine catches wrong formulas, and does not call round-off an error."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy as sp

from checker import engine
from checker.claims import (
    CodeClaim, CodeGradientClaim, DerivativeClaim, GradientClaim, Identity, Property,
)
from checker.functions import sigmoid
from checker.verdict import Counterexample, Method, Status, Verdict

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
w = sp.Symbol("w", real=True)
p = sp.Symbol("p", positive=True)
t = sp.Symbol("t", positive=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True)
xs = sp.IndexedBase("x", real=True)


def verdict(claim, **kw) -> Verdict:
    return engine.check(claim, **kw).verdict


# --- identities: true ones and their mutated twins ----------------------------------------

IDENTITIES = [
    ("sigmoid-symmetry", sigmoid(-x), 1 - sigmoid(x)),
    ("log-product", sp.log(p * t), sp.log(p) + sp.log(t)),
    ("square-expansion", (x + y) ** 2, x**2 + 2 * x * y + y**2),
    ("tanh-exp", sp.tanh(x), (sp.exp(2 * x) - 1) / (sp.exp(2 * x) + 1)),
]

MUTATIONS = [
    ("sign flip", sigmoid(-x), sigmoid(x) - 1),
    ("dropped factor", (x + y) ** 2, x**2 + x * y + y**2),
    ("wrong exponent", (x + y) ** 2, x**3 + 2 * x * y + y**2),
    ("log of sum", sp.log(p + t), sp.log(p) + sp.log(t)),
]


@pytest.mark.parametrize("name,lhs,rhs", IDENTITIES, ids=[c[0] for c in IDENTITIES])
def test_true_identity_is_verified_symbolically(name, lhs, rhs):
    """A true identity is verified, with the symbolic method named."""
    v = verdict(Identity(lhs=lhs, rhs=rhs))
    assert v.status is Status.VERIFIED
    assert v.method is Method.SYMBOLIC


@pytest.mark.parametrize("name,lhs,rhs", MUTATIONS, ids=[c[0] for c in MUTATIONS])
def test_mutated_identity_is_wrong_with_counterexample(name, lhs, rhs):
    """A mutated identity is wrong, and its counterexample really separates the sides."""
    v = verdict(Identity(lhs=lhs, rhs=rhs))
    assert v.status is Status.WRONG
    ce = v.counterexample
    assert ce is not None and ce.digits >= 50
    point = {sp.Symbol(name, **s.assumptions0): value for name, value in ce.point
             for s in (lhs - rhs).free_symbols if s.name == name}
    a, b = sp.N(lhs.subs(point), 30), sp.N(rhs.subs(point), 30)
    assert abs(complex(a) - complex(b)) > 1e-6
    assert abs(complex(a) - complex(ce.lhs)) < 1e-9 * (1 + abs(complex(a)))


# --- derivative claims: sign flip, dropped factor, wrong exponent, missing chain factor --------

DERIVATIVES = [
    ("sigmoid", 1 / (1 + sp.exp(-x)), sigmoid(x) * (1 - sigmoid(x))),
    ("power", x**3, 3 * x**2),
    ("chain", sp.sin(3 * x**2), 6 * x * sp.cos(3 * x**2)),
    ("log", sp.log(p), 1 / p),
]
WRONG_DERIVATIVES = [
    ("sign flip", 1 / (1 + sp.exp(-x)), -sigmoid(x) * (1 - sigmoid(x))),
    ("dropped factor", x**3, x**2),
    ("wrong exponent", x**3, 3 * x**3),
    ("missing chain-rule factor", sp.sin(3 * x**2), sp.cos(3 * x**2)),
]


@pytest.mark.parametrize("name,f,g", DERIVATIVES, ids=[c[0] for c in DERIVATIVES])
def test_true_derivative_passes_symbolic_and_finite_differences(name, f, g):
    """A true derivative claim is verified by both SymPy and finite differences."""
    var = sorted(f.free_symbols, key=str)[0]
    result = engine.check(DerivativeClaim(function=f, wrt=(var,), claimed=g))
    by_name = {c.name: c.verdict for c in result.checks}
    assert by_name["symbolic"].status is Status.VERIFIED
    assert by_name["finite-difference"].status is Status.VERIFIED
    assert by_name["finite-difference"].method is Method.FINITE_DIFFERENCE
    assert by_name["finite-difference"].evidence.fd_error < 1e-8


@pytest.mark.parametrize("name,f,g", WRONG_DERIVATIVES, ids=[c[0] for c in WRONG_DERIVATIVES])
def test_wrong_derivative_is_caught_by_finite_differences(name, f, g):
    """A wrong derivative is reported wrong by finite differences, with a counterexample."""
    var = sorted(f.free_symbols, key=str)[0]
    result = engine.check(DerivativeClaim(function=f, wrt=(var,), claimed=g))
    by_name = {c.name: c.verdict for c in result.checks}
    fd = by_name["finite-difference"]
    assert fd.status is Status.WRONG
    assert fd.counterexample is not None
    assert by_name["symbolic"].status is Status.INCONCLUSIVE  # SymPy's failure is never "wrong" by itself
    assert result.verdict.status is Status.WRONG
    value = dict(fd.counterexample.point)[var.name]
    true = float(sp.diff(f, var).subs(var, value))
    assert abs(fd.counterexample.rhs.real - true) < 1e-9 * (1 + abs(true))


def test_second_and_mixed_partials_are_checked():
    """Repeated and mixed partial derivatives are checked, and a wrong one is caught."""
    f = x**2 * y + 3 * x * y**2
    assert verdict(DerivativeClaim(function=f, wrt=(x, y), claimed=2 * x + 6 * y)).status is Status.VERIFIED
    assert verdict(DerivativeClaim(function=f, wrt=(x, x), claimed=2 * y)).status is Status.VERIFIED
    assert verdict(DerivativeClaim(function=f, wrt=(x, y), claimed=2 * x + 3 * y)).status is Status.WRONG


def test_gradient_of_quadratic_form_at_several_sizes():
    """∇ xᵀAx = (A + Aᵀ)x holds at sizes 1..3, and Ax alone is caught as wrong."""
    A, X = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("x", n, 1)
    f = (X.T * A * X)[0, 0]
    good = GradientClaim(function=f, wrt=X, claimed=(A + A.T) * X, sizes=((n, (1, 2, 3)),))
    bad = GradientClaim(function=f, wrt=X, claimed=A * X, sizes=((n, (1, 2, 3)),))
    r = engine.check(good)
    assert r.verdict.status is Status.VERIFIED
    sizes = {c.name: c.verdict.evidence.sizes for c in r.checks}
    assert sizes["finite-difference"] == (1, 2, 3)
    assert len(sizes["symbolic"]) >= 2  # proved at two sizes beyond the trivial one
    assert verdict(bad).status is Status.WRONG


# --- round-off is not an error ------------------------------------------------------------

def test_sigmoid_derivative_far_in_the_tails_is_not_called_wrong():
    """σ'(x) near ±30 (values ~1e-13) agrees with finite differences in relative terms."""
    for lo, hi in ((25, 35), (-35, -25)):
        claim = DerivativeClaim(function=1 / (1 + sp.exp(-x)), wrt=(x,), claimed=sigmoid(x) * (1 - sigmoid(x)),
                                assumptions=(x > lo, x < hi))
        assert verdict(claim).status is Status.VERIFIED


def test_log_one_minus_sigmoid_for_large_x_is_round_off_not_error():
    """log(1 − σ(x)) for x in (30, 40) is −∞ in doubles, yet equals −x − log(1 + e^(−x))."""
    claim = Identity(lhs=sp.log(1 - sigmoid(x)), rhs=-x - sp.log(1 + sp.exp(-x)), assumptions=(x > 30, x < 40))
    v = verdict(claim)
    assert v.status is Status.VERIFIED


def test_tiny_true_difference_is_still_wrong():
    """A difference of e^(−35) relative to 1 is real, and high precision reports it."""
    claim = Identity(lhs=sp.log(1 - sigmoid(x)), rhs=-x, assumptions=(x > 30, x < 40))
    assert verdict(claim).status is Status.WRONG


# --- sums, matrices, undefined functions ---------------------------------------------------

def test_sum_is_instantiated_at_several_sizes():
    """Σ x_k² = (Σ x_k)² is caught at n = 2 even though it holds at n = 1."""
    claim = Identity(lhs=sp.Sum(xs[k] ** 2, (k, 1, n)), rhs=sp.Sum(xs[k], (k, 1, n)) ** 2, sizes=((n, (1, 2, 3)),))
    v = verdict(claim)
    assert v.status is Status.WRONG
    assert dict(v.counterexample.point)["n"] >= 2


def test_matrix_identity_and_noncommutativity():
    """(AB)ᵀ = BᵀAᵀ is verified; AB = BA is wrong; AB ≠ BA has a witness."""
    A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n)
    sizes = ((n, (1, 2, 3)),)
    assert verdict(Identity(lhs=(A * B).T, rhs=B.T * A.T, sizes=sizes)).status is Status.VERIFIED
    assert verdict(Identity(lhs=A * B, rhs=B * A, sizes=sizes)).status is Status.WRONG
    assert verdict(Property(statement=sp.Ne(A * B, B * A), quantifier="exists", sizes=sizes)).status is Status.VERIFIED


def test_chain_rule_with_undefined_functions():
    """The chain rule holds for undefined f, g; dropping g' is caught with concrete instances."""
    f, g = sp.Function("f"), sp.Function("g")
    lhs = sp.diff(f(g(x)), x)
    good = sp.Subs(sp.diff(f(y), y), y, g(x)) * sp.diff(g(x), x)
    bad = sp.Subs(sp.diff(f(y), y), y, g(x))
    assert verdict(Identity(lhs=lhs, rhs=good)).status is Status.VERIFIED
    assert verdict(Identity(lhs=lhs, rhs=bad)).status is Status.WRONG


# --- properties --------------------------------------------------------------------------

def test_normal_density_integrates_to_one_and_a_wrong_constant_is_caught():
    """∫ N(x; μ, σ) dx = 1 symbolically; a density missing √(2π) is wrong."""
    mu, s = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
    pdf = sp.exp(-(x - mu) ** 2 / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi))
    good = Property(statement=sp.Eq(sp.Integral(pdf, (x, -sp.oo, sp.oo)), 1, evaluate=False))
    bad = Property(statement=sp.Eq(sp.Integral(pdf * sp.sqrt(2 * sp.pi), (x, -sp.oo, sp.oo)), 1, evaluate=False))
    r = engine.check(good)
    assert r.verdict.status is Status.VERIFIED and r.verdict.method is Method.SYMBOLIC
    assert verdict(bad).status is Status.WRONG


def test_an_integral_of_a_sum_is_integrated_term_by_term_and_a_wrong_mean_caught():
    """E[μ + σT] = μ for T ~ N(0, 1), proved symbolically (term by term); μ + σ is wrong."""
    mu, s = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
    phi = sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)
    mean = sp.Integral((mu + s * x) * phi, (x, -sp.oo, sp.oo))
    assert engine._doit(mean) == mu
    r = engine.check(Property(statement=sp.Eq(mean, mu, evaluate=False)))
    assert r.verdict.status is Status.VERIFIED and r.verdict.method is Method.SYMBOLIC
    assert verdict(Property(statement=sp.Eq(mean, mu + s, evaluate=False))).status is Status.WRONG


def test_integral_of_symbolic_size_is_evaluated_at_each_size_and_a_wrong_one_caught():
    """∫₀¹ u^(A−1)(1−u)^(B−1)/B(A, B) du = 1 is proved size by size; a missing factor A is caught there."""
    u = sp.Symbol("u", positive=True)
    A, B = sp.Symbol("A", integer=True, positive=True), sp.Symbol("B", integer=True, positive=True)
    density = u ** (A - 1) * (1 - u) ** (B - 1) * sp.gamma(A + B) / (sp.gamma(A) * sp.gamma(B))
    sizes = ((A, (1, 2, 3)), (B, (1, 2)))
    good = Property(statement=sp.Eq(sp.Integral(density, (u, 0, 1)), 1, evaluate=False), sizes=sizes)
    result = engine.check(good)
    proof = {c.name: c.verdict for c in result.checks}["symbolic"]
    assert proof.status is Status.VERIFIED and proof.method is Method.SYMBOLIC
    assert "at each size" in proof.evidence.detail
    bad = Property(statement=sp.Eq(sp.Integral(A * density, (u, 0, 1)), 1, evaluate=False), sizes=sizes)
    assert engine._prove_at_each_size(bad.statement, bad, 5.0).status is Status.WRONG
    assert verdict(bad).status is Status.WRONG


def test_inequality_property_and_its_violation():
    """x² + 1 ≥ 2x holds; x² ≥ 2x fails with a counterexample."""
    assert verdict(Property(statement=sp.Ge(x**2 + 1, 2 * x))).status is Status.VERIFIED
    v = verdict(Property(statement=sp.Ge(x**2, 2 * x)))
    assert v.status is Status.WRONG and v.counterexample is not None


# --- code -------------------------------------------------------------------------------

def test_code_claim_catches_a_wrong_program():
    """Transcribed code is compared with its reference; a wrong sign is caught."""
    ref = 1 / (1 + sp.exp(-sp.Symbol("x")))
    sample = lambda rng: {"x": float(rng.uniform(-5, 5))}  # noqa: E731
    good = CodeClaim(program=lambda i: 1 / (1 + np.exp(-i["x"])), reference=ref, sample=sample)
    bad = CodeClaim(program=lambda i: 1 / (1 + np.exp(i["x"])), reference=ref, sample=sample)
    assert verdict(good).status is Status.VERIFIED
    assert verdict(bad).status is Status.WRONG


def test_code_gradient_claim_catches_a_missing_factor():
    """Hand-written gradient code is compared with finite differences of its loss."""
    loss = lambda q: float(np.sum((q["w"] * 2.0 - 1.0) ** 2))  # noqa: E731
    sample = lambda rng: {"w": rng.normal(size=(2, 3))}  # noqa: E731
    good = CodeGradientClaim(loss=loss, gradient=lambda q: {"w": 4.0 * (q["w"] * 2.0 - 1.0)}, sample=sample)
    bad = CodeGradientClaim(loss=loss, gradient=lambda q: {"w": 2.0 * (q["w"] * 2.0 - 1.0)}, sample=sample)
    assert verdict(good).status is Status.VERIFIED
    v = verdict(bad)
    assert v.status is Status.WRONG and v.counterexample.point[0][0].startswith("w[")


# --- budget and verdict invariants ----------------------------------------------------------

def test_symbolic_step_that_never_returns_costs_its_budget(monkeypatch):
    """A simplification that outlasts its budget is stopped and becomes inconclusive."""
    from checker import symbolic

    monkeypatch.setattr(symbolic, "HEAVY_STEPS", (("forever", _spin_for_ever),))
    start = time.monotonic()
    v = symbolic.check_identity(sp.gamma(x + 1) / sp.gamma(x), x, timeout=0.5)
    assert v.status is Status.INCONCLUSIVE and "time budget spent" in v.reason
    assert time.monotonic() - start < 120, "safety net only: the budget (CPU seconds) never stopped the step"


def test_worker_that_never_returns_is_stopped():
    """A computation that never returns costs its budget and no more."""
    from checker.budget import call_with_budget
    from checker.errors import BudgetSpent

    start = time.monotonic()
    with pytest.raises(BudgetSpent):
        call_with_budget(_spin_for_ever, None, timeout=0.5)
    assert time.monotonic() - start < 120, "safety net only: the budget (CPU seconds) never stopped the loop"


def _spin_for_ever(_: object) -> None:
    """A computation that never returns and uses CPU all along (budgets count CPU time)."""
    while True:
        pass


def test_verdict_wrong_needs_a_counterexample():
    """A `wrong` verdict without a counterexample cannot be built."""
    with pytest.raises(ValueError, match="counterexample"):
        Verdict(status=Status.WRONG, method=Method.NUMERIC)
    with pytest.raises(ValueError, match="reason"):
        Verdict(status=Status.INCONCLUSIVE)
    Verdict.wrong(Method.NUMERIC, Counterexample(point=(("x", 1.0),), lhs=1.0, rhs=2.0))


def test_same_seed_gives_same_points():
    """Sampling is seeded: the same claim and seed give the same counterexample."""
    claim = Identity(lhs=(x + y) ** 2, rhs=x**2 + y**2)
    a, b = verdict(claim, seed=7), verdict(claim, seed=7)
    assert a.counterexample == b.counterexample


def test_sampled_points_satisfy_the_relations_between_symbols():
    """Rejection keeps only points where every relation holds, as substitution decides it."""
    from checker.sampling import draw_points, satisfies

    a, b = sp.symbols("a b", positive=True)
    relations = (a * b - 1 > 0, sp.Abs(a - b) < 2)
    points = draw_points((a, b), np.random.default_rng(0), n=32, assumptions=relations)
    assert len(points) == 32
    assert all(satisfies(relations, pt) for pt in points)
    assert all(pt[a] * pt[b] > 1 and abs(pt[a] - pt[b]) < 2 for pt in points)
    # the same relation with no point of the domain: nothing is drawn
    assert draw_points((a, b), np.random.default_rng(0), n=4, assumptions=(a + b < 0,), max_tries=50) == []


def test_the_common_denominator_step_proves_rational_identities_and_only_those():
    """lhs − rhs over a common denominator has numerator 0 exactly when the identity holds."""
    from checker import symbolic

    good = 1 / (x + 1) - 1 / (x + 2) - 1 / ((x + 1) * (x + 2))
    bad = 1 / (x + 1) - 1 / (x + 2) - 2 / ((x + 1) * (x + 2))
    assert symbolic._numerator(good) == 0
    assert symbolic._numerator(bad) != 0
    assert symbolic.prove_zero(good, timeout=5) == (True, "common-denominator")


def test_symbolic_proofs_work_on_plain_symbols_but_never_inside_a_sum():
    """Written-out entries become plain symbols for the proof; x[i] under Σ_i stays indexed."""
    from checker import symbolic

    written = xs[1] * xs[2] + xs[1]
    plain = symbolic._in_plain_symbols(written)
    assert not plain.atoms(sp.Indexed) and len(plain.free_symbols) == 2
    summed = sp.Sum(xs[k], (k, 1, n))
    assert symbolic._in_plain_symbols(summed) == summed
    # and the proof at concrete sizes still tells a wrong sum from a right one
    assert symbolic.check_identity(sp.Sum(xs[k] ** 2, (k, 1, n)), sp.Sum(xs[k], (k, 1, n)) ** 2,
                                   sizes=((n, (2, 3)),)).status is not Status.VERIFIED


def test_sizes_and_sums_are_instantiated_in_one_walk():
    """Finite sums are written out, with bounds that depend on an outer index, and a bound
    variable that shares a size's name hides that size."""
    from checker.evaluate import _substituted

    i, j, m = sp.symbols("i j m", integer=True, positive=True)
    three = {n: sp.Integer(3)}
    r = range(1, 4)
    cases = [
        (sp.Sum(sp.Sum(xs[i] * xs[j], (j, 1, i)), (i, 1, n)) + 1 / n,
         sum(xs[a] * xs[b] for a in r for b in range(1, a + 1)) + sp.Rational(1, 3)),
        (sp.Sum(xs[i] * xs[j], (j, i, n), (i, 1, n)), sum(xs[a] * xs[b] for a in r for b in range(a, 4))),
        (sp.Sum(xs[i], (i, 1, n)) * sp.Product(1 + xs[i], (i, 1, n)),
         (xs[1] + xs[2] + xs[3]) * (1 + xs[1]) * (1 + xs[2]) * (1 + xs[3])),
        (sp.Sum(xs[i], (i, 1, n), (n, 1, 2)), 2 * xs[1] + xs[2]),
    ]
    for e, expected in cases:
        assert sp.expand(_substituted(e, three) - expected) == 0, e
    # what stays infinite or symbolic is kept
    assert _substituted(sp.Sum(xs[i], (i, 1, m)), three) == sp.Sum(xs[i], (i, 1, m))
    assert _substituted(sp.Sum(k**-2, (k, 1, sp.oo)), three) == sp.Sum(k**-2, (k, 1, sp.oo))
