"""Reading LaTeX sources: ``\\[ \\]``, ``\\( \\)``, ``$$ $$``, ``$ $`` and the display
environments (equation, align, gather, multline, eqnarray, flalign, alignat; starred or not).

Comments are blanked out (``% mathcheck: ...`` comments become directives), as are the bodies
of verbatim-like environments. Blanking keeps every offset, so positions stay exact.
"""

from __future__ import annotations

import bisect
import re

from checker.errors import SourceError
from checker.notes._model import (after_displays, 
    Directive, Equation, Positions, blank, clean, directives_in, split_rows,
)

DISPLAY_ENVS = ("equation", "align", "gather", "multline", "eqnarray", "flalign", "alignat",
                "displaymath", "math", "dmath")
_VERBATIM_BEGIN = re.compile(r"\\begin\{(verbatim|lstlisting|minted|comment|Verbatim)\*?\}")
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_OPENER = re.compile(
    r"\\begin\{(?P<env>" + "|".join(DISPLAY_ENVS) + r")(?P<star>\*?)\}"
    r"|(?P<dd>\$\$)|(?<!\\)(?P<d>\$)|(?P<sq>\\\[)|(?P<pa>\\\()"
)


#: Commands that open a new part of a document (a worked example's values end there).
_HEADING = re.compile(r"\\(?:part|chapter|section|subsection|subsubsection|paragraph)\*?\s*[\[{]"
                      r"|\\begin\{frame\}")


def read_latex(text: str, *, file: str) -> list[Equation | Directive]:
    """Equations and directives of a LaTeX text, in order."""
    items: list[tuple[int, Equation | Directive]] = []
    positions = Positions(text)
    for m in _COMMENT.finditer(text):
        line, _ = positions.at(m.start())
        for d in directives_in(m.group(0)[1:], file=file, line=line):
            items.append((m.start(), d))
    body = blank(_blank_verbatim(text), _COMMENT)
    headings = [m.start() for m in _HEADING.finditer(body)]
    i = 0
    while True:
        m = _OPENER.search(body, i)
        if not m:
            break
        if m.group("env"):
            env = m.group("env") + m.group("star")
            end_tag = f"\\end{{{env}}}"
            close = body.find(end_tag, m.end())
            display, start, stop, after = True, m.end(), close, close + len(end_tag)
            if env.startswith("alignat"):  # skip the column-count argument
                arg = re.match(r"\s*\{[^{}]*\}", body[start:])
                if arg:
                    start += arg.end()
        else:
            env = {"dd": "$$", "d": "$", "sq": "\\[", "pa": "\\("}[m.lastgroup or "d"]
            closer = {"$$": "$$", "$": "$", "\\[": "\\]", "\\(": "\\)"}[env]
            close = _find_closer(body, m.end(), closer)
            display, start, stop, after = env != "$" and env != "\\(", m.end(), close, close + len(closer)
        if close < 0:
            line, _ = positions.at(m.start())
            raise SourceError(f"unterminated {m.group(0)} opened at line {line}", path=file, line=line)
        latex = clean(body[start:stop])
        lead = len(latex) - len(latex.lstrip())
        line, col = positions.at(start + lead)
        rows = split_rows(latex, start, positions) if display else ()
        if latex.strip():
            before = " ".join(after_displays(body[max(0, m.start() - (200 if display else 80)):m.start()]).split())
            items.append((m.start(), Equation(file=file, line=line, column=col, latex=latex.strip(),
                                              display=display, env=env, rows=rows, context=before,
                                              section=bisect.bisect_left(headings, m.start()))))
        i = after
    items.sort(key=lambda pair: pair[0])
    return [item for _, item in items]


def _blank_verbatim(text: str) -> str:
    """`text` with the bodies of verbatim-like environments blanked (offsets kept).

    A scan rather than one regular expression: ``\\begin{verbatim}.*?\\end{verbatim}`` takes
    quadratic time on a text of many unclosed ``\\begin{verbatim}``. An environment that is
    never closed is left as it is, as the expression would.
    """
    pieces: list[str] = []
    cursor = 0
    found: dict[str, int] = {}  # the next occurrence of each \end seen so far (-1: none further on)

    def next_end(tag: str, start: int) -> int:
        k = found.get(tag)
        if k is None or (0 <= k < start):  # each search starts past the last: linear in all
            k = text.find(tag, start)
            found[tag] = k
        return k

    for m in _VERBATIM_BEGIN.finditer(text):
        name = m.group(1)
        if m.start() < cursor:
            continue
        ends = [k for k in (next_end(f"\\end{{{name}}}", m.end()), next_end(f"\\end{{{name}*}}", m.end())) if k >= 0]
        if not ends:
            continue
        close = min(ends)
        stop = text.index("}", close) + 1
        pieces.append(text[cursor:m.start()])
        pieces.append(re.sub(r"[^\n]", " ", text[m.start():stop]))
        cursor = stop
    pieces.append(text[cursor:])
    return "".join(pieces)


def _find_closer(body: str, start: int, closer: str) -> int:
    """The offset of the closing delimiter, skipping escaped dollars; -1 if none."""
    if closer != "$":
        return body.find(closer, start)
    i = start
    while True:
        k = body.find("$", i)
        if k < 0:
            return -1
        if body[k - 1] != "\\":
            return k
        i = k + 1


__all__ = ["DISPLAY_ENVS", "read_latex"]
