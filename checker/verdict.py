"""Verdicts: the engine's answer to one claim, with the evidence behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """What the engine concluded about a claim."""

    VERIFIED = "verified"
    WRONG = "wrong"
    INCONCLUSIVE = "inconclusive"
    UNPARSED = "unparsed"
    SKIPPED = "skipped"
    DEFINED = "defined"

    def __str__(self) -> str:
        return self.value


class Method(str, Enum):
    """How a verdict was established. Ordered from strongest to weakest."""

    SYMBOLIC = "symbolic"
    FINITE_DIFFERENCE = "finite-difference"
    NUMERIC = "numeric"

    def __str__(self) -> str:
        return self.value


#: Strength of each method, used to pick the method that names a combined verdict.
METHOD_RANK = {Method.SYMBOLIC: 0, Method.FINITE_DIFFERENCE: 1, Method.NUMERIC: 2}


def _plain(value: Any) -> Any:
    """A JSON-friendly version of a number (complex numbers become [re, im])."""
    if isinstance(value, complex):
        if value.imag == 0:
            return value.real
        return [value.real, value.imag]
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Counterexample:
    """A point where the two sides of a claim differ, confirmed in high precision.

    Attributes:
        point: (name, value) pairs of the point.
        lhs: value of the left side (or of the claimed derivative).
        rhs: value of the right side (or of the true derivative / estimate).
        digits: working precision (decimal digits) of the confirmation.
        note: what the two values are, when it is not obvious.
    """

    point: tuple[tuple[str, Any], ...]
    lhs: Any
    rhs: Any
    digits: int = 50
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: _plain(value) for name, value in self.point}
        out["lhs"] = _plain(self.lhs)
        out["rhs"] = _plain(self.rhs)
        return out

    def describe(self) -> str:
        """One line: `at x=0.5, y=2: lhs=1.2 rhs=0.7 |Δ|=0.5 (checked at 50 digits)`."""
        pt = ", ".join(f"{name}={_fmt(value)}" for name, value in self.point)
        try:
            delta = abs(complex(self.lhs) - complex(self.rhs))
            d = f"  |Δ|={delta:.3g}"
        except (TypeError, ValueError):
            d = ""
        where = f"at {pt}: " if pt else ""
        return f"{where}lhs={_fmt(self.lhs)}  rhs={_fmt(self.rhs)}{d} (checked at {self.digits} digits)"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, complex):
        return f"{value.real:.10g}{value.imag:+.10g}j" if value.imag else f"{value.real:.10g}"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """Figures behind a verdict: how many points, which seed, the errors reached."""

    n_points: int | None = None
    seed: int | None = None
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    fd_error: float | None = None
    sizes: tuple[int, ...] | None = None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The result of one check of one claim.

    `wrong` always carries a counterexample; `inconclusive` and `unparsed` always carry
    a reason; `verified` always names its method.
    """

    status: Status
    method: Method | None = None
    counterexample: Counterexample | None = None
    reason: str | None = None
    evidence: Evidence | None = None

    def __post_init__(self) -> None:
        if self.status is Status.WRONG and self.counterexample is None:
            raise ValueError("Verdict(status='wrong') needs a counterexample")
        if self.status in (Status.INCONCLUSIVE, Status.UNPARSED) and not self.reason:
            raise ValueError(f"Verdict(status={self.status.value!r}) needs a reason")
        if self.status is Status.VERIFIED and self.method is None:
            raise ValueError("Verdict(status='verified') needs the method that established it")

    @property
    def ok(self) -> bool:
        return self.status is Status.VERIFIED

    @property
    def error(self) -> float | None:
        """The worst error reached, if the verdict measured one."""
        if self.evidence is None:
            return None
        for value in (self.evidence.fd_error, self.evidence.max_rel_err, self.evidence.max_abs_err):
            if value is not None:
                return value
        return None

    @classmethod
    def verified(cls, method: Method, evidence: Evidence | None = None) -> Verdict:
        return cls(status=Status.VERIFIED, method=method, evidence=evidence)

    @classmethod
    def wrong(
        cls, method: Method, counterexample: Counterexample, reason: str | None = None,
        evidence: Evidence | None = None,
    ) -> Verdict:
        return cls(status=Status.WRONG, method=method, counterexample=counterexample,
                   reason=reason, evidence=evidence)

    @classmethod
    def inconclusive(cls, reason: str, method: Method | None = None,
                     evidence: Evidence | None = None) -> Verdict:
        return cls(status=Status.INCONCLUSIVE, method=method, reason=reason, evidence=evidence)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.status.value,
            "method": self.method.value if self.method else None,
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "reason": self.reason,
            "evidence": self.evidence.to_json() if self.evidence else None,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """One named check of a claim (e.g. `symbolic`, `numeric`, `finite-difference`)."""

    name: str
    verdict: Verdict


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimResult:
    """All checks that ran on one claim, and the verdict they add up to."""

    checks: tuple[CheckResult, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> Verdict:
        return combine(tuple(c.verdict for c in self.checks))


def combine(verdicts: tuple[Verdict, ...]) -> Verdict:
    """The verdict several checks of one claim add up to.

    A confirmed counterexample wins over everything (a symbolic 'proof' that disagrees with
    a high-precision counterexample went through a branch cut). Otherwise the strongest
    method that verified names the verdict; with none, the claim is inconclusive.
    """
    if not verdicts:
        return Verdict.inconclusive("no check ran")
    for v in verdicts:
        if v.status is Status.WRONG:
            return v
    verified = [v for v in verdicts if v.status is Status.VERIFIED]
    if verified:
        return min(verified, key=lambda v: METHOD_RANK[v.method])  # type: ignore[index]
    reasons = "; ".join(v.reason for v in verdicts if v.reason)
    return Verdict.inconclusive(reasons or "no check could decide")
