"""Calculus (inventory: `calc.*`): derivative rules, partials, gradients, the chain rule."""

from __future__ import annotations

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeClaim, CodeGradientClaim, DerivativeClaim, GradientClaim, Identity, Property
from checker.functions import sigmoid
from checker.relations import Eq, Ge
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC = "Calculus"

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
h = sp.Symbol("h", real=True)
t = sp.Symbol("t", real=True)
xp = sp.Symbol("x", positive=True)
a = sp.Symbol("a", positive=True)
n = sp.Symbol("n", integer=True)
w = sp.Symbol("w", real=True)
f, g = sp.Function("f"), sp.Function("g")
u = sp.Symbol("u", real=True)
N = sp.Symbol("N", integer=True, positive=True)
k = sp.Symbol("k", integer=True)
X = sp.IndexedBase("x", real=True)


def _d(e: sp.Expr, v: sp.Symbol) -> sp.Expr:
    return sp.Derivative(e, v)


def _limit_def(fx: sp.Expr, derivative: sp.Expr) -> Property:
    quotient = (fx.subs(x, x + h) - fx) / h
    return Property(statement=Eq(sp.Limit(quotient, h, 0), derivative, evaluate=False))


derivative_limit = Formula(
    id="calc.derivative_limit", title="Derivative as a limit", topic=TOPIC,
    sources=("003 §3 Derivatives",),
    statement=Eq(sp.Derivative(f(x), x), sp.Limit((f(x + h) - f(x)) / h, h, 0, "+-")),
    checks=(
        Check(name="cube", claim=_limit_def(x**3, 3 * x**2), note="lim (f(x+h) − f(x))/h for f = x³"),
        Check(name="exp", claim=_limit_def(sp.exp(x), sp.exp(x)), note="for f = eˣ"),
        Check(name="sin", claim=_limit_def(sp.sin(x), sp.cos(x)), note="for f = sin x"),
        Check(name="reciprocal", claim=_limit_def(1 / (1 + x**2), -2 * x / (1 + x**2) ** 2), note="for f = 1/(1+x²)"),
    ),
)

power_rule = Formula(
    id="calc.power_rule", title="Power rule", topic=TOPIC, sources=("003 §3 Common Derivatives",),
    statement=Eq(sp.Derivative(x**n, x), n * x ** (n - 1)),
    checks=(
        Check(name="integer-n", claim=DerivativeClaim(function=xp**n, wrt=(xp,), claimed=n * xp ** (n - 1)),
              note="symbolic integer n, x > 0"),
        Check(name="real-exponent", claim=DerivativeClaim(function=xp ** sp.Symbol("r", real=True), wrt=(xp,),
                                                          claimed=sp.Symbol("r", real=True) * xp ** (sp.Symbol("r", real=True) - 1)),
              note="any real exponent r, for x > 0"),
    ),
)

exp_rule = Formula(
    id="calc.exp_rule", title="Derivative of the exponential", topic=TOPIC, sources=("003 §3 Common Derivatives",),
    statement=Eq(sp.Derivative(sp.exp(x), x), sp.exp(x)),
    checks=(Check(name="derivative", claim=DerivativeClaim(function=sp.exp(x), wrt=(x,), claimed=sp.exp(x))),),
)

exp_base_rule = Formula(
    id="calc.exp_base_rule", title="Derivative of a^x", topic=TOPIC, sources=("003 §3 Common Derivatives",),
    statement=Eq(sp.Derivative(a**x, x), a**x * sp.log(a)),
    checks=(Check(name="derivative", claim=DerivativeClaim(function=a**x, wrt=(x,), claimed=a**x * sp.log(a))),),
)

ln_rule = Formula(
    id="calc.ln_rule", title="Derivative of ln x", topic=TOPIC, sources=("003 §3 Common Derivatives",),
    statement=Eq(sp.Derivative(sp.log(x), x), 1 / x),
    checks=(Check(name="derivative", claim=DerivativeClaim(function=sp.log(xp), wrt=(xp,), claimed=1 / xp)),),
)

