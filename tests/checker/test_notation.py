"""The notation layer: ML notation read right, hostile input refused, corpus share measured."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import sympy as sp

from checker.functions import sigmoid
from checker.notation import Notation, ParseError, parse_latex

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
x, y, z, w, b = sp.symbols("x y z w b")

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
    (r"\mathbf{w} \cdot \mathbf{x} + b", w * x + b),
    (r"\frac{d}{dx} x^3", sp.Derivative(x**3, x)),
    (r"f'(x)", sp.Derivative(sp.Function("f")(x), x)),
    (r"\sigma'(x)", sp.Derivative(sigmoid(x), x)),
    (r"\frac{\partial}{\partial w} (w x)^2", sp.Derivative((w * x) ** 2, w)),
    (r"\sum_{i=1}^{n} x_i", sp.Sum(sp.IndexedBase("x")[sp.Symbol("i")], (sp.Symbol("i"), 1, sp.Symbol("n")))),
    (r"f(x+y)", sp.Function("f")(x + y)),
    (r"\mathrm{ReLU}(x)", sp.Max(0, x)),
]


@pytest.mark.parametrize("latex,expected", TABLE, ids=[t[0] for t in TABLE])
def test_ml_notation_is_read_as_intended(latex, expected):
    """Each notation rule gives the intended SymPy expression."""
    (got,) = parse_latex(latex).sides
    from checker.functions import unfold
    assert sp.simplify(unfold(got) - unfold(expected)) == 0 or sp.srepr(got) == sp.srepr(expected), got


def test_relations_and_chains_are_split_at_the_top_level():
    """a = b = c is a chain of three sides; f(a=b) is not split inside parentheses."""
    p = parse_latex(r"a = b \le c")
    assert p.relations == ("=", "<=") and len(p.sides) == 3


def test_sigma_can_mean_a_standard_deviation():
    """With notation sigma=symbol, \\sigma(x+1) is a product, not the sigmoid."""
    (got,) = parse_latex(r"\sigma(x+1)", notation=Notation(sigma="symbol")).sides
    assert not got.has(sigmoid)


@pytest.mark.parametrize("latex,needle", [
    (r"x^T y", "transposes"),
    (r"\|x\|_2", "norms"),
    (r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}", "cases"),
    (r"\arg\max_x f(x)", "argmax"),
    (r"= x", "missing one of its sides"),
])
def test_what_cannot_be_read_with_confidence_is_refused(latex, needle):
    """Ambiguous notation is refused with a reason, never guessed."""
    with pytest.raises(ParseError, match=needle):
        parse_latex(latex)


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


def test_size_and_depth_guards_are_fast():
    """A 1 MB equation and 10 000 nested braces are refused at once."""
    start = time.monotonic()
    with pytest.raises(ParseError, match="characters long"):
        parse_latex("x+" * 500_000)
    with pytest.raises(ParseError, match="nested"):
        parse_latex("{" * 10_000 + "x" + "}" * 10_000, max_length=100_000)
    assert time.monotonic() - start < 2


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
    assert share >= 0.58
