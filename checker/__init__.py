"""mathcheck's engine: claims, verdicts, symbolic and numeric checks, finite differences."""

from __future__ import annotations

__version__ = "0.1.0"

from checker.claims import (  # noqa: E402
    CodeClaim, CodeGradientClaim, DerivativeClaim, GradientClaim, Identity, Property,
)
from checker.verdict import (  # noqa: E402
    CheckResult, ClaimResult, Counterexample, Evidence, Method, Status, Verdict,
)


def check(claim, **options):  # type: ignore[no-untyped-def]
    """Check one claim; see `checker.engine.check`."""
    from checker.engine import check as _check

    return _check(claim, **options)


__all__ = [
    "CheckResult", "ClaimResult", "CodeClaim", "CodeGradientClaim", "Counterexample",
    "DerivativeClaim", "Evidence", "GradientClaim", "Identity", "Method", "Property", "Status",
    "Verdict", "__version__", "check",
]
