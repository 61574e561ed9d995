"""The template context of sums over examples and dataset runs (a part of the context builder).

The linearity-of-the-sum step of a reduction, the per-row table, the reduced numbers and
the sampled trajectory of a dataset run, as plain data for the templates.
"""

from __future__ import annotations

from symgrad.expr.placeholders import Leibniz
from symgrad.rendering.display import Math
from symgrad.rendering.display import math_of as _m
from symgrad.rendering.display import symbol_of as _sym

#: Rows and trajectory steps shown in documents (JSON has them all).
SHOWN_ROWS = 10
SHOWN_STEPS = 12


def _sampled(items: list, keep: int) -> list:
    """At most ``keep`` items: the first ones, then evenly spaced, always the last."""
    if len(items) <= keep:
        return items
    stride = (len(items) - 1) / (keep - 1)
    return [items[round(i * stride)] for i in range(keep)]


class DataSections:
    """Mixin of the context builder: needs ``self.d``, ``self.p``, ``self.num``, ``self.loss``
    and ``self.sentence``."""

    def reduction(self) -> dict | None:
        red = self.p.reduction
        if red is None or not self.d.reduced:
            return None
        total = _sym(red.total)
        index = _sym(red.index)
        from symgrad.expr.sums import example_sum

        per = _sym(red.per_example if red.indexed else f"{red.per_example}_{red.index}")
        gradients = []
        for param, step in self.d.reduced:
            gradients.append({
                "lhs": _m(Leibniz(total, _sym(param), partial=False)),
                "parts": [_m(step.middle)] + ([] if step.after == step.middle else [_m(step.after)]),
                "sentence": self.sentence(step),
            })
        run = self.d.data_run
        return {
            "total": _m(total), "kind": red.kind, "index": _m(index), "per_example": _m(per),
            "definition": _m(example_sum(per, index, red.kind == "mean")),
            "gradients": gradients,
            "numbers": None if run is None else {
                "loss": self._float(run.loss),
                "gradient": [self._float(v) for v in run.gradient]},
        }

    def _float(self, v: float) -> Math:
        return self.num.math(v)

    def data(self) -> dict | None:
        run = self.d.data_run
        if run is None:
            return None
        n = len(run.dataset.rows)
        f = self._float
        rows = [{"index": r.index + 1, "cells": [f(v) for v in r.values], "loss": f(r.loss),
                 "gradient": [f(g) for g in r.gradient]} for r in run.rows[:SHOWN_ROWS]]
        steps = [{"step": k, "loss": f(lv), "params": [f(v) for v in th]}
                 for k, lv, th in _sampled(list(run.trajectory), SHOWN_STEPS)]
        return {
            "total": _m(_sym(self.p.reduction.total)) if self.p.reduction else _m(self.loss),
            "source": run.dataset.source, "n": n, "columns": list(run.dataset.columns),
            "columns_m": [_m(_sym(c)) for c in run.dataset.columns],
            "reduce": run.reduce, "method": run.update, "rows": rows, "more_rows": n - len(rows),
            "loss": f(run.loss), "gradient": [f(g) for g in run.gradient],
            "updated": None if run.updated is None else [f(v) for v in run.updated],
            "trajectory": steps, "steps_total": len(run.trajectory) - 1,
        }
