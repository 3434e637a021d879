"""Linear algebra (inventory: `la.*`): vectors, norms, matrix products, inverses, rank,
determinants, eigenvalues and the decompositions."""

from __future__ import annotations

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeClaim, Identity, Property
from checker.relations import Eq, Ge, Le, Ne
from formulas._model import Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC = "Linear algebra"

n = sp.Symbol("n", integer=True, positive=True)
m_, p_ = sp.Symbol("m", integer=True, positive=True), sp.Symbol("p", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)
c = sp.Symbol("c", real=True)
u = sp.MatrixSymbol("u", n, 1)
v = sp.MatrixSymbol("v", n, 1)
A = sp.MatrixSymbol("A", n, n)
B = sp.MatrixSymbol("B", n, n)
Cm = sp.MatrixSymbol("C", n, n)
S = ((n, (1, 2, 3, 4)),)
S3 = ((n, (1, 2, 3)),)


def _vec_sample(rng: np.random.Generator) -> dict:
    nn = int(rng.integers(1, 6))
    return {"u": rng.normal(size=nn), "v": rng.normal(size=nn)}


def _mat_sample(rng: np.random.Generator) -> dict:
    r, cc = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    return {"A": rng.normal(size=(r, cc)), "B": rng.normal(size=(r, cc))}


def _sq_sample(rng: np.random.Generator) -> dict:
    nn = int(rng.integers(1, 5))
    return {"A": rng.normal(size=(nn, nn)), "x": rng.normal(size=nn)}


def _loop_dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(sum(float(a[t]) * float(b[t]) for t in range(len(a))))


vector_add = Formula(
    id="la.vector_add", title="Vector addition", topic=TOPIC, sources=("003 §2 Vectors",),
    statement=Eq(ops.Entry(sym("u") + sym("v"), i), idx("u")[i] + idx("v")[i]),
    checks=(Check(name="entrywise", claim=Identity(lhs=u + v, rhs=sp.FunctionMatrix(n, 1, sp.Lambda((i, j), u[i, 0] + v[i, 0])),
                                                   sizes=S), note="(u + v)ᵢ = uᵢ + vᵢ at sizes 1..4"),),
)

scalar_mult = Formula(
    id="la.scalar_mult", title="Scalar multiplication", topic=TOPIC, sources=("003 §2 Vectors",),
    statement=Eq(ops.Entry(c * sym("v"), i), c * idx("v")[i]),
    checks=(Check(name="entrywise", claim=Identity(lhs=c * v, rhs=sp.FunctionMatrix(n, 1, sp.Lambda((i, j), c * v[i, 0])),
                                                   sizes=S)),),
)

dot = Formula(
    id="la.dot", title="Dot product", topic=TOPIC, sources=("002 Vector Operations", "003 §2 Vectors", "004 Vectors and Matrices (code)"),
    statement=Eq(ops.Dot(sym("u"), sym("v")), sp.Sum(idx("u")[i] * idx("v")[i], (i, 1, n))),
    checks=(
        Check(name="sum-equals-transpose-product", claim=Identity(lhs=sp.Sum(u[k, 0] * v[k, 0], (k, 0, n - 1)),
                                                                  rhs=(u.T * v)[0, 0], sizes=S), note="Σuᵢvᵢ = uᵀv"),
        Check(name="value-004", claim=CodeClaim(program=lambda _: float(np.dot(np.array([1, 2, 3]), np.array([4, 5, 6]))),
                                                reference=sp.Integer(32)), note="004: [1,2,3]·[4,5,6] = 32"),
        Check(name="numpy", claim=CodeClaim(program=lambda p: float(np.dot(p["u"], p["v"])),
                                            reference=lambda p: _loop_dot(p["u"], p["v"]), sample=_vec_sample)),
    ),
)

norm_l2 = Formula(
    id="la.norm_l2", title="Euclidean norm", topic=TOPIC, sources=("002 Norms and Metrics", "003 §2 Vectors", "004 Vectors and Matrices (code)"),
    statement=Eq(ops.Norm(sym("v"), 2), sp.sqrt(sp.Sum(idx("v")[i] ** 2, (i, 1, n)))),
    checks=(
        Check(name="sqrt-of-self-dot", claim=Identity(lhs=sp.sqrt(sp.Sum(v[k, 0] ** 2, (k, 0, n - 1))),
                                                      rhs=sp.sqrt((v.T * v)[0, 0]), sizes=S), note="√Σvᵢ² = √(v·v)"),
        Check(name="value-004", claim=CodeClaim(program=lambda _: float(np.linalg.norm(np.array([1, 2, 3]))),
                                                reference=sp.sqrt(14)), note="004: ‖[1,2,3]‖ = √14"),
    ),
)

