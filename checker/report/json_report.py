"""`--format json`: one JSON object, as DESIGN.md specifies. Deterministic: same input, same bytes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from checker import __version__
from checker.results import Result, summary


def document(results: Sequence[Result], *, errors: Sequence[str] = ()) -> dict[str, object]:
    doc: dict[str, object] = {
        "tool": "mathcheck", "version": __version__,
        "results": [r.to_json() for r in results],
        "summary": summary(results),
    }
    if errors:
        doc["errors"] = list(errors)
    return doc


def write(results: Sequence[Result], out: TextIO, *, errors: Sequence[str] = ()) -> None:
    json.dump(document(results, errors=errors), out, indent=1, ensure_ascii=False, sort_keys=False)
    out.write("\n")
