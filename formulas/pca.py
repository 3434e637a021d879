"""PCA (`pca.*`) and distances (`distance.*`)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeClaim, Identity, Property
from checker.relations import Eq, Le
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC_PCA = "PCA"
TOPIC_DIST = "Distances"


def _data(rng: np.random.Generator) -> dict:
    n, d = int(rng.integers(5, 30)), int(rng.integers(2, 5))
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d) * 3
    return {"X": X, "k": int(rng.integers(1, d + 1))}


def _small(rng: np.random.Generator) -> dict:
    """Small integer data, so that a finding's evidence can be recomputed by hand."""
    while True:
        X = rng.integers(-3, 4, size=(int(rng.integers(3, 5)), 2)).astype(float)
        if np.linalg.matrix_rank(X - X.mean(axis=0)) == 2:
            return {"X": X, "k": 1}


def _centred(X: np.ndarray) -> np.ndarray:
    return X - X.mean(axis=0)


def _cov_formula(p: dict) -> np.ndarray:
    """003: Σ = (1/n) XᵀX for centred X."""
    Xc = _centred(p["X"])
    return Xc.T @ Xc / len(Xc)


def _cov_loops(p: dict) -> np.ndarray:
    """The population covariance, entry by entry: (1/n) Σᵢ (xᵢⱼ − x̄ⱼ)(xᵢₖ − x̄ₖ)."""
    X = p["X"]
    n, d = X.shape
    mean = [sum(X[r, c] for r in range(n)) / n for c in range(d)]
    out = np.empty((d, d))
    for a in range(d):
        for b in range(d):
            out[a, b] = sum((X[r, a] - mean[a]) * (X[r, b] - mean[b]) for r in range(n)) / n
    return out


covariance = Formula(
    id="pca.covariance", title="Covariance matrix of centred data", topic=TOPIC_PCA,
    sources=("003 §6 Principal Component Analysis", "000 Eigenvalues and Eigenvectors (code)", "004 Matrix Operations for ML (code)"),
    statement=Eq(sp.MatrixSymbol("Sigma", sym("d"), sym("d")), sp.MatrixSymbol("X", sym("n"), sym("d")).T * sp.MatrixSymbol("X", sym("n"), sym("d")) / sym("n")),
    checks=(Check(name="entrywise", claim=CodeClaim(program=_cov_formula, reference=_cov_loops, sample=_data),
                  note="for centred X (the assumption 003 states), (1/n)XᵀX is the covariance entry by entry"),),
    as_written=(AsWritten(
        name="np-cov", source="000, 004 code (np.cov)",
        claim=CodeClaim(program=lambda p: np.cov(_centred(p["X"]).T), reference=_cov_formula, sample=_small),
        fixed=CodeClaim(program=lambda p: np.cov(_centred(p["X"]).T, bias=True), reference=_cov_formula, sample=_small),
        description="cov_matrix = np.cov(X.T), where the text says Σ = (1/n)XᵀX",
        correct="np.cov divides by n − 1 (the sample covariance); (1/n)XᵀX is np.cov(X.T, bias=True). "
                "The eigenvectors agree, the eigenvalues differ by n/(n − 1)"),),
)


def _eig_sorted(p: dict) -> tuple[np.ndarray, np.ndarray]:
    vals, vecs = np.linalg.eigh(_cov_formula(p))
    order = np.argsort(vals)[::-1]
    return vals[order], vecs[:, order]


def _reconstruct(p: dict) -> np.ndarray:
    vals, P = _eig_sorted(p)
    return P @ np.diag(vals) @ P.T


eigendecomposition = Formula(
    id="pca.eigendecomposition", title="Eigendecomposition of the covariance", topic=TOPIC_PCA,
    sources=("003 §6 Principal Component Analysis", "004 (code)"),
    statement=Eq(sp.MatrixSymbol("Sigma", sym("d"), sym("d")), sp.MatrixSymbol("P", sym("d"), sym("d")) * sp.MatrixSymbol("Lambda", sym("d"), sym("d")) * sp.MatrixSymbol("P", sym("d"), sym("d")).T),
    checks=(
        Check(name="reconstruct", claim=CodeClaim(program=_reconstruct, reference=_cov_formula, sample=_data, atol=1e-9),
              note="Σ = PΛPᵀ with orthonormal eigenvectors"),
        Check(name="variance-explained", claim=CodeClaim(
            program=lambda p: _eig_sorted(p)[0][0],
            reference=lambda p: float(np.var(_centred(p["X"]) @ _eig_sorted(p)[1][:, 0])), sample=_data),
            note="the top eigenvalue is the variance of the data along the first component"),
    ),
)


def _project(p: dict) -> np.ndarray:
    _, P = _eig_sorted(p)
    return _centred(p["X"]) @ P[:, : p["k"]]


