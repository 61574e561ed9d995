"""The loss as a numeric function of one input, for the plots, from the parsed problem.

The loss is written out in the inputs (:func:`symgrad.derivation.chain.full_loss`, the
named quantities substituted), symgrad's own functions rewritten in SymPy's built-ins,
every other input fixed at the point's value, and the result compiled once with the
dataset stage's ``lambdify`` helper (NumPy, with ``sign``/``Heaviside`` defined at 0).
Nothing is read from text here: the expressions are the ones the reader already built.
Where the loss is undefined (a log of a negative number, a division by zero) the curve
gets NaN and the plot leaves a gap.
"""

from __future__ import annotations

from symgrad.errors import UsageError
from symgrad.records import replace

#: Points evaluated along a curve (odd, so the point itself is one of them).
SAMPLES = 801


def loss_function(problem, param: str, values: dict | None = None, loss=None):
    """``f(array) -> array``: the loss along ``param``, other inputs at ``values``.

    Args:
        problem: the derivation's problem (its point is the default for ``values``).
        values: ``{input: value}`` overriding the point's (a comparison row's outlier).
        loss: a :class:`~symgrad.reader.problem.Quantity` replacing the loss's definition.
    """
    import numpy as np
    import sympy as sp

    from symgrad.derivation.chain import full_loss
    from symgrad.expr.functions import to_elementary
    from symgrad.numbers.descent import compile_functions

    if loss is not None:
        problem = replace(problem, quantities=tuple(
            loss if q.name == loss.name else q for q in problem.quantities))
    point = {**dict(problem.values), **(values or {})}
    full, _ = full_loss(problem)
    fixed = {sp.Symbol(k, real=True): sp.Float(v, 30) for k, v in point.items() if k != param}
    expr = to_elementary(full).xreplace(fixed)
    fn, _ = compile_functions(expr, [], [], [param], 0.0, 0.5)

    def along(xs):
        with np.errstate(all="ignore"):
            try:
                ys = np.asarray(fn(xs))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                ys = np.array([_one(fn, x) for x in xs])
            if np.iscomplexobj(ys):
                ys = np.where(np.abs(ys.imag) < 1e-12, ys.real, np.nan)
            try:
                ys = np.broadcast_to(ys, np.shape(xs)).astype(float)
            except (TypeError, ValueError):
                ys = np.array([_one(fn, x) for x in xs], dtype=float)
        ys = np.array(ys, dtype=float)
        ys[~np.isfinite(ys)] = np.nan
        return ys

    return along


def _one(fn, x) -> float:
    """One value, NaN where the compiled loss fails or is not a real number."""
    try:
        v = complex(fn(x))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return float("nan")
    return v.real if abs(v.imag) < 1e-12 else float("nan")


def check_input(problem, param: str | None) -> str:
    """``param``, or the first parameter; a one-line error for a name that is no input."""
    if param is None:
        return problem.wrt[0]
    if param not in problem.inputs:
        raise UsageError(f"cannot plot along {param!r}: it is not an input of the problem "
                         f"(inputs: {', '.join(problem.inputs)})")
    return param


def window(center: float, *others: float) -> tuple[float, float]:
    """An interval around ``center`` (half-width 1.5 max(1, |center|)) that holds ``others``."""
    half = 1.5 * max(1.0, abs(center))
    lo, hi = center - half, center + half
    if others:
        lo, hi = min(lo, *others), max(hi, *others)
        pad = 0.08 * (hi - lo)
        lo, hi = lo - pad, hi + pad
    return lo, hi


def samples(lo: float, hi: float, center: float | None = None):
    """``SAMPLES`` points from lo to hi, with ``center`` itself among them."""
    import numpy as np

    xs = np.linspace(lo, hi, SAMPLES)
    if center is not None:
        xs = np.unique(np.append(xs, center))
    return xs


def finite_or_error(ys, what: str):
    """``ys``, or a one-line error when the loss is undefined along the whole curve."""
    import numpy as np

    if not np.isfinite(ys).any():
        raise UsageError(f"the loss is undefined everywhere along {what}; nothing to plot")
    return ys
