"""Exercise sheets (symgrad/exercises/): determinism, the mathematics of every variant against
oracles written here (sympy.diff of the loss typed out with plain SymPy, central differences),
kinks avoided or included (decided here from y == m*x + 4, not by symgrad), the documents
through pdflatex and KaTeX, one-line errors for bad --vary texts, and the answer keys
through ``symgrad check``.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import sympy as sp
from engines import compile_latex, extract_markdown_math, katex_render, require

from symgrad.cli import _Parser, main
from symgrad.errors import UsageError
from symgrad.exercises import command, make_sheet, parse_vary
from symgrad.reader.schema import BY_NAME

ROOT = Path(__file__).resolve().parents[1]
x, y, m, w, b = sp.symbols("x y m w b", real=True)
L1_LOSS = sp.Abs(y - (m * x + 4))  # the L1 example, typed out here
L1_OPTIONS = {"example": "l1"}
KINKY = "x=1..4, y=4..12, m={1, 1.5, 2}"  # y = m*x + 4 happens in this grid


def on_l1_kink(point: dict) -> bool:
    return point["y"] == point["m"] * point["x"] + 4


def everything(sheet) -> str:
    parts = [sheet.render(k, f) for k in ("sheet", "solutions") for f in ("latex", "markdown")]
    parts += [sheet.render(k, "latex", standalone=True) for k in ("sheet", "solutions")]
    parts += [f"{n}\n{t}" for n, t in sheet.answer_keys().items()]
    return "\n".join(parts)


def digest(sheet) -> str:
    return hashlib.sha256(everything(sheet).encode()).hexdigest()


# --------------------------------------------------------------- determinism


def test_same_seed_same_bytes_in_process():
    a = make_sheet(L1_OPTIONS, "x=1..5, y=-3..3", count=10, seed=3)
    b_ = make_sheet(L1_OPTIONS, "x=1..5, y=-3..3", count=10, seed=3)
    assert everything(a) == everything(b_)
    points = [e.point for e in a.exercises]
    assert len(points) == len(set(points)) == 10


def test_same_bytes_in_subprocesses_with_other_hash_seeds():
    code = ("import hashlib, sys; sys.path.insert(0, 'tests'); from test_exercises import digest;"
            "from symgrad.exercises import make_sheet;"
            f"print(digest(make_sheet({L1_OPTIONS!r}, {KINKY!r}, count=7, seed=5, kinks='include')))")
    here = digest(make_sheet(L1_OPTIONS, KINKY, count=7, seed=5, kinks="include"))
    for hash_seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                             text=True, check=True).stdout.strip()
        assert out == here


def test_different_seeds_give_different_sheets():
    sheets = {s: make_sheet(L1_OPTIONS, "x=1..5, y=-3..3", count=5, seed=s) for s in (1, 2, 3)}
    texts = {s: sh.render("sheet", "markdown") for s, sh in sheets.items()}
    assert len(set(texts.values())) == 3
    assert len({tuple(e.point for e in sh.exercises) for sh in sheets.values()}) == 3


# --------------------------------------------------------------- the mathematics


def central_difference(expr, var, point: dict, h: float = 1e-6) -> float:
    f = sp.lambdify([var], expr.subs({s: v for s, v in point.items() if s != var}), "math")
    v = float(point[var])
    return (f(v + h) - f(v - h)) / (2 * h)


def test_every_l1_solution_equals_the_oracles():
    sheet = make_sheet(L1_OPTIONS, "x=-2..3, y=-3..3, m={0.5, 1.5}", count=12, seed=9)
    grad = sp.diff(L1_LOSS, m)
    for e in sheet.exercises:
        values = dict(e.point)
        point = {x: values["x"], y: values["y"], m: values["m"]}
        assert not on_l1_kink(values)
        expected = grad.subs(point)
        assert sp.simplify(e.gradient["m"] - expected) == 0, e.number
        assert abs(central_difference(L1_LOSS, m, point) - float(expected)) < 1e-6
        assert e.updated["m"] == values["m"] - sp.Rational(1, 10) * expected
        assert "updated m = " in sheet.answer_keys()[sheet.key_name(e.number)]


def test_every_solution_of_a_two_parameter_problem_equals_the_oracles():
    loss = (y - (w * x + b)) ** 2
    options = {"lets": ["yhat = w*x + b", "L = (y - yhat)^2"], "wrt": "w,b", "at": "b=0.5",
               "lr": "0.05"}
    sheet = make_sheet(options, "x=-2..2 by 0.5, y={1, 3}, w=0..1 by 1/3", count=8, seed=4)
    assert [n for n, _ in sheet.fixed] == ["b"]
    for e in sheet.exercises:
        values = dict(e.point)
        point = {x: values["x"], y: values["y"], w: values["w"], b: values["b"]}
        for name, var in (("w", w), ("b", b)):
            expected = sp.diff(loss, var).subs(point)
            assert e.gradient[name] == expected
            assert abs(central_difference(loss, var, point) - float(expected)) < 1e-5
    md = sheet.render("sheet", "markdown")
    assert "1/3" in md or "2/3" in md  # exact fractions, never 0.333333
    assert "0.333333" not in md and "0.666667" not in md


# --------------------------------------------------------------- kinks


def test_avoid_puts_no_variant_on_a_kink():
    sheet = make_sheet(L1_OPTIONS, KINKY, count=20, seed=2)
    assert not any(on_l1_kink(dict(e.point)) for e in sheet.exercises)
    assert not any(e.on_kink or e.derivation.kinks for e in sheet.exercises)
    assert "lie exactly on a kink" not in sheet.render("sheet", "markdown")


@pytest.mark.parametrize("count", [1, 3, 10, 30])
def test_include_puts_about_a_third_on_a_kink(count):
    sheet = make_sheet(L1_OPTIONS, KINKY, count=count, seed=11, kinks="include")
    on = [e for e in sheet.exercises if on_l1_kink(dict(e.point))]
    assert len(on) == max(1, round(count / 3))
    assert [e.on_kink for e in sheet.exercises] == [on_l1_kink(dict(e.point)) for e in sheet.exercises]
    for e in on:  # min-norm picks 0 for |u| at 0; the interval is [-|x|, |x|]
        assert e.gradient["m"] == 0 and e.derivation.kinks
    assert "lie exactly on a kink" in sheet.render("sheet", "latex")


def test_include_without_a_kink_in_the_grid_is_a_usage_error():
    with pytest.raises(UsageError, match=r"no point on a kink among the 35 points.*y - yhat = 0"):
        make_sheet(L1_OPTIONS, "x=1..5, y=-3..3", kinks="include")
    with pytest.raises(UsageError, match="the problem has no kink"):
        make_sheet({"example": "logistic"}, "x=1..3", count=2, kinks="include")


def test_any_may_mix():
    sheet = make_sheet(L1_OPTIONS, "x={1, 2}, y={6, 8}, m={1, 2}", count=8, kinks="any")
    assert sorted(on_l1_kink(dict(e.point)) for e in sheet.exercises) == [False] * 5 + [True] * 3


# --------------------------------------------------------------- the documents in real engines


def sample_sheet():
    return make_sheet(L1_OPTIONS, KINKY, count=6, seed=7, kinks="include")


@pytest.mark.engine
@pytest.mark.parametrize("kind", ["sheet", "solutions"])
def test_latex_compiles_standalone_and_as_a_fragment(kind, tmp_path):
    require("pdflatex")
    sheet = sample_sheet()
    result = compile_latex(sheet.render(kind, "latex", standalone=True), tmp_path / "whole")
    assert result.ok, result.log_excerpt
    assert "Overfull \\hbox" not in result.log
    (tmp_path / "part").mkdir()
    (tmp_path / "part" / "fragment.tex").write_text(sheet.render(kind, "latex"), encoding="utf-8")
    doc = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
           "\\input{fragment}\n\\end{document}\n")
    assert compile_latex(doc, tmp_path / "part").ok


@pytest.mark.engine
def test_long_sheet_compiles(tmp_path):
    require("pdflatex")
    sheet = make_sheet({"example": "relu-neuron"}, "x=-3..3 by 0.5, y=0..3, w=-1..1 by 0.5",
                       count=120, kinks="any")
    result = compile_latex(sheet.render("sheet", "latex", standalone=True), tmp_path)
    assert result.ok and "Overfull \\hbox" not in result.log, result.log_excerpt


@pytest.mark.engine
def test_markdown_math_passes_katex():
    require("katex")
    sheet = sample_sheet()
    fragments = [f for kind in ("sheet", "solutions")
                 for f in extract_markdown_math(sheet.render(kind, "markdown"))]
    assert len(fragments) > 20
    bad = [(f, r["error"]) for f, r in zip(fragments, katex_render(fragments)) if not r["ok"]]
    assert not bad


# --------------------------------------------------------------- bad input


@pytest.mark.parametrize("text, message", [
    ("x=5..1", "the range is empty (5 > 1)"),
    ("x=1..", "expected a number after '..', found the end of the text"),
    ("x=a..b", "expected a number after x="),
    ("x=1..1000000000", "the range has 1000000000 values; at most 1000 per name"),
    ("x=0..1 by 0", "the step must be positive"),
    ("x={1, 2, 1}", "the value 1 is listed twice"),
    ("x=1..3, x=4", "x is varied twice"),
    ("x=1..3 y=2", "expected ',' or ';' between items"),
    ("x=1/0", "division by zero"),
    ("x=2*3", "unexpected character '*'"),
    ("", "--vary is empty"),
])  # fmt: skip
def test_bad_vary_is_one_line(text, message):
    with pytest.raises(UsageError) as info:
        parse_vary(text)
    assert message in info.value.one_line() and "\n" not in info.value.message


@pytest.mark.parametrize("options, vary, kwargs, message", [
    (L1_OPTIONS, "q=1..2", {}, "unknown name 'q' (inputs and parameters: m, x, y)"),
    (L1_OPTIONS, "yhat=1..2", {}, "yhat is a named quantity"),
    ({"lets": ["L = (y - w*x)^2"], "wrt": "w"}, "x=1..3", {}, "no value for y, w"),
    (L1_OPTIONS, "x=1..2", {"count": 3}, "only 2 distinct points off the kinks among the 2 points"),
    (L1_OPTIONS, "x=1..2", {"count": 0}, "--count must be a whole number from 1 to 200"),
    (L1_OPTIONS, "x=1..2", {"count": 201}, "--count must be a whole number from 1 to 200"),
    (L1_OPTIONS, "x=1..2", {"kinks": "never"}, "--kinks must be one of avoid, include, any"),
    ({"example": "l1", "bogus": 1}, "x=1..2", {}, "unknown problem option(s) bogus"),
])  # fmt: skip
def test_bad_sheet_requests_are_one_line(options, vary, kwargs, message):
    with pytest.raises(UsageError) as info:
        make_sheet(options, vary, **kwargs)
    assert message in info.value.one_line()


def test_undefined_points_are_left_out():
    sheet = make_sheet({"lets": ["L = log(x) * w"], "wrt": "w", "at": "w=1"}, "x=-2..3", count=3)
    assert sorted(dict(e.point)["x"] for e in sheet.exercises) == [1, 2, 3]


# --------------------------------------------------------------- the command and the keys


def run_command(argv: list[str]) -> tuple[int, str]:
    top = _Parser(prog="symgrad")
    command.add_parser(top.add_subparsers(dest="command", parser_class=_Parser))
    args = top.parse_args(["exercises", *argv])
    out = io.StringIO()
    with redirect_stdout(out):
        rc = args.run(args)
    return rc, out.getvalue()


def test_command_writes_the_sheet_the_solutions_and_the_keys(tmp_path):
    rc, out = run_command(["--example", "l1", "--vary", "x=1..5, y=-3..3", "--count", "4",
                           "--format", "latex,md", "-o", str(tmp_path / "out")])
    assert rc == 0 and out.count("\n") == 1
    names = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*"))
    assert names == ["keys", *[f"keys/variant-0{k}.toml" for k in range(1, 5)],
                     "sheet.md", "sheet.tex", "solutions.md", "solutions.tex"]
    tex = (tmp_path / "out" / "sheet.tex").read_text()
    assert tex.startswith("\\documentclass") and tex.endswith("\\end{document}\n")
    api_sheet = make_sheet(L1_OPTIONS, "x=1..5, y=-3..3", count=4)
    assert (tmp_path / "out" / "solutions.md").read_text() == api_sheet.render("solutions", "markdown")
    rc, printed = run_command(["--example", "l1", "--vary", "x=1..5, y=-3..3", "--count", "4",
                               "--show", "solutions", "--format", "md"])
    assert printed == api_sheet.render("solutions", "markdown")


def test_command_reads_a_problem_file_and_lets(tmp_path):
    (tmp_path / "p.toml").write_text('let = ["yhat = m*x + 4", "L = abs(y - yhat)"]\nwrt = "m"\n'
                                     'at = { m = 1.5 }\nlr = 0.1\n')
    rc, from_file = run_command([str(tmp_path / "p.toml"), "--vary", "x=1..5, y=-3..3",
                                 "--fragment"])
    rc2, from_lets = run_command(["--let", "yhat = m*x + 4", "--let", "L = abs(y - yhat)", "--wrt",
                                  "m", "--at", "m=1.5", "--lr", "0.1", "--vary", "x=1..5, y=-3..3",
                                  "--fragment"])
    assert rc == rc2 == 0 and from_file == from_lets and "\\section*{The gradient of L" in from_file


def test_command_help_teaches_by_example():
    top = _Parser(prog="symgrad")
    command.add_parser(top.add_subparsers(dest="command", parser_class=_Parser))
    sub = top._subparsers._group_actions[0].choices["exercises"]
    text = sub.format_help()
    assert "symgrad exercises --example l1 --vary 'x=1..5, y=-3..3' -o l1-sheet" in text
    assert "symgrad check --problem" in text
    with pytest.raises(UsageError, match="required: --vary"):
        top.parse_args(["exercises", "--example", "l1"])


def check(key: Path, hand: Path) -> int:
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        return main(["check", "--problem", str(key), str(hand)])


def test_answer_keys_are_problem_files_that_check_reads(tmp_path):
    sheet = make_sheet(L1_OPTIONS, KINKY, count=6, seed=7, kinks="include")
    keys = sheet.answer_keys()
    assert list(keys) == [f"variant-0{k}.toml" for k in range(1, 7)]
    for e in sheet.exercises:
        path = tmp_path / sheet.key_name(e.number)
        path.write_text(keys[path.name], encoding="utf-8")
        data = tomllib.loads(keys[path.name])
        assert set(data) <= set(BY_NAME)
        assert {k: sp.Rational(str(v)) for k, v in data["at"].items()} == dict(e.point)
        right, wrong = e.gradient["m"], e.gradient["m"] + 1
        hand = tmp_path / f"hand-{e.number}.md"
        hand.write_text(f"dL/dm = {right}\n", encoding="utf-8")
        assert check(path, hand) == 0, keys[path.name]
        hand.write_text(f"dL/dm = {wrong}\n", encoding="utf-8")
        assert check(path, hand) == 1, keys[path.name]
        if e.updated:  # the updated parameter, as the solutions state it
            hand.write_text(f"dL/dm = {right}\nm_new = {e.updated['m']}\n", encoding="utf-8")
            assert check(path, hand) == 0


def test_a_grid_beyond_sys_maxsize_is_sampled():
    vary = ", ".join(f"{n}=-1..1 by 0.0025" for n in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8",
                                                       "b1", "b2"))
    sheet = make_sheet({"example": "network"}, vary, count=2, seed=3)
    assert sheet.grid.size == 801**10 > sys.maxsize
    assert len({e.point for e in sheet.exercises}) == 2
    assert all(e.derivation.verified for e in sheet.exercises)