log_base_rule = Formula(
    id="calc.log_base_rule", title="Derivative of log_a x", topic=TOPIC, sources=("003 §3 Common Derivatives",),
    statement=Eq(sp.Derivative(ops.LogBase(x, a), x), 1 / (x * sp.log(a))),
    checks=(Check(name="derivative", claim=DerivativeClaim(function=sp.log(xp) / sp.log(a), wrt=(xp,),
                                                          claimed=1 / (xp * sp.log(a))),
                  note="log_a x = ln x / ln a, for a > 0"),),
)

sin_rule = Formula(
    id="calc.sin_rule", title="Derivative of sin x", topic=TOPIC, sources=("003 §3 Common Derivatives",),
    statement=Eq(sp.Derivative(sp.sin(x), x), sp.cos(x)),
    checks=(Check(name="derivative", claim=DerivativeClaim(function=sp.sin(x), wrt=(x,), claimed=sp.cos(x))),),
)

cos_rule = Formula(
    id="calc.cos_rule", title="Derivative of cos x", topic=TOPIC, sources=("003 §3 Common Derivatives",),
    statement=Eq(sp.Derivative(sp.cos(x), x), -sp.sin(x)),
    checks=(Check(name="derivative", claim=DerivativeClaim(function=sp.cos(x), wrt=(x,), claimed=-sp.sin(x))),),
)

chain_rule = Formula(
    id="calc.chain_rule", title="Chain rule", topic=TOPIC,
    sources=("000 Chain Rule and Backpropagation", "001 The Chain Rule", "002 Multivariate Calculus", "003 §3 Chain Rule"),
    statement=Eq(sp.Derivative(f(g(x)), x), ops.Prime(sym("f"), g(x)) * ops.Prime(sym("g"), x)),
    checks=(
        Check(name="undefined-functions", claim=Identity(
            lhs=sp.diff(f(g(x)), x), rhs=sp.Subs(sp.Derivative(f(u), u), u, g(x)) * sp.Derivative(g(x), x)),
            note="for any differentiable f and g (checked numerically on concrete instances of f, g)"),
        Check(name="instance", claim=DerivativeClaim(function=sp.sin(x**2 + 1), wrt=(x,), claimed=sp.cos(x**2 + 1) * 2 * x),
              note="f = sin, g = x² + 1"),
    ),
)

product_rule = Formula(
    id="calc.product_rule", title="Product rule", topic=TOPIC, sources=("003 §3 Product Rule",),
    statement=Eq(sp.Derivative(f(x) * g(x), x), sp.Derivative(f(x), x) * g(x) + f(x) * sp.Derivative(g(x), x)),
    checks=(
        Check(name="undefined-functions", claim=Identity(
            lhs=sp.Derivative(f(x) * g(x), x), rhs=sp.Derivative(f(x), x) * g(x) + f(x) * sp.Derivative(g(x), x))),
        Check(name="instance", claim=DerivativeClaim(function=x**2 * sp.exp(x), wrt=(x,), claimed=2 * x * sp.exp(x) + x**2 * sp.exp(x))),
    ),
)

quotient_rule = Formula(
    id="calc.quotient_rule", title="Quotient rule", topic=TOPIC, sources=("003 §3 Quotient Rule",),
    statement=Eq(sp.Derivative(f(x) / g(x), x),
                    (sp.Derivative(f(x), x) * g(x) - f(x) * sp.Derivative(g(x), x)) / g(x) ** 2),
    checks=(
        Check(name="undefined-functions", claim=Identity(
            lhs=sp.Derivative(f(x) / g(x), x),
            rhs=(sp.Derivative(f(x), x) * g(x) - f(x) * sp.Derivative(g(x), x)) / g(x) ** 2)),
        Check(name="instance", claim=DerivativeClaim(function=sp.sin(x) / (2 + sp.cos(x)), wrt=(x,),
                                                     claimed=(sp.cos(x) * (2 + sp.cos(x)) + sp.sin(x) ** 2) / (2 + sp.cos(x)) ** 2)),
    ),
)

F_PARTIAL = x**2 * y + 3 * x * y**2

