r"""Entropy, cross-entropy, KL divergence and mutual information on random finite distributions.

Notes write distributions on a finite support as functions summed over it, ``\sum_x p(x) \log
q(x)``, and the quantities of information theory with their usual names:

- ``H(p)`` (entropy), ``H(p, q)`` (cross-entropy), ``D_{KL}(p \| q)`` (read as ``KL(p, q)`` by
  `checker.notation_probability`), of distributions p, q on one support;
- ``H(X)``, ``H(X, Y)``, ``H(X \mid Y)`` (``H_given(X, Y)``), ``I(X; Y)`` (``MI(X, Y)``) of random
  variables X, Y with a joint distribution p: ``p(x, y)``, its marginals ``p(x)``, ``p(y)`` and
  conditionals ``p(x \mid y)`` (``p_given(x, y)``), summed over ``\sum_{x, y}``;
- ``D_{KL}(f \| g)`` of two expressions in the summed variables (``p(x) p(y)`` against ``p(x, y)``).

Their definitions are built in. A claim is read on distributions with finitely many atoms whose
weights are positive symbols: every distribution ``d`` of the equation (a function name the
notes use as a distribution) has the weights ``d__w{i}_{j}`` over the product of the supports of
its variables (lowercase x for X), its probabilities the weights normalised; where the notes
say the variables are independent, the weights are products of one weight per variable. A
variable used as a value (``\sum_x p(x)\, x``) has a real value symbol per atom. The claim is
then an ordinary `Identity` or `Property` that the engine samples and tries to prove: a claim
true for every distribution holds for each finite one; a wrong one fails on some, and the
sampled weights are its counterexample.

No reading (`claim_for` returns None) when: nothing of information theory is in the equation;
a name occurs on one side only (``H(p, q) = -\log q(c)``: c is given in words; the KL of two
Gaussians written with their parameters); a distribution is applied to something other than a
variable (``q(c)``); a sum has bounds; a construct cannot be evaluated atom by atom (an unknown
function, a derivative, an integral, a vector).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from checker.claims import Identity, Property
from checker.randomvars import RANDOM_NAME, NotApplicable
from checker.relations import INEQUALITIES

#: Functions of information theory, with the names the notation layer gives them.
INFORMATION = frozenset({"H", "H_given", "MI", "KL"})
#: Function names read as distributions when applied to summed variables.
DISTRIBUTION_LETTERS = frozenset({"p", "q", "r"})
#: Support sizes of the variables, by their number in the equation.
SUPPORT_SIZES = {1: (3,), 2: (2, 3), 3: (2, 2, 2)}
#: The joint distribution that H(X) and I(X; Y) refer to when the equation names none.
DEFAULT_JOINT = "p"
#: Suffix of a conditional, as `checker.notation_probability` spells it.
GIVEN = "_given"

_OPAQUE = (sp.Derivative, sp.Integral, sp.Product, sp.Limit, sp.Indexed, sp.MatrixExpr, sp.Subs, sp.Piecewise)


def _fname(call: Any) -> str:
    return type(call).__name__


def _is_random(e: Any) -> bool:
    return isinstance(e, sp.Symbol) and bool(RANDOM_NAME.match(e.name))


def _variable_of(rv: sp.Symbol) -> str:
    """The lowercase variable of a random variable: X → x, X_1 → x_1."""
    return rv.name[0].lower() + rv.name[1:]


def _placeholder_sum(s: sp.Sum) -> bool:
    """A sum over a whole support (``\\sum_x``): its upper bound is the layer's ``size_x``."""
    return all(lo == 1 and isinstance(hi, sp.Symbol) and hi.name == f"size_{v.name}" for v, lo, hi in s.limits)


def distributions_in(sides: Iterable[Any], known: Iterable[str] = ()) -> set[str]:
    """Names the sides use as distributions: the arguments of H, KL (names, not numbers) and
    the functions p, q, r (and the names in `known`) applied to variables summed over a whole
    support (``\\sum_x q(x)``)."""
    known = set(known) | DISTRIBUTION_LETTERS
    out: set[str] = set()
    for side in sides:
        if not isinstance(side, sp.Basic):
            continue
        for call in side.atoms(AppliedUndef):
            if _fname(call) in ("H", "KL"):
                out |= {a.name for a in call.args if isinstance(a, sp.Symbol) and not _is_random(a)
                        and (_fname(call) == "KL" or len(call.args) == 2)}
        for s in side.atoms(sp.Sum):
            if not _placeholder_sum(s):
                continue
            bound = {v for v, _, _ in s.limits}
            for call in s.function.atoms(AppliedUndef):
                base = _fname(call).removesuffix(GIVEN)
                if base in known and call.args and all(a in bound for a in call.args):
                    out.add(base)
    return out


