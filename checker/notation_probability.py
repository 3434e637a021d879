r"""Text rewrites for the notation of probability and information theory.

ML notes write ``D_{KL}(p \| q)``, ``I(X; Y)``, ``H(Y \mid X)``, ``P(+ \mid \neg D)`` and
``\mathbb{E}_{x \sim p}[f(x)]``. The parser reads none of them (``\|`` is a norm, ``;`` and
``\mid`` are not operators, ``\sim`` is a relation), and the notation layer refuses them. This
pass, run by `checker.notation_text.prepare` before the refusals, rewrites exactly these forms
into calls the parser reads; what it does not recognise is left alone, so that ordinary norms,
sets and conditional bars elsewhere stay refused.

- ``D_{KL}(A \| B)``, ``D_{\mathrm{KL}}(A \,\|\, B)``, ``D_{KL}(A \parallel B)``,
  ``\mathrm{KL}(A \| B)`` → ``\mathrm{KL}(A, B)``;
- ``I(A; B)`` → ``\mathrm{MI}(A, B)`` (mutual information; the identity matrix is never called);
- ``F(A \mid B, C)`` for a function letter F → ``\mathrm{FQQgiven}(A, B, C)``, a function the
  layer names ``F_given`` (``H_given``, ``P_given``, ``p_given``);
- inside a probability ``P(...)`` (also ``\Pr``, ``\mathbb{P}``): the events ``+`` and ``-``
  become names, and complements ``\neg D``, ``\lnot D``, ``\bar{D}``, ``\overline{D}``,
  ``D^c`` become the name ``D_bar``;
- ``\mathbb{E}_{x \sim p}[f]`` → ``\sum_{x} p(x) (f)``: the expectation over a distribution on a
  finite support (`checker.information` reads it);
- ``\sum_{x, y}`` (no bounds) → ``\sum_{x} \sum_{y}``.
"""

from __future__ import annotations

import re
from typing import Any

from checker.notation_rules import matching
from checker.notation_text import arguments

#: Suffix of a conditional (``p(x \mid y)`` → ``p_given(x, y)``) and of a complement event.
GIVEN = "given"
NOT = "bar"
#: The names the events ``+`` and ``-`` get inside a probability.
EVENT_NAMES = {"+": "EVTplus", "-": "EVTminus"}

_KL_HEAD = re.compile(r"(?:D\s*_\s*(?:\{\s*(?:\\(?:mathrm|text|operatorname|mathsf)\s*\{\s*KL\s*\}|KL)\s*\}"
                      r"|\\(?:mathrm|text|operatorname|mathsf)\s*\{\s*KL\s*\})"
                      r"|\\(?:mathrm|operatorname|text)\s*\{\s*KL\s*\}|(?<![A-Za-z\\{])KL)\s*(?=[(\[])")
_SEPARATOR = re.compile(r"\\\||\\parallel(?![A-Za-z])|\|\||\\Vert(?![A-Za-z])")
_MI_HEAD = re.compile(r"(?<![A-Za-z\\{_^])I\s*(?=\()")
_BAR = re.compile(r"\\mid(?![A-Za-z])|\\vert(?![A-Za-z])|\|")
_CALL_HEAD = re.compile(r"(\\mathbb\s*\{\s*P\s*\}|\\Pr(?![A-Za-z])|\\mathrm\s*\{\s*([A-Za-z])\s*\}"
                        r"|(?<![A-Za-z\\_^])([A-Za-z]))\s*(?=\()")
_EXPECT_UNDER = re.compile(r"(?:\\mathbb\s*\{\s*E\s*\}|(?<![A-Za-z\\{])E)\s*_\s*\{\s*([a-z])\s*\\sim\s*"
                           r"([a-z])\s*\}\s*(?=\[)")
_PAIR_SUM = re.compile(r"\\sum\s*_\s*\{\s*([A-Za-z])\s*,\s*([A-Za-z])\s*\}(?!\s*\^)")
_COMPLEMENT = re.compile(r"^\s*(?:\\neg|\\lnot)\s*([A-Za-z])\s*$|^\s*\\(?:bar|overline)\s*\{?\s*([A-Za-z])\s*\}?\s*$"
                         r"|^\s*([A-Za-z])\s*\^\s*\{?\s*(?:c|C|\\complement)\s*\}?\s*$")


