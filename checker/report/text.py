"""`--format text`: like pytest: ``file:line:col: verdict: message``, context, evidence, summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from checker.results import Result, summary
from checker.verdict import Status

_SHOWN = (Status.WRONG, Status.UNPARSED, Status.INCONCLUSIVE)


def _context(r: Result, lines: Sequence[str]) -> list[str]:
    if not lines or r.cell is not None or not 1 <= r.line <= len(lines):
        return [f"  {r.latex[:200]}"]
    out = []
    for n in range(max(1, r.line - 1), min(len(lines), r.line + 1) + 1):
        text = lines[n - 1].rstrip("\n")
        if len(text) > 160:
            text = text[:157] + "..."
        out.append(f"  {n:03d} {text}")
    return out


def write(results: Sequence[Result], out: TextIO, *, strict: bool = False, seconds: float | None = None,
          sources: Mapping[str, Sequence[str]] | None = None, errors: Sequence[str] = ()) -> None:
    sources = sources or {}
    for e in errors:
        out.write(f"error: {e}\n")
    for r in results:
        show = r.failed or r.verdict in _SHOWN or (r.expected_wrong and r.verdict is not Status.WRONG)
        if not show:
            continue
        label = r.verdict.value
        if r.expected_wrong:
            label = "expected wrong, but " + r.verdict.value if r.verdict is not Status.WRONG else "wrong (as expected)"
        step = f" (step {r.step})" if r.step > 1 else ""
        out.write(f"{r.location}: {label}{step}: {r.message}\n")
        for line in _context(r, sources.get(r.file, ())):
            out.write(line + "\n")
        if r.counterexample is not None:
            out.write(f"  {r.counterexample.describe()}\n")
            if r.counterexample.note:
                out.write(f"  ({r.counterexample.note})\n")
        out.write("\n")
    counts = summary(results)
    failed = sum(1 for r in results if r.failed)
    parts = [f"{counts[k]} {k}" for k in counts if counts[k]]
    tail = f" in {seconds:.2f}s" if seconds is not None else ""
    files = len({r.file for r in results})
    verdict = "FAILED" if failed or errors or (strict and (counts["unparsed"] or counts["inconclusive"])) else "passed"
    out.write(f"== {verdict}: {len(results)} equations in {files} files: {', '.join(parts) or 'nothing to check'}{tail} ==\n")
