"""Reports of `mathcheck check`: JSON contract, JUnit XML, GitHub annotations, text, exit status."""

from __future__ import annotations

import io
import json
import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

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


# --- JUnit XML against the common schema ------------------------------------------------------

# The common JUnit schema (Ant's junit task, as Jenkins and GitLab read it): the elements, and
# for each the attributes it may carry and those it must.
SCHEMA = {
    "testsuites": ({"name", "time", "tests", "failures", "errors", "disabled"}, set()),
    "testsuite": ({"name", "tests", "failures", "errors", "skipped", "disabled", "time", "timestamp", "hostname",
                   "id", "package"}, {"name", "tests"}),
    "testcase": ({"name", "classname", "time", "assertions", "status"}, {"name", "classname"}),
    "failure": ({"message", "type"}, set()),
    "error": ({"message", "type"}, set()),
    "skipped": ({"message"}, set()),
    "properties": (set(), set()), "property": ({"name", "value"}, {"name", "value"}),
    "system-out": (set(), set()), "system-err": (set(), set()),
}
CHILDREN = {"testsuites": {"testsuite"}, "testsuite": {"properties", "testcase", "system-out", "system-err"},
            "testcase": {"failure", "error", "skipped", "system-out", "system-err"}, "properties": {"property"}}
COUNTS = ("tests", "failures", "errors", "skipped")


def schema_problems(root: ET.Element) -> list[str]:
    """What makes `root` not a document of the common JUnit schema (empty when it is one)."""
    problems = []
    if root.tag != "testsuites":
        problems.append(f"root is <{root.tag}>")
    for el in root.iter():
        if el.tag not in SCHEMA:
            problems.append(f"unknown element <{el.tag}>")
            continue
        allowed, required = SCHEMA[el.tag]
        problems += [f"<{el.tag}> has no {a}" for a in sorted(required - set(el.attrib))]
        problems += [f"<{el.tag}> may not carry {a}" for a in sorted(set(el.attrib) - allowed)]
        problems += [f"<{child.tag}> inside <{el.tag}>" for child in el if child.tag not in CHILDREN.get(el.tag, ())]
        for a in COUNTS:
            if a in el.attrib and not el.attrib[a].isdigit():
                problems.append(f"<{el.tag} {a}={el.attrib[a]!r}> is not a count")
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        actual = {"tests": len(cases), "failures": len(suite.findall("testcase/failure")),
                  "errors": len(suite.findall("testcase/error")), "skipped": len(suite.findall("testcase/skipped"))}
        problems += [f"suite {suite.get('name')}: {a}={suite.get(a)} but {n}" for a, n in actual.items()
                     if suite.get(a) is not None and suite.get(a) != str(n)]
        outcomes = [sum(1 for c in case if c.tag in ("failure", "error", "skipped")) for case in cases]
        problems += [f"a testcase of {suite.get('name')} has {n} outcomes" for n in outcomes if n > 1]
        keys = [(c.get("classname"), c.get("name")) for c in cases]
        problems += [f"duplicate testcase {k}" for k in set(keys) if keys.count(k) > 1]  # GitLab drops duplicates
    for a in ("tests", "failures", "errors"):
        if root.get(a) is not None and root.get(a) != str(sum(int(s.get(a, "0")) for s in root.findall("testsuite"))):
            problems.append(f"testsuites {a}={root.get(a)} is not the sum over its suites")
    return problems


MORE = RESULTS + [
    # two equations on one line, a notebook cell, and text XML cannot hold
    Result(file="notes/a.md", line=3, column=30, step=1, latex="y + y = 2 y", kind="identity",
           verdict=Status.VERIFIED, method=Method.SYMBOLIC, message="verified (symbolic)"),
    Result(file="nb.ipynb", line=3, column=1, step=1, latex="e^a e^b = e^{a+b}", kind="identity",
           verdict=Status.INCONCLUSIVE, message="time budget spent\x00 (5 s)\x1b[0m", cell=2),
    Result(file="nb.ipynb", line=3, column=1, step=1, latex="x = x + 1", kind="identity", cell=4,
           verdict=Status.WRONG, method=Method.NUMERIC, counterexample=CE, message="the two sides differ"),
]


