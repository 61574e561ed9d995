"""A name defined term by term (058, zakariapz.github.io softmax CE): ``L = -\\sum_j^C y_j \\log
p_j = -\\sum_j^C \\ell_j`` makes ``\\ell_j`` the j-th term, ``y_j \\log p_j``; then
``\\partial \\ell_j / \\partial p_j = y_j / p_j`` (sympy.diff below), and the author's
``-\\frac{y_j}{p_j}`` is a flipped sign. Also: under "If $i=j$," a row that writes only j
continues the i = j chains only."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

SOFTMAX = {"lets": ["S = exp(a1) + exp(a2) + exp(a3)", "p1 = exp(a1)/S", "p2 = exp(a2)/S",
                    "p3 = exp(a3)/S", "y3 = 1 - y1 - y2",
                    "L = -(y1*log(p1) + y2*log(p2) + y3*log(p3))"], "wrt": "a1"}

DEF = "\\[ L = -\\sum_j^C y_j \\log p_j \\\\ = -\\sum_j^C \\ell_j. \\]\n"
STEP = ("\\[ \\frac{\\partial \\ell_j}{\\partial p_j} = \\frac{\\partial}{\\partial p_j} \\left( "
        "- y_j \\log p_j \\right) \\\\ = -\\frac{y_j}{p_j}. \\]\n")


def test_the_truth_sympy():
    y, p = sp.symbols("y p", positive=True)
    ell = y * sp.log(p)  # -sum ell_j = -sum y_j log p_j
    assert sp.diff(ell, p) == y / p
    assert sp.diff(-y * sp.log(p), p) == -y / p  # the author's, of -ell_j


def test_the_term_name_is_read_and_its_derivative_judged():
    report = check(DEF + STEP, name="t", **SOFTMAX)
    assert [(r.line, r.verdict) for r in report.lines if r.verdict != "skipped"][:2] == \
        [(1, "correct"), (1, "correct")]
    assert report.exit_code == 1 and report.first_error == 2
    wrong = [r for r in report.lines if r.verdict == "wrong"]
    assert wrong[0].diagnosis.kind == "sign-error"


def test_the_right_derivative_of_the_term_is_accepted():
    right = STEP.replace("- y_j \\log p_j", "y_j \\log p_j").replace("= -\\frac", "= \\frac")
    report = check(DEF + right, name="t", **SOFTMAX)
    assert report.exit_code == 0


def test_with_the_sign_on_the_other_side_the_term_carries_it():
    # L = -\sum y_j log p_j = \sum \ell_j: now \ell_j = -y_j log p_j and the author's step is right
    report = check(DEF.replace("= -\\sum_j^C \\ell_j", "= \\sum_j^C \\ell_j") + STEP, name="t",
                   **SOFTMAX)
    assert report.exit_code == 0


def test_a_case_i_equals_j_continues_only_its_chains():
    text = ("\\[ \\frac{\\partial p_j}{\\partial a_i} = \\frac{\\partial }{\\partial a_i} "
            "\\frac{\\exp( a_j)}{\\sum_k^C \\exp(a_k)} \\] If \\(i=j\\),\n"
            "\\[ = \\frac{\\partial }{\\partial a_j} \\frac{\\exp( a_j)}{\\sum_k^C \\exp(a_k)} "
            "\\\\ = p_j(1-p_j). \\]\n")
    report = check(text, name="t", **SOFTMAX)
    assert report.exit_code == 0, [(r.line, r.verdict) for r in report.lines]
