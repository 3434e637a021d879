"""Hostile notes: each gives a clear message or verdict with file and line, runs nothing, and
costs its budget plus a small slack of CPU time."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main

BUDGET = 2.0  # --timeout of every run below (CPU seconds of a worker)
SLACK = 4.0  # CPU seconds of start-up of workers, reading, reporting
HANG = 300.0  # wall-clock seconds: only a safety net against a run that never ends, whatever the load


def _cpu() -> float:
    """CPU seconds used by this process and by the workers it has ended (budgets count CPU time, not wall time)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _touching(marker: Path) -> Any:
    def run_anything(*args: Any, **kwargs: Any) -> Any:
        marker.write_text(f"ran: {args!r}"[:500])
        raise PermissionError("hostile-input test: running programs is forbidden")

    return run_anything


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file that appears if anything tries to run a program (patched in forked workers too)."""
    path = tmp_path / "MARKER"
    hook = _touching(path)
    for name in ("system", "popen", "execv", "execve", "execvp", "execl", "spawnv", "posix_spawn"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, hook)
    monkeypatch.setattr(subprocess, "Popen", hook)
    return path


def _run(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, dict[str, Any], str, float]:
    """Exit code, JSON report, stderr, and the CPU seconds the run cost (this process and its workers)."""
    start, cpu = time.monotonic(), _cpu()
    code = main(["check", str(path), "--no-cache", "--jobs", "1", "--timeout", str(BUDGET), "--format", "json",
                 *extra])
    elapsed = _cpu() - cpu
    assert time.monotonic() - start < HANG, f"{path.name}: the run did not end (safety net)"
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err, elapsed


def _payload(marker: Path) -> list[tuple[str, str, bytes, str, int, str]]:
    """(id, file name, bytes, where the answer is: result|error, line, a phrase of the message)."""
    m = str(marker)
    big = "$$" + "x + " * 250_000 + "x = y$$\n"  # 1 MB
    deep = "$$" + "{" * 10_000 + "x" + "}" * 10_000 + " = x$$\n"
    return [
        ("operatorname", "op.md", f"# t\n\n$$\\operatorname{{__import__('os').system('touch {m}')}}(x) = 1$$\n".encode(),
         "result", 3, "cannot read"),
        ("text", "text.md", f"intro\n\n$$y = \\text{{__import__('os').system('touch {m}')}} + 1$$\n".encode(),
         "result", 3, "cannot read"),
        ("dunder", "dunder.md", b"a\nb\n$$x.__class__.__bases__[0].__subclasses__() = 0$$\n", "result", 3,
         "cannot read"),
        ("format", "format.md", b"$${0.__class__} = {x!r:>{y}} + %s%n$$\n", "result", 1, "cannot read"),
        ("directive", "directive.md",
         f"text\n<!-- mathcheck: assume __import__('os').system('touch {m}') > 0 -->\n".encode(),
         "result", 2, "cannot read the assumption"),
        ("tex-input", "input.tex", b"\\documentclass{article}\n\\begin{document}\n\\[ \\input{/etc/passwd} = x \\]\n"
         b"\\end{document}\n", "result", 3, "TeX programming command"),
        ("tex-write18", "prog.tex", f"\\documentclass{{article}}\n\\begin{{document}}\n\\[ \\write18{{touch {m}}} = x \\]\n"
         f"\\end{{document}}\n".encode(), "result", 3, "cannot read"),
        ("one-megabyte", "big.md", b"# big\n" + big.encode(), "result", 2, "characters long"),
        ("nesting-10000", "deep.md", deep.encode(), "result", 1, "cannot read"),
        ("invalid-utf8", "bad.md", b"$$x = x$$\nline two \xff\xfe\n", "error", 2, "not UTF-8"),
        ("binary", "blob.md", bytes(range(256)) * 64, "error", 0, "binary file"),
        ("unterminated-dollars", "open.tex", b"\\documentclass{article}\n\\begin{document}\n$$ x = 1\n\\end{document}\n",
         "error", 3, "unterminated $$"),
        ("broken-notebook", "nb.ipynb", b'{"cells": [\n {"cell_type": "markdown",\n "source": ["$x$"\n', "error", 4,
         "not a valid notebook"),
        ("tower", "tower.md", b"# towers\n\n$$10^{10^{10}} = x$$\n", "result", 3, "time budget spent"),
        ("huge-rational-power", "power.md", b"$$\\log((1/3)^{10^{12}}) = x$$\n", "result", 1, "time budget spent"),
    ]


CASES = [c[0] for c in _payload(Path("/nonexistent"))]


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_gives_a_located_message_and_runs_nothing(case, tmp_path, marker, capsys):
    """A hostile file is answered with its file and line, within budget, and nothing is executed."""
    _, name, content, where, line, needle = next(c for c in _payload(marker) if c[0] == case)
    path = tmp_path / name
    path.write_bytes(content)
    code, doc, err, elapsed = _run(capsys, path)
    assert not marker.exists(), marker.read_text()
    assert elapsed < BUDGET + SLACK, f"{case} took {elapsed:.1f}s"
    if where == "error":
        assert code == 2
        errors = doc["errors"]
        assert len(errors) == 1 and str(path) in errors[0] and needle in errors[0], errors
        if line:
            assert errors[0].startswith(f"{path}:{line}:"), errors[0]
        assert str(path) in err  # also on stderr, for a reader of the log
    else:
        hits = [r for r in doc["results"] if needle in r["message"]]
        assert hits, doc["results"]
        assert all(r["file"] == str(path) for r in hits)
        assert hits[0]["line"] == line, hits[0]
        assert hits[0]["verdict"] in ("unparsed", "inconclusive")


def test_a_check_that_never_returns_costs_its_budget_and_the_run_goes_on(tmp_path, marker, capsys):
    """An equation whose check never ends becomes inconclusive after the budget; the next one is still checked."""
    path = tmp_path / "slow.md"
    path.write_text("$$\\frac{1}{2^{10^{12}}} = y$$\n\n$$(a+b)^2 = a^2 + 2ab + b^2$$\n", encoding="utf-8")
    code, doc, _, elapsed = _run(capsys, path)
    assert elapsed < BUDGET + SLACK
    first, second = doc["results"]
    assert (first["line"], first["verdict"]) == (1, "inconclusive") and "budget spent" in first["message"]
    assert (second["line"], second["verdict"]) == (3, "verified")
    assert code == 0


def test_a_memory_bomb_is_stopped_by_the_memory_limit(tmp_path, marker, capsys):
    """An expansion that would take gigabytes stops at --memory and is inconclusive, within the budget."""
    path = tmp_path / "bomb.md"
    path.write_text("$$(x + y + z + w)^{4000} = (w + x + y + z)^{4000} + 1$$\n\n$$a + a = 2a$$\n",
                    encoding="utf-8")
    code, doc, _, elapsed = _run(capsys, path, "--memory", "300")
    assert elapsed < BUDGET + SLACK
    first, second = doc["results"]
    assert first["line"] == 1 and first["verdict"] in ("inconclusive", "wrong")
    if first["verdict"] == "inconclusive":
        assert "budget spent" in first["message"]
    assert second["verdict"] == "verified"


def test_notebook_with_cells_of_the_wrong_types_is_read_without_a_crash(tmp_path, marker, capsys):
    """A notebook whose cells and sources have the wrong JSON types is read, not crashed on."""
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps({"cells": ["text", 3, {"cell_type": "markdown", "source": 5},
                                          {"cell_type": "markdown", "source": [1, "$$a + a = 2a$$"]},
                                          {"cell_type": "code", "source": "import os; os.system('x')"}]}),
                    encoding="utf-8")
    code, doc, _, _ = _run(capsys, path)
    assert [(r["cell"], r["verdict"]) for r in doc["results"]] == [(3, "verified")]
    assert code == 0 and not marker.exists()


@pytest.mark.parametrize("prefix", ["> " * 10_000, "- " * 10_000, "[" * 10_000, "<div>" * 10_000])
def test_markdown_nested_10000_deep_is_read_within_budget(prefix, tmp_path, marker, capsys):
    """Markdown structure nested 10 000 deep (quotes, lists, brackets, HTML) is read, not crashed on."""
    path = tmp_path / "nest.md"
    path.write_text(prefix + "$a + a = 2a$\n\n$$b + b = 2b$$\n", encoding="utf-8")
    code, doc, _, elapsed = _run(capsys, path)
    assert elapsed < BUDGET + SLACK
    assert code in (0, 2)
    located = doc["results"] or [{"line": int(e.split(":")[1])} for e in doc.get("errors", [])]
    assert located and all(r["line"] in (1, 3) for r in located), doc


def test_a_claim_check_that_hangs_is_stopped_at_the_time_budget(tmp_path, marker, capsys, monkeypatch):
    """A check that never returns (simulated in the engine) costs --timeout, becomes inconclusive, and the run goes on."""
    import checker.notes_check as notes_check

    real = notes_check._run_claim

    def hangs_on_b(claim, seed, timeout):  # type: ignore[no-untyped-def]
        if "b" in {s.name for s in claim.lhs.free_symbols}:
            while True:  # uses CPU all along: budgets count CPU time
                pass
        return real(claim, seed, timeout)

    monkeypatch.setattr(notes_check, "_run_claim", hangs_on_b)
    path = tmp_path / "hang.md"
    path.write_text("$$a + a = 2a$$\n\n$$b + b = 2b$$\n\n$$c + c = 2c$$\n", encoding="utf-8")
    code, doc, _, elapsed = _run(capsys, path)
    assert [(r["line"], r["verdict"]) for r in doc["results"]] == [(1, "verified"), (3, "inconclusive"),
                                                                   (5, "verified")]
    assert doc["results"][1]["message"] == f"time budget spent ({BUDGET:g} s)"
    assert BUDGET <= elapsed < BUDGET + SLACK
    assert code == 0


def test_memory_option_must_be_positive(tmp_path, capsys):
    """--memory 0 is a usage error (exit 2) with one clear line."""
    path = tmp_path / "n.md"
    path.write_text("$$a + a = 2a$$\n", encoding="utf-8")
    assert main(["check", str(path), "--no-cache", "--memory", "0"]) == 2
    assert "--memory must be a positive number" in capsys.readouterr().err


@pytest.mark.parametrize("name, text", [("comments.md", "<!--" * 250_000), ("verbatim.tex", "\\begin{verbatim}" * 60_000),
                                        ("closed.tex", "\\begin{verbatim}x\\end{verbatim} $a$ " * 30_000)])
def test_a_megabyte_of_openers_reads_in_linear_time(name, text, tmp_path, marker, capsys):
    """A megabyte of unclosed comment or verbatim openers is read within the budget (no quadratic scan)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, doc, _, elapsed = _run(capsys, path)
    assert elapsed < BUDGET + SLACK
    assert code in (0, 2) and not doc.get("errors")


