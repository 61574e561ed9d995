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


# 078 (click4ai.perfionixai.com): the only derivative on the page, in a plain-text sentence
SAID_2W = ("**Explanation:** L2 regularization penalizes the squared magnitude of weights, creating "
           "a smooth, differentiable penalty that grows quadratically with weight size. The "
           "gradient of w^2 is 2w, which means larger weights receive proportionally larger "
           "penalties -- unlike L1 where all weights receive the same constant push.")


def test_derivative_stated_in_a_plain_sentence_is_judged():
    w = sp.Symbol("w")
    assert sp.diff(w**2, w) == 2 * w
    report = check(SAID_2W, **L2)
    assert _verdicts(report) == [(1, "correct")]
    assert report.exit_code == 0


def test_wrong_derivative_stated_in_a_plain_sentence_is_found():
    report = check(SAID_2W.replace("is 2w,", "is 3w,"), **L2)
    assert _verdicts(report) == [(1, "wrong")]
    assert report.exit_code == 1


def test_the_same_sentence_with_inline_math_is_about_its_own_formula():
    # it used to be judged against the problem's gradient (2 lam w_1) and reported wrong
    report = check("The gradient of $w^2$ is $2w$, which means larger weights.", **L2)
    assert _verdicts(report) == [(1, "correct")]
    report = check("The gradient of $w^2$ is $-2w$, which means larger weights.", **L2)
    assert _verdicts(report) == [(1, "wrong")]


# 083 (community.deeplearning.ai): the reply states the tanh derivative with its variable
TANH = {"lets": ["A1 = tanh(Z1)", "L = A1^2"], "wrt": "Z1"}
SAID_TANH = ("In your backpropagation steps, the mistake lies in the calculation of dL/dZ1. The "
             "correct derivative of tanh(Z1) with respect to Z1 is 1 - tanh^2(Z1).")


def test_derivative_with_respect_to_a_named_variable():
    z = sp.Symbol("Z1")
    assert sp.simplify(sp.diff(sp.tanh(z), z) - (1 - sp.tanh(z) ** 2)) == 0
    assert _verdicts(check(SAID_TANH, **TANH)) == [(1, "correct")]
    assert _verdicts(check(SAID_TANH.replace("1 - tanh", "1 + tanh"), **TANH)) == [(1, "wrong")]


def test_prose_without_a_formula_stays_skipped():
    for text in ("The derivative of the loss is negative here, so we step right.",
                 "The derivative of a max is not the max of the derivatives; it is zero there.",
                 "the derivative of softmax is not a vector, but a matrix:"):
        report = check(text, **L2)
        assert all(r.verdict == "skipped" for r in report.lines), text
        assert report.exit_code == 2


def test_a_claim_that_goes_on_past_its_formula_is_not_cut_short():
    # 037's sentence shape: the result is 2(...) *multiplied by* another derivative; reading
    # only "2((w x + b) - y)" would judge a false claim about d/dw
    text = ("Because of the chain rule, the derivative of ((w*x + b) - y)^2 with respect to w is "
            "equal to 2((w*x + b) - y) (as you mentioned), multiplied by the derivative of "
            "((w*x + b) - y).")
    report = check(text, lets=["L = ((w*x + b) - y)^2"], wrt="w")
    assert [r.verdict for r in report.lines if r.verdict != "skipped"] == ["unreadable"]
    assert report.exit_code == 2


MAE = {"lets": ["L = abs(y - m*x)"], "wrt": "m"}


def test_a_claim_under_a_condition_in_words_is_not_read_as_holding_everywhere():
    # d|x|/dx = 1 only for x > 0; judging "1" everywhere would call a right statement wrong,
    # and dropping "for ..." could accept a wrong one
    report = check("The derivative of |x| is 1 for x > 0.", **MAE)
    assert [r.verdict for r in report.lines if r.verdict != "skipped"] == ["unreadable"]


def test_a_negated_statement_is_no_claim():
    report = check("The derivative of |x| is not x, it has a kink.", **MAE)
    assert all(r.verdict == "skipped" for r in report.lines)


def test_absolute_value_in_a_plain_sentence():
    x = sp.Symbol("x", real=True)
    assert sp.diff(sp.Abs(x), x).subs(x, 2) == 1 and sp.diff(sp.Abs(x), x).subs(x, -2) == -1
    assert _verdicts(check("The derivative of |x| is sign(x), away from 0.", **MAE)) == \
        [(1, "correct")]
    assert _verdicts(check("The derivative of |x| is x, away from 0.", **MAE)) == [(1, "wrong")]


