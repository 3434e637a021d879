"""Catalog entries: one formula of the source documents, as SymPy, with the claims to check.

Entries declare; they never check. `checker.catalog.verify` runs their claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from checker.claims import Claim

_ID = re.compile(r"^[a-z]+(\.[a-z0-9_]+)+$")
_SEEDS = {"000", "001", "002", "003", "004"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One claim about a formula, with a name and a sentence saying what it shows."""

    name: str
    claim: Claim
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AsWritten:
    """A document's own form of a formula (its code or notation), checked like any claim.

    If its check fails, the catalog reports a finding: the document is wrong as written.
    `correct` says what the right form is, in words; `fixed` is the same check with the
    document's form corrected that way, so the catalog verifies the correction beside the
    finding (the check is shown to separate the two forms, not merely to fail).
    """

    name: str
    claim: Claim
    source: str
    description: str
    correct: str
    fixed: Claim | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Formula:
    """One formula of the source documents, as SymPy."""

    id: str
    title: str
    topic: str
    sources: tuple[str, ...]
    statement: Any
    checks: tuple[Check, ...]
    as_written: tuple[AsWritten, ...] = ()
    symbols: tuple[Any, ...] = ()
    notes: str = ""
    latex: str | None = None
    extra: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"Formula(id={self.id!r}): ids are dotted lowercase, e.g. 'act.sigmoid'")
        if not self.checks:
            raise ValueError(f"Formula(id={self.id!r}): needs at least one check")
        for s in self.sources:
            if s[:3] not in _SEEDS:
                raise ValueError(f"Formula(id={self.id!r}, sources={self.sources!r}): each source starts with a seed number 000-004")
        names = [c.name for c in self.checks] + [w.name for w in self.as_written]
        if len(names) != len(set(names)):
            raise ValueError(f"Formula(id={self.id!r}): check names repeat: {names}")
