"""Readings of everyday notation: exact decimals, primes, derivatives in decorated names, words,
log bases, label superscripts, display names, and the other readings of ambiguous text.

Each rule is checked both ways: the intended reading, and a wrong formula still read as wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy as sp

from checker.functions import sigmoid
from checker.notation import _RESERVED, Notation, ParseError, display, is_prime_variable, parse_latex, prime_variable

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
R = sp.Rational
x, y, z, w, b, a, p, n = sp.symbols("x y z w b a p n")


def side(text: str, notation: Notation = Notation()) -> sp.Basic:
    (only,) = parse_latex(text, notation=notation).sides
    return only


def same(got: sp.Basic, expected: sp.Basic) -> bool:
    """The same value (the parser builds sums and products unevaluated, so compare the difference)."""
    return sp.simplify(got - expected) == 0 and got.free_symbols == expected.free_symbols


def holds(text: str) -> bool:
    """Whether both sides of `text` are the same SymPy value (after carrying out derivatives)."""
    lhs, rhs = parse_latex(text).sides
    return sp.simplify(sp.sympify(lhs).doit() - sp.sympify(rhs).doit()) == 0


# --- 1. decimals are exact rationals ---------------------------------------------------------


@pytest.mark.parametrize("latex,expected", [
    ("0.1", R(1, 10)), (".5", R(1, 2)), ("2.50", R(5, 2)), ("0.999", R(999, 1000)),
    (r"1.1 \times 1.1", R(121, 100)), ("1e-3", R(1, 1000)), (r"1.5 \times 10^{-3}", R(3, 2000)),
    ("2.5e2", R(250)), ("x^{0.5}", sp.sqrt(x)), (r"\frac{0.3}{0.1}", sp.Integer(3)),
])
def test_decimal_literals_are_exact_rationals(latex, expected):
    got = side(latex)
    assert got == expected and not got.atoms(sp.Float)


def test_decimal_sums_are_exact_both_ways():
    """0.1 + 0.2 = 0.3 holds exactly; 0.1 + 0.2 = 0.30000000000000004 (the float sum) does not."""
    lhs, rhs = parse_latex("0.1 + 0.2 = 0.3").sides
    assert lhs == R(1, 10) + R(2, 10) and rhs == R(3, 10) and lhs == rhs
    lhs, rhs = parse_latex("0.1 + 0.2 = 0.30000000000000004").sides
    assert lhs != rhs and not lhs.atoms(sp.Float) and not rhs.atoms(sp.Float)
    assert not holds(r"1.1 \times 1.1 = 1.2")


def test_a_decimal_in_a_subscript_stays_in_the_name():
    got = side(r"x_{0.5}")
    assert isinstance(got, sp.Symbol) and not got.atoms(sp.Float, sp.Rational)


# --- 2. primes on any function name ----------------------------------------------------------


def prime(f: str, arg: sp.Basic, order: int = 1, k: int = 0) -> sp.Basic:
    u = prime_variable(k)
    return sp.Subs(sp.Derivative(sp.Function(f)(u), (u, order)), u, arg)


@pytest.mark.parametrize("latex,expected", [
    ("f'(x)", prime("f", x)),
    ("J''(w)", prime("J", w, 2)),
    (r"\ell'(p)", prime("ell", p)),
    (r"\ell''(p)", prime("ell", p, 2)),
    (r"\ell\'(p)", prime("ell", p)),
    (r"\mathcal{L}'(p)", prime("L_cal", p)),
    (r"\hat{f}'(x)", prime("f_hat", x)),
    (r"\phi'(x)", prime("phi", x)),
    (r"f^{\prime}(x)", prime("f", x)),
    ("g'(h(x))", prime("g", sp.Function("h")(x))),
])
def test_a_prime_is_the_derivative_taken_at_the_argument(latex, expected):
    assert side(latex) == expected


def test_the_sigmoid_prime_is_its_derivative():
    got = side(r"\sigma'(z)")
    assert sp.simplify((got.doit() - sigmoid(z) * (1 - sigmoid(z))).rewrite(sp.exp)) == 0


def test_a_prime_at_a_symbol_is_not_the_derivative_in_that_symbol():
    """f(w) = w^2/2 - a w, then f'(a) = 0: the derivative in w, taken at a (not d/da of f(a))."""
    got = side("f'(a)")
    f = sp.Lambda(w, w**2 / 2 - a * w)
    assert got.replace(sp.Function("f"), f).doit() == 0
    assert sp.diff(f(a), a) != 0  # the other reading would not vanish
    assert got != sp.Derivative(sp.Function("f")(a), a)


