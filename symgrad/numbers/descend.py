"""Datasets: rows read from CSV, a per-example loss reduced by mean or sum, and compiled descent.

The gradient is compiled once with ``lambdify`` (NumPy); the descent loop never does
symbolic substitution. At a kink the compiled ``sign``/indicator take the value the
problem's convention picks for ``|u|`` (``sign(0)``) and for ``relu`` (``1[0 > 0]``).
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy as sp

from symgrad.errors import ProblemError
from symgrad.reader.files import read_limited
from symgrad.reader.expression import parse_number

#: Limits on what is read: file size, rows, columns.
MAX_BYTES = 4 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 100
REDUCTIONS = ("mean", "sum")
UPDATES = ("batch", "sgd")


@dataclass(frozen=True)
class Dataset:
    """Rows of exact numbers under named columns (the header names are input names)."""

    source: str
    columns: tuple[str, ...]
    rows: tuple[tuple[sp.Rational, ...], ...]

    def row(self, i: int) -> dict[str, sp.Rational]:
        return dict(zip(self.columns, self.rows[i]))


def read_csv(path: str | Path) -> Dataset:
    """Read a CSV file with a header row of names and numeric cells.

    Raises:
        ProblemError: an unreadable file, a bad header, a non-numeric cell (with its row
            and column), a ragged row, or a file over the limits.
    """
    p = Path(path)
    raw = read_limited(p, "data file", MAX_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProblemError(f"data file {str(p)!r} is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ProblemError(f"data file {str(p)!r} is empty") from None
    except csv.Error as e:
        raise ProblemError(f"data file {str(p)!r}: {e}") from None
    if len(header) > MAX_COLUMNS or not all(h.isidentifier() for h in header):
        raise ProblemError(f"data file {str(p)!r}: the header must be names such as x,y")
    if len(set(header)) != len(header):
        raise ProblemError(f"data file {str(p)!r}: a column name appears twice")
    rows = []
    try:
        for line_no, cells in enumerate(reader, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise ProblemError(
                    f"data file {str(p)!r} line {line_no}: {len(cells)} cells, header has {len(header)}"
                )
            rows.append(tuple(
                parse_number(c.strip(), where=f"data file line {line_no}, column {name}")
                for c, name in zip(cells, header)
            ))
            if len(rows) > MAX_ROWS:
                raise ProblemError(f"data file {str(p)!r} has more than {MAX_ROWS} rows")
    except csv.Error as e:
        raise ProblemError(f"data file {str(p)!r}: {e}") from None
    if not rows:
        raise ProblemError(f"data file {str(p)!r} has a header but no rows")
    return Dataset(str(p), tuple(header), tuple(rows))


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


def run(problem, loss_expr, gradient_exprs, sign_at_zero: float, step_at_zero: float) -> DataRun:
    """Evaluate the dataset at the problem's parameters and take the descent steps."""
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
    x = np.array([[float(v) for v in row] for row in data.rows], dtype=float)
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
    rows = tuple(
        RowResult(i, tuple(float(v) for v in x[i]), float(losses[i]), tuple(float(g) for g in grads[:, i]))
        for i in range(n)
    )
    first_loss, first_grad = float(reduce(losses)), reduce(grads)
    lr = float(problem.lr) if problem.lr is not None else None
    updated = None if lr is None else tuple(float(v) for v in theta - lr * first_grad)
    trajectory = [(0, first_loss, tuple(float(v) for v in theta))]
    steps = problem.steps if (lr is not None and problem.steps > 1) else 0
    progress = _Progress(steps) if steps >= 200 and sys.stderr.isatty() else None
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            if problem.update == "batch":
                theta = theta - lr * reduce(per_row(theta)[1])
            else:  # sgd: one update per row, in file order, with that row's own gradient
                for i in range(n):
                    row = [c[i] for c in columns]
                    g = np.array([fn(*row, *theta) for fn in grad_fns], dtype=float)
                    theta = theta - lr * g
            if not np.all(np.isfinite(theta)):
                raise ProblemError(f"gradient descent diverged at step {k}: lower --lr")
            trajectory.append((k, float(reduce(per_row(theta)[0])), tuple(float(v) for v in theta)))
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