def test_a_file_whose_reading_never_ends_is_reported_and_the_others_are_checked(tmp_path, marker, capsys,
                                                                                 monkeypatch):
    """Markdown that markdown-it reads for ever costs the reading budget, is named in the errors, and the run goes on."""
    import checker.notes_run as notes_run

    monkeypatch.setattr(notes_run, "READ_FLOOR", 1.0)
    slow = tmp_path / "a_brackets.md"
    slow.write_text("[" * 1_000_000, encoding="utf-8")  # about 20 s for markdown-it
    good = tmp_path / "b_good.md"
    good.write_text("$$a + a = 2a$$\n", encoding="utf-8")
    start, cpu = time.monotonic(), _cpu()
    code = main(["check", str(slow), str(good), "--no-cache", "--jobs", "1", "--timeout", "0.5", "--format", "json"])
    elapsed = _cpu() - cpu
    assert time.monotonic() - start < HANG, "the run did not end (safety net)"
    doc = json.loads(capsys.readouterr().out)
    assert code == 2 and elapsed < 1.0 + SLACK
    assert doc["errors"] == [f"{slow}: reading it took longer than 1 s (its Markdown or LaTeX structure, not its "
                             "mathematics); not checked"]
    assert [(r["file"], r["verdict"]) for r in doc["results"]] == [(str(good), "verified")]
