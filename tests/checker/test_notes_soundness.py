"""Soundness of `mathcheck check` on notes: no false alarm on the annotated corpus (and recall
and verification rates that do not fall below today's), no `wrong` on real notes that a hand
computation does not confirm, no internal placeholder name in what the user reads, and small
reproductions of notation that real notes use."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

import pytest
import sympy as sp

from checker.cli import main
from tests.checker.cli_helpers import check, write

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
ANNOTATED = SHARED / "corpus" / "annotated"
NOTES = SHARED / "corpus" / "notes"
ANNOTATED_FILES = ["linreg_ridge.md", "mlp_backprop.md", "gaussians_mle_map.md", "entropy_kl.md",
                   "optim_schedules.tex", "attention_norm.md"]

needs_shared = pytest.mark.skipif(not (SHARED / "corpus").is_dir(),
                                  reason="../shared/corpus is missing (the shared test corpus sits beside the project)")

#: Today's figures on the annotated corpus, rounded down: they may only go up.
RECALL_FLOOR = 0.65  # 35/52 caught
VERIFIED_FLOOR = 0.52  # 68/126 verified
#: The bars of the project (DESIGN.md, annotated/README.md).
RECALL_BAR = 0.95
VERIFIED_BAR = 0.90




def _run_corpus(tmp_path: Path, paths: list[Path], jobs: str) -> dict[str, Any]:
    """One `check` run over `paths`, the report read from --output; stderr kept for inspection."""
    report = tmp_path / "run.json"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["check", "--no-cache", "--jobs", jobs, *map(str, paths), "--format", "json",
                     "--output", str(report)])
    doc = json.loads(report.read_text(encoding="utf-8"))
    return {"code": code, "doc": doc, "results": doc["results"], "stderr": err.getvalue()}


@pytest.fixture(scope="module")
def annotated_run(tmp_path_factory) -> dict[str, Any]:
    if not ANNOTATED.is_dir():
        pytest.skip("../shared/corpus/annotated is missing")
    return _run_corpus(tmp_path_factory.mktemp("annotated"), [ANNOTATED / f for f in ANNOTATED_FILES], "2")


@pytest.fixture(scope="module")
def notes_run(tmp_path_factory) -> dict[str, Any]:
    if not NOTES.is_dir():
        pytest.skip("../shared/corpus/notes is missing")
    return _run_corpus(tmp_path_factory.mktemp("notes"), sorted(NOTES.iterdir()), "2")


# --- the annotated corpus, scored as score_notes.py scores it --------------------------------------


def _where(r: dict[str, Any]) -> str:
    return f'{os.path.basename(r["file"])}:{r["line"]} (step {r.get("step")}) {r["latex"]!r}: {r["message"]}'


def score(results: list[dict[str, Any]], manifest: list[dict[str, Any]]) -> dict[str, Any]:
    """The three figures of score_notes.py, with the false alarms and missed errors spelled out."""
    by_line: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        by_line[(os.path.basename(r["file"]), r["line"])].append(r)

    def matched(entry: dict[str, Any]) -> list[dict[str, Any]]:
        rs = by_line.get((entry["file"], entry["line"]), [])
        if "step" in entry:
            rs = [r for r in rs if r.get("step") == entry["step"]] or rs
        return rs

    caught = verified = n_wrong = n_correct = 0
    alarms: list[str] = []
    missed: list[str] = []
    for e in manifest:
        rs = matched(e)
        v = {r["verdict"] for r in rs}
        if e["expected"] == "wrong":
            n_wrong += 1
            if "wrong" in v:
                caught += 1
            else:
                missed.append(f'{e["file"]}:{e["line"]} {sorted(v)}')
        else:
            if "wrong" in v:
                alarms += [f'[{e["expected"]}] ' + _where(r) for r in rs if r["verdict"] == "wrong"]
            if e["expected"] == "correct":
                n_correct += 1
                verified += v == {"verified"}
    n_alarms = sum(1 for e in manifest if e["expected"] != "wrong" and "wrong" in {r["verdict"] for r in matched(e)})
    return {"recall": caught / n_wrong, "share": verified / n_correct, "alarms": n_alarms, "alarm_list": alarms,
            "missed": missed, "caught": caught, "n_wrong": n_wrong, "verified": verified, "n_correct": n_correct}


@pytest.fixture(scope="module")
def annotated_score(annotated_run) -> dict[str, Any]:
    manifest = json.loads((ANNOTATED / "manifest.json").read_text(encoding="utf-8"))
    s = score(annotated_run["results"], manifest)
    print(f'annotated corpus: caught {s["caught"]}/{s["n_wrong"]} wrong ({s["recall"]:.1%}), '
          f'false alarms {s["alarms"]}, correct verified {s["verified"]}/{s["n_correct"]} ({s["share"]:.1%})')
    return s


@needs_shared
@pytest.mark.slow
def test_annotated_corpus_has_no_false_alarm(annotated_score):
    """No entry that the manifest does not expect `wrong` is called wrong."""
    assert annotated_score["alarms"] == 0, "false alarms:\n" + "\n".join(annotated_score["alarm_list"])


@needs_shared
@pytest.mark.slow
def test_annotated_corpus_recall_and_verified_do_not_fall(annotated_score):
    """Recall of wrong claims and share of correct claims verified stay at least at today's level."""
    s = annotated_score
    figures = (f'recall {s["caught"]}/{s["n_wrong"]} = {s["recall"]:.3f}, '
               f'verified {s["verified"]}/{s["n_correct"]} = {s["share"]:.3f}')
    assert s["alarms"] == 0, "false alarms:\n" + "\n".join(s["alarm_list"])
    assert s["recall"] >= RECALL_FLOOR, f"{figures}; missed: " + "; ".join(s["missed"])
    assert s["share"] >= VERIFIED_FLOOR, figures