partials_example = Formula(
    id="calc.partials_example", title="Partial derivatives (example)", topic=TOPIC, sources=("003 §3 Partial Derivatives",),
    statement=Eq(sp.Derivative(F_PARTIAL, x), 2 * x * y + 3 * y**2),
    checks=(
        Check(name="d-dx", claim=DerivativeClaim(function=F_PARTIAL, wrt=(x,), claimed=2 * x * y + 3 * y**2)),
        Check(name="d-dy", claim=DerivativeClaim(function=F_PARTIAL, wrt=(y,), claimed=x**2 + 6 * x * y)),
    ),
)

sympy_examples = Formula(
    id="calc.sympy_examples", title="SymPy differentiation examples", topic=TOPIC, sources=("004 Derivatives and Gradients",),
    statement=Eq(sp.Derivative(x**2 + sp.sin(x), x), 2 * x + sp.cos(x)),
    checks=(
        Check(name="first", claim=DerivativeClaim(function=x**2 + sp.sin(x), wrt=(x,), claimed=2 * x + sp.cos(x))),
        Check(name="second", claim=DerivativeClaim(function=x**2 + sp.sin(x), wrt=(x, x), claimed=2 - sp.sin(x))),
        Check(name="partial-x", claim=DerivativeClaim(function=x**2 * sp.exp(y), wrt=(x,), claimed=2 * x * sp.exp(y))),
        Check(name="partial-y", claim=DerivativeClaim(function=x**2 * sp.exp(y), wrt=(y,), claimed=x**2 * sp.exp(y))),
    ),
)


quadratic_gradient = Formula(
    id="calc.quadratic_gradient", title="Gradient of x² + 2x + 1", topic=TOPIC, sources=("000 Gradients and Derivatives (code)",),
    statement=Eq(sp.Derivative(x**2 + 2 * x + 1, x), 2 * x + 2),
    checks=(Check(name="derivative", claim=DerivativeClaim(function=x**2 + 2 * x + 1, wrt=(x,), claimed=2 * x + 2)),),
    as_written=(AsWritten(
        name="code-000", source="000 code",
        claim=CodeGradientClaim(loss=lambda p: float(p["x"] ** 2 + 2 * p["x"] + 1),   # quadratic_function
                                gradient=lambda p: {"x": 2 * p["x"] + 2},            # gradient
                                sample=lambda rng: {"x": np.asarray(rng.uniform(-5, 5))}),
        description="gradient(x) = 2*x + 2 for quadratic_function(x) = x**2 + 2*x + 1",
        correct="f'(x) = 2x + 2"),),
)

F_MULTI = x**2 + 2 * y**2 + x * y

multivar_gradient = Formula(
    id="calc.multivar_gradient", title="Gradient of x² + 2y² + xy", topic=TOPIC, sources=("000 Multivariable Calculus (code)",),
    statement=Eq(ops.Grad(f(x, y)), sp.Matrix([2 * x + y, 4 * y + x]), evaluate=False),
    checks=(Check(name="gradient", claim=GradientClaim(function=F_MULTI, wrt=(x, y), claimed=sp.Matrix([2 * x + y, 4 * y + x]))),),
    as_written=(AsWritten(
        name="code-000", source="000 code",
        claim=CodeGradientClaim(loss=lambda p: float(p["w"][0] ** 2 + 2 * p["w"][1] ** 2 + p["w"][0] * p["w"][1]),
                                gradient=lambda p: {"w": np.array([2 * p["w"][0] + p["w"][1], 4 * p["w"][1] + p["w"][0]])},
                                sample=lambda rng: {"w": rng.uniform(-3, 3, size=2)}),
        description="compute_gradient(w) = [2*x + y, 4*y + x]",
        correct="∇f = [2x + y, 4y + x]"),),
)

