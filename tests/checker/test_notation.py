"""The notation layer: ML notation read right, hostile input refused, corpus share measured."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from checker.functions import sigmoid
from checker.notation import Notation, ParseError, parse_latex, prime_variable

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
x, y, z, w, b, a, c, d, h, n = sp.symbols("x y z w b a c d h n")
u = prime_variable(0)
_size = lambda name: sp.Symbol(name, integer=True, positive=True)  # noqa: E731
_inner_w_x = MatrixElement(sp.MatrixSymbol("w", _size("size_w"), 1).T * sp.MatrixSymbol("x", _size("size_w"), 1),
                              0, 0)
X, Y = sp.symbols("X Y")
i, j = sp.symbols("i j")
E = sp.Function("E")

TABLE = [
    (r"\sigma(wx+b)", sigmoid(w * x + b)),
    (r"\log(x)", sp.log(x)),
    (r"\ln x", sp.log(x)),
    (r"\log_2 8", sp.log(8) / sp.log(2)),
    (r"\frac{1}{1 + e^{-z}}", 1 / (1 + sp.exp(-z))),
    (r"\tanh^2(x)", sp.tanh(x) ** 2),
    (r"\max(0, x)", sp.Max(0, x)),
    (r"\left( \frac{x}{y} \right)^2", (x / y) ** 2),
    (r"x \cdot y,", x * y),
    (r"\hat{y}", sp.Symbol("y_hat")),
    (r"w_j", sp.Symbol("w_j")),
    (r"\mathbf{w} \cdot \mathbf{x} + b", _inner_w_x + b),  # bold vectors: their inner product
    (r"\frac{d}{dx} x^3", sp.Derivative(x**3, x)),
    (r"f'(x)", sp.Subs(sp.Derivative(sp.Function("f")(u), u), u, x)),
    (r"\sigma'(x)", sp.Derivative(sigmoid(x), x)),
    (r"\frac{\partial}{\partial w} (w x)^2", sp.Derivative((w * x) ** 2, w)),
    (r"\sum_{i=1}^{n} x_i", sp.Sum(sp.IndexedBase("x")[sp.Symbol("i")], (sp.Symbol("i"), 1, sp.Symbol("n")))),
    (r"f(x+y)", sp.Function("f")(x + y)),
    (r"\mathrm{ReLU}(x)", sp.Max(0, x)),
    (r"\mathbb{E}[X^2] - \mathbb{E}[X]^2", E(X**2) - E(X) ** 2),
    (r"E[aX + b]", E(a * X + b)),
    (r"\mathrm{Var}(X) + 2\mathrm{Cov}(X, Y)", sp.Function("Var")(X) + 2 * sp.Function("Cov")(X, Y)),
    (r"\text{Var}(X)", sp.Function("Var")(X)),
    (r"f(x, y)", sp.Function("f")(x, y)),
    (r"\sigma(w \sigma(x + 1) + b)", sigmoid(w * sigmoid(x + 1) + b)),
    (r"\frac{\partial^2 f}{\partial x \partial y}", sp.Derivative(sp.Symbol("f"), x, y)),
    (r"\partial{L} / \partial{w}", sp.Derivative(sp.Symbol("L"), w)),
    (r"\partial_{w} (w x)", sp.Derivative(w * x, w)),
    (r"f'(g(x))", sp.Subs(sp.Derivative(sp.Function("f")(u), u), u, sp.Function("g")(x))),
    (r"f''(x)", sp.Subs(sp.Derivative(sp.Function("f")(u), (u, 2)), u, x)),
    (r"\tanh'(x)", sp.Derivative(sp.tanh(x), x)),
    (r"\gamma", sp.Symbol("gamma")),
    (r"\frac{TP}{TP + FP}", sp.Symbol("TP") / (sp.Symbol("TP") + sp.Symbol("FP"))),
    (r"\begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}", sp.Piecewise((x, x > 0), (0, True))),
    (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", sp.ImmutableMatrix([[a, b], [c, d]])),
    (r"\det\begin{pmatrix} a & b \\ c & d \end{pmatrix}", a * d - b * c),
    (r"\lim_{h \to 0} \frac{(x+h)^2 - x^2}{h}", sp.Limit(((x + h) ** 2 - x**2) / h, h, 0)),
    (r"\sum_i^n x_i", sp.Sum(sp.IndexedBase("x")[i], (i, 1, n))),
    (r"\sum_{i,j=1}^n w_{ij}", sp.Sum(sp.IndexedBase("w")[i, j], (j, 1, n), (i, 1, n))),
    # a bold vector minus a plain name: the name is a vector of its size
    ("\\mathbf{\\hat{y}} - y\\", sp.MatrixSymbol("y_hat", _size("size_y_hat"), 1)
     - sp.MatrixSymbol("y", _size("size_y_hat"), 1)),
    (r"\bx + \eps", x + sp.Symbol("epsilon")),
]


@pytest.mark.parametrize("latex,expected", TABLE, ids=[t[0] for t in TABLE])
def test_ml_notation_is_read_as_intended(latex, expected):
    """Each notation rule gives the intended SymPy expression."""
    (got,) = parse_latex(latex).sides
    from checker.functions import unfold
    diff = sp.simplify(unfold(got) - unfold(expected))
    assert diff == 0 or getattr(diff, "is_zero_matrix", False) or sp.srepr(got) == sp.srepr(expected), got


def test_subscripts_with_a_sign_are_different_names():
    """m_{t-1} and m_{t+1} are two names, not one (so m_{t+1} = m_{t-1} is not read as true)."""
    lhs, rhs = parse_latex(r"m_{t+1} = m_{t-1}").sides
    assert lhs != rhs and {lhs.name, rhs.name} == {"m_tp1", "m_tm1"}


def test_a_condition_under_a_sum_is_refused():
    """\\sum_{j \\neq y_i} names no range: refused, not read as a sum over all j."""
    with pytest.raises(ParseError):
        parse_latex(r"\sum_{j\neq y_i} x_j")


SHAPES = Notation(shapes=(("A", (2, 2)), ("B", (2, 2)), ("X", (3, 2)), ("y", (3, 1)), ("v", (2, 1)),
                          ("beta_hat", (2, 1))))
A2, B2 = sp.MatrixSymbol("A", 2, 2), sp.MatrixSymbol("B", 2, 2)
X32, y31 = sp.MatrixSymbol("X", 3, 2), sp.MatrixSymbol("y", 3, 1)


def test_matrix_products_keep_their_order():
    """With a shape table, AB and BA are different products (the parser alone sorts them alike)."""
    lhs, rhs = parse_latex(r"AB \neq BA", notation=SHAPES).sides
    assert lhs == sp.MatMul(A2, B2) and rhs == sp.MatMul(B2, A2) and lhs != rhs


def test_normal_equations_are_read_as_matrix_expressions():
    """(X^T X)^{-1} X^T y is the inverse of the Gram matrix times X^T y, not a scalar product."""
    lhs, rhs = parse_latex(r"\hat{\beta} = (X^T X)^{-1} X^T y", notation=SHAPES).sides
    assert lhs == sp.MatrixSymbol("beta_hat", 2, 1)
    assert rhs == sp.MatMul(sp.Inverse(sp.MatMul(X32.T, X32)), X32.T, y31)


def test_identity_takes_the_size_of_the_other_side():
    """AA^{-1} = I reads I as the 2×2 identity; A ⊙ B is the Hadamard product."""
    lhs, rhs = parse_latex(r"AA^{-1} = I", notation=SHAPES).sides
    assert rhs == sp.Identity(2) and lhs == sp.MatMul(A2, sp.Inverse(A2))
    (had,) = parse_latex(r"A \odot B", notation=SHAPES).sides
    assert had == sp.HadamardProduct(A2, B2)


def test_shapes_that_do_not_fit_are_refused():
    """A 2×2 matrix times a 3×1 vector is refused, as is a matrix plus a scalar."""
    with pytest.raises(ParseError, match="not defined"):
        parse_latex(r"A y", notation=SHAPES)
    with pytest.raises(ParseError, match="scalar"):
        parse_latex(r"A + 1", notation=SHAPES)


def test_the_corpus_comparison_tells_wrong_readings_apart():
    """The comparison helper rejects a wrong reading: swapped factors, t+1 for t-1, base-10 log."""
    from tests.checker.corpus_meaning import same_meaning

    assert same_meaning(r"AB", "A*B", "MS('A',2,2)*MS('B',2,2)")
    assert not same_meaning(r"AB", "B*A", "MS('B',2,2)*MS('A',2,2)")
    assert same_meaning(r"m_{t-1}", "m_t-1", "S_('m_t-1')")
    assert not same_meaning(r"m_{t+1}", "m_t-1", "S_('m_t-1')")
    assert same_meaning(r"\log x", "log(x)")
    assert not same_meaning(r"\log x", "log(x)/log(10)")
    assert not same_meaning(r"a \le b", "a < b")
    assert same_meaning(r"\frac{\partial L}{\partial w}", "Derivative(L, w)")
    assert not same_meaning(r"\frac{\partial L}{\partial z}", "Derivative(L, w)")


def test_relations_and_chains_are_split_at_the_top_level():
    """a = b = c is a chain of three sides; f(a=b) is not split inside parentheses."""
    p = parse_latex(r"a = b \le c")
    assert p.relations == ("=", "<=") and len(p.sides) == 3


def test_sigma_can_mean_a_standard_deviation():
    """With notation sigma=symbol, \\sigma(x+1) is a product, not the sigmoid."""
    (got,) = parse_latex(r"\sigma(x+1)", notation=Notation(sigma="symbol")).sides
    assert not got.has(sigmoid)


@pytest.mark.parametrize("latex,needle", [
    (r"f(p \| q)", "norms"),  # a separator of arguments, not a norm
    (r"\|x\|_\infty", "norm"),
    (r"\begin{cases} 1 \\ 0 \end{cases}", "cases needs a value and a condition"),
    (r"A^{-1} B", "inverses need the shapes"),
    (r"A \odot B", "need the shapes"),
    (r"\det(A)", "determinant needs a square matrix"),
    (r"\mathbb{E}_{x}[x]", "named distribution"),
    (r"\mathbb{E}_{x \sim \mathcal{N}(0, 1)}[x]", "distributions are not supported"),
    (r"\sigma(W x + b)_i", "are vectors is not known"),
    (r"1 + \gamma + \gamma^2 + \ldots", "ellipsis"),
    (r"P(y = 1 \mid x)", "not supported"),
    (r"\arg\max_{\mathbf{x}} f(\mathbf{x})", "argmax"),
    (r"= x", "missing one of its sides"),
])
def test_what_cannot_be_read_with_confidence_is_refused(latex, needle):
    """Ambiguous notation is refused with a reason, never guessed."""
    with pytest.raises(ParseError, match=needle):
        parse_latex(latex)


@pytest.mark.parametrize("text", [r"\mathrm{FNCzzz} + 1", r"\mathrm{PRMqqq}", r"\mathrm{BLKabc} x",
                                  r"\mathrm{MXaaz}", r"\mathrm{DRVbbb} = 1"])
def test_placeholder_names_in_a_document_are_refused(text):
    """A document spelling one of the layer's placeholders gets a ParseError, not a lookup failure."""
    with pytest.raises(ParseError, match="reserved"):
        parse_latex(text)


