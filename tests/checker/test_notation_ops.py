"""Entries of a function's value, indicators and the other operators of `checker.notation_ops`:
what they are read as, and the verdicts notes that use them get."""

from __future__ import annotations

import json

import pytest
import sympy as sp

from checker.notation import ParseError, parse_latex
from checker.notation_ops import loose_entry, unify_sizes
from tests.checker.cli_helpers import check, write


def side(latex: str) -> sp.Basic:
    parsed = parse_latex(latex)
    assert not parsed.relations
    return parsed.sides[0]


def verdicts(capsys, tmp_path, text: str) -> dict[int, list[str]]:
    """The verdicts of the claims of notes `text`, by line."""
    path = write(tmp_path, "notes.md", text)
    _, out, _ = check(capsys, path, "--format", "json")
    found: dict[int, list[str]] = {}
    for r in json.loads(out)["results"]:
        found.setdefault(r["line"], []).append(r["verdict"])
    return found


# --- reading -------------------------------------------------------------------------------------


def test_softmax_entry_is_the_exponential_over_the_sum_of_the_entries():
    """softmax(z)_i of a bold vector is e^{z_i} / Σ_k e^{z_k}, with an open size."""
    e = side(r"\operatorname{softmax}(\mathbf{z})_i")
    k = sp.Symbol("k")
    n = sp.Symbol("size_z", integer=True, positive=True)
    assert e == sp.exp(sp.Symbol("z_i")) / sp.Sum(sp.exp(sp.IndexedBase("z")[k]), (k, 1, n))


def test_softmax_with_a_temperature_divides_the_argument():
    """softmax_T(z)_i is softmax(z / T)_i."""
    assert side(r"\operatorname{softmax}_T(\mathbf{z})_i") == side(r"\operatorname{softmax}(\mathbf{z} / T)_i")


def test_softmax_of_explicit_values():
    """softmax((z, 0))_1 is e^z / (e^z + 1); an entry past the end is refused."""
    z = sp.Symbol("z")
    assert sp.simplify(side(r"\operatorname{softmax}((z, 0))_1") - sp.exp(z) / (sp.exp(z) + 1)) == 0
    with pytest.raises(ParseError, match="no entry 3"):
        parse_latex(r"\operatorname{softmax}((z, 0))_3")


def test_elementwise_functions_take_the_entry():
    """σ(z)_k, exp(z)_i of a vector are the function of the entry; f(x)_i is the component f_i."""
    assert str(side(r"\sigma(\mathbf{z})_k")) == "sigmoid(z_k)"
    assert side(r"\exp(\mathbf{z})_i") == sp.exp(sp.Symbol("z_i"))
    assert str(side(r"f(\mathbf{x})_i")) == "f_i(x)"


@pytest.mark.parametrize("latex, needle", [
    (r"\operatorname{softmax}(z / T)_i", "are vectors is not known"),
    (r"\operatorname{softmax}(\mathbf{z} \mathbf{w})_i", "multiplies vectors"),
    (r"\sigma(\mathbf{z}^2)_i", "power of a vector"),
    (r"\operatorname{softmax}(W\mathbf{x} + \mathbf{b})_i", "capital letter"),
    (r"\mathbb{1}[\mathbf{z} > 0]", "vector condition"),
])
def test_ambiguous_entries_are_refused(latex, needle):
    """An argument whose vectors are unknown, or that could be a dot product, is refused."""
    with pytest.raises(ParseError, match=needle):
        parse_latex(latex)


def test_indicators():
    """An equality of indices is a Kronecker delta, a comparison a piecewise 0/1, in every spelling."""
    i, j, x = sp.symbols("i j x")
    assert side(r"\mathbb{1}[i = j]") == sp.KroneckerDelta(i, j)
    assert side(r"[\![ i \ne j ]\!]") == 1 - sp.KroneckerDelta(i, j)
    step = sp.Piecewise((1, x > 0), (0, True))
    for latex in (r"\mathbb{1}[x > 0]", r"\mathbb{1}\{x > 0\}", r"\mathbf{1}(x > 0)", r"\mathbb{1}_{x > 0}"):
        assert side(latex) == step, latex


def test_the_vector_of_ones_is_not_an_indicator():
    """A bold 1 without a condition stays the vector of ones."""
    ones = side(r"c \mathbf{1}")
    assert not ones.has(sp.Piecewise, sp.KroneckerDelta)
    assert ones.atoms(sp.OneMatrix)  # c times the vector of ones (of a size inferred from its use)


def test_a_delta_in_a_sum_selects_the_term():
    """Σ_k y_k 1[k = i] is y_i."""
    e = side(r"\sum_{k=1}^{K} y_k \left( \mathbb{1}[k = i] - p \right)")
    k, big_k = sp.Symbol("k"), sp.Symbol("K")
    assert sp.simplify(e - (sp.Symbol("y_i") - sp.Sum(sp.Symbol("p") * sp.IndexedBase("y")[k], (k, 1, big_k)))) == 0


