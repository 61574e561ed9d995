"""Pictures from derivation records: the computation graph as SVG, TikZ and Mermaid, and
matplotlib plots (loss with the kink's fan, L1 against L2, a descent trajectory).

Expected numbers are computed here, independently: the L1 example with sympy.diff on an
expression built in this file, Mazur's network with a float forward pass and central
differences. TikZ goes through pdflatex (tests/engines.py: skipped locally without it,
failing under CI); plot tests need matplotlib the same way.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp
from engines import compile_latex, require

import symgrad
from symgrad import pictures
from symgrad.errors import SymgradError, UsageError
from symgrad.pictures import command
from symgrad.reader.examples import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def need_matplotlib():
    """matplotlib, or a skip (a failure when CI is set: CI must not pass by skipping)."""
    try:
        import matplotlib
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("matplotlib is required in CI: pip install 'symgrad[plot]'")
        pytest.skip("matplotlib not installed (pip install 'symgrad[plot]')")
    return matplotlib


def svg_texts(text: str) -> list[str]:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def derived(name: str, **options):
    return symgrad.derive(example=name, **options)


# ------------------------------------------------------------------------- the graph


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_has_its_graph_in_every_form(name):
    d = derived(name)
    p = d.problem
    names = [*p.inputs, *p.names]
    texts = svg_texts(pictures.graph(d, "svg"))
    for n in names:  # a value line and an adjoint line for every input and quantity
        assert any(re.fullmatch(rf"{re.escape(n)} [=≈] -?[0-9.e-]+", t) for t in texts), (n, texts)
        assert any(t.startswith(f"d{p.loss}/d{n} ") for t in texts), (n, texts)
    mermaid = pictures.graph(d, "mermaid")
    assert mermaid.startswith("flowchart LR\n")
    labels = re.findall(r'^  n\d+\["([^"]*)"\]$', mermaid, flags=re.M)
    assert len(labels) == len(names)
    for n in names:
        assert any(label.startswith(f"{n} ") for label in labels), n
    edges = sum(len(p.uses[q]) for q in p.names)
    assert mermaid.count(" --> ") == edges
    tikz = pictures.graph(d, "tikz")
    assert tikz.startswith(r"\begin{tikzpicture}") and tikz.rstrip().endswith(r"\end{tikzpicture}")
    assert tikz.count(r"\node[") == len(names) and tikz.count(r"\draw[->") == edges


def test_l1_graph_values_against_sympy():
    m, x, y = sp.symbols("m x y", real=True)
    yhat = m * x + 4
    loss = sp.Abs(y - yhat)
    at = {m: sp.Rational(3, 2), x: 2, y: 10}
    expect = {
        "yhat = ": yhat.subs(at), "L = ": loss.subs(at),
        "dL/dm = ": sp.diff(loss, m).subs(at), "dL/dx = ": sp.diff(loss, x).subs(at),
        "dL/dy = ": sp.diff(loss, y).subs(at),
        "dL/dyhat = ": sp.diff(sp.Abs(y - sp.Symbol("u", real=True)), sp.Symbol("u", real=True))
        .subs({y: 10, sp.Symbol("u", real=True): yhat.subs(at)}),
    }
    assert expect["yhat = "] == 7 and expect["L = "] == 3 and expect["dL/dm = "] == -2
    texts = svg_texts(pictures.graph(symgrad.derive(), "svg"))
    for label, value in expect.items():
        shown = str(int(value)) if value == int(value) else str(float(value))
        assert label + shown in texts, (label, shown, texts)
    assert "dL/dx = -1.5" in texts and "m = 1.5" in texts


def _mazur(v: dict) -> dict:
    """Mazur's 2-2-2 network forward pass in floats."""
    s = lambda z: 1 / (1 + math.exp(-z))
    out = dict(v)
    out["net_h1"] = v["w1"] * v["i1"] + v["w2"] * v["i2"] + v["b1"]
    out["net_h2"] = v["w3"] * v["i1"] + v["w4"] * v["i2"] + v["b1"]
    out["out_h1"], out["out_h2"] = s(out["net_h1"]), s(out["net_h2"])
    out["net_o1"] = v["w5"] * out["out_h1"] + v["w6"] * out["out_h2"] + v["b2"]
    out["net_o2"] = v["w7"] * out["out_h1"] + v["w8"] * out["out_h2"] + v["b2"]
    out["out_o1"], out["out_o2"] = s(out["net_o1"]), s(out["net_o2"])
    out["E"] = (v["t1"] - out["out_o1"]) ** 2 / 2 + (v["t2"] - out["out_o2"]) ** 2 / 2
    return out


