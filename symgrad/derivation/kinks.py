"""Kinks: where |u|, relu, max and min are not differentiable, and the conventions that pick a value.

A kink's *local factor* is what the rules put in a derivative for the kinked function
(``sign(u)`` for ``|u|``, ``1[u > 0]`` for ``relu(u)``, ``1[a - b > 0]`` for ``max(a, b)``).
On the kink that factor is not a number but a weight ``t`` ranging over the
subdifferential; a convention picks ``t``. Each kinked function has one handler in
``HANDLERS``; adding a function is adding a handler.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from symgrad.expr.algebra import evaluated, tidy
from symgrad.errors import ProblemError
from symgrad.numbers.frameworks import FILES, all_measured, measured
from symgrad.expr.functions import below_above, clamp, hardtanh, leaky_relu, maximum, minimum, relu


class Convention(enum.Enum):
    """How a value is picked from the subdifferential at a kink."""

    MIN_NORM = "min-norm"
    SUBDIFFERENTIAL = "subdifferential"
    LEFT = "left"
    RIGHT = "right"
    AVERAGE = "average"
    PYTORCH = "pytorch"
    JAX = "jax"
    TENSORFLOW = "tensorflow"

    @classmethod
    def parse(cls, name: str) -> "Convention":
        for c in cls:
            if c.value == name:
                return c
        known = ", ".join(c.value for c in cls)
        raise ProblemError(f"unknown convention {name!r} (known: {known})")

    @property
    def framework(self) -> str | None:
        return self.value if self.value in FILES else None


CONVENTION_TEXT = {
    Convention.MIN_NORM: "the element of the subdifferential with the smallest magnitude",
    Convention.SUBDIFFERENTIAL: "report the whole interval; no single value is chosen and no update is taken",
    Convention.LEFT: "the one-sided derivative from the left (argument just below the kink)",
    Convention.RIGHT: "the one-sided derivative from the right (argument just above the kink)",
    Convention.AVERAGE: "the midpoint of the subdifferential (the average of the one-sided derivatives)",
    Convention.PYTORCH: "what PyTorch 2.13.0 (CPU) returns for the function as written (measured)",
    Convention.JAX: "what JAX 0.10.2 returns for the function as written (measured)",
    Convention.TENSORFLOW: "what TensorFlow 2.21.0 returns for the function as written (measured)",
}


@dataclass(frozen=True)
class Kink:
    """A kinked function whose argument sits exactly on its kink at the point.

    Attributes:
        quantity: the named quantity whose expression holds the function.
        function: ``abs``, ``relu``, ``max`` or ``min``.
        expr: the kinked sub-expression as written, e.g. ``|y - yhat|``.
        argument: the expression that is zero at the kink (``u``, or ``a - b`` for a tie).
        local: the local factors the rules produce, each with +1 (it stands for ``t``)
            or -1 (it stands for ``1 - t``).
        interval: the range of ``t`` (the subdifferential of the local factor).
        chosen: the ``t`` the convention picks (None under ``subdifferential``).
        frameworks: what each measured framework returns, as ``(framework, version, call, t)``.
        note: how the convention decided (e.g. a framework that was not measured).
    """

    quantity: str
    function: str
    expr: sp.Basic
    argument: sp.Basic
    local: tuple[tuple[sp.Basic, int], ...]
    interval: tuple[sp.Rational, sp.Rational]
    chosen: sp.Rational | None
    convention: Convention
    frameworks: tuple[tuple[str, str, str, sp.Rational], ...] = ()
    note: str = ""
    min_norm: sp.Rational = sp.Integer(0)


@dataclass(frozen=True)
class _Site:
    """A kinked function on its kink, before a convention is applied."""

    function: str
    argument: sp.Basic
    local: tuple[tuple[sp.Basic, int], ...]
    interval: tuple[sp.Rational, sp.Rational]
    min_norm: sp.Rational
    left: sp.Rational
    right: sp.Rational
    from_measured: Callable[[sp.Rational], sp.Rational] = lambda g: g


ZERO, HALF, ONE = sp.Integer(0), sp.Rational(1, 2), sp.Integer(1)


def _value(expr: sp.Basic, point: dict) -> sp.Basic:
    return evaluated(expr).xreplace(point)


def _heaviside(u: sp.Basic) -> sp.Basic:
    return sp.Heaviside(u, evaluate=False)


def _difference(a: sp.Basic, b: sp.Basic) -> sp.Basic:
    return tidy(sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False))


def _abs_site(node, point):
    (u,) = node.args
    if _value(u, point) != 0:
        return None
    return _Site("abs", u, ((sp.sign(tidy(u), evaluate=False), 1),), (-ONE, ONE), ZERO, -ONE, ONE)


def _relu_site(node, point):
    (u,) = node.args
    if _value(u, point) != 0:
        return None
    return _Site("relu", u, ((_heaviside(tidy(u)), 1),), (ZERO, ONE), ZERO, ZERO, ONE)


def _extremum_site(node, point):
    if len(node.args) != 2:
        return None
    a, b = node.args
    if _value(a, point) != _value(b, point):
        return None
    is_max = isinstance(node, (sp.Max, maximum))
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
    return _Site("max" if is_max else "min", argument, local, (ZERO, ONE), min_norm, left, right)


def _leaky_site(node, point):
    u, a = node.args
    if _value(u, point) != 0:
        return None
    # the derivative is a + (1 - a) t with t = 1[u > 0]; measured: PyTorch gives the
    # negative slope a (t = 0), JAX gives 1 (t = 1)
    slope = _value(a, point)
    min_norm = ZERO if abs(slope) <= 1 else ONE
    return _Site("leaky_relu", u, ((_heaviside(tidy(u)), 1),), (ZERO, ONE), min_norm, ZERO, ONE,
                 lambda g: ONE if g == 1 else ZERO)


def _clamp_site(node, point):
    u, lo, hi = node.args if isinstance(node, clamp) else (node.args[0], -ONE, ONE)
    above, below = below_above(u, lo, hi)
    uv = _value(u, point)
    # the factor that is on its kink is t; the other one is 1 there
    if uv == _value(lo, point):
        factor, left, right = above, ZERO, ONE  # just below lo the clamp is flat
    elif uv == _value(hi, point):
        factor, left, right = below, ONE, ZERO  # just above hi the clamp is flat
    else:
        return None
    name = "clamp" if isinstance(node, clamp) else "hardtanh"
    return _Site(name, _difference(u, lo if factor is above else hi), ((factor, 1),),
                 (ZERO, ONE), ZERO, left, right)


#: kinked function class -> handler returning a _Site when the node is on its kink
HANDLERS: dict[type, Callable] = {
    sp.Abs: _abs_site,
    relu: _relu_site,
    sp.Max: _extremum_site,
    sp.Min: _extremum_site,
    maximum: _extremum_site,
    minimum: _extremum_site,
    leaky_relu: _leaky_site,
    clamp: _clamp_site,
    hardtanh: _clamp_site,
}


def _choose(site: _Site, conv: Convention) -> tuple[sp.Rational | None, str]:
    if conv is Convention.SUBDIFFERENTIAL:
        return None, ""
    if conv is Convention.MIN_NORM:
        return site.min_norm, ""
    if conv is Convention.LEFT:
        return site.left, ""
    if conv is Convention.RIGHT:
        return site.right, ""
    if conv is Convention.AVERAGE:
        return (site.interval[0] + site.interval[1]) / 2, ""
    m = measured(site.function, conv.framework)
    if m is None:
        return site.min_norm, f"{conv.value} was not measured for {site.function}; min-norm is used"
    return site.from_measured(m.gradient), f"{m.call} returns {m.gradient}"


def find_kinks(
    quantity: str, expr: sp.Basic, point: dict[sp.Symbol, sp.Basic], conv: Convention
) -> list[Kink]:
    """Every kinked sub-expression of ``expr`` whose argument is exactly on its kink at ``point``."""
    found = []
    for node in sp.preorder_traversal(expr):
        handler = next((h for cls, h in HANDLERS.items() if isinstance(node, cls)), None)
        site = handler(node, point) if handler else None
        if site is None:
            continue
        chosen, note = _choose(site, conv)
        frameworks = tuple(
            (m.framework, m.version, m.call, site.from_measured(m.gradient))
            for m in all_measured(site.function)
        )
        found.append(Kink(quantity, site.function, node, site.argument, site.local,
                          site.interval, chosen, conv, frameworks, note, site.min_norm))
    return found


def weight_replacements(kinks: list[Kink], weights: list[sp.Basic]) -> dict:
    """Map each kink's local derivative factors to its weight (``t`` or ``1 - t``)."""
    repl = {}
    for kink, t in zip(kinks, weights):
        for factor, sign in kink.local:
            repl[factor] = t if sign == 1 else 1 - t
    return repl


def compiled_kink_values(conv: Convention) -> tuple[float, float]:
    """``sign(0)`` and ``1[0 > 0]`` under ``conv``, for compiled (dataset) runs.

    Compiled code cannot tell which function produced an indicator, so ``relu``'s
    choice stands for every indicator (a ``max``/``min`` tie in float data is rare).
    """
    if conv is Convention.SUBDIFFERENTIAL:
        raise ProblemError("the subdifferential convention takes no step; with --data pick another")
    u = sp.Symbol("u", real=True)
    point = {u: sp.Integer(0)}
    abs_t, _ = _choose(_abs_site(sp.Abs(u), point), conv)
    relu_t, _ = _choose(_relu_site(relu(u), point), conv)
    return float(abs_t), float(relu_t)
