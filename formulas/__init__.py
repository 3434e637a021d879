"""The catalog: every formula of the source documents, as SymPy, with its checks.

`CATALOG` maps each id of `inventory.md` to its `Formula`, in inventory order.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from formulas import activations, backprop, calculus, information, linalg, losses, optimizers, pca, probability, regression, regularization
from formulas._model import AsWritten, Check, Formula

_MODULES = (activations, losses, calculus, optimizers, regression, backprop, regularization, linalg, pca, probability, information)


def _build() -> Mapping[str, Formula]:
    out: dict[str, Formula] = {}
    for module in _MODULES:
        for f in module.FORMULAS:
            if f.id in out:
                raise ValueError(f"formula id {f.id!r} is declared twice")
            out[f.id] = f
    return MappingProxyType(out)


CATALOG: Mapping[str, Formula] = _build()
TOPICS: tuple[str, ...] = tuple(dict.fromkeys(f.topic for f in CATALOG.values()))


def get(formula_id: str) -> Formula:
    """The formula with this id; `KeyError` naming close ids when there is none."""
    try:
        return CATALOG[formula_id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(formula_id, CATALOG, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no formula {formula_id!r} in the catalog{hint}") from None


__all__ = ["AsWritten", "CATALOG", "Check", "Formula", "TOPICS", "get"]
