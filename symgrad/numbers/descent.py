"""The descend stage: gradient-descent trajectories, and dataset runs compiled once.

A trajectory without data repeats the forward and backward pass of
:mod:`symgrad.numbers.point` at each new point. A dataset run compiles the loss and the
gradient once with ``lambdify`` (NumPy) and vectorises over the rows; the loop never does
symbolic substitution. At a kink the compiled ``sign``/indicator take the value the
problem's convention picks for ``|u|`` (``sign(0)``) and for ``relu`` (``1[0 > 0]``).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

import sympy as sp

from symgrad.errors import ProblemError
from symgrad.reader.data import Dataset
from symgrad.records import record


@record
class TrajectoryPoint:
    """The loss and the parameters after ``step`` updates."""

    step: int
    loss: sp.Basic
    params: tuple[tuple[str, sp.Basic], ...]


def trajectory(d, numbers) -> tuple[TrajectoryPoint, ...]:
    """``problem.steps`` updates from the point of ``numbers`` (empty unless steps > 1)."""
    from symgrad.numbers.point import gradient_at
    from symgrad.numbers.values import as_number

    p = d.problem
    if p.steps <= 1 or p.lr is None:
        return ()
    point = dict(numbers.inputs)
    loss, grads = numbers.value(p.loss), [dict(numbers.gradient)[w] for w in p.wrt]
    out = []
    for k in range(p.steps + 1):
        out.append(TrajectoryPoint(k, loss, tuple((w, point[w]) for w in p.wrt)))
        if k == p.steps or any(g is None for g in grads):
            break  # the subdifferential convention takes no step
        for w, g in zip(p.wrt, grads):
            point[w] = as_number(point[w] - p.lr * g)
        loss, grads = gradient_at(d, point, numbers.convention)
    return tuple(out)


@record
class RowResult:
    """One row at the first step: its inputs, its loss and its gradient."""

    index: int
    values: tuple[float, ...]
    loss: float
    gradient: tuple[float, ...]


class RowTable(Sequence):
    """The rows at the first step as a read-only sequence of :class:`RowResult`, each made
    when it is read: a run over 100,000 rows keeps three arrays, not 100,000 objects."""

    def __init__(self, values, losses, gradients):
        self._values, self._losses, self._gradients = values, losses, gradients

    def __len__(self) -> int:
        return len(self._losses)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[k] for k in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("row index out of range")
        return RowResult(i, tuple(self._values[i].tolist()), float(self._losses[i]),
                         tuple(self._gradients[:, i].tolist()))

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


@record
class DataRun:
    """A dataset run: per-row first step, reduced gradient, update and trajectory."""

    dataset: Dataset
    reduce: str
    update: str
    rows: RowTable  # a sequence of RowResult
    loss: float
    gradient: tuple[float, ...]
    updated: tuple[float, ...] | None
    trajectory: tuple[tuple[int, float, tuple[float, ...]], ...]  # (step, loss, params)


def _kink_modules(sign_at_zero: float, step_at_zero: float) -> list:
    import numpy as np

    def sign(x):
        return np.where(x > 0, 1.0, np.where(x < 0, -1.0, sign_at_zero))

    def heaviside(x, *_):
        return np.where(x > 0, 1.0, np.where(x < 0, 0.0, step_at_zero))

    return [{"sign": sign, "Heaviside": heaviside}, "numpy"]


def compile_functions(loss_expr, gradient_exprs, columns, params, sign_at_zero, step_at_zero):
    """Compile the loss and each gradient as NumPy functions of (columns..., params...)."""
    args = [sp.Symbol(n, real=True) for n in (*columns, *params)]
    modules = _kink_modules(sign_at_zero, step_at_zero)
    loss_fn = sp.lambdify(args, loss_expr, modules=modules)
    grad_fns = [sp.lambdify(args, g, modules=modules) for g in gradient_exprs]
    return loss_fn, grad_fns


def compile_together(exprs, columns, params, sign_at_zero, step_at_zero):
    """One NumPy function of (columns..., params...) returning every expression, their common
    subexpressions (the residual of a loss and of each gradient) computed once."""
    # sign and Heaviside as opaque functions: SymPy rewrites sign(-u) as -sign(u) when the
    # common parts are substituted, which moves a convention's value at 0 to the other side
    opaque_sign, opaque_step = sp.Function("sign_at_kink"), sp.Function("step_at_kink")
    exprs = [e.replace(sp.sign, opaque_sign)
             .replace(sp.Heaviside, lambda *a: opaque_step(a[0])) for e in exprs]
    modules = _kink_modules(sign_at_zero, step_at_zero)
    modules[0] = {"sign_at_kink": modules[0]["sign"], "step_at_kink": modules[0]["Heaviside"]}
    args = [sp.Symbol(n, real=True) for n in (*columns, *params)]
    return sp.lambdify(args, exprs, modules=modules, cse=True)


def data_run(d) -> DataRun:
    """The dataset's reduced gradient and descent, compiled once from the derived gradient."""
    from symgrad.derivation.chain import full_loss
    from symgrad.expr.algebra import evaluated, substituted
    from symgrad.expr.functions import to_elementary
    from symgrad.numbers.conventions import compiled_kink_values

    problem = d.problem
    full, expanded = full_loss(problem)
    grads = []
    for g in d.gradients:
        if g.expr is None:  # too many chain paths to write out: SymPy differentiates the loss
            grads.append(sp.diff(to_elementary(full), sp.Symbol(g.param, real=True)))
        else:
            grads.append(to_elementary(substituted(evaluated(g.expr), expanded)))
    sign0, step0 = compiled_kink_values(problem.convention)
    return _run(problem, to_elementary(full), grads, sign0, step0)