projection = Formula(
    id="pca.projection", title="Projection onto the principal components", topic=TOPIC_PCA,
    sources=("003 §6 Principal Component Analysis", "004 (code)"),
    statement=Eq(sp.MatrixSymbol("Y", sym("n"), sym("k")), sp.MatrixSymbol("X", sym("n"), sym("d")) * sp.MatrixSymbol("P_k", sym("d"), sym("k"))),
    checks=(Check(name="coordinates", claim=CodeClaim(
        program=lambda p: _project(p)[:, 0] ** 2,
        reference=lambda p: (_centred(p["X"]) @ _eig_sorted(p)[1][:, 0]) ** 2, sample=_data),
        note="Y = XPₖ gives each point's coordinate along each component (up to the sign of the eigenvector)"),
            Check(name="uncorrelated", claim=CodeClaim(
                program=lambda p: np.cov(_project(p).T, bias=True).reshape(-1) if p["k"] > 1 else np.array([0.0]),
                reference=lambda p: np.diag(_eig_sorted(p)[0][: p["k"]]).reshape(-1) if p["k"] > 1 else np.array([0.0]),
                sample=_data, atol=1e-9), note="the projected coordinates are uncorrelated with variances Λₖ")),
)


def _pca_004(p: dict) -> np.ndarray:
    """004's `pca` (SVD version), transcribed: explained_variance = S²/(len(S) − 1)."""
    X = p["X"]
    X_centered = X - X.mean(axis=0)
    U, S, Vt = np.linalg.svd(X_centered)
    n_components = len(S)
    explained_variance = (S[:n_components] ** 2) / (len(S) - 1)
    return explained_variance


def _pca_004_fixed(p: dict) -> np.ndarray:
    """004's `pca` with the divisor corrected to the number of samples."""
    X = p["X"]
    X_centered = X - X.mean(axis=0)
    U, S, Vt = np.linalg.svd(X_centered)
    n_components = len(S)
    explained_variance = (S[:n_components] ** 2) / (X.shape[0] - 1)
    return explained_variance


def _sample_cov_eigs(p: dict) -> np.ndarray:
    return np.sort(np.linalg.eigvalsh(np.cov(p["X"].T)))[::-1]


def _ratio_004(p: dict) -> np.ndarray:
    ev = _pca_004(p)
    return ev / ev.sum()


svd_as_written = Formula(
    id="pca.svd_as_written", title="PCA via SVD (004 code)", topic=TOPIC_PCA, sources=("004 Principal Component Analysis Implementation (code)",),
    statement=Eq(idx("lambda")[sym("i")], idx("s")[sym("i")] ** 2 / (sym("n") - 1)),
    checks=(
        Check(name="correct-variance", claim=CodeClaim(
            program=lambda p: np.linalg.svd(_centred(p["X"]), compute_uv=False) ** 2 / (len(p["X"]) - 1),
            reference=_sample_cov_eigs, sample=_data, rtol=1e-8),
            note="S²/(n_samples − 1) are the eigenvalues of the sample covariance"),
        Check(name="ratio", claim=CodeClaim(program=_ratio_004,
                                            reference=lambda p: _sample_cov_eigs(p) / _sample_cov_eigs(p).sum(), sample=_data),
              note="the explained-variance ratio does not depend on the divisor, so 004's ratio is right"),
        Check(name="components", claim=CodeClaim(
            program=lambda p: np.abs(np.linalg.svd(_centred(p["X"]))[2][0]),
            reference=lambda p: np.abs(np.linalg.eigh(np.cov(p["X"].T))[1][:, -1]), sample=_data, rtol=1e-6, atol=1e-8),
            note="the first row of Vᵀ is the top eigenvector of the covariance (up to sign)"),
    ),
    as_written=(AsWritten(
        name="explained-variance", source="004 code",
        claim=CodeClaim(program=_pca_004, reference=_sample_cov_eigs, sample=_small),
        fixed=CodeClaim(program=_pca_004_fixed, reference=_sample_cov_eigs, sample=_small),
        description="explained_variance = (S[:n_components] ** 2) / (len(S) - 1)",
        correct="S²/(n_samples − 1), i.e. divide by X.shape[0] − 1: len(S) is the number of features (when "
                "n_samples > n_features), not of samples"),),
)

# --- distances ------------------------------------------------------------------------------

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True)
xv, yv = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("y", n, 1)
S = ((n, (1, 2, 3, 4)),)
pp = sp.Symbol("p", positive=True)
_d = lambda e: sp.Sum(e, (k, 0, n - 1))  # noqa: E731


def _vecs(rng: np.random.Generator) -> dict:
    d = int(rng.integers(1, 6))
    return {"x": rng.normal(size=d), "y": rng.normal(size=d), "p": float(rng.uniform(1, 6))}


