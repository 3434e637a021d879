"""Rows read side by side: a chain with a side in unreadable notation still has its readable
steps checked, and a name whose defining form cannot be read is defined, provisionally, by its
next form."""

from __future__ import annotations

from tests.checker.test_notes_soundness import run_notes, verdicts_at

UNREADABLE = r"\mathfrak{A} \star \mathfrak{B}"  # fraktur letters and a star product: not read


def test_readable_steps_of_a_chain_are_checked_beside_an_unreadable_side(capsys, tmp_path):
    text = (f"$$ P(+) = {UNREADABLE} = 0.95 \\cdot 0.01 + 0.05 \\cdot 0.99 = 0.059 $$\n\n"
            f"$$ P(+) = {UNREADABLE} = 0.95 \\cdot 0.01 + 0.05 \\cdot 0.99 = 0.069 $$\n")
    code, results, _ = run_notes(capsys, tmp_path, text)
    assert verdicts_at(results, 1, 1) == ["unparsed"]
    assert verdicts_at(results, 1, 2) == ["unparsed"]
    assert verdicts_at(results, 1, 3) == ["verified"]
    assert verdicts_at(results, 3, 3) == ["wrong"]
    assert code == 1


def test_an_approximation_after_an_unreadable_side_is_checked(capsys, tmp_path):
    text = (r"$$ D(q, p) = \mathfrak{A} \star \mathfrak{B} = 0.25 \log \frac{0.25}{0.5} + 0.75 \log \frac{0.75}{0.5}"
            r" \approx 0.131 $$" "\n\n"
            r"$$ D(q, p) = \mathfrak{A} \star \mathfrak{B} = 0.25 \log \frac{0.25}{0.5} + 0.75 \log \frac{0.75}{0.5}"
            r" \approx 0.113 $$" "\n")
    _, results, _ = run_notes(capsys, tmp_path, text)
    assert verdicts_at(results, 1, 2) == ["unparsed"]
    assert verdicts_at(results, 1, 3) == ["verified"]
    assert verdicts_at(results, 3, 3) == ["wrong"]


def test_a_definition_by_its_first_readable_form(capsys, tmp_path):
    """ℓ(μ, s) = Σ log p(x_i | μ, s) = <readable form>: ℓ is the readable form, and the claims
    about ℓ use it; a failure is not called wrong, since the unreadable step was not checked."""
    text = "\n".join([
        r"$$",
        r"\begin{aligned}",
        r"\ell(\mu, s) &= \sum_{i=1}^{m} \mathfrak{A}(x_i) \star \mathfrak{B}(\mu, s) \\",
        r"&= \sum_{i=1}^{m} \left( -\frac{1}{2} \log(2\pi s) - \frac{(x_i - \mu)^2}{2 s} \right)",
        r"\end{aligned}",
        r"$$",
        "",
        r"$$ \frac{\partial \ell}{\partial \mu} = \frac{1}{s} \sum_{i=1}^{m} (x_i - \mu) $$",
        "",
        r"$$ \frac{\partial \ell}{\partial \mu} = \frac{2}{s} \sum_{i=1}^{m} (x_i - \mu) $$",
        "",
    ])
    _, results, _ = run_notes(capsys, tmp_path, text)
    assert verdicts_at(results, 8) == ["verified"]
    [r] = [r for r in results if r["line"] == 10]
    assert r["verdict"] == "inconclusive"
    assert "could not be read" in r["message"] and "line 3" in r["message"]


def test_a_definition_in_one_row_by_a_later_form(capsys, tmp_path):
    text = (r"$$ J(w) = \mathfrak{A} \star w = w^2 + 1 = w^2 + 2 $$" "\n\n"
            r"$$ \frac{dJ}{dw} = 2w $$" "\n")
    _, results, _ = run_notes(capsys, tmp_path, text)
    assert verdicts_at(results, 1, 1) == ["defined"]
    assert verdicts_at(results, 1, 2) == ["unparsed"]
    assert verdicts_at(results, 1, 3) == ["wrong"]  # the two readable sides differ by 1
    assert verdicts_at(results, 3) == ["verified"]


def test_a_chain_with_no_readable_step_is_unparsed_as_a_whole(capsys, tmp_path):
    _, results, _ = run_notes(capsys, tmp_path, f"$$ P(+) = {UNREADABLE} $$\n")
    assert [r["verdict"] for r in results] == ["unparsed"]


