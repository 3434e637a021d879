"""Reports of `mathcheck check`: JSON contract, JUnit XML, GitHub annotations, text, exit status."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

from checker import report
from checker.report.github import escape_data, escape_property
from checker.results import Result, exit_status, summary
from checker.verdict import Counterexample, Method, Status

CE = Counterexample(point=(("w_1", 0.5), ("x_11", 2.0)), lhs=-0.62, rhs=-1.24)

RESULTS = [
    Result(file="notes/a.md", line=3, column=1, step=1, latex="x + x = 2 x", kind="identity",
           verdict=Status.VERIFIED, method=Method.SYMBOLIC, message="verified (symbolic)"),
    Result(file="notes/a.md", line=14, column=5, step=2, latex=r"\frac{d}{dx} x^2 = x", kind="chain-step",
           verdict=Status.WRONG, method=Method.NUMERIC, counterexample=CE, message="step 2 does not follow"),
    Result(file="notes/b,c:d.md", line=7, column=1, step=1, latex=r"\|x\|", kind="unparsed",
           verdict=Status.UNPARSED, message="cannot read: norms are not supported"),
    Result(file="notes/a.md", line=20, column=1, step=1, latex="J(w) = w^2", kind="definition",
           verdict=Status.DEFINED, message="defines J"),
]


def render(fmt: str, **kw) -> str:
    out = io.StringIO()
    report.write(RESULTS, fmt, out, **kw)
    return out.getvalue()


def test_json_follows_the_contract():
    """The JSON report has the fields of DESIGN.md, for every result, and the summary counts."""
    doc = json.loads(render("json"))
    assert doc["tool"] == "mathcheck" and "version" in doc
    keys = {"file", "line", "column", "step", "latex", "kind", "verdict", "method", "counterexample", "message"}
    assert all(keys <= set(r) for r in doc["results"])
    assert doc["results"][1]["counterexample"] == {"w_1": 0.5, "x_11": 2.0, "lhs": -0.62, "rhs": -1.24}
    assert doc["summary"] == {"verified": 1, "wrong": 1, "inconclusive": 0, "unparsed": 1, "skipped": 0, "defined": 1}


def test_json_is_byte_identical_across_runs():
    """The same results give the same bytes."""
    assert render("json") == render("json")


def test_junit_is_valid_xml_with_one_case_per_equation():
    """JUnit XML parses, has one testcase per result, and the wrong one fails."""
    root = ET.fromstring(render("junit"))
    cases = root.findall(".//testcase")
    assert len(cases) == len(RESULTS)
    failures = root.findall(".//failure")
    assert len(failures) == 1 and "w_1=0.5" in failures[0].text
    assert len(root.findall(".//skipped")) == 1
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall(".//failure"))


def test_junit_strict_turns_unparsed_into_failure():
    """With --strict an unparsed equation is a failure, not a skip."""
    root = ET.fromstring(render("junit", strict=True))
    assert len(root.findall(".//failure")) == 2


GITHUB_LINE = re.compile(r"^::(error|warning) file=[^,:]*,line=\d+,col=\d+,title=[^,:]*::[^\r\n]*$")


def test_github_annotations_match_the_workflow_command_format():
    """Every line is a well-formed workflow command; property values escape ':' and ','."""
    lines = render("github").splitlines()
    assert len(lines) == 2
    assert all(GITHUB_LINE.match(line) for line in lines), lines
    assert lines[0].startswith("::error file=notes/a.md,line=14,col=5,")
    assert "file=notes/b%2Cc%3Ad.md" in lines[1] and lines[1].startswith("::warning")


def test_github_escaping():
    """Data escapes %, CR and LF; properties also escape : and ,."""
    assert escape_data("50%\r\nx") == "50%25%0D%0Ax"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_text_report_shows_location_context_and_counterexample():
    """The text report names file:line:col, the verdict, the counterexample and a summary."""
    sources = {"notes/a.md": [f"line {i}" for i in range(1, 30)]}
    text = render("text", sources=sources)
    assert "notes/a.md:14:5: wrong (step 2): step 2 does not follow" in text
    assert "  014 line 14" in text
    assert "w_1=0.5" in text and "checked at 50 digits" in text
    assert text.rstrip().splitlines()[-1].startswith("== FAILED: 4 equations in 2 files")


def test_exit_status_and_expect_wrong():
    """Exit 1 when wrong; an equation marked 'expect wrong' passes only when it is wrong."""
    assert exit_status(RESULTS) == 1
    assert exit_status([RESULTS[0], RESULTS[3]]) == 0
    assert exit_status([RESULTS[0], RESULTS[2]], strict=True) == 1
    expected = [Result(**{**{f: getattr(RESULTS[1], f) for f in RESULTS[1].__slots__}, "expected_wrong": True})]
    assert exit_status(expected) == 0
    unexpected = [Result(**{**{f: getattr(RESULTS[0], f) for f in RESULTS[0].__slots__}, "expected_wrong": True})]
    assert exit_status(unexpected) == 1
    assert summary(RESULTS)["wrong"] == 1
