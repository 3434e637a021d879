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


def _result(results, formula_id):
    return next(r for r in results if r.formula.id == formula_id)


def test_badges_follow_the_methods_of_the_run(results):
    """An entry's badges are the methods its checks used; a failed formula gets none and says NOT VERIFIED."""
    import dataclasses

    r = _result(results, "act.sigmoid_derivative")
    assert set(r.methods) == {"symbolic", "finite-difference"}
    assert "\\badge{S}" in sheet._badges(r) and "\\badge{FD}" in sheet._badges(r)
    assert "\\badge{N}" not in sheet._badges(r)
    wrong = dataclasses.replace(r, status="wrong")
    assert "\\badge" not in sheet._badges(wrong) and "NOT VERIFIED" in sheet._badges(wrong)


def test_finding_shows_the_document_form_struck_out_beside_the_correct_form(results):
    """A finding prints the document's own form struck through, then the correct form; Markdown uses ~~."""
    r = _result(results, "opt.adam_as_written")
    assert r.status == "finding"
    written = formulas.get("opt.adam_as_written").as_written[0]
    tex = sheet._formula_tex(r)
    struck = [w for w in written.description.split()]
    assert all(f"\\strike{{{sheet.tex_text(w)}}}" in tex for w in struck)
    assert "$\\Rightarrow$" in tex and sheet.tex_text(written.correct[:30]) in tex
    md = sheet.to_markdown([r])
    assert f"~~{written.description}~~ → {written.correct}" in md


def test_layout_options_reach_the_document(results):
    """Paper, orientation and columns are the document's geometry and multicols."""
    some = results[:3]
    tex = sheet.to_tex(some, layout=sheet.Layout(paper="letter", landscape=False, columns=2))
    assert "letterpaper" in tex and "landscape" not in tex and "\\begin{multicols}{2}" in tex
    tex = sheet.to_tex(some, layout=sheet.Layout(columns=1))
    assert "a4paper" in tex and "landscape" in tex and "multicols}" not in tex.split("\\begin{document}")[1]


def test_topic_option_picks_sections(tmp_path):
    """`sheet --topic losses -o x.tex` has the Losses section and no other."""
    out = tmp_path / "losses.tex"
    assert main(["sheet", "-o", str(out), "--topic", "losses"]) == 0
    tex = out.read_text()
    assert "\\section*{\\normalsize Losses}" in tex
    assert tex.count("\\section*{") == 1
    assert "Hinge loss" in tex and "Sigmoid" not in tex


def test_markdown_output_from_the_command_line(tmp_path):
    """`sheet -o x.md` writes Markdown with $$ blocks for the chosen topic."""
    out = tmp_path / "sheet.md"
    assert main(["sheet", "-o", str(out), "--topic", "information"]) == 0
    md = out.read_text()
    assert md.startswith("# ") and "## Information theory" in md
    assert "D_{\\mathrm{KL}}\\left(P \\parallel Q\\right)" in md


def test_plots_draw_the_checked_formulas():
    """The sigmoid curves are the catalog's sigmoid and its checked derivative, not look-alikes."""
    import sympy as sp

    from checker.functions import unfold

    plot = next(p for t, p in formulas.plots.PLOTS if p.title.startswith("sigmoid"))
    (_, curve), (_, slope) = plot.curves
    stated = formulas.get("act.sigmoid").statement.rhs
    derivative = unfold(formulas.get("act.sigmoid_derivative").statement.rhs)
    zs = formulas.get("act.sigmoid").statement.rhs.free_symbols
    for value in (-3.0, -0.5, 0.0, 1.2, 4.0):
        at = {plot.var: value}
        assert abs(float(curve.subs(at)) - float(stated.subs({s: value for s in zs}))) < 1e-12
        assert abs(float(slope.subs(at)) - float(derivative.subs({sp.Symbol("x", real=True): value}))) < 1e-12
    assert abs(float(slope.subs({plot.var: 1.0})) - float(curve.subs({plot.var: 1.0}))) > 0.1


def test_pgf_printer_writes_pgfmath():
    """Curves become pgfmath: exp, ln, ifthenelse for pieces; a second free symbol is refused."""
    import sympy as sp

    from checker.render import pgf_of

    x = sp.Symbol("x", real=True)
    assert pgf_of(1 / (1 + sp.exp(-x)), x) == "(1/(1 + exp(-x)))"
    assert pgf_of(-sp.log(x), x) == "-ln(x)"
    assert pgf_of(sp.Piecewise((x, x > 0), (0, True)), x) == "ifthenelse((x > 0), x, 0)"
    with pytest.raises(ValueError):
        pgf_of(x + sp.Symbol("a"), x)


def test_markdown_derivations_are_github_math():
    """Derivations in Markdown are `aligned` blocks with no `$` inside, which would end GitHub's math block."""
    import derivations
    from checker.derivation import check_derivation

    d = check_derivation(derivations.get("sigmoid_derivative"))
    md = sheet.to_markdown([], derivations=[d])
    block = md.split("$$")[1]
    assert "\\begin{aligned}" in block and "align*" not in block
    assert "$" not in block and "\\text{definition of }\\sigma" in block