sum_squares_gradient = Formula(
    id="calc.sum_squares_gradient", title="Gradient of a sum of squares", topic=TOPIC,
    sources=("004 Gradient Descent Implementation (code)", "004 Numerical Optimization (code)"),
    statement=Eq(ops.Grad(ops.Norm(sym("x"), 2) ** 2, sym("x")), 2 * sym("x")),
    checks=(
        Check(name="gradient", claim=GradientClaim(
            function=sp.Sum(sp.MatrixSymbol("x", N, 1)[k, 0] ** 2, (k, 0, N - 1)), wrt=sp.MatrixSymbol("x", N, 1),
            claimed=2 * sp.MatrixSymbol("x", N, 1), sizes=((N, (1, 2, 3, 4)),)), note="∇ Σxᵢ² = 2x at sizes 1..4"),
    ),
    as_written=(
        AsWritten(name="code-004-2d", source="004 gradient descent code",
                  claim=CodeGradientClaim(loss=lambda p: float(p["x"][0] ** 2 + p["x"][1] ** 2),
                                          gradient=lambda p: {"x": np.array([2 * p["x"][0], 2 * p["x"][1]])},
                                          sample=lambda rng: {"x": rng.uniform(-5, 5, size=2)}),
                  description="grad_f(x) = [2*x[0], 2*x[1]] for f = x[0]**2 + x[1]**2", correct="∇f = 2x"),
        AsWritten(name="code-004-3d", source="004 scipy.optimize code",
                  claim=CodeGradientClaim(loss=lambda p: float(p["x"][0] ** 2 + p["x"][1] ** 2 + p["x"][2] ** 2),
                                          gradient=lambda p: {"x": 2 * p["x"]},
                                          sample=lambda rng: {"x": rng.uniform(-5, 5, size=3)}),
                  description="gradient(x) = 2 * x for objective = x[0]**2 + x[1]**2 + x[2]**2", correct="∇f = 2x"),
    ),
)

gradient_def = Formula(
    id="calc.gradient", title="Gradient", topic=TOPIC, sources=("002 Multivariate Calculus", "003 §3 Gradient"),
    statement=Eq(ops.Grad(f(x, y)), sp.Matrix([sp.Derivative(f(x, y), x), sp.Derivative(f(x, y), y)]), evaluate=False),
    checks=(
        Check(name="example", claim=GradientClaim(function=sp.exp(x) * sp.sin(y) + x * y**3, wrt=(x, y),
                                                  claimed=sp.Matrix([sp.exp(x) * sp.sin(y) + y**3, sp.exp(x) * sp.cos(y) + 3 * x * y**2])),
              note="the vector of partial derivatives, on f = eˣ sin y + xy³"),
        Check(name="steepest-ascent", claim=Property(
            statement=Ge((2 * x) ** 2 + (4 * y) ** 2,
                            (2 * x * sp.cos(t) + 4 * y * sp.sin(t)) * sp.sqrt((2 * x) ** 2 + (4 * y) ** 2))),
            note="no unit direction (cos t, sin t) rises faster than the gradient: ∇f·d ≤ ‖∇f‖ (f = x² + 2y²)"),
    ),
)

hessian = Formula(
    id="calc.hessian", title="Hessian", topic=TOPIC, sources=("002 Multivariate Calculus",),
    statement=Eq(sym("H_ij"), sp.Derivative(f(sym("x_1"), sym("x_2")), sym("x_1"), sym("x_2"))),
    checks=(
        Check(name="entry", claim=DerivativeClaim(function=sp.exp(x * y) + x**3 * y, wrt=(x, y),
                                                  claimed=sp.exp(x * y) * (1 + x * y) + 3 * x**2),
              note="H_xy of f = e^(xy) + x³y"),
        Check(name="symmetric", claim=Identity(lhs=sp.diff(sp.exp(x * y) + x**3 * y + sp.sin(x + y**2), x, y),
                                               rhs=sp.diff(sp.exp(x * y) + x**3 * y + sp.sin(x + y**2), y, x)),
              note="∂²f/∂x∂y = ∂²f/∂y∂x for a smooth f"),
    ),
)