def is_information_call(call: Any, distributions: Iterable[str]) -> bool:
    """Whether `call` is a quantity of information theory whose meaning is built in (so a
    definition of the notes, such as the binary entropy H(θ), does not apply to it): H, H(X|Y),
    I(X; Y), KL of distributions or random variables."""
    if not isinstance(call, AppliedUndef):
        return False
    name = _fname(call)
    if name in ("H_given", "MI", "KL"):
        return True
    if name != "H" or not call.args:
        return False
    names = set(distributions)
    return all(isinstance(a, sp.Symbol) and (a.name in names or _is_random(a)) for a in call.args)


def _applies(e: sp.Basic, distributions: set[str]) -> bool:
    for call in e.atoms(AppliedUndef):
        name = _fname(call)
        if name in INFORMATION and (name != "H" or is_information_call(call, distributions)):
            return True
    return bool(distributions_in([e], distributions) & (distributions | DISTRIBUTION_LETTERS))


class _Space:
    """The distributions of one equation, as weights over the product of their variables' supports."""

    def __init__(self, joints: dict[str, list[str]], sizes: dict[str, int], independent: bool,
                 base: sp.Expr = sp.E) -> None:
        self.joints, self.sizes = joints, sizes
        self.base = base
        self.weights: dict[str, dict[tuple[int, ...], sp.Expr]] = {}
        for d, variables in joints.items():
            table: dict[tuple[int, ...], sp.Expr] = {}
            atoms = list(itertools.product(*(range(1, sizes[v] + 1) for v in variables)))
            if independent and len(variables) > 1:
                factors = {v: [sp.Symbol(f"{d}_{v}__w{i}", positive=True) for i in range(1, sizes[v] + 1)]
                           for v in variables}
                for atom in atoms:
                    table[atom] = sp.Mul(*(factors[v][i - 1] for v, i in zip(variables, atom)))
            else:
                for atom in atoms:
                    table[atom] = sp.Symbol(f"{d}__w{'_'.join(map(str, atom))}", positive=True)
            self.weights[d] = table
        self.totals = {d: sp.Add(*t.values()) for d, t in self.weights.items()}

    def marginal(self, d: str, at: dict[str, int]) -> sp.Expr:
        """The probability under d that its variables in `at` take those atoms."""
        variables = self.joints[d]
        if any(v not in variables for v in at):
            raise NotApplicable(f"{d} is not a distribution of {sorted(at)}")
        total = sp.Add(*(w for atom, w in self.weights[d].items()
                         if all(atom[variables.index(v)] == i for v, i in at.items())))
        return total / self.totals[d]

    def atoms_of(self, variables: Sequence[str]) -> list[dict[str, int]]:
        return [dict(zip(variables, atom))
                for atom in itertools.product(*(range(1, self.sizes[v] + 1) for v in variables))]

    def entropy(self, d: str, variables: Sequence[str], against: str | None = None) -> sp.Expr:
        """H of d's marginal over `variables` (the cross-entropy against another distribution)."""
        other = against or d
        return -sp.Add(*(self.marginal(d, at) * self.log(self.marginal(other, at)) for at in self.atoms_of(variables)))

    def log(self, x: sp.Expr) -> sp.Expr:
        """The logarithm of the notes' information unit (nats, or bits where they write log₂)."""
        return sp.log(x) if self.base == sp.E else sp.log(x) / sp.log(self.base)


