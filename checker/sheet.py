"""The cheat sheet: every formula of a catalog run, grouped by topic, with how it was verified.

Built from the verification results of the run that writes it, so a formula whose check
fails is never printed as verified. Outputs: standalone LaTeX (compiles with pdflatex;
plots drawn by pgfplots from the SymPy expressions, so the sheet needs no image files),
a PDF through the TeX engine found on the machine, and Markdown with ``$$`` math.

Works on results shaped like `checker.catalog.FormulaResult` and
`checker.derivation.DerivationResult` (duck typing): `checker` does not import `formulas`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy as sp

from checker.derivation import to_latex as derivation_latex
from checker.errors import MathcheckError
from checker.render import latex_of, pgf_of, tex_text

#: Marks of the verification methods, as printed on the sheet.
METHOD_MARKS = {"symbolic": "symbolic", "finite-difference": "finite differences", "numeric": "numeric"}
#: The same, as the short badges of the PDF (explained in its header).
METHOD_BADGES = {"symbolic": "S", "finite-difference": "FD", "numeric": "N"}


class NoTexEngine(MathcheckError, RuntimeError):
    """No TeX engine on the machine: the message says how to install one."""


class TexFailed(MathcheckError, RuntimeError):
    """The TeX engine ran but failed; the message carries the end of its log."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    paper: str = "a4"          # "a4" or "letter"
    landscape: bool = True
    columns: int = 3

    def __post_init__(self) -> None:
        if self.paper not in ("a4", "letter"):
            raise ValueError(f"Layout(paper={self.paper!r}): 'a4' or 'letter'")
        if self.columns not in (1, 2, 3):
            raise ValueError(f"Layout(columns={self.columns!r}): 1, 2 or 3")


@dataclass(frozen=True, slots=True, kw_only=True)
class Plot:
    """A small pgfplots axis: each curve a SymPy expression in `var` with a legend entry."""

    title: str
    var: sp.Symbol
    domain: tuple[float, float]
    curves: tuple[tuple[str, Any], ...]
    ymin: float | None = None
    ymax: float | None = None


# --- LaTeX ------------------------------------------------------------------------------

_PREAMBLE = r"""\documentclass[9pt]{extarticle}
\input{glyphtounicode}\pdfgentounicode=1
\usepackage[%(paper)spaper,%(orient)smargin=1.1cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{multicol}
\usepackage{graphicx,calc}
\usepackage{xcolor}
\usepackage{pgfplots}
\pgfplotsset{compat=1.16}
\setlength{\columnsep}{2em}
\setlength{\columnseprule}{0.3pt}
\renewcommand{\columnseprulecolor}{\color{black!15}}
\setlength{\parindent}{0pt}
\newcommand{\fitmath}[1]{\resizebox{\ifdim\width>\columnwidth\columnwidth\else\width\fi}{!}{$\displaystyle #1$}}
\newcommand{\strike}[1]{\textcolor{red!70!black}{\rlap{\rule[0.55ex]{\widthof{#1}}{0.4pt}}#1}}
\newcommand{\entry}[3]{\par\smallskip{\raggedright\textbf{#1}\nobreak\hfill\penalty50\hskip1em\null\nobreak\hfill\mbox{#3}\par}\nopagebreak{\scriptsize\textcolor{black!60}{#2}}\par\nopagebreak}
\newcommand{\badge}[1]{\kern1pt\fcolorbox{green!45!black}{green!6}{\tiny\textsf{\textcolor{green!30!black}{#1}}}}
\newcommand{\badfinding}{\kern1pt\fcolorbox{red!60!black}{red!5}{\tiny\textsf{\textcolor{red!60!black}{finding}}}}
\setlength{\fboxsep}{1.2pt}\setlength{\fboxrule}{0.4pt}
\begin{document}
\pagestyle{empty}
"""


def _methods(r: Any) -> str:
    if r.status == "verified" or r.status == "finding":
        return ", ".join(METHOD_MARKS.get(m, m) for m in r.methods) or "verified"
    return r.status.upper()


def _badges(r: Any) -> str:
    if r.status not in ("verified", "finding"):
        return r"{\scriptsize\textsf{\textcolor{red}{NOT VERIFIED: " + tex_text(r.status) + "}}}"
    out = "".join(rf"\badge{{{METHOD_BADGES.get(m, tex_text(m))}}}" for m in r.methods) or r"\badge{verified}"
    return out + (r"\badfinding" if r.status == "finding" else "")


