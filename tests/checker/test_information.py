r"""Entropy, cross-entropy, KL divergence and mutual information, read as notes write them and
checked on random finite distributions (`checker.information`)."""

from __future__ import annotations

import json

import pytest

from checker import engine
from checker.information import claim_for, distributions_in, finite_reading, is_information_call
from checker.notation import ParseError, parse_latex
from checker.verdict import Status
from tests.checker.cli_helpers import check, write


def verdict(tex: str, distributions=("p", "q"), **kw):
    parsed = parse_latex(tex)
    claim = claim_for(parsed.sides[0], parsed.sides[1], parsed.relation, distributions=distributions, **kw)
    assert claim is not None, f"no reading of {tex!r}"
    return engine.check(claim).verdict


def assert_verified(tex: str, **kw) -> None:
    v = verdict(tex, **kw)
    assert v.status is Status.VERIFIED, (tex, v.reason)


def assert_wrong(tex: str, **kw) -> None:
    v = verdict(tex, **kw)
    assert v.status is Status.WRONG, (tex, v.reason)
    names = [name for name, _ in v.counterexample.point]
    assert names and all("__w" in n for n in names), names  # a distribution is the counterexample


# --- reading the notation -------------------------------------------------------------------

@pytest.mark.parametrize("tex", [r"D_{KL}(p \| q)", r"D_{\mathrm{KL}}\left(p \,\|\, q\right)", r"D_{KL}(p \parallel q)",
                                 r"\mathrm{KL}(p \| q)", r"D_\text{KL}(p || q)"])
def test_kl_separators_are_read(tex):
    """Every spelling of the KL divergence is the call KL(p, q)."""
    (side,) = parse_latex(tex).sides
    assert str(side) == "KL(p, q)"


def test_a_bar_outside_a_divergence_is_a_norm_or_refused():
    """``\\|`` outside a KL divergence is never read as one: a norm where it encloses a name,
    refused where it separates arguments of another function."""
    assert "KL" not in str(parse_latex(r"\|x\| = 1").sides[0])
    with pytest.raises(ParseError, match="norms"):
        parse_latex(r"f(x \| y) = 1")


def test_mutual_information_conditionals_and_expectations_are_read():
    """I(X; Y), H(X | Y), p(x | y) and E_{x~p}[.] become calls and sums the reader knows."""
    assert str(parse_latex(r"I(X; Y)").sides[0]) == "MI(X, Y)"
    assert str(parse_latex(r"H(X \mid Y)").sides[0]) == "H_given(X, Y)"
    assert str(parse_latex(r"p(x \mid y)").sides[0]) == "p_given(x, y)"
    assert str(parse_latex(r"\mathbb{E}_{x \sim p}[f(x)]").sides[0]) == "Sum(f(x)*p(x), (x, 1, size_x))"
    with pytest.raises(ParseError):
        parse_latex(r"I(X; Y \mid Z) = 0")  # conditional mutual information: not read


def test_distributions_are_found():
    """Names summed over a support or given to H and KL are distributions; numbers are not."""
    sides = parse_latex(r"H(p, q) = -\sum_{x} r(x) \log r(x)").sides
    assert distributions_in(sides) == {"p", "q", "r"}
    assert distributions_in(parse_latex(r"H(\theta) = 1").sides) == set()
    assert is_information_call(parse_latex(r"H(p)").sides[0], {"p"})
    assert not is_information_call(parse_latex(r"H(\theta)").sides[0], {"p"})


# --- identities -----------------------------------------------------------------------------

def test_entropy_cross_entropy_and_kl_definitions():
    assert_verified(r"H(p) = -\sum_{x} p(x) \log p(x)")
    assert_verified(r"H(p) = \mathbb{E}_{x \sim p}\left[ -\log p(x) \right]")
    assert_verified(r"H(p, q) = -\sum_{x} p(x) \log q(x)")
    assert_verified(r"D_{KL}(p \| q) = \sum_{x} p(x) \log \frac{p(x)}{q(x)}")
    assert_wrong(r"D_{KL}(p \| q) = \sum_{x} q(x) \log \frac{p(x)}{q(x)}")


def test_cross_entropy_decomposition_and_its_sign_error():
    assert_verified(r"H(p, q) = H(p) + D_{KL}(p \| q)")
    assert_wrong(r"H(p, q) = H(p) - D_{KL}(p \| q)")


def test_mutual_information_identities():
    assert_verified(r"I(X; Y) = \sum_{x, y} p(x, y) \log \frac{p(x, y)}{p(x) p(y)}")
    assert_verified(r"H(X \mid Y) = -\sum_{x, y} p(x, y) \log p(x \mid y)")
    assert_verified(r"I(X; Y) = H(X) + H(Y) - H(X, Y)")
    assert_verified(r"I(X; Y) = H(Y) - H(Y \mid X)")
    assert_wrong(r"I(X; Y) = H(X) - H(Y \mid X)")
    assert_verified(r"I(X; Y) = D_{KL}\left( p(x, y) \,\|\, p(x) p(y) \right)")
    assert_wrong(r"I(X; Y) = D_{KL}\left( p(x) p(y) \,\|\, p(x, y) \right)")


