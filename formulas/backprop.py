"""Neural networks (inventory: `nn.*`): layers, backpropagation deltas, 000's two-layer network.

The deltas are checked on real networks: a NumPy implementation of 003's formulas, for
several depths, widths and activations, against finite differences of the loss.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from checker import operators as ops
from checker.claims import CodeGradientClaim, Identity
from checker.relations import Eq
from formulas._model import AsWritten, Check, Formula

# Plain names for the displayed statements; the checks use symbols with assumptions.
sym, idx = sp.Symbol, sp.IndexedBase

TOPIC = "Neural networks"

ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: (1 / (1 + np.exp(-z))) * (1 - 1 / (1 + np.exp(-z)))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "softplus": (lambda z: np.logaddexp(0, z), lambda z: 1 / (1 + np.exp(-z))),
}


def _net_sample(depth: int, act: str) -> Callable[[np.random.Generator], dict]:
    """Parameters W^[l], b^[l] of a network with `depth` layers, random widths, one input column."""
    def sample(rng: np.random.Generator) -> dict:
        widths = [int(rng.integers(1, 5)) for _ in range(depth + 1)]
        out = {"x": rng.normal(size=(widths[0], 1)), "y": rng.normal(size=(widths[-1], 1))}
        for layer in range(1, depth + 1):
            out[f"W{layer}"] = rng.normal(size=(widths[layer], widths[layer - 1])) * 0.8
            out[f"b{layer}"] = rng.normal(size=(widths[layer], 1)) * 0.5
        out["act"] = np.asarray(list(ACTIVATIONS).index(act), dtype=float)
        return out
    return sample


def _forward(p: dict) -> tuple[list[np.ndarray], list[np.ndarray]]:
    g, _ = ACTIVATIONS[list(ACTIVATIONS)[int(p["act"])]]
    depth = sum(1 for k in p if k.startswith("W"))
    a, zs, activations = p["x"], [], [p["x"]]
    for layer in range(1, depth + 1):
        z = p[f"W{layer}"] @ a + p[f"b{layer}"]      # z^[l] = W^[l] a^[l−1] + b^[l]
        a = g(z)                                       # a^[l] = g(z^[l])
        zs.append(z)
        activations.append(a)
    return zs, activations


def _loss(p: dict) -> float:
    """J = ½‖a^[L] − y‖²."""
    _, acts = _forward(p)
    return float(0.5 * np.sum((acts[-1] - p["y"]) ** 2))


def _backprop_003(p: dict) -> dict:
    """003's formulas: δ^[L] = ∇ₐJ ⊙ g'(z^[L]); δ^[l] = (W^[l+1])ᵀδ^[l+1] ⊙ g'(z^[l]);
    ∂J/∂W^[l] = δ^[l](a^[l−1])ᵀ; ∂J/∂b^[l] = δ^[l]."""
    _, dg = ACTIVATIONS[list(ACTIVATIONS)[int(p["act"])]]
    zs, acts = _forward(p)
    depth = len(zs)
    grads = {}
    delta = (acts[-1] - p["y"]) * dg(zs[-1])
    for layer in range(depth, 0, -1):
        grads[f"W{layer}"] = delta @ acts[layer - 1].T
        grads[f"b{layer}"] = delta
        if layer > 1:
            delta = (p[f"W{layer}"].T @ delta) * dg(zs[layer - 2])
    return grads


def _params(depth: int) -> tuple[str, ...]:
    return tuple(f"{k}{layer}" for layer in range(1, depth + 1) for k in ("W", "b"))


def _network_checks(which: str) -> tuple[Check, ...]:
    checks = []
    for depth in (1, 2, 3):
        for act in ("sigmoid", "tanh"):
            params = tuple(p for p in _params(depth) if (which == "b") == p.startswith("b")) if which in ("W", "b") else _params(depth)
            checks.append(Check(
                name=f"depth-{depth}-{act}",
                claim=CodeGradientClaim(loss=_loss, gradient=_backprop_003, sample=_net_sample(depth, act),
                                        params=params, n_samples=2),
                note=f"{depth} layer(s), {act}, random widths 1..4: backprop against finite differences of J"))
    return tuple(checks)


n_, k_ = sp.symbols("n k", integer=True, positive=True)
Xr = sp.MatrixSymbol("X", 1, n_)
W1 = sp.MatrixSymbol("W", n_, k_)
bias = sp.MatrixSymbol("b", 1, k_)

layer = Formula(
    id="nn.layer", title="A layer: output = g(input·W + b)", topic=TOPIC, sources=("001 Why Matrix Multiplication Matters", "003 §6 Neural Networks"),
    statement=Eq(sp.MatrixSymbol("z^[l]", k_, 1), sp.MatrixSymbol("W^[l]", k_, n_) * sp.MatrixSymbol("a^[l-1]", n_, 1) + sp.MatrixSymbol("b^[l]", k_, 1)),
    checks=(Check(name="conventions-agree", claim=Identity(
        lhs=(Xr * W1 + bias).T, rhs=W1.T * Xr.T + bias.T, sizes=((n_, (1, 2, 3)), (k_, (1, 2)))),
        note="001's row convention input·W + b is 003's W'a + b' with W' = Wᵀ, a = inputᵀ (up to transposition)"),),
)

delta_output = Formula(
    id="nn.delta_output", title="Output-layer delta", topic=TOPIC, sources=("003 §6 Backpropagation",),
    statement=Eq(sp.MatrixSymbol("delta^[L]", k_, 1), sp.HadamardProduct(sp.MatrixSymbol("nabla_a J", k_, 1), sp.MatrixSymbol("g'(z^[L])", k_, 1))),
    checks=tuple(c for c in _network_checks("all") if c.name.startswith("depth-1")),
    notes="δ^[L] = ∇ₐJ ⊙ g'(z^[L]); 003 writes the elementwise product with '·'.",
)

delta_hidden = Formula(
    id="nn.delta_hidden", title="Hidden-layer delta", topic=TOPIC, sources=("003 §6 Backpropagation",),
    statement=Eq(sp.MatrixSymbol("delta^[l]", n_, 1), sp.HadamardProduct(sp.MatrixSymbol("W^[l+1]", k_, n_).T * sp.MatrixSymbol("delta^[l+1]", k_, 1), sp.MatrixSymbol("g'(z^[l])", n_, 1))),
    checks=tuple(c for c in _network_checks("all") if not c.name.startswith("depth-1")),
)

grad_weights = Formula(
    id="nn.grad_weights", title="Gradient of the weights", topic=TOPIC, sources=("003 §6 Backpropagation",),
    statement=Eq(ops.PartialRatio(sym("J"), sym("W^[l]")), sp.MatrixSymbol("delta^[l]", k_, 1) * sp.MatrixSymbol("a^[l-1]", n_, 1).T, evaluate=False),
    checks=_network_checks("W"),
)

grad_bias = Formula(
    id="nn.grad_bias", title="Gradient of the biases", topic=TOPIC, sources=("003 §6 Backpropagation",),
    statement=Eq(ops.PartialRatio(sym("J"), sym("b^[l]")), sp.MatrixSymbol("delta^[l]", k_, 1), evaluate=False),
    checks=_network_checks("b"),
)

# --- 000's SimpleNeuralNetwork -----------------------------------------------------------------


def _sig(v: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-v))


def _two_layer_forward(p: dict) -> tuple[np.ndarray, ...]:
    z1 = p["X"] @ p["W1"] + p["b1"]
    a1 = _sig(z1)
    z2 = a1 @ p["W2"] + p["b2"]
    a2 = _sig(z2)
    return z1, a1, z2, a2


def _reported_loss_000(p: dict) -> float:
    """The loss 000's training loop reports: np.mean((output - y)**2)."""
    *_, output = _two_layer_forward(p)
    return float(np.mean((output - p["y"]) ** 2))


