"""The hand-derivation reader: every LaTeX construct people type, plain text, rows and errors."""

from __future__ import annotations

import pytest
import sympy as sp

from symgrad.checking.handlex import split_document
from symgrad.checking.handparse import parse_row
from symgrad.errors import ParseError
from symgrad.expr.functions import relu, sigmoid
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol

VOCAB = frozenset({"L", "m", "x", "y", "yhat", "w1", "b", "eta", "z", "p", "f", "u", "net_h1"})
L, m, x, y, yhat, w1, b, eta, z, p, f, u = (
    symbol(n) for n in ("L", "m", "x", "y", "yhat", "w1", "b", "eta", "z", "p", "f", "u")
)
n = sp.Symbol("n", positive=True, integer=True)


def read(text: str) -> sp.Expr:
    """The single expression of a row without '='."""
    parts = parse_row(text, 0, len(text), VOCAB)
    assert len(parts) == 1
    return parts[0].expr


def same(a: sp.Expr, b: sp.Expr) -> bool:
    return a == b or sp.simplify(a - b) == 0


CONSTRUCTS = [
    # fractions
    pytest.param(r"\frac{x}{y}", x / y, id="frac"),
    pytest.param(r"\dfrac{x}{2}", x / 2, id="dfrac"),
    pytest.param(r"\tfrac{1}{2} x", x / 2, id="tfrac"),
    pytest.param(r"\frac 1 2", sp.Rational(1, 2), id="frac-unbraced"),
    # products
    pytest.param(r"x \cdot y", x * y, id="cdot"),
    pytest.param(r"x \times y", x * y, id="times"),
    pytest.param(r"2x", 2 * x, id="implicit-number-letter"),
    pytest.param(r"2(y - \hat y)x", 2 * (y - yhat) * x, id="implicit-groups"),
    pytest.param(r"m x", m * x, id="implicit-space"),
    pytest.param(r"mx", m * x, id="implicit-letters"),
    pytest.param(r"x\,y", x * y, id="thin-space"),
    pytest.param("x * y", x * y, id="plain-star"),
    pytest.param("x · y", x * y, id="unicode-dot"),
    pytest.param("x − y", x - y, id="unicode-minus"),
    # powers and subscripts
    pytest.param(r"x^{2}", x**2, id="power-braced"),
    pytest.param(r"x^2", x**2, id="power-bare"),
    pytest.param(r"x^{-1}", 1 / x, id="power-negative"),
    pytest.param("x**3", x**3, id="power-stars"),
    pytest.param(r"w_{1}", w1, id="subscript-braced"),
    pytest.param(r"w_1", w1, id="subscript-bare"),
    pytest.param(r"net_{h1}", symbol("net_h1"), id="subscript-underscore-name"),
    # grouping
    pytest.param(r"\left( x + y \right) m", (x + y) * m, id="left-right-parens"),
    pytest.param(r"\bigl( x \bigr)", x, id="big-parens"),
    pytest.param(r"[x + y] m", (x + y) * m, id="brackets"),
    # absolute values
    pytest.param(r"|y - \hat y|", sp.Abs(y - yhat), id="bars"),
    pytest.param(r"\left| y - \hat y \right|", sp.Abs(y - yhat), id="left-right-bars"),
    pytest.param(r"\lvert x \rvert", sp.Abs(x), id="lvert-rvert"),
    pytest.param(r"2|x| |y|", 2 * sp.Abs(x) * sp.Abs(y), id="bars-juxtaposed"),
    pytest.param(r"|x - |y||", sp.Abs(x - sp.Abs(y)), id="bars-nested"),
    # sign
    pytest.param(r"\operatorname{sign}(x)", sp.sign(x), id="operatorname-sign"),
    pytest.param(r"\operatorname{sgn}(x)", sp.sign(x), id="operatorname-sgn"),
    pytest.param(r"\text{sign}(x)", sp.sign(x), id="text-sign"),
    pytest.param(r"\text{sgn}(x)", sp.sign(x), id="text-sgn"),
    pytest.param(r"\mathrm{sgn}(x)", sp.sign(x), id="mathrm-sgn"),
    pytest.param(r"\mathrm{sign}\left(y - \hat{y}\right)", sp.sign(y - yhat), id="mathrm-sign"),
    pytest.param("sign(y - yhat)", sp.sign(y - yhat), id="plain-sign"),
    pytest.param("sgn(x)", sp.sign(x), id="plain-sgn"),
    # names
    pytest.param(r"\hat{y}", yhat, id="hat-braced"),
    pytest.param(r"\hat y", yhat, id="hat-bare"),
    pytest.param(r"\widehat{y}", yhat, id="widehat"),
    pytest.param(r"\eta", eta, id="greek"),
    pytest.param("η", eta, id="greek-unicode"),
    pytest.param(r"\mathcal{L}", L, id="mathcal"),
    pytest.param("ŷ", yhat, id="y-circumflex"),
    pytest.param("y\u0302", yhat, id="y-combining-hat"),
    # functions
    pytest.param(r"\sigma(z)", sigmoid(z), id="sigma-is-sigmoid"),
    pytest.param(r"\sigma\left(z\right)", sigmoid(z), id="sigma-left-right"),
    pytest.param("sigmoid(z)", sigmoid(z), id="plain-sigmoid"),
    pytest.param(r"\exp(-z)", sp.exp(-z), id="exp"),
    pytest.param(r"e^{-z}", sp.exp(-z), id="e-power"),
    pytest.param(r"\mathrm{e}^{z}", sp.exp(z), id="mathrm-e"),
    pytest.param(r"\log(p)", sp.log(p), id="log"),
    pytest.param(r"\log p", sp.log(p), id="log-bare"),
    pytest.param(r"\ln(1 - p)", sp.log(1 - p), id="ln"),
    pytest.param(r"\sqrt{x}", sp.sqrt(x), id="sqrt"),
    pytest.param(r"\sqrt[3]{x}", x ** sp.Rational(1, 3), id="sqrt-index"),
    pytest.param(r"\tanh(z)", sp.tanh(z), id="tanh"),
    pytest.param(r"\sigma'(z)", sigmoid(z) * (1 - sigmoid(z)), id="sigma-prime"),
    pytest.param(r"\tanh'(z)", 1 - sp.tanh(z) ** 2, id="tanh-prime"),
    pytest.param(r"\operatorname{ReLU}(z)", relu(z), id="relu"),
    pytest.param(r"\max(0, 1 - y f)", sp.Max(0, 1 - y * f), id="max"),
    pytest.param(r"\max\{0, 1 - y f\}", sp.Max(0, 1 - y * f), id="max-braces"),
    pytest.param(r"\min\left(x, y\right)", sp.Min(x, y), id="min"),
    # indicators
    pytest.param(r"\mathbb{1}[x > 0]", sp.Heaviside(x, 0), id="mathbb-1-brackets"),
    pytest.param(r"\mathbf{1}_{x > 0}", sp.Heaviside(x, 0), id="mathbf-1-subscript"),
    pytest.param(r"\mathbf{1}_{\{y > \hat y\}}", sp.Heaviside(y - yhat, 0), id="mathbf-1-set"),
    pytest.param(r"\mathbb{1}\{x \ge 0\}", sp.Heaviside(x, 1), id="mathbb-1-ge"),
    pytest.param(r"\mathbb{1}[y < \hat y]", sp.Heaviside(yhat - y, 0), id="indicator-less"),
    pytest.param("1[x >= 0]", sp.Heaviside(x, 1), id="plain-indicator"),
    pytest.param(r"\mathbb{I}[x \leq 0]", sp.Heaviside(-x, 1), id="mathbb-I-leq"),
    # sums
    pytest.param(r"\frac{1}{n}\sum_{i=1}^{n} (y_i - \hat{y}_i)^2", (y - yhat) ** 2, id="mean-sum"),
    pytest.param(r"\sum_{i=1}^{3} x_i", 3 * x, id="sum-three"),
    pytest.param(r"\sum_{i=1}^{n} x_i", n * x, id="sum-n"),
    # annotations that are not math
    pytest.param(r"x \quad \text{(chain rule)}", x, id="text-annotation"),
    pytest.param(r"x \tag{3}", x, id="tag"),
    pytest.param(r"\displaystyle x", x, id="displaystyle"),
]


