"""Sums over examples: mean(BODY, i) / sum(BODY, i) and --data with --reduce.

Oracles: sympy.diff of an explicit ``Sum`` over an ``IndexedBase`` (built here with plain
SymPy), the textbook formula -2/n sum (y_i - yhat_i) x_i, and NumPy on the CSV rows.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

import symgrad
from symgrad.cli import main

n, i = sp.symbols("n i", integer=True, positive=True)
m, b = sp.symbols("m b", real=True)
X, Y = sp.IndexedBase("x"), sp.IndexedBase("y")
MSE = ["J = mean((y_i - (m*x_i + b))^2, i)"]
ROWS = [(1, 3), (2, 5), (3, 7.5), (4, 8), (-1, 0.5)]


@pytest.fixture
def csv_path(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("x,y\n" + "".join(f"{a},{c}\n" for a, c in ROWS))
    return path


def as_indexed(expr: sp.Basic) -> sp.Basic:
    """symgrad's per-example names x_i, y_i as x[i], y[i]; anything else kept."""
    repl = {}
    for s in expr.free_symbols:
        if s.name.endswith("_i"):
            repl[s] = sp.IndexedBase(s.name[:-2])[i]
        elif s.name in ("m", "b"):
            repl[s] = {"m": m, "b": b}[s.name]
    return expr.xreplace(repl)


def reduced(d, param) -> sp.Basic:
    """The recorded linearity-of-the-sum result for ``param`` as an explicit SymPy Sum."""
    from symgrad.expr.algebra import evaluated

    step = dict(d.reduced)[param]
    total = step.after
    body = as_indexed(evaluated(total.body).xreplace(
        {sp.Symbol(q.name, real=True): q.expr for q in d.problem.quantities}))
    body = as_indexed(evaluated(body))
    scale = 1 / n if total.is_mean else 1
    return scale * sp.Sum(body, (i, 1, n))


@pytest.mark.parametrize("lets", [
    MSE,
    ["yhat_i = m*x_i + b", "J = mean((y_i - yhat_i)^2, i)"],
    ["yhat_i = m*x_i + b", "L_i = (y_i - yhat_i)^2", "J = mean(L_i, i)"],
])  # fmt: skip
def test_mse_gradient_is_the_derivative_of_an_explicit_sum(lets):
    d = symgrad.derive(lets=lets, wrt="m,b")
    loss = sp.Sum((Y[i] - (m * X[i] + b)) ** 2, (i, 1, n)) / n
    textbook = {m: -sp.Rational(2) / n * sp.Sum((Y[i] - (m * X[i] + b)) * X[i], (i, 1, n)),
                b: -sp.Rational(2) / n * sp.Sum(Y[i] - (m * X[i] + b), (i, 1, n))}
    for p in (m, b):
        ours = reduced(d, p.name)
        oracle = sp.diff(loss, p)
        for k in (1, 3, 5):  # the sums written out for concrete n
            assert sp.expand((ours - oracle).subs(n, k).doit()) == 0, (p, k)
            assert sp.expand((ours - textbook[p]).subs(n, k).doit()) == 0, (p, k)


def test_the_walkthrough_writes_the_sum(capsys):
    d = symgrad.derive(lets=MSE, wrt="m,b")
    tex = d.render("latex")
    assert r"\frac{1}{n} \sum_{i=1}^{n}" in tex
    assert "linearity of the sum" in [s.rule.value for _, s in d.reduced]
    text = d.render("text")
    assert "J = mean(ell_i, i)" in text
    assert "dJ/dm = mean(∂ell_i/∂m, i) = mean(" in text