def test_joint_entropy_adds_up_only_for_independent_variables():
    assert_wrong(r"H(X, Y) = H(X) + H(Y)")
    assert_verified(r"H(X, Y) = H(X) + H(Y)", independent=True)


# --- inequalities ---------------------------------------------------------------------------

def test_gibbs_and_conditioning():
    assert_verified(r"D_{KL}(p \| q) \ge 0")
    assert_wrong(r"D_{KL}(p \| q) \le 0")
    assert_verified(r"H(X \mid Y) \le H(X)")
    assert_verified(r"\sum_{x} p(x) \log \frac{q(x)}{p(x)} \le \log \sum_{x} p(x) \frac{q(x)}{p(x)}")
    assert_verified(r"\log \sum_{x} q(x) = 0")


# --- no reading -----------------------------------------------------------------------------

@pytest.mark.parametrize("tex", [
    r"H(p, q) = -\log q(c)",  # c is given in words
    r"\mathbb{E}_{x \sim p}\left[ (x - \mu_2)^2 \right] = \sigma_1^2 + (\mu_1 - \mu_2)^2",  # p given in words
    r"\sum_{i=1}^{n} p(i) = 1",  # a sum with bounds
    r"a + b = b + a",
])
def test_no_reading(tex):
    assert finite_reading(parse_latex(tex).sides, distributions={"p", "q"}) is None


# --- in notes -------------------------------------------------------------------------------

NOTES = r"""# Information

For distributions $p$ and $q$ on a finite set,

$$ H(p) = -\sum_{x} p(x) \log p(x) $$

For a coin with heads probability $\theta$,

$$ H(\theta) = -\theta \log \theta - (1 - \theta) \log (1 - \theta) $$

$$ H(p, q) = H(p) + D_{KL}(p \| q) $$

$$ H(p, q) = H(p) - D_{KL}(p \| q) $$

For a fair coin $p$ and a biased coin $q$,

$$ D_{KL}(p \| q) = 0.5 \log \frac{0.5}{0.25} + 0.5 \log \frac{0.5}{0.75} = \frac{1}{2} \log \frac{4}{3} $$

$$ H(X, Y) = H(X) + H(Y) $$

When $X$ and $Y$ are independent,

$$ H(X, Y) = H(X) + H(Y) $$
"""


def test_in_notes(tmp_path, capsys):
    """In notes: H(p) of a distribution is its entropy even after H(θ) is defined for a number; a
    value of distributions given in words is never wrong; independence comes from the words."""
    path = write(tmp_path, "info.md", NOTES)
    code, out, _ = check(capsys, path, "--format", "json")
    by_line = {r["line"]: r for r in json.loads(out)["results"] if r["step"] == 1}
    assert by_line[5]["verdict"] == "verified"
    assert by_line[9]["verdict"] == "defined"
    assert by_line[11]["verdict"] == "verified"
    assert by_line[13]["verdict"] == "wrong"
    assert by_line[17]["verdict"] == "inconclusive"
    assert "described in words" in by_line[17]["message"]
    assert by_line[19]["verdict"] == "wrong"
    assert by_line[23]["verdict"] == "verified"
    assert code == 1


# --- named distributions --------------------------------------------------------------------

def test_kl_of_two_normal_distributions():
    """The KL divergence of two normals is derived by sympy.stats; the standard deviations are positive."""
    assert_verified(r"D_{KL}\left( \mathcal{N}(\mu, \sigma^2) \,\|\, \mathcal{N}(0, 1) \right) = "
                    r"\frac{1}{2} \left( \mu^2 + \sigma^2 - \log \sigma^2 - 1 \right)")
    right = (r"D_{KL}(\mathcal{N}(0, \sigma_1^2) \| \mathcal{N}(0, \sigma_2^2)) = \log \frac{\sigma_2}{\sigma_1}"
             r" + \frac{\sigma_1^2}{2\sigma_2^2} - \frac{1}{2}")
    assert_verified(right)
    v = verdict(right.replace(r"\frac{\sigma_1^2}{2\sigma_2^2}", r"\frac{\sigma_2^2}{2\sigma_1^2}"))
    assert v.status is Status.WRONG
    parsed = parse_latex(r"D_{KL}(\mathcal{N}(\mu_1, a + b) \| \mathcal{N}(\mu_2, \sigma_2^2)) = 0")
    assert claim_for(parsed.sides[0], parsed.sides[1], "=") is None  # a variance not known to be positive


def test_bits_where_the_notes_write_log_base_2():
    """Entropy and mutual information written with \\log_2 are in bits: the built-ins follow."""
    assert_verified(r"H(p) = -\sum_{x} p(x) \log_2 p(x)")
    assert_verified(r"I(X; Y) = \sum_{x, y} p(x, y) \log_2 \frac{p(x, y)}{p(x) p(y)}")
    assert_wrong(r"H(p) = -\sum_{x} q(x) \log_2 p(x)")
