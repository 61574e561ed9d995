"""Presentation options: step detail (full, normal, brief), numbered LaTeX equations, and a
derivation displaying itself in Jupyter (the example notebook is executed with nbclient)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from engines import compile_latex, require

import symgrad
from symgrad.reader.examples import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]


def test_detail_full_shows_the_minor_steps_brief_only_the_interesting_ones():
    d = symgrad.derive()  # the L1 example: abs to sign, then the sum rule inside
    full, normal, brief = (d.render("markdown", detail=x) for x in ("full", "normal", "brief"))
    assert "**Variable.**" in full and "**Variable.**" not in normal
    assert "**Sum.**" in normal and "**Sum.**" not in brief
    assert "**Abs to sign.**" in brief  # the kink's rule is what the article is about
    assert len(full) > len(normal) > len(brief)
    for text in (full, normal, brief):  # the result is the same at every detail
        assert "= -2\n" in text


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@pytest.mark.parametrize("detail", ["full", "brief"])
def test_every_example_renders_at_every_detail(name, detail):
    d = symgrad.derive(example=name)
    for fmt in ("text", "markdown", "latex", "html"):
        assert d.render(fmt, detail=detail)


def test_bad_detail_and_numbered_without_latex_are_usage_errors():
    with pytest.raises(symgrad.UsageError, match="unknown detail"):
        symgrad.derive().render("markdown", detail="short")
    with pytest.raises(symgrad.UsageError, match="--numbered goes with the latex format"):
        symgrad.derive().render("markdown", numbered=True)


@pytest.mark.engine
@pytest.mark.parametrize("name", ["l1", "network", "hinge"])
def test_numbered_latex_compiles_with_one_number_per_display(name, tmp_path):
    require("pdflatex")
    tex = symgrad.derive(example=name).render("latex", standalone=True, numbered=True)
    assert "align*" not in tex and "\\[" not in tex
    displays = tex.count("\\begin{equation}")
    assert displays == tex.count("\\end{equation}") > 3
    result = compile_latex(tex, tmp_path)
    assert result.ok, result.log_excerpt


def test_jupyter_reprs():
    d = symgrad.derive()
    assert d._repr_markdown_() == d.render("markdown")
    latex = d._repr_latex_()
    assert "\\section" not in latex and "\\frac{\\mathrm{d} L}{\\mathrm{d} m}" in latex
    html = d._repr_html_()
    root = ET.fromstring(html)  # one well-formed element, no <html>/<body> of its own
    assert root.tag == "div" and root.get("class") == "symgrad"
    assert "<body" not in html and "<math" in html
    assert root.find(".//{http://www.w3.org/2000/svg}svg") is not None  # the graph


def _notebook_tools() -> None:
    """nbformat, nbclient and ipykernel: required in CI (an import error fails), else skip."""
    if not os.environ.get("CI"):
        for name in ("nbformat", "nbclient", "ipykernel"):
            pytest.importorskip(name)


def test_the_example_notebook_runs_and_shows_the_derivation():
    _notebook_tools()
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "examples" / "walkthrough.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    nbformat.validate(nb)
    results = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if o.output_type == "execute_result"]
    first = results[0]["data"]
    assert "\\frac{\\mathrm{d} L}{\\mathrm{d} m}" in first["text/markdown"]
    assert "<math" in first["text/html"] and first["text/html"].startswith('<div class="symgrad">')
    assert "= -2" in first["text/markdown"]
    # dL/dm = -2 and m - 0.1 * (-2) = 1.7, worked out by hand
    assert results[1]["data"]["text/plain"] == "(-2, 17/10)"
    picture = results[2]["data"]["image/svg+xml"]  # the graph: yhat = 7, dL/dyhat = -1
    assert "yhat = 7" in picture and "dL/dyhat = -1" in picture
    assert "wrong" in results[-1]["data"]["text/plain"]
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]


def test_the_committed_notebook_is_what_the_script_writes(tmp_path):
    _notebook_tools()
    import runpy
    import shutil

    script = tmp_path / "make_notebook.py"
    shutil.copy(ROOT / "examples" / "make_notebook.py", script)
    runpy.run_path(str(script), run_name="__main__")
    assert (tmp_path / "walkthrough.ipynb").read_bytes() == (ROOT / "examples" / "walkthrough.ipynb").read_bytes()


def _passes_katex_and_compiles(d, tmp_path, **options) -> tuple[str, str]:
    """The Markdown and the standalone LaTeX of ``d`` rendered with ``options``, after every
    Markdown math fragment passed KaTeX and the LaTeX compiled with pdflatex."""
    require("pdflatex")
    require("katex")
    from engines import extract_markdown_math, katex_render

    md = d.render("markdown", **options)
    assert all(r["ok"] for r in katex_render(extract_markdown_math(md)))
    tex = d.render("latex", standalone=True, **options)
    result = compile_latex(tex, tmp_path)
    assert result.ok, result.log_excerpt
    return md, tex


@pytest.mark.engine
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_graph_inside_every_format(name, tmp_path):
    d = symgrad.derive(example=name)
    md, tex = _passes_katex_and_compiles(d, tmp_path, graph=True)
    block = md.split("```mermaid\n")[1].split("```")[0]
    assert block.startswith("flowchart LR") and len(block.splitlines()) > 4
    assert "\\begin{tikzpicture}" in tex
    html = d.render("html", graph=True)
    root = ET.fromstring(html)
    svgs = root.findall(".//{http://www.w3.org/2000/svg}svg")
    assert len(svgs) == 1
    labels = " ".join(t.text or "" for t in svgs[0].iter("{http://www.w3.org/2000/svg}text"))
    assert d.problem.loss in labels


def test_the_graph_shows_the_numbers_worked_out_by_hand():
    # L1 at x=2, y=10, m=1.5: yhat = 7, L = |10 - 7| = 3, dL/dyhat = -sign(3) = -1
    md = symgrad.derive().render("markdown", graph=True)
    block = md.split("```mermaid\n")[1].split("```")[0]
    assert "yhat = 7<br/>dL/dyhat = -1" in block and "L = 3" in block
    assert "```mermaid" not in symgrad.derive().render("markdown")


def test_prime_notation_where_one_name_varies():
    text = symgrad.derive().render("text", notation="prime")
    # L = |y - yhat| uses one varying name (yhat), yhat = m*x + 4 one (m): by hand
    assert "Chain rule: L'(m) = L'(yhat)*yhat'(m)" in text
    assert "Together: L'(m) = -sign(y - yhat)*x = -sign(10 - 7)*2 = -2" in text
    net = symgrad.derive(example="network").render("text", notation="prime")
    assert "∂net_o1/∂out_h1" in net  # net_o1 = w5*out_h1 + w6*out_h2 + b2: two vary
    assert "out_h1'(net_h1)" in net  # out_h1 = sigma(net_h1): one varies
    two = symgrad.derive(lets=["yhat = m*x + b", "L = (y - yhat)^2"], wrt="m,b").render(
        "text", notation="prime")
    assert "dL/dm" in two and "L'(m)" not in two  # two parameters: dL/dm is partial
    d = symgrad.derive()
    assert d.render("json", notation="prime") == d.render("json")  # data, not notation


@pytest.mark.engine
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_prime_notation_compiles_and_passes_katex(name, tmp_path):
    _passes_katex_and_compiles(symgrad.derive(example=name), tmp_path, notation="prime")