def _top_level(s: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """Matches of `pattern` in `s` outside brackets and braces."""
    out, depth = [], 0
    k = 0
    while k < len(s):
        c = s[k]
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif depth == 0:
            m = pattern.match(s, k)
            if m and m.end() > k:
                out.append(m)
                k = m.end()
                continue
        k += 1
    return out


def _close(s: str, at: int) -> int:
    opener = s[at]
    return matching(s, at, opener, {"(": ")", "[": "]"}[opener])


def _kl(s: str) -> str:
    out, i = [], 0
    for m in _KL_HEAD.finditer(s):
        if m.start() < i:
            continue
        open_at = m.end()
        close = _close(s, open_at)
        if close < 0:
            continue
        inner = s[open_at + 1:close]
        seps = _top_level(inner, _SEPARATOR)
        if len(seps) == 1:
            a, b = inner[:seps[0].start()], inner[seps[0].end():]
        elif not seps and len(arguments(inner)) == 2:
            a, b = arguments(inner)
        else:
            continue
        if not a.strip() or not b.strip():
            continue
        out.append(s[i:m.start()] + rf"\mathrm{{KL}}({rewrite_probability(a)}, {rewrite_probability(b)})")
        i = close + 1
    out.append(s[i:])
    return "".join(out)


def _mutual_information(s: str) -> str:
    out, i = [], 0
    for m in _MI_HEAD.finditer(s):
        if m.start() < i:
            continue
        close = _close(s, m.end())
        if close < 0:
            continue
        inner = s[m.end() + 1:close]
        semis = _top_level(inner, re.compile(";"))
        if len(semis) != 1 or _top_level(inner, _BAR):
            continue
        a, b = inner[:semis[0].start()], inner[semis[0].end():]
        if not a.strip() or not b.strip():
            continue
        out.append(s[i:m.start()] + rf"\mathrm{{MI}}({a}, {b})")
        i = close + 1
    out.append(s[i:])
    return "".join(out)


def _event(text: str, labels: dict[str, str]) -> str:
    """An event inside a probability as a name: ``+`` → EVTplus, ``\\neg D`` → D_bar."""
    t = text.strip()
    if t in EVENT_NAMES:
        labels.setdefault(EVENT_NAMES[t], t)
        return rf"\mathrm{{{EVENT_NAMES[t]}}}"
    m = _COMPLEMENT.match(t)
    if m:
        base = m.group(1) or m.group(2) or m.group(3)
        inner = f"{base}QQ{NOT}"
        labels.setdefault(inner, rf"\neg {base}")
        return rf"\mathrm{{{inner}}}"
    return text


def _conditionals(s: str, labels: dict[str, str]) -> str:
    out, i = [], 0
    for m in _CALL_HEAD.finditer(s):
        if m.start() < i:
            continue
        close = _close(s, m.end())
        if close < 0:
            continue
        head = m.group(1)
        letter = "P" if head.startswith(("\\mathbb", "\\Pr")) else (m.group(2) or m.group(3))
        inner = s[m.end() + 1:close]
        if re.search(r"[=<>]|\\(?:le|ge|neq?|in)(?![A-Za-z])|\\mathrm\{given\}", inner):
            continue  # an event such as X = x: not read (the layer refuses it)
        bars = _top_level(inner, _BAR)
        is_probability = letter == "P"
        if len(bars) > 1 or (bars and bars[0].group(0) == "|" and letter not in ("P", "H", "p", "q")):
            continue
        if not bars and not is_probability:
            continue
        if bars:
            given, rest = inner[:bars[0].start()], inner[bars[0].end():]
            if not given.strip() or not rest.strip():
                continue
            args = [given] + arguments(_conditionals(rest, labels))
        else:
            args = arguments(_conditionals(inner, labels))
        if is_probability:
            args = [_event(a, labels) for a in args]
        name = f"{letter}QQ{GIVEN}" if bars else letter
        if bars:
            labels.setdefault(name, letter)
        out.append(s[i:m.start()] + rf"\mathrm{{{name}}}(" + ", ".join(args) + ")")
        i = close + 1
    out.append(s[i:])
    return "".join(out)


def _expectations_under(s: str) -> str:
    out, i = [], 0
    for m in _EXPECT_UNDER.finditer(s):
        if m.start() < i:
            continue
        close = _close(s, m.end())
        if close < 0:
            continue
        var, dist = m.group(1), m.group(2)
        body = _expectations_under(s[m.end() + 1:close])
        out.append(s[i:m.start()] + rf"\sum_{{{var}}} {dist}({var}) \cdot ({body})")
        i = close + 1
    out.append(s[i:])
    return "".join(out)


def rewrite_probability(s: str, labels: dict[str, str] | None = None) -> str:
    """The rewrites of this module, applied to LaTeX text (see the module's documentation).

    `labels` gets the LaTeX of the names it makes (for messages).
    """
    labels = labels if labels is not None else {}
    if "\\sim" in s:
        s = _expectations_under(s)
    if "KL" in s:
        s = _kl(s)
    if ";" in s and "I" in s:
        s = _mutual_information(s)
    s = _PAIR_SUM.sub(r"\\sum_{\1} \\sum_{\2}", s)
    if "(" in s:
        s = _conditionals(s, labels)
    return s


def distribution_labels() -> dict[str, Any]:
    """How the names this pass makes are written (for messages)."""
    return {"KL": r"D_{\mathrm{KL}}", "MI": "I", **{v: k for k, v in EVENT_NAMES.items()}}


__all__ = ["EVENT_NAMES", "GIVEN", "NOT", "distribution_labels", "rewrite_probability"]
