"""Configuration: ``[tool.mathcheck]`` in ``pyproject.toml``, or a ``mathcheck.toml``.

`mathcheck check` looks it up from the current directory upwards; the pytest plugin from
each notes file's folder upwards. ``mathcheck.toml`` wins over ``pyproject.toml`` in the
same directory. Command-line options override it. An unknown key or a value of the wrong
type is an error naming the file and the key: a typo must not be ignored silently.

Keys:

========== ============================== =================================================
key        type                           meaning
========== ============================== =================================================
include    list of globs                  files to read in folders, matched on the file name
                                          (default: *.md, *.markdown, *.tex, *.ipynb, *.txt)
exclude    list of globs                  files or folders to leave out (default: none)
log        "e" | "10" | "2"               the meaning of ``\\log`` without a base (default "e")
sigma      "sigmoid" | "std"              ``\\sigma(...)`` is the sigmoid, or (std) a plain symbol
                                          such as a standard deviation (default "sigmoid")
assume     list of strings                assumptions for every file, e.g. ["0 < p < 1"]
                                          (relations with <, <=, >, >=; default: none)
timeout    number > 0                     seconds per equation (default 5)
strict     bool                           unparsed/inconclusive also fail (default false)
seed       integer                        seed of the sampled points (default 0)
jobs       integer >= 1                   worker processes of `mathcheck check` (default:
                                          number of cores; the plugin leaves this to xdist)
========== ============================== =================================================
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from checker.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.tex", "*.ipynb", "*.txt")


class ConfigError(UsageError):
    """A configuration file has an unknown key or a bad value."""

    def __init__(self, message: str, *, path: str, key: str | None = None) -> None:
        super().__init__(f"{path}: {'[tool.mathcheck] ' if path.endswith('pyproject.toml') else ''}"
                         f"{key + ': ' if key else ''}{message}")
        self.path = path
        self.key = key


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    log: str = "e"
    sigma: str = "sigmoid"
    assume: tuple[str, ...] = ()
    timeout: float = 5.0
    strict: bool = False
    seed: int = 0
    jobs: int | None = None
    source: str | None = field(default=None, compare=False)


_CHOICES = {"log": ("e", "10", "2"), "sigma": ("sigmoid", "std")}


def _validate(raw: Mapping[str, Any], path: str) -> Config:
    known = {f.name for f in fields(Config)} - {"source"}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            hint = ""
            import difflib

            close = difflib.get_close_matches(key, sorted(known), n=1)
            if close:
                hint = f"; did you mean {close[0]!r}?"
            raise ConfigError(f"unknown key{hint} (known: {', '.join(sorted(known))})", path=path, key=key)
        if key in ("include", "exclude", "assume"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError("expected a list of strings", path=path, key=key)
            values[key] = tuple(value)
        elif key in _CHOICES:
            if str(value) not in _CHOICES[key]:
                raise ConfigError(f"expected one of {', '.join(map(repr, _CHOICES[key]))}, not {value!r}",
                                  path=path, key=key)
            values[key] = str(value)
        elif key == "timeout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"expected a positive number of seconds, not {value!r}", path=path, key=key)
            values[key] = float(value)
        elif key == "strict":
            if not isinstance(value, bool):
                raise ConfigError(f"expected true or false, not {value!r}", path=path, key=key)
            values[key] = value
        elif key in ("seed", "jobs"):
            if isinstance(value, bool) or not isinstance(value, int) or (key == "jobs" and value < 1):
                raise ConfigError(f"expected {'an integer' if key == 'seed' else 'an integer >= 1'}, not {value!r}",
                                  path=path, key=key)
            values[key] = value
    return Config(**values, source=path)


def notation_of(cfg: Config) -> Any:
    """The notation the configuration asks for (``log``, ``sigma``)."""
    from checker.notation import Notation

    return Notation(log_base=cfg.log, sigma="sigmoid" if cfg.sigma == "sigmoid" else "symbol")


def assumptions_of(cfg: Config) -> list[Any]:
    """The ``assume`` entries as SymPy relations; a bad entry is an error naming the file and key."""
    import sympy as sp

    from checker.notation import ParseError, parse_latex

    ops = {"<": sp.StrictLessThan, "<=": sp.LessThan, ">": sp.StrictGreaterThan, ">=": sp.GreaterThan}
    where = cfg.source or "configuration"
    out: list[Any] = []
    for text in cfg.assume:
        try:
            parsed = parse_latex(text, notation=notation_of(cfg))
        except ParseError as exc:
            raise ConfigError(f"cannot read {text!r}: {exc}", path=where, key="assume") from None
        if not parsed.relations or any(rel not in ops for rel in parsed.relations):
            raise ConfigError(f"{text!r}: an assumption relates with <, <=, > or >=", path=where, key="assume")
        out.extend(ops[rel](a, b) for a, b, rel in zip(parsed.sides, parsed.sides[1:], parsed.relations))
    return out


def load_file(path: Path) -> Config | None:
    """The configuration in one file, or None if the file holds none (a pyproject without the table)."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("mathcheck")
        if table is None:
            return None
        if not isinstance(table, dict):
            raise ConfigError("[tool.mathcheck] must be a table", path=str(path))
        return _validate(table, str(path))
    return _validate(data, str(path))


def discover(start: Path | None = None) -> Config:
    """The configuration that applies in `start` (default: the current directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("mathcheck.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                cfg = load_file(candidate)
                if cfg is not None:
                    return cfg
    return Config()


__all__ = ["Config", "ConfigError", "DEFAULT_INCLUDE", "assumptions_of", "discover", "load_file", "notation_of"]
