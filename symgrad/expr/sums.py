"""Sums over examples: ``sum(body, i)`` and ``mean(body, i)``, the loss over a dataset written as math.

Names ending in ``_i`` (for the index ``i``) are per-example: ``y_i``, ``x_i``, ``yhat_i``.
The reader turns ``J = mean(body, i)`` into a per-example problem (the loss ``body``) and a
:class:`~symgrad.reader.problem.Reduction`; the derivation differentiates the per-example
loss by the ordinary rules and then applies linearity of the sum. This class is the
displayed form, ``\\frac{1}{n}\\sum_{i=1}^{n} body``.
"""

from __future__ import annotations

import sympy as sp


class ExampleSum(sp.Function):
    """``sum(body, i)`` (kind 0) or ``mean(body, i)`` (kind 1) over the n examples."""

    nargs = 3
    is_real = True

    @property
    def body(self) -> sp.Basic:
        return self.args[0]

    @property
    def index(self) -> sp.Symbol:
        return self.args[1]

    @property
    def is_mean(self) -> bool:
        return bool(self.args[2])

    def _eval_derivative(self, s):
        # linearity of the sum: the derivative of a sum is the sum of the derivatives
        return ExampleSum(sp.diff(self.body, s), self.index, self.args[2])


def example_sum(body: sp.Basic, index: sp.Symbol, mean: bool) -> ExampleSum:
    """The displayed sum (or mean) of ``body`` over the examples, unevaluated."""
    return ExampleSum(body, index, sp.Integer(int(mean)), evaluate=False)


def per_example_names(names, index: str) -> list[str]:
    """The names among ``names`` that are per-example for ``index`` (they end in ``_index``)."""
    return [n for n in names if n.endswith("_" + index) and len(n) > len(index) + 1]
