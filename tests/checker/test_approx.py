"""Worked numbers: ``expr ≈ stated`` is checked to the digits the notes state."""

from __future__ import annotations

import dataclasses
import time

import pytest
import sympy as sp

from checker import engine
from checker.approx import Stated, approximation, check_approximation, parse_stated
from checker.budget import wall_cap
from checker.cache import claim_key
from checker.claims import Approximation
from checker.functions import sigmoid
from checker.verdict import Method, Status

HALF = sp.Rational(1, 2)
x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)


def claim(value, text: str, **kw) -> Approximation:
    c = approximation(value, text, **kw)
    assert c is not None, text
    return c


# --- parse_stated --------------------------------------------------------------------------

GOOD = [
    ("0.622", sp.Rational(622, 1000), sp.Rational(1, 1000)),
    ("-3.0103", sp.Rational(-30103, 10000), sp.Rational(1, 10000)),
    ("1.494", sp.Rational(1494, 1000), sp.Rational(1, 1000)),
    ("0.0714", sp.Rational(714, 10000), sp.Rational(1, 10000)),
    ("3", sp.Integer(3), sp.Integer(1)),
    ("0", sp.Integer(0), sp.Integer(1)),
    ("1.2 \\times 10^{-3}", sp.Rational(12, 10000), sp.Rational(1, 10000)),
    ("1.2 \\cdot 10^{-3}", sp.Rational(12, 10000), sp.Rational(1, 10000)),
    ("1.2\\times10^3", sp.Integer(1200), sp.Integer(100)),
    ("5 \\times 10^{2}", sp.Integer(500), sp.Integer(100)),
    ("0.600", sp.Rational(3, 5), sp.Rational(1, 1000)),  # zeros after the point are stated digits
    ("1200", sp.Integer(1200), sp.Integer(100)),  # a whole number's trailing zeros are not
    ("10\\,000", sp.Integer(10000), sp.Integer(10000)),
    (".5", HALF, sp.Rational(1, 10)),
    ("\u22120.5", -HALF, sp.Rational(1, 10)),
    ("+2.5", sp.Rational(5, 2), sp.Rational(1, 10)),
    ("  0.622,", sp.Rational(622, 1000), sp.Rational(1, 1000)),  # the sentence goes on
    ("0.0145.", sp.Rational(145, 10000), sp.Rational(1, 10000)),  # the sentence ends
]


@pytest.mark.parametrize("text,value,unit", GOOD, ids=[g[0] for g in GOOD])
def test_parse_stated_reads_plain_decimals(text, value, unit):
    """A plain decimal number gives its exact value and the place of its last digit."""
    got = parse_stated(text)
    assert got == Stated(value=value, unit=unit)
    assert isinstance(got.value, sp.Rational) and isinstance(got.unit, sp.Rational)


BAD = [
    "", "-", ".", "x", "0.6x", "1.2\\mathrm{e}{-3}", "1.2e-3", "12\\%", "0.622\\ldots", "1{,}5", "1,5",
    "10^{-3}", "1.2 \\times 10^-3", "\\frac{1}{2}", "\\sigma(0.5)", "0.5 + 0.1", "1.2.3", "3\\,\\text{cm}",
    "0.5)", "__import__('os')", "1.2 \\times 10^{-3}}", "--1", "0.5\n0.6",
]


@pytest.mark.parametrize("text", BAD)
def test_parse_stated_refuses_anything_else(text):
    """Units, percentages, expressions, exotic notations: not this kind of claim."""
    assert parse_stated(text) is None
    assert approximation(sp.Integer(1), text) is None


@pytest.mark.parametrize("text", [
    "1" * 10_000, "0." + "3" * 10_000, "1" * 61, "1.2 \\times 10^{" + "9" * 5000 + "}",
    "-" * 10_000 + "1", " " * 10_000 + "1", "1" + "\\," * 5000 + "2",
])
def test_parse_stated_hostile_texts_are_refused_fast(text):
    """Huge or pathological texts are refused without work proportional to their size."""
    start = time.perf_counter()
    assert parse_stated(text) is None
    assert time.perf_counter() - start < 0.1


def test_parse_stated_non_text():
    assert parse_stated(None) is None  # type: ignore[arg-type]
    assert parse_stated(0.622) is None  # type: ignore[arg-type]


# --- the check ---------------------------------------------------------------------------

