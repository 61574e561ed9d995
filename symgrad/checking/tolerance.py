"""How far a number written in a hand derivation may be from the true value.

A rounded number may be half a unit from the truth in its last written place, plus the
rounding it carries from earlier rounded lines; an exact number must be exact.
"""

from __future__ import annotations

from symgrad.checking.handbase import Part

#: The relative error a rounded number may carry from the rounded numbers it was computed
#: from on earlier lines (0.4502 * (1 - 0.4502) = 0.2475, then -0.5498 * 0.2475 = -0.1360).
CARRIED = 5e-4


def value_tolerance(part: Part | None, size: float) -> float:
    """How far a number written in a line may be from the true value ``size`` in magnitude:
    half a unit in its last written place (``2.5`` is 2.45 to 2.55, ``≈ 3`` is 2.5 to 3.5)
    plus the rounding carried from earlier lines; an exact number must be exact."""
    if part is not None and part.decimals:
        return 0.5 * 10.0 ** -part.decimals + CARRIED * size
    if part is not None and part.separator == "~=":
        return 0.5 + CARRIED * size
    return 1e-12 * max(1.0, size)


def _tolerance(part: Part) -> float:
    """The relative tolerance of a line compared with the truth over the sampled points."""
    if part.decimals:  # rounded: the last place, or the rounding carried from earlier lines
        return max(10.0 ** -part.decimals, 0.002)
    if part.separator == "~=":
        return 0.05
    return 1e-8
