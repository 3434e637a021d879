"""Helpers of the derivation tests: break one line, or the claim of one line, of a derivation."""

from __future__ import annotations

import dataclasses
from typing import Any

from checker.derivation import DerivationResult, check_derivation
from checker.verdict import Status


def broken(derivation: Any, index: int, expr: Any) -> Any:
    """The derivation with the expression of one line replaced."""
    steps = list(derivation.steps)
    steps[index] = dataclasses.replace(steps[index], expr=expr)
    return dataclasses.replace(derivation, steps=tuple(steps))


def broken_claim(derivation: Any, index: int) -> Any:
    """The derivation with the right-hand side of one line's claim doubled."""
    steps = list(derivation.steps)
    claim = steps[index].claim
    steps[index] = dataclasses.replace(steps[index], claim=dataclasses.replace(claim, rhs=2 * claim.rhs))
    return dataclasses.replace(derivation, steps=tuple(steps))


def claim_steps(derivations: tuple[Any, ...]) -> list[tuple[Any, int]]:
    """Every (derivation, line) whose line is justified by its own claim."""
    return [(d, k) for d in derivations for k, s in enumerate(d.steps) if s.claim is not None]


def assert_only_wrong(r: DerivationResult, index: int) -> None:
    """Line `index`, and no other, is wrong with a counterexample; every other line is verified."""
    assert r.wrong_steps == [index], [(s.index, s.verdict and s.verdict.status) for s in r.steps]
    assert r.steps[index].verdict.counterexample is not None
    others = [s for s in r.steps[1:] if s.index != index]
    assert all(s.verdict.status is Status.VERIFIED for s in others), [(s.index, s.verdict) for s in others]


def assert_wrong_from(r: DerivationResult, index: int) -> None:
    """Line `index` is wrong with a counterexample and every line before it is verified.

    (Lines after a wrong claim are checked against the line before it, which they need not
    equal: a claim may change what the chain is about, e.g. by substituting gᵢ = g.)
    """
    assert index in r.wrong_steps and r.steps[index].verdict.counterexample is not None
    assert all(s.verdict.status is Status.VERIFIED for s in r.steps[1:index])


def assert_all_verified(r: DerivationResult) -> None:
    """Every line after the first is verified and its verdict names its method."""
    assert r.ok
    for s in r.steps[1:]:
        assert s.verdict is not None and s.verdict.status is Status.VERIFIED, (s.index, s.verdict)
        assert s.verdict.method is not None


def assert_align_block(r: DerivationResult) -> None:
    """The LaTeX of the derivation is one align* block with a row per line and each rule as text."""
    from checker.derivation import to_latex

    tex = to_latex(r)
    assert tex.startswith("\\begin{align*}\n") and tex.rstrip().endswith("\\end{align*}")
    rows = tex.split(" \\\\\n")
    assert len(rows) == len(r.steps)
    assert all("&" in row and "\\text{" in row for row in rows)
    assert "not verified" not in tex


def check_all(derivations: tuple[Any, ...]) -> dict[str, DerivationResult]:
    return {d.id: check_derivation(d) for d in derivations}
