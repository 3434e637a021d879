"""Derivations of the regression formulas: the gradients of linear and logistic regression,
the normal equations and the ridge closed form."""

from __future__ import annotations

import sympy as sp

from checker.claims import Identity
from checker.functions import sigmoid
from checker.relations import Eq
from derivations._model import Derivation, Step
from derivations._unevaluated import mul as _mul


# --- linear regression by gradient descent (001): ŷ = wx + b, MSE = (1/n)Σ(y − ŷ)² -----------------

n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True)
w, b = sp.symbols("w b", real=True)
xs, ys = sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)
_res = ys[i] - (w * xs[i] + b)  # yᵢ − ŷᵢ
_mse = _mul(1 / n, sp.Sum(_res**2, (i, 1, n)))
_S = r"\sum_{i=1}^{n}"
_R = r"(y_i - \hat y_i)"

linreg_gradient = Derivation(
    id="linreg_gradient",
    title="Gradients of the mean squared error of ŷ = wx + b (001)",
    supports=("opt.linreg_gd_as_written", "lin.gradient"),
    steps=(
        Step(expr=sp.Derivative(_mse, w), rule=r"the MSE of $\hat y_i = wx_i + b$",
             latex=rf"\frac{{\partial}}{{\partial w}}\,\frac{{1}}{{n}}{_S}{_R}^2 &"),
        Step(expr=_mul(1 / n, sp.Sum(sp.Derivative(_res**2, w), (i, 1, n))),
             rule="linearity of the derivative",
             latex=rf"\frac{{1}}{{n}}{_S}\frac{{\partial}}{{\partial w}}{_R}^2"),
        Step(expr=_mul(1 / n, sp.Sum(_mul(2, _res, sp.Derivative(_res, w)), (i, 1, n))),
             rule=r"chain rule, $(u^2)' = 2u\,u'$",
             latex=rf"\frac{{1}}{{n}}{_S}2{_R}\,\frac{{\partial}}{{\partial w}}(y_i - wx_i - b)"),
        Step(expr=_mul(1 / n, sp.Sum(_mul(2, _res, -xs[i]), (i, 1, n))),
             rule=r"$\partial(y_i - wx_i - b)/\partial w = -x_i$",
             latex=rf"\frac{{1}}{{n}}{_S}2{_R}(-x_i)"),
        Step(expr=_mul(-2 / n, sp.Sum(xs[i] * _res, (i, 1, n))),
             rule="take the constant $-2$ out of the sum",
             latex=rf"-\frac{{2}}{{n}}{_S}x_i{_R}"),
        Step(expr=Eq(sp.Derivative(_mse, b), _mul(1 / n, sp.Sum(_mul(2, _res, sp.Derivative(_res, b)), (i, 1, n))),
                        evaluate=False),
             rule="linearity and the chain rule, now in $b$",
             latex=rf"\frac{{\partial}}{{\partial b}}\,\frac{{1}}{{n}}{_S}{_R}^2 &= "
                   rf"\frac{{1}}{{n}}{_S}2{_R}\,\frac{{\partial}}{{\partial b}}(y_i - wx_i - b)"),
        Step(expr=_mul(1 / n, sp.Sum(_mul(2, _res, -1), (i, 1, n))),
             rule=r"$\partial(y_i - wx_i - b)/\partial b = -1$",
             latex=rf"\frac{{1}}{{n}}{_S}2{_R}(-1)"),
        Step(expr=_mul(-2 / n, sp.Sum(_res, (i, 1, n))), rule="take the constant $-2$ out of the sum",
             latex=rf"-\frac{{2}}{{n}}{_S}{_R}"),
    ),
    sizes=((n, (1, 2, 3, 4)),),
    notes="001's code: dw = -(2/n) * sum(x * (y - y_pred)), db = -(2/n) * sum(y - y_pred).",
)

# --- logistic regression (004): p = σ(Xw + b), J = mean binary cross-entropy --------------------

d = sp.Symbol("d", integer=True, positive=True)  # features
j, k = sp.symbols("j k", integer=True)
z, yv = sp.Symbol("z", real=True), sp.Symbol("y", real=True)
X = sp.MatrixSymbol("X", n, d)
wv = sp.MatrixSymbol("w", d, 1)
Y = sp.MatrixSymbol("y", n, 1)
_z = lambda row: sp.Sum(X[row, k] * wv[k, 0], (k, 0, d - 1)) + b  # noqa: E731 - zᵢ = xᵢᵀw + b
_bce = lambda s, t: -(t * sp.log(sigmoid(s)) + (1 - t) * sp.log(1 - sigmoid(s)))  # noqa: E731
_J_log = _mul(1 / n, sp.Sum(_bce(_z(i), Y[i, 0]), (i, 0, n - 1)))
_P = sp.FunctionMatrix(n, 1, sp.Lambda((i, j), sigmoid(_z(i))))  # p = σ(Xw + b), entry by entry
_ds = sp.Derivative(sigmoid(z), z)
_Sn = r"\sum_{i=1}^{n}"

