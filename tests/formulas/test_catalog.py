"""Every formula of the catalog is verified or a documented finding, with evidence."""

from __future__ import annotations

import pytest

import formulas
from checker.catalog import verify

IDS = list(formulas.CATALOG)


@pytest.fixture(scope="module")
def results():
    return {}


@pytest.mark.parametrize("formula_id", IDS, ids=IDS)
def test_formula_is_verified_or_a_finding(formula_id, results):
    """The formula's checks all pass; a failing as-written form is a finding with evidence."""
    r = verify(formulas.get(formula_id))
    problems = [(n.name, c.name, c.verdict.status.value, c.verdict.reason)
                for n in r.checks for c in n.result.checks if c.verdict.status.value == "wrong"]
    assert r.status in ("verified", "finding"), (r.status, problems)
    for named in r.checks:
        v = named.result.verdict
        assert v.status.value == "verified" and v.method is not None
    for finding in r.findings:
        ev = finding.evidence
        assert ev["counterexample"] and ev["correct"] and ev["at"]


def test_catalog_ids_are_unique_and_dotted():
    """Ids are unique, dotted and lower case; every formula has a topic and sources."""
    assert len(IDS) == len(set(IDS))
    for f in formulas.CATALOG.values():
        assert "." in f.id and f.id == f.id.lower()
        assert f.topic in formulas.TOPICS and f.sources