class _Reader:
    def __init__(self, space: _Space, distributions: set[str]) -> None:
        self.space, self.distributions = space, distributions

    def _joint_of(self, rvs: Sequence[Any]) -> tuple[str, list[str]]:
        if not rvs or not all(_is_random(a) for a in rvs):
            raise NotApplicable("not random variables")
        variables = [_variable_of(a) for a in rvs]
        if len(set(variables)) != len(variables):
            raise NotApplicable("a random variable twice")
        return DEFAULT_JOINT, variables

    def _call(self, call: AppliedUndef, env: dict[str, int]) -> sp.Expr:
        name, args = _fname(call), call.args
        space = self.space
        if name == "H":
            if all(isinstance(a, sp.Symbol) and a.name in self.distributions for a in args) and len(args) in (1, 2):
                d = args[0].name
                other = args[1].name if len(args) == 2 else None
                if other is not None and space.joints[other] != space.joints[d]:
                    raise NotApplicable("cross-entropy of distributions of different variables")
                return space.entropy(d, space.joints[d], other)
            d, variables = self._joint_of(args)
            return space.entropy(d, variables)
        if name == "H_given":
            d, variables = self._joint_of(args)
            return space.entropy(d, variables) - space.entropy(d, variables[1:])
        if name == "MI":
            if len(args) != 2:
                raise NotApplicable("I of more than two")
            d, (a, b) = self._joint_of(args)
            return space.entropy(d, [a]) + space.entropy(d, [b]) - space.entropy(d, [a, b])
        if name == "KL":
            return self._kl(args, env)
        base = name.removesuffix(GIVEN)
        if base in self.distributions:
            if not args or not all(isinstance(a, sp.Symbol) and a.name in env for a in args):
                raise NotApplicable(f"{name} applied to something other than a summed variable")
            at = {a.name: env[a.name] for a in args}
            if len(at) != len(args):
                raise NotApplicable("a variable twice")
            joint = space.marginal(base, at)
            if name == base:
                return joint
            if len(args) < 2:
                raise NotApplicable("a conditional without a condition")
            return joint / space.marginal(base, {a.name: env[a.name] for a in args[1:]})
        raise NotApplicable(f"{name} is not known")

    def _kl(self, args: Sequence[Any], env: dict[str, int]) -> sp.Expr:
        if len(args) != 2:
            raise NotApplicable("KL of more than two")
        f, g = args
        space = self.space
        if all(isinstance(a, sp.Symbol) and a.name in self.distributions for a in args):
            d, e = f.name, g.name
            if space.joints[d] != space.joints[e]:
                raise NotApplicable("KL of distributions of different variables")
            return space.entropy(d, space.joints[d], e) - space.entropy(d, space.joints[d])
        free = {s.name for a in args for s in a.free_symbols if isinstance(s, sp.Symbol)}
        variables = sorted(v for v in free if v in space.sizes and v not in env)
        if not variables or free - set(variables) - set(env):
            raise NotApplicable("KL of expressions that are not in the summed variables")
        terms = []
        for at in space.atoms_of(variables):
            inner = {**env, **at}
            a, b = self.read(f, inner), self.read(g, inner)
            terms.append(a * space.log(a / b))
        return sp.Add(*terms)

    def read(self, e: Any, env: dict[str, int]) -> Any:
        if isinstance(e, sp.Sum):
            if not _placeholder_sum(e):
                raise NotApplicable("a sum with bounds")
            variables = [v.name for v, _, _ in e.limits]
            return sp.Add(*(self.read(e.function, {**env, **at}) for at in self.space.atoms_of(variables)))
        if isinstance(e, AppliedUndef):
            return self._call(e, env)
        if isinstance(e, sp.Symbol):
            if e.name in env:
                return sp.Symbol(f"{e.name}__at{env[e.name]}", real=True)
            if e.name in self.space.sizes or e.name in self.distributions or _is_random(e):
                raise NotApplicable(f"{e.name} outside a sum or a distribution")
            return e
        if isinstance(e, _OPAQUE) or getattr(e, "is_Matrix", False):
            raise NotApplicable("cannot be evaluated atom by atom")
        if not isinstance(e, sp.Basic) or not e.args:
            return e
        return e.func(*(self.read(a, env) for a in e.args))


