"""The pytest plugin: `pytest --mathcheck notes/` makes every checkable equation a test item."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

A_MD = r"""# Notes

$$f(x) = x^2 + 1$$

$$\frac{d}{dx} f(x) = 2x$$

$$(x + 1)^2 = x^2 + 1$$

$$(a + b)^2 = a^2 + 2ab + b^2$$
"""

B_TEX = "\\begin{align*}\n(x+1)^2 &= x^2 + 2x + 1 \\\\\n &= x(x+2) + 1\n\\end{align*}\n"

NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [], "execution_count": None},
        {"cell_type": "markdown", "source": ["Exponentials\n", "\n", "$$e^{a} e^{b} = e^{a + b}$$\n"],
         "metadata": {}},
    ],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}

EXPECTED_PASSED = {"notes/a.md::5", "notes/a.md::9", "notes/b.tex::2", "notes/c.ipynb::cell1:3"}
WRONG = "notes/a.md::7"


def make_notes(pytester: pytest.Pytester) -> Path:
    notes = pytester.mkdir("notes")
    (notes / "a.md").write_text(A_MD)
    (notes / "b.tex").write_text(B_TEX)
    (notes / "c.ipynb").write_text(json.dumps(NOTEBOOK))
    return notes


def outcomes_by_node(output: list[str]) -> dict[str, str]:
    """Node id → outcome, from the short summary that `-rA` prints."""
    found = {}
    for line in output:
        m = re.match(r"^(PASSED|FAILED|SKIPPED|ERROR) (\S+)", line)
        if m:
            found[m.group(2)] = m.group(1)
        m = re.match(r"^SKIPPED \[\d+\] (\S+?):\d+: ", line)
        if m:
            found[m.group(1)] = "SKIPPED"
    return found


def check_one_wrong(result: pytest.RunResult) -> None:
    result.assert_outcomes(passed=len(EXPECTED_PASSED), failed=1)
    nodes = outcomes_by_node(result.outlines)
    assert {n for n, o in nodes.items() if o == "FAILED"} == {WRONG}
    assert {n for n, o in nodes.items() if o == "PASSED"} == EXPECTED_PASSED
    text = result.stdout.str()
    # as doctest does: the location, the source line, the counterexample
    assert "notes/a.md:7:3: wrong: the two sides differ" in text
    assert "007 $$(x + 1)^2 = x^2 + 1$$" in text
    assert re.search(r"at x=-?[0-9.]+: lhs=[-0-9.]+ +rhs=[-0-9.]+", text)
    assert "checked at" in text and "digits" in text


def test_exactly_the_wrong_equation_fails(pytester):
    """One wrong equation among Markdown, LaTeX and notebook notes fails alone; the others pass."""
    make_notes(pytester)
    result = pytester.runpytest("--mathcheck", "-rA", "-p", "no:cacheprovider", "notes")
    check_one_wrong(result)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.slow
def test_exactly_the_wrong_equation_fails_with_xdist(pytester):
    """With pytest-xdist (-n 2) the same item fails and the same items pass."""
    make_notes(pytester)
    result = pytester.runpytest_subprocess("--mathcheck", "-rA", "-p", "no:cacheprovider", "-n", "2", "notes")
    check_one_wrong(result)
    assert "2 workers" in result.stdout.str()


def test_fixed_notes_pass(pytester):
    """With the wrong equation corrected every item passes and pytest exits 0."""
    notes = make_notes(pytester)
    (notes / "a.md").write_text(A_MD.replace("= x^2 + 1$$\n\n$$(a", "= x^2 + 2x + 1$$\n\n$$(a"))
    result = pytester.runpytest("--mathcheck", "-p", "no:cacheprovider", "notes")
    result.assert_outcomes(passed=5)
    assert result.ret == pytest.ExitCode.OK


def test_notes_are_not_collected_without_the_option(pytester):
    """Without --mathcheck the plugin collects nothing."""
    make_notes(pytester)
    result = pytester.runpytest("-p", "no:cacheprovider", "notes")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_items_are_named_by_line_and_definitions_are_not_items(pytester):
    """Node ids are file::line (file::line:column on a shared line); a definition is no item."""
    pytester.makefile(".md", n="$$J(w) = w^2$$\n\n$$a + b = b + a \\quad c + d = d + c$$\n\n$$J(w) = w \\cdot w$$\n")
    result = pytester.runpytest("--mathcheck", "--collect-only", "-q", "-p", "no:cacheprovider", "n.md")
    ids = [line for line in result.outlines if "::" in line]
    assert ids == ["n.md::3", "n.md::5"]
    two = pytester.makefile(".md", two="Inline $a + b = b + a$ and $c + d = d + c$.\n")
    result = pytester.runpytest("--mathcheck", "--collect-only", "-q", "-p", "no:cacheprovider", str(two))
    assert [line for line in result.outlines if "::" in line] == ["two.md::1", "two.md::1:29"]


UNDECIDED = r"""$$\|x\|_\ast \boxtimes y = z$$

