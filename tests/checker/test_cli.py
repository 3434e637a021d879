"""The command line: catalog, show, derive; usage errors exit 2 with one clear line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from checker.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_catalog_json_for_the_sigmoid_derivative(capsys):
    """`catalog --id act.sigmoid_derivative --format json` is verified by symbolic and finite differences."""
    code, out, _ = run(capsys, "catalog", "--id", "act.sigmoid_derivative", "--format", "json", "--jobs", "1")
    assert code == 0
    doc = json.loads(out)
    (f,) = doc["formulas"]
    assert f["id"] == "act.sigmoid_derivative" and f["status"] == "verified"
    methods = {c["method"] for c in f["checks"] if c["verdict"] == "verified"}
    assert {"symbolic", "finite-difference"} <= methods
    assert {"id", "title", "sources", "latex", "status", "checks", "findings"} <= set(f)
    assert all({"name", "verdict", "method", "error"} <= set(c) for c in f["checks"])
    assert doc["derivations"] and doc["derivations"][0]["id"] == "sigmoid_derivative"
    assert doc["summary"]["verified"] == 1


def test_every_derivative_claim_of_the_first_slice_has_both_methods(capsys):
    """Each derivative or gradient claim of activations and losses is verified symbolically and by FD."""
    code, out, _ = run(capsys, "catalog", "--topic", "activation", "losses", "--format", "json", "--jobs", "2")
    assert code == 0
    doc = json.loads(out)
    for f in doc["formulas"]:
        by_claim: dict[str, set[str]] = {}
        for c in f["checks"]:
            if c["group"] == "check" and c["kind"] in ("derivative", "gradient"):
                by_claim.setdefault(c["name"].split("/")[0], set()).add(c["method"] if c["verdict"] == "verified" else "?")
        for name, methods in by_claim.items():
            assert methods == {"symbolic", "finite-difference"}, (f["id"], name, methods)


def test_catalog_text_is_a_table_with_a_summary(capsys):
    """The text output has a header row and a summary line."""
    code, out, _ = run(capsys, "catalog", "--id", "act.tanh", "loss.mse", "--jobs", "1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "title", "status"]
    assert any(line.startswith("act.tanh ") and "verified" in line for line in lines)
    assert "2 formulas: 2 verified, 0 findings, 0 inconclusive, 0 wrong" in out


def test_repeated_id_options_add_up(capsys):
    """`--id A --id B` checks both formulas, as `--id A B` does."""
    code, out, _ = run(capsys, "catalog", "--id", "act.tanh", "--id", "loss.mse", "--format", "json", "--jobs", "1")
    assert code == 0
    assert [f["id"] for f in json.loads(out)["formulas"]] == ["act.tanh", "loss.mse"]


def test_show_prints_latex_sympy_sources_and_checks(capsys):
    """`show` prints the formula's LaTeX, SymPy, sources and each check's verdict."""
    code, out, _ = run(capsys, "show", "act.sigmoid_derivative")
    assert code == 0
    for part in ("LaTeX:", "SymPy:", "sources:", "derivative", "finite-difference: verified", "symbolic: verified"):
        assert part in out


def test_derive_latex_is_an_align_block(capsys):
    """`derive sigmoid_derivative --latex` prints an align* block with the rules as text."""
    code, out, _ = run(capsys, "derive", "sigmoid_derivative", "--latex")
    assert code == 0
    assert out.startswith("\\begin{align*}") and out.rstrip().endswith("\\end{align*}")
    assert "\\text{quotient rule" in out


@pytest.mark.parametrize("argv,needle", [
    (["catalog", "--id", "act.sigmiod"], "did you mean act.sigmoid"),
    (["show", "nope.nothing"], "no formula 'nope.nothing'"),
    (["catalog", "--timeout", "-1"], "--timeout must be a positive"),
    (["catalog", "--format", "yaml"], "invalid choice"),
    (["derive", "no_such_derivation"], "no derivation"),
    (["sheet", "-o", "sheet.docx"], "must end in .tex, .pdf or .md"),
])
def test_usage_errors_exit_2_with_one_clear_line(capsys, argv, needle):
    """A user's mistake exits 2 with an error line, not a traceback."""
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert needle in err and "Traceback" not in err


def test_python_dash_m_checker_and_help():
    """`python -m checker --help` lists the commands."""
    proc = subprocess.run([sys.executable, "-m", "checker", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    for command in ("check", "catalog", "show", "derive", "sheet"):
        assert command in proc.stdout
