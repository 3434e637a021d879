"""Worked numbers: ``expr ≈ stated`` checked to the digits the notes state.

Notes write ``\\sigma(0.5) \\approx 0.622`` or ``\\frac{23}{15.5} \\approx 1.494``. The claim
is right when the exact value of the expression rounds to the stated digits. Rounding is
not the only habit: notes also cut digits off, so a value within one unit of the last
stated digit is accepted too. Beyond that the claim is wrong. A false alarm costs far more
than a miss, so anything that cannot be decided cleanly (a free symbol, a complex or
non-finite value, a huge one, a spent budget) is inconclusive.

- `parse_stated` reads the stated side (``0.622``, ``-3.0103``, ``1.2 \\times 10^{-3}``)
  with a strict regular expression: document text is never evaluated.
- `check_approximation` decides an `Approximation` claim; the engine calls it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from typing import Any

import sympy as sp

from checker.budget import WorkerError, call_with_budget
from checker.claims import Approximation
from checker.errors import BudgetSpent
from checker.verdict import Counterexample, Evidence, Method, Verdict

#: Working precision of the evaluation, in significant decimal digits.
DIGITS = 40
#: The longest stated side read at all; a longer text is not a plain number.
MAX_TEXT = 200
#: Values (and stated numbers) beyond 10**MAX_MAGNITUDE are not decided.
MAX_MAGNITUDE = 100
#: Extra decimal places shown beyond the last stated digit.
EXTRA_PLACES = 2

_NOTE = "lhs: the value of the expression; rhs: the number the notes state"


@dataclass(frozen=True, slots=True)
class Stated:
    """A stated decimal number: its exact `value` and the place value of its last digit."""

    value: sp.Rational
    unit: sp.Rational


# LaTeX spacing that may sit between the parts of a number (``10\,000``, ``1.2 \times 10^{-3}``).
_SPACING = re.compile(r"\\[,;:! ]|~|\s")
_MINUS = "[-+\u2212]"
_STATED = re.compile(
    rf"(?P<sign>{_MINUS})?"
    r"(?:(?P<int>\d{1,60})(?:\.(?P<frac>\d{1,60}))?|\.(?P<frac_only>\d{1,60}))"
    r"(?:(?:\\times|\\cdot)10\^(?:\{(?P<esign>" + _MINUS + r")?(?P<exp>\d{1,3})\}|(?P<exp1>\d)))?"
    r"[.,;]?"
)


def parse_stated(text: str) -> Stated | None:
    """The number a stated side writes, or None when it is not a plain decimal number.

    Reads ``0.622``, ``-3.0103``, ``3``, ``.5``, ``10\\,000``, ``1.2 \\times 10^{-3}`` and
    ``1.2 \\cdot 10^{-3}`` (a sentence's final ``.``, ``,`` or ``;`` is allowed). The unit is
    the place value of the last written digit; the trailing zeros of a whole number are not
    taken as significant (``1200`` → unit 100), those after a decimal point are (``0.600`` →
    unit 1/1000). Anything else (units, percentages, ``\\ldots``, a decimal comma, a bare
    power of ten) gives None.
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return None
    m = _STATED.fullmatch(_SPACING.sub("", text))
    if m is None:
        return None
    whole = m.group("int") or ""
    frac = m.group("frac") if m.group("frac") is not None else (m.group("frac_only") or "")
    digits = whole + frac
    exponent = int(m.group("exp") or m.group("exp1") or 0)
    if m.group("esign") in ("-", "\u2212"):
        exponent = -exponent
    if frac:
        place = -len(frac)
    else:
        stripped = whole.rstrip("0")
        place = len(whole) - len(stripped) if stripped else 0
    mantissa = sp.Integer(int(digits)) / sp.Integer(10) ** len(frac)
    value = mantissa * sp.Integer(10) ** exponent
    if m.group("sign") in ("-", "\u2212"):
        value = -value
    return Stated(value=sp.Rational(value), unit=sp.Integer(10) ** (place + exponent))


def approximation(value: Any, stated_text: str, assumptions: tuple[sp.Basic, ...] = ()) -> Approximation | None:
    """The claim ``value ≈ stated_text``, or None when the stated side is not a plain number."""
    stated = parse_stated(stated_text)
    if stated is None:
        return None
    return Approximation(value=value, stated=stated.value, unit=stated.unit, assumptions=assumptions)


# --- the check ----------------------------------------------------------------------------

def check_approximation(claim: Approximation, *, timeout: float = 5.0) -> Verdict:
    """Whether the value of `claim.value` rounds (or truncates) to `claim.stated`.

    Verified (numeric) when |value − stated| ≤ unit, i.e. the value rounds to the stated
    digits (≤ unit/2) or was cut off after them; wrong, with the value and the stated number
    as the counterexample, beyond that; inconclusive when the value is not a finite real
    number that can be computed within `timeout` seconds.
    """
    given = _given(claim.value, claim.assumptions)
    if isinstance(given, str):
        return Verdict.inconclusive(given)
    value, fixed = given
    free = sorted({s.name if hasattr(s, "name") else str(s) for s in value.free_symbols - set(fixed)})
    if free:
        names = ", ".join(free)
        which = "which is not a given number" if len(free) == 1 else "which are not given numbers"
        return Verdict.inconclusive(f"the value depends on {names}, {which} here")
    if abs(claim.stated) > sp.Integer(10) ** MAX_MAGNITUDE or claim.unit > sp.Integer(10) ** MAX_MAGNITUDE \
            or claim.unit < sp.Rational(1, 10 ** MAX_MAGNITUDE):
        return Verdict.inconclusive("the stated number is too large or too fine to check")
    try:
        if isinstance(value, (sp.Rational, sp.Float)):  # nothing to compute
            outcome = _evaluate(value, fixed, DIGITS)
        else:  # substituting and evaluating may build huge numbers: in a worker, within budget
            outcome = call_with_budget(_evaluate, value, fixed, DIGITS, timeout=timeout,
                                       what="evaluating the value")
    except BudgetSpent as exc:
        return Verdict.inconclusive(str(exc))
    except WorkerError as exc:
        return Verdict.inconclusive(f"the value could not be computed: {str(exc).splitlines()[0]}")
    if isinstance(outcome, str):
        return Verdict.inconclusive(outcome)
    return _decide(outcome, claim.stated, claim.unit)


def _given(value: Any, assumptions: tuple[sp.Basic, ...]) -> tuple[sp.Expr, dict[sp.Symbol, sp.Expr]] | str:
    """`value` as a SymPy expression and the symbols the assumptions fix (``Eq(x, 2)``) with
    their numbers; a sentence when it is not a scalar expression."""
    if isinstance(value, bool):
        return "the value is a truth value, not a number"
    if isinstance(value, int):
        value = sp.Integer(value)
    elif isinstance(value, float):
        value = sp.Float(value)
    if isinstance(value, (sp.MatrixBase, sp.MatrixExpr)):
        return "the value is a matrix, not a number"
    if not isinstance(value, sp.Expr):
        return f"the value is a {type(value).__name__}, not a number"
    fixed = {}
    for a in assumptions:
        if isinstance(a, sp.Eq):
            for s, v in ((a.lhs, a.rhs), (a.rhs, a.lhs)):
                if isinstance(s, sp.Symbol) and isinstance(v, sp.Expr) and v.is_number:
                    fixed[s] = v
                    break
    return value, fixed


def _exact_float(f: sp.Float) -> sp.Rational:
    """The number a Float was written as: a double (``15.5``, ``0.16102``) by its shortest
    decimal form, a higher-precision Float by its exact binary value."""
    if f._prec <= 53:
        return sp.Rational(repr(float(f)))
    return sp.Rational(f)


#: What SymPy evaluates numerically by quadrature or by summing: such values are checked at
#: two working precisions, and a disagreement with the stated number is not called wrong.
_SERIES = (sp.Integral, sp.Sum, sp.Product, sp.Limit, sp.Derivative)


@dataclass(frozen=True, slots=True)
class _Value:
    """A computed value: exact (a Rational, `error` 0) or a Float with a bound of its error."""

    number: sp.Rational | sp.Float
    error: sp.Rational | sp.Float
    series: bool = False


def _evaluate(value: sp.Expr, fixed: dict[sp.Symbol, sp.Expr], digits: int) -> _Value | str:
    """The value of `value`, or a sentence saying why there is none. Runs in a budgeted worker."""
    if fixed:
        value = value.xreplace(fixed)
    floats = {f: _exact_float(f) for f in value.atoms(sp.Float)}
    exact = value.xreplace(floats) if floats else value
    if isinstance(exact, sp.Rational):
        return _sized(_Value(exact, sp.Integer(0)))
    first = _real(exact, digits)
    if isinstance(first, str) or isinstance(first.number, sp.Rational) or not exact.has(*_SERIES):
        return first if isinstance(first, str) else _sized(first)
    second = _real(exact, digits + 20)
    if isinstance(second, str):
        return second
    if abs(first.number - second.number) > first.error + second.error:
        return ("its integrals or sums do not evaluate reliably: two working precisions give "
                f"{_decimal(first.number, 8)} and {_decimal(second.number, 8)}")
    return _sized(_Value(second.number, max(first.error, second.error), series=True))


def _real(exact: sp.Expr, digits: int) -> _Value | str:
    """`exact` evaluated with `digits` digits, as a real Float and its error bound."""
    import mpmath

    from checker.evaluate import mp_value

    v = mp_value(exact, {}, digits)
    if v is None or not isinstance(v, sp.Expr) or not v.is_number:
        return "the value is not a finite number"
    if isinstance(v, sp.Rational):
        return _Value(v, sp.Integer(0))
    re_, im_ = v.as_real_imag()
    if not all(isinstance(x, (sp.Float, sp.Rational)) and x.is_finite for x in (re_, im_)):
        return "the value is not a finite number"
    if isinstance(re_, sp.Rational):
        re_ = sp.Float(re_, digits)
    floor = sp.Float(10, digits) ** (10 - digits)  # the relative accuracy asked of evalf, with room
    if im_ != 0 and abs(im_) > floor * (1 + abs(re_)):
        return "the value is complex, not a real number"
    # SymPy gives a Float the precision it could vouch for: |error| ≤ 2^(mag − prec + 1)
    x = mpmath.mpf(re_._mpf_)
    error = sp.Float(mpmath.ldexp(1, mpmath.mag(x) - re_._prec + 1), 15) if x else sp.Float(0)
    return _Value(re_, max(error, floor * abs(re_)))


def _sized(v: _Value) -> _Value | str:
    if isinstance(v.number, sp.Rational):
        huge = v.number.p.bit_length() - v.number.q.bit_length() > 3.33 * MAX_MAGNITUDE
    else:
        import mpmath

        huge = v.number != 0 and mpmath.mag(mpmath.mpf(v.number._mpf_)) > 3.33 * MAX_MAGNITUDE
    if huge:
        return f"the value exceeds 10^{MAX_MAGNITUDE}; not checked"
    return v


def _decide(value: _Value, stated: sp.Rational, unit: sp.Rational) -> Verdict:
    """Verified when |value − stated| ≤ unit (rounded: ≤ unit/2; cut off: ≤ unit), wrong when
    it exceeds unit by more than the value's error bound."""
    number, slack = value.number, value.error  # a difference within the bound of a threshold counts as inside
    places = _places(unit)
    stated_text = _decimal(stated, max(places, 0))
    if slack > unit / 10:
        return Verdict.inconclusive(f"the value could only be computed to within {float(slack):.1g}, too coarse "
                                    f"to check the stated {stated_text}")
    off = abs(number - stated)
    shown = _decimal(number, places + EXTRA_PLACES)
    more = "" if isinstance(number, sp.Rational) and sp.Rational(shown) == number else "…"
    evidence = Evidence(max_abs_err=float(off), detail=f"the value is {shown}{more}; ")
    if off <= unit / 2 + slack:
        return Verdict.verified(Method.NUMERIC, dataclasses.replace(
            evidence, detail=f"{evidence.detail}it rounds to the stated {stated_text}"))
    if off <= unit + slack:
        return Verdict.verified(Method.NUMERIC, dataclasses.replace(
            evidence, detail=f"{evidence.detail}it is within one unit of the last stated digit of "
                             f"{stated_text} (cut off rather than rounded)"))
    away = f"{_decimal(off / unit, 1)} units of the last stated digit away"
    if value.series:
        return Verdict.inconclusive(f"computed by quadrature or summation, the value is {shown}, {away} from the "
                                    f"stated {stated_text}; not reported as wrong on a numeric integral or sum alone",
                                    method=Method.NUMERIC, evidence=evidence)
    ce = Counterexample(point=(), lhs=float(Decimal(shown)), rhs=float(stated), digits=DIGITS, note=_NOTE)
    reason = f"{shown} (to {_significant(shown)} digits) does not round to the stated {stated_text}: it is {away}"
    return Verdict.wrong(Method.NUMERIC, ce, reason=reason, evidence=Evidence(max_abs_err=float(off)))


def _places(unit: sp.Rational) -> int:
    """Decimal places of the unit (1/1000 → 3, 1 → 0, 100 → −2), rounded to the finer side."""
    k = 0
    u = sp.Rational(unit)
    while u < 1:
        u *= 10
        k += 1
    while u >= 10:
        u /= 10
        k -= 1
    return k


def _decimal(x: sp.Rational | sp.Float, places: int) -> str:
    """`x` rounded to `places` decimal places (half to even), as plain decimal text."""
    if isinstance(x, sp.Rational):
        scaled = x * sp.Integer(10) ** max(places, 0)
        text = str(sp.Integer(round(scaled)))  # SymPy rounds Rationals exactly
        d = Decimal(text).scaleb(-max(places, 0))
    else:
        try:
            d = Decimal(str(sp.Float(x, DIGITS)))
        except InvalidOperation:
            return str(x)
    with localcontext() as ctx:
        ctx.prec = DIGITS + MAX_MAGNITUDE + 10
        q = Decimal(1).scaleb(-max(places, 0))
        return format(d.quantize(q, rounding=ROUND_HALF_EVEN), "f")


def _significant(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    return max(len(digits), 1)


__all__ = ["Stated", "approximation", "check_approximation", "parse_stated"]