norm_l1 = Formula(
    id="la.norm_l1", title="L1 norm", topic=TOPIC, sources=("002 Norms and Metrics",),
    statement=Eq(ops.Norm(sym("v"), 1), sp.Sum(sp.Abs(idx("v")[i]), (i, 1, n))),
    checks=(Check(name="numpy", claim=CodeClaim(program=lambda p: float(np.linalg.norm(p["u"], 1)),
                                                reference=lambda p: float(sum(abs(t) for t in p["u"])), sample=_vec_sample),
                  note="Σ|xᵢ| is NumPy's ord-1 norm"),
            Check(name="triangle", claim=Property(statement=Le(sp.Sum(sp.Abs(u[k, 0] + v[k, 0]), (k, 0, n - 1)),
                                                                   sp.Sum(sp.Abs(u[k, 0]), (k, 0, n - 1)) + sp.Sum(sp.Abs(v[k, 0]), (k, 0, n - 1))),
                                                  sizes=S3), note="‖u + v‖₁ ≤ ‖u‖₁ + ‖v‖₁")),
)

norm_linf = Formula(
    id="la.norm_linf", title="Max norm", topic=TOPIC, sources=("002 Norms and Metrics",),
    statement=Eq(ops.Norm(sym("v"), sp.oo), ops.MaxOver(sp.Abs(idx("v")[i]), i)),
    checks=(Check(name="numpy", claim=CodeClaim(program=lambda p: float(np.linalg.norm(p["u"], np.inf)),
                                                reference=lambda p: float(max(abs(t) for t in p["u"])), sample=_vec_sample)),),
)


def _fro(p: dict) -> float:
    return float(np.sqrt(sum(float(t) ** 2 for t in p["A"].ravel())))


norm_frobenius = Formula(
    id="la.norm_frobenius", title="Frobenius norm", topic=TOPIC, sources=("002 Norms and Metrics",),
    statement=Eq(ops.Norm(sym("A"), sym("F")), sp.sqrt(sp.Sum(idx("A")[i, j] ** 2, (i, 1, m_), (j, 1, n)))),
    checks=(
        Check(name="trace-form", claim=Identity(lhs=sp.Sum(sp.Sum(A[i, j] ** 2, (i, 0, n - 1)), (j, 0, n - 1)),
                                                rhs=sp.Trace(A.T * A), sizes=S3), note="ΣAᵢⱼ² = tr(AᵀA)"),
        Check(name="numpy", claim=CodeClaim(program=lambda p: float(np.linalg.norm(p["A"], "fro")), reference=_fro,
                                            sample=_mat_sample)),
    ),
)


def _spectral_search(p: dict) -> float:
    """max ‖Ax‖ over unit x, by searching 4000 random directions and refining with power iteration."""
    Am = p["A"]
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(Am.shape[1], 4000))
    xs /= np.linalg.norm(xs, axis=0)
    best = xs[:, np.argmax(np.linalg.norm(Am @ xs, axis=0))]
    for _ in range(500):
        best = Am.T @ (Am @ best)
        best /= np.linalg.norm(best)
    return float(np.linalg.norm(Am @ best))


norm_spectral = Formula(
    id="la.norm_spectral", title="Spectral norm", topic=TOPIC, sources=("002 Norms and Metrics",),
    statement=Eq(ops.Norm(sym("A"), 2), sp.Function("s_1")(sym("A"))),
    checks=(Check(name="largest-singular-value", claim=CodeClaim(
        program=_spectral_search, reference=lambda p: float(np.linalg.svd(p["A"], compute_uv=False)[0]),
        sample=_mat_sample, rtol=1e-6, atol=1e-9), note="max over ‖x‖ = 1 of ‖Ax‖ is the largest singular value"),),
)

matrix_add = Formula(
    id="la.matrix_add", title="Matrix addition", topic=TOPIC, sources=("003 §2 Matrices",),
    statement=Eq(ops.Entry(sym("A") + sym("B"), i, j), idx("A")[i, j] + idx("B")[i, j]),
    checks=(Check(name="entrywise", claim=Identity(lhs=A + B, rhs=sp.FunctionMatrix(n, n, sp.Lambda((i, j), A[i, j] + B[i, j])),
                                                   sizes=S3)),),
)