def test_network_graph_values_against_a_float_forward_pass():
    d = derived("network")
    point = {k: float(v) for k, v in d.problem.values}
    forward = _mazur(point)
    shown = {}
    for t in svg_texts(pictures.graph(d, "svg")):
        name, _, number = re.split(r" ([=≈]) ", t)
        shown[name] = float(number)
    for name, value in forward.items():
        assert shown[name] == pytest.approx(value, rel=1e-5), name
    h = 1e-6
    for w in ("w1", "w5", "b2", "i1"):
        plus, minus = dict(point), dict(point)
        plus[w] += h
        minus[w] -= h
        slope = (_mazur(plus)["E"] - _mazur(minus)["E"]) / (2 * h)
        assert shown[f"dE/d{w}"] == pytest.approx(slope, rel=1e-4), w
    assert shown["dE/dw5"] == pytest.approx(0.082167041, rel=1e-5)  # Mazur's published value


def test_symbolic_graph_shows_names_and_formulas():
    d = symgrad.derive(lets=["yhat = m*x + b", "L = (y - yhat)^2"], wrt="m,b")
    texts = svg_texts(pictures.graph(d, "svg"))
    assert sorted(texts) == sorted(["m", "x", "b", "y", "yhat = m*x + b", "L = (y - yhat)^2"])
    assert "dL/d" not in pictures.graph(d, "mermaid")
    assert r"\hat{y} = m x + b" in pictures.graph(d, "tikz")


def test_labels_are_escaped():
    d = symgrad.derive(lets=["u = where(x < 0, -x, 2*x)", "L = u^2"], wrt="x")
    text = pictures.graph(d, "svg")
    assert "x &lt; 0" in text and "where(x < 0" in " ".join(svg_texts(text))
    mermaid = pictures.graph(d, "mermaid")
    assert "x #lt; 0" in mermaid and "<0" not in mermaid.replace("<br/>", "")


def test_kink_under_subdifferential_and_a_sum_over_examples():
    d = symgrad.derive(at="y=7", convention="subdifferential")
    texts = svg_texts(pictures.graph(d, "svg"))
    assert "dL/dm ∈ [-2, 2]" in texts and "dL/dyhat: set-valued (kink)" in texts
    d = symgrad.derive(lets=["yhat_i = m*x_i + b", "J = mean((y_i - yhat_i)^2, i)"], wrt="m,b")
    texts = svg_texts(pictures.graph(d, "svg"))
    assert "J = mean of ell_i over i" in texts


def test_layout_has_no_overlapping_boxes():
    from symgrad.pictures.drawings import boxes
    from symgrad.pictures.model import build_graph

    for d in (derived("network"), derived("network", symbolic=True), derived("softmax")):
        g = build_graph(d)
        geo, _ = boxes(g)
        items = list(geo.values())
        for i, (x1, y1, w1, h1, *_) in enumerate(items):
            for x2, y2, w2, h2, *_ in items[i + 1:]:
                assert abs(x1 - x2) >= (w1 + w2) / 2 or abs(y1 - y2) >= (h1 + h2) / 2
        for a, b in g.edges:  # every edge goes right, to a later column
            assert g.node(a).layer < g.node(b).layer