@pytest.mark.parametrize(("text", "expected"), CONSTRUCTS)
def test_construct(text, expected):
    assert same(read(text), expected)


LEIBNIZ = [
    pytest.param(r"\frac{\partial L}{\partial m}", ("L", "m", True), id="frac-partial"),
    pytest.param(r"\frac{dL}{dm}", ("L", "m", False), id="frac-d-joined"),
    pytest.param(r"\frac{d L}{d m}", ("L", "m", False), id="frac-d-spaced"),
    pytest.param(r"\frac{\mathrm{d}L}{\mathrm{d}m}", ("L", "m", False), id="frac-mathrm-d"),
    pytest.param(r"\dfrac{\partial L}{\partial \hat{y}}", ("L", "yhat", True), id="frac-hat"),
    pytest.param(
        r"\frac{\partial \hat y}{\partial w_1}", ("yhat", "w1", True), id="frac-subscript"
    ),
    pytest.param("dL/dm", ("L", "m", False), id="plain-slash"),
    pytest.param("dL/dyhat", ("L", "yhat", False), id="plain-slash-name"),
    pytest.param(r"\partial L / \partial m", ("L", "m", True), id="partial-slash"),
    pytest.param("∂L/∂m", ("L", "m", True), id="unicode-partial"),
    pytest.param(r"\nabla_m L", ("L", "m", True), id="nabla"),
    pytest.param(r"\frac{\partial}{\partial m} L", ("L", "m", True), id="operator-on-name"),
]


