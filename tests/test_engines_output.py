"""Real engines on symgrad's own output: pdflatex, KaTeX (throwOnError), MathML checks."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from engines import check_mathml_html, compile_latex, extract_markdown_math, katex_render, require

from symgrad.cli import main

PROBLEMS = [
    pytest.param([], id="builtin"),
    pytest.param(["--example", "l1", "--at", "y=7"], id="l1-kink"),
    pytest.param(["--example", "logistic"], id="logistic"),
    pytest.param(["--example", "relu-neuron"], id="relu-neuron"),
    pytest.param(["--example", "relu-neuron", "--at", "x=2, y=2, w=0.5, b=-1",
                  "--convention", "subdifferential"], id="relu-kink-subdifferential"),
    pytest.param(["--example", "l1", "--steps", "3"], id="l1-three-steps"),
    pytest.param(["--example", "huber"], id="huber"),
    pytest.param(["--example", "hinge"], id="hinge"),
    pytest.param(["--example", "hinge", "--at", "w1=0.6, w2=0.2, b=0", "--convention", "jax"],
                 id="hinge-at-margin-jax"),
    pytest.param(["--example", "softmax", "--style", "backprop"], id="softmax-backprop"),
    pytest.param(["--example", "network", "--style", "backprop"], id="network-backprop"),
    pytest.param(["--let", "L = where(x > 0, x^2, 0) + clamp(x, -1, 1) + leaky_relu(x)",
                  "--wrt", "x", "--at", "x=1", "--convention", "pytorch"], id="piecewise-clamp-kink"),
    pytest.param(["--let", "yhat = m*x + b", "--let", "L = (y - yhat)^2", "--wrt", "m,b",
                  "--at", "m=0, b=0", "--lr", "0.01", "--steps", "50",
                  "--data", str(__import__("pathlib").Path(__file__).parent / "data" / "line.csv")],
                 id="dataset"),
    # symbolic walkthroughs (no point): every built-in example, a sum over examples, kinks
    *[pytest.param(["--example", name, "--symbolic"], id=f"{name}-symbolic")
      for name in ("l1", "l2", "logistic", "relu-neuron", "huber", "hinge", "softmax", "network")],
    pytest.param(["--let", "yhat_i = m*x_i + b", "--let", "J = mean((y_i - yhat_i)^2, i)",
                  "--wrt", "m,b"], id="mse-sum-symbolic"),
    pytest.param(["--let", "yhat = m*x + b", "--let", "L = (y - yhat)^2", "--wrt", "m,b"],
                 id="readme-symbolic"),
    pytest.param(["--let", "e = y - m*x", "--let", "L = e^2 + exp(e)", "--wrt", "m"],
                 id="e-is-a-name-symbolic"),
    pytest.param(["--let", "J = sum(abs(y_i - (m*x_i + b)), i)", "--wrt", "m,b", "--lr", "0.1"],
                 id="mae-sum-symbolic-update"),
    pytest.param(["--let", "yhat = m*x + b", "--let", "L = abs(y - yhat)", "--wrt", "m,b",
                  "--reduce", "sum", "--at", "m=0.5, b=1", "--data",
                  str(__import__("pathlib").Path(__file__).parent / "data" / "line.csv")],
                 id="dataset-l1-sum"),
]


def render(args: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(["derive", *args])
    assert rc == 0, err.getvalue()
    return out.getvalue()


@pytest.mark.engine
@pytest.mark.parametrize("problem", PROBLEMS)
def test_standalone_latex_compiles(problem, tmp_path):
    require("pdflatex")
    source = render([*problem, "--format", "latex", "--standalone"])
    result = compile_latex(source, tmp_path)
    assert result.ok, result.log_excerpt


@pytest.mark.engine
@pytest.mark.parametrize("problem", PROBLEMS)
def test_latex_fragment_compiles_when_input(problem, tmp_path):
    """The fragment is meant for \\input: wrap it in a minimal document that loads amsmath."""
    require("pdflatex")
    fragment = render([*problem, "--format", "latex"])
    (tmp_path / "fragment.tex").write_text(fragment, encoding="utf-8")
    doc = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
           "\\input{fragment}\n\\end{document}\n")
    result = compile_latex(doc, tmp_path)
    assert result.ok, result.log_excerpt


@pytest.mark.engine
@pytest.mark.parametrize("problem", PROBLEMS)
def test_markdown_math_passes_katex(problem):
    require("katex")
    md = render([*problem, "--format", "markdown"])
    fragments = extract_markdown_math(md)
    assert fragments, "no math found in the Markdown"
    results = katex_render(fragments)
    failures = [f"{'display' if disp else 'inline'} {tex!r}: {r['error']}"
                for (tex, disp), r in zip(fragments, results) if not r["ok"]]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("problem", PROBLEMS)
def test_markdown_display_math_uses_aligned_not_align(problem):
    md = render([*problem, "--format", "markdown"])
    for tex, display in extract_markdown_math(md):
        assert "\\begin{align*}" not in tex and "\\begin{align}" not in tex, tex


@pytest.mark.parametrize("problem", PROBLEMS)
def test_html_mathml_is_clean(problem):
    """Pure-Python check (tests/engines.py): well-formed XHTML, MathML Core only, no TeX left."""
    html = render([*problem, "--format", "html"])
    problems = check_mathml_html(html)
    assert problems == [], "\n".join(problems)
    assert "<math" in html
