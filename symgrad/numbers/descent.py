"""The descend stage: gradient-descent trajectories, and dataset runs compiled once.

A trajectory without data repeats the forward and backward pass of
:mod:`symgrad.numbers.point` at each new point. A dataset run compiles the loss and the
gradient once with ``lambdify`` (NumPy) and vectorises over the rows; the loop never does
symbolic substitution. At a kink the compiled ``sign``/indicator take the value the
problem's convention picks for ``|u|`` (``sign(0)``) and for ``relu`` (``1[0 > 0]``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import sympy as sp

from symgrad.errors import ProblemError
from symgrad.reader.data import Dataset


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class RowResult:
    """One row at the first step: its inputs, its loss and its gradient."""

    index: int
    values: tuple[float, ...]
    loss: float
    gradient: tuple[float, ...]


@dataclass(frozen=True)
class DataRun:
    """A dataset run: per-row first step, reduced gradient, update and trajectory."""

    dataset: Dataset
    reduce: str
    update: str
    rows: tuple[RowResult, ...]
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


def data_run(d) -> DataRun:
    """The dataset's reduced gradient and descent, compiled once from the derived gradient."""
    from symgrad.derivation.chain import full_loss
    from symgrad.expr.algebra import evaluated
    from symgrad.expr.functions import to_elementary
    from symgrad.numbers.conventions import compiled_kink_values

    problem = d.problem
    full, expanded = full_loss(problem)
    grads = []
    for g in d.gradients:
        if g.expr is None:  # too many chain paths to write out: SymPy differentiates the loss
            grads.append(sp.diff(to_elementary(full), sp.Symbol(g.param, real=True)))
        else:
            grads.append(to_elementary(evaluated(g.expr).xreplace(expanded)))
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
    loss_fn, grad_fns = compile_functions(loss_c, grads_c, inputs, params, sign_at_zero, step_at_zero)
    # exact cells to floats: p/q is a correctly rounded division (float() of a SymPy Rational
    # goes through mpmath, 15 us a cell)
    x = np.array([[v.p / v.q if isinstance(v, sp.Rational) else float(v) for v in row]
                  for row in data.rows], dtype=float)
    columns = [x[:, j] for j in range(x.shape[1])]
    n = x.shape[0]
    theta = np.array([float(v) for k, v in problem.values if k in params], dtype=float)
    order = [k for k, _ in problem.values if k in params]
    theta = np.array([theta[order.index(p)] for p in params])

    def per_row(th):
        losses = np.broadcast_to(loss_fn(*columns, *th), (n,)).astype(float)
        grads = np.array([np.broadcast_to(g(*columns, *th), (n,)) for g in grad_fns], dtype=float)
        return losses, grads

    def reduce(v):
        return v.mean(axis=-1) if problem.reduce == "mean" else v.sum(axis=-1)

    losses, grads = per_row(theta)
    rows = tuple(RowResult(i, tuple(xi), li, tuple(gi)) for i, (xi, li, gi) in
                 enumerate(zip(x.tolist(), losses.tolist(), grads.T.tolist())))
    first_loss, first_grad = float(reduce(losses)), reduce(grads)
    lr = float(problem.lr) if problem.lr is not None else None
    updated = None if lr is None else tuple(float(v) for v in theta - lr * first_grad)
    trajectory = [(0, first_loss, tuple(float(v) for v in theta))]
    steps = problem.steps if (lr is not None and problem.steps > 1) else 0
    progress = _Progress(steps) if steps >= 200 and sys.stderr.isatty() else None
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            if problem.update == "batch":  # the gradients at theta, computed with its losses
                theta = theta - lr * reduce(grads)
            else:  # sgd: one update per row, in file order, with that row's own gradient
                for i in range(n):
                    row = [c[i] for c in columns]
                    g = np.array([fn(*row, *theta) for fn in grad_fns], dtype=float)
                    theta = theta - lr * g
            if not np.all(np.isfinite(theta)):
                raise ProblemError(f"gradient descent diverged at step {k}: lower --lr")
            losses, grads = per_row(theta)  # once per step: this step's loss, the next's gradient
            trajectory.append((k, float(reduce(losses)), tuple(float(v) for v in theta)))
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
