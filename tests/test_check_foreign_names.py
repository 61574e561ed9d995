"""Rows about a part of the model the problem leaves out (069, stats.stackexchange 303446):
the problem is the MSE in the predictions yhat_i, while the author also writes
``\\hat{y}=\\sum_{i=1}^{n}w_i x_i`` and ``\\frac{\\partial MSE}{\\partial w_i}``. Those rows cannot be
checked (the problem has no w) and are skipped with the reason, so the rows that can be are
judged: the derivation's own steps in yhat_i (checked against sympy.diff below)."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

MSE = {"lets": ["MSE = (1/(2*n))*sum((yhat_i - y_i)^2, i)"], "wrt": "yhat_1"}

DOC = (
    "So if $MSE=\\frac{1}{2n}\\sum_{i=1}^{n}\\left ( \\hat{y} - y \\right )^2$ and "
    "$\\hat{y}=\\sum_{i=1}^{n}w_i x_i$ where $\\hat{y}$ is the predicted value.\n\n"
    "$$\\frac{\\partial MSE}{\\partial w_i}=\\sum_{j}\\frac{\\partial MSE}{\\partial \\hat{y}_j} "
    "\\cdot \\frac{\\partial \\hat{y}_j}{\\partial w_i}$$\n\n"
    "$$\\frac{\\partial MSE}{\\partial \\hat{y}_i} = \\frac{1}{n}\\left ( \\hat{y}_i - y_i \\right )$$\n"
)


def test_the_truth_sympy():
    n = 3
    yh = sp.symbols("yhat_1:4")
    y = sp.symbols("y_1:4")
    mse = sum((a - b) ** 2 for a, b in zip(yh, y)) / (2 * n)
    assert sp.simplify(sp.diff(mse, yh[0]) - (yh[0] - y[0]) / n) == 0


def test_rows_about_w_are_skipped_with_their_reason():
    report = check(DOC, name="t", **MSE)
    assert report.exit_code == 0
    why = [r.diagnosis.explanation for r in report.lines if r.diagnosis is not None]
    assert any("defines \\hat{y}, an input of the problem" in w for w in why)
    assert any("a derivative by w_i, which the problem does not have" in w for w in why)
    assert [r.verdict for r in report.lines if r.verdict not in ("skipped",)] == ["correct", "correct"]


def test_a_wrong_step_in_yhat_is_still_found():
    report = check(DOC.replace("\\frac{1}{n}\\left", "\\frac{2}{n}\\left"), name="t", **MSE)
    assert report.exit_code == 1 and report.first_error == 5
