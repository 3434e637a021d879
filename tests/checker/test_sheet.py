"""The cheat sheet: LaTeX that compiles, a PDF whose text has every title, Markdown, plots."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import formulas
import formulas.plots
from checker import sheet
from checker.catalog import verify_all
from checker.cli import main

needs_tex = pytest.mark.skipif(sheet.find_engine() is None or shutil.which("pdftotext") is None,
                               reason="needs a TeX engine and pdftotext (installed by .ci/run)")


@pytest.fixture(scope="module")
def results():
    return verify_all(list(formulas.CATALOG.values()), jobs=2)


def test_tex_has_every_title_topic_and_method(results):
    """The LaTeX sheet has a section per topic, every title, and how each was verified."""
    tex = sheet.to_tex(results, plots=formulas.plots.PLOTS)
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    for topic in formulas.TOPICS:
        assert f"\\section*{{\\normalsize {topic}}}" in tex
    for r in results:
        assert r.formula.title.split()[0] in tex
    assert "\\addplot" in tex and "symbolic" in tex


def test_unverified_formula_is_not_printed_as_verified(results):
    """A formula whose check failed is marked NOT VERIFIED on the sheet."""
    import dataclasses

    broken = dataclasses.replace(results[0], status="inconclusive")
    tex = sheet.to_tex([broken] + results[1:])
    assert "NOT VERIFIED" in tex


def test_markdown_sheet_uses_display_math(results):
    """The Markdown sheet has a heading per topic and $$ blocks."""
    md = sheet.to_markdown(results)
    assert md.count("$$") >= 2 * len(results)
    assert all(f"## {t}" in md for t in formulas.TOPICS)


def test_layout_options_are_validated():
    """Paper and columns are checked when the layout is built."""
    with pytest.raises(ValueError):
        sheet.Layout(paper="a3")
    with pytest.raises(ValueError):
        sheet.Layout(columns=4)


def test_pdf_without_tex_engine_says_how_to_install(monkeypatch, tmp_path, capsys):
    """Without latexmk or pdflatex, `sheet -o x.pdf` says so in one line and exits 2."""
    monkeypatch.setattr(sheet, "find_engine", lambda: None)
    code = main(["sheet", "-o", str(tmp_path / "s.pdf")])
    err = capsys.readouterr().err
    assert code == 2 and "no TeX engine found" in err and "apt-get install" in err
    assert len(err.strip().splitlines()) == 1


def _letters(text: str) -> str:
    """Letters and digits only, sub- and superscripts folded (x² and x$^2$ both read x2)."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).replace("\u02c6", "")
    return "".join(ch for ch in folded if ch.isalnum()).lower()


@pytest.mark.slow
@needs_tex
def test_full_sheet_compiles_and_every_title_is_in_the_pdf(tmp_path):
    """The whole catalog compiles to PDF; pdftotext finds every formula title."""
    out = tmp_path / "sheet.pdf"
    assert main(["sheet", "-o", str(out), "--with-derivations"]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = _letters(text)
    missing = [f.title for f in formulas.CATALOG.values() if _letters(f.title) not in flat]
    assert not missing, missing


@needs_tex
def test_derivation_latex_compiles_inside_a_document(tmp_path):
    """`derive sigmoid_derivative --latex` compiles inside a LaTeX document."""
    import derivations
    from checker.derivation import check_derivation, to_latex

    block = to_latex(check_derivation(derivations.get("sigmoid_derivative")))
    doc = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + block + "\\end{document}\n"
    sheet.compile_pdf(doc, tmp_path / "d.pdf")
    assert (tmp_path / "d.pdf").stat().st_size > 1000


@pytest.mark.parametrize("text", ["θₜ = θₜ₋₁ − α·m̂ₜ/(√v̂ₜ + ε)", "Ωω é ∑ ₓ 😀", "x̂ ̂ ŷ ᵀ"])
def test_text_for_latex_is_ascii(text):
    """Any Unicode in titles and findings becomes ASCII TeX, so pdflatex never meets an unknown glyph."""
    from checker.render import tex_text

    assert tex_text(text).isascii()


def test_every_sheet_is_ascii(results):
    """The whole sheet, derivations included, is ASCII TeX (pdflatex stops on unset Unicode)."""
    tex = sheet.to_tex(results, plots=formulas.plots.PLOTS)
    bad = sorted({ch for ch in tex if not ch.isascii()})
    assert not bad, f"non-ASCII characters in the sheet: {bad}"
