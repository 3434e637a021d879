"""Derivations of the information formulas of the catalog."""

from __future__ import annotations

from derivations._model import Derivation, Step  # noqa: F401

DERIVATIONS: tuple[Derivation, ...] = ()