def test_entries_of_a_summed_vector_are_entries_on_both_sides(capsys, tmp_path):
    """-y_i + ŷ_i Σ_k y_k = ŷ_i - y_i: y_i is the entry of y on both sides (with a family defined
    before, which once made only one side read y_i as an entry); it holds if Σ_k y_k = 1."""
    text = "\n".join([
        r"$$ \delta_k = 2 z_k $$",
        "",
        r"The label $\mathbf{y}$ has $K$ entries $y_k$.",
        "",
        r"$$ -y_i + \hat{y}_i \sum_{k=1}^{K} y_k = \hat{y}_i - y_i $$",
        "",
    ])
    _, results, _ = run_notes(capsys, tmp_path, text)
    [r] = [r for r in results if r["line"] == 5]
    assert r["verdict"] == "inconclusive" and "sum to 1" in r["message"], r


def test_a_bold_pi_is_a_vector_not_the_constant(capsys, tmp_path):
    r"""\boldsymbol{\pi}^{y_i} beside \pi_j: π is a vector, so the step is never checked as if π
    were 3.14159…"""
    text = (r"$$ \log \prod_{i=1}^n \boldsymbol{\pi}^{\mathbf{y}_i} = \log \prod_{i=1}^n \prod_{j=1}^k "
            r"\pi_{j}^{y_{ij}} $$" "\n")
    _, results, _ = run_notes(capsys, tmp_path, text)
    assert verdicts_at(results, 1) in (["inconclusive"], ["unparsed"]), results


def test_an_ordinary_derivative_of_a_function_of_several_variables(capsys, tmp_path):
    """df/dx after f(x, y) was defined: the notes likely mean another f (a failure is not wrong);
    ∂f/∂x of that f is checked."""
    text = (r"$$ f(x, y) = \log(e^x + e^y) $$" "\n\n"
            r"$$ \frac{df}{dx} = 12x^3 - 12x^2 - 24x $$" "\n\n"
            r"$$ \frac{\partial f}{\partial x} = 12x^3 $$" "\n\n"
            r"$$ \frac{\partial f}{\partial x} = \frac{e^x}{e^x + e^y} $$" "\n")
    _, results, _ = run_notes(capsys, tmp_path, text)
    [r] = [r for r in results if r["line"] == 3]
    assert r["verdict"] == "inconclusive" and "function of one variable" in r["message"], r
    assert verdicts_at(results, 5) == ["wrong"]
    assert verdicts_at(results, 7) == ["verified"]


def test_a_name_given_an_unreadable_new_meaning_is_not_checked_with_its_old_one(capsys, tmp_path):
    text = (r"$$ f(x) = x^2 $$" "\n\n"
            r"$$ f(x) = \mathfrak{A} \star x $$" "\n\n"
            r"$$ \frac{df}{dx} = 3x^2 $$" "\n")
    _, results, _ = run_notes(capsys, tmp_path, text)
    [r] = [r for r in results if r["line"] == 5]
    assert r["verdict"] == "inconclusive" and "line 3 may define" in r["message"], r
    _, results, _ = run_notes(capsys, tmp_path, text.replace(r"\mathfrak{A} \star x", "x^2 + 0"))
    assert verdicts_at(results, 5) == ["wrong"]  # a readable form: checked


def test_a_definition_that_does_not_fit_makes_its_equation_inconclusive(capsys, tmp_path):
    """δ defined through a derivative with respect to the scalar z, then z defined anew as a
    vector: δ + z mixes a number and a vector. That equation is inconclusive, naming δ's
    definition (not an internal error); a derivative's variable is never replaced by its
    definition (∂L/∂z after z = Wx + b)."""
    text = "\n\n".join([
        r"$$ z = w x + b $$",
        r"$$ L = (z - y)^2 $$",
        r"$$ \delta = \frac{\partial L}{\partial z} $$",
        r"$$ \delta = 2 (z - y) $$",
        r"$$ \mathbf{z} = W \mathbf{x} + \mathbf{b} $$",
        r"$$ \boldsymbol{\delta} = \frac{\partial L}{\partial \mathbf{z}} = \mathfrak{A} \star \mathfrak{B} $$",
        r"$$ \mathbf{u} = \boldsymbol{\delta} + \mathbf{z} $$",
    ]) + "\n"
    _, results, _ = run_notes(capsys, tmp_path, text)
    assert verdicts_at(results, 7) == ["verified"]
    [r] = [r for r in results if r["line"] == 13]
    assert r["verdict"] == "inconclusive" and "definition of" in r["message"], r
    assert "internal error" not in r["message"]
    assert not any("internal error" in (x["message"] or "") for x in results), results