$$\frac{\partial L}{\partial w} = 2 w$$

$$x + x = 2x$$
"""


def test_unparsed_and_inconclusive_are_skips_with_the_reason(pytester):
    """An unparsed and an inconclusive equation are skipped, each with its reason."""
    pytester.makefile(".md", u=UNDECIDED)
    result = pytester.runpytest("--mathcheck", "-rs", "-p", "no:cacheprovider", "u.md")
    result.assert_outcomes(passed=1, skipped=2)
    text = result.stdout.str()
    assert "unparsed: cannot read: norms" in text
    assert "is a derivative of a quantity the notes do not define" in text
    assert "Derivative(" not in text  # the notes' notation, not SymPy's


def test_strict_turns_undecided_into_failures(pytester):
    """Under --mathcheck-strict the unparsed and inconclusive equations fail, with the reason."""
    pytester.makefile(".md", u=UNDECIDED)
    result = pytester.runpytest("--mathcheck", "--mathcheck-strict", "-p", "no:cacheprovider", "u.md")
    result.assert_outcomes(passed=1, failed=2)
    assert "u.md:1:3: unparsed: cannot read: norms" in result.stdout.str()


def test_strict_from_configuration_and_overridden_on_the_command_line(pytester):
    """strict = true in mathcheck.toml makes undecided equations fail; --no-mathcheck-strict overrides it."""
    pytester.makefile(".md", u=UNDECIDED)
    pytester.makefile(".toml", mathcheck="strict = true\n")
    pytester.runpytest("--mathcheck", "-p", "no:cacheprovider", "u.md").assert_outcomes(passed=1, failed=2)
    pytester.runpytest("--mathcheck", "--no-mathcheck-strict", "-p", "no:cacheprovider",
                       "u.md").assert_outcomes(passed=1, skipped=2)


def test_expect_wrong_and_skip_directives(pytester):
    """An equation marked 'expect wrong' passes when it is wrong; 'skip' makes a skipped item."""
    pytester.makefile(".md", d="<!-- mathcheck: expect wrong -->\n$$(x+1)^2 = x^2 + 1$$\n\n"
                               "<!-- mathcheck: skip -->\n$$(x+1)^2 = x^2$$\n\n"
                               "<!-- mathcheck: expect wrong -->\n$$(x+1)^2 = x^2 + 2x + 1$$\n")
    result = pytester.runpytest("--mathcheck", "-rA", "-p", "no:cacheprovider", "d.md")
    result.assert_outcomes(passed=1, skipped=1, failed=1)
    nodes = outcomes_by_node(result.outlines)
    assert nodes["d.md::2"] == "PASSED" and nodes["d.md::8"] == "FAILED"
    assert "expected wrong, but verified" in result.stdout.str()


def test_configuration_notation_assumptions_and_globs_apply(pytester):
    """[tool.mathcheck] sets log base, assumptions and include/exclude for the collected items."""
    notes = pytester.mkdir("notes")
    (notes / "n.md").write_text("$$\\log 100 = 2$$\n\n$$\\left| x - 2 \\right| = x - 2$$\n")
    (notes / "drafts").mkdir()
    (notes / "drafts" / "d.md").write_text("$$(x+1)^2 = x^2$$\n")
    (notes / "t.tex").write_text("$$(x+1)^2 = x^2$$\n")
    result = pytester.runpytest("--mathcheck", "-rA", "-p", "no:cacheprovider", "notes")
    nodes = outcomes_by_node(result.outlines)
    assert nodes == {"notes/n.md::1": "FAILED", "notes/n.md::3": "FAILED", "notes/drafts/d.md::1": "FAILED",
                     "notes/t.tex::1": "FAILED"}
    pytester.makepyprojecttoml('[tool.mathcheck]\nlog = "10"\nassume = ["x > 2"]\ninclude = ["*.md"]\n'
                               'exclude = ["drafts"]\n')
    result = pytester.runpytest("--mathcheck", "-rA", "-p", "no:cacheprovider", "notes")
    assert outcomes_by_node(result.outlines) == {"notes/n.md::1": "PASSED", "notes/n.md::3": "PASSED"}


def test_timeout_and_seed_options_override_the_configuration(pytester):
    """--mathcheck-timeout beats the configured timeout; --mathcheck-seed changes the sampled points."""
    pytester.makefile(".md", n="$$(x + 1)^2 = x^2 + 2x + 1$$\n\n$$(x + 1)^2 = x^2 + 1$$\n")
    pytester.makefile(".toml", mathcheck="timeout = 0.001\n")
    result = pytester.runpytest("--mathcheck", "-rs", "-p", "no:cacheprovider", "n.md")
    result.assert_outcomes(skipped=2)
    assert re.search(r"budget[^\n]*\(0\.001 s\)", result.stdout.str())  # spent reading or checking
    runs = [pytester.runpytest("--mathcheck", "--mathcheck-timeout", "5", "--mathcheck-seed", seed,
                               "-p", "no:cacheprovider", "n.md") for seed in ("0", "7")]
    for r in runs:
        r.assert_outcomes(passed=1, failed=1)
    points = [re.search(r"at x=(\S+):", r.stdout.str()).group(1) for r in runs]
    assert points[0] != points[1]


def test_a_bad_configuration_is_a_collection_error_naming_file_and_key(pytester):
    """An unknown key in mathcheck.toml stops collection with the file and the key."""
    pytester.makefile(".md", n="$$x + x = 2x$$\n")
    pytester.makefile(".toml", mathcheck="timeot = 3\n")
    result = pytester.runpytest("--mathcheck", "-p", "no:cacheprovider", "n.md")
    result.assert_outcomes(errors=1)
    assert re.search(r"mathcheck\.toml: timeot: unknown key; did you mean 'timeout'", result.stdout.str())


def test_the_plugin_is_registered_by_its_entry_point(pytester):
    """The installed package registers the plugin: pytest --help lists the mathcheck options."""
    result = pytester.runpytest("--help")
    assert "--mathcheck-strict" in result.stdout.str() and "--mathcheck-timeout" in result.stdout.str()


def test_an_unreadable_notebook_is_a_collection_error(pytester):
    """A notebook that is not JSON is a collection error of that file, with the reason."""
    pytester.makefile(".ipynb", broken="{not json")
    pytester.makefile(".md", good="$$x + x = 2x$$\n")
    result = pytester.runpytest("--mathcheck", "-p", "no:cacheprovider", "--continue-on-collection-errors",
                                "broken.ipynb", "good.md")
    result.assert_outcomes(passed=1, errors=1)
    assert "broken.ipynb:1: not a valid notebook (JSON" in result.stdout.str()


def test_an_equation_that_cannot_be_read_in_budget_does_not_hang_collection(pytester):
    """A huge power is read in a budgeted worker: collection ends, the item is skipped, the rest pass."""
    import time

    notes = pytester.mkdir("notes")
    (notes / "h.md").write_text("$$\\log\\left((1/3)^{10^{12}}\\right) = x$$\n\n$$(a + b)^2 = a^2 + 2ab + b^2$$\n")
    start = time.monotonic()
    result = pytester.runpytest_subprocess("--mathcheck", "--mathcheck-timeout", "2", "-rA", "-p", "no:cacheprovider",
                                           "notes", timeout=120)
    assert time.monotonic() - start < 60
    outcomes = outcomes_by_node(result.outlines)
    assert outcomes.get("notes/h.md::3") == "PASSED", result.outlines
    assert result.ret == 0
