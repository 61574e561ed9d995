"""Layer superscripts in a small network (068, datascience.stackexchange 11743): ``a^3_1`` for
the output when layer 3 has one unit (the problem's ``a3``), a new name with a layer and a
unit defined by its row (``\\delta^3_1 = \\frac{\\partial C}{\\partial z^3_1} = ...``), and rows
about units the problem leaves out (``z^2_2`` when it has only z21) skipped with the reason.
The truths are checked with sympy.diff."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

NET = {"lets": ["z21 = w1_11*x1 + w1_12*x2 + b1", "a21 = sigmoid(z21)",
                "z31 = w2_11*a21 + w2_12*a22 + w2_13*a23", "a3 = sigmoid(z31)",
                "C = (1/2)*(a3 - y)^2"], "wrt": "w2_11"}


def test_the_truth_sympy():
    z, y = sp.symbols("z y")
    a = 1 / (1 + sp.exp(-z))
    C = (a - y) ** 2 / 2
    assert sp.simplify(sp.diff(C, z) - (a - y) * a * (1 - a)) == 0


def test_output_unit_one_of_a_one_unit_layer():
    text = ("$\\frac{\\partial }{\\partial w^2_{11}}\\frac{1}{2}([\\sigma(w^2_{11}a^2_1+w^2_{12}a^2_2"
            "+w^2_{13}a^2_3)]-y)^2=a^2_1(a^3_1-y)\\sigma'(z^3_1)$\n")
    report = check(text, name="t", **NET)
    assert report.exit_code == 0, [(r.line, r.verdict, r.diagnosis) for r in report.lines]
    wrong = check(text.replace("(a^3_1-y)", "(y-a^3_1)"), name="t", **NET)
    assert wrong.exit_code == 1


def test_a_new_name_with_layer_and_unit():
    text = "$\\delta^3_1 = \\frac{\\partial C}{\\partial z^3_1} = (a^3-y)\\sigma'(z^3_1)$\n"
    report = check(text, name="t", **NET)
    assert report.exit_code == 0, [(r.line, r.verdict, r.diagnosis) for r in report.lines]
    wrong = check(text.replace("(a^3-y)", "(y-a^3)"), name="t", **NET)
    assert wrong.exit_code == 1 and wrong.first_error == 1


def test_units_the_problem_leaves_out_are_skipped_with_the_reason():
    text = ("• $z^2_1=w^1_{11}x_1+w^1_{12}x_2+b_1$\n• $z^2_2=w^1_{21}x_1+w^1_{22}x_2+b_2$\n"
            "• $a^2_2 =\\sigma(z^2_2)$\n")
    report = check(text, name="t", **NET)
    assert report.exit_code == 0
    why = [r.diagnosis.explanation for r in report.lines if r.diagnosis is not None]
    assert any("defines z^2_2 from names not in the problem" in w for w in why)
    assert any("defines a^2_2, an input of the problem" in w for w in why)


BOOK = ("$\\delta^3_1 = \\frac{\\partial C}{\\partial z^3_1} = (a^3-y)\\sigma'(z^3_1)$\n\n"
        "Since $W^3$ does not exist I assume it is ignored and we can calculate "
        "$\\delta^2_1= \\delta^{2+1}_1\\odot\\sigma'(z^2_1)$.\n\n")


def test_the_book_formula_with_the_wrong_layer_numbering_is_wrong_sympy():
    x1, a21, y, z21, z31 = sp.symbols("x1 a21 y z21 z31")
    s = lambda u: 1 / (1 + sp.exp(-u))  # noqa: E731
    ds = lambda u: s(u) * (1 - s(u))  # noqa: E731
    book = x1 * (s(z31) - y) * ds(z31) * ds(z21)  # a^1_1 delta^2_1, a^1 = x
    truth = a21 * (s(z31) - y) * ds(z31)
    assert sp.simplify(book - truth) != 0


def test_a_layer_written_as_a_sum_and_the_inputs_as_layer_one():
    # \delta^{2+1}_1 is \delta^3_1; a^1_1 (the book's input layer) is x_1
    text = BOOK + ("$\\frac{\\partial C}{\\partial w^2_{11}}= a^1_1*((a^3-y)\\sigma'(z^3_1))"
                   "*\\sigma'(z^2_1)$\n")
    report = check(text, name="t", **NET)
    assert report.exit_code == 1 and report.first_error == 5
    assert not [r for r in report.lines if r.verdict == "unreadable"]


def test_the_formula_the_author_should_calculate_is_their_claim():
    text = ("If I want to calculate $\\frac{\\partial C}{\\partial w^2_{11}}$ it seems from the book "
            "that I should calculate $a^1_1\\delta^2_1$.\n\n" + BOOK)
    report = check(text, name="t", **NET)
    assert report.exit_code == 1 and report.first_error == 1
    right = text.replace("$a^1_1\\delta^2_1$", "$a^2_1\\delta^3_1$")
    assert check(right, name="t", **NET).exit_code == 0


def test_an_intermediate_derivative_to_calculate_is_not_the_claim():
    text = ("If I want to calculate $\\frac{\\partial C}{\\partial w^2_{11}}$ I should calculate "
            "$\\frac{\\partial C}{\\partial z^3_1}$ first.\n")
    assert check(text, name="t", **NET).exit_code != 1
