"""The dataset and the NumPy baseline the descent benchmarks share: a noisy plane in two
features, and batch gradient descent on the mean L2 loss written independently of symgrad."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

LETS = ["yhat = w1*x1 + w2*x2 + b", "L = (y - yhat)^2"]
LR = 0.05


def write_dataset(path: Path, n: int) -> tuple[str, np.ndarray]:
    """n rows of x1, x2, y (six decimals) written to ``path``; returns it and the values."""
    rng = np.random.default_rng(7)
    x1, x2 = rng.normal(0, 1, n), rng.uniform(-1, 1, n)
    y = 0.8 * x1 + 1.7 * x2 - 0.3 + rng.normal(0, 0.05, n)
    rows = [(f"{a:.6f}", f"{b:.6f}", f"{c:.6f}") for a, b, c in zip(x1, x2, y)]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x1", "x2", "y"])
        w.writerows(rows)
    return str(path), np.array([[float(v) for v in r] for r in rows])


def numpy_descent(data: np.ndarray, steps: int, lr: float = LR) -> np.ndarray:
    """The same batch descent on the mean L2 loss, from w1 = w2 = b = 0."""
    x1, x2, y = data.T
    theta = np.zeros(3)
    for _ in range(steps):
        r = y - (theta[0] * x1 + theta[1] * x2 + theta[2])
        theta = theta - lr * np.array([np.mean(-2 * r * x1), np.mean(-2 * r * x2), np.mean(-2 * r)])
    return theta