Am_ = sp.MatrixSymbol("A", m_, p_)
Bp_ = sp.MatrixSymbol("B", p_, n)

matmul = Formula(
    id="la.matmul", title="Matrix multiplication", topic=TOPIC,
    sources=("000 Vectors and Matrices (code)", "001 Vectors and Matrices (code)", "002 Matrix Operations", "003 §2 Matrices", "004 (code)"),
    statement=Eq(ops.Entry(Am_ * Bp_, i, j), sp.Sum(idx("A")[i, k] * idx("B")[k, j], (k, 1, p_))),
    checks=(
        Check(name="entries", claim=Identity(lhs=Am_ * Bp_, rhs=sp.FunctionMatrix(m_, n, sp.Lambda((i, j), sp.Sum(Am_[i, k] * Bp_[k, j], (k, 0, p_ - 1)))),
                                             sizes=((m_, (2, 3)), (p_, (2,)), (n, (1, 2)))),
              note="(AB)ᵢⱼ = Σₖ AᵢₖBₖⱼ for (m×p)(p×n), several shapes"),
        Check(name="shape", claim=CodeClaim(program=lambda p: np.array((p["A"] @ p["A"].T @ p["A"]).shape, dtype=float),
                                            reference=lambda p: np.array([p["A"].shape[0], p["A"].shape[1]], dtype=float),
                                            sample=_mat_sample), note="(m×p)(p×m)(m×p) → m×p"),
    ),
)

def _explicit(name: str, size: int) -> sp.Matrix:
    return sp.Matrix(size, size, lambda r, q: sp.Symbol(f"{name}_{r}{q}", real=True))


def _assoc(size: int) -> Identity:
    Ae, Be, Ce = _explicit("a", size), _explicit("b", size), _explicit("c", size)
    return Identity(lhs=sp.ImmutableMatrix((Ae * Be) * Ce), rhs=sp.ImmutableMatrix(Ae * (Be * Ce)))


def _distrib(size: int) -> Identity:
    Ae, Be, Ce = _explicit("a", size), _explicit("b", size), _explicit("c", size)
    return Identity(lhs=sp.ImmutableMatrix(Ae * (Be + Ce)), rhs=sp.ImmutableMatrix(Ae * Be + Ae * Ce))


matmul_assoc = Formula(
    id="la.matmul_assoc", title="Associativity of the matrix product", topic=TOPIC, sources=("002 Matrix Operations",),
    statement=Eq(sp.MatMul(sp.MatMul(A, B), Cm, evaluate=False), sp.MatMul(A, sp.MatMul(B, Cm, evaluate=False), evaluate=False), evaluate=False),
    checks=tuple(Check(name=f"size-{s_}", claim=_assoc(s_), note="products carried out entry by entry") for s_ in (2, 3)),
)

matmul_distrib = Formula(
    id="la.matmul_distrib", title="Distributivity of the matrix product", topic=TOPIC, sources=("002 Matrix Operations",),
    statement=Eq(A * (B + Cm), A * B + A * Cm),
    checks=tuple(Check(name=f"size-{s_}", claim=_distrib(s_)) for s_ in (2, 3)),
)

matmul_noncommutative = Formula(
    id="la.matmul_noncommutative", title="The matrix product does not commute", topic=TOPIC, sources=("002 Matrix Operations",),
    statement=Ne(A * B, B * A),
    checks=(Check(name="witness", claim=Property(statement=Ne(A * B, B * A), quantifier="exists", sizes=((n, (2, 3)),)),
                  note="a pair of matrices with AB ≠ BA"),),
)

Amn = sp.MatrixSymbol("A", m_, n)
xvec = sp.MatrixSymbol("x", n, 1)

matvec = Formula(
    id="la.matvec", title="Matrix-vector product", topic=TOPIC, sources=("002 Vector Operations",),
    statement=Eq(ops.Entry(Amn * xvec, i), sp.Sum(idx("A")[i, j] * idx("x")[j], (j, 1, n))),
    checks=(Check(name="rows-dot-x", claim=Identity(
        lhs=Amn * xvec, rhs=sp.FunctionMatrix(m_, 1, sp.Lambda((i, j), sp.Sum(Amn[i, k] * xvec[k, 0], (k, 0, n - 1)))),
        sizes=((m_, (1, 2, 3)), (n, (1, 2, 3)))), note="Ax = [a₁ᵀx, …, aₘᵀx]"),),
)


