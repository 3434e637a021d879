"""Step-by-step derivations of catalog formulas; every step is checked against the last good one.

`DERIVATIONS` maps each derivation id to its `Derivation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from derivations import (activations, backprop, calculus, information, losses, optimizers, regression,
                         sigmoid, statistics)
from derivations._model import Derivation, Step

_MODULES = (sigmoid, activations, losses, calculus, regression, backprop, optimizers, statistics, information)


def _build() -> Mapping[str, Derivation]:
    out: dict[str, Derivation] = {}
    for module in _MODULES:
        for d in module.DERIVATIONS:
            if d.id in out:
                raise ValueError(f"derivation id {d.id!r} is declared twice")
            out[d.id] = d
    return MappingProxyType(out)


DERIVATIONS: Mapping[str, Derivation] = _build()


def get(derivation_id: str) -> Derivation:
    """The derivation with this id; `KeyError` naming close ids when there is none."""
    try:
        return DERIVATIONS[derivation_id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(derivation_id, DERIVATIONS, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no derivation {derivation_id!r}{hint}") from None


__all__ = ["DERIVATIONS", "Derivation", "Step", "get"]
