"""The text format's Python renderer equals the built-in ``derivation.txt.j2`` rendered by Jinja2.

``symgrad derive`` prints text without importing Jinja2 (its start-up budget, issue 7), so the
built-in text is written twice: the template (documented, exported, replaced by
``--templates``) and :mod:`symgrad.rendering.plaintext`. Both are rendered here from the same
context, byte for byte, over problems that reach every section of the template (each section
is required to appear at least once, so the comparison cannot pass by rendering little) and
over random problems from the fuzz generators.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

import symgrad
from symgrad.errors import SymgradError
from symgrad.reader.examples import EXAMPLES
from symgrad.rendering.context import build_context
from symgrad.rendering.plaintext import render_text
from symgrad.rendering.templates import environment
from symgrad.rendering.usertemplates import BUILTIN

sys.path.insert(0, str(Path(__file__).resolve().parent / "fuzz"))

import generators  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "line.csv"

L1 = ["yhat = m*x + 4", "L = abs(y - yhat)"]
CASES = {
    **{f"example {name}": {"example": name} for name in EXAMPLES},
    **{f"example {name} symbolic": {"example": name, "symbolic": True} for name in EXAMPLES},
    "l1 on its kink, pytorch": {"lets": L1, "wrt": "m", "at": "m=3, x=2, y=10",
                                "convention": "pytorch"},
    "l1 on its kink, subdifferential, lr": {"lets": L1, "wrt": "m", "at": "m=3, x=2, y=10",
                                            "convention": "subdifferential", "lr": "0.1"},
    "l1 symbolic with lr": {"lets": L1, "wrt": "m", "lr": "0.1"},
    "l1 with steps": {"lets": L1, "wrt": "m", "at": "m=1.5, x=2, y=10", "lr": "0.1", "steps": 3},
    "a tie of three": {"lets": ["L = max(m, 2*m, m^2)"], "wrt": "m", "at": "m=0"},
    "a tie, symbolic weights": {"lets": ["L = max(m, -m)"], "wrt": "m", "at": "m=0",
                                "convention": "average"},
    "a jump": {"lets": ["L = heaviside(m - 1)*m"], "wrt": "m", "at": "m=1"},
    "backprop": {"lets": ["z = w*x", "a = tanh(z)", "L = (y - a)^2"], "wrt": "w",
                 "at": "w=0.5, x=1, y=2", "style": "backprop"},
    "a sum over examples": {"lets": ["J = mean((y_i - (m*x_i + b))^2, i)"], "wrt": "m,b"},
    "a dataset": {"lets": ["yhat = m*x + b", "L = (y - yhat)^2"], "wrt": "m,b",
                  "at": "m=0, b=0", "data": str(DATA), "reduce": "mean", "lr": "0.01",
                  "steps": 4},
    "a dataset, sum, no steps": {"lets": ["yhat = m*x + b", "L = abs(y - yhat)"], "wrt": "m,b",
                                 "at": "m=0, b=0", "data": str(DATA), "reduce": "sum"},
}
SECTIONS = ["1. Forward pass", "Backpropagation", "Chain rule:", "at the point:", "On a jump",
            "On the kink:", "Update:", "No update:", "with eta =", "Over the examples:",
            "The dataset", "... and", "Reduced:", "Trajectory (", "On the kink\n", "tie of 3",
            "takes the weights", "PyTorch", "Where the derivative does not exist", "Adjoints",
            "Gradient descent", "Comparison", "Verification"]


def both(d, detail: str = "normal") -> tuple[str, str]:
    context = build_context(d, detail=detail)
    return environment().get_template(BUILTIN["text"]).render(**context), render_text(context)


def derived(opts: dict):
    return symgrad.derive(**opts)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    many = tmp_path_factory.mktemp("data") / "many.csv"  # more rows than the table shows
    many.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(40)), encoding="utf-8")
    cases = dict(CASES, **{"a long dataset": {
        "lets": ["yhat = m*x + b", "L = (y - yhat)^2"], "wrt": "m,b", "at": "m=0, b=0",
        "data": str(many), "reduce": "mean"}})
    return {name: both(derived(opts)) for name, opts in cases.items()}


@pytest.mark.parametrize("name", [*CASES, "a long dataset"])
def test_the_python_text_equals_the_template(rendered, name):
    jinja, python = rendered[name]
    assert python.count("\n") > 10
    assert python == jinja


def test_the_cases_reach_every_section_of_the_template(rendered):
    text = "\n".join(j for j, _ in rendered.values())
    missing = [s for s in SECTIONS if s not in text]
    assert not missing
    assert "\nThe L1 gradient -sign(y - yhat)" in text  # the l1 example's closing paragraph


@pytest.mark.parametrize("detail", ["full", "brief"])
def test_the_python_text_equals_the_template_at_every_detail(detail):
    jinja, python = both(symgrad.derive(example="network"), detail)
    assert python == jinja


def test_random_problems_render_the_same_both_ways():
    compared = 0
    for seed in range(40):
        try:
            d = symgrad.derive(**generators.problem(random.Random(7_000_000 + seed)))
        except SymgradError:
            continue
        jinja, python = both(d)
        assert python == jinja, seed
        compared += 1
    assert compared >= 15