def _count_mults(p: dict) -> np.ndarray:
    """Count the scalar multiplications of the textbook loops."""
    mm, nn, pp = int(p["m"]), int(p["n"]), int(p["p"])
    mv = sum(1 for _r in range(mm) for _c in range(nn))
    mmul = sum(1 for _r in range(mm) for _c in range(pp) for _k in range(nn))
    return np.array([mv, mmul], dtype=float)


matmul_cost = Formula(
    id="la.matmul_cost", title="Cost of matrix products", topic=TOPIC, sources=("002 Vector Operations",),
    statement=Eq(ops.named("flops"), m_ * n * p_),
    checks=(Check(name="count", claim=CodeClaim(
        program=_count_mults, reference=lambda p: np.array([p["m"] * p["n"], p["m"] * p["n"] * p["p"]], dtype=float),
        sample=lambda rng: {"m": int(rng.integers(1, 9)), "n": int(rng.integers(1, 9)), "p": int(rng.integers(1, 9))}),
        note="matrix-vector: mn multiplications; matrix-matrix: mnp"),),
)

transpose = Formula(
    id="la.transpose", title="Transpose", topic=TOPIC, sources=("003 §2 Matrices",),
    statement=Eq(ops.Entry(A.T, i, j), idx("A")[j, i]),
    checks=(Check(name="entries", claim=Identity(lhs=Amn.T, rhs=sp.FunctionMatrix(n, m_, sp.Lambda((i, j), Amn[j, i])),
                                                 sizes=((m_, (1, 2, 3)), (n, (1, 2)))), note="(Aᵀ)ᵢⱼ = aⱼᵢ"),
            Check(name="product", claim=Identity(lhs=(A * B).T, rhs=B.T * A.T, sizes=S3), note="(AB)ᵀ = BᵀAᵀ")),
)

a, b_, c_, d_ = sp.symbols("a b c d", real=True)
M2 = sp.Matrix([[a, b_], [c_, d_]])

inverse = Formula(
    id="la.inverse", title="Matrix inverse", topic=TOPIC, sources=("002 Matrix Decompositions", "003 §2 Matrices", "004 (code)"),
    statement=Eq(sp.MatMul(A, A.inverse(), evaluate=False), sp.Identity(n), evaluate=False),
    checks=(
        Check(name="two-by-two", claim=Identity(lhs=M2 * (sp.Matrix([[d_, -b_], [-c_, a]]) / (a * d_ - b_ * c_)), rhs=sp.eye(2)),
              note="AA⁻¹ = I with A⁻¹ = adj(A)/det A"),
        Check(name="numpy", claim=CodeClaim(program=lambda p: p["A"] @ np.linalg.inv(p["A"]),
                                            reference=lambda p: np.eye(len(p["A"])), sample=_sq_sample, atol=1e-8),
              note="004's np.linalg.inv(A): A·A⁻¹ = I for random A"),
        Check(name="singular-has-no-inverse", claim=Identity(lhs=sp.Matrix([[1, 2], [2, 4]]).det(), rhs=sp.Integer(0)),
              note="det A = 0 (rows dependent): no inverse exists"),
    ),
)


def _independence(p: dict) -> float:
    V = p["A"]
    return float(np.linalg.matrix_rank(V) == V.shape[1])


linear_independence = Formula(
    id="la.linear_independence", title="Linear independence", topic=TOPIC, sources=("002 Matrix Decompositions",),
    statement=sp.Implies(Eq(sp.Sum(idx("c")[i] * idx("v")[i], (i, 1, n)), 0), Eq(idx("c")[i], 0)),
    checks=(
        Check(name="only-trivial-combination", claim=Identity(
            lhs=sp.Integer(len(sp.Matrix([[1, 0, 1], [0, 1, 1], [1, 1, 0]]).nullspace())), rhs=sp.Integer(0)),
            note="the columns of [[1,0,1],[0,1,1],[1,1,0]]: Σcᵢvᵢ = 0 only for c = 0"),
        Check(name="dependent-example", claim=Identity(lhs=sp.Integer(len(sp.Matrix([[1, 2], [2, 4]]).nullspace())), rhs=sp.Integer(1)),
              note="[1,2] and [2,4]: a nonzero combination is 0"),
        Check(name="rank-test", claim=CodeClaim(program=_independence, reference=lambda p: 1.0,
                                                sample=lambda rng: {"A": rng.normal(size=(4, int(rng.integers(1, 5))))}),
              note="random vectors in R⁴ (at most 4) are independent: full column rank"),
    ),
)

