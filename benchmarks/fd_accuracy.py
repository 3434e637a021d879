"""Accuracy of our finite differences on every derivative claim of the catalog.

For each derivative claim (DerivativeClaim and GradientClaim of the catalog's checks), at
sampled points, compare against the exact derivative (SymPy's diff, evaluated at 50 digits):
our estimate (`checker.finite_diff`: complex step or Richardson-extrapolated central
differences) and a plain central difference with step 1e-6 (the default of common gradient
checkers). Prints the median and worst relative error of each.
Target: ours at most 1e-10 median, and never worse than the plain one.

Usage: python benchmarks/fd_accuracy.py [--points N] [--topic T]
"""

from __future__ import annotations

import argparse
import statistics
import sys

import numpy as np
import sympy as sp

import formulas
from checker import finite_diff
from checker.claims import DerivativeClaim, GradientClaim
from checker.derivatives import is_analytic
from checker.evaluate import instantiate, lambdify_safe, mp_value, scalarize
from checker.numeric import size_combinations, sized
from checker.sampling import draw_points, rng_for


def _scalar_cases(claim: DerivativeClaim, rng: np.random.Generator, n: int):
    """(f, x0, index, exact, analytic) for each sampled point of a scalar derivative claim."""
    for combo in size_combinations(claim.sizes, claim.assumptions):
        packed, _ = scalarize(sp.Tuple(instantiate(claim.function, combo), sp.Tuple(*claim.wrt)))
        f, wrt = packed
        wrt = tuple(wrt)
        var = sorted(set(wrt), key=sp.default_sort_key)
        index = tuple(var.index(w) for w in wrt)
        symbols = tuple(sorted(f.free_symbols | set(wrt), key=sp.default_sort_key))
        fn = lambdify_safe(symbols, f)
        exact_expr = sp.diff(f, *wrt)
        for point in draw_points(symbols, rng, n=n, assumptions=sized(claim.assumptions, combo)):
            def g(x, point=point):
                args = dict(point)
                for s, v in zip(var, np.atleast_1d(x)):
                    args[s] = v
                return fn(*[args[s] for s in symbols])
            exact = mp_value(exact_expr, point, 50)
            if exact is None:
                continue
            yield g, np.array([point[s] for s in var], float), index, complex(exact), is_analytic(f) and len(wrt) == 1


def _gradient_cases(claim: GradientClaim, rng: np.random.Generator, n: int):
    for combo in size_combinations(claim.sizes, claim.assumptions)[:2]:
        wrt = list(instantiate(claim.wrt, combo)) if isinstance(claim.wrt, sp.MatrixSymbol) else list(claim.wrt)
        f = instantiate(claim.function, combo)
        outputs = list(f) if isinstance(f, sp.MatrixBase) else [f]
        packed, _ = scalarize(sp.Tuple(sp.Tuple(*outputs), sp.Tuple(*wrt)))
        outs, ws = packed
        symbols = set(ws)
        for o in outs:
            symbols |= o.free_symbols
        symbols = tuple(sorted(symbols, key=sp.default_sort_key))
        for o in outs[:2]:
            fn = lambdify_safe(symbols, o)
            for point in draw_points(symbols, rng, n=max(1, n // 2), assumptions=sized(claim.assumptions, combo)):
                for j, w in enumerate(ws[:3]):
                    k = symbols.index(w)

                    def g(x, point=point, k=k):
                        args = [point[s] for s in symbols]
                        args[k] = x[0]
                        return fn(*args)
                    exact = mp_value(sp.diff(o, w), point, 50)
                    if exact is not None:
                        yield g, np.array([point[w]], float), (0,), complex(exact), is_analytic(o)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=6)
    parser.add_argument("--topic", default=None)
    args = parser.parse_args()
    rows = []
    worse = 0
    for f in formulas.CATALOG.values():
        if args.topic and not f.topic.lower().startswith(args.topic.lower()):
            continue
        for c in f.checks:
            claim = c.claim
            if isinstance(claim, DerivativeClaim):
                cases = _scalar_cases(claim, rng_for(0, f.id, c.name), args.points)
            elif isinstance(claim, GradientClaim):
                cases = _gradient_cases(claim, rng_for(0, f.id, c.name), args.points)
            else:
                continue
            ours, plain = [], []
            for g, x0, index, exact, analytic in cases:
                with np.errstate(all="ignore"):
                    est = complex(finite_diff.partial(g, x0, index, analytic=analytic).value)
                    scale = max(abs(exact), 1e-300)
                    ours.append(abs(est - exact) / scale)
                    if len(index) == 1:
                        h = 1e-6 * max(1.0, abs(x0[index[0]]))
                        e = np.eye(len(x0))[index[0]]
                        pl = (complex(g(x0 + h * e)) - complex(g(x0 - h * e))) / (2 * h)
                        plain.append(abs(pl - exact) / scale)
            ours = [e for e in ours if np.isfinite(e)]
            plain = [e for e in plain if np.isfinite(e)]
            if not ours:
                continue
            med_o, max_o = statistics.median(ours), max(ours)
            med_p = statistics.median(plain) if plain else float("nan")
            max_p = max(plain) if plain else float("nan")
            if plain and med_o > med_p:
                worse += 1
            rows.append((f"{f.id}/{c.name}", len(ours), med_o, max_o, med_p, max_p))
    print(f"{'claim':46s} {'n':>3s}  {'ours median':>11s} {'ours worst':>10s}  {'plain median':>12s} {'plain worst':>11s}")
    for name, n, a, b, c, d in rows:
        print(f"{name:46s} {n:3d}  {a:11.1e} {b:10.1e}  {c:12.1e} {d:11.1e}")
    all_ours = [r[2] for r in rows]
    print(f"\n{len(rows)} derivative claims; median of medians: ours {statistics.median(all_ours):.1e}, "
          f"plain {statistics.median([r[4] for r in rows if np.isfinite(r[4])]):.1e}; "
          f"claims where ours is worse than plain (median): {worse}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
