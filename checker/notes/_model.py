"""What the readers give: equations and directives, with their exact positions."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from checker.errors import SourceError


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One row of a multi-row equation (an ``align`` row), with its own position."""

    line: int
    column: int
    latex: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Equation:
    """One piece of mathematics of a source file.

    Attributes:
        file: the path as given ("-" for standard input).
        line, column: 1-based position of the first character of the LaTeX (for a notebook,
            within the cell).
        latex: the text, with comments and ``\\label``/``\\tag``/``\\nonumber`` blanked out.
        display: display math (a block) rather than inline math in running text.
        env: where it came from: "$", "$$", "\\[", "\\(", "math" (a fence), or an environment.
        rows: the rows of a multi-row block, each with its position.
        cell: the notebook cell (0-based), or None.
        context: the prose just before the equation (whitespace collapsed), for the words
            that decide what it is ("let", "if", "for a constant gradient").
        section: how many headings (Markdown ``#``, LaTeX ``\\section`` and the like) come
            before it: values set in a worked example hold until the next heading.
    """

    file: str
    line: int
    column: int
    latex: str
    display: bool
    env: str | None
    rows: tuple[Row, ...] = ()
    cell: int | None = None
    context: str = ""
    section: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Directive:
    """A ``mathcheck:`` comment: ``assume``, ``define``, ``skip``, ``expect wrong``, ``notation``."""

    file: str
    line: int
    verb: str
    argument: str


_DIRECTIVE = re.compile(r"mathcheck\s*:\s*(?P<body>.*)", re.DOTALL)


def directives_in(comment: str, *, file: str, line: int) -> list[Directive]:
    """The directives of one comment's text (``mathcheck: assume x > 0; skip``)."""
    m = _DIRECTIVE.search(comment)
    if not m:
        return []
    out = []
    for part in m.group("body").split(";"):
        part = " ".join(part.split())
        if not part:
            continue
        verb, _, argument = part.partition(" ")
        out.append(Directive(file=file, line=line, verb=verb.lower(), argument=argument.strip()))
    return out


class Positions:
    """Offsets of a text ↔ 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        k = bisect.bisect_right(self.starts, offset) - 1
        return k + 1, offset - self.starts[k] + 1


_ROW_ENVS = ("aligned", "align", "align*", "split", "gathered", "gather", "gather*", "multline",
             "multline*", "eqnarray", "eqnarray*", "flalign", "flalign*", "alignat", "alignat*",
             "equation", "equation*", "alignedat")
_BEGIN_END = re.compile(r"\\(begin|end)\s*\{([A-Za-z*]+)\}(\{[^{}]*\})?")
_STRIP = re.compile(r"\\(label|tag\*?)\s*\{[^{}]*\}|\\(nonumber|notag)\b")


def blank(text: str, pattern: re.Pattern[str]) -> str:
    """`text` with every match of `pattern` replaced by spaces (offsets are kept)."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def clean(latex: str) -> str:
    """Blank out ``\\label``, ``\\tag``, ``\\nonumber`` and ``\\notag``."""
    return blank(latex, _STRIP)


def split_rows(latex: str, offset: int, positions: Positions) -> tuple[Row, ...]:
    """Rows of a block at top-level ``\\\\`` (not inside braces or a matrix/cases environment).

    Row-making environments (``aligned``, ``align``, ``split``, ...) are see-through; their
    ``\\begin``/``\\end`` are dropped from the rows.
    """
    text = latex
    depth = 0
    env_stack: list[str] = []
    rows: list[tuple[int, int]] = []
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            m = _BEGIN_END.match(text, i)
            if m:
                kind, name = m.group(1), m.group(2)
                if kind == "begin":
                    env_stack.append(name)
                elif env_stack:
                    env_stack.pop()
                i = m.end()
                continue
            if text.startswith("\\\\", i):
                opaque = any(e not in _ROW_ENVS for e in env_stack)
                if depth == 0 and not opaque:
                    rows.append((start, i))
                    i += 2
                    # skip an optional spacing argument: \\[2pt]
                    m2 = re.match(r"\s*\[[^\]]*\]", text[i:])
                    if m2:
                        i += m2.end()
                    start = i
                    continue
                i += 2
                continue
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        i += 1
    rows.append((start, len(text)))
    out = []
    for a, b in rows:
        piece = blank(text[a:b], re.compile(r"\\(begin|end)\s*\{(" + "|".join(re.escape(e) for e in _ROW_ENVS)
                                            + r")\}(\{[^{}]*\})?"))
        stripped = piece.strip()
        if not stripped:
            continue
        lead = len(piece) - len(piece.lstrip())
        line, col = positions.at(offset + a + lead)
        out.append(Row(line=line, column=col, latex=stripped))
    return tuple(out)


_DISPLAY_END = re.compile(r"\$\$|\\\]|\\end\s*\{[A-Za-z*]+\}")


def after_displays(text: str) -> str:
    """The part of `text` after the last display that ends in it: the prose before an equation
    is what follows the equation before it, not that equation."""
    last = None
    for last in _DISPLAY_END.finditer(text):
        pass
    return text[last.end():] if last else text


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of a file, or a SourceError saying why not."""
    if b"\x00" in data[:8192]:
        raise SourceError("binary file, not text", path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(f"not UTF-8 text (byte {exc.start})", path=path, line=line) from None
    return text.lstrip("\ufeff")


__all__ = ["Directive", "Equation", "Positions", "Row", "after_displays", "blank", "clean", "decode", "directives_in", "split_rows"]