def test_primes_are_told_apart_from_wrong_formulas():
    assert not holds(r"\ell'(p) = \ell(p)")
    assert holds(r"\frac{d}{dx} \tanh(x) = \tanh'(x)")
    assert not holds(r"\sigma'(z) = \sigma(z)")


def test_several_primes_use_distinct_reserved_variables():
    expr = side(r"f'(g'(x))")
    bound = {v for s in expr.atoms(sp.Subs) for v in s.variables}
    assert len(bound) == 2 and all(is_prime_variable(v) for v in bound)
    assert not is_prime_variable(sp.Symbol("u")) and not is_prime_variable(x)
    assert all(v.name.isidentifier() and v.is_real for v in bound)


def test_reserved_variables_cannot_be_spelled_by_a_note():
    """No name a note writes ends with an underscore, so none becomes a prime's variable."""
    for text in ("u1_", "u_1", "u1", r"\mathrm{u1\_}"):
        try:
            got = parse_latex(text).sides[0]
        except ParseError:
            continue
        assert not any(is_prime_variable(s) for s in got.free_symbols)


# --- 3. derivatives with respect to decorated names ------------------------------------------


L = sp.Symbol("L")


@pytest.mark.parametrize("latex,var", [
    (r"\frac{\partial L}{\partial \hat{y}}", "y_hat"),
    (r"\frac{\partial L}{\partial \bar{x}}", "x_bar"),
    (r"\frac{\partial L}{\partial \tilde{x}}", "x_tilde"),
    (r"\frac{\partial L}{\partial \mathbf{w}}", "w"),
    (r"\frac{\partial L}{\partial \boldsymbol{\mu}}", "mu"),
    (r"\frac{\partial L}{\partial w_j}", "w_j"),
    (r"\frac{\partial L}{\partial \theta_{ij}}", "theta_ij"),
    (r"\frac{d L}{d \hat{y}}", "y_hat"),
    (r"\partial L / \partial \hat{y}", "y_hat"),
    (r"\partial L / \partial w_{t-1}", "w_tm1"),
    (r"\frac{\partial L}{\partial W^{[l]}}", "W_Ll"),
])
def test_derivatives_in_decorated_names(latex, var):
    """The variable is the very symbol the name alone is read as; another variable is another derivative."""
    got = side(latex)
    if isinstance(got.variables[0], sp.MatrixSymbol):  # a bold name is a vector
        assert got.expr == L and got.variables[0].name == var
    else:
        assert got == sp.Derivative(L, sp.Symbol(var))
    assert got != sp.Derivative(L, sp.Symbol("y"))


def test_an_operator_in_a_decorated_name():
    y_hat = sp.Symbol("y_hat")
    assert side(r"\frac{\partial}{\partial \hat{y}} (\hat{y}^2)") == sp.Derivative(y_hat**2, y_hat)
    assert holds(r"\frac{d}{d \hat{y}} (\hat{y}^2) = 2\hat{y}")
    assert not holds(r"\frac{d}{d \hat{y}} (\hat{y}^2) = 2 y")


