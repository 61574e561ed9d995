"""Every displayed equation is true: each `a = b` with numbers on both sides is re-evaluated.

The text output is read line by line; items joined by `=` must be equal (to 1e-12), items
joined by `≈` equal at the displayed precision, and `:=` (a convention's choice at a kink)
is a definition, not a claim. Numeric items are read back with symgrad's own safe reader,
which is independent of the printer that wrote them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import sympy as sp

import symgrad
from symgrad.errors import ParseError
from symgrad.reader.examples import EXAMPLES
from symgrad.reader.expression import parse_expression

CONVENTIONS = ["min-norm", "subdifferential", "left", "right", "average", "pytorch", "jax",
               "tensorflow"]
KINKS = [  # (options, what it is)
    ({"example": "l1", "at": "y=7"}, "abs at 0"),
    ({"example": "hinge", "at": "w1=0.6, w2=0.2, b=0"}, "hinge at its margin"),
    ({"example": "relu-neuron", "at": "x=2, y=2, w=0.5, b=-1"}, "relu at 0"),
    ({"lets": ["L = max(u, v)"], "wrt": "u,v", "at": "u=0, v=0"}, "max tie"),
    ({"lets": ["L = min(v, u) + 2*u"], "wrt": "u,v", "at": "u=1, v=1"}, "min tie"),
    ({"lets": ["r = y - w*x", "L = pinball(r, 0.1)"], "wrt": "w", "at": "x=2, y=4, w=2"},
     "pinball at 0"),
    ({"lets": ["L = clamp(w*x, -1, 1)"], "wrt": "w", "at": "w=0.5, x=2"}, "clamp at its bound"),
]
SPLIT = re.compile(r" (=|≈|:=) ")
INDICATOR = re.compile(r"1\[([^\[\]]+?) > 0\]")


def number(item: str):
    """The value of a displayed item made only of numbers and functions (else None)."""
    text = item.strip().rstrip(".")
    for inner in INDICATOR.findall(text):  # an indicator of numbers: 1 or 0 (None: not numbers)
        value = number(inner)
        if value is None:
            return None
        text = text.replace(f"1[{inner} > 0]", "1" if value > 0 else "0")
    text = text.replace("**", "^")
    try:
        expr = parse_expression(text)
    except (ParseError, RecursionError):
        return None
    if expr.free_symbols or not expr.is_number:
        return None
    value = sp.N(expr, 30)
    return value if value.is_real else None


def decimals(item: str) -> int:
    """Significant digits shown in a rounded number, e.g. 0.593270 -> 6."""
    digits = re.sub(r"e.*$", "", item.strip()).lstrip("-(").rstrip(")").replace(".", "").lstrip("0")
    return max(len(digits), 1)


def false_equations(text: str) -> list[str]:
    bad = []
    for line in text.splitlines():
        if "at the point:" in line:
            line = line.split("at the point:", 1)[1]
        parts = SPLIT.split(line)
        items, rels = parts[0::2], parts[1::2]
        for left, rel, right in zip(items, rels, items[1:]):
            a, b = number(left), number(right)
            if a is None or b is None or rel == ":=":
                continue
            tol = sp.Float("1e-12") if rel == "=" else sp.Float(10) ** (1 - decimals(right))
            if abs(a - b) > tol * max(1, abs(b)):
                bad.append(f"{left.strip()} {rel} {right.strip()}   in: {line.strip()}")
    return bad


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_examples_state_no_false_equation(name):
    text = symgrad.derive(example=name).render("text")
    assert not false_equations(text)
    assert number("1.5 - 0.1*(-2)") == pytest.approx(1.7)  # the reader does read numbers


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("case", KINKS, ids=[k[1] for k in KINKS])
def test_kinks_state_no_false_equation(case, convention):
    options, _ = case
    d = symgrad.derive(**options, convention=convention)
    assert d.kinks, "the point is on a kink"
    text = d.render("text")
    assert not false_equations(text)
    if d.kinks[0].chosen is not None:
        assert " := " in text  # the choice is stated as a choice


def test_the_checker_of_this_test_finds_a_false_equation():
    assert false_equations("  at the point: -sign(7 - 7) = -1")
    assert false_equations("  L = exp(1) = 2.71828")  # rounded, so only ≈ would be true
    assert not false_equations("  L = exp(1) ≈ 2.71828")
    assert false_equations("  x = 1[0 - 0 > 0] = 1")


def test_rounded_values_use_approx_and_exact_ones_equals():
    text = symgrad.derive(lets=["L = exp(m)"], wrt="m", at="m=1").render("text")
    assert "exp(1) ≈ 2.71828" in text and "exp(1) = 2.71828" not in text
    text = symgrad.derive().render("text")
    assert "= 1.5 - 0.1*(-2) = 1.7" in text


def test_no_minus_zero():
    for conv in CONVENTIONS:
        text = symgrad.derive(example="l1", at="y=7", convention=conv).render("text")
        assert not re.search(r"(?<![\w.])-0(?![\d.])", text), conv


def test_displayed_factors_multiply_to_the_displayed_result():
    """Mazur's network: each backprop line's numbers, as printed, give the printed value."""
    text = symgrad.derive(example="network", style="backprop").render("text")
    checked = 0
    for line in text.splitlines():
        if line.strip().startswith("d") and "≈" in line and "*" in line:
            items = SPLIT.split(line)
            product, value = items[-3], items[-1]
            a = number(product)
            if a is not None:
                shown = float(value)
                assert f"{float(a):.{decimals(value)}g}" == f"{shown:.{decimals(value)}g}", line
                checked += 1
    assert checked >= 5


def test_kink_text_names_the_factor_the_derivation_shows():
    text = symgrad.derive(example="hinge", at="w1=0.6, w2=0.2, b=0").render("text")
    assert "Every value of its factor 1[1 - y*f > 0] in [0, 1] gives a subgradient" in text
    assert "takes 1[1 - y*f > 0] := 0" in text
    text = symgrad.derive(example="l1", at="y=7", convention="jax").render("text")
    assert "-sign(7 - 7) := -(1) = -1" in text
    assert "takes sign(y - yhat) := 1" in text


# --------------------------------------------------------------- escaping and options


def test_title_with_markup_is_escaped_in_xhtml():
    title = "MSE & L1 <script>alert(1)</script>"
    html = symgrad.derive(title=title).render("html")
    root = ET.fromstring(html.split("\n", 1)[1])  # well-formed XHTML (after the doctype)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert root.find("h:head/h:title", ns).text == title
    assert root.find("h:body/h:h1", ns).text == title
    assert root.find(".//h:script", ns) is None


def test_title_in_markdown_and_latex_is_escaped():
    d = symgrad.derive(title="MSE & L1 <b>*50%*</b> #1")
    md = d.render("markdown")
    assert md.startswith("## MSE &amp; L1 &lt;b&gt;\\*50%\\*&lt;/b&gt; \\#1\n")
    tex = d.render("latex")
    assert tex.startswith("\\section*{MSE \\& L1 <b>*50\\%*</b> \\#1}")


@pytest.mark.parametrize("heading, first, part", [
    ("section", "\\section*{", "\\subsection*{1. Forward pass}"),
    ("subsection", "\\subsection*{", "\\subsubsection*{1. Forward pass}"),
    ("none", "\n\\paragraph{Problem.}", "\\subsection*{1. Forward pass}"),
])  # fmt: skip
def test_latex_heading_levels(heading, first, part):
    tex = symgrad.derive().render("latex", heading=heading)
    assert tex.startswith(first) and part in tex


def test_cli_title_option(capsys):
    from symgrad.cli import main

    assert main(["derive", "--title", "My notes", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("## My notes\n")


# --------------------------------------------------------------- jumps and failed checks


@pytest.mark.parametrize("lets, jumping", [
    (["L = heaviside(u)*m"], "heaviside"),
    (["L = sign(u)*m + u^2"], "sign"),
    (["L = where(u < 0, m*u, m + u)"], "where"),  # 0 on the left, m on the right at u = 0
])  # fmt: skip
def test_a_jump_takes_the_derivative_away(lets, jumping):
    d = symgrad.derive(lets=lets, wrt="m,u", at="u=0, m=2")
    (jump,) = d.numbers.jumps
    assert jump.function == jumping
    assert d.gradient["u"] is None  # no derivative, no subgradient: L is not continuous in u
    assert d.gradient["m"] is not None
    (vm, vu) = d.verification
    assert vu.finite_difference is None and "jump" in vu.note
    text = d.render("text")
    assert "dL/du does not exist" in text and "no derivative and no subgradient" in text
    assert not false_equations(text)


def test_heaviside_is_zero_at_zero_as_its_notation_says():
    d = symgrad.derive(lets=["L = heaviside(u)*m"], wrt="m", at="u=0, m=2")
    assert d.value("L") == 0 and d.gradient["m"] == 0
    assert "1[0 > 0]*2 = 0" in d.render("text")


def test_a_continuous_where_boundary_is_not_a_jump():
    d = symgrad.derive(lets=["L = where(u < 1, u, u^2)"], wrt="u", at="u=1")
    assert d.numbers.jumps == () and d.numbers.boundaries
    (v,) = d.verification
    assert v.finite_difference is None and "one-sided derivatives differ" in v.note
    assert d.verified


def test_a_failed_verification_exits_3_after_writing_the_output(monkeypatch, capsys, tmp_path):
    from symgrad.cli import main
    from symgrad.derivation import chain, rules

    def wrong_tanh(expr, var):  # a planted bug: tanh' = 1 - tanh (not 1 - tanh^2)
        return rules._outer(expr, var, rules.Rule.TANH, sp.Add(1, -expr, evaluate=False))

    monkeypatch.setitem(rules.RULES, sp.tanh, wrong_tanh)
    chain._CACHE.clear()
    out = tmp_path / "wrong.md"
    rc = main(["derive", "--let", "L = tanh(w*x)", "--wrt", "w", "--at", "w=0.5, x=2", "-o", str(out)])
    err = capsys.readouterr().err
    chain._CACHE.clear()
    assert rc == 3 and out.exists()
    assert "verification failed" in err and "DIFFERS from sympy.diff" in err and err.count("\n") == 1
