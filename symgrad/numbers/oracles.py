"""The verify stage: check a derivation against oracles that do not share its code.

- ``sympy.diff``: every local partial that the rules derived equals SymPy's derivative of
  the same quantity, and (when the loss written out in the inputs is small enough to
  handle) the whole gradient equals ``sympy.diff`` of that written-out loss. Equality is
  decided at seeded random points, negative values included, in floats.
- Central finite differences of the forward pass at the point, when a point is given and
  it is not on a kink (the values carry 30 digits, so ``h = 1e-10`` is safe).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import sympy as sp

from symgrad.derivation.chain import full_loss
from symgrad.derivation.record import Derivation
from symgrad.expr.algebra import evaluated
from symgrad.expr.functions import to_elementary
from symgrad.numbers.floats import fvals
from symgrad.numbers.values import Evaluator

#: Largest written-out loss (tree nodes) compared with sympy.diff as a whole.
MAX_EXPANDED = 4000
_SEED = 20261126
_POINTS = 24
_H = sp.Rational(1, 10**10)


@dataclass(frozen=True)
class Verification:
    """How one gradient was checked against independent oracles."""

    param: str
    sympy: bool
    finite_difference: bool | None
    note: str


def _normal(expr: sp.Basic) -> sp.Basic:
    """Heaviside(u, h0) and Heaviside(u) differ only at u = 0: compare them as one."""
    return expr.replace(lambda e: isinstance(e, sp.Heaviside), lambda e: sp.Heaviside(e.args[0]))


def _tree_size(expr: sp.Basic) -> int:
    """Nodes of ``expr`` as a tree (shared sub-expressions counted each time), in linear time."""
    memo: dict = {}
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in memo:
            continue
        if ready or not node.args:
            memo[node] = 1 + sum(memo[a] for a in node.args)
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in memo)
    return memo[expr]


def same_function(a: sp.Basic, b: sp.Basic, symbols, seed: int = _SEED) -> bool:
    """Equal as functions: identical trees, or equal (1e-9 relative) at seeded random points.

    At least three points must lie inside both domains; ``sympy.simplify`` is not used (on
    nested chains it can run for minutes, and a difference shows at random points anyway).
    """
    a, b = _normal(a), _normal(b)
    if a == b:
        return True
    rng = random.Random(seed)
    symbols = sorted(set(symbols) | a.free_symbols | b.free_symbols, key=lambda s: s.name)
    for spread in (3.0, 1.0):  # the second round helps domains like 0 < p < 1
        env = {s: [round(rng.uniform(-spread, spread), 4) or 0.5 for _ in range(_POINTS)]
               for s in symbols}
        try:
            va, vb = fvals(a, env, _POINTS), fvals(b, env, _POINTS)
        except (TypeError, ValueError, RecursionError):
            return False
        both = [(x, y) for x, y in zip(va, vb) if not (math.isnan(x) or math.isnan(y))]
        if any(abs(x - y) > 1e-9 * max(1.0, abs(x), abs(y)) for x, y in both):
            return False
        if len(both) >= 3:
            return True
    return False


def _locals_agree(d: Derivation) -> list[str]:
    """Local partials whose rule-by-rule result differs from sympy.diff (empty: all agree)."""
    bad = []
    for q in d.problem.quantities:
        definition = to_elementary(evaluated(q.expr))
        for part in (p for p in d.partials if p.quantity == q.name):
            s = sp.Symbol(part.symbol, real=True)
            ours = to_elementary(evaluated(part.after))
            if not same_function(ours, sp.diff(definition, s), definition.free_symbols):
                bad.append(f"d{q.name}/d{part.symbol}")
    return bad


def _forward_loss(d: Derivation, point: dict) -> sp.Basic:
    env = {sp.Symbol(k, real=True): v for k, v in point.items()}
    ev = Evaluator(env)
    for q in d.problem.quantities:
        env[q.symbol] = ev(q.expr)
    return env[sp.Symbol(d.problem.loss, real=True)]


def verify(d: Derivation, numbers=None) -> tuple[Verification, ...]:
    """Check every gradient of ``d`` (and its value in ``numbers``, if given)."""
    p = d.problem
    bad_locals = _locals_agree(d)
    full = expanded = None
    out = []
    for g in d.gradients:
        sympy_ok = not bad_locals
        how = "each local derivative equals sympy.diff"
        if bad_locals:
            how = f"DIFFERS from sympy.diff in {', '.join(bad_locals)}"
        elif g.expr is not None:
            if full is None:
                full, expanded = full_loss(p)
            if _tree_size(full) <= MAX_EXPANDED:
                inputs = [sp.Symbol(n, real=True) for n in p.inputs]
                oracle = sp.diff(to_elementary(full), sp.Symbol(g.param, real=True))
                ours = to_elementary(evaluated(g.expr).xreplace(expanded))
                sympy_ok = same_function(ours, oracle, inputs)
                how = "equals sympy.diff" if sympy_ok else "DIFFERS from sympy.diff"
        out.append(_with_fd(d, g.param, numbers, sympy_ok, how))
    return tuple(out)


def _with_fd(d: Derivation, param: str, numbers, sympy_ok: bool, how: str) -> Verification:
    if numbers is None:
        return Verification(param, sympy_ok, None, f"{how}; no point, so no finite difference")
    if numbers.kinks:
        where = ", ".join(f"{k.function} in {k.quantity}" for k in numbers.kinks)
        return Verification(param, sympy_ok, None,
                            f"{how}; finite differences skipped: the point is on a kink ({where})")
    point = dict(numbers.inputs)
    value = dict(numbers.gradient)[param]
    try:
        plus = _forward_loss(d, {**point, param: point[param] + _H})
        minus = _forward_loss(d, {**point, param: point[param] - _H})
    except Exception:  # noqa: BLE001 - a neighbour outside the domain: no evidence
        return Verification(param, sympy_ok, None, f"{how}; the finite difference is undefined here")
    fd = (plus - minus) / (2 * _H)
    ok = bool(abs(fd - value) <= sp.Float("1e-8") * abs(value) + sp.Float("1e-12"))
    agrees = "agrees with" if ok else "DISAGREES with"
    return Verification(param, sympy_ok, ok,
                        f"{how}; {agrees} the central difference (h = 1e-10): {float(fd):.10g}")