def junit(results, **kw) -> ET.Element:
    out = io.StringIO()
    report.write(results, "junit", out, **kw)
    text = out.getvalue()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))  # well-formed, or this raises


def test_junit_follows_the_common_schema():
    """testsuites > testsuite > testcase with failure/skipped/error, counts consistent, names unique."""
    for kw in ({}, {"strict": True}, {"errors": ["notes/x.md: cannot read: Permission denied"]}):
        root = junit(MORE, **kw)
        assert schema_problems(root) == [], kw
    root = junit(MORE)
    names = [c.get("name") for c in root.iter("testcase")]
    assert "notes/a.md:3:1" in names and "notes/a.md:3:30" in names
    assert "nb.ipynb[cell 2]:3:1" in names and "nb.ipynb[cell 4]:3:1" in names
    assert root.get("tests") == str(len(MORE)) and root.get("failures") == "2"
    skipped = [s.get("message") for s in root.iter("skipped")]
    assert "inconclusive: time budget spent (5 s)[0m" in skipped  # NUL and ESC dropped, the rest kept


def test_junit_errors_for_unreadable_files_are_error_cases():
    """A file that cannot be read is a testcase with <error>, counted in errors."""
    root = junit(RESULTS[:1], errors=["notes/x.md: cannot read: Permission denied"])
    suite = root.find("testsuite[@name='(unreadable)']")
    assert suite is not None and suite.get("errors") == "1" and suite.find("testcase/error") is not None
    assert root.get("errors") == "1"


def test_the_schema_check_rejects_documents_outside_the_schema():
    """The checker of the schema is not vacuous: each kind of defect is reported."""
    bad = ET.fromstring('<testsuites tests="3"><testsuite name="a" tests="2" failures="0">'
                        '<testcase name="x" classname="a" file="a.md"><failure/><skipped/></testcase>'
                        '<testcase name="x" classname="a"/><testcase classname="a"/><bogus/>'
                        '</testsuite></testsuites>')
    problems = "\n".join(schema_problems(bad))
    for needle in ("<testcase> has no name", "may not carry file", "has 2 outcomes", "duplicate testcase",
                   "tests=2 but 3", "failures=0 but 1", "<bogus> inside <testsuite>", "not the sum"):
        assert needle in problems, needle


# --- GitHub workflow commands ------------------------------------------------------------------

ESCAPED = r"(?:[^%\r\n]|%25|%0D|%0A)"  # data: '%', CR and LF appear only escaped
PROPERTY = r"(?:[^%\r\n:,]|%25|%0D|%0A|%3A|%2C)"  # properties: ':' and ',' too
COMMAND = re.compile(rf"^::(error|warning|notice) (file={PROPERTY}*)((?:,(?:line|col|title)={PROPERTY}*)*)"
                     rf"::({ESCAPED}*)$")


def unescape(s: str) -> str:
    for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        s = s.replace(code, ch)
    return s


def github(results, **kw) -> list[str]:
    out = io.StringIO()
    report.write(results, "github", out, **kw)
    return out.getvalue().splitlines()


def test_github_lines_follow_the_grammar_and_round_trip():
    """Every line is one workflow command; unescaping gives back the file and the full message."""
    hostile = Result(file="notes/50%,a:b\r\nc.md", line=9, column=2, step=1, latex="a = b", kind="identity",
                     verdict=Status.WRONG, counterexample=CE, message="100% wrong:\nreally, it is")
    lines = github(MORE + [hostile])
    assert len(lines) == 5  # the wrong one, the unparsed one, the notebook's two, the hostile one
    for line in lines:
        assert COMMAND.match(line), line
    m = COMMAND.match(lines[-1])
    assert unescape(m.group(2)[len("file="):]) == hostile.file
    assert m.group(3).startswith(",line=9,col=2,title=")
    assert unescape(m.group(4)).startswith("100% wrong:\nreally, it is\nat w_1=0.5")