@pytest.mark.engine
@pytest.mark.parametrize("options", [
    *[pytest.param({"example": n}, id=n) for n in EXAMPLES],
    pytest.param({"example": "network", "symbolic": True}, id="network-symbolic"),
    pytest.param({"at": "y=7", "convention": "subdifferential"}, id="l1-kink-subdifferential"),
    pytest.param({"lets": ["yhat_i = m*x_i + b", "J = mean((y_i - yhat_i)^2, i)"], "wrt": "m,b"},
                 id="mean-symbolic"),
])
def test_tikz_standalone_compiles(options, tmp_path):
    require("pdflatex")
    d = symgrad.derive(**options)
    doc = pictures.graph(d, "tikz-standalone")
    assert doc.startswith(r"\documentclass{article}") and r"\usepackage{tikz}" in doc
    result = compile_latex(doc, tmp_path)
    assert result.ok, result.log_excerpt
    assert "Overfull" not in result.log


def test_graph_is_deterministic_across_hash_seeds():
    code = ("import symgrad, symgrad.pictures as p, sys; d = symgrad.derive(example='network');"
            "sys.stdout.write(p.graph(d, 'svg') + p.graph(d, 'tikz') + p.graph(d, 'mermaid'))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert len(outs) == 1


# ------------------------------------------------------------------------- plots


def png_pixels(data: bytes):
    need_matplotlib()
    import matplotlib.image
    import numpy as np

    assert data.startswith(b"\x89PNG")
    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert pixels.var() > 0
    colours = np.unique(pixels.reshape(-1, pixels.shape[-1]).round(2), axis=0)
    assert len(colours) >= 5, len(colours)
    return pixels


def fan_ids(svg_text: str) -> list[str]:
    root = ET.fromstring(svg_text.encode("utf-8"))
    return sorted(e.get("id") for e in root.iter() if (e.get("id") or "").startswith("fan-"))


@pytest.mark.parametrize("kind, options", [
    ("loss", {}), ("comparison", {}), ("trajectory", {"steps": 10, "lr": 0.1}),
    ("loss", {"example": "network"}), ("trajectory", {"example": "logistic", "steps": 5}),
    ("loss", {"example": "logistic", "at": "w=0.5"}),
])
def test_plots_are_pictures(kind, options):
    need_matplotlib()
    d = symgrad.derive(**options)
    png_pixels(pictures.plot(d, kind, "png"))
    ET.fromstring(pictures.plot(d, kind, "svg").encode("utf-8"))


def test_loss_plot_draws_the_fan_only_on_a_kink():
    need_matplotlib()
    on = pictures.plot(symgrad.derive(at="x=2, y=7, m=1.5"), "loss")
    assert fan_ids(on) == [f"fan-{k}" for k in range(9)]
    assert "chosen subgradient (min-norm)" in on or "gradient" in on
    off = pictures.plot(symgrad.derive(), "loss")
    assert fan_ids(off) == []


def test_plots_are_byte_identical():
    need_matplotlib()
    d = symgrad.derive(at="y=7")
    for kind in ("loss", "comparison"):
        assert pictures.plot(d, kind, "svg") == pictures.plot(d, kind, "svg")
        assert pictures.plot(d, kind, "png") == pictures.plot(d, kind, "png")
    code = ("import symgrad, symgrad.pictures as p, sys; d = symgrad.derive(at='y=7');"
            "sys.stdout.buffer.write(p.plot(d, 'loss', 'png') + p.plot(d, 'loss').encode())")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": s}).stdout
            for s in ("3", "4")}
    assert len(outs) == 1