rank = Formula(
    id="la.rank", title="Rank", topic=TOPIC, sources=("002 Matrix Decompositions",),
    statement=Eq(ops.named("rank", A), ops.named("rank", A.T)),
    checks=(Check(name="row-rank-equals-column-rank", claim=CodeClaim(
        program=lambda p: float(np.linalg.matrix_rank(p["A"])), reference=lambda p: float(np.linalg.matrix_rank(p["A"].T)),
        sample=lambda rng: {"A": rng.normal(size=(int(rng.integers(1, 6)), 2)) @ rng.normal(size=(2, int(rng.integers(1, 6))))}),
        note="independent columns = independent rows, on low-rank random matrices"),
            Check(name="symbolic-example", claim=Identity(lhs=sp.Integer(sp.Matrix([[1, 2, 3], [2, 4, 6], [1, 0, 1]]).rank()),
                                                          rhs=sp.Integer(sp.Matrix([[1, 2, 3], [2, 4, 6], [1, 0, 1]]).T.rank())))),
)

e1, e2 = sp.symbols("e_1 e_2", real=True)

determinant = Formula(
    id="la.determinant", title="Determinant as volume scale", topic=TOPIC, sources=("002 Matrix Decompositions",),
    statement=Eq(ops.named("vol", sp.Function("f")(sym("S"))), sp.Abs(sp.Determinant(A)) * ops.named("vol", sym("S"))),
    checks=(
        Check(name="unit-square-area", claim=Identity(
            lhs=sp.Abs((M2 * sp.Matrix([1, 0]))[0] * (M2 * sp.Matrix([0, 1]))[1] - (M2 * sp.Matrix([1, 0]))[1] * (M2 * sp.Matrix([0, 1]))[0]),
            rhs=sp.Abs(M2.det())), note="the image of the unit square has area |det A| (2×2)"),
        Check(name="multiplicative", claim=Identity(lhs=(M2 * sp.Matrix([[e1, 1], [2, e2]])).det(),
                                                    rhs=M2.det() * sp.Matrix([[e1, 1], [2, e2]]).det()),
              note="det(AB) = det A det B: scale factors compose"),
        Check(name="three-by-three", claim=CodeClaim(
            program=lambda p: abs(float(np.linalg.det(p["A"]))),
            reference=lambda p: abs(float(np.dot(p["A"][:, 0], np.cross(p["A"][:, 1], p["A"][:, 2])))),
            sample=lambda rng: {"A": rng.normal(size=(3, 3))}), note="3×3: |det A| is the parallelepiped volume"),
    ),
)

lam = sp.Symbol("lambda", real=True)


def _eig_residual(p: dict) -> float:
    vals, vecs = np.linalg.eig(p["A"])
    return float(np.max(np.abs(p["A"] @ vecs - vecs * vals)))


eigen = Formula(
    id="la.eigen", title="Eigenvalues and eigenvectors", topic=TOPIC, sources=("000 (code)", "002 Eigendecomposition", "003 §2", "004 (code)"),
    statement=Eq(A * v, lam * v),
    checks=(
        Check(name="symbolic-2x2", claim=Identity(
            lhs=sp.Matrix([[2, 1], [1, 2]]) * sp.Matrix([1, 1]), rhs=3 * sp.Matrix([1, 1])), note="[[2,1],[1,2]]·[1,1] = 3·[1,1]"),
        Check(name="numpy-eig", claim=CodeClaim(program=_eig_residual, reference=lambda p: 0.0, sample=_sq_sample, atol=1e-9),
              note="np.linalg.eig: Av = λv for every returned pair"),
    ),
)