def test_open_sizes_take_the_range_the_claim_gives_the_vector():
    """Σ_j over z's entries next to Σ_{j=1}^n over z's entries: both run to n; other vectors keep theirs."""
    j, n = sp.symbols("j n")
    z, w = sp.IndexedBase("z"), sp.IndexedBase("w")
    open_ = sp.Symbol("size_j", integer=True, positive=True)
    a, b = unify_sizes(sp.Sum(z[j], (j, 1, open_)), sp.Sum(z[j], (j, 1, n)))
    assert a == sp.Sum(z[j], (j, 1, n))
    a, b = unify_sizes(sp.Sum(z[j], (j, 1, open_)), sp.Sum(w[j], (j, 1, n)))
    assert a == sp.Sum(z[j], (j, 1, open_))


def test_loose_entry():
    """An entry at a free index of a vector summed over is found; a summed one is not."""
    i, k, n = sp.symbols("i k n")
    z = sp.IndexedBase("z")
    assert loose_entry(sp.Le(z[i], sp.Sum(z[k], (k, 1, n)))) == "z"
    assert loose_entry(sp.Le(0, sp.Sum(z[k], (k, 1, n)))) == ""


# --- notes ----------------------------------------------------------------------------------------

SOFTMAX_NOTES = r"""For scores $\mathbf{z} \in \mathbb{R}^n$ and a temperature $T > 0$,

$$ \operatorname{softmax}(\mathbf{z})_i = \frac{e^{z_i}}{\sum_{j} e^{z_j}} = \frac{1}{\sum_{j} e^{z_j - z_i}} $$

$$ \operatorname{softmax}(\mathbf{z} + c\mathbf{1})_i = \frac{e^{z_i + c}}{\sum_{j=1}^{n} e^{z_j + c}} $$

$$ \operatorname{softmax}_T(\mathbf{z})_i = \operatorname{softmax}(\mathbf{z})_i^{1/T} $$

$$ \operatorname{softmax}(\mathbf{z})_i = \frac{e^{2 z_i}}{\sum_{j=1}^{n} e^{z_j}} $$

$$ \operatorname{softmax}(\mathbf{z})_i \le 1 $$
"""


def test_softmax_in_notes(capsys, tmp_path):
    """Right forms of softmax verify, wrong ones are wrong, an inequality about an entry is not decided."""
    found = verdicts(capsys, tmp_path, SOFTMAX_NOTES)
    assert found[3] == ["verified", "verified"]
    assert found[5] == ["verified"]
    assert found[7] == ["wrong"]
    assert found[9] == ["wrong"]
    assert "wrong" not in found[11]


INDICATOR_NOTES = r"""For the one-hot label $\mathbf{y}$ and the softmax output $\hat{y}_i$,

$$
\begin{aligned}
g &= -\sum_{k=1}^{K} y_k \left( \mathbb{1}[k = i] - \hat{y}_i \right) \\
&= -y_i + \hat{y}_i \sum_{k=1}^{K} y_k
\end{aligned}
$$

$$ -\sum_{k=1}^{K} y_k \left( \mathbb{1}[k = i] - \hat{y}_i \right) = y_i - \hat{y}_i \sum_{k=1}^{K} y_k $$

$$ \mathbb{1}[x > 0] + \mathbb{1}[x \le 0] = 1 $$

$$ \mathbb{1}[x > 0] \, \mathbb{1}[x \le 0] = \mathbb{1}[x > 0] $$
"""


def test_indicators_in_notes(capsys, tmp_path):
    """A sum with a Kronecker delta and piecewise indicators are checked both ways."""
    found = verdicts(capsys, tmp_path, INDICATOR_NOTES)
    assert found[6] == ["verified"]
    assert found[10] == ["wrong"]
    assert found[12] == ["verified"]
    assert found[14] == ["wrong"]


LIMIT_NOTES = r"""For scores $\mathbf{z} \in \mathbb{R}^n$ and a temperature $T > 0$,

$$ \lim_{T \to \infty} \operatorname{softmax}_T(\mathbf{z})_i = \frac{1}{n} $$

$$ \lim_{h \to 0} \frac{(x+h)^2 - x^2}{h} = 2x $$

$$ \lim_{h \to 0} \frac{(x+h)^2 - x^2}{h} = x $$

$$ \lim_{t \to \infty} \frac{t}{t+1} = 2 $$

$$ \lim_{t \to \infty} \mu^t = 0 $$
"""


