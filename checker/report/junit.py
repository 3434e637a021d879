"""`--format junit`: JUnit XML, one test case per equation, for GitLab CI and others.

Wrong → ``<failure>``; unparsed and inconclusive → ``<skipped>`` (``<failure>`` with
``--strict``); skipped → ``<skipped>``; verified and defined pass.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from checker.results import Result
from checker.verdict import Status

_UNDECIDED = (Status.UNPARSED, Status.INCONCLUSIVE)


def _clean(s: str) -> str:
    """Drop characters XML 1.0 cannot hold."""
    return "".join(ch for ch in s if ch in "\t\n\r" or (ord(ch) >= 0x20 and ord(ch) not in (0xFFFE, 0xFFFF)
                                                       and not 0xD800 <= ord(ch) <= 0xDFFF))


def _fails(r: Result, strict: bool) -> bool:
    return r.failed or (strict and r.verdict in _UNDECIDED)


def _skips(r: Result, strict: bool) -> bool:
    return not _fails(r, strict) and (r.verdict is Status.SKIPPED or r.verdict in _UNDECIDED)


def tree(results: Sequence[Result], *, strict: bool = False, errors: Sequence[str] = ()) -> ET.Element:
    """The report as an element tree: ``testsuites`` > one ``testsuite`` per file > ``testcase``s.

    Only the elements and attributes of the common JUnit schema (Ant's, as Jenkins and
    GitLab read it) are written. A test case's name is the equation's full location
    (``file[cell N]:line:column``, ``step N``), because GitLab keys test cases by classname
    and name and drops duplicates: two equations on one line must not share a name.
    """
    suites = ET.Element("testsuites", name="mathcheck")
    by_file: dict[str, list[Result]] = {}
    for r in results:
        by_file.setdefault(r.file, []).append(r)
    for file, rs in by_file.items():
        suite = ET.SubElement(suites, "testsuite", name=_clean(file), tests=str(len(rs)),
                              failures=str(sum(_fails(r, strict) for r in rs)), errors="0",
                              skipped=str(sum(_skips(r, strict) for r in rs)))
        for r in rs:
            name = r.location + (f" step {r.step}" if r.step > 1 else "")
            case = ET.SubElement(suite, "testcase", classname=_clean(file), name=_clean(name))
            detail = _clean(r.latex + ("\n" + r.counterexample.describe() if r.counterexample else ""))
            if _fails(r, strict):
                label = f"expected wrong, but {r.verdict.value}" if r.expected_wrong else r.verdict.value
                f = ET.SubElement(case, "failure", message=_clean(f"{label}: {r.message}"), type=r.verdict.value)
                f.text = detail
            elif _skips(r, strict):
                ET.SubElement(case, "skipped", message=_clean(f"{r.verdict.value}: {r.message}"))
    if errors:
        suite = ET.SubElement(suites, "testsuite", name="(unreadable)", tests=str(len(errors)), failures="0",
                              errors=str(len(errors)), skipped="0")
        for e in errors:
            case = ET.SubElement(suite, "testcase", classname="(unreadable)", name=_clean(e[:120]))
            ET.SubElement(case, "error", message=_clean(e), type="unreadable")
    for total in ("tests", "failures", "errors", "skipped"):
        if total != "skipped":  # the schema's testsuites element has no skipped total
            suites.set(total, str(sum(int(s.get(total, "0")) for s in suites.findall("testsuite"))))
    return suites


def write(results: Sequence[Result], out: TextIO, *, strict: bool = False, errors: Sequence[str] = ()) -> None:
    root = tree(results, strict=strict, errors=errors)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
