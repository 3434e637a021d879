"""`mathcheck check` end to end: planted errors found, correct notes pass, directives, context."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.checker.cli_helpers import check, write

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"




def test_examples_show_the_planted_error_and_exit_1(capsys):
    """The planted error of examples/ is reported at its line with a counterexample; exit 1."""
    code, out, _ = check(capsys, str(ROOT / "examples"))
    assert code == 1
    assert "softmax_planted_error.md:19:1: wrong" in out
    assert "at a=" in out and "checked at 50 digits" in out
    assert out.count(": wrong") == 1


def test_examples_with_the_error_fixed_exit_0(capsys, tmp_path):
    """With the planted error fixed, every equation passes and the exit status is 0."""
    fixed = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", fixed)
    f = fixed / "softmax_planted_error.md"
    f.write_text(f.read_text().replace(r"\frac{d}{da} s(a) = \frac{e^{a}}{e^{a} + e^{b}}",
                                       r"\frac{d}{da} s(a) = s(a) \left(1 - s(a)\right)"))
    code, out, _ = check(capsys, str(fixed))
    assert code == 0, out
    assert "passed" in out.splitlines()[-1]


def test_definitions_are_used_by_later_claims(capsys, tmp_path):
    """J(w) = ... is kept; a later derivative claim about J is checked against it."""
    path = write(tmp_path, "n.md", "$$J(w) = (w - 3)^2$$\n\n$$\\frac{d}{dw} J(w) = 2(w - 3)$$\n\n"
                                   "$$\\frac{d}{dw} J(w) = 2w$$\n")
    code, out, _ = check(capsys, path, "--format", "json")
    doc = json.loads(out)
    verdicts = [(r["line"], r["kind"], r["verdict"]) for r in doc["results"]]
    assert verdicts == [(1, "definition", "defined"), (3, "derivative", "verified"), (5, "derivative", "wrong")]
    assert code == 1


def test_chain_reports_only_the_wrong_step_at_its_line(capsys, tmp_path):
    """In an align chain, one wrong row is reported alone; the next row is checked against the last good one."""
    path = write(tmp_path, "n.tex", "\\begin{align*}\n(x+1)^2 &= x^2 + 2x + 1 \\\\\n &= x^2 + 3x + 1 \\\\\n"
                                    " &= x(x+2) + 1\n\\end{align*}\n")
    code, out, _ = check(capsys, path, "--format", "json")
    rows = [(r["line"], r["verdict"]) for r in json.loads(out)["results"]]
    assert rows == [(2, "verified"), (3, "wrong"), (4, "verified")]
    assert code == 1


def test_one_line_chain_numbers_its_steps(capsys, tmp_path):
    """a = b = c on one line: step 1 and step 2, each with its verdict."""
    path = write(tmp_path, "n.md", "$$ (a+b)^2 = a^2 + 2ab + b^2 = a^2 + b^2 $$\n")
    code, out, _ = check(capsys, path, "--format", "json")
    steps = [(r["step"], r["verdict"]) for r in json.loads(out)["results"]]
    assert steps == [(1, "verified"), (2, "wrong")]


def test_directives_assume_skip_and_expect_wrong(capsys, tmp_path):
    """assume restricts the domain; skip skips; expect wrong passes only when wrong."""
    text = ("<!-- mathcheck: assume x > 0 -->\n\n$$\\sqrt{x^2} = x$$\n\n"
            "<!-- mathcheck: skip -->\n\n$$1 = 2$$\n\n"
            "<!-- mathcheck: expect wrong -->\n\n$$(a+b)^2 = a^2 + b^2$$\n")
    code, out, _ = check(capsys, write(tmp_path, "n.md", text), "--format", "json")
    verdicts = [r["verdict"] for r in json.loads(out)["results"]]
    assert verdicts == ["verified", "skipped", "wrong"]
    assert code == 0
    code, out, _ = check(capsys, write(tmp_path, "m.md", "<!-- mathcheck: expect wrong -->\n\n$$a + a = 2a$$\n"))
    assert code == 1 and "expected wrong, but verified" in out


def test_without_the_assumption_sqrt_of_square_is_inconclusive_and_says_what_makes_it_hold(capsys, tmp_path):
    """√(x²) = x fails for negative x; notes often mean x > 0 without saying it in mathematics, so
    the verdict is inconclusive and names the condition (a false alarm would cost more)."""
    code, out, _ = check(capsys, write(tmp_path, "n.md", "$$\\sqrt{x^2} = x$$\n"), "--format", "json")
    [result] = json.loads(out)["results"]
    assert result["verdict"] == "inconclusive" and "holds if x > 0" in result["message"]
    assert code == 0
    code, out, _ = check(capsys, write(tmp_path, "m.md", "$$\\sqrt{x^2} = x + 1$$\n"), "--format", "json")
    assert [r["verdict"] for r in json.loads(out)["results"]] == ["wrong"] and code == 1


def test_values_and_conditions_in_running_text_are_not_claims(capsys, tmp_path):
    """'at $w = 0$', 'for $\\alpha > 0$', 'if $Av = \\lambda v$' are not checked."""
    text = "At $w = 0$ and for some $\\alpha > 0$, if $a x = b$ then fine. When $n = m = 2$ too.\n"
    code, out, _ = check(capsys, write(tmp_path, "n.md", text), "--format", "json")
    assert code == 0
    results = json.loads(out)["results"]
    assert [(r["kind"], r["verdict"]) for r in results] == [
        ("value", "defined"), ("declaration", "skipped"), ("condition", "skipped"), ("condition", "skipped")]
    assert "w = 0" in results[0]["message"]


def test_unreadable_equation_is_unparsed_with_position_and_strict_fails(capsys, tmp_path):
    """An equation that cannot be read is `unparsed` (exit 0), and fails with --strict."""
    path = write(tmp_path, "n.md", "$$\\|x\\|_\\infty = y$$\n")
    code, out, _ = check(capsys, path)
    assert code == 0 and "n.md:1:3: unparsed" in out and "norm" in out
    code, _, _ = check(capsys, path, "--strict")
    assert code == 1


def test_json_output_is_byte_identical_across_runs(capsys):
    """Two runs over the examples give the same bytes."""
    _, a, _ = check(capsys, str(ROOT / "examples"), "--format", "json")
    _, b, _ = check(capsys, str(ROOT / "examples"), "--format", "json")
    assert a == b


def test_missing_file_exits_2_without_traceback(capsys, tmp_path):
    """A path that does not exist is a usage error with one line."""
    code, _, err = check(capsys, str(tmp_path / "nope.md"))
    assert code == 2 and "no such file" in err and "Traceback" not in err


def test_stdin_is_read(capsys, monkeypatch):
    """'-' reads notes from standard input."""
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"$$2 + 2 = 5$$\n")))
    code, out, _ = check(capsys, "-")
    assert code == 1 and "-:1:3: wrong" in out


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="needs ../shared/seeds")
def test_seed_document_002_can_be_checked(capsys):
    """The seed document 002 (LaTeX in $...$) is checked as Markdown without a crash or a false error."""
    code, out, _ = check(capsys, str(SHARED / "seeds" / "002_6b3e5aa49775886e.txt"), "--format", "json")
    doc = json.loads(out)
    # (AB)C = A(BC) is verified with A, B as the matrices the document declares
    # (A \in \mathbb{R}^{m \times n}); read as commuting scalars it used to pass for any A, B.
    assert doc["summary"]["verified"] >= 1 and doc["summary"]["wrong"] == 0
    rows = {r["latex"]: r for r in doc["results"]}
    assert rows["(AB)C = A(BC)"]["verdict"] == "verified"
    assert rows["AB \\neq BA"]["verdict"] == "unparsed"  # n×p times m×n: the shapes do not fit
    assert code == 0


def test_a_definition_inside_a_sum_indexes_its_subscripts(capsys, tmp_path):
    """h_i(x) = g(b_i + v_i x) used inside Σ_i has the entries b[i], v[i]: a right derivative passes, a wrong one fails."""
    text = ("$$g(z) = z^2$$\n\n$$h_i(x) = g(b_i + v_i x)$$\n\n$$f(x) = w_0+\\sum_i w_i h_i(x)$$\n\n"
            "$$\\frac{d}{dx} f(x) = \\sum_i 2 w_i v_i (b_i + v_i x)$$\n\n"
            "$$\\frac{d}{dx} f(x) = \\sum_i 2 w_i (b_i + v_i x)$$\n")
    code, out, _ = check(capsys, write(tmp_path, "n.md", text), "--format", "json")
    verdicts = [(r["line"], r["verdict"]) for r in json.loads(out)["results"]][3:]
    assert verdicts == [(7, "verified"), (9, "wrong")]


def test_a_restated_name_is_checked_or_defined_anew_by_the_words_before_it(capsys, tmp_path):
    """L = a + b, then L = b + a is verified; L = a - b without words is a new definition of L
    (notes reuse letters), and with "so" before it a claim, reported wrong with the line of L."""
    text = "$$L = a + b$$\n\n$$L = b + a$$\n\n$$L = a - b$$\n"
    code, out, _ = check(capsys, write(tmp_path, "n.md", text), "--format", "json")
    results = json.loads(out)["results"]
    assert [r["verdict"] for r in results] == ["defined", "verified", "defined"]
    assert "anew" in results[2]["message"] and code == 0
    text = "$$L = a + b$$\n\nso that\n\n$$L = a - b$$\n\n$$L = a - b$$\n"
    code, out, _ = check(capsys, write(tmp_path, "m.md", text), "--format", "json")
    results = json.loads(out)["results"]
    assert [r["verdict"] for r in results] == ["defined", "wrong", "defined"]
    assert "defined at line 1" in results[1]["message"] and code == 1


def test_expectations_and_entry_derivatives(capsys, tmp_path):
    """E[aX+b] = aE[X]+b holds for every random variable (read on finite distributions);
    E[X] = mu needs a distribution; d/df_j of a sum over f_j is not read as zero: it is the
    derivative by the entry j (checked at concrete sizes and indices)."""
    text = ("$$E[aX + b] = aE[X] + b$$\n\n$$E[X] = \\mu$$\n\n$$L = \\sum_j f_j^2$$\n\n"
            "$$\\frac{\\partial L}{\\partial f_j} = 2 f_j$$\n")
    code, out, _ = check(capsys, write(tmp_path, "n.md", text), "--format", "json")
    results = json.loads(out)["results"]
    assert [r["verdict"] for r in results] == ["verified", "inconclusive", "defined", "verified"]
    assert "need a distribution" in results[1]["message"]
    assert code == 0


def test_shape_declarations_let_transposes_be_read(capsys, tmp_path):
    """After declarations, (Ax)^T x = x^T A^T x is verified, (Ax)^T x = x^T x is wrong, x^T x = x x^T is not compared; undeclared, the shapes are inferred from the use."""
    text = "Let $x \\in \\mathbb{R}^n$ and $A \\in \\mathbb{R}^{n \\times n}$.\n\n$$(Ax)^T x = x^T A^T x$$\n\n" \
           "$$(Ax)^T x = x^T x$$\n\n$$x^T x = x x^T$$\n"
    code, out, _ = check(capsys, write(tmp_path, "n.md", text), "--format", "json")
    assert [(r["kind"], r["verdict"]) for r in json.loads(out)["results"]] == [
        ("declaration", "skipped"), ("declaration", "skipped"), ("identity", "verified"), ("identity", "wrong"),
        ("matrix", "inconclusive")]
    code, out, _ = check(capsys, write(tmp_path, "m.md", "$$x^T x = x^T x$$\n"), "--format", "json")
    assert [r["verdict"] for r in json.loads(out)["results"]] == ["verified"]


#: Every `wrong` verdict on the real notes, each shown to be a real error by the independent
#: computation in `test_each_wrong_on_the_real_notes_is_a_real_error`. There is none today: the
#: one step that fails as written (d2l softmax regression, line 347) needs Σ_j y_j = 1, which the
#: notes state in prose, and it is reported as holding under that condition.
INSPECTED_WRONG: set[str] = set()


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "corpus" / "notes").is_dir(), reason="needs ../shared/corpus")
def test_real_notes_run_without_crash_and_every_wrong_is_inspected(capsys):
    """The real course notes are checked without a crash; each wrong verdict is one inspected by hand."""
    code, out, _ = check(capsys, str(SHARED / "corpus" / "notes"), "--format", "json")
    doc = json.loads(out)
    total = len(doc["results"])
    read = sum(1 for r in doc["results"] if r["verdict"] != "unparsed")
    print(f"real notes: {read}/{total} equations read ({read / total:.0%})")
    wrong = {f"{Path(r['file']).name}:{r['line']}" for r in doc["results"] if r["verdict"] == "wrong"}
    assert wrong == INSPECTED_WRONG
    assert read / total >= 0.49
    [step] = [r for r in doc["results"] if r["file"].endswith("softmax-regression.md") and r["line"] == 347]
    assert step["verdict"] == "inconclusive" and "sum to 1" in step["message"]
