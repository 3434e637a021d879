"""A cache of verdicts on disk, like ``.pytest_cache``: a re-run of unchanged notes does no
symbolic work.

An entry is keyed by the normalised claim (SymPy's `srepr` of its expressions and
assumptions), the options that change a verdict (seed, time budget) and the engine's
version. Entries are JSON files written atomically (write, then rename), one per key, so
parallel workers never see half an entry. An entry that cannot be read, does not parse, or
was written by another version is ignored and replaced: never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import sympy as sp

from checker import __version__
from checker.verdict import Counterexample, Evidence, Method, Status, Verdict

DEFAULT_DIR = ".mathcheck_cache"
_FORMAT = 1


def claim_key(claim: Any, *, seed: int, timeout: float) -> str:
    """A stable key of a claim and the options that change its verdict."""
    parts = [f"v{__version__}", f"f{_FORMAT}", type(claim).__name__, f"seed={seed}", f"timeout={timeout:g}"]
    for name in ("lhs", "rhs", "function", "wrt", "claimed", "statement", "assumptions", "sizes", "quantifier"):
        if hasattr(claim, name):
            value = getattr(claim, name)
            parts.append(f"{name}={sp.srepr(value) if isinstance(value, (sp.Basic, tuple)) else value!r}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def verdict_to_json(v: Verdict) -> dict[str, Any]:
    out: dict[str, Any] = {"status": v.status.value, "method": v.method.value if v.method else None,
                           "reason": v.reason}
    if v.counterexample is not None:
        ce = v.counterexample
        out["counterexample"] = {"point": [[k, _enc(x)] for k, x in ce.point], "lhs": _enc(ce.lhs),
                                 "rhs": _enc(ce.rhs), "digits": ce.digits, "note": ce.note}
    if v.evidence is not None:
        out["evidence"] = v.evidence.to_json()
    return out


def verdict_from_json(d: dict[str, Any]) -> Verdict:
    ce = None
    if d.get("counterexample"):
        c = d["counterexample"]
        ce = Counterexample(point=tuple((str(k), _dec(x)) for k, x in c["point"]), lhs=_dec(c["lhs"]),
                            rhs=_dec(c["rhs"]), digits=int(c["digits"]), note=c.get("note"))
    ev = None
    if d.get("evidence"):
        e = d["evidence"]
        if "sizes" in e and e["sizes"] is not None:
            e = {**e, "sizes": tuple(e["sizes"])}
        ev = Evidence(**e)
    return Verdict(status=Status(d["status"]), method=Method(d["method"]) if d.get("method") else None,
                   counterexample=ce, reason=d.get("reason"), evidence=ev)


def _enc(x: Any) -> Any:
    if isinstance(x, complex):
        return {"re": x.real, "im": x.imag}
    if isinstance(x, (list, tuple)):
        return [_enc(y) for y in x]
    return x


def _dec(x: Any) -> Any:
    if isinstance(x, dict) and set(x) == {"re", "im"}:
        return complex(x["re"], x["im"])
    if isinstance(x, list):
        return [_dec(y) for y in x]
    return x


class VerdictCache:
    """Verdicts on disk under `root` (default ``.mathcheck_cache``)."""

    def __init__(self, root: str | os.PathLike[str] = DEFAULT_DIR) -> None:
        self.root = Path(root)
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.root / "verdicts" / key[:2] / f"{key[2:]}.json"

    def get(self, key: str) -> Verdict | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != __version__ or data.get("format") != _FORMAT or data.get("key") != key:
                raise ValueError("another version")
            verdict = verdict_from_json(data["verdict"])
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError):  # corrupt or foreign: ignore, never trust
            self.misses += 1
            return None
        self.hits += 1
        return verdict

    def put(self, key: str, verdict: Verdict) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._write_readme()
            payload = json.dumps({"version": __version__, "format": _FORMAT, "key": key,
                                  "verdict": verdict_to_json(verdict)})
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed

    def _write_readme(self) -> None:
        readme = self.root / "README.md"
        if not readme.exists():
            readme.write_text("# mathcheck cache\n\nVerdicts of `mathcheck check`, keyed by claim and engine "
                              "version. Safe to delete; do not commit.\n", encoding="utf-8")
            (self.root / ".gitignore").write_text("*\n", encoding="utf-8")


__all__ = ["DEFAULT_DIR", "VerdictCache", "claim_key", "verdict_from_json", "verdict_to_json"]
