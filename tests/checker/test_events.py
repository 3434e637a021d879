r"""Probabilities of named events (`checker.events`): Bayes' rule and total probability on every
joint distribution of the events, and worked numbers with the values the notes give."""

from __future__ import annotations

import json

import pytest
import sympy as sp

from checker import engine
from checker.events import claim_for, record, resolve
from checker.notation import ParseError, parse_latex
from checker.verdict import Status
from tests.checker.cli_helpers import check, write


def verdict(tex: str, **kw):
    parsed = parse_latex(tex)
    claim = claim_for(parsed.sides[0], parsed.sides[1], parsed.relation, **kw)
    assert claim is not None and not isinstance(claim, str), (tex, claim)
    return engine.check(claim).verdict


def test_events_are_read():
    """``+``, ``\\neg D``, ``\\bar{D}`` inside a probability are names; conditionals are P_given."""
    assert str(parse_latex(r"P(+ \mid \neg D)").sides[0]) == "P_given(EVTplus, D_bar)"
    assert str(parse_latex(r"\Pr(\bar{D})").sides[0]) == "P(D_bar)"
    assert str(parse_latex(r"\mathbb{P}(A \mid B)").sides[0]) == "P_given(A, B)"
    with pytest.raises(ParseError):
        parse_latex(r"P(X = x \mid Y = y) = 1")  # events X = x: not read


def test_bayes_rule_and_total_probability_hold_for_every_distribution():
    assert verdict(r"P(D \mid +) = \frac{P(+ \mid D) P(D)}{P(+)}").status is Status.VERIFIED
    assert verdict(r"P(+) = P(+ \mid D) P(D) + P(+ \mid \neg D) P(\neg D)").status is Status.VERIFIED
    assert verdict(r"P(A, B) = P(A \mid B) P(B)").status is Status.VERIFIED


def test_swapped_conditional_is_wrong():
    v = verdict(r"P(D \mid +) = \frac{P(D \mid +) P(D)}{P(+)}")
    assert v.status is Status.WRONG
    assert all("__w" in name for name, _ in v.counterexample.point)


def test_product_rule_needs_independence():
    assert verdict(r"P(A, B) = P(A) P(B)").status is Status.WRONG
    assert verdict(r"P(A, B) = P(A) P(B)", independent=True).status is Status.VERIFIED


def test_complements_resolve_from_the_given_values():
    values = {"P(D)": sp.Rational(1, 100), "P_given(EVTplus, D)": sp.Rational(19, 20)}
    (c,) = parse_latex(r"P(\neg D)").sides
    assert resolve(c, values) == sp.Rational(99, 100)
    (c,) = parse_latex(r"P(- \mid D)").sides
    assert resolve(c, values) is None  # the complement of + is not named -
    (c,) = parse_latex(r"P(\neg D \mid +)").sides
    assert resolve(c, values) is None


def test_worked_numbers_use_the_values():
    values = {"P(D)": sp.Rational(1, 100), "P_given(EVTplus, D)": sp.Rational(19, 20),
              "P_given(EVTplus, D_bar)": sp.Rational(1, 20)}
    tex = r"P(+ \mid D) P(D) + P(+ \mid \neg D) P(\neg D) = 0.95 \cdot 0.01 + 0.05 \cdot 0.99"
    assert verdict(tex, values=values).status is Status.VERIFIED
    tex = r"P(+ \mid D) P(D) + P(+ \mid \neg D) P(\neg D) = 0.95 \cdot 0.01 + 0.05 \cdot 0.01"
    assert verdict(tex, values=values).status is Status.WRONG
    parsed = parse_latex(r"P(+) = 0.059")
    assert claim_for(parsed.sides[0], parsed.sides[1], "=", values={}) == "P(EVTplus)"  # no value: not checked


def test_a_chain_gives_its_probability_a_value():
    parsed = parse_latex(r"P(D \mid +) = \frac{0.0095}{0.059} \approx 0.161")
    values: dict = {}
    assert record(parsed.sides, parsed.relations, values) == "P_given(D, EVTplus)"
    assert values["P_given(D, EVTplus)"] == sp.Rational(95, 590)


NOTES = r"""# A test

A test for a condition $D$ has $P(+ \mid D) = 0.95$
and $P(+ \mid \neg D) = 0.05$,
and the condition has prevalence $P(D) = 0.01$.

$$ P(+) = P(+ \mid D) P(D) + P(+ \mid \neg D) P(\neg D) = 0.95 \cdot 0.01 + 0.05 \cdot 0.99 = 0.059 $$

$$ P(D \mid +) = \frac{P(+ \mid D) P(D)}{P(+)} = \frac{0.0095}{0.059} \approx 0.161 $$

so $P(\neg D \mid +) \approx 0.849$, while $P(\neg D \mid +) \approx 0.839$.
"""


def test_in_notes(tmp_path, capsys):
    """Total probability, Bayes' rule and the worked numbers of a test with given values."""
    path = write(tmp_path, "bayes.md", NOTES)
    code, out, _ = check(capsys, path, "--format", "json")
    results = json.loads(out)["results"]
    at = {(r["line"], r["step"], r["column"]): r["verdict"] for r in results}
    assert [v for (line, _, _), v in sorted(at.items()) if line in (7, 9)] == ["verified"] * 6
    line11 = [v for (line, _, _), v in sorted(at.items()) if line == 11]
    assert line11 == ["wrong", "verified"]
    assert code == 1
