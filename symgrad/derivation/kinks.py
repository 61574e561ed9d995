"""Kinks as places: where |u|, relu, max, min, leaky_relu and clamp are not differentiable.

A kink is found symbolically, with no point: ``|y - yhat|`` has one where ``y - yhat = 0``.
Its *local factor* is what the rules put in a derivative for the kinked function
(``sign(u)`` for ``|u|``, ``1[u > 0]`` for ``relu(u)``, ``1[a - b > 0]`` for ``max(a, b)``);
on the kink that factor is not a number but a weight ``t`` ranging over the
subdifferential. The numbers stage decides whether a point lies on a place and lets a
convention pick ``t``. Each kinked function has one handler in ``HANDLERS``; adding a
function is adding a handler.
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from symgrad.expr.algebra import tidy
from symgrad.expr.functions import below_above, clamp, hardtanh, leaky_relu, maximum, minimum, relu
from symgrad.records import record

ZERO, HALF, ONE = sp.Integer(0), sp.Rational(1, 2), sp.Integer(1)


@record
class KinkPlace:
    """A kinked sub-expression and the place where it is not differentiable.

    Attributes:
        quantity: the named quantity whose expression holds the function.
        function: ``abs``, ``relu``, ``max``, ``min``, ``leaky_relu``, ``clamp`` or ``hardtanh``.
        expr: the kinked sub-expression as written, e.g. ``|y - yhat|``.
        argument: the expression that is zero on the kink (``u``, or ``a - b`` for a tie).
        local: the local factors the rules produce, each with +1 (it stands for ``t``)
            or -1 (it stands for ``1 - t``).
        interval: the range of ``t`` (the subdifferential of the local factor).
        min_norm: the ``t`` of smallest slope (None: it depends on ``slope``'s value).
        left, right: the ``t`` of the one-sided derivatives (argument just below / above 0).
        slope: leaky_relu's negative slope ``a`` (else None).
        measured_as: how a framework's measured gradient maps to ``t`` (``"t"`` or ``"leaky"``).
    """

    quantity: str
    function: str
    expr: sp.Basic
    argument: sp.Basic
    local: tuple[tuple[sp.Basic, int], ...]
    interval: tuple[sp.Rational, sp.Rational]
    min_norm: sp.Rational | None
    left: sp.Rational
    right: sp.Rational
    slope: sp.Basic | None = None
    measured_as: str = "t"
    arms: tuple = ()  # max/min of three or more arguments: a tie of any two or more of them

    @property
    def is_tie(self) -> bool:
        """True for max/min of three or more arguments: the weights live on a simplex."""
        return bool(self.arms)

    @property
    def factor(self) -> sp.Basic:
        """The first local factor (the one that stands for ``t``)."""
        return self.local[0][0]


def _heaviside(u: sp.Basic) -> sp.Basic:
    return sp.Heaviside(u, evaluate=False)


def _difference(a: sp.Basic, b: sp.Basic) -> sp.Basic:
    return tidy(sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False))


def _abs_places(q, node):
    (u,) = node.args
    return [KinkPlace(q, "abs", node, u, ((sp.sign(tidy(u), evaluate=False), 1),), (-ONE, ONE),
                      ZERO, -ONE, ONE)]


def _relu_places(q, node):
    (u,) = node.args
    return [KinkPlace(q, "relu", node, u, ((_heaviside(tidy(u)), 1),), (ZERO, ONE), ZERO, ZERO, ONE)]


def _extremum_places(q, node):
    from symgrad.derivation.rules import distinct_arguments, extremum_factors

    is_max = isinstance(node, (sp.Max, maximum))
    args = distinct_arguments(node)  # min(u, y, u): u never ties with itself
    if len(args) < 2:
        return []
    if len(args) > 2:  # a tie of any two or more arms: one weight per arm, summing to 1
        local = tuple((f, j) for j, f in enumerate(extremum_factors(node)))
        return [KinkPlace(q, "max" if is_max else "min", node, node, local, (ZERO, ONE), None,
                          ZERO, ONE, arms=tuple(args))]
    a, b = args
    a_minus_b, b_minus_a = _difference(a, b), _difference(b, a)
    first, second = (a_minus_b, b_minus_a) if is_max else (b_minus_a, a_minus_b)
    local = ((_heaviside(first), 1), (_heaviside(second), -1))
    # t is the first argument's weight; min-norm gives a constant arm all the weight
    # (the variable arm's derivative then vanishes), else splits the tie evenly
    min_norm = ONE if not a.free_symbols else ZERO if not b.free_symbols else HALF
    # The kink's argument: the variable arm minus a constant arm (so max(0, u) reads like
    # relu(u)), else first minus second. "left" means that argument just below 0.
    if not a.free_symbols:
        argument, first_wins_left = b_minus_a, is_max  # b < a: max picks a, min picks b
    else:
        argument, first_wins_left = a_minus_b, not is_max  # a < b: min picks a, max picks b
    left, right = (ONE, ZERO) if first_wins_left else (ZERO, ONE)
    return [KinkPlace(q, "max" if is_max else "min", node, argument, local, (ZERO, ONE), min_norm,
                      left, right)]


def _leaky_places(q, node):
    u, a = node.args
    # the derivative is a + (1 - a) t with t = 1[u > 0]; min-norm depends on |a| (a number
    # only at a point); measured: PyTorch gives the negative slope a (t = 0), JAX gives 1
    return [KinkPlace(q, "leaky_relu", node, u, ((_heaviside(tidy(u)), 1),), (ZERO, ONE), None,
                      ZERO, ONE, slope=a, measured_as="leaky")]


def _clamp_places(q, node):
    u, lo, hi = node.args if isinstance(node, clamp) else (node.args[0], -ONE, ONE)
    lo, hi = (sp.Integer(v) if isinstance(v, int) else v for v in (lo, hi))
    above, below = below_above(u, lo, hi)
    name = "clamp" if isinstance(node, clamp) else "hardtanh"
    # the factor that is on its kink is t; the other one is 1 there. Just below lo and
    # just above hi the clamp is flat.
    return [
        KinkPlace(q, name, node, _difference(u, lo), ((above, 1),), (ZERO, ONE), ZERO, ZERO, ONE),
        KinkPlace(q, name, node, _difference(u, hi), ((below, 1),), (ZERO, ONE), ZERO, ONE, ZERO),
    ]


#: kinked function class -> handler returning its places
HANDLERS: dict[type, Callable] = {
    sp.Abs: _abs_places,
    relu: _relu_places,
    sp.Max: _extremum_places,
    sp.Min: _extremum_places,
    maximum: _extremum_places,
    minimum: _extremum_places,
    leaky_relu: _leaky_places,
    clamp: _clamp_places,
    hardtanh: _clamp_places,
}


def kink_places(quantity: str, expr: sp.Basic) -> list[KinkPlace]:
    """Every place in ``expr`` where a kinked function is not differentiable, in written order."""
    found: list[KinkPlace] = []
    seen = set()
    for node in sp.preorder_traversal(expr):
        if node in seen:
            continue
        handler = next((h for cls, h in HANDLERS.items() if isinstance(node, cls)), None)
        if handler is not None:
            seen.add(node)
            found.extend(handler(quantity, node))
    return found


@record
class JumpPlace:
    """A discontinuity as written: ``sign(u)`` and ``heaviside(u)`` at ``u = 0``, or
    ``where(a < b, p, q)`` at ``a = b`` when the two pieces differ there. No derivative and
    no subgradient exist on it."""

    quantity: str
    function: str
    expr: sp.Basic
    argument: sp.Basic
    pieces: tuple[sp.Basic, ...] = ()  # for where: the two pieces, compared at the point


def jump_places(quantity: str, expr: sp.Basic) -> list[JumpPlace]:
    """Every discontinuous sub-expression of ``expr`` (as written by the author)."""
    found = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.sign):
            found.append(JumpPlace(quantity, "sign", node, node.args[0]))
        elif isinstance(node, sp.Heaviside):
            found.append(JumpPlace(quantity, "heaviside", node, node.args[0]))
        elif isinstance(node, sp.Piecewise) and len(node.args) == 2:
            (a, cond), (b, _) = node.args
            if isinstance(cond, sp.core.relational.Relational):
                found.append(JumpPlace(quantity, "where", node, _difference(cond.lhs, cond.rhs), (a, b)))
    return found


def kink_symbol(taken) -> sp.Symbol:
    """The name of a kink's weight in displayed formulas: ``t``, unless the problem uses it."""
    for name in ("t", "s", "tau", "kappa"):
        if name not in taken:
            return sp.Symbol(name, real=True)
    return sp.Symbol("t_kink", real=True)


def weight_replacements(places, weights) -> dict:
    """Map each place's local derivative factors to its weight (``t`` or ``1 - t``)."""
    repl = {}
    for place, t in zip(places, weights):
        for factor, sign in place.local:
            repl[factor] = t if sign == 1 else 1 - t
    return repl