RIGHT = [
    ("sigma(1/2) ≈ 0.622", sigmoid(HALF), "0.622"),
    ("e^-1 ≈ 0.368", sp.exp(-1), "0.368"),
    ("23/14 ≈ 1.643", sp.Rational(23, 14), "1.643"),
    ("1/14 ≈ 0.0714", sp.Rational(1, 14), "0.0714"),
    ("10 log10(1/2) ≈ -3.0103", 10 * sp.log(HALF, 10), "-3.0103"),
    ("0.0495(1 + cos 3pi/4) ≈ 0.0145", sp.Float(0.0495) * (1 + sp.cos(3 * sp.pi / 4)), "0.0145"),
    ("0.001234 ≈ 1.2e-3", sp.Rational(1234, 10**6), "1.2 \\times 10^{-3}"),
    ("sqrt 2 ≈ 1.41", sp.sqrt(2), "1.41"),
    ("23/15.5 ≈ 1.484", 23 / sp.Float(15.5), "1.484"),
    ("pi ≈ 3", sp.pi, "3"),
    ("3/4 ≈ 0.75", sp.Rational(3, 4), "0.75"),
]


@pytest.mark.parametrize("name,value,text", RIGHT, ids=[r[0] for r in RIGHT])
def test_right_approximations_are_verified(name, value, text):
    """A value that rounds to the stated digits is verified, and the evidence gives it."""
    v = check_approximation(claim(value, text))
    assert v.status is Status.VERIFIED, v.reason
    assert v.method is Method.NUMERIC
    assert "rounds to the stated" in v.evidence.detail


def test_the_evidence_gives_more_digits_than_stated():
    v = check_approximation(claim(sigmoid(HALF), "0.622"))
    assert "0.62246" in v.evidence.detail
    v = check_approximation(claim(sp.Rational(3, 4), "0.75"))
    assert "0.7500;" in v.evidence.detail  # exact: no ellipsis


def test_cut_off_digits_are_accepted():
    """Notes cut digits off as well as round them: within one unit of the last digit is fine."""
    v = check_approximation(claim(sp.Rational(2, 3), "0.666"))  # 0.6667 rounds to 0.667
    assert v.status is Status.VERIFIED
    assert "cut off" in v.evidence.detail
    v = check_approximation(claim(sp.Rational(6679, 10000), "0.666"))  # 1.9 units away
    assert v.status is Status.WRONG


def test_the_threshold_is_exact_for_exact_values():
    """One unit away exactly is accepted; a hair beyond is not."""
    assert check_approximation(claim(sp.Rational(623, 1000), "0.622")).status is Status.VERIFIED
    assert check_approximation(claim(sp.Rational(621, 1000), "0.622")).status is Status.VERIFIED
    beyond = sp.Rational(623, 1000) + sp.Rational(1, 10**30)
    assert check_approximation(claim(beyond, "0.622")).status is Status.WRONG


WRONG = [
    ("23/15.5 ≈ 1.494", 23 / sp.Float(15.5), "1.494", 1.48387),
    ("9/14 ≈ 0.634", sp.Rational(9, 14), "0.634", 0.64286),
    ("10 ln(1/2) ≈ -3.0103", 10 * sp.log(HALF), "-3.0103", -6.931472),
    ("1 - 0.16102 ≈ 0.849", 1 - sp.Float(0.16102), "0.849", 0.83898),
    ("0.001 + 0.0495(1 + cos 3pi/4) ≈ 0.0145",
     sp.Float(0.001) + sp.Float(0.0495) * (1 + sp.cos(3 * sp.pi / 4)), "0.0145", 0.015498),
    ("sigma(1/2) - 1 ≈ 0.378", sigmoid(HALF) - 1, "0.378", -0.37754),
]


