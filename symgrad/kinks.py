"""Kinks: where |u|, relu, max and min are not differentiable, and the conventions that pick a value."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sympy as sp

from symgrad.algebra import evaluated, tidy
from symgrad.errors import ProblemError
from symgrad.functions import relu


class Convention(enum.Enum):
    """How a value is picked from the subdifferential at a kink."""

    MIN_NORM = "min-norm"
    SUBDIFFERENTIAL = "subdifferential"
    LEFT = "left"
    RIGHT = "right"

    @classmethod
    def parse(cls, name: str) -> "Convention":
        for c in cls:
            if c.value == name:
                return c
        known = ", ".join(c.value for c in cls)
        raise ProblemError(f"unknown convention {name!r} (known: {known})")


CONVENTION_TEXT = {
    Convention.MIN_NORM: "the element of the subdifferential with the smallest magnitude",
    Convention.SUBDIFFERENTIAL: "report the whole interval; no single value is chosen and no update is taken",
    Convention.LEFT: "the one-sided derivative from the left (argument just below the kink)",
    Convention.RIGHT: "the one-sided derivative from the right (argument just above the kink)",
}


@dataclass(frozen=True)
class Kink:
    """A kinked function whose argument sits exactly on its kink at the point.

    Attributes:
        quantity: the named quantity whose expression holds the function.
        function: ``abs``, ``relu``, ``max`` or ``min``.
        expr: the kinked sub-expression as written, e.g. ``|y - yhat|``.
        argument: the expression that is zero at the kink (``u``, or ``a - b`` for a tie).
        local: the local derivative factor the rules produce (``sign(u)``, ``1[u > 0]``),
            mapped to the weight it stands for; for max/min two factors, the first
            argument's weight ``t`` and the second's ``1 - t``.
        interval: the subdifferential of the local factor, ``(lo, hi)``.
        chosen: the value the convention picks (None under ``subdifferential``).
    """

    quantity: str
    function: str
    expr: sp.Basic
    argument: sp.Basic
    local: tuple[tuple[sp.Basic, int], ...]
    interval: tuple[sp.Rational, sp.Rational]
    chosen: sp.Rational | None
    convention: Convention


def _pick(function: str, has_constant_arm: bool, conv: Convention) -> sp.Rational | None:
    half, one, zero = sp.Rational(1, 2), sp.Integer(1), sp.Integer(0)
    if conv is Convention.SUBDIFFERENTIAL:
        return None
    table = {
        # function: (min-norm, left, right) of the local factor
        "abs": (zero, -one, one),
        "relu": (zero, zero, one),
        # weight of the first argument; "left" means first - second just below 0
        "max": (zero if has_constant_arm else half, zero, one),
        "min": (zero if has_constant_arm else half, one, zero),
    }
    min_norm, left, right = table[function]
    return {Convention.MIN_NORM: min_norm, Convention.LEFT: left, Convention.RIGHT: right}[conv]


def _value(expr: sp.Basic, point: dict) -> sp.Basic:
    return evaluated(expr).xreplace(point)


def find_kinks(
    quantity: str, expr: sp.Basic, point: dict[sp.Symbol, sp.Basic], conv: Convention
) -> list[Kink]:
    """Every kinked sub-expression of ``expr`` whose argument is exactly on its kink at ``point``."""
    found = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, relu)):
            (u,) = node.args
            if _value(u, point) == 0:
                name = "abs" if isinstance(node, sp.Abs) else "relu"
                factor = sp.sign(u, evaluate=False) if name == "abs" else sp.Heaviside(u, evaluate=False)
                lo = sp.Integer(-1) if name == "abs" else sp.Integer(0)
                found.append(
                    Kink(quantity, name, node, u, ((factor, 1),), (lo, sp.Integer(1)),
                         _pick(name, False, conv), conv)
                )
        elif isinstance(node, (sp.Max, sp.Min)) and len(node.args) == 2:
            a, b = node.args
            if _value(a, point) == _value(b, point):
                name = "max" if isinstance(node, sp.Max) else "min"
                a_minus_b = tidy(sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False))
                b_minus_a = tidy(sp.Add(b, sp.Mul(-1, a, evaluate=False), evaluate=False))
                first, second = (a_minus_b, b_minus_a) if name == "max" else (b_minus_a, a_minus_b)
                local = ((sp.Heaviside(first, evaluate=False), 1), (sp.Heaviside(second, evaluate=False), -1))
                const_arm = not a.free_symbols or not b.free_symbols
                found.append(
                    Kink(quantity, name, node, a_minus_b, local, (sp.Integer(0), sp.Integer(1)),
                         _pick(name, const_arm, conv), conv)
                )
    return found


def weight_replacements(kinks: list[Kink], weights: list[sp.Basic]) -> dict:
    """Map each kink's local derivative factors to its weight (``t`` or ``1 - t``)."""
    repl = {}
    for kink, t in zip(kinks, weights):
        for factor, sign in kink.local:
            repl[factor] = t if sign == 1 else 1 - t
    return repl
