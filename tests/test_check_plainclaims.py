"""Derivatives stated outside a derivation's chain, in the authors' own spelling: a function
named with a subscript that the text defines (049), and a derivative stated in a sentence
("The gradient of w^2 is 2w", 078). The mathematics is checked with sympy.diff."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

SMOOTH_L1 = {"lets": ["L = 0.5*min(abs(x), 1)^2 + abs(x) - min(abs(x), 1)"], "wrt": "x"}
L2 = {"lets": ["L2_penalty = lam*sum(w_i^2, i)"], "wrt": "w_1"}

# 049 (quantxu.blogspot.com): the L2 loss is defined with a subscript, then its derivative
SUBSCRIPTED = (r"we usually start by the L2 loss function ${\cal{l}}_2(x)=x^2 / 2$. Since its "
               r"gradient is linear, i.e., ${\cal{l}}'_2(x)=x \propto\sqrt{{\cal{l}}_2(x)}$, the "
               r"batch gradient is dominated")


def _verdicts(report):
    return [(r.line, r.verdict) for r in report.lines if r.verdict != "skipped"]


def test_subscripted_function_defined_in_the_text():
    x = sp.Symbol("x")
    assert sp.diff(x**2 / 2, x) == x  # what the author states
    report = check(SUBSCRIPTED, **SMOOTH_L1)
    assert _verdicts(report) == [(1, "correct")]
    assert report.exit_code == 0


def test_subscripted_function_wrong_derivative_is_found():
    report = check(SUBSCRIPTED.replace(r"(x)=x \propto", r"(x)=2x \propto"), **SMOOTH_L1)
    assert _verdicts(report) == [(1, "wrong")]
    assert report.exit_code == 1


def test_subscript_that_is_an_index_is_not_a_new_function():
    # f_i(x) inside a sum over i is the i-th term, not a function named f_i
    text = r"$$\sum_i f_i(x) = x^2$$"
    report = check(text, **SMOOTH_L1)
    assert all(r.verdict != "correct" for r in report.lines)