chain_rule_backprop = Formula(
    id="calc.chain_rule_backprop", title="Chain rule through layers", topic=TOPIC,
    sources=("000 Chain Rule and Backpropagation", "001 The Chain Rule"),
    statement=Eq(ops.PartialRatio(sym("L"), sym("w_1")), ops.PartialRatio(sym("L"), sym("a_3")) * ops.PartialRatio(sym("a_3"), sym("a_2")) * ops.PartialRatio(sym("a_2"), sym("w_1"))),
    checks=(
        Check(name="composition-000", claim=Identity(
            lhs=sp.diff((sp.tanh(sp.sin(w * x) ** 2) - y) ** 2, w),
            rhs=(2 * (sp.tanh(sp.sin(w * x) ** 2) - y))                       # ∂L/∂a₃, L = (a₃ − y)²
            * (1 - sp.tanh(sp.sin(w * x) ** 2) ** 2)                           # ∂a₃/∂a₂, a₃ = tanh(a₂)
            * (2 * sp.sin(w * x) * sp.cos(w * x) * x)),                        # ∂a₂/∂w₁, a₂ = sin(w₁x)²
            note="∂L/∂w₁ = ∂L/∂a₃·∂a₃/∂a₂·∂a₂/∂w₁ on a₂ = sin²(w₁x), a₃ = tanh(a₂), L = (a₃ − y)²"),
        Check(name="composition-001", claim=Identity(
            lhs=sp.diff(-sp.log(1 / (1 + sp.exp(-(w * x)))), w),
            rhs=(-(1 + sp.exp(-w * x))) * (sp.exp(-w * x) / (1 + sp.exp(-w * x)) ** 2) * x),
            note="∂L/∂w₁ = ∂L/∂y·∂y/∂z·∂z/∂w₁ on z = w₁x, y = σ(z), L = −log y"),
    ),
)

_sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731


def _chain_example_000(inputs: dict) -> float:
    """000's code: dL_dw = dL_da * da_dz * dz_dw with dL_da = 2 * (a - 1) ("assuming squared loss")."""
    xv, wv = inputs["x"], inputs["w"]
    z = wv * xv
    a_ = _sig(z)
    s = _sig(z)
    return float(2 * (a_ - 1) * (s * (1 - s)) * xv)


chain_rule_example = Formula(
    id="calc.chain_rule_example", title="Chain rule example: dL/dw for L = (σ(wx) − 1)²", topic=TOPIC,
    sources=("000 Chain Rule and Backpropagation (code)",),
    statement=Eq(ops.PartialRatio(sym("L"), w), 2 * (sigmoid(w * x) - 1) * sigmoid(w * x) * (1 - sigmoid(w * x)) * x),
    checks=(
        Check(name="dL-da", claim=DerivativeClaim(function=(sp.Symbol("a", real=True) - 1) ** 2, wrt=(sp.Symbol("a", real=True),),
                                                  claimed=2 * (sp.Symbol("a", real=True) - 1)),
              note="dL/da = 2(a − 1) for L = (a − 1)²"),
        Check(name="dL-dw", claim=DerivativeClaim(
            function=(1 / (1 + sp.exp(-w * x)) - 1) ** 2, wrt=(w,),
            claimed=2 * (1 / (1 + sp.exp(-w * x)) - 1) * (sp.exp(-w * x) / (1 + sp.exp(-w * x)) ** 2) * x),
            note="dL/dw = dL/da · σ'(z) · x"),
        Check(name="value", claim=Identity(
            lhs=(2 * (1 / (1 + sp.exp(-sp.Integer(1))) - 1) * sp.exp(-1) / (1 + sp.exp(-1)) ** 2 * 2),
            rhs=sp.diff((1 / (1 + sp.exp(-w * x)) - 1) ** 2, w).subs({w: sp.Rational(1, 2), x: 2})),
            note="the value 000 prints, at x = 2, w = 0.5 (about −0.1058)"),
    ),
    as_written=(AsWritten(
        name="code-000", source="000 code",
        claim=CodeClaim(program=_chain_example_000,
                        reference=sp.diff((1 / (1 + sp.exp(-sp.Symbol("w") * sp.Symbol("x"))) - 1) ** 2, sp.Symbol("w")),
                        sample=lambda rng: {"x": float(rng.uniform(-3, 3)), "w": float(rng.uniform(-2, 2))}),
        description="dL_dw = dL_da * da_dz * dz_dw with dL_da = 2 * (a - 1)",
        correct="dL/dw = 2(σ(wx) − 1)·σ(wx)(1 − σ(wx))·x"),),
)

FORMULAS = (derivative_limit, power_rule, exp_rule, exp_base_rule, ln_rule, log_base_rule, sin_rule, cos_rule,
            chain_rule, product_rule, quotient_rule, partials_example, sympy_examples, quadratic_gradient,
            multivar_gradient, sum_squares_gradient, gradient_def, hessian, chain_rule_backprop, chain_rule_example)
