"""Discontinuities at a point: is the point on one (``sign(u)``, ``heaviside(u)`` at ``u = 0``,
``where(a < b, p, q)`` at ``a = b`` with differing pieces), and does moving a differentiated
parameter a little change what it selects? The evaluate stage (:mod:`symgrad.numbers.point`)
reports a jump, and takes no derivative there, only when both hold."""

from __future__ import annotations

import sympy as sp

from symgrad.errors import ProblemError
from symgrad.numbers.values import PRECISION, Evaluator

#: How close to 0 a rounded argument counts as on its kink or jump.
ON_KINK = sp.Float(f"1e-{PRECISION - 5}", PRECISION)


def on_jump(ev: Evaluator, place, continuous: bool = False) -> bool:
    """True when the point is exactly on a discontinuity (where: and the pieces differ);
    with ``continuous``, on a where() boundary whose pieces agree."""
    v = ev(place.argument)
    if v.free_symbols or not (v == 0 or (isinstance(v, sp.Float) and abs(v) < ON_KINK)):
        return False
    if place.function != "where":
        return True
    try:
        a, b = (ev(piece) for piece in place.pieces)
    except ProblemError:
        return not continuous  # a piece undefined at the boundary: no derivative either
    return (a == b) if continuous else (a != b)


_HOLDS = {sp.StrictGreaterThan: lambda s: s > 0, sp.GreaterThan: lambda s: s >= 0,
          sp.StrictLessThan: lambda s: s < 0, sp.LessThan: lambda s: s <= 0,
          sp.Equality: lambda s: s == 0, sp.Unequality: lambda s: s != 0}


def _side(ev: Evaluator, place) -> object:
    """What a discontinuity selects at ev's point: the sign of its argument (-1, 0 or 1, zero
    within ON_KINK), or for where() whether its condition holds."""
    v = ev(place.argument)
    if v.free_symbols:
        return None
    s = 0 if v == 0 or abs(v) < ON_KINK else (1 if v > 0 else -1)
    if place.function != "where":
        return s
    cond = place.expr.args[0][1]
    holds = _HOLDS.get(type(cond))
    return s if holds is None else holds(s)


def changes_nearby(d, point: dict, ev: Evaluator, place, describe=None) -> bool:
    """Whether moving one differentiated parameter a little changes what the discontinuity
    selects. ``where(yhat > |yhat|, p, q)`` at yhat = 3 is on its boundary, yet the condition
    is false on both sides: q throughout, no jump (fuzz seed 7,015,259)."""
    here = _side(ev, place)
    for name in d.problem.wrt:
        value = point.get(name)
        if value is None or not value.is_number:
            return True
        step = sp.Rational(1, 10**6) * max(sp.Integer(1), abs(value))
        for moved in (value + step, value - step):
            env = {sp.Symbol(k, real=True): (moved if k == name else v) for k, v in point.items()}
            near = Evaluator(env, describe)
            try:
                for q in d.problem.quantities:
                    env[q.symbol] = near(q.expr)
                if _side(near, place) != here:
                    return True
            except (ProblemError, ArithmeticError, TypeError, ValueError):
                return True  # undefined beside the point: no derivative there either
    return False
