"""Derivations: a title, the formula ids they support, and steps, each with its rule.

Derivations declare; `checker.derivation.check_derivation` decides whether each step
follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from checker.claims import Assumptions, Claim, Sizes

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One line of a derivation.

    Attributes:
        expr: the expression this line arrives at (it must equal the previous line's), or an
            equation that must hold by itself.
        rule: the rule that justifies the step, as a reader would write it ("quotient rule").
        claim: for a step that is not an equality with the line before (an implication,
            "set the gradient to zero"), the claim that justifies it.
        latex: the LaTeX of the line, when the rendering of `expr` would not read as the
            textbook writes it.
    """

    expr: Any
    rule: str
    claim: Claim | None = None
    latex: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Derivation:
    """A derivation of one or more catalog formulas, step by step."""

    id: str
    title: str
    supports: tuple[str, ...]
    steps: tuple[Step, ...]
    assumptions: Assumptions = ()
    sizes: Sizes = ()
    notes: str = ""

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"Derivation(id={self.id!r}): ids are lowercase with underscores")
        if len(self.steps) < 2:
            raise ValueError(f"Derivation(id={self.id!r}): needs at least two steps")
        if not self.steps[0].rule:
            raise ValueError(f"Derivation(id={self.id!r}): every step names its rule")
