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


FINDING_FORMS = [(f.id, w) for f in formulas.CATALOG.values() for w in f.as_written if w.fixed is not None]


def _same_check(a, b) -> bool:
    """Whether two claims are the same check of different programs (same reference, inputs, loss)."""
    if type(a) is not type(b):
        return False
    shared = ("reference", "sample", "loss", "params", "rtol", "atol")
    return all(getattr(a, k, None) is getattr(b, k, None) or getattr(a, k, None) == getattr(b, k, None)
               for k in shared)


def test_every_finding_has_a_fixed_form():
    """Each as-written form that fails carries its corrected form (so the check is seen to separate them)."""
    missing = []
    for f in formulas.CATALOG.values():
        r = verify(f)
        for w, named in zip(f.as_written, r.as_written):
            if named.result.verdict.status.value == "wrong" and w.fixed is None:
                missing.append(f"{f.id}:{w.name}")
    assert not missing, missing


@pytest.mark.parametrize("formula_id,written", FINDING_FORMS, ids=[f"{i}:{w.name}" for i, w in FINDING_FORMS])
def test_same_check_fails_the_document_and_passes_the_correction(formula_id, written):
    """One check, two programs: the document's form is wrong with a counterexample, the corrected one verified."""
    from checker.engine import check

    assert _same_check(written.claim, written.fixed)
    as_written = check(written.claim).verdict
    fixed = check(written.fixed).verdict
    assert as_written.status.value == "wrong" and as_written.counterexample is not None
    assert fixed.status.value == "verified" and fixed.method is not None


def test_a_correction_that_fails_makes_the_formula_wrong():
    """If the corrected form of a finding fails the same check, the catalog entry is wrong, not a finding."""
    import dataclasses

    f = formulas.get("pca.covariance")
    (w,) = f.as_written
    bad_fix = dataclasses.replace(w, fixed=w.claim)  # "corrected" to the document's own form
    r = verify(dataclasses.replace(f, as_written=(bad_fix,)))
    assert r.status == "wrong"
    assert r.findings[0].evidence["fixed"]["verdict"] == "wrong"
