"""Claims about entries of indexed families in notes: derivatives with respect to an entry of a
summed vector (∂Ω/∂w_j, ∂s_i/∂z_j) and identities over a family of symbolic size, checked at
concrete sizes with the free indices set to values in their range."""

from __future__ import annotations

from typing import Any

import pytest
import sympy as sp

from checker.claims import Identity
from checker.notes_sequences import at_indices, free_indices, named_entry
from checker.notes_run import check_sources

NOTES = r"""# Ridge

$$ \Omega_2(\mathbf{w}) = \frac{\lambda}{2} \| \mathbf{w} \|_2^2 = \frac{\lambda}{2} \sum_{j=1}^{n} w_j^2 $$

$$ \frac{\partial \Omega_2}{\partial w_j} = 2 \lambda w_j $$

$$ \frac{\partial \Omega_2}{\partial w_j} = \lambda w_j $$

# Softmax

$$ s_i = \frac{e^{z_i}}{\sum_{k=1}^{n} e^{z_k}} $$

$$ \frac{\partial s_i}{\partial z_j} = s_i \left( 1 - s_j \right) $$

$$ \frac{\partial s_i}{\partial z_i} = s_i \left( 1 - s_i \right) $$

# Mean

$$ \mu = \frac{1}{d} \sum_{j=1}^{d} h_j $$

$$ \frac{\partial \mu}{\partial h_j} = \frac{1}{d} $$

$$ \frac{\partial \mu}{\partial h_j} = \frac{2}{d} $$

# Squares

$$ \ell = \sum_{i=1}^{m} (x_i - c)^2 $$

$$ \frac{\partial \ell}{\partial x_b} = 2 (x_b - c) $$

$$ \frac{\partial \ell}{\partial x_b} = 2 (x_b - c) + 1 $$

# Labels

$$ L = \sum_{j} \max(0, 1 - y_{ij} f_j) $$

$$ \frac{\partial L}{\partial f_j} = f_j - y_{ij} $$

# Attention

$$ A_{ij} = \frac{e^{S_{ij}}}{\sum_{k=1}^{n} e^{S_{ik}}} $$

$$ \sum_{j=1}^{n} A_{ij} = 1 $$

$$ \sum_{j=1}^{n} A_{ij} = 2 $$

$$ \sum_{i=1}^{n} A_{ij} = 1 $$

# Batch

For a batch $x_1, x_2$ and a small constant $\epsilon > 0$,

$$ \mu_B = \frac{1}{B} \sum_{b=1}^{B} x_b $$

$$ \sigma_B^2 = \frac{1}{B} \sum_{b=1}^{B} (x_b - \mu_B)^2 $$

$$ \hat{x}_b = \frac{x_b - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}} $$

$$ \sum_{b=1}^{B} \hat{x}_b = 0 $$

$$ \frac{1}{B} \sum_{b=1}^{B} \hat{x}_b^2 = 1 $$

# Worked

$$ p_j = \frac{e^{z_j}}{\sum_{k} e^{z_k}} $$

With the scores 1, 2 and 3,

$$ \sum_{j} p_j z_j = 2.58 $$

# Variance

$$ g(\mu, \sigma^2) = -\frac{m}{2} \log \sigma^2 - \frac{1}{2\sigma^2} \sum_{i=1}^{m} (x_i - \mu)^2 $$

$$ \frac{\partial g}{\partial \sigma^2} = -\frac{m}{2\sigma^2} + \frac{1}{2\sigma^4} \sum_{i=1}^{m} (x_i - \mu)^2 $$

$$ \frac{\partial g}{\partial \sigma} = -\frac{m}{\sigma} + \frac{1}{\sigma^2} \sum_{i=1}^{m} (x_i - \mu)^2 $$
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[int, list[Any]]:
    """One run over the notes above (a module-wide run keeps the default test run fast)."""
    path = tmp_path_factory.mktemp("families") / "n.md"
    path.write_text(NOTES)
    by_line: dict[int, list[Any]] = {}
    for r in check_sources([str(path)]).results:
        by_line.setdefault(r.line, []).append(r)
    return by_line


def _verdicts(results: dict[int, list[Any]], line: int) -> list[str]:
    return [r.verdict.value for r in results.get(line, [])]


def _line(text: str) -> int:
    return NOTES.splitlines().index(text) + 1


def test_derivative_by_an_entry_of_a_norm_is_checked(results):
    """∂/∂w_j of (λ/2)‖w‖²: λ w_j is verified, 2λ w_j is wrong with the size and index in the counterexample."""
    wrong = _line(r"$$ \frac{\partial \Omega_2}{\partial w_j} = 2 \lambda w_j $$")
    assert _verdicts(results, wrong) == ["wrong"]
    point = dict(results[wrong][0].counterexample.point)
    assert {"n", "j"} <= set(point) and point["j"] <= point["n"]
    assert _verdicts(results, wrong + 2) == ["verified"]


def test_softmax_jacobian_at_every_pair_of_indices(results):
    """∂s_i/∂z_j = s_i(1 - s_j) only holds for i = j: wrong (at i ≠ j); with i = j written, verified."""
    general = _line(r"$$ \frac{\partial s_i}{\partial z_j} = s_i \left( 1 - s_j \right) $$")
    assert _verdicts(results, general) == ["wrong"]
    point = dict(results[general][0].counterexample.point)
    assert point["i"] != point["j"]
    assert _verdicts(results, general + 2) == ["verified"]


def test_derivative_of_a_mean_by_one_entry(results):
    right = _line(r"$$ \frac{\partial \mu}{\partial h_j} = \frac{1}{d} $$")
    assert _verdicts(results, right) == ["verified"]
    assert _verdicts(results, right + 2) == ["wrong"]


def test_summed_index_named_like_the_free_one(results):
    """ℓ = Σ_i (x_i - c)^2, ∂ℓ/∂x_b: the entry b of the summed vector."""
    right = _line(r"$$ \frac{\partial \ell}{\partial x_b} = 2 (x_b - c) $$")
    assert _verdicts(results, right) == ["verified"]
    assert _verdicts(results, right + 2) == ["wrong"]


def test_a_name_beside_the_entries_it_stands_for_is_not_checked(results):
    """y_{ij} written as a name beside the entries y[i, j]: inconclusive, never wrong."""
    line = _line(r"$$ \frac{\partial L}{\partial f_j} = f_j - y_{ij} $$")
    assert _verdicts(results, line) == ["inconclusive"]


def test_free_indices_take_the_range_of_the_sums_over_their_vector():
    n, m = (sp.Symbol(s, integer=True, positive=True) for s in "nm")
    i, j, k = (sp.Symbol(s, integer=True) for s in "ijk")
    z, y = sp.IndexedBase("z"), sp.IndexedBase("y")
    assert free_indices((z[j], sp.Sum(z[k], (k, 1, n)))) == {j: n}
    assert free_indices((y[i], sp.Sum(z[k], (k, 1, n)))) == {i: None}  # no sum over y: any entry
    assert free_indices((z[j], sp.Sum(z[k], (k, 1, n)) + sp.Sum(z[k], (k, 1, m)))) is None  # two ranges
    assert free_indices((z[j], sp.Sum(z[k], (k, 0, n)))) is None  # not from 1


def test_claim_at_indices_renames_a_summed_index_that_is_also_free():
    n = sp.Symbol("n", integer=True, positive=True)
    j = sp.Symbol("j", integer=True)
    z = sp.IndexedBase(sp.Symbol("z", real=True))
    claim = Identity(lhs=sp.Derivative(sp.Sum(z[j] ** 2, (j, 1, n)), z[j]), rhs=2 * z[j], sizes=((n, (1, 2, 3, 4)),))
    at = at_indices(claim)
    assert at is not None and {s.name for s, _ in at.sizes} == {"n", "j"}
    [summed] = at.lhs.atoms(sp.Sum)
    assert summed.limits[0][0].name != "j"


def test_named_entry():
    i, j = (sp.Symbol(s, integer=True) for s in "ij")
    y = sp.IndexedBase("y")
    assert named_entry((y[i, j], sp.Symbol("y_ij")), {"y_ij": "y_{ij}"}) == "y_{ij}"
    assert named_entry((y[i, j], sp.Symbol("b")), {}) == ""


def test_a_family_at_two_indices(results):
    """A_ij a softmax over j: the rows sum to one (verified), not to two (wrong); the columns sum to
    one only if the scores are all equal (not wrong: that side condition is named)."""
    rows = _line(r"$$ \sum_{j=1}^{n} A_{ij} = 1 $$")
    assert _verdicts(results, rows) == ["verified"]
    assert _verdicts(results, rows + 2) == ["wrong"]
    assert _verdicts(results, rows + 4) == ["inconclusive"]
    assert "holds if" in results[rows + 4][0].message


def test_an_identity_over_a_batch_of_symbolic_size_is_not_a_worked_number(results):
    """x̂ normalised with ε > 0 stated: centred (verified), but not of unit mean square (wrong)."""
    centred = _line(r"$$ \sum_{b=1}^{B} \hat{x}_b = 0 $$")
    assert _verdicts(results, centred) == ["verified"]
    assert _verdicts(results, centred + 2) == ["wrong"]


def test_a_worked_number_with_values_in_words_stays_inconclusive(results):
    line = _line(r"$$ \sum_{j} p_j z_j = 2.58 $$")
    assert _verdicts(results, line) == ["inconclusive"]
    assert "worked number" in results[line][0].message


def test_a_function_of_the_variance_differentiated_by_it_and_by_the_deviation(results):
    """g(μ, σ²) defined in σ: ∂g/∂σ² (σ² as the variable) verified; ∂g/∂σ with 1/σ² for 1/σ³ wrong."""
    by_variance = _line(r"$$ \frac{\partial g}{\partial \sigma^2} = -\frac{m}{2\sigma^2} + "
                        r"\frac{1}{2\sigma^4} \sum_{i=1}^{m} (x_i - \mu)^2 $$")
    assert _verdicts(results, by_variance - 2) == ["defined"]
    assert _verdicts(results, by_variance) == ["verified"]
    assert _verdicts(results, by_variance + 2) == ["wrong"]