@pytest.mark.parametrize("name,value,text,computed", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_approximations_are_wrong_with_the_computed_value(name, value, text, computed):
    """A value that does not round to the stated digits is wrong; the counterexample gives
    the computed value (a few more digits than stated) and the stated one."""
    v = check_approximation(claim(value, text))
    assert v.status is Status.WRONG
    assert v.method is Method.NUMERIC
    ce = v.counterexample.to_json()
    assert ce["lhs"] == pytest.approx(computed, abs=1e-12)
    assert ce["rhs"] == pytest.approx(float(parse_stated(text).value), abs=0)
    assert "does not round to the stated" in v.reason
    assert str(computed) in v.reason


def test_the_message_names_the_value_and_the_stated_number():
    v = check_approximation(claim(23 / sp.Float(15.5), "1.494"))
    assert v.reason.startswith("1.48387 (to 6 digits) does not round to the stated 1.494")


# --- undecidable values ------------------------------------------------------------------

def test_a_free_symbol_is_inconclusive_with_an_actionable_reason():
    v = check_approximation(claim(x + 1, "1.5"))
    assert v.status is Status.INCONCLUSIVE
    assert v.reason == "the value depends on x, which is not a given number here"
    v = check_approximation(claim(sigmoid(x) * y, "0.3"))
    assert v.reason == "the value depends on x, y, which are not given numbers here"


def test_symbols_fixed_by_the_assumptions_are_given_numbers():
    c = claim(sigmoid(x), "0.622", assumptions=(sp.Eq(x, HALF),))
    assert check_approximation(c).status is Status.VERIFIED
    c = claim(sigmoid(x), "0.632", assumptions=(sp.Eq(x, HALF),))
    assert check_approximation(c).status is Status.WRONG


@pytest.mark.parametrize("value,why", [
    (sp.sqrt(-2), "complex"),
    (sp.I + 1, "complex"),
    (sp.log(0), "not a finite number"),
    (sp.zoo, "not a finite number"),
    (sp.nan, "not a finite number"),
    (sp.oo, "not a finite number"),
    (sp.exp(sp.exp(sp.exp(10))), "exceeds"),
    (sp.Pow(10, 10**6, evaluate=False), "exceeds"),
    (sp.Integer(10) ** 200, "exceeds"),
    (sp.Function("f")(2), "not a finite number"),
    (sp.Matrix([1, 2]), "matrix"),
])
def test_values_that_are_not_finite_real_numbers_are_inconclusive(value, why):
    v = check_approximation(Approximation(value=value, stated=sp.Integer(1), unit=sp.Integer(1)))
    assert v.status is Status.INCONCLUSIVE
    assert why in v.reason


def test_a_slow_value_spends_its_budget():
    """A value whose evaluation does not end in time is inconclusive within the budget."""
    slow = sp.Pow(sp.Integer(10), sp.Pow(10, 12, evaluate=False) * sp.Float(1.0), evaluate=False)
    start = time.perf_counter()
    v = check_approximation(Approximation(value=slow, stated=sp.Integer(1), unit=sp.Integer(1)), timeout=1.0)
    assert v.status is Status.INCONCLUSIVE
    assert time.perf_counter() - start < wall_cap(1.0) + 5


k, t = sp.Symbol("k", integer=True, positive=True), sp.Symbol("t", real=True)


def test_integrals_and_sums_are_checked_at_two_precisions():
    """Quadrature and summation can be quietly wrong: two precisions must agree, and a value
    so computed that misses the stated digits is not called wrong."""
    assert check_approximation(claim(sp.Sum(1 / k**2, (k, 1, sp.oo)), "1.645")).status is Status.VERIFIED
    gauss = sp.Integral(sp.exp(-t**2), (t, -sp.oo, sp.oo))
    assert check_approximation(claim(gauss, "1.772")).status is Status.VERIFIED
    oscillating = check_approximation(claim(sp.Integral(sp.sin(t) / t, (t, 0, sp.oo)), "1.571"))
    assert oscillating.status is Status.INCONCLUSIVE and "two working precisions" in oscillating.reason
    divergent = check_approximation(claim(sp.Integral(1 / t, (t, 0, 1)), "113.8"))
    assert divergent.status is Status.INCONCLUSIVE
    off = check_approximation(claim(sp.Sum((-1) ** k / k, (k, 1, sp.oo)), "-0.700"))
    assert off.status is Status.INCONCLUSIVE and "-0.69315" in off.reason


def test_verdicts_survive_the_cache_round_trip():
    from checker.cache import verdict_from_json, verdict_to_json

    for c in (claim(sigmoid(HALF), "0.622"), claim(sp.Rational(9, 14), "0.634"), claim(x, "1")):
        v = check_approximation(c)
        assert verdict_from_json(verdict_to_json(v)) == v


def test_the_claim_refuses_inexact_stated_numbers():
    with pytest.raises(ValueError, match="stated"):
        Approximation(value=sp.Integer(1), stated=sp.Float(0.5), unit=sp.Rational(1, 10))
    with pytest.raises(ValueError, match="unit"):
        Approximation(value=sp.Integer(1), stated=HALF, unit=sp.Integer(0))
    assert Approximation(value=sp.Integer(1), stated=HALF, unit=sp.Rational(1, 10)).kind == "approximation"


# --- the engine and the cache ------------------------------------------------------------

def test_the_engine_dispatches_approximations():
    right = engine.check(claim(sigmoid(HALF), "0.622"))
    assert [c.name for c in right.checks] == ["numeric"]
    assert right.verdict.status is Status.VERIFIED and right.verdict.method is Method.NUMERIC
    wrong = engine.check(claim(sp.Rational(9, 14), "0.634")).verdict
    assert wrong.status is Status.WRONG
    assert wrong.counterexample.to_json() == {"lhs": 0.64286, "rhs": 0.634}
    assert engine.check(claim(x, "0.5")).verdict.status is Status.INCONCLUSIVE


@pytest.mark.parametrize("field,other", [
    ("stated", sp.Rational(623, 1000)), ("unit", sp.Rational(1, 100)), ("value", sigmoid(sp.Integer(1))),
    ("assumptions", (sp.Eq(x, 1),)),
])
def test_claims_differing_in_one_field_have_different_cache_keys(field, other):
    c = claim(sigmoid(HALF), "0.622")
    assert claim_key(c, seed=0, timeout=5) == claim_key(dataclasses.replace(c), seed=0, timeout=5)
    assert claim_key(c, seed=0, timeout=5) != claim_key(dataclasses.replace(c, **{field: other}), seed=0, timeout=5)
