"""Datasets: symgrad's reduced gradient and descent against NumPy/Python loops written here.

The CSV files are generated in tmp_path from a seeded RNG; the loops below read the same
numbers and implement the L2/L1 gradients by hand (no symgrad, no SymPy).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symgrad

ROOT = Path(__file__).resolve().parents[1]
L2 = ["yhat = w1*x1 + w2*x2 + b", "L = (y - yhat)^2"]
L1 = ["yhat = w*x + b", "L = abs(y - yhat)"]


def write_csv(path: Path, header, rows) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def regression_csv(tmp_path):
    """300 rows of y = 1.5 x1 - 2 x2 + 0.7 + noise, cells printed with 6 decimals."""
    rng = np.random.default_rng(20261126)
    n = 300
    x1 = rng.normal(0, 1, n)
    x2 = rng.uniform(-1, 1, n)
    y = 1.5 * x1 - 2.0 * x2 + 0.7 + rng.normal(0, 0.1, n)
    rows = [(f"{a:.6f}", f"{b:.6f}", f"{c:.6f}") for a, b, c in zip(x1, x2, y)]
    path = write_csv(tmp_path / "reg.csv", ["x1", "x2", "y"], rows)
    data = np.array([[float(v) for v in r] for r in rows])
    return path, data


def l2_grad(data, theta, reduce):
    """Per-row and reduced gradient of (y - (w1 x1 + w2 x2 + b))^2 wrt (w1, w2, b), by hand."""
    x1, x2, y = data[:, 0], data[:, 1], data[:, 2]
    r = y - (theta[0] * x1 + theta[1] * x2 + theta[2])
    per_row = np.stack([-2 * r * x1, -2 * r * x2, -2 * r])
    red = per_row.mean(axis=1) if reduce == "mean" else per_row.sum(axis=1)
    return per_row, red, r


def l2_loss(data, theta, reduce):
    r = l2_grad(data, theta, reduce)[2]
    return float(np.mean(r**2) if reduce == "mean" else np.sum(r**2))


def rel_close(a, b, rel=1e-9, floor=1e-12):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return bool(np.all(np.abs(a - b) <= rel * np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)))


def test_batch_descent_mean_1500_steps(regression_csv):
    path, data = regression_csv
    d = symgrad.derive(lets=L2, wrt="w1,w2,b", at="w1=0, w2=0, b=0", data=str(path),
                       reduce="mean", lr="0.05", steps=1500)
    run = d.data_run
    assert run.reduce == "mean" and run.update == "batch"
    assert len(run.rows) == 300
    theta = np.zeros(3)
    expected_traj = [(0, l2_loss(data, theta, "mean"), theta.copy())]
    for k in range(1, 1501):
        theta = theta - 0.05 * l2_grad(data, theta, "mean")[1]
        expected_traj.append((k, l2_loss(data, theta, "mean"), theta.copy()))
    assert len(run.trajectory) == 1501
    for k in range(0, 1501, 100):
        step, loss, params = run.trajectory[k]
        assert step == k
        assert rel_close(loss, expected_traj[k][1]), (k, loss, expected_traj[k][1])
        assert rel_close(params, expected_traj[k][2]), (k, params, expected_traj[k][2])
    assert rel_close(run.trajectory[-1][2], theta)
    # it converged near the generating parameters
    assert np.allclose(theta, [1.5, -2.0, 0.7], atol=0.05)


def test_first_step_table_and_update(regression_csv):
    path, data = regression_csv
    theta0 = np.array([0.5, -0.25, 0.1])
    d = symgrad.derive(lets=L2, wrt="w1,w2,b", at="w1=0.5, w2=-0.25, b=0.1", data=str(path),
                       lr="0.05")
    run = d.data_run
    per_row, red, r = l2_grad(data, theta0, "mean")
    for i, row in enumerate(run.rows):
        assert row.index == i
        assert rel_close(row.values, data[i])
        assert rel_close(row.loss, r[i] ** 2)
        assert rel_close(row.gradient, per_row[:, i]), i
    assert rel_close(run.gradient, red)
    assert rel_close(run.loss, np.mean(r**2))
    assert rel_close(run.updated, theta0 - 0.05 * red)
    doc = json.loads(symgrad.render(d, "json"))
    assert rel_close([doc["gradient"][p] for p in ("w1", "w2", "b")], red)
    assert rel_close([doc["update"][p] for p in ("w1", "w2", "b")], theta0 - 0.05 * red)
    assert doc["dataset"]["reduce"] == "mean"
    assert len(doc["dataset"]["rows"]) == 300
    assert rel_close(list(doc["dataset"]["rows"][7]["gradient"].values()), per_row[:, 7])


def test_sum_reduction(regression_csv):
    path, data = regression_csv
    theta = np.array([0.0, 0.0, 0.0])
    d = symgrad.derive(lets=L2, wrt="w1,w2,b", at="w1=0, w2=0, b=0", data=str(path),
                       reduce="sum", lr="0.0005", steps=50)
    run = d.data_run
    assert run.reduce == "sum"
    assert rel_close(run.gradient, l2_grad(data, theta, "sum")[1])
    assert rel_close(run.loss, l2_loss(data, theta, "sum"))
    for k in range(1, 51):
        theta = theta - 0.0005 * l2_grad(data, theta, "sum")[1]
        assert rel_close(run.trajectory[k][1], l2_loss(data, theta, "sum")), k
        assert rel_close(run.trajectory[k][2], theta), k


def test_sgd_three_epochs_row_by_row(regression_csv):
    path, data = regression_csv
    d = symgrad.derive(lets=L2, wrt="w1,w2,b", at="w1=0, w2=0, b=0", data=str(path),
                       lr="0.01", steps=3, update="sgd")
    run = d.data_run
    assert run.update == "sgd"
    w1 = w2 = b = 0.0
    for k in range(1, 4):
        for x1, x2, y in data:  # one update per row, in file order, with that row's own gradient
            r = y - (w1 * x1 + w2 * x2 + b)
            g1, g2, gb = -2 * r * x1, -2 * r * x2, -2 * r
            w1, w2, b = w1 - 0.01 * g1, w2 - 0.01 * g2, b - 0.01 * gb
        step, loss, params = run.trajectory[k]
        assert step == k
        assert rel_close(params, [w1, w2, b]), (k, params, (w1, w2, b))
        assert rel_close(loss, l2_loss(data, np.array([w1, w2, b]), "mean"))


# ------------------------------------------------------------------ L1 and the sign at 0

# sign(0) that each convention uses for d|u|/du at u = 0 (derived by hand / table.md abs@0)
SIGN0 = {"min-norm": 0.0, "left": -1.0, "right": 1.0, "average": 0.0,
         "pytorch": 0.0, "jax": 1.0, "tensorflow": 0.0}


@pytest.mark.parametrize("conv", list(SIGN0))
def test_l1_dataset_sign_at_zero_follows_convention(tmp_path, conv):
    # rows 0, 2 and 4 lie exactly on the line y = 2x + 1 (residual 0) at w = 2, b = 1
    rows = [(1, 3), (2, 4), (-1, -1), (0.5, 3), (3, 7), (-2, 1)]
    path = write_csv(tmp_path / "l1.csv", ["x", "y"], rows)
    d = symgrad.derive(lets=L1, wrt="w,b", at="w=2, b=1", data=str(path), lr="0.1",
                       convention=conv)
    run = d.data_run
    s0 = SIGN0[conv]
    expected = []
    for x, y in rows:
        r = y - (2 * x + 1)
        s = 1.0 if r > 0 else -1.0 if r < 0 else s0
        expected.append((-s * x, -s))  # d|y - (w x + b)|/dw = -sign(r) x, /db = -sign(r)
    for row, exp in zip(run.rows, expected):
        assert row.gradient == pytest.approx(exp), (conv, row.values, row.gradient, exp)
    mean = np.mean(np.array(expected), axis=0)
    assert run.gradient == pytest.approx(tuple(mean))
    assert run.updated == pytest.approx((2 - 0.1 * mean[0], 1 - 0.1 * mean[1]))


def test_l1_dataset_with_subdifferential_is_refused(tmp_path):
    path = write_csv(tmp_path / "l1.csv", ["x", "y"], [(1, 3), (2, 4)])
    with pytest.raises(symgrad.SymgradError):
        symgrad.derive(lets=L1, wrt="w,b", at="w=2, b=1", data=str(path), lr="0.1",
                       convention="subdifferential")


# ------------------------------------------------------------------ CLI errors


def cli(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "symgrad", "derive", *args], cwd=ROOT, env=env, check=False,
                          capture_output=True, text=True, timeout=120)


def assert_one_line_error(p, *needles):
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


LET_ARGS = ["--let", "yhat = w*x + b", "--let", "L = (y - yhat)^2", "--wrt", "w,b", "--at", "w=0, b=0"]


def test_cli_column_not_an_input(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["x", "y", "z"], [(1, 2, 3)])
    assert_one_line_error(cli(*LET_ARGS, "--data", str(path)), "'z'")


def test_cli_column_is_a_parameter(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["x", "y", "w"], [(1, 2, 3)])
    line = assert_one_line_error(cli(*LET_ARGS, "--data", str(path)), "'w'")
    assert "parameter" in line


def test_cli_non_numeric_cell_names_the_line(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["x", "y"], [(1, 2), (3, "abc"), (5, 6)])
    assert_one_line_error(cli(*LET_ARGS, "--data", str(path)), "line 3")


def test_cli_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert_one_line_error(cli(*LET_ARGS, "--data", str(path)), "empty")


def test_cli_dataset_json_matches_loop(tmp_path):
    rows = [(1, 3.5), (2, 4.0), (-1, 0.25), (0.5, 2.0)]
    path = write_csv(tmp_path / "d.csv", ["x", "y"], rows)
    p = cli(*LET_ARGS, "--data", str(path), "--lr", "0.1", "--steps", "3", "--format", "json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    w = b = 0.0
    for k in range(1, 4):
        gw = np.mean([-2 * (y - (w * x + b)) * x for x, y in rows])
        gb = np.mean([-2 * (y - (w * x + b)) for x, y in rows])
        w, b = w - 0.1 * gw, b - 0.1 * gb
        assert doc["trajectory"][k]["params"] == pytest.approx({"w": w, "b": b}, rel=1e-12)
