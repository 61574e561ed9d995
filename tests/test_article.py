"""`symgrad render SOURCE`: blocks in a Markdown and a LaTeX article expand in place, a re-run is
byte-identical, --check tells a stale expansion, and the results compile (pdflatex) and pass
KaTeX. The derivations' numbers are checked against values worked out here by hand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from engines import compile_latex, extract_markdown_math, katex_render, require

from symgrad.cli import main

ROOT = Path(__file__).resolve().parents[1]

MARKDOWN = """\
# Three gradients

The L1 loss of a line, at a point:

```symgrad
example = "l1"
heading = "subsection"
```

The squared error, symbolically, for MkDocs (pymdownx.arithmatex reads `$$`):

```symgrad
let = ["yhat = m*x + b", "L = (y - yhat)^2"]
wrt = "m,b"
heading = "none"
```

A tanh neuron, briefly:

~~~~symgrad
let = ["z = w*x", "a = tanh(z)", "L = (y - a)^2"]
wrt = "w"
at = "x = 1, y = 0, w = 0"
detail = "brief"
~~~~

The end.
"""

LATEX = r"""\documentclass{article}
\usepackage{amsmath,amssymb}
\begin{document}
\section{Three gradients}
% ```symgrad
% example = "l1"
% ```
Then the hinge loss, on its kink:
% ```symgrad
% let = ["s = w*x", "L = max(0, 1 - y*s)"]
% wrt = "w"
% at = { x = 1, y = 1, w = 1 }
% numbered = true
% ```
and a symbolic one.
% ```symgrad
% let = ["yhat = m*x + b", "L = (y - yhat)^2"]
% wrt = "m"
% heading = "none"
% ```
\end{document}
"""


def _render(path: Path, *extra: str) -> int:
    return main(["render", str(path), *extra])


@pytest.fixture
def md(tmp_path) -> Path:
    p = tmp_path / "post.md"
    p.write_text(MARKDOWN, encoding="utf-8")
    return p


@pytest.fixture
def tex(tmp_path) -> Path:
    p = tmp_path / "notes.tex"
    p.write_text(LATEX, encoding="utf-8")
    return p


def test_markdown_blocks_expand_once_and_a_rerun_changes_nothing(md, capsys):
    assert _render(md, "--check") == 1  # nothing expanded yet
    assert _render(md) == 0
    first = md.read_bytes()
    text = first.decode()
    assert text.count("<!-- symgrad:begin") == 3 and text.count("<!-- symgrad:end -->") == 3
    assert text.count("```symgrad") == 2 and text.count("~~~~symgrad") == 1  # the blocks stay
    assert text.startswith("# Three gradients\n") and text.rstrip().endswith("The end.")
    # L1 at x=2, y=10, m=1.5: yhat = 7, dL/dm = -sign(10 - 7) * 2 = -2 (by hand)
    assert "### The L1 loss gradient" in text  # heading = "subsection": one level down
    assert "= -2\n" in text
    # the squared error, symbolic: dL/dm = -2 (y - yhat) x; heading "none": no title line
    assert "The gradient of L with respect to m, b" not in text
    # tanh at w = 0: a = 0, dL/da = -2 (y - a) = 0, so dL/dw = 0; brief hides the sum rule
    tanh_part = text.split("~~~~symgrad")[1]
    assert "**Sum.**" not in tanh_part and "**Tanh.**" in tanh_part
    assert _render(md) == 0
    assert md.read_bytes() == first
    assert _render(md, "--check") == 0
    assert "up to date" in capsys.readouterr().out


def test_editing_a_block_makes_check_fail_and_names_the_block(md, capsys):
    _render(md)
    text = md.read_text()
    md.write_text(text.replace('example = "l1"', 'example = "l1"\nat = { y = 7 }'))
    capsys.readouterr()
    assert _render(md, "--check") == 1
    err = capsys.readouterr().err
    assert "post.md: stale symgrad block(s) at line 5" in err
    assert _render(md) == 0 and _render(md, "--check") == 0
    assert "kink" in md.read_text()  # y = 7 = m*x + 4 puts the L1 example on its kink


def test_editing_the_generated_text_is_stale_too(md):
    _render(md)
    md.write_text(md.read_text().replace("= -2\n", "= -3\n", 1))
    assert _render(md, "--check") == 1
    _render(md)
    assert "= -3\n" not in md.read_text()


@pytest.mark.engine
def test_expanded_markdown_passes_katex(md):
    require("katex")
    _render(md)
    fragments = extract_markdown_math(md.read_text())
    assert len(fragments) > 20
    bad = [(t, r["error"]) for (t, _), r in zip(fragments, katex_render(fragments)) if not r["ok"]]
    assert not bad, bad[:3]


def test_latex_article_expands_and_is_idempotent(tex):
    assert _render(tex) == 0
    first = tex.read_bytes()
    text = first.decode()
    assert text.count("% symgrad:begin") == 3
    assert "\\subsection*{The L1 loss gradient" in text  # LaTeX blocks default to subsection
    # the hinge block on its kink (1 - y*w*x = 0) is numbered
    assert "\\begin{equation}" in text.split("% numbered = true")[1].split("% symgrad:end")[0]
    assert _render(tex) == 0 and tex.read_bytes() == first


@pytest.mark.engine
def test_expanded_latex_compiles(tex, tmp_path):
    require("pdflatex")
    _render(tex)
    result = compile_latex(tex.read_text(), tmp_path / "build")
    assert result.ok, result.log_excerpt
    assert "Overfull \\hbox" not in result.log


def test_output_file_leaves_the_source_alone(tex, tmp_path):
    out = tmp_path / "out.tex"
    assert main(["render", str(tex), "-o", str(out)]) == 0
    assert tex.read_text() == LATEX and "% symgrad:begin" in out.read_text()


def test_myst_math_for_jupyter_book_without_dollarmath(tmp_path):
    p = tmp_path / "page.md"
    p.write_text('```symgrad\nexample = "l1"\nmath = "myst"\n```\n')
    assert _render(p) == 0
    text = p.read_text()
    generated = text.split("symgrad:begin")[1]
    assert "```{math}" in generated and "{math}`" in generated
    assert "$" not in generated.replace("\\$", "")


@pytest.mark.parametrize("block, message", [
    ('exampel = "l1"', "block at line 1: unknown key(s) exampel"),
    ('example = "l1"\nformat = "latex"', "key 'format': a markdown source takes markdown, html, text"),
    ('let = ["L = (y - m*x)^2"]\nwrt = "q"', "block at line 1: --wrt: unknown name 'q'"),
    ('example = "l1"\nwidth = 5', "key 'width': a whole number from 20 to 400"),
    ('example = "l1"\nnumbered = true', "'numbered' goes with the latex format"),
    ('example = "l1\n', "block at line 1:"),
])
def test_a_bad_block_is_one_line_naming_it_and_nothing_is_written(tmp_path, capsys, block, message):
    p = tmp_path / "bad.md"
    good = '```symgrad\nexample = "l1"\n```\n'
    source = f"```symgrad\n{block}\n```\n\n{good}"
    p.write_text(source)
    assert _render(p) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert p.read_text() == source  # all blocks render before anything is written


@pytest.mark.parametrize("text, message", [
    ('```symgrad\nexample = "l1"\n', "the symgrad block is not closed"),
    ('```symgrad\nexample = "l1"\n```\n\n<!-- symgrad:begin -->\nold\n', "has no end marker"),
])
def test_broken_structure_is_refused(tmp_path, capsys, text, message):
    p = tmp_path / "broken.md"
    p.write_text(text)
    assert _render(p) == 2
    assert message in capsys.readouterr().err


def test_unknown_extension_needs_kind(tmp_path, capsys):
    p = tmp_path / "notes.txt"
    p.write_text('```symgrad\nexample = "l1"\n```\n')
    assert _render(p) == 2
    assert "--kind" in capsys.readouterr().err
    assert _render(p, "--kind", "markdown") == 0


def test_crlf_sources_keep_their_line_ends(tmp_path):
    p = tmp_path / "win.md"
    p.write_bytes(b'Intro\r\n\r\n```symgrad\r\nexample = "l1"\r\n```\r\n\r\nEnd\r\n')
    assert _render(p) == 0
    raw = p.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") and raw.endswith(b"End\r\n")
    assert _render(p, "--check") == 0


def test_rerun_is_byte_identical_across_hash_seeds(md, tmp_path):
    outs = []
    for seed in ("1", "2"):
        copy = tmp_path / f"seed{seed}.md"
        copy.write_text(MARKDOWN)
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-m", "symgrad", "render", str(copy)], check=True,
                       env=env, capture_output=True, timeout=300)
        outs.append(copy.read_bytes())
    assert outs[0] == outs[1]


def test_html_blocks_are_one_markdown_html_block(tmp_path):
    import xml.etree.ElementTree as ET

    p = tmp_path / "page.md"
    p.write_text('```symgrad\nexample = "l1"\nformat = "html"\n```\n')
    assert _render(p) == 0
    generated = p.read_text().split("symgrad:begin")[1].split("\n", 2)[2].split("<!-- symgrad:end")[0]
    html = generated.strip()
    assert "\n\n" not in html  # CommonMark ends an HTML block at a blank line
    root = ET.fromstring(html)
    assert root.tag == "div" and root.find(".//{http://www.w3.org/1998/Math/MathML}math") is not None