def test_sum_without_mean():
    d = symgrad.derive(lets=["J = sum(abs(y_i - w*x_i), i)"], wrt="w")
    assert r"\sum_{i=1}^{n}" in d.render("markdown") and r"\frac{1}{n}" not in d.render("markdown")
    ours = reduced(d, "w")
    oracle = sp.diff(sp.Sum(sp.Abs(Y[i] - sp.Symbol("w", real=True) * X[i]), (i, 1, n)),
                     sp.Symbol("w", real=True))
    w = sp.Symbol("w", real=True)
    pts = {X[1]: 2, Y[1]: 3, X[2]: -1, Y[2]: 4, w: sp.Rational(1, 2)}
    assert (ours.subs(n, 2).doit().subs(pts) - oracle.subs(n, 2).doit().subs(pts)) == 0


def test_mean_with_data_matches_numpy(csv_path):
    d = symgrad.derive(lets=MSE, wrt="m,b", at="m=0.5, b=-1", data=str(csv_path), lr="0.01")
    x, y = np.array(ROWS, dtype=float).T
    r = y - (0.5 * x - 1)
    assert d.data_run.loss == pytest.approx(np.mean(r**2), rel=1e-12)
    assert d.gradient["m"] == pytest.approx(np.mean(-2 * r * x), rel=1e-12)
    assert d.gradient["b"] == pytest.approx(np.mean(-2 * r), rel=1e-12)
    assert d.updated["m"] == pytest.approx(0.5 - 0.01 * np.mean(-2 * r * x), rel=1e-12)
    # the CSV says x and y; the problem says x_i and y_i
    assert d.data_run.dataset.columns == ("x_i", "y_i")


def test_reduce_sum_of_a_per_example_loss_matches_numpy(csv_path, capsys):
    rc = main(["derive", "--let", "yhat = m*x + b", "--let", "L = abs(y - yhat)", "--wrt", "m,b",
               "--at", "m=0.5, b=1", "--data", str(csv_path), "--reduce", "sum",
               "--format", "json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    doc = json.loads(out)
    x, y = np.array(ROWS, dtype=float).T
    s = np.sign(y - (0.5 * x + 1))
    assert doc["gradient"]["m"] == pytest.approx(np.sum(-s * x), rel=1e-12)
    assert doc["gradient"]["b"] == pytest.approx(np.sum(-s), rel=1e-12)
    assert doc["reduction"]["kind"] == "sum" and doc["reduction"]["total"] == "J"
    # the per-example gradient, indexed: -sign(y_i - yhat_i) x_i
    assert doc["reduction"]["gradient_text"]["m"] == "sum(-sign(y_i - yhat_i)*x_i, i)"


def test_reduction_from_data_is_written_as_a_sum(csv_path):
    d = symgrad.derive(lets=["yhat = m*x + b", "L = (y - yhat)^2"], wrt="m,b",
                       at="m=0, b=0", data=str(csv_path))
    md = d.render("markdown")
    assert r"\frac{\mathrm{d} J}{\mathrm{d} m} = \frac{1}{n} \sum_{i=1}^{n}" in md
    assert r"L_{i}" in md


@pytest.mark.parametrize("lets, message", [
    (["J = 2 * mean((y_i - m*x_i)^2, i)"], "must be the whole definition"),
    (["J = mean((y - m*x)^2, i)"], "no per-example name"),
    (["J = mean((y_i - m*x_i)^2)"], "needs the index"),
    (["J = mean((y_i - m*x_i)^2, 2)"], "must be a name"),
    (["J = mean(sum(y_i - m*x_i, i), i)"], "inside another sum"),
    (["J = mean((y_i - m*x_i)^2, i)", "K = J^2"], "no quantity can use it"),
])  # fmt: skip
def test_sum_errors_are_clear(lets, message, capsys):
    args = ["derive"] + [a for q in lets for a in ("--let", q)] + ["--wrt", "m"]
    rc = main(args)
    _, err = capsys.readouterr()
    assert rc == 2 and message in err and err.count("\n") == 1, err


def test_numbers_for_one_example_without_data():
    d = symgrad.derive(lets=MSE, wrt="m,b", at="x_i=2, y_i=10, m=1.5, b=4")
    # one example: ell = (10 - 7)^2 = 9, d ell/dm = -2 * 3 * 2 = -12
    assert d.value("ell_i") == 9 and d.gradient["m"] == -12
