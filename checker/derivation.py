"""Checking derivations step by step, and rendering them as LaTeX ``align*``.

Each line is checked against the last line that was verified (not merely the line before),
so one broken line is reported alone: the line after it still follows from the last good one.

Works on any object shaped like `derivations._model.Derivation` (duck typing), so that
`checker` does not import `derivations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from checker.claims import Identity
from checker.engine import DEFAULT_TIMEOUT, check
from checker.render import latex_of, tex_text
from checker.verdict import ClaimResult, Status, Verdict


@dataclass(frozen=True, slots=True, kw_only=True)
class StepResult:
    index: int
    latex: str
    rule: str
    equation: bool
    row: str  # the line of the align* block, with its & alignment point
    result: ClaimResult | None  # None for the first line, which states the starting point

    @property
    def verdict(self) -> Verdict | None:
        return self.result.verdict if self.result else None


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivationResult:
    derivation: Any
    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        return all(s.verdict is None or s.verdict.status is Status.VERIFIED for s in self.steps)

    @property
    def wrong_steps(self) -> list[int]:
        return [s.index for s in self.steps if s.verdict is not None and s.verdict.status is Status.WRONG]


def _is_equation(e: Any) -> bool:
    return isinstance(e, sp.Equality)


def step_claim(derivation: Any, previous: Any, step: Any) -> Any:
    """The claim that justifies `step` after the line `previous`."""
    if step.claim is not None:
        return step.claim
    if _is_equation(step.expr):
        return Identity(lhs=step.expr.lhs, rhs=step.expr.rhs,
                        assumptions=derivation.assumptions, sizes=derivation.sizes)
    return Identity(lhs=previous, rhs=step.expr, assumptions=derivation.assumptions, sizes=derivation.sizes)


def _step_result(index: int, step: Any, result: ClaimResult | None) -> StepResult:
    equation = _is_equation(step.expr)
    if step.latex:
        tex = step.latex.replace("&", "")
        row = step.latex if "&" in step.latex else ("" if index == 0 else "&= ") + step.latex
    elif equation:
        lhs, rhs = latex_of(step.expr.lhs), latex_of(step.expr.rhs)
        tex, row = f"{lhs} = {rhs}", f"{lhs} &= {rhs}"
    else:
        tex = latex_of(step.expr)
        row = tex + " &" if index == 0 else "&= " + tex
    return StepResult(index=index, latex=tex, rule=step.rule, equation=equation, row=row, result=result)


def check_derivation(derivation: Any, *, seed: int = 0, timeout: float = DEFAULT_TIMEOUT) -> DerivationResult:
    """Check every step of a derivation."""
    steps = derivation.steps
    results = [_step_result(0, steps[0], None)]
    last_good = steps[0].expr
    for k, step in enumerate(steps[1:], start=1):
        prev = last_good.rhs if _is_equation(last_good) else last_good
        result = check(step_claim(derivation, prev, step), seed=seed, timeout=timeout)
        results.append(_step_result(k, step, result))
        if result.verdict.status is Status.VERIFIED:
            last_good = step.expr
    return DerivationResult(derivation=derivation, steps=tuple(results))


def to_json(r: DerivationResult) -> dict[str, Any]:
    d = r.derivation
    return {
        "id": d.id, "title": d.title, "supports": list(d.supports), "ok": r.ok,
        "steps": [{
            "latex": s.latex, "rule": s.rule,
            "verdict": s.verdict.status.value if s.verdict else "given",
            "method": s.verdict.method.value if s.verdict and s.verdict.method else None,
            "counterexample": s.verdict.counterexample.to_json() if s.verdict and s.verdict.counterexample else None,
            "reason": s.verdict.reason if s.verdict and s.verdict.status is not Status.VERIFIED else None,
        } for s in r.steps],
    }


def to_latex(r: DerivationResult) -> str:
    """The derivation as an ``align*`` block, each line annotated with its rule.

    A line that is an equation is written ``lhs &= rhs``; a line that continues the chain
    is written ``&= expr``. A line the engine did not verify is marked as such.
    """
    lines = []
    for s in r.steps:
        row = s.row
        mark = "" if s.verdict is None or s.verdict.status is Status.VERIFIED else r"\quad\text{(not verified)}"
        lines.append(f"{row} && \\text{{{tex_text(s.rule)}}}{mark}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"


__all__ = ["DerivationResult", "StepResult", "check_derivation", "to_json", "to_latex"]
