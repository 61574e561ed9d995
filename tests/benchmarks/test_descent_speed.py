"""Speed of compiled gradient descent over a dataset: 1,500 batch steps over 100 rows.

A benchmark, not a timed test: pytest runs with --benchmark-disable, so each body runs
once and only correctness is asserted. Measure with::

    python -m pytest tests/benchmarks/test_descent_speed.py --benchmark-enable

The baseline is the same derivation with one step, so the difference is the descent's own cost.
"""

from __future__ import annotations

import numpy as np
import pytest
from descent_data import LETS, LR, numpy_descent, write_dataset

import symgrad

STEPS = 1500


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("descent") / "rows.csv", 100)


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