euclidean = Formula(
    id="distance.euclidean", title="Euclidean distance", topic=TOPIC_DIST, sources=("003 §9 Distance Metrics",),
    statement=Eq(sp.Function("d")(sym("x"), sym("y")), sp.sqrt(sp.Sum((idx("x")[sym("i")] - idx("y")[sym("i")]) ** 2, (sym("i"), 1, n)))),
    checks=(Check(name="norm-of-difference", claim=Identity(lhs=sp.sqrt(_d((xv[k, 0] - yv[k, 0]) ** 2)),
                                                            rhs=sp.sqrt(((xv - yv).T * (xv - yv))[0, 0]), sizes=S)),
            Check(name="numpy", claim=CodeClaim(program=lambda p: float(np.linalg.norm(p["x"] - p["y"])),
                                                reference=lambda p: float(np.sqrt(sum((a - b) ** 2 for a, b in zip(p["x"], p["y"])))),
                                                sample=_vecs))),
)

manhattan = Formula(
    id="distance.manhattan", title="Manhattan distance", topic=TOPIC_DIST, sources=("003 §9 Distance Metrics",),
    statement=Eq(sp.Function("d")(sym("x"), sym("y")), sp.Sum(sp.Abs(idx("x")[sym("i")] - idx("y")[sym("i")]), (sym("i"), 1, n))),
    checks=(Check(name="minkowski-p1", claim=Identity(lhs=_d(sp.Abs(xv[k, 0] - yv[k, 0])),
                                                      rhs=_d(sp.Abs(xv[k, 0] - yv[k, 0]) ** 1) ** 1, sizes=S)),
            Check(name="numpy", claim=CodeClaim(program=lambda p: float(np.linalg.norm(p["x"] - p["y"], 1)),
                                                reference=lambda p: float(sum(abs(a - b) for a, b in zip(p["x"], p["y"]))),
                                                sample=_vecs))),
)

cosine = Formula(
    id="distance.cosine", title="Cosine similarity", topic=TOPIC_DIST, sources=("003 §9 Distance Metrics",),
    statement=Eq(sp.cos(sym("theta")), ops.Dot(sym("x"), sym("y")) / (ops.Norm(sym("x"), 2) * ops.Norm(sym("y"), 2))),
    checks=(
        Check(name="at-most-one", claim=Property(statement=Le(((xv.T * yv)[0, 0]) ** 2, (xv.T * xv)[0, 0] * (yv.T * yv)[0, 0]),
                                                 sizes=((n, (1, 2, 3)),)),
              note="Cauchy–Schwarz (x·y)² ≤ ‖x‖²‖y‖², so −1 ≤ cos θ ≤ 1"),
        Check(name="two-d-angle", claim=Identity(
            lhs=(sp.cos(sp.Symbol("a", real=True)) * sp.cos(sp.Symbol("b", real=True)) + sp.sin(sp.Symbol("a", real=True)) * sp.sin(sp.Symbol("b", real=True))),
            rhs=sp.cos(sp.Symbol("a", real=True) - sp.Symbol("b", real=True))),
            note="for unit vectors at angles a, b in the plane, x·y = cos(a − b)"),
    ),
)

minkowski = Formula(
    id="distance.minkowski", title="Minkowski distance", topic=TOPIC_DIST, sources=("003 §9 Distance Metrics",),
    statement=Eq(sp.Function("d")(sym("x"), sym("y")), sp.Sum(sp.Abs(idx("x")[sym("i")] - idx("y")[sym("i")]) ** sym("p"), (sym("i"), 1, n)) ** (1 / sym("p"))),
    checks=(
        Check(name="p-equals-2", claim=Identity(lhs=(_d(sp.Abs(xv[k, 0] - yv[k, 0]) ** 2)) ** sp.Rational(1, 2),
                                                rhs=sp.sqrt(_d((xv[k, 0] - yv[k, 0]) ** 2)), sizes=S), note="p = 2: Euclidean"),
        Check(name="chebyshev-limit", claim=Property(statement=Eq(
            sp.Limit((sp.Integer(3) ** pp + sp.Integer(2) ** pp + 1) ** (1 / pp), pp, sp.oo), 3, evaluate=False)),
            note="p → ∞ on |x − y| = (3, 2, 1): the limit is max = 3 (Chebyshev)"),
        Check(name="numpy", claim=CodeClaim(program=lambda p: float(np.sum(np.abs(p["x"] - p["y"]) ** p["p"]) ** (1 / p["p"])),
                                            reference=lambda p: float(np.linalg.norm(p["x"] - p["y"], p["p"])), sample=_vecs)),
    ),
)

FORMULAS = (covariance, eigendecomposition, projection, svd_as_written, euclidean, manhattan, cosine, minkowski)
