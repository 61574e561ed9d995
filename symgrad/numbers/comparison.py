"""Comparison rows: the same problem with another loss and/or other values, side by side.

The built-in L1 example closes with the L2 gradient at the same point and both gradients
at an outlier. Each row reuses the cached symbolic derivation of its loss and runs only the
forward and backward pass at the row's point (a row shows no step's numbers).
"""

from __future__ import annotations

import sympy as sp

from symgrad.derivation.chain import derive
from symgrad.numbers.point import gradient_at, point_of
from symgrad.records import record, replace


@record
class ComparisonRow:
    """One row: its label, the values that differ, the loss and the gradient there."""

    label: str
    values: tuple[tuple[str, sp.Basic], ...]
    loss: sp.Basic
    gradient: tuple[tuple[str, sp.Basic | None], ...]


def compare(problem) -> tuple[ComparisonRow, ...]:
    """The problem's comparison rows (empty when it has no variants or no point)."""
    if not problem.variants or not problem.values:
        return ()
    shown = [k for k, _ in problem.values if any(k in dict(v.values) for v in problem.variants)]
    rows = []
    for variant in problem.variants:
        quantities = tuple(
            variant.loss if variant.loss and q.name == variant.loss.name else q
            for q in problem.quantities
        )
        values = {**dict(problem.values), **dict(variant.values)}
        sub = replace(problem, quantities=quantities, values=tuple(values.items()), variants=(), steps=1)
        d = derive(sub)
        loss, grads = gradient_at(d, point_of(d), sub.convention)
        point = tuple((k, values[k]) for k in shown)
        rows.append(ComparisonRow(variant.label, point, loss, tuple(zip(sub.wrt, grads))))
    return tuple(rows)