def _variables(sides: Sequence[sp.Basic], distributions: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    """The distributions with their variables, and every variable, from the sums, the
    distributions' arguments and the random variables of H and I."""
    variables: list[str] = []
    joints: dict[str, list[str]] = {}

    def add(v: str) -> None:
        if v not in variables:
            variables.append(v)

    for side in sides:
        for s in sorted(side.atoms(sp.Sum), key=sp.default_sort_key):
            for v, _, _ in s.limits:
                add(v.name)
        for call in sorted(side.atoms(AppliedUndef), key=sp.default_sort_key):
            name = _fname(call)
            base = name.removesuffix(GIVEN)
            if base in distributions and base not in INFORMATION:
                for a in call.args:
                    if isinstance(a, sp.Symbol):
                        add(a.name)
                        joints.setdefault(base, [])
                        if a.name not in joints[base]:
                            joints[base].append(a.name)
            elif name in INFORMATION:
                for a in call.args:
                    if _is_random(a):
                        add(_variable_of(a))
                        joints.setdefault(DEFAULT_JOINT, [])
                        if _variable_of(a) not in joints[DEFAULT_JOINT]:
                            joints[DEFAULT_JOINT].append(_variable_of(a))
                    elif isinstance(a, sp.Symbol) and a.name in distributions:
                        joints.setdefault(a.name, [])
    if any(not v for v in joints.values()):
        add("x") if not variables else None
        for d, vs in joints.items():
            if not vs:
                vs.extend(variables[:1] if len(variables) == 1 else ["x"])
                add(vs[0])
    for vs in joints.values():
        vs.sort()
    return joints, variables


def _base_of(sides: Sequence[sp.Basic]) -> sp.Expr:
    """2 when the equation writes its logarithms in base 2 (``\\log_2``, read as log(x)/log(2)):
    the built-in quantities are then in bits; else e (nats)."""
    halves = any(isinstance(p, sp.Pow) and p.base == sp.log(2) and p.exp == -1 for e in sides for p in e.atoms(sp.Pow))
    return sp.Integer(2) if halves else sp.E


def finite_reading(sides: Sequence[Any], *, distributions: Iterable[str] = (), independent: bool = False
                   ) -> list[sp.Basic] | None:
    """The sides with their information quantities and distributions on finite supports.

    Args:
        sides: the sides of the equation (SymPy, as the notation layer reads them).
        distributions: names the notes use as distributions (`distributions_in` of the notes so far).
        independent: the notes say the random variables are independent.

    Returns:
        The sides read, or None when the equation has no such reading (see the module).
    """
    if not all(isinstance(s, sp.Basic) for s in sides):
        return None
    names = set(distributions) | distributions_in(sides, distributions)
    if not any(_applies(s, names) for s in sides):
        return None
    if any(s.has(sp.MatrixExpr) or getattr(s, "is_Matrix", False) for s in sides):
        return None
    joints, variables = _variables(sides, names)
    if not joints or len(variables) > 3:
        return None
    joints = {d: vs for d, vs in joints.items() if vs}
    sizes = dict(zip(variables, SUPPORT_SIZES[len(variables)]))
    space = _Space(joints, sizes, independent, base=_base_of(sides))
    reader = _Reader(space, set(joints))
    try:
        read = [reader.read(s, {}) for s in sides]
    except (NotApplicable, KeyError):
        return None
    constants = [{s.name for s in r.free_symbols if isinstance(s, sp.Symbol) and "__" not in s.name} for r in read]
    if any(c != constants[0] for c in constants):
        return None  # a name on one side only is given in words
    return read


def fixed_distributions(lhs: Any, rhs: Any, *, distributions: Iterable[str] = ()) -> list[str]:
    r"""The distributions of the equation when one side does not depend on them (a number, or
    parameters only): ``D_{KL}(p \| q) = 0.5 \log 2 + ...`` is about particular p and q, given in
    words; [] when both sides depend on them or there is no reading."""
    read = finite_reading((lhs, rhs), distributions=distributions)
    if read is None:
        return []
    weights = [{s.name.split("__")[0].split("_")[0] for s in e.free_symbols if "__w" in s.name} for e in read]
    if all(weights) or not any(weights):
        return []
    return sorted(set().union(*weights))


#: The name the notation layer gives ``\mathcal{N}``: a normal distribution N(mean, variance).
NORMAL = "N_cal"


@functools.lru_cache(maxsize=1)
def _normal_kl_formula() -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """KL(N(m1, s1²) ‖ N(m2, s2²)), derived by sympy.stats as E_p[log p(X) − log q(X)]."""
    from sympy.stats import E, Normal, density

    m1, m2 = sp.symbols("m1 m2", real=True)
    s1, s2 = sp.symbols("s1 s2", positive=True)
    x = sp.Symbol("x", real=True)
    p, q = density(Normal("X1", m1, s1))(x), density(Normal("X2", m2, s2))(x)
    integrand = sp.expand_log(sp.log(p) - sp.log(q), force=True)
    return sp.simplify(E(integrand.xreplace({x: Normal("X", m1, s1)}))), (m1, s1, m2, s2)


def _variance_symbols(v: Any) -> set[sp.Symbol] | None:
    r"""The symbols a variance ``\sigma^2`` (or ``v``) is positive in, or None when it is not of that form."""
    if isinstance(v, sp.Symbol):
        return {v}
    if isinstance(v, sp.Pow) and isinstance(v.base, sp.Symbol) and v.exp == 2:
        return {v.base}
    if getattr(v, "is_number", False) and v.is_positive:
        return set()
    return None


def named_kl(lhs: Any, rhs: Any) -> tuple[sp.Basic, sp.Basic] | None:
    r"""The sides with every KL divergence of two normal distributions (``D_{KL}(\mathcal{N}(\mu_1,
    \sigma_1^2) \| \mathcal{N}(\mu_2, \sigma_2^2))``) replaced by its value; the standard deviations
    are positive. None when there is no such KL, or another quantity of information theory."""
    sides = (lhs, rhs)
    if not all(isinstance(e, sp.Basic) for e in sides):
        return None
    kls = [c for e in sides for c in e.atoms(AppliedUndef) if _fname(c) == "KL"]
    if not kls or any(_fname(c) in INFORMATION - {"KL"} for e in sides for c in e.atoms(AppliedUndef)):
        return None
    positive: set[sp.Symbol] = set()
    values: dict[Any, sp.Expr] = {}
    for call in kls:
        if len(call.args) != 2 or not all(isinstance(a, AppliedUndef) and _fname(a) == NORMAL and len(a.args) == 2
                                          for a in call.args):
            return None
        (m1, v1), (m2, v2) = call.args[0].args, call.args[1].args
        found = [_variance_symbols(v1), _variance_symbols(v2)]
        if any(f is None for f in found):
            return None
        positive |= found[0] | found[1]  # type: ignore[operator]
        formula, (a1, b1, a2, b2) = _normal_kl_formula()
        values[call] = formula.xreplace({a1: m1, a2: m2, b1: sp.sqrt(v1), b2: sp.sqrt(v2)})
    out = [e.xreplace(values) for e in sides]
    if any(e.atoms(AppliedUndef) for e in out):
        return None
    mapping = {s: sp.Symbol(s.name, positive=True) for s in positive}
    others = {s: sp.Symbol(s.name, real=True) for e in out for s in e.free_symbols
              if isinstance(s, sp.Symbol) and s not in positive and s.is_real is None}
    out = [e.xreplace({**others}).xreplace({sp.Symbol(k.name, real=True): v for k, v in mapping.items()})
           .xreplace(mapping) for e in out]
    return out[0], out[1]


def claim_for(lhs: Any, rhs: Any, relation: str, *, distributions: Iterable[str] = (), independent: bool = False,
              assumptions: Iterable[sp.Basic] = ()) -> Identity | Property | None:
    """The claim that checks ``lhs relation rhs`` for every finite distribution, or None.

    `relation` is ``"="`` (an `Identity`) or ``"<"``, ``"<="``, ``">"``, ``">="`` (a `Property`).
    """
    if relation != "=" and relation not in INEQUALITIES:
        return None
    normal = named_kl(lhs, rhs)
    if normal is not None:
        if relation == "=":
            return Identity(lhs=normal[0], rhs=normal[1])
        return Property(statement=INEQUALITIES[relation](normal[0], normal[1], evaluate=False))
    read = finite_reading((lhs, rhs), distributions=distributions, independent=independent)
    if read is None:
        return None
    left, right = read
    names = {s.name for e in read for s in e.free_symbols}
    given = tuple(a for a in assumptions if isinstance(a, sp.Basic)
                  and {s.name for s in a.free_symbols} <= names)
    if relation == "=":
        return Identity(lhs=left, rhs=right, assumptions=given)
    statement = INEQUALITIES[relation](left, right, evaluate=False)
    if isinstance(statement, (bool, sp.logic.boolalg.BooleanAtom)):
        return None
    return Property(statement=statement, assumptions=given)


__all__ = ["DISTRIBUTION_LETTERS", "INFORMATION", "SUPPORT_SIZES", "claim_for", "distributions_in",
           "finite_reading", "fixed_distributions", "is_information_call", "named_kl"]