def _formula_tex(r: Any) -> str:
    f = r.formula
    mark = _badges(r)
    sources = tex_text("; ".join(f.sources))
    body = [rf"\entry{{{tex_text(f.title)}}}{{{sources}}}{{{mark}}}",
            rf"\fitmath{{{getattr(f, 'latex', None) or latex_of(f.statement)}}}\par"]
    for finding in r.findings:
        ev = finding.evidence
        written = _as_written(r, ev)
        body.append(r"{\scriptsize\textcolor{red!70!black}{" + tex_text(ev.get("source", "")) + r" writes} "
                    + " ".join(rf"\strike{{{tex_text(word)}}}" for word in written.split())
                    + r" \textcolor{green!30!black}{$\Rightarrow$ " + tex_text(_short(ev.get("correct", ""), 200))
                    + r"}\par}")
    return "\n".join(body)


def _as_written(r: Any, evidence: dict[str, Any]) -> str:
    """The document's own form behind a finding (its description), else the check's name."""
    for w in getattr(r.formula, "as_written", ()):
        if w.name == evidence.get("check"):
            return w.description
    return str(evidence.get("check", ""))


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _derivation_tex(d: Any) -> str:
    """A derivation for a narrow column: each step, then its rule in small grey text under it,
    scaled down to the column width when a step is wider."""
    badge = r"\badge{every step verified}" if d.ok else r"{\scriptsize\textsf{\textcolor{red}{NOT every step verified}}}"
    head = rf"\entry{{{tex_text(d.derivation.title)}}}{{{tex_text(', '.join(d.derivation.supports))}}}{{{badge}}}"
    rows = []
    for step in d.steps:
        verdict = step.verdict
        unverified = verdict is not None and verdict.status.value != "verified"
        rule = tex_text(step.rule) + (r" \textcolor{red}{(not verified)}" if unverified else "")
        rows.append(step.row)
        rows.append(r"& \qquad\text{\scriptsize\textcolor{black!60}{" + rule + "}}")
    return head + "\n" + r"\fitmath{\begin{aligned}" + " \\\\\n".join(rows) + r"\end{aligned}}\par"


def _plot_tex(p: Plot) -> str:
    lo, hi = p.domain
    opts = [f"domain={lo}:{hi}", "samples=81", "width=\\columnwidth", "height=3.1cm",
            "axis lines=middle", "legend style={font=\\tiny, draw=none, fill=none, at={(0.5,1.0)}, anchor=south, /tikz/every even column/.append style={column sep=0.6em}}",
            "legend columns=-1", "title style={yshift=2.2ex}",
            "tick label style={font=\\tiny}", f"title={{\\scriptsize {tex_text(p.title)}}}", "no markers"]
    if p.ymin is not None:
        opts.append(f"ymin={p.ymin}")
    if p.ymax is not None:
        opts.append(f"ymax={p.ymax}")
    lines = [r"\begin{center}\begin{tikzpicture}", r"\begin{axis}[" + ", ".join(opts) + "]"]
    styles = ("thick, blue", "thick, red, dashed", "thick, black!60!green, dotted")
    for k, (label, expr) in enumerate(p.curves):
        lines.append(rf"\addplot[{styles[k % len(styles)]}] {{{pgf_of(expr, p.var)}}};")
        lines.append(rf"\addlegendentry{{${label}$}}")
    lines += [r"\end{axis}", r"\end{tikzpicture}\end{center}"]
    return "\n".join(lines)


def to_tex(results: Sequence[Any], *, layout: Layout = Layout(), plots: Sequence[tuple[str, Plot]] = (),
           derivations: Sequence[Any] = (), title: str = "Mathematics of machine learning: a checked cheat sheet") -> str:
    """The standalone LaTeX document of the sheet."""
    doc = [_PREAMBLE % {"paper": layout.paper, "orient": "landscape," if layout.landscape else ""}]
    n_ok = sum(1 for r in results if r.status in ("verified", "finding"))
    doc.append(r"{\large\textbf{" + tex_text(title) + r"}}\hfill{\small "
               + tex_text(f"{n_ok} of {len(results)} formulas machine-checked by mathcheck") + r"}\par"
               + r"{\scriptsize\textcolor{black!70}{how each was checked:\enspace \badge{S} symbolic proof \quad "
               r"\badge{FD} finite differences (derivatives) \quad \badge{N} numeric sampling (evidence, not proof)"
               r" \quad \badfinding{} a source is wrong as written: its form struck out, then the correct one}}"
               + r"\par\medskip")
    cols = layout.columns
    if cols > 1:
        doc.append(rf"\begin{{multicols}}{{{cols}}}")
    topic = None
    plots_by_topic: dict[str, list[Plot]] = {}
    for t, p in plots:
        plots_by_topic.setdefault(t, []).append(p)
    for r in results:
        if r.formula.topic != topic:
            topic = r.formula.topic
            doc.append(rf"\section*{{\normalsize {tex_text(topic)}}}")
            for p in plots_by_topic.get(topic, []):
                doc.append(_plot_tex(p))
        doc.append(_formula_tex(r))
    if derivations:
        doc.append(r"\section*{\normalsize Derivations}")
        for d in derivations:
            doc.append(_derivation_tex(d))
    if cols > 1:
        doc.append(r"\end{multicols}")
    doc.append(r"\end{document}")
    return "\n".join(doc) + "\n"