@needs_shared
@pytest.mark.slow
@pytest.mark.xfail(reason="below the bars: most misses are families of vectors x^{(i)} summed over i, vector "
                          "argmin, gradients at another point, and quantities the notes define only in words",
                   strict=True)
def test_annotated_corpus_meets_the_bars(annotated_score):
    """The bars of the project: recall >= 95 %, no false alarm, >= 90 % of correct claims verified."""
    s = annotated_score
    assert s["alarms"] == 0, "false alarms:\n" + "\n".join(s["alarm_list"])
    assert s["recall"] >= RECALL_BAR, f'recall {s["recall"]:.3f}; missed: ' + "; ".join(s["missed"])
    assert s["share"] >= VERIFIED_BAR, f'verified {s["share"]:.3f}'


# --- real notes: every `wrong` confirmed by a hand computation ---------------------------------


def _hand(lhs: Callable[[], Any], rhs: Callable[[], Any]) -> Callable[[], tuple[Any, Any]]:
    return lambda: (lhs(), rhs())


#: (file, line, step) -> a SymPy computation of both sides, written by hand from the notes
#: (never parsed from the LaTeX), which must differ. Empty today: nothing in notes/ is called wrong.
KNOWN_WRONG_IN_REAL_NOTES: dict[tuple[str, int, int], Callable[[], tuple[Any, Any]]] = {}


def test_known_wrong_entries_differ_by_hand():
    """Each listed wrong result of the real notes is confirmed: its two sides are not equal."""
    for where, sides in KNOWN_WRONG_IN_REAL_NOTES.items():
        lhs, rhs = sides()
        assert sp.simplify(lhs - rhs) != 0, f"{where}: the hand computation finds both sides equal"


@needs_shared
@pytest.mark.slow
def test_real_notes_have_no_unconfirmed_wrong(notes_run):
    """A `wrong` on third-party notes is a finding only when a hand computation confirms it."""
    assert "Traceback" not in notes_run["stderr"], notes_run["stderr"][-3000:]
    wrong = {(os.path.basename(r["file"]), r["line"], r.get("step", 1)): r
             for r in notes_run["results"] if r["verdict"] == "wrong"}
    unconfirmed = sorted(set(wrong) - set(KNOWN_WRONG_IN_REAL_NOTES))
    assert not unconfirmed, "wrong without a hand check:\n" + "\n".join(_where(wrong[k]) for k in unconfirmed)
    assert notes_run["code"] == (1 if wrong else 0)


# --- nothing internal leaks into what the user reads ------------------------------------------------

PLACEHOLDER = re.compile(r"(FNC|PRM|BLK|DRV|MX)[a-z]{3}|GRP\d|QQ[a-z]|math\{|hidden_base|ZZ[A-Za-z]|u\d+_\b"
                         r"|lambdify|_lambdifygenerated|Dummy")


