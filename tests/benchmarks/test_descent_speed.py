"""Speed of compiled gradient descent over a dataset: 1,500 batch steps over 100 rows.

A benchmark, not a timed test: pytest runs with --benchmark-disable, so each body runs
once and only correctness is asserted. Measure with::

    python -m pytest tests/benchmarks/test_descent_speed.py --benchmark-enable

The baseline is the same derivation with one step, so the difference is the descent's own cost.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

import symgrad

LETS = ["yhat = w1*x1 + w2*x2 + b", "L = (y - yhat)^2"]
STEPS = 1500
LR = 0.05


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    rng = np.random.default_rng(7)
    x1, x2 = rng.normal(0, 1, 100), rng.uniform(-1, 1, 100)
    y = 0.8 * x1 + 1.7 * x2 - 0.3 + rng.normal(0, 0.05, 100)
    rows = [(f"{a:.6f}", f"{b:.6f}", f"{c:.6f}") for a, b, c in zip(x1, x2, y)]
    path = tmp_path_factory.mktemp("descent") / "rows.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "y"])
        w.writerows(rows)
    return str(path), np.array([[float(v) for v in r] for r in rows])


def numpy_descent(data, steps):
    """The same batch descent on the mean L2 loss, written independently."""
    x1, x2, y = data.T
    theta = np.zeros(3)
    for _ in range(steps):
        r = y - (theta[0] * x1 + theta[1] * x2 + theta[2])
        theta = theta - LR * np.array([np.mean(-2 * r * x1), np.mean(-2 * r * x2), np.mean(-2 * r)])
    return theta


def run(path, steps):
    return symgrad.derive(lets=LETS, wrt="w1,w2,b", at="w1=0, w2=0, b=0", data=path,
                          lr=str(LR), steps=steps)


def test_descent_1500_steps(benchmark, dataset):
    path, data = dataset
    d = benchmark(run, path, STEPS)
    final = np.array(d.data_run.trajectory[-1][2])
    assert len(d.data_run.trajectory) == STEPS + 1
    expected = numpy_descent(data, STEPS)
    assert np.allclose(final, expected, rtol=1e-9, atol=1e-12)


def test_baseline_one_step(benchmark, dataset):
    path, data = dataset
    d = benchmark(run, path, 1)
    expected = numpy_descent(data, 1)
    assert np.allclose(d.data_run.updated, expected, rtol=1e-12, atol=1e-15)
