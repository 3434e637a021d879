r"""Claims about any random variable, checked on random finite distributions.

Every equation is written as notes write it and read by `parse_latex`; the claims come from
`claims_for` and go through `checker.engine.check`.
"""

from __future__ import annotations

import pytest
import sympy as sp

from checker import engine
from checker.notation import parse_latex
from checker.randomvars import ATOM_COUNTS, SUFFIX, claims_for, finite_reading, random_variables
from checker.verdict import Status, Verdict


def claims(tex: str, declared=(), **kw):
    parsed = parse_latex(tex)
    assert len(parsed.sides) == 2
    rvs = random_variables(parsed.sides, declared)
    return claims_for(parsed.sides[0], parsed.sides[1], parsed.relation, rvs, **kw)


def verdicts(tex: str, declared=(), **kw) -> list[Verdict]:
    found = claims(tex, declared, **kw)
    assert len(found) == len(ATOM_COUNTS), f"no reading of {tex!r}"
    return [engine.check(c).verdict for c in found]


def assert_verified(tex: str, declared=(), **kw) -> None:
    for v in verdicts(tex, declared, **kw):
        assert v.status is Status.VERIFIED, (tex, v.reason)


def assert_wrong(tex: str, declared=(), **kw) -> None:
    found = verdicts(tex, declared, **kw)
    assert all(v.status is not Status.VERIFIED for v in found), tex
    wrong = [v for v in found if v.status is Status.WRONG]
    assert wrong, (tex, [v.reason for v in found])
    for v in wrong:
        ce = v.counterexample
        assert ce is not None
        names = [name for name, _ in ce.point]
        assert any(SUFFIX in name for name in names), names  # the atoms' values and weights
        assert any(name.startswith("weight") for name in names), names


X, Y = sp.Symbol("X"), sp.Symbol("Y")


# --- which symbols are random -------------------------------------------------------------

def test_uppercase_letters_inside_expectations_are_random():
    p = parse_latex(r"\mathrm{Cov}(aX, Y_1) = a\,\mathbb{E}[X Y_1] - c")
    assert {s.name for s in random_variables(p.sides)} == {"X", "Y_1"}


def test_declared_names_are_random():
    p = parse_latex(r"\mathbb{E}[x^2] \ge \mathbb{E}[x]^2")
    assert random_variables(p.sides) == set()
    assert {s.name for s in random_variables(p.sides, declared=["x"])} == {"x"}


def test_atom_names_cannot_clash_with_names_of_notes():
    (lhs, rhs), _ = finite_reading(parse_latex(r"\mathbb{E}[X] = \mathbb{E}[X]").sides, ["X"], atoms=2)
    names = {s.name for s in lhs.free_symbols}
    assert names == {"X__at1", "X__at2", "weight__at1", "weight__at2"}
    assert parse_latex(r"\mathrm{X\_\_at1}").sides[0].free_symbols == {sp.Symbol("X_at1")}


def test_independent_distributions_have_their_own_weights():
    (lhs,), _ = finite_reading(parse_latex(r"\mathbb{E}[XY]").sides, ["X", "Y"], atoms=2, independent=True)
    names = {s.name for s in lhs.free_symbols}
    assert names == {"X__at1", "X__at2", "Y__at1", "Y__at2", "weight_X__at1", "weight_X__at2",
                     "weight_Y__at1", "weight_Y__at2"}


def test_positive_variables_have_positive_values():
    (lhs,), _ = finite_reading(parse_latex(r"\mathbb{E}[\log X]").sides, ["X"], atoms=3, positive=["X"])
    assert all(s.is_positive for s in lhs.free_symbols)


# --- identities ----------------------------------------------------------------------------

def test_linearity_of_expectation():
    assert_verified(r"\mathbb{E}[aX + b] = a\mathbb{E}[X] + b")


def test_linearity_with_a_wrong_constant():
    assert_wrong(r"\mathbb{E}[aX + b] = a\mathbb{E}[X] + 2b")