def test_a_formula_that_cannot_be_read_is_reported_not_skipped():
    # 037 (forum.devtalk.com): "((wxi + b) - y)2" lost its superscript and runs names together
    text = ("Because of the chain rule, the derivative of ((wxi + b) - y)2 is equal to 2((wxi + "
            "b) - y) (as you mentioned), multiplied by the derivative of ((wxi + b) - y).")
    report = check(text, lets=["L = ((w*x + b) - y)^2"], wrt="w")
    assert [r.verdict for r in report.lines if r.verdict != "skipped"] == ["unreadable"]
    assert report.exit_code == 2


def test_a_function_applied_in_a_plain_sentence():
    x = sp.Symbol("x")
    s = 1 / (1 + sp.exp(-x))
    assert sp.simplify(sp.diff(s, x) - s * (1 - s)) == 0
    problem = {"lets": ["loss = (w - y)^2"], "wrt": "w"}
    said = "The derivative of sigma(x) is sigma(x)(1 - sigma(x)), the familiar one."
    assert _verdicts(check(said, **problem)) == [(1, "correct")]
    assert _verdicts(check(said.replace("(1 - s", "(1 + s"), **problem)) == [(1, "wrong")]
    said = "The derivative of loss(w) with respect to w is 2(w - y), as before."
    assert sp.diff((sp.Symbol("w") - sp.Symbol("y")) ** 2, sp.Symbol("w")) == \
        2 * (sp.Symbol("w") - sp.Symbol("y"))
    assert _verdicts(check(said, **problem)) == [(1, "correct")]
    assert _verdicts(check(said.replace("2(w - y)", "2(y - w)"), **problem)) == [(1, "wrong")]


def test_several_statements_in_one_sentence_are_judged_each():
    text = ("Then the derivative of x^2 is 2x, and the derivative of x^3 is 3x^2, and the "
            "derivative of x^2 is 3x.")
    x = sp.Symbol("x")
    assert (sp.diff(x**2, x), sp.diff(x**3, x)) == (2 * x, 3 * x**2)
    report = check(text, lets=["L = x^2"], wrt="x")
    assert [r.verdict for r in report.lines if r.verdict != "skipped"] == \
        ["correct", "correct", "wrong"]


def test_a_flattened_formula_in_a_sentence_is_reported_and_the_next_statement_found():
    # 081 (a Reddit reply through Redlib): \frac{\lambda}{2}\|w\|_2^2 lost its markup; the
    # sentence before it ("the gradient of the regularization term.") must not swallow it
    text = ("With L2 regularization, you also consider the gradient of the regularization term. "
            "The derivative of λ2∥w∥22λ∥w∥2 with respect to w is: λw.")
    report = check(text, lets=["R = (lam/2)*w^2"], wrt="w")
    assert [r.verdict for r in report.lines if r.verdict != "skipped"] == ["unreadable"]
    text = "Take the gradient of the loss term and the derivative of w^2 is 2w here."
    assert _verdicts(check(text, lets=["R = (lam/2)*w^2"], wrt="w")) == [(1, "correct")]


REG = {"lets": ["R = (lam/2)*w^2"], "wrt": "w"}


def test_a_quantity_of_the_problem_named_in_a_plain_sentence():
    lam, w = sp.symbols("lam w")
    assert sp.diff(lam / 2 * w**2, w) == lam * w and sp.diff(lam / 2 * w**2, lam) == w**2 / 2
    assert _verdicts(check("The derivative of R with respect to w is lam*w.", **REG)) == \
        [(1, "correct")]
    assert _verdicts(check("The derivative of R is lam*w.", **REG)) == [(1, "correct")]
    assert _verdicts(check("The derivative of R is 2lam*w.", **REG)) == [(1, "wrong")]
    assert _verdicts(check("The derivative of R with respect to lam is w^2/2.", **REG)) == \
        [(1, "correct")]
    assert _verdicts(check("The derivative of R with respect to lam is w^2.", **REG)) == \
        [(1, "wrong")]


def test_for_every_x_is_no_condition():
    x = sp.Symbol("x")
    assert sp.diff(x**2, x) == 2 * x
    report = check("So the derivative of x^2 is 2x for every x.", lets=["L = x^2"], wrt="x")
    assert _verdicts(report) == [(1, "correct")]