def test_github_notebook_annotations_name_the_cell_not_a_json_line():
    """A notebook result annotates the file and names the cell; its line is not the file's line."""
    lines = [line for line in github(MORE) if "nb.ipynb" in line]
    assert lines and all(",line=" not in line for line in lines)
    assert any("title=mathcheck%3A wrong (cell 4%2C line 3)" in line for line in lines)


def test_the_grammar_rejects_unescaped_commands():
    """The pattern of a workflow command is not vacuous: raw ',' ':' '%' or a newline do not match."""
    for bad in ("::error file=a,b.md,line=1,col=1,title=t::m", "::error file=a:b.md,line=1::m",
                "::error file=a.md,line=1::50% off", "::error file=a.md,line=1::two\nlines", "error file=a.md::m"):
        assert not COMMAND.match(bad), bad


# --- the CI recipes of docs/ci, run as far as possible offline ------------------------------------

RECIPES = Path(__file__).resolve().parents[2] / "docs" / "ci"
NOTES_WITH_ONE_ERROR = "# Notes\n\n$$(x + 1)^2 = x^2 + 2x + 1$$\n\n$$(x + 1)^2 = x^2 + 1$$\n"


def mathcheck_argv(command: str) -> list[str]:
    """The arguments of the `mathcheck` call that starts a shell command line."""
    words = shlex.split(command.split("||")[0])
    assert words[0] == "mathcheck", command
    return words[1:]


def run_in(folder: Path, argv: list[str], monkeypatch, capsys) -> tuple[int, str]:
    from checker.cli import main

    (folder / "notes").mkdir()
    (folder / "notes" / "n.md").write_text(NOTES_WITH_ONE_ERROR)
    monkeypatch.chdir(folder)
    code = main([*argv, "--no-cache", "--jobs", "1"])
    return code, capsys.readouterr().out


def test_github_actions_recipe_annotates_the_wrong_line(tmp_path, monkeypatch, capsys):
    """The workflow parses; its mathcheck step prints one error annotation, on the wrong line, and fails."""
    yaml = pytest.importorskip("yaml", reason="PyYAML (installed with pre-commit, in the test extra) reads the recipes")
    workflow = yaml.safe_load((RECIPES / "github-actions.yml").read_text())
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key `on` as true
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    runs = [s["run"] for s in steps if "run" in s and s["run"].startswith("mathcheck ")]
    assert len(runs) == 1 and "--format github" in runs[0]
    code, out = run_in(tmp_path, mathcheck_argv(runs[0]), monkeypatch, capsys)
    lines = out.splitlines()
    assert code == 1 and len(lines) == 1 and COMMAND.match(lines[0])
    assert lines[0].startswith("::error file=notes/n.md,line=5,col=3,title=mathcheck%3A wrong::")


def test_gitlab_recipe_writes_the_junit_report_it_uploads(tmp_path, monkeypatch, capsys):
    """The job parses; its report lands where artifacts:reports:junit looks, always, and follows the schema."""
    yaml = pytest.importorskip("yaml", reason="PyYAML (installed with pre-commit, in the test extra) reads the recipes")
    job = yaml.safe_load((RECIPES / "gitlab-ci.yml").read_text())["mathcheck"]
    assert job["artifacts"]["when"] == "always"  # a failing job must still upload its report
    report_path = job["artifacts"]["reports"]["junit"]
    commands = [c for c in job["script"] if c.startswith("mathcheck ")]
    assert len(commands) == 1
    argv = mathcheck_argv(commands[0])
    assert argv[argv.index("--format") + 1] == "junit" and argv[argv.index("--output") + 1] == report_path
    code, _ = run_in(tmp_path, argv, monkeypatch, capsys)
    root = ET.parse(tmp_path / report_path).getroot()
    assert code == 1 and schema_problems(root) == []
    failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == ["notes/n.md:5:3"] and len(root.findall(".//testcase")) == 2