def test_variance_as_a_difference_of_moments():
    assert_verified(r"\mathrm{Var}(X) = \mathbb{E}[X^2] - \mathbb{E}[X]^2")


def test_variance_as_a_mean_square_deviation():
    assert_verified(r"\mathrm{Var}[X] = \mathbb{E}\left[(X - \mathbb{E}[X])^2\right]")


def test_variance_of_an_affine_function():
    assert_verified(r"\mathrm{Var}(aX+b) = a^2 \mathrm{Var}(X)")


def test_variance_of_an_affine_function_without_the_square():
    assert_wrong(r"\mathrm{Var}(aX+b) = a \mathrm{Var}(X)")


def test_covariance_as_a_difference_of_moments():
    assert_verified(r"\mathrm{Cov}(X, Y) = \mathbb{E}[XY] - \mathbb{E}[X]\mathbb{E}[Y]")


def test_variance_of_a_sum_with_the_covariance():
    assert_verified(r"\mathrm{Var}(X+Y) = \mathrm{Var}(X) + \mathrm{Var}(Y) + 2\mathrm{Cov}(X, Y)")


def test_variance_of_a_sum_needs_independence():
    assert_wrong(r"\mathrm{Var}(X+Y) = \mathrm{Var}(X) + \mathrm{Var}(Y)")
    assert_verified(r"\mathrm{Var}(X+Y) = \mathrm{Var}(X) + \mathrm{Var}(Y)", independent=True)


def test_expectation_of_a_product_needs_independence():
    assert_wrong(r"\mathbb{E}[XY] = \mathbb{E}[X]\mathbb{E}[Y]")
    assert_verified(r"\mathbb{E}[XY] = \mathbb{E}[X]\mathbb{E}[Y]", independent=True)


# --- inequalities --------------------------------------------------------------------------

def test_jensen_for_the_logarithm():
    assert_verified(r"\mathbb{E}\left[ \log X \right] \le \log \mathbb{E}[X]", positive=["X"])


def test_jensen_in_the_wrong_direction():
    assert_wrong(r"\mathbb{E}\left[ \log X \right] \ge \log \mathbb{E}[X]", positive=["X"])


def test_jensen_with_positivity_as_an_assumption():
    assert_verified(r"\mathbb{E}\left[ \log X \right] \le \log \mathbb{E}[X]", assumptions=[X > 0])
    assert_wrong(r"\mathbb{E}\left[ \log X \right] \ge \log \mathbb{E}[X]", assumptions=[X > 0])


def test_second_moment_bounds_the_squared_mean():
    assert_verified(r"E[X^2] \ge E[X]^2")
    assert_wrong(r"E[X^2] \le E[X]^2")


def test_a_bound_that_holds_almost_surely():
    m = sp.Symbol("M")
    assert_verified(r"\mathbb{E}[X] \le M", assumptions=[X <= m])
    (lhs, rhs), given = finite_reading(parse_latex(r"\mathbb{E}[X] \le M").sides, ["X"], atoms=2,
                                       assumptions=[X <= m])
    assert len(given) == 2  # X ≤ M at each atom


# --- no reading ----------------------------------------------------------------------------

@pytest.mark.parametrize("tex", [
    r"\mathbb{E}[X] = X",  # a random variable outside the expectation
    r"\mathbb{E}[X] = \mu",  # μ is a parameter of X's distribution, unknown here
    r"\mathbb{E}[\hat{\theta}] = \theta",  # no random variable by the convention
    r"\mathbb{E}[f(X)] \ge f(\mathbb{E}[X])",  # f unknown
    r"a + b = b + a",  # no expectation at all
])
def test_no_reading(tex):
    p = parse_latex(tex)
    assert finite_reading(p.sides, random_variables(p.sides) | {sp.Symbol("X")}) is None
    assert claims(tex) == []


def test_no_reading_of_other_relations():
    p = parse_latex(r"\mathbb{E}[X] \ne 0")
    assert claims_for(p.sides[0], p.sides[1], p.relation, ["X"]) == []
