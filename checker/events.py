r"""Probabilities of named events: Bayes' rule, total probability and worked numbers.

Notes write ``P(D) = 0.01``, ``P(+ \mid D) = 0.95``, ``P(+ \mid \neg D) = 0.05`` and then
``P(+) = P(+ \mid D) P(D) + P(+ \mid \neg D) P(\neg D) = 0.95 \cdot 0.01 + 0.05 \cdot 0.99``.
`checker.notation_probability` reads a probability as ``P(A)`` or ``P_given(A, B, ...)`` of
names (``+`` is ``EVTplus``, ``\neg D`` and ``\bar{D}`` are ``D_bar``; a comma is "and").

Two readings (`claim_for`):

- both sides are probabilities of events (an identity such as Bayes' rule): the claim must hold
  for every joint distribution of the events. It is read on the 2^k atoms of the k events, each
  with a positive weight symbol (``P__w`` and the truth values), so the engine samples and
  proves it; with ``independent`` the weights are products of one weight per event.
- one side has no probability (a worked number): every probability takes the value the notes
  gave it (`resolve`: a value stated before, or the complement ``P(\neg D) = 1 - P(D)``,
  ``P(\neg A \mid B) = 1 - P(A \mid B)``); when one has no value, the claim is not checked.

`record` keeps the value a chain gives a probability (``P(+) = ... = 0.059``) for the worked
numbers after it, as a reader of the notes would.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from checker.claims import Identity, Property
from checker.relations import INEQUALITIES

#: The probability functions, as the notation layer names them.
PROBABILITY = frozenset({"P", "P_given"})
#: The suffix of a complement event (``\neg D`` → ``D_bar``).
NOT = "_bar"
#: At most this many events are read on all their atoms.
MAX_EVENTS = 4



def calls(e: Any) -> list[AppliedUndef]:
    """The probabilities of events in `e` (P and P_given of names)."""
    if not isinstance(e, sp.Basic):
        return []
    return sorted((c for c in e.atoms(AppliedUndef) if type(c).__name__ in PROBABILITY
                   and c.args and all(isinstance(a, sp.Symbol) for a in c.args)), key=sp.default_sort_key)


def _base(event: sp.Symbol) -> tuple[str, bool]:
    """The event's name without its complement, and whether it is the complement."""
    name = event.name
    return (name[:-len(NOT)], True) if name.endswith(NOT) else (name, False)


def _complement(event: sp.Symbol) -> sp.Symbol:
    base, negated = _base(event)
    return sp.Symbol(base if negated else base + NOT, **event.assumptions0)


def resolve(call: Any, values: Mapping[str, Any], depth: int = 0) -> Any:
    """The value of a probability from the values the notes gave, or None.

    A value stated for it; else one minus the value of its complement (``P(\\neg D)`` from
    ``P(D)``, ``P(\\neg A \\mid B)`` from ``P(A \\mid B)``).
    """
    key = str(call)
    if key in values:
        return values[key]
    if depth or len(call.args) < 1:
        return None
    first, rest = call.args[0], call.args[1:]
    if type(call).__name__ == "P" and len(call.args) != 1:
        return None
    other = resolve(call.func(_complement(first), *rest), values, depth + 1)
    return None if other is None else 1 - other


def _all_events(exprs: Iterable[Any]) -> list[str]:
    names: list[str] = []
    for e in exprs:
        for c in calls(e):
            for a in c.args:
                base, _ = _base(a)
                if base not in names:
                    names.append(base)
    return sorted(names)