def test_the_numerator_is_the_same_name_as_alone():
    """∂𝓛/∂p differentiates the very symbol 𝓛 alone is, so a definition 𝓛(p) = ... is found by name."""
    alone = side(r"\mathcal{L}")
    got = side(r"\frac{\partial \mathcal{L}}{\partial p}")
    assert got == sp.Derivative(alone, p) and alone.name == type(side(r"\mathcal{L}(p)")).__name__


def test_a_power_in_the_denominator_is_the_variable_unless_the_order_counts_it():
    """∂/∂σ² is the derivative in the variable σ²; ∂²/∂σ² the second derivative in σ."""
    sigma = sp.Symbol("sigma")
    first = side(r"\frac{\partial L}{\partial \sigma^2}")
    assert isinstance(first, sp.Derivative) and first.variables[0].name == "sigma_pow2"
    assert side(r"\frac{\partial^2 L}{\partial \sigma^2}") == sp.Derivative(L, (sigma, 2))
    assert holds(r"\frac{\partial}{\partial \sigma^2} \ln \sigma^2 = \frac{1}{\sigma^2}")
    assert not holds(r"\frac{\partial}{\partial \sigma^2} \ln \sigma^2 = \frac{2}{\sigma}")
    assert holds(r"\frac{\partial}{\partial \sigma^2} \frac{x^2}{\sigma^2} = -\frac{x^2}{\sigma^4}")


# --- 4. words are names ----------------------------------------------------------------------


def test_words_are_names():
    lhs, rhs = parse_latex(r"Sales = w_1 Radio + b").sides
    sales, radio = sp.Symbol("Sales"), sp.Symbol("Radio")
    assert lhs == sales and rhs == sp.Symbol("w_1") * radio + b
    assert not lhs.has(sp.E) and not rhs.has(sp.E)
    assert side(r"\text{Price} \cdot q") == sp.Symbol("Price") * sp.Symbol("q")
    assert side(r"\mathrm{Revenue} - \operatorname{Cost}") == sp.Symbol("Revenue") - sp.Symbol("Cost")
    assert side("loss + 1") == sp.Symbol("loss") + 1
    # wrong: a word is not the product of its letters
    assert side("Price") != sp.Symbol("P") * sp.Symbol("r") * sp.Symbol("i") * sp.Symbol("c") * sp.E


def test_short_lowercase_runs_stay_products():
    assert same(side("a^2 + 2ab + b^2"), a**2 + 2 * a * b + b**2)
    assert same(side("abc"), a * b * sp.Symbol("c"))
    assert same(side("xy"), x * y)
    assert side(r"\int x dx") == sp.Integral(x, x)


def test_eulers_number():
    assert side("e^{x}") == sp.exp(x)
    assert side(r"\mathrm{e}^x") == sp.exp(x)
    assert side("e") == sp.E
    assert side("Sales").free_symbols == {sp.Symbol("Sales")}


# --- 5. readings -----------------------------------------------------------------------------


def test_no_readings_when_nothing_is_ambiguous():
    assert parse_latex("x + 1 = 2").readings == ()
    assert parse_latex(r"\log ab").readings == ()  # log(ab) either way
    assert parse_latex(r"\sigma(x)").readings == ()  # σ is not also a plain symbol here


def test_operator_extent():
    """ln x / ln 2 is (ln x)/(ln 2), the usual meaning; ln(x / ln 2) is the other reading."""
    p_ = parse_latex(r"\ln x / \ln 2")
    assert p_.sides[0] == sp.log(x) / sp.log(2)
    assert [r.sides[0] for r in p_.readings] == [sp.log(x / sp.log(2))]
    assert side(r"\log ab") == sp.log(a * b)
    assert same(side(r"\sin a \cos b"), sp.sin(a) * sp.cos(b))
    assert side(r"\ln \ln x") == sp.log(sp.log(x))
    assert same(side(r"\ln 2\pi\sigma^2"), sp.log(2 * sp.pi * sp.Symbol("sigma") ** 2))
    assert same(side(r"\sin^2 x + \cos^2 x"), sp.sin(x) ** 2 + sp.cos(x) ** 2)


