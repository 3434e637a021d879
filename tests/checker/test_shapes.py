"""Shapes by inference, norms, gradients with respect to vectors, in notes and in the notation layer."""

from __future__ import annotations

import pytest
import sympy as sp

from checker.cli import main
from checker.notation import Notation, ParseError, parse_latex
from checker.shapes import gradients, kinds, norms


def _names(text: str) -> dict[str, str]:
    return kinds(text, lambda span: parse_latex(span, notation=Notation(infer=False)).sides[0].name)


def test_kinds_come_from_use():
    """Bold lowercase is a vector, a capital next to a vector is a matrix, X^T X makes X a matrix."""
    assert _names(r"W \mathbf{h} + \mathbf{b}") == {"W": "matrix", "h": "vector", "b": "vector"}
    assert _names(r"X^\top X") == {"X": "matrix"}
    assert _names(r"w^\top x") == {"w": "vector", "x": "vector"}
    assert _names(r"\Omega(\mathbf{w})") == {"w": "vector"}  # a function of w, not a matrix Ω
    assert _names(r"a + b") == {}


def test_a_bold_capital_before_a_function_is_an_operator():
    """\\mathbf{H} f(x, y) is the Hessian of f, not a matrix H times the number f(x, y): not read
    (a wrong verdict would compare a random matrix with the notes' Hessian); W σ(z) is a product."""
    with pytest.raises(ParseError, match="operator"):
        parse_latex(r"\mathbf{H} f(x, y) = \begin{pmatrix} 2y & 2x \\ 2x & 1 \end{pmatrix}")
    assert _names(r"\mathbf{W} \sigma(\mathbf{z})") == {"W": "matrix", "z": "vector"}


def test_sizes_are_unified_by_products_and_sums():
    """In W h + b the rows of W are the size of b and its columns the size of h."""
    (side,) = parse_latex(r"W \mathbf{h} + \mathbf{b}").sides
    W = next(m for m in side.atoms(sp.MatrixSymbol) if m.name == "W")
    h = next(m for m in side.atoms(sp.MatrixSymbol) if m.name == "h")
    b = next(m for m in side.atoms(sp.MatrixSymbol) if m.name == "b")
    assert W.shape[1] == h.shape[0] and W.shape[0] == b.shape[0]


def test_a_declared_size_wins_and_a_contradiction_is_not_read():
    """With x ∈ ℝ^n and y ∈ ℝ^m declared, x^T y is not read (no guess of n = m)."""
    declared = Notation(shapes=(("x", ("n", 1)), ("y", ("m", 1))))
    with pytest.raises(ParseError):
        parse_latex(r"\mathbf{x}^\top \mathbf{y}", notation=declared)
    (side,) = parse_latex(r"\mathbf{x}^\top \mathbf{z}", notation=declared).sides
    assert {m.shape for m in side.atoms(sp.MatrixSymbol)} == {(sp.Symbol("n", integer=True, positive=True), 1)}


def test_norms_and_gradients_are_rewritten_but_a_divergence_bar_is_not():
    """‖x‖₂², ‖A‖_F and ∇_w J become calls and ∂-fractions; D_KL(p ‖ q) keeps its bar (it is a divergence)."""
    assert "normtwo" in norms(r"\| \mathbf{w} \|_2^2") and "normfro" in norms(r"\lVert A \rVert_F")
    assert norms(r"D_{KL}(p \| q)") == r"D_{KL}(p \| q)"
    assert "KL" in str(parse_latex(r"D_{\mathrm{KL}}(p \,\|\, q) = 0").sides[0])
    assert gradients(r"\nabla_{\mathbf{w}} J = 0") == r"\frac{\partial J}{\partial \mathbf{w}} = 0"
    assert "nabla" in gradients(r"\nabla_{\mathbf{w}} J(\mathbf{w}_t)")  # at another point: left alone
    with pytest.raises(ParseError):
        parse_latex(r"\nabla J = 0")


NOTES = r"""# Least squares

Stack the inputs in $X \in \mathbb{R}^{m \times n}$ and the targets in $\mathbf{y} \in \mathbb{R}^{m}$.

$$ J(\mathbf{w}) = \frac{1}{m} \| X\mathbf{w} - \mathbf{y} \|_2^2 $$

$$ J(\mathbf{w}) = \frac{1}{m} (X\mathbf{w} - \mathbf{y})^\top (X\mathbf{w} - \mathbf{y}) $$

$$ \nabla_{\mathbf{w}} J = \frac{2}{m} X^\top (X\mathbf{w} - \mathbf{y}) $$

$$ \nabla_{\mathbf{w}} J = \frac{1}{m} X^\top (X\mathbf{w} - \mathbf{y}) $$

$$ \Omega(\mathbf{w}) = \| \mathbf{w} \|_2^2 = \sum_{j=1}^{n} w_j^2 $$

$$ \Omega_1(\mathbf{w}) = \| \mathbf{w} \|_1 = \sum_{j=1}^{n} w_j $$

$$ \mathbf{u} \odot \mathbf{v} = \mathbf{v} \odot \mathbf{u} $$

$$ \mathbf{u}^\top \mathbf{v} = \mathbf{u}^\top \mathbf{u} $$

Using $\nabla_{\mathbf{w}} (\mathbf{w}^\top A \mathbf{w}) = 2 A \mathbf{w}$ for a symmetric matrix $A$.

$$ \frac{\partial L}{\partial \mathbf{a}} = \mathbf{a} $$
"""


def _verdicts(tmp_path, capsys) -> dict[tuple[int, int], dict]:
    import json

    path = tmp_path / "notes.md"
    path.write_text(NOTES)
    main(["check", str(path), "--format", "json", "--no-cache"])
    return {(r["line"], r["step"]): r for r in json.loads(capsys.readouterr().out)["results"]}


@pytest.mark.slow
def test_matrix_calculus_and_norms_in_notes(tmp_path, capsys):
    """Gradients, norms, Hadamard and inner products of inferred vectors are verified or found wrong; a
    claim that needs a symmetric matrix, and a derivative of an undefined L, stay inconclusive."""
    got = _verdicts(tmp_path, capsys)
    lines = {n + 1: text for n, text in enumerate(NOTES.splitlines())}
    at = {text.strip()[:40]: n for n, text in lines.items()}

    def verdict(start: str, step: int = 1) -> dict:
        return got[(next(n for key, n in at.items() if key.startswith(start)), step)]

    assert verdict(r"$$ J(\mathbf{w}) = \frac{1}{m} (X")["verdict"] == "verified"
    assert verdict(r"$$ \nabla_{\mathbf{w}} J = \frac{2}")["verdict"] == "verified"
    assert verdict(r"$$ \nabla_{\mathbf{w}} J = \frac{1}")["verdict"] == "wrong"
    assert verdict(r"$$ \Omega(\mathbf{w})", 2)["verdict"] == "verified"
    assert verdict(r"$$ \Omega_1(\mathbf{w})", 2)["verdict"] == "wrong"
    assert verdict(r"$$ \mathbf{u} \odot")["verdict"] == "verified"
    assert verdict(r"$$ \mathbf{u}^\top \mathbf{v}")["verdict"] == "wrong"
    symmetric = verdict("Using")
    assert symmetric["verdict"] == "inconclusive" and "symmetric" in symmetric["message"]
    assert verdict(r"$$ \frac{\partial L}")["verdict"] == "inconclusive"