def _backward_000(p: dict) -> dict:
    """000's SimpleNeuralNetwork.backward, transcribed line by line."""
    X, y = p["X"], p["y"]
    z1, a1, z2, output = _two_layer_forward(p)
    m = X.shape[0]
    dz2 = output - y
    dW2 = (1 / m) * a1.T @ dz2
    db2 = (1 / m) * np.sum(dz2, axis=0, keepdims=True)
    da1 = dz2 @ p["W2"].T
    dz1 = da1 * (_sig(z1) * (1 - _sig(z1)))
    dW1 = (1 / m) * X.T @ dz1
    db1 = (1 / m) * np.sum(dz1, axis=0, keepdims=True)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def _backward_correct(p: dict) -> dict:
    """The gradient of the reported loss mean((a2 − y)²) through the sigmoid output."""
    X, y = p["X"], p["y"]
    z1, a1, z2, output = _two_layer_forward(p)
    size = output.size
    dz2 = (2 / size) * (output - y) * output * (1 - output)
    dW2 = a1.T @ dz2
    db2 = np.sum(dz2, axis=0, keepdims=True)
    dz1 = (dz2 @ p["W2"].T) * a1 * (1 - a1)
    return {"W1": X.T @ dz1, "b1": np.sum(dz1, axis=0, keepdims=True), "W2": dW2, "b2": db2}


def _two_layer_sample(rng: np.random.Generator) -> dict:
    m, n_in, hidden = int(rng.integers(2, 6)), 2, 4
    return {"X": rng.normal(size=(m, n_in)), "y": rng.integers(0, 2, size=(m, 1)).astype(float),
            "W1": rng.normal(size=(n_in, hidden)), "b1": rng.normal(size=(1, hidden)) * 0.5,
            "W2": rng.normal(size=(hidden, 1)), "b2": rng.normal(size=(1, 1)) * 0.5}


two_layer_as_written = Formula(
    id="nn.two_layer_as_written", title="000's two-layer network: backward pass", topic=TOPIC,
    sources=("000 Putting It All Together (code)",),
    statement=Eq(ops.PartialRatio(sym("J"), sym("z^[2]")), sym("a^[2]") - sym("y")),
    checks=(Check(name="correct-backward", claim=CodeGradientClaim(
        loss=_reported_loss_000, gradient=_backward_correct, sample=_two_layer_sample, params=("W1", "b1", "W2", "b2")),
        note="the gradient of the loss the loop reports, mean((a2 − y)²), through the sigmoid output"),),
    as_written=(AsWritten(
        name="backward-vs-reported-loss", source="000 code",
        claim=CodeGradientClaim(loss=_reported_loss_000, gradient=_backward_000, sample=_two_layer_sample,
                                params=("W1", "b1", "W2", "b2")),
        fixed=CodeGradientClaim(loss=_reported_loss_000, gradient=_backward_correct, sample=_two_layer_sample,
                                params=("W1", "b1", "W2", "b2")),
        description="backward(): dz2 = output - y, dW2 = (1/m) a1ᵀ dz2, ... for the loss np.mean((output - y)**2)",
        correct="dz2 = (2/m)(output − y)·output·(1 − output) for the reported MSE loss (dz2 = output − y is the "
                "gradient of binary cross-entropy with a sigmoid output, not of the MSE the loop reports)"),),
)

FORMULAS = (layer, delta_output, delta_hidden, grad_weights, grad_bias, two_layer_as_written)
