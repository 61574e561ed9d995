"""What is printed is what the author wrote: a corpus of author-written expressions, round trips.

For each expression: its LaTeX, read back by symgrad's own hand reader (an independent
parser of LaTeX), is the same function with its names in the same written order, and has
no invented factor (``1 \\cdot``); its plain text, read back by the expression reader, is
the very same tree. Sameness of functions is decided by SymPy at seeded random points.
"""

from __future__ import annotations

import random
import re

import pytest
import sympy as sp

from symgrad.checking.handparse import parse_row
from symgrad.expr.algebra import evaluated
from symgrad.expr.functions import to_elementary
from symgrad.reader.expression import parse_expression
from symgrad.rendering.printing import latex, plain

CORPUS = [
    # fractions as written
    "1/2*(y - yhat)^2", "m/2", "1/(1 + m)", "(y - m)^2/2", "x/2/3", "3*x/4", "-x/2", "2/3*x",
    "1/(1 + exp(-z))", "(t1 - out_o1)^2/2 + (t2 - out_o2)^2/2", "a/b", "x/y^2", "1/n*x",
    "(a + b)/(c - d)", "-(a - b)/2", "x^-1", "y^(-2)*x",
    # powers and roots
    "(y - yhat)^2", "x^3", "(w*x + b)^2", "2^(x + 1)", "sqrt(x^2 + 1)", "x^(1/3)", "e^m",
    "e^(-x^2)", "exp(-x)", "(1 - p)^2*log(p)",
    # sums and signs in written order
    "y - yhat", "yhat - y", "-y + yhat", "b + w*x", "w*x + b", "-(y*log(p) + (1 - y)*log(1 - p))",
    "a - (b - c)", "a - b - c", "-a - b", "x - 2*y + 3*z",
    # products
    "2*x*(y - m)", "-2*(y - yhat)*x", "w1*x1 + w2*x2 + b", "m*x + 4", "x*y*z", "2*3*x",
    # functions
    "abs(y - yhat)", "sign(y - yhat)", "sigmoid(w*x + b)", "tanh(z)", "relu(w*x + b)",
    "log(1 + exp(z))", "max(0, 1 - y*f)", "max(u, v, 0)", "min(a, b)", "min(v, u, w)",
    "softplus(z)", "leaky_relu(z, 0.1)", "clamp(x, -1, 1)", "where(x > 0, x, 0)",
    "log(x, 2)", "sin(x)*cos(y)", "exp(w*x)/(1 + exp(w*x))",
    # names
    "w_1_2*x", "h_theta + z", "net_h1*w5", "theta0 + theta1*x", "eta*grad", "w_ij*a_j",
    "yhat_i - y_i",
    # losses by name expand to their definitions, printed in primitives
    "huber(y - yhat, 1)", "hinge(y*f)", "bce(y, p)",
]


def leaves_in_order(expr: sp.Basic) -> list[str]:
    """The names of an unevaluated tree in preorder (written order)."""
    out = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Symbol) and node.name not in out:
            out.append(node.name)
    return out


def same_function(a: sp.Basic, b: sp.Basic) -> bool:
    a, b = to_elementary(evaluated(a)), to_elementary(evaluated(b))
    if a == b:
        return True
    rng = random.Random(7)
    names = sorted({s.name for s in a.free_symbols | b.free_symbols})
    for _ in range(12):
        point = {n: sp.Rational(rng.randint(-90, 90), rng.randint(7, 40)) for n in names}
        va = sp.N(a.subs({s: point[s.name] for s in a.free_symbols}), 20)
        vb = sp.N(b.subs({s: point[s.name] for s in b.free_symbols}), 20)
        if va.is_real and vb.is_real and abs(va - vb) > 1e-12 * max(1, abs(vb)):
            return False
    return True


def read_latex(tex: str, names) -> sp.Basic:
    parts = parse_row(tex, 0, len(tex), frozenset(names))
    assert len(parts) == 1, tex
    return parts[0].expr


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 60 and len(set(CORPUS)) == len(CORPUS)


#: Piecewise results print as \begin{cases}, which the hand reader does not read yet (the
#: check issue adds it); their LaTeX is still checked by pdflatex and KaTeX elsewhere.
CASES = {"where(x > 0, x, 0)", "huber(y - yhat, 1)"}