# --- Markdown ----------------------------------------------------------------------------

def to_markdown(results: Sequence[Any], *, derivations: Sequence[Any] = (),
                title: str = "Mathematics of machine learning: a checked cheat sheet") -> str:
    """The sheet as Markdown with ``$$`` math (GitHub renders it)."""
    out = [f"# {title}", "",
           f"{sum(1 for r in results if r.status in ('verified', 'finding'))} of {len(results)} formulas "
           "machine-checked by mathcheck; each entry says how.", ""]
    topic = None
    for r in results:
        f = r.formula
        if f.topic != topic:
            topic = f.topic
            out += [f"## {topic}", ""]
        out.append(f"**{f.title}** ({'; '.join(f.sources)}): *{_methods(r)}*")
        out += ["", "$$", getattr(f, "latex", None) or latex_of(f.statement), "$$", ""]
        for finding in r.findings:
            ev = finding.evidence
            out += [f"> **Finding** ({ev.get('source', '')} writes): ~~{_as_written(r, ev)}~~ → {ev.get('correct', '')}  ",
                    f"> {ev.get('at', '')}", ""]
    if derivations:
        out += ["## Derivations", ""]
        for d in derivations:
            out += [f"**{d.derivation.title}** ({', '.join(d.derivation.supports)})", "", "$$",
                    _markdown_math(derivation_latex(d).strip()), "$$", ""]
    return "\n".join(out)


def _markdown_math(block: str) -> str:
    """An ``align*`` block as GitHub's ``$$`` math takes it: ``aligned``, and no ``$`` inside ``\\text{}``
    (a ``$`` there would end the math block for the Markdown parser)."""
    block = block.replace(r"\begin{align*}", r"\begin{aligned}").replace(r"\end{align*}", r"\end{aligned}")
    return re.sub(r"\\text\{((?:[^{}]|\{[^{}]*\})*)\}", _text_without_dollars, block)


def _text_without_dollars(m: re.Match[str]) -> str:
    parts = m.group(1).split("$")
    return "".join(rf"\text{{{p}}}" if k % 2 == 0 else p for k, p in enumerate(parts) if p)


# --- PDF ---------------------------------------------------------------------------------

def find_engine() -> list[str] | None:
    """The command to compile with: latexmk if installed, else pdflatex; None if neither."""
    if shutil.which("latexmk") and shutil.which("pdflatex"):
        return ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-quiet"]
    if shutil.which("pdflatex"):
        return ["pdflatex", "-interaction=nonstopmode", "-halt-on-error"]
    return None


INSTALL_HINT = ("no TeX engine found (latexmk or pdflatex); install one, e.g. on Debian/Ubuntu: "
                "sudo apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures "
                "latexmk")


def compile_pdf(tex: str, output: Path, *, timeout: float = 300) -> None:
    """Compile `tex` to the PDF `output`, in a temporary directory.

    Raises:
        NoTexEngine: no engine on the machine.
        TexFailed: the engine failed; the message has the end of the log.
    """
    engine = find_engine()
    if engine is None:
        raise NoTexEngine(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="mathcheck-sheet-") as tmp:
        src = Path(tmp) / "sheet.tex"
        src.write_text(tex, encoding="utf-8")
        runs = 1 if engine[0] == "latexmk" else 2
        for _ in range(runs):
            try:
                proc = subprocess.run(engine + ["sheet.tex"], cwd=tmp, capture_output=True, text=True,
                                      timeout=timeout, env={**os.environ, "TEXINPUTS": ".:"}, check=False)
            except subprocess.TimeoutExpired:
                raise TexFailed(f"{engine[0]} took longer than {timeout:g} s") from None
            if proc.returncode != 0:
                log = (Path(tmp) / "sheet.log")
                tail = log.read_text(errors="replace")[-1500:] if log.exists() else proc.stdout[-1500:]
                raise TexFailed(f"{engine[0]} failed:\n{tail}")
        shutil.copyfile(Path(tmp) / "sheet.pdf", output)


__all__ = ["INSTALL_HINT", "Layout", "NoTexEngine", "Plot", "TexFailed", "compile_pdf", "find_engine",
           "to_markdown", "to_tex"]
