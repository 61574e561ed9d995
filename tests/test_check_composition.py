"""Function notation in the answer of 070 (math.stackexchange mirror): ``h(W)=HW`` defines a
function h of any W (not the problem's H times W, and HW is H times the argument), and
``\\nabla(\\sigma\\circ h) = (Dh)^T \\nabla\\sigma`` is a general rule about a composition, skipped
with the reason. Between values (``\\delta \\circ \\sigma'(z)``) ``\\circ`` is the element-wise
product, for scalars the product (checked against sympy.diff below)."""

from __future__ import annotations

import sympy as sp

from symgrad.checking import check
from symgrad.checking.handparse import read_row
from symgrad.checking.scope import Scope

SIG = {"lets": ["yhat = sigmoid(H*W_out)"], "wrt": "W_out"}


def test_the_truth_sympy():
    H, W = sp.symbols("H W")
    s = 1 / (1 + sp.exp(-H * W))
    assert sp.simplify(sp.diff(s, W) - s * (1 - s) * H) == 0


def test_h_of_w_is_a_function_and_hw_its_product():
    scope = Scope(inputs=frozenset({"H", "W_out"}), quantities=frozenset({"yhat"}),
                  params=("W_out",))
    text = "h(W)=HW"
    (r,) = read_row(text, 0, len(text), scope)
    assert r.lhs_call is not None and r.lhs_call[0] == "h"
    assert str(r.parts[1].expr) == "H*W"


def test_a_composition_is_a_general_rule():
    text = ("Let $h(W)=HW$. Then $$ \\nabla(\\sigma\\circ h) = (Dh)^T \\nabla\\sigma = H^T "
            "\\nabla\\sigma $$ by using the chain rule for the gradient.\n")
    report = check(text, name="t", **SIG)
    assert not [r for r in report.lines if r.verdict == "unreadable"]
    why = [r.diagnosis.explanation for r in report.lines if r.diagnosis is not None]
    assert any("a general rule about \\sigma∘h" in w for w in why)


def test_circ_between_values_is_the_product():
    text = ("$$\\frac{\\partial \\hat y}{\\partial W_{out}} = H \\circ \\sigma(HW_{out})"
            "(1-\\sigma(HW_{out}))$$\n")
    assert check(text, name="t", **SIG).exit_code == 0
    wrong = text.replace("(1-\\sigma", "(1+\\sigma")
    assert check(wrong, name="t", **SIG).exit_code == 1
