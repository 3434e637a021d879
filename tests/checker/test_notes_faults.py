"""Faults in notes checking stay local: an exception while planning or checking one equation makes
that equation `inconclusive` ("internal error ... please report it") and leaves the others alone;
and notes stitched together from real lines never end a run with a traceback."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import checker.notes_check as notes_check
from checker.cli import main
from tests.checker.cli_helpers import check

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"

needs_shared = pytest.mark.skipif(not CORPUS.is_dir(),
                                  reason="../shared/corpus is missing (the shared test corpus sits beside the project)")

CORRECT = "$$ (x+1)^2 = x^2 + 2x + 1 $$"
FAULTY = "$$ q^2 + q = q(q+1) $$"  # correct too: only the injected fault can make it inconclusive
WRONG = "$$ (y+1)^2 = y^2 + 1 $$"



def _fail_on_q(stage: str):
    """A fault hook that raises for the equation with q, at `stage` only."""

    def hook(at: str, subject: Any) -> None:
        if at != stage:
            return
        text = subject if stage == "plan" else str(subject)
        if (stage == "plan" and "q^2" in text) or (stage == "check" and re.search(r"\bq\b", text)):
            raise RuntimeError("boom")

    return hook


@pytest.mark.parametrize("stage", ["plan", "check"])
def test_a_fault_in_one_equation_leaves_the_others(capsys, tmp_path, monkeypatch, stage):
    """The faulty equation is inconclusive with an internal error; the correct one stays verified,
    the wrong one stays wrong and makes the exit status 1."""
    monkeypatch.setattr(notes_check, "fault_hook", _fail_on_q(stage))
    path = tmp_path / "n.md"
    path.write_text(f"{CORRECT}\n\n{FAULTY}\n\n{WRONG}\n")
    code, out, err = check(capsys, str(path), "--format", "json")
    assert "Traceback" not in err, err
    by_line = {r["line"]: r for r in json.loads(out)["results"]}
    assert sorted(by_line) == [1, 3, 5], out
    assert by_line[1]["verdict"] == "verified", by_line[1]
    assert by_line[3]["verdict"] == "inconclusive", by_line[3]
    assert "internal error" in by_line[3]["message"] and "please report" in by_line[3]["message"], by_line[3]
    assert by_line[5]["verdict"] == "wrong", by_line[5]
    assert code == 1


@pytest.mark.parametrize("stage", ["plan", "check"])
def test_a_fault_alone_does_not_fail_the_run(capsys, tmp_path, monkeypatch, stage):
    """Without the wrong equation, an internal error is inconclusive and the exit status is 0."""
    monkeypatch.setattr(notes_check, "fault_hook", _fail_on_q(stage))
    path = tmp_path / "n.md"
    path.write_text(f"{CORRECT}\n\n{FAULTY}\n")
    code, out, err = check(capsys, str(path), "--format", "json")
    assert "Traceback" not in err, err
    by_line = {r["line"]: r for r in json.loads(out)["results"]}
    assert by_line[1]["verdict"] == "verified", by_line[1]
    assert by_line[3]["verdict"] == "inconclusive" and "internal error" in by_line[3]["message"], by_line[3]
    assert code == 0


# --- notes stitched from real lines ----------------------------------------------------------------


def _corpus_lines() -> list[str]:
    """Single lines of the notes, their paragraphs (so display blocks come whole too), and every
    equation of real_notes.jsonl as a display."""
    if not CORPUS.is_dir():
        return []
    lines: list[str] = []
    files = sorted((CORPUS / "notes").iterdir()) if (CORPUS / "notes").is_dir() else []
    files += sorted(p for p in (CORPUS / "annotated").glob("*") if p.suffix in (".md", ".tex"))
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        lines += [line for line in text.splitlines() if line.strip()]
        lines += [para.strip("\n") for para in re.split(r"\n\s*\n", text) if para.strip() and para.count("\n") < 15]
    real = CORPUS / "real_notes.jsonl"
    if real.is_file():
        for row in real.read_text(encoding="utf-8").splitlines():
            if row.strip():
                lines.append("$$ " + json.loads(row)["latex"] + " $$")
    return lines


LINES = _corpus_lines()
stitched = st.tuples(st.lists(st.sampled_from(LINES or [""]), min_size=1, max_size=25),
                     st.sampled_from(["n.md", "n.tex"]))
FAULTS = settings(max_examples=15, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _run_stitched(capfd, lines: list[str], name: str) -> tuple[int, list[dict[str, Any]], str]:
    capfd.readouterr()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        code = main(["check", "--no-cache", "--jobs", "1", str(path), "--format", "json"])
    out, err = capfd.readouterr()
    note(f"notes ({name}):\n" + "\n".join(lines))
    assert "Traceback" not in err, err[-3000:]
    # 2 is the contract's status for a file that cannot be read (an unterminated $$ or environment),
    # allowed only with a located message naming the file
    assert code in (0, 1) or (code == 2 and re.search(rf"^error: .*{re.escape(name)}:\d+: ", err, re.M)), \
        (code, err[-2000:])
    return code, (json.loads(out)["results"] if out.strip() else []), err


@needs_shared
@pytest.mark.slow
@FAULTS
@given(stitched)
def test_no_traceback_on_stitched_notes(capfd, notes):
    """Real lines in random order: exit status 0 or 1, never a traceback on stderr."""
    _run_stitched(capfd, *notes)


#: Internal errors known today, each with a reproduction below (strict xfail); the property test
#: ignores them so that it stays deterministic in what it reports. Remove an entry with its fix.
KNOWN_INTERNAL_ERRORS: list[str] = []


@needs_shared
@pytest.mark.slow
@FAULTS
@given(stitched)
def test_no_internal_error_on_stitched_notes(capfd, notes):
    """Real lines in random order: no equation ends in an internal error (other than a known one)."""
    _, results, _ = _run_stitched(capfd, *notes)
    internal = [f'{r["line"]}: {r["latex"]!r}: {r["message"]}' for r in results
                if "internal error" in r["message"] and not any(k in r["message"] for k in KNOWN_INTERNAL_ERRORS)]
    assert not internal, "\n".join(internal)


@pytest.mark.parametrize("name", ["n.md", "n.tex"])
def test_derivative_by_a_subscripted_name_without_context(capsys, tmp_path, name):
    """A line of attention_norm.md on its own, where sigma^2 is not defined: no internal error."""
    path = tmp_path / name
    path.write_text("$\\partial \\sigma^2 / \\partial h_j = 2 (h_j - \\mu) / d$\n")
    code, out, err = check(capsys, str(path), "--format", "json")
    assert "Traceback" not in err, err
    results = json.loads(out)["results"]
    assert results and all("internal error" not in r["message"] for r in results), results
    assert code in (0, 1)


def _internal_errors(capsys, tmp_path: Path, text: str, name: str = "n.md") -> list[str]:
    path = tmp_path / name
    path.write_text(text)
    code, out, err = check(capsys, str(path), "--format", "json")
    assert "Traceback" not in err, err
    assert code in (0, 1)
    return [f'{r["line"]}:{r["step"]} {r["message"]}' for r in json.loads(out)["results"]
            if "internal error" in r["message"]]


def test_scalar_function_applied_to_a_declared_vector(capsys, tmp_path):
    """H defined of a scalar, later written H(x) for a vector x: no internal error."""
    assert not _internal_errors(capsys, tmp_path,
                                "$$ H(\\theta) = -\\theta \\log \\theta - (1 - \\theta) \\log (1 - \\theta) $$\n\n"
                                "At a point $x\\in \\mathbb{R}^n$, $H(x)=\\sum_{i,j,k=1}^N J_{i,j,k}x_i x_j x_k$.\n")


def test_integral_of_an_undefined_density_in_a_chain(capsys, tmp_path):
    """sigma_X^2 = int x^2 p(x) dx - (1/2)^2 = 1/3 - 1/4 = 1/12: no internal error at any step."""
    assert not _internal_errors(capsys, tmp_path,
                                "$$ \\sigma_X^2 = \\int_{-\\infty}^\\infty x^2p(x) \\; dx - \\left(\\frac{1}{2}\\right)^2 "
                                "= \\frac{1}{3} - \\frac{1}{4} = \\frac{1}{12}. $$\n")