@pytest.mark.parametrize("text", [t for t in CORPUS if t not in CASES])
def test_latex_reads_back_as_written(text):
    expr = parse_expression(text)
    tex = latex(expr)
    assert not re.search(r"(?<![\d.])1 \\cdot", tex), tex  # no invented factor 1
    assert "*" not in tex and "**" not in tex
    assert not re.search(r"\{1 [^+-]", tex), tex  # no factor 1 on top of a fraction
    names = leaves_in_order(expr)
    back = read_latex(tex, names)
    assert same_function(back, expr), (text, tex, back)
    # the names are printed in the order the author wrote them: mark each name, then look
    order = sorted(names, key=text.find)
    marked = latex(expr.xreplace({sp.Symbol(n, real=True): sp.Symbol(f"QQ{k}", real=True)
                                  for k, n in enumerate(order)}))
    positions = [marked.find(f"QQ{k}") for k in range(len(order))]
    assert positions == sorted(positions), (text, marked)


@pytest.mark.parametrize("text", CORPUS)
def test_plain_text_re_reads_to_the_same_tree(text):
    expr = parse_expression(text)
    shown = plain(expr)
    assert "**" not in shown and "Piecewise" not in shown and "E**" not in shown
    assert parse_expression(shown.replace("1[", "heaviside(").replace(" > 0]", ")")) == expr or \
        same_function(parse_expression(shown), expr), (text, shown)


@pytest.mark.parametrize("text, tex", [
    ("1/2*(y - yhat)^2", r"\frac{1}{2} \left(y - \hat{y}\right)^{2}"),
    ("m/2", r"\frac{m}{2}"),
    ("1/(1 + m)", r"\frac{1}{1 + m}"),
    ("(y - m)^2/2", r"\frac{\left(y - m\right)^{2}}{2}"),
    ("max(u, v, 0)", r"\max\left(u, v, 0\right)"),
    ("w_1_2", "w_{1,2}"),
    ("h_theta", r"h_{\theta}"),
    ("-x/2", r"- \frac{x}{2}"),
])  # fmt: skip
def test_the_issues_examples_print_as_written(text, tex):
    assert latex(parse_expression(text)) == tex


@pytest.mark.parametrize("text, shown", [
    ("e^m", "e^m"),
    ("(y - yhat)^2", "(y - yhat)^2"),
    ("where(x > 0, x, 0)", "where(x > 0, x, 0)"),
    ("1/2*(y - yhat)^2", "1/2*(y - yhat)^2"),
    ("(y - m)^2/2", "(y - m)^2/2"),
    ("abs(x)^3", "|x|^3"),
])  # fmt: skip
def test_text_uses_the_authors_syntax(text, shown):
    assert plain(parse_expression(text)) == shown


def _powers():
    from symgrad.expr import functions as F

    x, y = sp.symbols("x y", real=True)
    return {
        "sign": sp.sign(x), "Abs": sp.Abs(x), "Heaviside": sp.Heaviside(x, 0),
        "Max": sp.Max(x, y), "Min": sp.Min(x, y), "exp": sp.exp(x), "log": sp.log(x),
        "tanh": sp.tanh(x), "Piecewise": sp.Piecewise((x, x > 0), (y, True)),
        "sigmoid": F.sigmoid(x), "relu": F.relu(x), "maximum": F.maximum(x, y),
        "minimum": F.minimum(x, y), "leaky_relu": F.leaky_relu(x, sp.Rational(1, 100)),
        "clamp": F.clamp(x, -1, 1), "hardtanh": F.hardtanh(x), "softplus": F.softplus(x),
    }


@pytest.mark.parametrize("name", list(_powers()))
def test_a_function_raised_to_a_power_keeps_its_exponent(name):
    """sign(u)^2 printed as sign(u) would be a different formula (found by the fuzz run)."""
    from symgrad.rendering.printing import PlainPrinter, latex

    power = sp.Pow(_powers()[name], 3, evaluate=False)
    assert latex(power).count("{3}") == 1, latex(power)
    assert PlainPrinter().doprint(power).endswith("^3")