logreg_gradient = Derivation(
    id="logreg_gradient",
    title="Gradient of the binary cross-entropy of p = σ(Xw + b) (004)",
    supports=("log.gradient_as_written", "log.gradient"),
    steps=(
        Step(expr=sp.Derivative(_bce(z, yv), z),
             rule=r"the loss of one example in its logit $z = x^\top w + b$, $p = \sigma(z)$",
             latex=r"\frac{\partial}{\partial z}\bigl(-y\log\sigma(z) - (1-y)\log(1-\sigma(z))\bigr) &"),
        Step(expr=-(yv * _ds / sigmoid(z) - (1 - yv) * _ds / (1 - sigmoid(z))),
             rule=r"chain rule, $(\log u)' = u'/u$",
             latex=r"-y\,\frac{\sigma'(z)}{\sigma(z)} + (1-y)\,\frac{\sigma'(z)}{1-\sigma(z)}"),
        Step(expr=-yv * (1 - sigmoid(z)) + (1 - yv) * sigmoid(z), rule=r"$\sigma' = \sigma(1 - \sigma)$",
             latex=r"-y\,(1-\sigma(z)) + (1-y)\,\sigma(z)"),
        Step(expr=sigmoid(z) - yv, rule=r"expand: the terms $y\sigma(z)$ cancel", latex=r"\sigma(z) - y = p - y"),
        Step(expr=Eq(sp.Derivative(_J_log, wv),
                        sp.FunctionMatrix(d, 1, sp.Lambda((j, k), _mul(1 / n, sp.Sum(
                            (sigmoid(_z(i)) - Y[i, 0]) * X[i, j], (i, 0, n - 1))))), evaluate=False),
             rule=r"chain rule through $z_i = x_i^\top w + b$, with $\partial z_i/\partial w_j = X_{ij}$ and the line above",
             latex=rf"\frac{{\partial J}}{{\partial w_j}} = \frac{{\partial}}{{\partial w_j}}\,\frac{{1}}{{n}}{_Sn}"
                   rf"\ell(z_i, y_i) &= \frac{{1}}{{n}}{_Sn}(p_i - y_i)\,X_{{ij}}"),
        Step(expr=_mul(1 / n, X.T * (_P - Y)), rule=r"$\sum_i X_{ij} v_i = (X^\top v)_j$",
             latex=r"\frac{1}{n}\,\bigl(X^\top(p - y)\bigr)_j"),
        Step(expr=Eq(sp.Derivative(_J_log, b), _mul(1 / n, sp.Sum(sigmoid(_z(i)) - Y[i, 0], (i, 0, n - 1))),
                        evaluate=False),
             rule=r"the chain rule in $b$, with $\partial z_i/\partial b = 1$",
             latex=rf"\frac{{\partial J}}{{\partial b}} &= \frac{{1}}{{n}}{_Sn}(p_i - y_i)"),
        Step(expr=_mul(1 / n, (sp.OneMatrix(1, n) * (_P - Y))[0, 0]), rule=r"a sum is $\mathbf{1}^\top v$",
             latex=r"\frac{1}{n}\,\mathbf{1}^\top(p - y)"),
    ),
    sizes=((n, (1, 2, 3)), (d, (1, 2))),
    notes="004's code: dw = (1/n_samples) * np.dot(X.T, predictions - y); db = (1/n_samples) * np.sum(predictions - y).",
)

# --- least squares and ridge: ∇ = 0 -------------------------------------------------------------------

m = sp.Symbol("m", integer=True, positive=True)
lam = sp.Symbol("lambda", positive=True)
A = sp.MatrixSymbol("X", m, n)
beta = sp.MatrixSymbol("beta", n, 1)
yy = sp.MatrixSymbol("y", m, 1)
I_n = sp.Identity(n)
_r = A * beta - yy
_ls_sizes = ((m, (2, 3)), (n, (1, 2)))
_ls_assumptions = (n <= m,)  # X has full column rank: XᵀX is invertible


def _stationary(gradient: sp.Basic, equation: sp.Equality, factor: sp.Basic) -> Identity:
    """∇ = 0 exactly when `equation` holds: ∇ = factor·(lhs − rhs) with a nonzero factor."""
    return Identity(lhs=gradient, rhs=factor * (equation.lhs - equation.rhs), sizes=_ls_sizes,
                    assumptions=_ls_assumptions)


def _solves(equation: sp.Equality, solution: sp.Basic) -> Identity:
    """`solution` satisfies `equation` (its unique solution when the matrix is invertible)."""
    return Identity(lhs=equation.lhs.xreplace({beta: solution}), rhs=equation.rhs, sizes=_ls_sizes,
                    assumptions=_ls_assumptions)