def test_words_keep_the_product_of_their_letters_as_a_reading():
    p_ = parse_latex("Sales = w_1 Radio + b")
    assert len(p_.readings) == 1 and p_.readings[0].sides[0] != p_.sides[0]
    assert p_.readings[0].readings == ()


def test_sigma_as_a_function_and_as_a_symbol():
    sigma = sp.Symbol("sigma")
    p_ = parse_latex(r"\sigma(x) + \sigma^2")
    assert p_.sides[0] == sigmoid(x) + sigma**2
    assert [r.sides[0] for r in p_.readings] == [sigma * x + sigma**2]


def test_scientific_notation_keeps_the_other_reading():
    p_ = parse_latex(r"\eta = 1e-3")
    assert p_.sides[1] == R(1, 1000)
    assert len(p_.readings) == 1 and same(p_.readings[0].sides[1], sp.E - 3)


def test_at_most_a_few_readings():
    p_ = parse_latex(r"Sales \sigma(x) + \sigma^2 = \ln x / \ln 2 + 1e-3")
    assert 1 <= len(p_.readings) <= 3
    assert len({r.sides for r in p_.readings} | {p_.sides}) == len(p_.readings) + 1


# --- 6. bases of logs ------------------------------------------------------------------------


@pytest.mark.parametrize("latex,expected", [
    (r"\log_2 x", sp.log(x, 2)), (r"\log_{10}(x)", sp.log(x, 10)), (r"\log_b a", sp.log(a, b)),
    (r"\ln x", sp.log(x)), (r"\log x", sp.log(x)), (r"\log_2 8", sp.Integer(3)),
])
def test_bases_of_logs(latex, expected):
    assert sp.simplify(side(latex) - expected) == 0


def test_a_wrong_base_is_wrong():
    assert not holds(r"\log_2 x = \log_{10} x")
    assert holds(r"\log_2 8 = 3") and not holds(r"\log_2 8 = 2")


# --- 7. superscripts that are labels ---------------------------------------------------------


@pytest.mark.parametrize("latex,name", [
    (r"s^{\text{corrected}}", "s_corrected"), (r"x^{(k)}", "x_Sk"), (r"W^{[l]}", "W_Ll"),
    (r"\hat{m}^{\text{bc}}", "m_hat_bc"), (r"\theta^{\mathrm{new}}", "theta_new"),
    (r"v_t^{\text{corr}}", "v_corr_t"),
])
def test_label_superscripts_are_part_of_the_name(latex, name):
    got = side(latex)
    assert got == sp.Symbol(name) and not got.has(sp.Pow)


def test_power_superscripts_stay_powers():
    assert side("s^{2}") == sp.Symbol("s") ** 2
    assert side("s^k") == sp.Symbol("s") ** sp.Symbol("k")
    assert same(side("s^{k+1}"), sp.Symbol("s") ** (sp.Symbol("k") + 1))
    lhs, rhs = parse_latex(r"s^{\text{corrected}} = s^2").sides
    assert lhs != rhs


# --- 8. display names ------------------------------------------------------------------------


@pytest.mark.parametrize("latex,name,spelled", [
    (r"\hat{\sigma}", "sigma_hat", r"\hat{\sigma}"), (r"\mathcal{L}", "L_cal", r"\mathcal{L}"),
    ("w_1", "w_1", "w_1"), (r"\theta_{ij}", "theta_ij", r"\theta_{ij}"), (r"x^{(k)}", "x_Sk", "x^{(k)}"),
    (r"W^{[l]}", "W_Ll", "W^{[l]}"), (r"s^{\text{corrected}}", "s_corrected", r"s^{\text{corrected}}"),
    (r"\gamma", "gamma", r"\gamma"), ("Sales", "Sales", "Sales"), (r"\ell", "ell", r"\ell"),
])
def test_names_map_to_the_notes_latex(latex, name, spelled):
    assert parse_latex(latex).names[name] == spelled