PAYLOADS = [
    r'\operatorname{__import__("os").system("touch PWNED")}(x)',
    r'\mathrm{__import__(chr(111)+chr(115)).system("touch PWNED")}(x)',
    r'\text{exec("open(\'PWNED\',\'w\')")} = 1',
    r"__class__.__mro__[1].__subclasses__()",
    r"{0.__class__} + {x.__init__.__globals__}",
    r"\def\x{1} x",
    r"\input{/etc/passwd}",
    r"lambda: __import__('os')",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_input_is_refused_or_harmless(payload, tmp_path, monkeypatch):
    """Python in names, \\text, dunders: a ParseError or safe names; nothing runs."""
    monkeypatch.chdir(tmp_path)
    try:
        p = parse_latex(payload)
    except ParseError:
        pass
    else:
        for side in p.sides:
            for s in side.free_symbols:
                assert s.name.isidentifier() and "__" not in s.name.strip("_")
            for f in side.atoms(sp.Function):
                assert type(f).__name__.replace("_", "").isalnum()
    assert not (tmp_path / "PWNED").exists()


def test_shape_table_names_must_be_identifiers():
    """A shape table entry named as Python code is refused before it can become a MatrixSymbol."""
    with pytest.raises(ParseError, match="not an identifier"):
        parse_latex("A x", notation=Notation(shapes=(("__import__('os')", (2, 2)),)))


_TOKENS = [r"\frac", "{", "}", "(", ")", "[", "]", "x", "A", "I", "_", "^", "T", r"\top", "=", "+", ",", "'",
           r"\sigma", r"\sum", r"\partial", "d", r"\mathrm{Var}", "E", r"\begin{cases}", r"\end{cases}", "&",
           r"\\", r"\begin{pmatrix}", r"\end{pmatrix}", r"\det", r"\odot", "f", "1", r"\hat", r"\lim", r"\to",
           r"\text{if}", "|", r"\left(", r"\right)", "i", "n", r"\le", "!", r"\sqrt"]


def test_random_token_strings_give_a_reading_or_a_parse_error():
    """200 seeded random strings of ML tokens, with and without a shape table: never another exception."""
    import random

    rng = random.Random(7)
    shaped = Notation(shapes=(("A", (2, 2)), ("x", (2, 1))))
    for _ in range(200):
        text = " ".join(rng.choice(_TOKENS) for _ in range(rng.randint(1, 10)))
        for notation in (Notation(), shaped):
            try:
                parse_latex(text, notation=notation)
            except ParseError:
                pass


def test_size_and_depth_guards_are_fast():
    """A 1 MB equation and 10 000 nested braces are refused at once."""
    start = time.process_time()  # CPU time: a busy machine does not make the guards slower
    with pytest.raises(ParseError, match="characters long"):
        parse_latex("x+" * 500_000)
    with pytest.raises(ParseError, match="nested"):
        parse_latex("{" * 10_000 + "x" + "}" * 10_000, max_length=100_000)
    assert time.process_time() - start < 2


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="needs ../shared/corpus")
def test_parser_corpus_share_read_with_intended_meaning():
    """The share of the corpus formulas (with an intended meaning) read as intended stays at its level."""
    from tests.checker.corpus_meaning import same_meaning

    data = json.loads((SHARED / "corpus" / "parser_corpus.json").read_text())
    with_meaning = [r for r in data if r.get("intended_sympy")]
    ok = sum(1 for r in with_meaning if same_meaning(r["latex"], r["intended_sympy"], r.get("intended_dsl")))
    share = ok / len(with_meaning)
    print(f"parser corpus: {ok}/{len(with_meaning)} = {share:.1%} read with their intended meaning")
    assert len(with_meaning) == 155
    # one formula short of all: the corpus reads \mathbf{w} \cdot \mathbf{x} as a product of scalars,
    # the layer as the inner product of two vectors (bold lowercase names are vectors)
    assert ok >= 154


def test_an_exponent_too_large_for_exact_arithmetic_is_refused():
    """(1/2)^{10^9} written out would be computed with 300 million digits: refused at once,
    with the reason; ordinary exponents are read."""
    with pytest.raises(ParseError, match="too large for exact arithmetic"):
        parse_latex(r"\log((1/2)^{1000000000}) = 1000000000 \log(1/2)")
    lhs, rhs = parse_latex(r"2^{10} = 1024").sides
    assert sp.simplify(lhs - rhs) == 0
