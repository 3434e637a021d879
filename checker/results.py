"""Results of checking notes: one record per equation (or per step of a chain).

These records are what every report format writes (text, JSON, JUnit, GitHub annotations)
and what decides the exit status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from checker.verdict import Counterexample, Method, Status

#: Order of the summary counts, as in DESIGN.md.
STATUSES = (Status.VERIFIED, Status.WRONG, Status.INCONCLUSIVE, Status.UNPARSED, Status.SKIPPED, Status.DEFINED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """The verdict on one equation of a notes file (or one step of a chain)."""

    file: str
    line: int
    column: int
    step: int
    latex: str
    kind: str
    verdict: Status
    method: Method | None = None
    counterexample: Counterexample | None = None
    message: str = ""
    cell: int | None = None
    expected_wrong: bool = False

    @property
    def failed(self) -> bool:
        """Wrong, or (for an equation marked `expect wrong`) not wrong after all."""
        if self.expected_wrong:
            return self.verdict is Status.VERIFIED
        return self.verdict is Status.WRONG

    @property
    def location(self) -> str:
        cell = f"[cell {self.cell}]" if self.cell is not None else ""
        return f"{self.file}{cell}:{self.line}:{self.column}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file, "line": self.line, "column": self.column, "step": self.step,
            "latex": self.latex, "kind": self.kind, "verdict": self.verdict.value,
            "method": self.method.value if self.method else None,
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "message": self.message,
        }
        if self.cell is not None:
            out["cell"] = self.cell
        if self.expected_wrong:
            out["expected"] = "wrong"
        return out


def summary(results: Iterable[Result]) -> dict[str, int]:
    """Counts per verdict, with every verdict present (zero when absent)."""
    counts = {s.value: 0 for s in STATUSES}
    for r in results:
        counts[r.verdict.value] += 1
    return counts


def exit_status(results: Sequence[Result], *, strict: bool = False) -> int:
    """0 when nothing is wrong (and, with `strict`, nothing unparsed or inconclusive), else 1."""
    if any(r.failed for r in results):
        return 1
    if strict and any(r.verdict in (Status.UNPARSED, Status.INCONCLUSIVE) for r in results):
        return 1
    return 0


__all__ = ["Result", "STATUSES", "exit_status", "summary"]
