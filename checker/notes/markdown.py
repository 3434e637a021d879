"""Reading Markdown (and plain text): ``$...$``, ``$$...$$``, ```` ```math ```` fences,
``\\[ \\]`` and ``\\begin{align}`` blocks, and ``<!-- mathcheck: ... -->`` directives.

A CommonMark parser (markdown-it-py, with the dollarmath and amsmath plugins of
mdit-py-plugins) decides what is code and what is text, so code blocks and inline code are
never read as mathematics, and a currency amount ("$5 and $6") is not a formula. Positions
come from the parser's line maps and a search of each math span in its source lines.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from checker.errors import SourceError
from checker.notes._model import Directive, Equation, Positions, after_displays, clean, directives_in, split_rows
from checker.notes.latex import read_latex



def _comments(source: str) -> list[tuple[int, str]]:
    """(offset, body) of every complete ``<!-- ... -->``, in one pass.

    What ``re.finditer(r"<!--(.*?)-->")`` finds, without its quadratic time on a text of
    many unclosed ``<!--`` (each start would scan to the end of the text).
    """
    out = []
    i = 0
    while True:
        start = source.find("<!--", i)
        if start < 0:
            return out
        end = source.find("-->", start + 4)
        if end < 0:
            return out
        out.append((start, source[start + 4:end]))
        i = end + 3


#: Block nesting markdown-it follows. Past it, markdown-it silently drops the rest of the
#: document (the CommonMark preset's 20 is reached by ten nested lists); deeper than this,
#: the reader says so instead of losing equations.
MAX_NESTING = 60


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = (MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})
          .use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
          .use(amsmath_plugin))
    return md


def _check_nesting(tokens: list[Any], file: str) -> None:
    """A SourceError where markdown-it gave up for nesting (it reads nothing after that point)."""
    for tok in tokens:
        if tok.level >= MAX_NESTING - 1:
            line = tok.map[0] + 1 if tok.map else None
            raise SourceError(f"nested more than {MAX_NESTING} levels deep (lists, quotes); not read", path=file,
                              line=line)


def read_markdown(text: str, *, file: str, cell: int | None = None) -> list[Equation | Directive]:
    """Equations and directives of a Markdown text, in order."""
    positions = Positions(text)
    lines = text.split("\n")
    line_starts = positions.starts
    out: list[tuple[int, int, Equation | Directive]] = []

    def offset_of(line0: int) -> int:
        return line_starts[line0] if line0 < len(line_starts) else len(text)

    tokens = _parser().parse(text)
    _check_nesting(tokens, file)
    section = 0
    for tok in tokens:
        if tok.type == "heading_open":
            section += 1
        if tok.map is None:
            continue
        first, last = tok.map
        block_start, block_end = offset_of(first), offset_of(last)
        source = text[block_start:block_end]
        before = _prose_before(text, block_start)
        if tok.type in ("math_block", "math_block_label"):
            eq = _display(text, source, block_start, positions, "$$", file, cell)
            out.append((block_start, 0, replace(eq, context=before, section=section)))
        elif tok.type == "amsmath":
            eq = _display(text, source, block_start, positions, "amsmath", file, cell)
            out.append((block_start, 0, replace(eq, context=before, section=section)))
        elif tok.type == "fence" and tok.info.strip().lower() == "math":
            body_start = offset_of(first + 1)
            body = tok.content
            eq = _equation(body, body_start, positions, "math", True, file, cell)
            out.append((block_start, 0, replace(eq, context=before, section=section)))
        elif tok.type == "html_block":
            for at, body in _comments(source):
                line, _ = positions.at(block_start + at)
                for d in directives_in(body, file=file, line=line):
                    out.append((block_start + at, 0, d))
        elif tok.type == "inline":
            out.extend((at, k, replace(item, section=section) if isinstance(item, Equation) else item)
                       for at, k, item in _inline(tok, source, block_start, positions, file, cell))
    out.sort(key=lambda t: (t[0], t[1]))
    del lines
    return [item for _, _, item in out]


#: How much prose before a display is kept as its context.
CONTEXT_CHARS = 200


def _prose_before(text: str, start: int) -> str:
    """The prose just before offset `start` (at most CONTEXT_CHARS, and nothing of a display
    before it), whitespace collapsed."""
    return " ".join(after_displays(text[max(0, start - CONTEXT_CHARS):start]).split())


def _equation(latex: str, start: int, positions: Positions, env: str, display: bool, file: str,
              cell: int | None) -> Equation:
    body = clean(latex)
    lead = len(body) - len(body.lstrip())
    line, col = positions.at(start + lead)
    rows = split_rows(body, start, positions) if display else ()
    return Equation(file=file, line=line, column=col, latex=body.strip(), display=display, env=env, rows=rows,
                    cell=cell)


def _display(text: str, source: str, block_start: int, positions: Positions, env: str, file: str,
             cell: int | None) -> Equation:
    """A ``$$`` or amsmath block: find its body inside the block's source lines."""
    if env == "$$":
        a = source.find("$$")
        b = source.rfind("$$")
        if a >= 0 and b > a:
            return _equation(source[a + 2:b], block_start + a + 2, positions, "$$", True, file, cell)
        return _equation(source, block_start, positions, "$$", True, file, cell)
    name = re.match(r"\s*\\begin\{([A-Za-z*]+)\}", source)
    return _equation(source, block_start, positions, name.group(1) if name else "amsmath", True, file, cell)


def _inline(tok: Any, source: str, block_start: int, positions: Positions, file: str,
            cell: int | None) -> list[tuple[int, int, Equation | Directive]]:
    """Inline math of a paragraph, located in its source; also ``\\[ \\]`` and comments in it."""
    out: list[tuple[int, int, Equation | Directive]] = []
    cursor = 0
    for k, child in enumerate(tok.children or []):
        if child.type in ("math_inline", "math_inline_double"):
            delim = "$$" if child.type == "math_inline_double" else "$"
            needle = delim + child.content
            at = source.find(needle, cursor)
            if at < 0:
                continue
            start = block_start + at + len(delim)
            cursor = at + len(needle)
            display = child.type == "math_inline_double"
            eq = _equation(child.content, start, positions, delim, display, file, cell)
            before = " ".join(source[max(0, at - 80):at].split())
            out.append((start, k, replace(eq, context=before)))
        elif child.type == "html_inline":
            found = _comments(child.content)
            if found:
                at = source.find(child.content, cursor)
                line, _ = positions.at(block_start + max(at, 0))
                for d in directives_in(found[0][1], file=file, line=line):
                    out.append((block_start + max(at, 0), k, d))
    # \[ ... \] and \( ... \) are escapes in CommonMark; read them from the raw source
    if "\\[" in source or "\\(" in source:
        for item in read_latex(_only_brackets(source), file=file):
            if isinstance(item, Equation):
                line, col = item.line, item.column
                offset = Positions(source).starts[line - 1] + col - 1
                out.append((block_start + offset, 0, _equation(item.latex, block_start + offset, positions,
                                                               item.env or "\\[", item.display, file, cell)))
    return out


def _only_brackets(source: str) -> str:
    """`source` with dollars blanked, so only bracket delimiters are read from it."""
    return source.replace("$", " ")


__all__ = ["read_markdown"]
