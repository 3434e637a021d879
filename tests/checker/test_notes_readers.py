"""Readers of notes: exact positions, code is not math, directives, notebooks, bad input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from checker.errors import SourceError
from checker.notes import Directive, Equation, iter_sources, read_path

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def equations(items):
    return [i for i in items if isinstance(i, Equation)]


def test_markdown_positions_of_each_delimiter(tmp_path):
    """Inline $, display $$ (own lines or one line) and ```math fences keep exact line and column."""
    text = ("# Title\n"
            "Let $x = 1$ and $y = 2$.\n"
            "\n"
            "$$\n"
            "a = b\n"
            "$$\n"
            "\n"
            "$$c^2 = d$$\n"
            "\n"
            "```math\n"
            "e = f\n"
            "```\n")
    f = tmp_path / "n.md"
    f.write_text(text)
    eqs = equations(read_path(f))
    assert [(e.latex, e.line, e.column, e.display) for e in eqs] == [
        ("x = 1", 2, 6, False), ("y = 2", 2, 18, False), ("a = b", 5, 1, True),
        ("c^2 = d", 8, 3, True), ("e = f", 11, 1, True)]


def test_code_is_never_math_and_currency_is_not_math(tmp_path):
    """Code blocks, inline code and dollar amounts are not read as equations."""
    f = tmp_path / "n.md"
    f.write_text("It costs $5 and $6 today.\n\n`$a = b$`\n\n```python\nx = '$c = d$'\n```\n\n    $e = f$\n")
    assert equations(read_path(f)) == []


def test_markdown_directives_in_html_comments(tmp_path):
    """<!-- mathcheck: ... --> comments become directives, several per comment."""
    f = tmp_path / "n.md"
    f.write_text("<!-- mathcheck: assume 0 < p < 1; expect wrong -->\n\n$$p = p^2$$\n")
    items = read_path(f)
    assert [(d.verb, d.argument, d.line) for d in items if isinstance(d, Directive)] == [
        ("assume", "0 < p < 1", 1), ("expect", "wrong", 1)]


def test_markdown_align_block_rows_have_their_own_lines(tmp_path):
    """A \\begin{align} block in Markdown is split into rows with their lines."""
    f = tmp_path / "n.md"
    f.write_text("Text\n\n\\begin{align}\nf(x) &= (x+1)^2 \\\\\n  &= x^2 + 2x + 1\n\\end{align}\n")
    (eq,) = equations(read_path(f))
    assert [(r.line, r.latex) for r in eq.rows] == [(4, "f(x) &= (x+1)^2"), (5, "&= x^2 + 2x + 1")]


def test_latex_environments_comments_labels(tmp_path):
    """LaTeX: \\[ \\], equation*, align rows; comments, \\label and \\tag are removed."""
    f = tmp_path / "n.tex"
    f.write_text("\\section{A}\n"
                 "% a comment with $x = 2$ inside\n"
                 "\\[ a = b \\]\n"
                 "\\begin{equation*}\\label{eq:1}\n"
                 "  c = d \\tag{3} % trailing comment\n"
                 "\\end{equation*}\n"
                 "\\begin{align}\n"
                 "  e &= f \\nonumber\\\\\n"
                 "    &= g\n"
                 "\\end{align}\n"
                 "% mathcheck: skip\n"
                 "\\begin{verbatim}$h = i$\\end{verbatim}\n")
    items = read_path(f)
    eqs = equations(items)
    assert [e.env for e in eqs] == ["\\[", "equation*", "align"]
    assert eqs[0].line == 3 and eqs[0].latex == "a = b"
    assert eqs[1].latex == "c = d" and eqs[1].line == 5
    assert [(r.line, r.latex) for r in eqs[2].rows] == [(8, "e &= f"), (9, "&= g")]
    assert [(d.verb, d.line) for d in items if isinstance(d, Directive)] == [("skip", 11)]