@pytest.mark.parametrize(("text", "expected"), LEIBNIZ)
def test_leibniz(text, expected):
    e = read(text)
    assert isinstance(e, Leibniz)
    assert (e.top.name, e.bottom.name, e.partial) == expected


def test_leibniz_chain_product():
    e = read(r"\frac{\partial L}{\partial \hat y}\cdot\frac{\partial \hat y}{\partial m}")
    assert e == Leibniz(L, yhat, True) * Leibniz(yhat, m, True)


def test_plain_chain_product():
    e = read("dL/dyhat * dyhat/dm")
    assert e == Leibniz(L, yhat, False) * Leibniz(yhat, m, False)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(r"\frac{\partial}{\partial m}\left|y - \hat y\right|", id="frac-operator"),
        pytest.param(r"\frac{d}{dm}|y - \hat y|", id="frac-d-operator"),
        pytest.param("d/dm |y - yhat|", id="plain-operator"),
        pytest.param(r"\frac{\partial |y - \hat y|}{\partial m}", id="expression-on-top"),
    ],
)
def test_derivative_operator(text):
    e = read(text)
    assert isinstance(e, sp.Derivative)
    assert e.expr == sp.Abs(y - yhat) and e.variables == (m,)


def test_operator_applies_to_the_rest_of_the_product():
    e = read(r"\frac{d}{dm} 2|u| x")
    assert isinstance(e, sp.Derivative) and e.expr == 2 * sp.Abs(u) * x


def test_row_chain_and_leading_equals():
    text = r"&= -\operatorname{sign}(10 - 7)\cdot 2 = -2.0 \approx -2"
    parts = parse_row(text, 0, len(text), VOCAB)
    assert parts[0].expr is None
    assert [p.separator for p in parts] == ["", "=", "=", "~="]
    assert parts[1].expr == -2 and parts[1].numbers
    assert parts[2].decimals == 1


def test_update_row():
    text = r"m \leftarrow m - \eta \frac{\partial L}{\partial m}"
    parts = parse_row(text, 0, len(text), VOCAB)
    assert parts[0].expr == m and parts[1].separator == "<-"


