"""Speed of symgrad check: 1,000 five-line hand derivations, against parsing alone.

A benchmark, not a timed test: pytest runs with --benchmark-disable, so each body runs once.
Measure with::

    python -m pytest tests/benchmarks/test_check_speed.py --benchmark-enable
"""

from __future__ import annotations

import random

import pytest

from symgrad import check, problem_from
from symgrad.checking import truth_for
from symgrad.checking.handlex import split_document
from symgrad.checking.handparse import parse_row

COUNT = 1000

PROBLEMS = {
    "l1": {"example": "l1"},
    "l2": {"example": "l2"},
    "logistic": {"example": "logistic"},
    "hinge": {"lets": ["f = w*x + b", "L = max(0, 1 - y*f)"], "wrt": "w",
              "at": "x=2, y=1, w=0.1, b=0"},
}  # fmt: skip

# (lhs, chain line, symbolic candidates (right and wrong), numeric line, value)
TEMPLATES = {
    "l1": (r"\frac{\partial L}{\partial m}",
           r"\frac{\partial L}{\partial \hat y}\cdot\frac{\partial \hat y}{\partial m}",
           [r"-\operatorname{sign}(y - \hat y)\, x", r"\operatorname{sign}(y - \hat y)\, x",
            r"-\operatorname{sgn}(y - \hat y)", r"-2\,\text{sign}(y - \hat{y}) x",
            r"-\operatorname{sign}(y - \hat y)\, m"],
           r"-\operatorname{{sign}}(10 - 7)\cdot 2 + {a} - {a}", "-2"),
    "l2": (r"\frac{\partial L}{\partial m}",
           r"\frac{\partial L}{\partial \hat y}\frac{\partial \hat y}{\partial m}",
           [r"-2(y - \hat y)x", r"2|y - \hat y|(-1)x", r"2(y - \hat y)x", r"-(y - \hat y)x",
            r"-2(y - \hat y)^2 x"],
           r"-2\cdot(10 - 7)\cdot 2 + {a} - {a}", "-12"),
    "logistic": (r"\frac{\partial L}{\partial w}",
                 (r"\frac{\partial L}{\partial p}\frac{\partial p}{\partial z}"
                  r"\frac{\partial z}{\partial w}"),
                 [r"(p - y)\,x", r"(y - p)x", r"(\sigma(z) - y)", r"(p - y)p(1 - p)x", r"(p - y)w"],
                 r"(0.5 - 1)\cdot 2 + {a} - {a}", "-1"),
    "hinge": (r"\frac{\partial L}{\partial w}",
              r"\frac{\partial L}{\partial f}\frac{\partial f}{\partial w}",
              [r"-y\,\mathbb{1}[1 - yf > 0]\,x", r"y\,\mathbb{1}[1 - yf > 0]\,x",
               r"-y\,\mathbf{1}_{\{1 - y f > 0\}}", r"-\mathbb{1}[1 - yf > 0]x",
               r"-y w \mathbb{1}[1 - yf > 0]"],
              r"-1\cdot 1\cdot 2 + {a} - {a}", "-2"),
}  # fmt: skip


def derivations(count: int = COUNT) -> list[tuple[str, str]]:
    """(problem name, a five-line align* derivation), varied: numbers, mistakes, spacing."""
    rng = random.Random(20261126)
    names = sorted(TEMPLATES)
    out = []
    for k in range(count):
        name = names[k % len(names)]
        lhs, chain, candidates, numeric, value = TEMPLATES[name]
        a = rng.randint(1, 99)
        rows = [
            rf"{lhs} &= {chain}",
            rf"&= {rng.choice(candidates)}",
            rf"&= {rng.choice(candidates)}{' ' * rng.randint(0, 3)}",
            "&= " + numeric.replace("{a}", str(a)).replace("{{", "{").replace("}}", "}"),
            rf"&= {value}",
        ]
        out.append((name, "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"))
    return out


@pytest.fixture(scope="module")
def workload():
    problems = {name: problem_from(**opts) for name, opts in PROBLEMS.items()}
    for p in problems.values():
        truth_for(p)  # derived once per problem, as a grader checking many files would
    return problems, derivations()


def _check_all(problems, docs):
    return [check(text, problems[name]) for name, text in docs]


def _parse_all(problems, docs):
    rows = 0
    for name, text in docs:
        vocab = truth_for(problems[name]).vocab
        for row in split_document(text):
            parse_row(text, row.start, row.end, vocab)
            rows += 1
    return rows


def test_check_1000_five_line_derivations(benchmark, workload):
    problems, docs = workload
    reports = benchmark.pedantic(_check_all, args=(problems, docs), rounds=3, iterations=1)
    assert len(reports) == COUNT
    assert all(len([r for r in rep.lines if r.ok is not None]) == 5 for rep in reports)
    assert not any(rep.unreadable for rep in reports)
    assert 0 < sum(rep.ok for rep in reports) < COUNT  # both right and wrong ones


def test_parse_1000_five_line_derivations_baseline(benchmark, workload):
    problems, docs = workload
    rows = benchmark.pedantic(_parse_all, args=(problems, docs), rounds=3, iterations=1)
    assert rows == 5 * COUNT
