"""A cache of verdicts on disk, like ``.pytest_cache``: a re-run of unchanged notes does no
symbolic work.

Two kinds of entries:

- a claim's verdict, keyed by the normalised claim (SymPy's `srepr` of its expressions and
  assumptions), the options that change a verdict (seed, time budget) and the engine
  version: an edited file re-checks only the claims that changed;
- a whole source's results, keyed by its path, its bytes, the notation and assumptions it is
  read with, the same options and the engine version: an unchanged file is not even parsed
  again (parsing is most of the work).

The engine version is a fingerprint of mathcheck's own source files and of the versions of
the libraries that decide a verdict, so a cache written by other code is never used. Entries
are JSON (never pickle: a cache folder may come from anyone) written atomically (write, then
rename), one per key, so parallel workers never see half an entry. An entry that cannot be
read, does not parse, or was written by another version is ignored and replaced: never
trusted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import sympy as sp

from checker import __version__
from checker.budget import memory_limit
from checker.results import Result
from checker.verdict import Counterexample, Evidence, Method, Status, Verdict

T = TypeVar("T")

DEFAULT_DIR = ".mathcheck_cache"
_FORMAT = 2
#: Libraries whose version can change a verdict or a parse.
_LIBRARIES = ("sympy", "mpmath", "numpy", "latex2sympy2_extended", "markdown-it-py", "mdit-py-plugins")


@lru_cache(maxsize=1)
def engine_version() -> str:
    """mathcheck's version, a hash of its source files, and the versions of its libraries.

    The hash makes a cache written before any change of the code stale, version bump or not.
    """
    from importlib import metadata

    h = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"?")
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none;".encode())
    return f"{__version__}+{h.hexdigest()[:16]}"


def claim_key(claim: Any, *, seed: int, timeout: float) -> str:
    """A stable key of a claim and the options that change its verdict."""
    parts = [f"v{engine_version()}", f"f{_FORMAT}", type(claim).__name__, f"seed={seed}", f"timeout={timeout:g}",
             f"memory={memory_limit()}"]
    # every field of the claim, so that a new kind of claim can never share a key by omission
    for field in dataclasses.fields(claim):
        value = getattr(claim, field.name)
        if isinstance(value, (sp.Basic, tuple)):
            text = sp.srepr(value)
        elif callable(value):
            text = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
        else:
            text = repr(value)
        parts.append(f"{field.name}={text}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def source_key(path: str, data: bytes, *, context: str, seed: int, timeout: float) -> str:
    """A stable key of one source: its path as given, its bytes, how it is read (`context`:
    the notation and assumptions of the configuration) and the options that change a verdict."""
    parts = [f"v{engine_version()}", f"f{_FORMAT}", "source", path, f"seed={seed}", f"timeout={timeout:g}",
             f"memory={memory_limit()}", f"context={context}", hashlib.sha256(data).hexdigest()]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _counterexample_to_json(ce: Counterexample) -> dict[str, Any]:
    return {"point": [[k, _enc(x)] for k, x in ce.point], "lhs": _enc(ce.lhs), "rhs": _enc(ce.rhs),
            "digits": ce.digits, "note": ce.note}


def _counterexample_from_json(c: dict[str, Any]) -> Counterexample:
    return Counterexample(point=tuple((str(k), _dec(x)) for k, x in c["point"]), lhs=_dec(c["lhs"]),
                          rhs=_dec(c["rhs"]), digits=int(c["digits"]), note=c.get("note"))


def result_to_json(r: Result) -> dict[str, Any]:
    """Every field of a Result (its report JSON drops some), for a lossless round trip."""
    return {"file": r.file, "line": r.line, "column": r.column, "step": r.step, "latex": r.latex, "kind": r.kind,
            "verdict": r.verdict.value, "method": r.method.value if r.method else None,
            "counterexample": _counterexample_to_json(r.counterexample) if r.counterexample else None,
            "message": r.message, "cell": r.cell, "expected_wrong": r.expected_wrong}


def result_from_json(d: dict[str, Any]) -> Result:
    ce = d.get("counterexample")
    return Result(file=str(d["file"]), line=int(d["line"]), column=int(d["column"]), step=int(d["step"]),
                  latex=str(d["latex"]), kind=str(d["kind"]), verdict=Status(d["verdict"]),
                  method=Method(d["method"]) if d.get("method") else None,
                  counterexample=_counterexample_from_json(ce) if ce else None, message=str(d["message"]),
                  cell=None if d.get("cell") is None else int(d["cell"]), expected_wrong=bool(d["expected_wrong"]))


def verdict_to_json(v: Verdict) -> dict[str, Any]:
    out: dict[str, Any] = {"status": v.status.value, "method": v.method.value if v.method else None,
                           "reason": v.reason}
    if v.counterexample is not None:
        out["counterexample"] = _counterexample_to_json(v.counterexample)
    if v.evidence is not None:
        out["evidence"] = v.evidence.to_json()
    return out


def verdict_from_json(d: dict[str, Any]) -> Verdict:
    ce = _counterexample_from_json(d["counterexample"]) if d.get("counterexample") else None
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


def _results_from_json(payload: Any) -> list[Result]:
    if not isinstance(payload, list):
        raise TypeError("not a list")
    return [result_from_json(d) for d in payload]


class VerdictCache:
    """Verdicts and source results on disk under `root` (default ``.mathcheck_cache``).

    `hits` and `misses` count look-ups of both kinds; `rejected` counts entries that existed
    but were ignored (corrupt, or written by another engine version).
    """

    def __init__(self, root: str | os.PathLike[str] = DEFAULT_DIR) -> None:
        self.root = Path(root)
        self.hits = 0
        self.misses = 0
        self.rejected = 0

    def _path(self, key: str, kind: str = "verdicts") -> Path:
        return self.root / kind / key[:2] / f"{key[2:]}.json"

    def _load(self, key: str, kind: str) -> Any:
        """The payload stored under `key`, or None (missing, corrupt or foreign: never trusted)."""
        try:
            data = json.loads(self._path(key, kind).read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError):  # unreadable, not UTF-8, not JSON
            self.misses += 1
            self.rejected += 1
            return None
        if not isinstance(data, dict) or data.get("version") != engine_version() \
                or data.get("format") != _FORMAT or data.get("key") != key or "payload" not in data:
            self.misses += 1
            self.rejected += 1
            return None
        return data["payload"]

    def _store(self, key: str, kind: str, payload: Any) -> None:
        path = self._path(key, kind)
        try:
            text = json.dumps({"version": engine_version(), "format": _FORMAT, "key": key, "payload": payload},
                              allow_nan=True)
        except (TypeError, ValueError):
            return  # a value JSON cannot hold: not cached (costs speed only)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._write_readme()
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed

    def get(self, key: str) -> Verdict | None:
        """The cached verdict of a claim key, or None."""
        return self._decoded(key, "verdicts", verdict_from_json)

    def put(self, key: str, verdict: Verdict) -> None:
        """Store a claim's verdict."""
        self._store(key, "verdicts", verdict_to_json(verdict))

    def get_results(self, key: str) -> list[Result] | None:
        """The cached results of a source key, or None."""
        return self._decoded(key, "sources", _results_from_json)

    def _decoded(self, key: str, kind: str, decode: Callable[[Any], T]) -> T | None:
        """The entry decoded; an entry that does not decode counts as a miss and is not trusted."""
        payload = self._load(key, kind)
        if payload is None:
            return None
        try:
            value = decode(payload)
        except (ValueError, KeyError, TypeError, AttributeError):
            self.misses += 1
            self.rejected += 1
            return None
        self.hits += 1
        return value

    def put_results(self, key: str, results: Sequence[Result]) -> None:
        """Store a source's results.

        Results that spent their budget are stored too (the key holds the budget): an
        unchanged file gives the same report, fast. A run with a larger ``--timeout`` or
        ``--memory`` has other keys and tries again; so does an edited file, whose claims
        that spent their budget are not in the claim cache.
        """
        self._store(key, "sources", [result_to_json(r) for r in results])

    def _write_readme(self) -> None:
        readme = self.root / "README.md"
        if not readme.exists():
            readme.write_text("# mathcheck cache\n\nVerdicts of `mathcheck check`, keyed by claim and engine "
                              "version. Safe to delete; do not commit.\n", encoding="utf-8")
            (self.root / ".gitignore").write_text("*\n", encoding="utf-8")


__all__ = ["DEFAULT_DIR", "VerdictCache", "claim_key", "engine_version", "result_from_json", "result_to_json",
           "source_key", "verdict_from_json", "verdict_to_json"]