def test_limits_in_notes(capsys, tmp_path):
    """Limits are taken by SymPy at each size; one that depends on a condition is not decided."""
    found = verdicts(capsys, tmp_path, LIMIT_NOTES)
    assert found[3] == ["verified"]
    assert found[5] == ["verified"]
    assert found[7] == ["wrong"]
    assert found[9] == ["wrong"]
    assert found[11] != ["wrong"] and found[11] != ["verified"]


@pytest.mark.parametrize("latex, expected", [
    (r"a_1 + a_2 + \cdots + a_n", r"\sum_{i=1}^{n} a_i"),
    (r"x_1 x_2 \cdots x_n", r"\prod_{i=1}^{n} x_i"),
    (r"\frac{1}{n}(f(x_1) + \dots + f(x_n))", r"\frac{1}{n} \sum_{i=1}^{n} f(x_i)"),
    (r"a_0 + a_1 + \ldots + a_{n-1}", r"\sum_{i=0}^{n-1} a_i"),
    (r"e^{z_1} + \cdots + e^{z_K}", r"\sum_{i=1}^{K} e^{z_i}"),
])
def test_ellipses_are_the_sums_they_abbreviate(latex, expected):
    """The terms' pattern comes from the first and last terms (and those given between)."""
    k, i = sp.Symbol("k"), sp.Symbol("i")
    assert side(latex) == side(expected).xreplace({i: k})


@pytest.mark.parametrize("latex", [
    r"1 + \gamma + \gamma^2 + \ldots",  # no last term
    r"x_1 + x_3 + \cdots + x_n",  # the terms given do not follow one pattern
    r"w_0 + w_1 x + \cdots + w_d x^d",  # the first term does not show the pattern
    r"f(x_1, \ldots, x_n)",  # a list of arguments
])
def test_ellipses_without_a_pattern_are_refused(latex):
    """An ellipsis whose pattern cannot be inferred stays unread, with that reason."""
    with pytest.raises(ParseError, match="ellipsis"):
        parse_latex(latex)


ELLIPSIS_NOTES = r"""Sums written out:

$$ 1 + 2 + \cdots + n = \frac{n(n+1)}{2} $$

$$ 1 + 2 + \cdots + n = \frac{n(n-1)}{2} $$
"""


def test_ellipses_in_notes(capsys, tmp_path):
    """A written-out sum is checked at several sizes."""
    found = verdicts(capsys, tmp_path, ELLIPSIS_NOTES)
    assert found[3] == ["verified"]
    assert found[5] == ["wrong"]


def test_argmin_of_a_scalar_is_read():
    """argmin_x F of a scalar x is an optimum object; of a bold vector or over a domain it is refused."""
    e = side(r"\arg\min_{\mu} (x - \mu)^2")
    assert e.func.__name__ == "ArgOpt"
    for latex in (r"\arg\min_{\mathbf{w}} J(\mathbf{w})", r"\arg\min_{x > 0} x^2"):
        with pytest.raises(ParseError, match="argm"):
            parse_latex(latex)


OPTIMUM_NOTES = r"""Fitting a constant:

$$ \arg\min_{\mu} \sum_{i=1}^{n} (x_i - \mu)^2 = \frac{1}{n} \sum_{i=1}^{n} x_i $$

$$ \arg\min_{\mu} \sum_{i=1}^{n} (x_i - \mu)^2 = \frac{1}{n+1} \sum_{i=1}^{n} x_i $$

$$ \operatorname*{argmin}_x \, (x - 3)^2 + 1 = 3 $$

$$ \operatorname*{argmax}_x \, (x - 3)^2 + 1 = 3 $$

$$ \arg\max_{p} \left( k \log p + (n - k) \log(1 - p) \right) = \frac{k}{n} $$
"""


def test_optimum_claims_in_notes(capsys, tmp_path):
    """A right optimum verifies, a point that is not the optimum is wrong, and a stationary point that
    is the optimum only for values of the other names the notes leave in words is not decided."""
    found = verdicts(capsys, tmp_path, OPTIMUM_NOTES)
    assert found[3] == ["verified"]
    assert found[5] == ["wrong"]
    assert found[7] == ["verified"]
    assert found[9] == ["wrong"]
    assert found[11] == ["inconclusive"]


@pytest.mark.parametrize("latex, needle", [
    (r"f(x_1, \ldots, x_n)", "a list written with an ellipsis"),
    (r"\{0, \ldots, 7\}", "a list written with an ellipsis"),
    (r"p \approx 0.7\ldots", "a number cut short"),
])
def test_lists_and_cut_numbers_with_an_ellipsis_say_so(latex, needle):
    """An ellipsis in a list or after digits is refused with what it is."""
    with pytest.raises(ParseError, match=needle):
        parse_latex(latex)