_ne = Eq(A.T * A * beta, A.T * yy, evaluate=False)
_ne_grad = 2 * A.T * _r
_beta_ls = (A.T * A).inverse() * A.T * yy

normal_equations = Derivation(
    id="normal_equations",
    title="Normal equations: the minimiser of ‖Xβ − y‖²",
    supports=("lin.normal_equations",),
    steps=(
        Step(expr=sp.Derivative(_r.T * _r, beta), rule=r"the gradient of $\|X\beta - y\|^2 = (X\beta - y)^\top(X\beta - y)$",
             latex=r"\nabla_\beta\,(X\beta - y)^\top(X\beta - y) &"),
        Step(expr=sp.Derivative(beta.T * A.T * A * beta - 2 * yy.T * A * beta + yy.T * yy, beta),
             rule=r"expand; $y^\top X\beta = \beta^\top X^\top y$ is a scalar",
             latex=r"\nabla_\beta\bigl(\beta^\top X^\top X\beta - 2y^\top X\beta + y^\top y\bigr)"),
        Step(expr=2 * A.T * A * beta - 2 * A.T * yy,
             rule=r"$\nabla\,\beta^\top M\beta = 2M\beta$ for symmetric $M = X^\top X$, $\nabla\,c^\top\beta = c$",
             latex=r"2X^\top X\beta - 2X^\top y"),
        Step(expr=_ne_grad, rule=r"factor out $2X^\top$", latex=r"2X^\top(X\beta - y)"),
        Step(expr=_ne, rule="set the gradient to zero (and divide by 2)", claim=_stationary(_ne_grad, _ne, 2),
             latex=r"X^\top X\beta &= X^\top y"),
        Step(expr=Eq(beta, _beta_ls, evaluate=False),
             rule=r"multiply by $(X^\top X)^{-1}$ ($X$ of full column rank)", claim=_solves(_ne, _beta_ls),
             latex=r"\beta &= (X^\top X)^{-1}X^\top y"),
    ),
    assumptions=_ls_assumptions,
    sizes=_ls_sizes,
)

_ridge = Eq((A.T * A + lam * I_n) * beta, A.T * yy, evaluate=False)
_ridge_grad = 2 * (A.T * A + lam * I_n) * beta - 2 * A.T * yy
_beta_ridge = (A.T * A + lam * I_n).inverse() * A.T * yy

ridge_closed_form = Derivation(
    id="ridge_closed_form",
    title="Ridge regression in closed form: the minimiser of ‖Xβ − y‖² + λ‖β‖²",
    supports=("reg.l2",),
    steps=(
        Step(expr=sp.Derivative(_r.T * _r + lam * beta.T * beta, beta),
             rule=r"the gradient of $\|X\beta - y\|^2 + \lambda\|\beta\|^2$",
             latex=r"\nabla_\beta\bigl((X\beta - y)^\top(X\beta - y) + \lambda\beta^\top\beta\bigr) &"),
        Step(expr=sp.Derivative(beta.T * A.T * A * beta - 2 * yy.T * A * beta + yy.T * yy + lam * beta.T * beta, beta),
             rule=r"expand; $y^\top X\beta = \beta^\top X^\top y$ is a scalar",
             latex=r"\nabla_\beta\bigl(\beta^\top X^\top X\beta - 2y^\top X\beta + y^\top y + \lambda\beta^\top\beta\bigr)"),
        Step(expr=2 * A.T * A * beta - 2 * A.T * yy + 2 * lam * beta,
             rule=r"$\nabla\,\beta^\top M\beta = 2M\beta$ for symmetric $M$, $\nabla\,c^\top\beta = c$",
             latex=r"2X^\top X\beta - 2X^\top y + 2\lambda\beta"),
        Step(expr=_ridge_grad, rule=r"collect $\beta$: $\lambda\beta = \lambda I\beta$",
             latex=r"2(X^\top X + \lambda I)\beta - 2X^\top y"),
        Step(expr=_ridge, rule="set the gradient to zero (and divide by 2)", claim=_stationary(_ridge_grad, _ridge, 2),
             latex=r"(X^\top X + \lambda I)\beta &= X^\top y"),
        Step(expr=Eq(beta, _beta_ridge, evaluate=False),
             rule=r"multiply by $(X^\top X + \lambda I)^{-1}$ (invertible for $\lambda > 0$)",
             claim=_solves(_ridge, _beta_ridge),
             latex=r"\beta &= (X^\top X + \lambda I)^{-1}X^\top y"),
    ),
    assumptions=_ls_assumptions,
    sizes=_ls_sizes,
)

DERIVATIONS: tuple[Derivation, ...] = (linreg_gradient, logreg_gradient, normal_equations, ridge_closed_form)
