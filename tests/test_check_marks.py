"""Marks authors put in formulas that have a clear meaning in calculus (issue 9, documents
whose verdict was already right but some rows were unreadable), in the authors' spelling.

The truths come from the problem through symgrad's engine (checked against sympy.diff in
the engine tests); the readings are the subject here.
"""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

LINE = {"lets": ["L = (y - w*x)^2"], "wrt": "w"}


def _dL_dw():
    w, x, y = sp.symbols("w x y")
    return sp.diff((y - w * x) ** 2, w)


def test_a_semicolon_separates_the_parameters_of_a_function():
    # 080 (Deep Learning book notes): \tilde{J}(\theta; x, y), J(w; X; y)
    w, x, y = sp.symbols("w x y")
    assert sp.simplify(_dL_dw() - (-2 * x * (y - w * x))) == 0
    text = r"$$\frac{\partial L(w; x, y)}{\partial w} = -2x(y - wx)$$"
    report = check(text, **LINE)
    assert (report.exit_code, report.status) == (0, "correct"), report.render()
    wrong = check(text.replace("-2x", "2x"), **LINE)
    assert (wrong.exit_code, wrong.first_error) == (1, 1), wrong.render()


def test_a_function_of_parameters_the_problem_lacks_is_skipped_not_unreadable():
    text = (r"\[ \tilde{J}(\theta; x, y) = J(\theta; x, y) + \alpha \Omega(\theta) \]" "\n\n"
            r"$$\frac{\partial L}{\partial w} = -2x(y - wx)$$")
    report = check(text, **LINE)
    assert not report.unreadable, report.render()
    assert report.exit_code == 0, report.render()
