"""The Derivation record: the symbolic derivation, with the numeric layers that later stages add.

A :class:`Derivation` from :func:`symgrad.derivation.derive` holds only mathematics without
numbers: every rule step, the chain through named quantities, each gradient as a formula,
and every kink as a place. The later stages return their own records (``Numbers``,
``Verification``, ``Descent``, ``DataRun``, comparison rows); :meth:`Derivation.with_layers`
attaches them, so one immutable object carries everything a renderer reads.
"""

from __future__ import annotations

from functools import cached_property

import sympy as sp

from symgrad.derivation.kinks import KinkPlace
from symgrad.derivation.rules import Step
from symgrad.reader.problem import Problem
from symgrad.records import record, replace


@record
class Partial:
    """A local partial derivative d(quantity)/d(symbol), derived step by step."""

    quantity: str
    symbol: str
    step: Step

    @property
    def after(self) -> sp.Basic:
        return self.step.after


@record
class Gradient:
    """dL/d(param): the chain-rule paths and the gradient as a formula in the named quantities.

    ``expr`` is None when the graph has more than ``MAX_PATHS`` chain paths from the loss to
    the parameter, or a path of more than ``MAX_CHAIN`` factors (deep networks): the
    gradient is then shown by backpropagation, node by node.
    """

    param: str
    paths: tuple[tuple[tuple[str, str], ...], ...]  # each path: ((quantity, symbol), ...)
    expr: sp.Basic | None


@record
class OnKink:
    """A gradient on a kink place, as a formula in the place's weight ``t``."""

    place: KinkPlace
    param: str
    expr: sp.Basic  # the gradient with the local factor replaced by t (or 1 - t)


@record
class Result:
    """One parameter's gradient, as a formula and (when a point was given) as numbers."""

    param: str
    expr: sp.Basic | None
    value: sp.Basic | float | None
    interval: tuple | None
    updated: sp.Basic | float | None


@record(repr=False)
class Derivation:
    """The record every renderer reads; nothing downstream recomputes mathematics.

    Attributes:
        problem: what was derived.
        partials: every local partial d(quantity)/d(symbol), each a tree of rule steps.
        gradients: one per parameter, as a formula.
        places: every kink place in the problem (symbolic; whether the point is on one is
            the numbers stage's business).
        weight: the symbol that stands for a kink's subgradient weight in formulas (``t``).
        on_kink: each gradient on each place it depends on, in terms of ``weight``.
        reduced: for a loss over examples, each gradient after linearity of the sum, as
            ``(param, formula)`` with per-example names indexed (``x_i``).
        numbers, verification, descent, data_run, comparison: layers the later stages add.
    """

    problem: Problem
    partials: tuple[Partial, ...]
    gradients: tuple[Gradient, ...]
    places: tuple[KinkPlace, ...]
    weight: sp.Symbol
    on_kink: tuple[OnKink, ...] = ()
    reduced: tuple[tuple[str, sp.Basic], ...] = ()
    jumps: tuple = ()  # JumpPlace: discontinuities as written (sign, heaviside, where)
    numbers: object = None  # symgrad.numbers.point.Numbers
    verification: tuple = ()  # symgrad.numbers.oracles.Verification per parameter
    descent: tuple = ()  # symgrad.numbers.descent.TrajectoryPoint per step
    data_run: object = None  # symgrad.numbers.descent.DataRun
    comparison: tuple = ()  # symgrad.numbers.comparison.ComparisonRow

    def with_layers(self, **layers) -> "Derivation":
        """A copy with numeric layers attached (``numbers=``, ``verification=``, ...)."""
        return replace(self, **layers)

    @cached_property
    def _partials(self) -> dict:
        return {(p.quantity, p.symbol): p for p in self.partials}

    def partial(self, quantity: str, symbol: str) -> Partial:
        return self._partials[(quantity, symbol)]

    def gradient_of(self, param: str) -> Gradient:
        return next(g for g in self.gradients if g.param == param)

    # --- numbers, when a point was given ---------------------------------------------
    @property
    def convention(self):
        return self.problem.convention if self.numbers is None else self.numbers.convention

    @property
    def kinks(self) -> tuple:
        """The kinks the point lies on (empty without numbers)."""
        return () if self.numbers is None else self.numbers.kinks

    @property
    def gradient(self) -> dict:
        """``{param: value}`` at the point (None on a kink under ``subdifferential``)."""
        if self.data_run is not None:
            return dict(zip(self.problem.wrt, self.data_run.gradient))
        return {} if self.numbers is None else dict(self.numbers.gradient)

    @property
    def interval(self) -> dict:
        """``{param: (lo, hi)}`` on a kink, else ``{param: None}``."""
        return {} if self.numbers is None else dict(self.numbers.intervals)

    @property
    def updated(self) -> dict:
        """``{param: value}`` after one gradient-descent step (empty without ``lr``)."""
        if self.data_run is not None and self.data_run.updated is not None:
            return dict(zip(self.problem.wrt, self.data_run.updated))
        return {} if self.numbers is None or self.numbers.updated is None else dict(self.numbers.updated)

    @property
    def verified(self) -> bool:
        """False when an oracle disagreed (a bug in symgrad: the CLI then exits 3)."""
        return all(v.sympy and v.finite_difference is not False for v in self.verification)

    @property
    def adjoints(self) -> tuple:
        return () if self.numbers is None else self.numbers.adjoints

    @property
    def results(self) -> tuple[Result, ...]:
        """Per parameter: the formula, the value, the interval on a kink, the updated value."""
        grad, interval, updated = self.gradient, self.interval, self.updated
        return tuple(Result(g.param, g.expr, grad.get(g.param), interval.get(g.param),
                            updated.get(g.param)) for g in self.gradients)

    def value(self, name: str):
        """The value of an input or named quantity at the point."""
        if self.numbers is None:
            raise KeyError(f"no point was given, so {name} has no value")
        return self.numbers.value(name)

    def render(self, format: str = "text", **options) -> str:
        """This derivation as ``text``, ``markdown``, ``latex``, ``html``/``mathml`` or ``json``."""
        from symgrad.rendering import render

        return render(self, format, **options)

    def __repr__(self) -> str:
        """One line: each gradient's formula and value (the record itself is large)."""
        from symgrad.numbers.values import number_text
        from symgrad.rendering.printing import plain

        p, grad = self.problem, self.gradient
        parts = []
        for g in self.gradients:
            text = f"d{p.loss}/d{g.param} = {plain(g.expr) if g.expr is not None else '...'}"
            if len(text) > 80:
                text = text[:77] + "..."
            if grad.get(g.param) is not None:
                text += f" = {number_text(grad[g.param], p.digits)[0]}"
            parts.append(text)
        return f"<Derivation {'; '.join(parts)}; .render('markdown'|'latex'|'html'|'json')>"

    def _repr_markdown_(self) -> str:
        """Jupyter shows the Markdown walkthrough (its math renders with MathJax or KaTeX)."""
        return self.render("markdown")

    def _repr_latex_(self) -> str:
        """The LaTeX fragment without its title (nbconvert puts it into the PDF as it is)."""
        return self.render("latex", heading="none")

    def _repr_html_(self) -> str:
        """The HTML walkthrough's body (MathML, which browsers draw natively) with the
        computation graph (SVG), for a cell."""
        from symgrad.rendering.display import html_fragment

        return html_fragment(self.render("html", graph=True))