def test_display_prints_with_the_notes_spellings():
    p_ = parse_latex(r"\ell'(p) + \hat{\sigma} = \frac{\partial \mathcal{L}}{\partial \hat{y}}")
    lhs, rhs = (display(s, p_.names) for s in p_.sides)
    assert r"\ell'" in lhs and r"\hat{\sigma}" in lhs and "u1_" not in lhs
    assert r"\mathcal{L}" in rhs and r"\hat{y}" in rhs
    assert display(side(r"\sigma(z)"), {}) == r"\sigma\left(z\right)"


def _names_of(expr: sp.Basic) -> set[str]:
    out = {s.name for s in expr.free_symbols if isinstance(s, (sp.Symbol, sp.MatrixSymbol))}
    out |= {type(f).__name__ for f in expr.atoms(sp.core.function.AppliedUndef)}
    return out


@pytest.mark.skipif(not (SHARED / "corpus" / "parser_corpus.json").is_file(), reason="needs ../shared/corpus")
def test_no_placeholder_reaches_names_or_display_on_the_corpus():
    """For every corpus formula read: each name of the result has its LaTeX, and neither the names
    nor the printed sides show a placeholder of the layer."""
    from tests.checker.corpus_meaning import shapes_of

    data = json.loads((SHARED / "corpus" / "parser_corpus.json").read_text())
    read = 0
    for row in data:
        shapes = shapes_of(row.get("intended_dsl"))
        try:
            p_ = parse_latex(row["latex"], notation=Notation(shapes=shapes))
        except ParseError:
            continue
        read += 1
        for k, v in p_.names.items():
            assert not _RESERVED.search(k) and not _RESERVED.search(v), (row["latex"], k, v)
        for s in p_.sides:
            if not isinstance(s, sp.Basic):
                continue
            assert _names_of(s) <= set(p_.names) | {"sigmoid", "relu"}, (row["latex"], _names_of(s) - set(p_.names))
            out = display(s, p_.names)
            assert not _RESERVED.search(out), (row["latex"], out)
    assert read > 100


@pytest.mark.parametrize("latex, expected", [
    (r"0.0495 \left( 1 + x \right)", sp.Rational(495, 10000) * (1 + sp.Symbol("x"))),
    (r"2.5 (y)", sp.Rational(5, 2) * sp.Symbol("y")),
    (r"0.5(x + 1)", sp.Rational(1, 2) * (sp.Symbol("x") + 1)),
])
def test_a_decimal_before_a_parenthesis_is_a_factor(latex, expected):
    """A decimal literal followed by a bracket multiplies it; it is never a function called."""
    [side] = parse_latex(latex).sides
    assert sp.simplify(side.subs({s: sp.Symbol(s.name) for s in side.free_symbols}) - expected) == 0
    assert not side.atoms(sp.core.function.AppliedUndef)


@pytest.mark.parametrize("latex", [r"\theta^* = 1", r"\theta^{*} = 1", r"\theta^{\star} = 1", r"\theta^\ast = 1"])
def test_a_star_superscript_is_part_of_the_name(latex):
    """θ^* (the optimum) is a name spelled as written, never θ to a power."""
    parsed = parse_latex(latex)
    [name] = parsed.sides[0].free_symbols
    assert not parsed.sides[0].is_Pow and parsed.names[name.name] == r"\theta^{*}"


@pytest.mark.parametrize("latex, relations", [
    (r"10\log\tfrac12 \approx -3.0103", ("approx",)),
    (r"\ln x \le x - 1", ("<=",)),
    (r"\log 2 < 1", ("<",)),
])
def test_a_relation_ends_the_argument_of_an_operator(latex, relations):
    """The argument of \\log written without parentheses stops at a relation sign."""
    parsed = parse_latex(latex)
    assert parsed.relations == relations and len(parsed.sides) == 2
