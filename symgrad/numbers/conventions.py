"""Conventions: how a value is picked from the subdifferential when a point lies on a kink.

``min-norm``, ``subdifferential``, ``left``, ``right`` and ``average`` are rules; ``pytorch``,
``jax`` and ``tensorflow`` read what those frameworks were measured to return (the table in
``symgrad/data/kinks``, see :mod:`symgrad.numbers.frameworks`).
"""

from __future__ import annotations

import enum

import sympy as sp

from symgrad.errors import ProblemError
from symgrad.numbers.frameworks import FILES, all_measured, measured

ZERO, ONE = sp.Integer(0), sp.Integer(1)


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


def min_norm_weight(place, slope_value) -> sp.Rational:
    """The min-norm ``t`` of a place; leaky_relu's depends on the value of its slope ``a``."""
    if place.min_norm is not None:
        return place.min_norm
    return ZERO if abs(slope_value) <= 1 else ONE


def from_measured(place, gradient: sp.Rational) -> sp.Rational:
    """A framework's measured gradient of the kinked function, read as the weight ``t``."""
    if place.measured_as == "leaky":
        return ONE if gradient == 1 else ZERO
    return gradient


def choose(place, conv: Convention, slope_value=None) -> tuple[sp.Rational | None, str]:
    """The ``t`` that ``conv`` picks on ``place`` (None: the whole interval), and a note."""
    if conv is Convention.SUBDIFFERENTIAL:
        return None, ""
    if conv is Convention.MIN_NORM:
        return min_norm_weight(place, slope_value), ""
    if conv is Convention.LEFT:
        return place.left, ""
    if conv is Convention.RIGHT:
        return place.right, ""
    if conv is Convention.AVERAGE:
        return (place.interval[0] + place.interval[1]) / 2, ""
    m = measured(place.function, conv.framework)
    if m is None:
        note = f"{conv.value} was not measured for {place.function}; min-norm is used"
        return min_norm_weight(place, slope_value), note
    return from_measured(place, m.gradient), f"{m.call} returns {m.gradient}"


def choose_tie(place, tied: list[int], conv: Convention) -> tuple[tuple | None, str]:
    """The weights ``conv`` gives the tied arms of max/min of three or more arguments.

    A subgradient at a tie is a convex combination of the tied arms' derivatives: weights
    >= 0 summing to 1, one per tied arm. Returns the weights in the order of ``tied`` (None:
    the whole set, under ``subdifferential``) and a note on how they were decided.
    """
    m = len(tied)
    even = tuple(sp.Rational(1, m) for _ in tied)
    if conv is Convention.SUBDIFFERENTIAL:
        return None, ""
    if conv is Convention.TENSORFLOW:  # tf.maximum/tf.minimum give a tie to the first argument
        return tuple(ONE if k == 0 else ZERO for k in range(m)), (
            "measured for two arguments (the tie goes to the first); extended to the first "
            "tied argument")
    if conv in (Convention.PYTORCH, Convention.JAX):
        return even, "measured for two arguments (the tie is split evenly); extended to an even split"
    if conv is Convention.AVERAGE:
        return even, ""
    # min-norm's local choice: all weight to constant arms (their derivative is 0), else even
    constant = [k for k, j in enumerate(tied) if not place.arms[j].free_symbols]
    note = ("left and right are one-sided in one argument; for a tie of three or more "
            "arguments min-norm is used") if conv in (Convention.LEFT, Convention.RIGHT) else ""
    if constant:
        return tuple(sp.Rational(1, len(constant)) if k in constant else ZERO
                     for k in range(m)), note
    return even, note


def framework_weights(place) -> tuple[tuple[str, str, str, sp.Rational], ...]:
    """What each measured framework picks on ``place``: (framework, version, call, t)."""
    return tuple((m.framework, m.version, m.call, from_measured(place, m.gradient))
                 for m in all_measured(place.function))


def compiled_kink_values(conv: Convention) -> tuple[float, float]:
    """``sign(0)`` and ``1[0 > 0]`` under ``conv``, for compiled (dataset) runs.

    Compiled code cannot tell which function produced an indicator, so ``relu``'s
    choice stands for every indicator (a ``max``/``min`` tie in float data is rare).
    """
    from symgrad.derivation.kinks import kink_places
    from symgrad.expr.functions import relu

    if conv is Convention.SUBDIFFERENTIAL:
        raise ProblemError("the subdifferential convention takes no step; with --data pick another")
    u = sp.Symbol("u", real=True)
    (abs_place,) = kink_places("", sp.Abs(u))
    (relu_place,) = kink_places("", relu(u))
    return float(choose(abs_place, conv)[0]), float(choose(relu_place, conv)[0])
