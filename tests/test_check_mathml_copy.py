"""A flattened MathML copy (071, a chat answer posted on errorhandle.ai): every formula is
written twice, first as the run-together rendered text, which drops the sum sign and the
norm bars (``L(w,b)=12w2+Ci=1mmax(...)``), then, glued to it, its TeX source. The TeX half is
read. The truth (hinge loss with an L2 term, one feature, m examples) is checked with
sympy.diff below."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check

SVM = {"lets": ["L = (1/2)*w^2 + C*sum(max(0, 1 - y_i*(w*x_i + b)), i)"], "wrt": "w,b"}

LOSS = ("L(w,b)=12w2+Ci=1mmax(0,1-yi(wTxi+b))L(w, b) = \\frac{1}{2} \\|w\\|^2 + C "
        "\\sum_{i=1}^{m} \\max(0, 1 - y_i (w^T x_i + b))\n\n")
GRAD_B = ("bL(w,b)=-Ci:yi(wTxi+b)<1yi\\nabla_b L(w, b) = -C \\sum_{i : y_i(w^T x_i + b) < 1} y_i\n")


def test_the_truth_sympy():
    w, b, C = sp.symbols("w b C")
    xs, ys = sp.symbols("x1:4"), sp.symbols("y1:4")
    L = w ** 2 / 2 + C * sum(sp.Max(0, 1 - y * (w * x + b)) for x, y in zip(xs, ys))
    point = {w: sp.Rational(1, 3), b: sp.Rational(1, 7), C: 2, xs[0]: 1, xs[1]: -2, xs[2]: 3,
             ys[0]: 1, ys[1]: -1, ys[2]: 1}
    active = [1 - y * (w * x + b) > 0 for x, y in zip(xs, ys)]
    grad_b = -C * sum(y for y, on in zip(ys, active) if on.subs(point))
    assert sp.diff(L, b).subs(point) == grad_b.subs(point)


def test_the_tex_half_of_a_mathml_copy_is_read():
    report = check(LOSS + GRAD_B, name="t", **SVM)
    assert report.exit_code == 0
    assert [r.verdict for r in report.lines if r.verdict != "skipped"] == ["correct", "correct"]


def test_a_wrong_sign_in_the_tex_half_is_found():
    wrong = GRAD_B.replace("= -C \\sum", "= C \\sum").replace("=-Ci:", "=Ci:")  # both halves
    report = check(LOSS + wrong, name="t", **SVM)
    assert report.exit_code == 1 and report.first_error == 3