def _leaks(results: list[dict[str, Any]]) -> list[str]:
    found = []
    for r in results:
        texts = [("message", r.get("message") or ""), ("latex", r.get("latex") or "")]
        texts += [("counterexample key", k) for k in (r.get("counterexample") or {})]
        for field, text in texts:
            m = PLACEHOLDER.search(str(text))
            if m:
                found.append(f'{os.path.basename(r["file"])}:{r["line"]} {field} shows {m.group(0)!r}: {str(text)[:160]}')
    return found


@needs_shared
@pytest.mark.slow
def test_no_placeholder_in_annotated_corpus_report(annotated_run):
    """Messages, LaTeX and counterexample names of the annotated corpus show only the notes' own names."""
    leaks = _leaks(annotated_run["results"])
    assert not leaks, "\n".join(leaks)


@needs_shared
@pytest.mark.slow
def test_no_placeholder_in_real_notes_report(notes_run):
    """Messages, LaTeX and counterexample names of the real notes show only the notes' own names."""
    leaks = _leaks(notes_run["results"])
    assert not leaks, "\n".join(leaks)


# --- reproductions -----------------------------------------------------------------------------------


def run_notes(capsys, tmp_path: Path, text: str, name: str = "n.md") -> tuple[int, list[dict[str, Any]], str]:
    code, out, err = check(capsys, write(tmp_path, name, text), "--format", "json")
    assert "Traceback" not in err, err
    return code, json.loads(out)["results"], err


def at(results: list[dict[str, Any]], line: int, step: int = 1) -> list[dict[str, Any]]:
    return [r for r in results if r["line"] == line and r.get("step", 1) == step]


def verdicts_at(results: list[dict[str, Any]], line: int, step: int = 1) -> list[str]:
    return [r["verdict"] for r in at(results, line, step)]


def test_decimal_arithmetic_is_exact(capsys, tmp_path):
    """0.1 + 0.2 = 0.3 and 1.1 x 1.1 = 1.21 hold in exact arithmetic."""
    _, results, _ = run_notes(capsys, tmp_path, "$$ 0.1 + 0.2 = 0.3 $$\n\n$$ 1.1 \\times 1.1 = 1.21 $$\n")
    assert verdicts_at(results, 1) == ["verified"], results
    assert verdicts_at(results, 3) == ["verified"], results


def test_a_name_defined_by_sums_does_not_crash_a_later_derivative(capsys, tmp_path):
    """a defined through sums, then d/da a^2 = 2a: the run completes with a real verdict."""
    code, results, _ = run_notes(capsys, tmp_path,
                                 "$$ a = \\frac{\\sum_{i=1}^{n} x_i y_i}{\\lambda + \\sum_{i=1}^{n} x_i^2} $$\n\n"
                                 "$$ \\frac{d}{da} a^2 = 2a $$\n")
    assert code in (0, 1)
    second = at(results, 3)
    assert second, results
    assert all(not r["message"].startswith("internal error") for r in second), second


def test_prime_of_a_defined_log_likelihood(capsys, tmp_path):
    """ell'(p) is the derivative of the ell defined before."""
    _, results, _ = run_notes(capsys, tmp_path, "$$ \\ell(p) = k \\log p + (n-k)\\log(1-p) $$\n\n"
                                                "$$ \\ell'(p) = \\frac{k}{p} - \\frac{n-k}{1-p} $$\n")
    assert verdicts_at(results, 3) == ["verified"], results


def test_prime_evaluated_at_a_point(capsys, tmp_path):
    """f'(a) = 0 for f(w) = w^2/2 - a w: the derivative evaluated at w = a."""
    _, results, _ = run_notes(capsys, tmp_path, "$$ f(w) = \\frac{w^2}{2} - a w $$\n\n$$ f'(a) = 0 $$\n")
    assert verdicts_at(results, 3) == ["verified"], results


def test_softmax_outputs_sum_to_one(capsys, tmp_path):
    """p_j defined for every j; their sum over j is 1."""
    _, results, _ = run_notes(capsys, tmp_path, "$$ p_j = \\frac{e^{a_j}}{\\sum_{c=1}^{C} e^{a_c}} $$\n\n"
                                                "$$ \\sum_{j=1}^{C} p_j = 1 $$\n")
    assert verdicts_at(results, 3) == ["verified"], results


