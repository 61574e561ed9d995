"""Self-checks for tests/engines.py: the helpers must catch real failures.

Each check pairs a good input with bad ones, so a helper that always says
"fine" (or always says "broken") fails here.
"""

from __future__ import annotations

import json
import re

import pytest
from engines import (
    check_mathml_html,
    chromium_dump_dom,
    compile_latex,
    extract_markdown_math,
    katex_render,
    pdf_to_png,
    require,
    screenshot_html,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

GOOD_LATEX = r"""\documentclass{article}
\usepackage{amsmath,amssymb}
\begin{document}
\[
  \frac{\partial}{\partial x}\left(x^2 \sin x\right) = 2x\sin x + x^2\cos x
\]
\begin{align*}
  f(x) &= \operatorname{tanh}(w x + b) \\
  f'(x) &= w\,\bigl(1 - \tanh^2(w x + b)\bigr)
\end{align*}
\end{document}
"""

BAD_LATEX = r"""\documentclass{article}
\begin{document}
Before.
\[ a + \undefinedmacro{b} \]
After.
\end{document}
"""


# ---------------------------------------------------------------------------
# pdflatex / pdftoppm
# ---------------------------------------------------------------------------


@pytest.mark.engine
def test_pdflatex_compiles_good_document(tmp_path):
    require("pdflatex")
    result = compile_latex(GOOD_LATEX, tmp_path)
    assert result.ok, result.log_excerpt
    assert result.returncode == 0
    assert result.log_excerpt == ""
    assert result.pdf_path == tmp_path / "doc.pdf"
    assert result.pdf_path.read_bytes().startswith(b"%PDF")


@pytest.mark.engine
def test_pdflatex_reports_undefined_macro():
    require("pdflatex")
    result = compile_latex(BAD_LATEX)  # default: a temporary work directory
    assert not result.ok
    assert result.returncode != 0
    assert result.pdf_path is None
    assert "! Undefined control sequence." in result.log_excerpt
    assert r"\undefinedmacro" in result.log_excerpt
    # The excerpt is only the error and its context, not the whole log.
    assert "This is pdfTeX" not in result.log_excerpt
    assert len(result.log_excerpt.splitlines()) <= 6


@pytest.mark.engine
def test_pdf_to_png_renders_pages(tmp_path):
    require("pdflatex")
    require("pdftoppm")
    result = compile_latex(GOOD_LATEX, tmp_path / "tex")
    assert result.ok, result.log_excerpt
    pages = pdf_to_png(result.pdf_path, tmp_path / "png" / "page")
    assert [p.name for p in pages] == ["page-1.png"]
    data = pages[0].read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 1024


# ---------------------------------------------------------------------------
# KaTeX
# ---------------------------------------------------------------------------


@pytest.mark.engine
def test_katex_accepts_valid_fragments():
    require("katex")
    fragments = [
        (r"\frac{a}{b}", False),
        (r"\begin{aligned}a&=b\end{aligned}", True),
    ]
    results = katex_render(fragments)
    assert len(results) == 2
    for (tex, _), res in zip(fragments, results):
        assert res["ok"], (tex, res)
        assert res["error"] is None
        assert isinstance(res["warnings"], list)


@pytest.mark.engine
def test_katex_rejects_invalid_fragments():
    require("katex")
    results = katex_render([(r"\frac{a}", False), (r"\label{x}", True), (r"x \tag{1}", False)])
    assert [r["ok"] for r in results] == [False, False, False]
    assert all(r["error"].startswith("KaTeX parse error") for r in results)
    assert r"\label" in results[1]["error"]
    assert r"\tag" in results[2]["error"]


@pytest.mark.engine
def test_katex_collects_strict_warnings_without_failing():
    require("katex")
    (res,) = katex_render([("é", False)])  # Unicode text in math: a strict-mode warning
    assert res["ok"]
    assert res["warnings"], res


@pytest.mark.engine
def test_katex_empty_batch_needs_no_node():
    assert katex_render([]) == []


# ---------------------------------------------------------------------------
# Markdown math extraction
# ---------------------------------------------------------------------------

SAMPLE_MD = r"""# Gradient of $f(x) = x^2$

It costs \$5, or \$10 with tax; that is $5 or $10 too.

The derivative is $f'(x) = 2x$ and, displayed,

$$
\frac{\mathrm{d}}{\mathrm{d}x} x^2 = 2x
$$

Inline code `$not math$` and ``a `$tick$` b`` are skipped, as is

```python
price = "$x$"  # $$ not math $$
```

~~~
$also skipped$
~~~

A multi-line display $$\begin{aligned}
a &= b \\
c &= d
\end{aligned}$$ ends here, then $\text{cost } \$3$ and \\$y$.
$ spaced $ is not math, and neither is an unclosed $$ opener.
"""


def test_extract_markdown_math_sample():
    assert extract_markdown_math(SAMPLE_MD) == [
        ("f(x) = x^2", False),
        ("f'(x) = 2x", False),
        (r"\frac{\mathrm{d}}{\mathrm{d}x} x^2 = 2x", True),
        ("\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}", True),
        (r"\text{cost } \$3", False),
        ("y", False),
    ]


@pytest.mark.parametrize(
    ("md", "expected"),
    [
        ("", []),
        ("no math here", []),
        ("$a$$b$", [("a", False), ("b", False)]),
        ("$$a$$", [("a", True)]),
        ("$x$5 then $y$", [("x$5 then $y", False)]),  # closing $ may not precede a digit
        ("$5 or $10", []),
        ("$5 and then $x$", [("5 and then $x", False)]),  # pandoc does the same: escape \\$
        ("`unclosed $x$", [("x", False)]),  # a lone backtick is literal
        ("$a\n\nb$", []),  # inline math stops at a blank line
        ("$a\nb$", [("a\nb", False)]),
        ("```\n$x$", []),  # unclosed fence runs to the end
        ("````\n```\n$x$\n````\n$y$", [("y", False)]),  # a shorter fence does not close
    ],
)
def test_extract_markdown_math_rules(md, expected):
    assert extract_markdown_math(md) == expected


# ---------------------------------------------------------------------------
# MathML / XHTML checks
# ---------------------------------------------------------------------------


def xhtml_page(*maths: str) -> str:
    body = "\n".join(
        f'<p><math xmlns="http://www.w3.org/1998/Math/MathML" display="block">{m}</math></p>'
        for m in maths
    )
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n'
        '<head><meta charset="utf-8"/><title>MathML test</title></head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


GOOD_MATH = (
    "<semantics><mrow><mfrac><mrow><mo>&#x2202;</mo><mi>f</mi></mrow>"
    "<mrow><mo>&#x2202;</mo><mi>x</mi></mrow></mfrac><mo>=</mo>"
    "<msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><msqrt><mi>y</mi></msqrt></mrow>"
    '<annotation encoding="application/x-tex">\\frac{\\partial f}{\\partial x} = x^2 + '
    "\\sqrt{y} &amp; $</annotation></semantics>"
)


def test_check_mathml_accepts_valid_page():
    table = "<mtable><mtr><mtd><mi>a</mi></mtd><mtd><mo>=</mo><mi>b</mi></mtd></mtr></mtable>"
    assert check_mathml_html(xhtml_page(GOOD_MATH, table)) == []


def test_check_mathml_flags_malformed_xml():
    page = xhtml_page("<mrow><mi>a</mi>&<mi>b</mi></mrow>")  # raw & as latex2mathml emits
    problems = check_mathml_html(page)
    assert len(problems) == 1
    assert problems[0].startswith("not well-formed XML")


def test_check_mathml_flags_unclosed_tag():
    problems = check_mathml_html(xhtml_page("<mrow><mi>a</mi>"))
    assert problems and "not well-formed XML" in problems[0]


def test_check_mathml_flags_leftover_tex_command():
    problems = check_mathml_html(xhtml_page(GOOD_MATH, r"<mi>\alpha</mi>"))
    assert len(problems) == 1
    assert "math #2" in problems[0]
    assert "backslash in <mi>" in problems[0]
    assert r"\alpha" in problems[0]


def test_check_mathml_flags_non_core_element():
    problems = check_mathml_html(xhtml_page("<mfenced><mi>a</mi><mi>b</mi></mfenced>"))
    assert problems == [
        "math #1 (ab): non-Core MathML element <mfenced>",
    ]


def test_check_mathml_flags_ampersand_dollar_and_stray_text():
    problems = check_mathml_html(xhtml_page(
        "<mrow><mi>a</mi><mo>&amp;</mo><mo>=</mo><mi>b</mi></mrow>",
        "<mtext>for all $n$</mtext>",
        "<mrow>x<mi>y</mi></mrow>",
    ))
    assert any("math #1" in p and "raw '&'" in p for p in problems), problems
    assert any("math #2" in p and "'$'" in p for p in problems), problems
    assert any("math #3" in p and "text outside a token element" in p for p in problems), problems
    assert len(problems) == 3, problems


def test_check_mathml_flags_math_without_namespace():
    page = xhtml_page().replace("<body>", "<body><p><math><mi>a</mi></math></p>")
    problems = check_mathml_html(page)
    assert len(problems) == 1 and "outside the MathML namespace" in problems[0]


# ---------------------------------------------------------------------------
# Chromium
# ---------------------------------------------------------------------------

FRACTION_MATH = '<mfrac><mi id="num">a</mi><mi id="den">b</mi></mfrac>'


@pytest.mark.engine
def test_chromium_screenshot_of_mathml(tmp_path):
    require("chromium")
    page = xhtml_page(FRACTION_MATH).replace("<body>", '<body style="font-size:48px">')
    assert check_mathml_html(page) == []
    html = tmp_path / "fraction.html"
    html.write_text(page, encoding="utf-8")
    png = tmp_path / "fraction.png"
    screenshot_html(html, png, width=600, height=400)
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 1024
    # Width and height from the IHDR chunk.
    assert int.from_bytes(data[16:20], "big") == 600
    assert int.from_bytes(data[20:24], "big") == 400


@pytest.mark.engine
def test_chromium_lays_out_mfrac_as_a_fraction(tmp_path):
    """The browser must stack numerator over denominator (MathML Core layout),
    not run them together on one line as it would for unknown markup."""
    require("chromium")
    probe = (
        "<script>//<![CDATA[\n"
        "const r = id => document.getElementById(id).getBoundingClientRect();\n"
        "document.body.setAttribute('data-layout', JSON.stringify("
        "{numBottom: r('num').bottom, denTop: r('den').top,"
        " numLeft: r('num').left, denLeft: r('den').left}));\n"
        "//]]></script>"
    )
    page = xhtml_page(FRACTION_MATH).replace("</body>", probe + "</body>")
    html = tmp_path / "probe.html"
    html.write_text(page, encoding="utf-8")
    dom = chromium_dump_dom(html)
    m = re.search(r'data-layout="([^"]*)"', dom)
    assert m, dom[-500:]
    layout = json.loads(m.group(1).replace("&quot;", '"'))
    assert layout["denTop"] >= layout["numBottom"], layout
    assert abs(layout["denLeft"] - layout["numLeft"]) < 5, layout


@pytest.mark.engine
def test_screenshot_html_reports_missing_file(tmp_path):
    """Chromium exits 0 when a page fails to load; the helper must raise."""
    require("chromium")
    with pytest.raises(FileNotFoundError):
        screenshot_html(tmp_path / "missing" / "nothing.html", tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()