def test_notebook_markdown_cells_with_cell_and_line(tmp_path):
    """Notebook: only Markdown cells; line is within the cell."""
    nb = {"cells": [{"cell_type": "code", "source": ["x = '$a = b$'"]},
                    {"cell_type": "markdown", "source": ["Intro\n", "\n", "$$c = d$$\n"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    f = tmp_path / "n.ipynb"
    f.write_text(json.dumps(nb))
    (eq,) = equations(read_path(f))
    assert (eq.cell, eq.line, eq.latex) == (1, 3, "c = d")


def test_plain_text_is_read_as_markdown_and_stdin_works(tmp_path):
    """A .txt file is Markdown; text given for '-' is read too."""
    f = tmp_path / "n.txt"
    f.write_text("Take $a + a = 2a$.\n")
    assert equations(read_path(f))[0].latex == "a + a = 2a"
    assert equations(read_path("-", text="$$b = b$$\n"))[0].latex == "b = b"


def test_folders_expand_with_include_and_exclude(tmp_path):
    """Folders are walked in sorted order, filtered by include/exclude globs."""
    (tmp_path / "b.md").write_text("$x$")
    (tmp_path / "a.tex").write_text("$x$")
    (tmp_path / "skip.py").write_text("")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "c.md").write_text("$x$")
    found = iter_sources([str(tmp_path)], exclude=("drafts",))
    assert [Path(p).name for p in found] == ["a.tex", "b.md"]
    with pytest.raises(SourceError, match="no such file"):
        iter_sources([str(tmp_path / "missing.md")])


@pytest.mark.parametrize("name,content,needle", [
    ("bad.md", b"caf\xe9 $x$", "not UTF-8"),
    ("bin.md", b"\x00\x01\x02binary", "binary"),
    ("bad.ipynb", b'{"cells": [', "not a valid notebook"),
    ("open.tex", b"\\begin{align}\na = b\n", "unterminated"),
    ("open2.tex", b"text $$ a = b\n", "unterminated"),
])
def test_bad_input_is_a_clear_source_error(tmp_path, name, content, needle):
    """Invalid UTF-8, binary files, broken notebooks, unterminated math: one clear error with file."""
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(SourceError) as err:
        read_path(f)
    assert needle in str(err.value) and name in str(err.value)


def test_huge_and_deeply_nested_input_reads_quickly(tmp_path):
    """A 1 MB file and 10 000 nested braces are read without a crash, quickly."""
    big = tmp_path / "big.md"
    big.write_text(("Some text $x = 1$ here.\n" * 45000)[:1_000_000])
    deep = tmp_path / "deep.md"
    deep.write_text("$$" + "{" * 10000 + "x" + "}" * 10000 + "$$\n")
    start = time.process_time()  # CPU time: a busy machine does not make the reading slower
    assert len(equations(read_path(big))) > 10000
    assert len(equations(read_path(deep))) == 1
    assert time.process_time() - start < 30


@pytest.mark.skipif(not (SHARED / "corpus" / "notes").is_dir(), reason="needs ../shared/corpus")
def test_real_notes_read_without_error_at_the_corpus_lines():
    """Every real notes file reads; equations start at the lines the corpus records."""
    notes = SHARED / "corpus" / "notes"
    records = [json.loads(line) for line in (SHARED / "corpus" / "real_notes.jsonl").read_text().splitlines()]
    for path in sorted(notes.iterdir()):
        eqs = equations(read_path(path))
        assert eqs, path.name
        repo, _, rel = path.name.partition("__")
        expected = {r["line"] for r in records if r["path"].endswith(rel) and r["source_repo"].endswith(repo.split("-")[0])
                    or r["path"].replace("/", "__").endswith(rel)}
        if expected:
            # the corpus points at the opening delimiter; equations start on that line or the next
            found = {e.line for e in eqs} | {e.line - 1 for e in eqs}
            share = len(expected & found) / len(expected)
            assert share >= 0.8, (path.name, share)
