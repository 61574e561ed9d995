"""Plain-text backprop as forum posts write it (083, community.deeplearning.ai): names of one
example that end in a digit (``Z1``, ``A1`` for the problem's ``Z1_i``, ``A1_i``), ``i.e.``
between two equations, and a spreadsheet's functions in capitals (``SECH``, ``EXP``).

The truths are checked with sympy.diff here, not against symgrad's own output."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

TANH = {"lets": ["Z1_i = W*X_i + b", "A1_i = tanh(Z1_i)", "A2_i = sigmoid(A1_i)",
                 "L = mean(-(Y_i*log(A2_i) + (1 - Y_i)*log(1 - A2_i)), i)"], "wrt": "W,b"}


def _verdicts(text: str, problem: dict) -> list[tuple[int, str]]:
    report = check(text, name="t", **problem)
    return [(r.line, r.verdict) for r in report.lines if r.verdict != "skipped"]


def test_the_truth_sympy():
    z, a = sp.symbols("z a")
    assert sp.simplify(sp.diff(sp.tanh(z), z) - (1 - sp.tanh(z) ** 2)) == 0
    assert sp.simplify(sp.diff(sp.tanh(z), z) - sp.sech(z)) != 0  # sech, not sech^2
    assert sp.simplify(sp.diff(sp.tanh(z), z) - sp.sech(z) ** 2) == 0


def test_digit_ending_names_of_one_example_and_ie():
    text = ("Z1 = (W*X) + b\n\nA1 = tanh(Z1)\n\n"
            "dL/dZ1 = dL/dA1 * dA1/dZ1 i.e. dL/dZ1 = dL/dA1 * (1 - A1^2)\n")
    assert _verdicts(text, TANH) == [(1, "correct"), (3, "correct"), (5, "correct"),
                                     (5, "correct")]


def test_sech_in_capitals_is_the_wrong_tanh_derivative():
    text = ("Z1 = (W*X) + b\n\nA1 = tanh(Z1)\n\n"
            "dL/dZ1 = dL/dA1 * dA1/dZ1 i.e. dL/dZ1 = dL/dA1 * SECH(A1)\n")
    report = check(text, name="t", **TANH)
    assert report.exit_code == 1 and report.first_error == 5
    assert [r.verdict for r in report.lines if r.line == 5] == ["correct", "wrong"]


def test_a_document_definition_of_a_digit_name_is_the_problems_quantity():
    # Z1 = W X + b and A1 = tanh(Z1) define nothing new: they are the problem's Z1_i and
    # A1_i, so dL/dZ1 and dL/dA1 are not both 0 (which made this row "right" before)
    text = ("Z1 = (W*X) + b\n\nA1 = tanh(Z1)\n\n"
            "$$\\frac{\\partial L}{\\partial Z1} = \\frac{\\partial L}{\\partial A1}$$\n")
    report = check(text, name="t", **TANH)
    assert report.exit_code == 1 and report.first_error == 5