def _run(problem, loss_expr, gradient_exprs, sign_at_zero: float, step_at_zero: float) -> DataRun:
    """Evaluate the dataset at the problem's parameters and take the descent steps."""
    import numpy as np  # loaded only for dataset runs

    data: Dataset = problem.data
    cols = data.columns
    params = problem.wrt
    fixed = {k: float(v) for k, v in problem.values if k not in cols and k not in params}
    inputs = [c for c in cols]
    # inputs not in the data are constants: bake them into the compiled functions
    consts = {sp.Symbol(k, real=True): sp.Float(v) for k, v in fixed.items()}
    loss_c = loss_expr.xreplace(consts)
    grads_c = [g.xreplace(consts) for g in gradient_exprs]
    together = compile_together([loss_c, *grads_c], inputs, params, sign_at_zero, step_at_zero)
    # exact cells to floats: p/q is a correctly rounded division (float() of a SymPy Rational
    # goes through mpmath, 15 us a cell)
    if data.floats is not None:  # read with the file, from the cells' text
        columns = [np.frombuffer(c, dtype=float) for c in data.floats]
        x = np.column_stack(columns)
    else:
        x = np.array([[v.p / v.q if isinstance(v, sp.Rational) else float(v) for v in row]
                      for row in data.rows], dtype=float)
        columns = [x[:, j] for j in range(x.shape[1])]
    n = x.shape[0]
    theta = np.array([float(v) for k, v in problem.values if k in params], dtype=float)
    order = [k for k, _ in problem.values if k in params]
    theta = np.array([theta[order.index(p)] for p in params])

    def full(v):  # a value that does not depend on the row comes back as a scalar
        return v if np.shape(v) == (n,) else np.full(n, float(v))

    mean = problem.reduce == "mean"

    add = np.add.reduce  # the ufunc itself: ndarray.mean's Python wrapper costs more per step

    def reduce(v):  # a scalar stands for n equal rows
        if np.shape(v) == (n,):
            return float(add(v)) / n if mean else float(add(v))
        return float(v) if mean else float(v) * n

    def step_values(th):
        """The rows' values and the reduced loss and gradient at ``th`` (one compiled call)."""
        values = together(*columns, *th)
        return values, reduce(values[0]), np.array([reduce(g) for g in values[1:]])

    values, first_loss, first_grad = step_values(theta)
    rows = RowTable(x, full(values[0]), np.array([full(g) for g in values[1:]]))
    reduced = first_grad
    lr = float(problem.lr) if problem.lr is not None else None
    updated = None if lr is None else tuple(float(v) for v in theta - lr * first_grad)
    trajectory = [(0, first_loss, tuple(float(v) for v in theta))]
    steps = problem.steps if (lr is not None and problem.steps > 1) else 0
    progress = _Progress(steps) if steps >= 200 and sys.stderr.isatty() else None
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            if problem.update == "batch":  # the gradients at theta, computed with its losses
                theta = theta - lr * reduced
            else:  # sgd: one update per row, in file order, with that row's own gradient
                for i in range(n):
                    row = [c[i] for c in columns]
                    g = np.array(together(*row, *theta)[1:], dtype=float)
                    theta = theta - lr * g
            if not math.isfinite(float(add(theta))):  # an inf or a nan anywhere
                raise ProblemError(f"gradient descent diverged at step {k}: lower --lr")
            _, loss, reduced = step_values(theta)  # this step's loss, the next one's gradient
            trajectory.append((k, loss, tuple(float(v) for v in theta)))
            if progress:
                progress.tick(k)
    if progress:
        progress.done()
    return DataRun(data, problem.reduce, problem.update, rows, first_loss,
                   tuple(float(v) for v in first_grad), updated, tuple(trajectory))


class _Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self, total: int):
        self.total, self.shown = total, -1

    def tick(self, k: int) -> None:
        pct = 100 * k // self.total
        if pct != self.shown:
            self.shown = pct
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\r  descent [{bar:<25}] {pct:3d}% ({k}/{self.total})")
            sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\n")