ERRORS = [
    pytest.param(r"x + \foo{y}", "unknown command \\foo", 5, id="unknown-command"),
    pytest.param(r"x + q", "unknown name 'q'", 5, id="unknown-name"),
    pytest.param(r"\def\x{1}", "\\def is not allowed", 1, id="def"),
    pytest.param(r"\input{/etc/passwd}", "\\input is not allowed", 1, id="input"),
    pytest.param(r"\left( x + y", "expected ')'", 13, id="unclosed-left"),
    pytest.param(r"\frac{x}{y", "missing '}'", 9, id="unclosed-brace"),
    pytest.param(r"|x + y", "expected '|'", 7, id="unclosed-bar"),
    pytest.param(r"x +", "expected an expression", 4, id="dangling-plus"),
    pytest.param(r"2^{99999999}", "exponent too large", 2, id="huge-exponent"),
    pytest.param(r"9^{9^{9}}", "exponent too large", 2, id="tower"),
    pytest.param(r"\exp(\exp(1000))", "exp of a number beyond 700", 6, id="exp-overflow"),
    pytest.param("(" * 100 + "x" + ")" * 100, "nesting too deep", 61, id="deep-parens"),
    pytest.param(r"x / 0", "division by zero", 3, id="divide-by-zero"),
    pytest.param(r"\log(-1)", "not positive", 1, id="log-negative"),
    pytest.param("x @ y", "unexpected character '@'", 3, id="junk-character"),
    pytest.param("x^{1}^{2}", "expected an operator or '='", 6, id="double-power"),
]


@pytest.mark.parametrize(("text", "message", "column"), ERRORS)
def test_unreadable_gives_position_and_expectation(text, message, column):
    with pytest.raises(ParseError) as info:
        parse_row(text, 0, len(text), VOCAB)
    line = info.value.one_line()
    assert message in line, line
    assert line.startswith("line 1: ")
    assert f"at column {column} " in line, line


def _rows(doc):
    return [(r.kind, r.line, doc[r.start : r.end]) for r in split_document(doc)]


def test_split_align_rows_and_line_numbers():
    doc = "Intro text\n\\begin{align*}\na &= b \\\\[2pt]\n  &= c \\\\\n\\end{align*}\nBye.\n"
    assert _rows(doc) == [
        ("prose", 1, "Intro text"),
        ("math", 3, "a &= b"),
        ("math", 4, "&= c"),
        ("prose", 6, "Bye."),
    ]


def test_split_markdown_dollars_with_aligned():
    doc = "Text\n$$\n\\begin{aligned}\nx &= y \\\\\n&= z\n\\end{aligned}\n$$\n"
    assert [r[1:] for r in _rows(doc) if r[0] == "math"] == [(4, "x &= y"), (5, "&= z")]


def test_split_equation_and_brackets():
    doc = "\\begin{equation}\nx = y.\n\\end{equation}\n\\[ a = b, \\]\n"
    assert [r[2] for r in _rows(doc)] == ["x = y", "a = b"]


def test_split_plain_lines_comments_and_prose():
    doc = "# a comment\n% another\nWe start.\ndL/dm = x\n      = 2\n\n"
    assert _rows(doc) == [("prose", 3, "We start."), ("line", 4, "dL/dm = x"), ("line", 5, "= 2")]


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param("x = 1\n\\input{secret.tex}\n", id="input-in-prose"),
        pytest.param("\\begin{align*}\nx &= \\csname y\\endcsname\n\\end{align*}", id="csname"),
        pytest.param("x = \x00\x01\x02", id="binary"),
    ],
)
def test_split_refuses_whole_document(doc):
    with pytest.raises(ParseError):
        split_document(doc)


def test_an_unclosed_block_is_one_unreadable_row_and_the_rest_is_read():
    doc = "\\begin{align*}\nx = y\n\nThen $dL/dm = x$.\n"
    rows = split_document(doc)
    assert rows[0].error == "unclosed math block '\\\\begin{align*}'"
    assert any(doc[r.start : r.end] == "dL/dm = x" for r in rows[1:])


@pytest.mark.parametrize("row, kept", [
    (r"\left\{ 1 \right.", r"\left\{ 1 \right."),  # the period closes \left\{, it is no sentence end
    (r"x = -2.", "x = -2"),
    (r"x = 2\,", "x = 2"),  # a thin space goes whole, leaving no lone backslash
    (r"x = 2\;,", "x = 2"),
])
def test_a_row_loses_its_end_punctuation_but_not_its_commands(row, kept):
    from symgrad.checking.rowtext import trim

    a, b = trim(row, 0, len(row))
    assert row[a:b] == kept