def test_partial_of_a_calligraphic_loss(capsys, tmp_path):
    """dL/dp of the binary cross-entropy defined as \\mathcal{L}(p)."""
    _, results, _ = run_notes(capsys, tmp_path,
                              "$$ \\mathcal{L}(p) = -y \\log p - (1-y)\\log(1-p) $$\n\n"
                              "$$ \\frac{\\partial \\mathcal{L}}{\\partial p} = -\\frac{y}{p} + \\frac{1-y}{1-p} $$\n")
    assert verdicts_at(results, 3) == ["verified"], results


def test_momentum_unrolled_for_a_constant_gradient(capsys, tmp_path):
    """v_t = gamma v_{t-1} + eta g_t, v_0 = 0, g_t = g: v_2 = eta (1 + gamma) g."""
    _, results, _ = run_notes(capsys, tmp_path,
                              "The velocity is $v_t = \\gamma v_{t-1} + \\eta g_t$ with $v_0 = 0$.\n\n"
                              "For a constant gradient $g_t = g$, we get\n\n$$ v_2 = \\eta(1+\\gamma) g $$\n")
    assert verdicts_at(results, 5) == ["verified"], results


def test_geometric_series_under_an_assumption(capsys, tmp_path):
    """sum r^k = 1/(1-r) with 0 < r < 1 assumed."""
    _, results, _ = run_notes(capsys, tmp_path, "<!-- mathcheck: assume 0 < r < 1 -->\n"
                                                "$$ \\sum_{k=0}^{\\infty} r^k = \\frac{1}{1-r} $$\n")
    assert verdicts_at(results, 2) == ["verified"], results


def test_words_are_names_not_products_of_letters(capsys, tmp_path):
    """Sales = w_1 Radio + b is not wrong, and never reported as S*a*l*e*s."""
    code, results, _ = run_notes(capsys, tmp_path, "$$ Sales = w_1 Radio + b $$\n")
    assert results and all(r["verdict"] != "wrong" for r in results), results
    assert code == 0
    for r in results:
        assert not set(r.get("counterexample") or {}) & set("Sales"), r
        assert not re.search(r"(?<![A-Za-z\\])[Sales]\s*=", r["message"]), r


def test_reversed_jensen_is_wrong(capsys, tmp_path):
    """E[log X] >= log E[X] fails for a positive non-constant X (log is concave): wrong, never verified."""
    _, results, _ = run_notes(capsys, tmp_path, "For a positive random variable $X$,\n\n"
                                                "$$ \\mathbb{E}\\left[ \\log X \\right] \\ge \\log \\mathbb{E}[X] $$\n")
    assert "verified" not in verdicts_at(results, 3), results
    assert verdicts_at(results, 3) == ["wrong"], results


def test_membership_in_a_finite_set_is_read(capsys, tmp_path):
    """Let y in {0, 1}: a declaration, not unparsed."""
    _, results, _ = run_notes(capsys, tmp_path, "Let $y \\in \\{0, 1\\}$.\n")
    assert "unparsed" not in [r["verdict"] for r in results], results


def test_rounded_value_of_a_log_that_is_off(capsys, tmp_path):
    """log((1/2)^10) = 10 log(1/2) ~ -3.0103: step 2 is wrong (10 ln(1/2) = -6.93)."""
    _, results, _ = run_notes(capsys, tmp_path, "$$ \\log\\left(\\left(\\tfrac12\\right)^{10}\\right) = "
                                                "10\\log\\tfrac12 \\approx -3.0103 $$\n")
    assert verdicts_at(results, 1, 2) == ["wrong"], results


def test_correct_step_after_a_wrong_one(capsys, tmp_path):
    """(a+b)^2 = a^2 + b^2 = b^2 + a^2: step 1 wrong, step 2 verified against step 1's right side."""
    code, results, _ = run_notes(capsys, tmp_path, "$$ (a+b)^2 = a^2 + b^2 = b^2 + a^2 $$\n")
    assert verdicts_at(results, 1, 1) == ["wrong"], results
    assert verdicts_at(results, 1, 2) == ["verified"], results
    assert code == 1


def test_square_root_of_a_square_names_its_condition(capsys, tmp_path):
    """sqrt(x^2) = x is inconclusive, and the message says it holds if x > 0."""
    code, results, _ = run_notes(capsys, tmp_path, "$$\\sqrt{x^2} = x$$\n")
    assert verdicts_at(results, 1) == ["inconclusive"], results
    assert "holds if x > 0" in at(results, 1)[0]["message"], results
    assert code == 0
