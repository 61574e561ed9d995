"""A stray '=' right after an operator (033, upscfever course notes: "DW2 $$= \\frac{dL}{dW_2}$$
... is $$= X_2 * = (a - y)$$"): after the times sign it is dropped (X_2 (a - y), so a wrong
factor is still found); after a plus or minus the row does not say what it states and is
skipped with the reason. The truth is checked with sympy.diff."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

LOGISTIC = {"lets": ["z = w1*x1 + w2*x2 + b", "a = sigmoid(z)",
                     "L = -(y*log(a) + (1 - y)*log(1 - a))"], "wrt": "w1,w2,b"}

DOC = ("• In particular, you can show that the derivative with respect to W1 $$= \\frac{dL}{dW_1}$$ "
       "is equal to $$X_1 * (a - y)$$. Then, similarly, DW2 $$= \\frac{dL}{dW_2}$$, which is how "
       "much you want to change W2, is $$= X_2 * = (a - y)$$\n")


def test_the_truth_sympy():
    w1, w2, b, x1, x2, y = sp.symbols("w1 w2 b x1 x2 y")
    a = 1 / (1 + sp.exp(-(w1 * x1 + w2 * x2 + b)))
    L = -(y * sp.log(a) + (1 - y) * sp.log(1 - a))
    assert sp.simplify(sp.diff(L, w1) - x1 * (a - y)) == 0


def test_a_stray_equals_after_the_times_sign_is_dropped():
    report = check(DOC, name="t", **LOGISTIC)
    assert report.exit_code == 0
    assert not [r for r in report.lines if r.verdict == "unreadable"]
    claim = "$$\\frac{dL}{dW_2} = X_2 * = (a - y)$$\n"
    assert check(claim, name="t", **LOGISTIC).exit_code == 0
    wrong = check(claim.replace("(a - y)", "(y - a)"), name="t", **LOGISTIC)
    assert wrong.exit_code == 1 and wrong.first_error == 1


def test_a_stray_equals_after_a_minus_is_skipped_with_its_reason():
    report = check("$$\\frac{dL}{dW_2} = X_2 - = (a - y)$$\n", name="t", **LOGISTIC)
    why = [r.diagnosis.explanation for r in report.lines if r.diagnosis is not None]
    assert any("a '=' right after an operator" in w for w in why)


def test_the_rows_around_it_are_still_judged():
    report = check(DOC.replace("$$X_1 * (a - y)$$", "$$X_1 * (y - a)$$"), name="t", **LOGISTIC)
    assert report.exit_code == 1 and report.first_error == 1