def test_usage_errors_are_one_line():
    d = symgrad.derive()
    cases = [
        (lambda: pictures.graph(d, "png"), "unknown graph format 'png'"),
        (lambda: pictures.plot(d, "histogram"), "unknown plot kind 'histogram'"),
        (lambda: pictures.plot(d, "loss", "pdf"), "unknown plot format 'pdf'"),
    ]
    if _has_matplotlib():
        cases += [
            (lambda: pictures.plot(d, "trajectory"), "no descent trajectory"),
            (lambda: pictures.plot(derived("l2"), "comparison"), "no comparison rows"),
            (lambda: pictures.plot(derived("l1", symbolic=True), "loss"), "needs a point"),
            (lambda: pictures.plot(d, "loss", param="q"), "not an input"),
        ]
    for call, message in cases:
        with pytest.raises(UsageError) as err:
            call()
        assert message in err.value.one_line() and "\n" not in err.value.one_line()


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def test_without_matplotlib_plots_say_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(UsageError) as err:
        pictures.plot(symgrad.derive(), "loss")
    assert err.value.one_line() == "plots need matplotlib: pip install 'symgrad[plot]'"
    assert pictures.graph(symgrad.derive(), "svg").startswith("<?xml")  # graphs need nothing


def test_importing_the_command_loads_nothing_heavy():
    code = ("import symgrad.pictures.command, argparse, sys;"
            "p = argparse.ArgumentParser(); symgrad.pictures.command.add_parser("
            "p.add_subparsers()); p.format_help(); print(' '.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
    assert not {"sympy", "matplotlib", "numpy"} & set(out)


# ------------------------------------------------------------------------- the command


def draw(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="symgrad")
    command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["draw", *argv])
    return args.run(args)


def test_draw_command_writes_each_format(tmp_path, capsys):
    assert draw(["graph", "-o", str(tmp_path / "g.svg")]) == 0
    assert "yhat = 7" in svg_texts((tmp_path / "g.svg").read_text(encoding="utf-8"))
    assert draw(["graph", "--example", "network", "-o", str(tmp_path / "g.tex")]) == 0
    assert (tmp_path / "g.tex").read_text().startswith(r"\documentclass{article}")
    assert draw(["graph", "-o", str(tmp_path / "g.md")]) == 0
    assert (tmp_path / "g.md").read_text().startswith("```mermaid\nflowchart LR\n")
    assert draw(["graph", "--let", "yhat = m*x + b", "--let", "L = (y - yhat)^2", "--wrt", "m,b",
                 "--format", "tikz"]) == 0
    assert capsys.readouterr().out.startswith(r"\begin{tikzpicture}")
    if _has_matplotlib():
        assert draw(["loss", "--at", "x=2, y=7, m=1.5", "-o", str(tmp_path / "k.svg")]) == 0
        assert len(fan_ids((tmp_path / "k.svg").read_text())) == 9
        assert draw(["trajectory", "--lr", "0.1", "--steps", "10", "-o", str(tmp_path / "t.png")]) == 0
        png_pixels((tmp_path / "t.png").read_bytes())


@pytest.mark.parametrize("argv, message", [
    (["graph", "-o", "g.png"], "png is for the plots"),
    (["loss", "--format", "mermaid"], "svg or png, not mermaid"),
    (["graph", "-o", "g.pdf"], "cannot tell the format"),
    (["loss", "--format", "png"], "give -o FILE.png"),
    (["graph", "--param", "m"], "--param goes with the plots"),
    (["graph", "--example", "nope"], "key 'example': expected one of l1"),
])
def test_draw_command_errors(argv, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SymgradError) as err:
        draw(argv)
    assert message in err.value.one_line()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_has_its_loss_and_trajectory_plots(name):
    need_matplotlib()
    d = symgrad.derive(example=name)
    png_pixels(pictures.plot(d, "loss", "png"))
    ET.fromstring(pictures.plot(d, "loss", "svg").encode("utf-8"))
    lr = None if d.problem.lr is not None else "0.1"
    run = symgrad.derive(example=name, steps=4, lr=lr)
    png_pixels(pictures.plot(run, "trajectory", "png"))