characteristic_equation = Formula(
    id="la.characteristic_equation", title="Characteristic equation", topic=TOPIC, sources=("002 Eigendecomposition",),
    statement=Eq(sp.Determinant(A - lam * sp.Identity(n)), 0),
    checks=(
        Check(name="roots-are-eigenvalues", claim=Identity(
            lhs=(M2 - ((a + d_) / 2 + sp.sqrt((a - d_) ** 2 + 4 * b_ * c_) / 2) * sp.eye(2)).det(), rhs=sp.Integer(0)),
            note="λ = (a + d)/2 + √((a − d)² + 4bc)/2 solves det(A − λI) = 0"),
        Check(name="numpy", claim=CodeClaim(
            program=lambda p: np.sort_complex(np.roots(np.poly(p["A"]))), reference=lambda p: np.sort_complex(np.linalg.eigvals(p["A"]).astype(complex)),
            sample=lambda rng: {"A": rng.normal(size=(3, 3))}, rtol=1e-6, atol=1e-8),
            note="the roots of the characteristic polynomial are the eigenvalues"),
    ),
)


def _spectral(p: dict) -> np.ndarray:
    M = p["A"] + p["A"].T
    vals, Q = np.linalg.eigh(M)
    return np.concatenate([(Q @ np.diag(vals) @ Q.T - M).ravel(), (Q.T @ Q - np.eye(len(M))).ravel()])


spectral_theorem = Formula(
    id="la.spectral_theorem", title="Spectral theorem", topic=TOPIC, sources=("002 Eigendecomposition",),
    statement=Eq(A, sp.MatrixSymbol("Q", n, n) * sp.MatrixSymbol("Lambda", n, n) * sp.MatrixSymbol("Q", n, n).T),
    checks=(Check(name="numpy", claim=CodeClaim(program=_spectral, reference=lambda p: np.zeros(2 * len(p["A"]) ** 2),
                                                sample=_sq_sample, atol=1e-9),
                  note="symmetric A = QΛQᵀ with QᵀQ = I"),
            Check(name="real-eigenvalues-2x2", claim=Property(statement=Ge((a - d_) ** 2 + 4 * b_**2, 0, evaluate=False)),
                  note="a symmetric 2×2 matrix has a nonnegative discriminant: real eigenvalues")),
)


def _svd(p: dict) -> np.ndarray:
    U, s, Vt = np.linalg.svd(p["A"], full_matrices=False)
    return np.concatenate([(U @ np.diag(s) @ Vt - p["A"]).ravel(), [float(np.all(np.diff(s) <= 1e-12) and np.all(s >= 0)) - 1]])


svd = Formula(
    id="la.svd", title="Singular value decomposition", topic=TOPIC, sources=("003 §11 SVD", "004 (code)"),
    statement=Eq(A, sp.MatrixSymbol("U", n, n) * sp.MatrixSymbol("Sigma", n, n) * sp.MatrixSymbol("V", n, n).T),
    checks=(Check(name="numpy", claim=CodeClaim(program=_svd, reference=lambda p: np.zeros(p["A"].size + 1),
                                                sample=_mat_sample, atol=1e-9),
                  note="A = UΣVᵀ with singular values sorted and ≥ 0, several shapes"),),
)


def _qr(p: dict) -> np.ndarray:
    Q, R = np.linalg.qr(p["A"])
    return np.concatenate([(Q @ R - p["A"]).ravel(), (Q.T @ Q - np.eye(Q.shape[1])).ravel(), np.tril(R, -1).ravel()])


qr = Formula(
    id="la.qr", title="QR decomposition", topic=TOPIC, sources=("003 §11 QR", "004 (code)"),
    statement=Eq(A, sp.MatrixSymbol("Q", n, n) * sp.MatrixSymbol("R", n, n)),
    checks=(Check(name="numpy", claim=CodeClaim(program=_qr, reference=lambda p: np.zeros(_qr(p).size), sample=_mat_sample,
                                                atol=1e-9),
                  note="A = QR, Q with orthonormal columns, R upper triangular"),
            Check(name="gram-schmidt-2x2", claim=Identity(
                lhs=sp.Matrix([[3, 1], [4, 2]]).QRdecomposition()[0] * sp.Matrix([[3, 1], [4, 2]]).QRdecomposition()[1],
                rhs=sp.Matrix([[3, 1], [4, 2]])), note="exact QR of [[3,1],[4,2]]")),
)

FORMULAS = (vector_add, scalar_mult, dot, norm_l2, norm_l1, norm_linf, norm_frobenius, norm_spectral, matrix_add,
            matmul, matmul_assoc, matmul_distrib, matmul_noncommutative, matvec, matmul_cost, transpose, inverse,
            linear_independence, rank, determinant, eigen, characteristic_equation, spectral_theorem, svd, qr)