def test_a_one_letter_upper_bound_before_a_call():
    """``\\sum_{i=1}^d f(t_i)`` runs to d (the d is no differential)."""
    i, d = sp.symbols("i d")
    assert side(r"\sum_{i=1}^d f(t_i)") == sp.Sum(sp.Function("f")(sp.IndexedBase("t")[i]), (i, 1, d))


def test_max_over_an_index_is_written_out_at_concrete_sizes():
    """max_j z_j is the largest entry: Max of the entries once the range is a number."""
    e = side(r"\max_{j=1}^{3} z_j")
    z = sp.IndexedBase("z")
    assert e == sp.Max(z[1], z[2], z[3])
    assert "j" not in {s.name for s in side(r"\max_j z_j").free_symbols}
    with pytest.raises(ParseError, match="over a real variable"):
        parse_latex(r"\max_x f(x)")


EXTREMA_NOTES = r"""For $\mathbf{z} \in \mathbb{R}^n$:

$$ \max_j z_j \le \log \sum_{j=1}^{n} e^{z_j} \le \max_j z_j + \log n $$

$$ \log \sum_{j=1}^{n} e^{z_j} \le \max_j z_j $$

$$ \min_j z_j = -\max_j (-z_j) $$

$$ \min_j z_j = \max_j (-z_j) $$
"""


def test_extrema_in_notes(capsys, tmp_path):
    """Bounds and identities with max_j and min_j are checked at several sizes."""
    found = verdicts(capsys, tmp_path, EXTREMA_NOTES)
    assert found[3] == ["verified", "verified"]
    assert found[5] == ["wrong"]
    assert found[7] == ["verified"]
    assert found[9] == ["wrong"]


TRACE_NOTES = r"""Let $A \in \mathbb{R}^{n \times n}$ and $B \in \mathbb{R}^{n \times n}$.

$$ \operatorname{tr}(A B) = \operatorname{tr}(B A) $$

$$ \operatorname{tr}(A B) = \operatorname{tr}(A) \operatorname{tr}(B) $$

$$ \operatorname{tr}\begin{pmatrix} a & b \\ c & d \end{pmatrix} = a + d $$

$$ \operatorname{tr}\begin{pmatrix} a & b \\ c & d \end{pmatrix} = a + b $$
"""


def test_traces_in_notes(capsys, tmp_path):
    """The trace of declared or explicit square matrices is checked; of an unknown name it is refused."""
    found = verdicts(capsys, tmp_path, TRACE_NOTES)
    assert found[3] == ["verified"]
    assert found[5] == ["wrong"]
    assert found[7] == ["verified"]
    assert found[9] == ["wrong"]
    with pytest.raises(ParseError, match="a trace needs a square matrix"):
        parse_latex(r"\operatorname{tr}(A)")


def test_limit_arrows_max_braces_and_indicators_before_a_parenthesis():
    """``\\lim_{h \\rightarrow 0}`` is a limit, ``\\max\\{a, b\\}`` a max, and ``\\mathbb{1}(c) (x)`` a product."""
    h, x, a, b = sp.symbols("h x a b")
    assert isinstance(side(r"\lim_{h \rightarrow 0} \frac{(x+h)^2 - x^2}{h}"), sp.Limit)
    assert side(r"\max\left\{ a, b \right\}") == sp.Max(a, b)
    assert side(r"\mathbb{1}(x < 0) (a x)") == a * x * sp.Piecewise((1, x < 0), (0, True))


def test_argmax_over_an_index_is_refused():
    """argmax_j o_j picks an index, not a scalar value: it is left unread."""
    with pytest.raises(ParseError, match="argm"):
        parse_latex(r"\operatorname*{argmax}_j \hat y_j = \operatorname*{argmax}_j o_j")


def test_a_derivative_fraction_before_a_parenthesis():
    """df/dx(x) is the derivative of f; dL/dz (1 - z) a product; df/dx(2) is refused."""
    x, z = sp.symbols("x z")
    f = sp.Function("f")
    assert side(r"\frac{df}{dx}(x)") == sp.Derivative(f(x), x)
    assert side(r"\frac{d L}{d z} (1 - z)") == (1 - z) * sp.Derivative(sp.Symbol("L"), z)
    with pytest.raises(ParseError, match="taken at a point"):
        parse_latex(r"\frac{df}{dx}(2)")


def test_the_definition_of_the_derivative_in_notes(capsys, tmp_path):
    """The limit that defines the derivative is checked against a defined function, both ways."""
    found = verdicts(capsys, tmp_path, "Take\n\n$$ L(x) = x^2 $$\n\n"
                     "$$ \\lim_{h \\rightarrow 0}\\frac{L(4+h) - L(4)}{h} = 8 $$\n\n"
                     "$$ \\lim_{h \\rightarrow 0}\\frac{L(4+h) - L(4)}{h} = 16 $$\n")
    assert found[5] == ["verified"]
    assert found[7] == ["wrong"]
