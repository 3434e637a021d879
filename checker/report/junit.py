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


def _clean(s: str) -> str:
    """Drop characters XML 1.0 cannot hold."""
    return "".join(ch for ch in s if ch in "\t\n\r" or (ord(ch) >= 0x20 and ord(ch) not in (0xFFFE, 0xFFFF)
                                                       and not 0xD800 <= ord(ch) <= 0xDFFF))


def tree(results: Sequence[Result], *, strict: bool = False, errors: Sequence[str] = ()) -> ET.Element:
    suites = ET.Element("testsuites", name="mathcheck")
    by_file: dict[str, list[Result]] = {}
    for r in results:
        by_file.setdefault(r.file, []).append(r)
    for e in errors:
        by_file.setdefault("(unreadable)", [])
    for file, rs in by_file.items():
        failures = sum(1 for r in rs if r.failed or (strict and r.verdict in (Status.UNPARSED, Status.INCONCLUSIVE)))
        skipped = sum(1 for r in rs if not r.failed and r.verdict in (Status.SKIPPED,)
                      or (not strict and r.verdict in (Status.UNPARSED, Status.INCONCLUSIVE)))
        suite = ET.SubElement(suites, "testsuite", name=_clean(file), tests=str(len(rs)),
                              failures=str(failures), errors="0", skipped=str(skipped))
        for r in rs:
            name = f"{r.file}:{r.line}" + (f" step {r.step}" if r.step > 1 else "")
            case = ET.SubElement(suite, "testcase", classname=_clean(file), name=_clean(name), file=_clean(file),
                                 line=str(r.line))
            detail = _clean(r.latex + ("\n" + r.counterexample.describe() if r.counterexample else ""))
            if r.failed or (strict and r.verdict in (Status.UNPARSED, Status.INCONCLUSIVE)):
                f = ET.SubElement(case, "failure", message=_clean(r.message or r.verdict.value), type=r.verdict.value)
                f.text = detail
            elif r.verdict in (Status.SKIPPED, Status.UNPARSED, Status.INCONCLUSIVE):
                ET.SubElement(case, "skipped", message=_clean(f"{r.verdict.value}: {r.message}"))
    if errors:
        suite = suites.find("testsuite[@name='(unreadable)']")
        if suite is not None:
            suite.set("errors", str(len(errors)))
            suite.set("tests", str(len(errors)))
            for e in errors:
                case = ET.SubElement(suite, "testcase", classname="(unreadable)", name=_clean(e[:120]))
                ET.SubElement(case, "error", message=_clean(e))
    return suites


def write(results: Sequence[Result], out: TextIO, *, strict: bool = False, errors: Sequence[str] = ()) -> None:
    root = tree(results, strict=strict, errors=errors)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