class _Atoms:
    """The joint distribution of k events on their 2^k atoms."""

    def __init__(self, events: Sequence[str], independent: bool) -> None:
        self.events = list(events)
        self.atoms: list[tuple[dict[str, bool], sp.Expr]] = []
        if independent:
            w = {e: (sp.Symbol(f"P_{e}__w1", positive=True), sp.Symbol(f"P_{e}__w0", positive=True)) for e in events}
            for bits in itertools.product((True, False), repeat=len(events)):
                weight = sp.Mul(*((w[e][0] if b else w[e][1]) / (w[e][0] + w[e][1]) for e, b in zip(events, bits)))
                self.atoms.append((dict(zip(events, bits)), weight))
        else:
            for bits in itertools.product((True, False), repeat=len(events)):
                label = "".join("1" if b else "0" for b in bits)
                self.atoms.append((dict(zip(events, bits)), sp.Symbol(f"P__w{label}", positive=True)))
        self.total = sp.Add(*(w for _, w in self.atoms))

    def probability(self, events: Sequence[sp.Symbol]) -> sp.Expr:
        """P(every one of `events`)."""
        wanted = [_base(e) for e in events]
        return sp.Add(*(w for truth, w in self.atoms
                        if all(truth[b] != negated for b, negated in wanted))) / self.total

    def read(self, call: AppliedUndef) -> sp.Expr:
        if type(call).__name__ == "P":
            return self.probability(call.args)
        if len(call.args) < 2:
            raise ValueError("a conditional without a condition")
        return self.probability(call.args) / self.probability(call.args[1:])


def _only_probabilities(e: Any) -> bool:
    """No other function and no free name outside the probabilities."""
    if not isinstance(e, sp.Basic):
        return True
    found = set(calls(e))
    if any(c not in found for c in e.atoms(AppliedUndef)):
        return False
    rest = e.xreplace({c: sp.Integer(1) for c in found})
    return not rest.free_symbols


def claim_for(lhs: Any, rhs: Any, relation: str, *, values: Mapping[str, Any] = {}, independent: bool = False
              ) -> Identity | Property | str | None:
    """The claim that checks ``lhs relation rhs`` about probabilities of events.

    Returns an `Identity` or `Property`; a string (the probabilities without a value, spelled as
    the notes write them) for a worked number that cannot be evaluated; None when the equation
    is not about probabilities of events (see the module).
    """
    if relation != "=" and relation not in INEQUALITIES:
        return None
    sides = (lhs, rhs)
    found = [calls(s) for s in sides]
    if not any(found) or not all(_only_probabilities(s) for s in sides):
        return None
    if all(found):
        events = _all_events(sides)
        if len(events) > MAX_EVENTS or any(len({_base(a)[0] for a in c.args}) != len(c.args)
                                           for fs in found for c in fs):
            return None
        atoms = _Atoms(events, independent)
        try:
            read = [s.xreplace({c: atoms.read(c) for c in calls(s)}) for s in sides]
        except ValueError:
            return None
    else:
        mapping: dict[Any, Any] = {}
        missing = []
        for c in set(itertools.chain(*found)):
            v = resolve(c, values)
            if v is None:
                missing.append(c)
            else:
                mapping[c] = v
        if missing:
            return ", ".join(sorted(str(c) for c in missing))
        read = [s.xreplace(mapping) if isinstance(s, sp.Basic) else s for s in sides]
    if relation == "=":
        return Identity(lhs=read[0], rhs=read[1])
    statement = INEQUALITIES[relation](read[0], read[1], evaluate=False)
    if isinstance(statement, (bool, sp.logic.boolalg.BooleanAtom)):
        return None
    return Property(statement=statement)


def with_values(e: Any, values: Mapping[str, Any]) -> Any:
    """`e` with each probability that has a value replaced by it (for an approximation)."""
    mapping = {c: v for c in calls(e) if (v := resolve(c, values)) is not None}
    return e.xreplace(mapping) if mapping else e


def record(sides: Sequence[Any], relations: Sequence[str], values: MutableMapping[str, Any]) -> str | None:
    """A chain that starts with a probability and reaches a number through ``=`` gives the
    probability that value (the last exact number, before any ``\\approx``); the key, or None."""
    if not sides or not calls(sides[0]) or calls(sides[0]) != [sides[0]] or str(sides[0]) in values:
        return None
    value = None
    for side, rel in zip(sides[1:], relations):
        if rel != "=":
            break
        if getattr(side, "is_number", False) and not calls(side):
            value = side
    if value is None:
        return None
    values[str(sides[0])] = value
    return str(sides[0])


__all__ = ["MAX_EVENTS", "NOT", "PROBABILITY", "calls", "claim_for", "record", "resolve", "with_values"]
