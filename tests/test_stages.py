"""The staged engine: each stage alone, symbolic mode everywhere, one derivation for many outputs.

Oracles: sympy.diff on expressions built here with plain SymPy (not symgrad's reader), and
values computed by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

import symgrad
from symgrad.cli import main
from symgrad.derivation import chain
from symgrad.derivation.record import Derivation
from symgrad.numbers.point import Numbers
from symgrad.reader.examples import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]
x, y, m, b, t = sp.symbols("x y m b t", real=True)
L1 = ["yhat = m*x + 4", "L = abs(y - yhat)"]


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    rc = main(args)
    out, err = capsys.readouterr()
    return rc, out, err


# --------------------------------------------------------------- each stage alone


def test_read_needs_no_point():
    p = symgrad.read(lets=L1, wrt="m")
    assert p.values == () and not p.has_point
    assert p.inputs == ("m", "x", "y")


def test_derive_is_symbolic_and_needs_no_point():
    d = chain.derive(symgrad.read(lets=L1, wrt="m"))
    assert isinstance(d, Derivation) and d.numbers is None
    (g,) = d.gradients
    # the author's form: -sign(y - yhat) x, with yhat kept as a name
    yhat = sp.Symbol("yhat", real=True)
    assert sp.simplify(sp.sympify(str(g.expr), locals={"yhat": yhat, "x": x, "y": y})
                       - (-sp.sign(y - yhat) * x)) == 0
    # the kink is a place, y - yhat = 0, and the gradient there is -t x with t in [-1, 1]
    (place,) = d.places
    assert place.function == "abs" and place.interval == (-1, 1)
    (on,) = d.on_kink
    assert on.expr.subs(d.weight, t) == -t * x or sp.expand(on.expr.subs(d.weight, t) + t * x) == 0


def test_evaluate_adds_numbers_to_the_same_derivation():
    d = chain.derive(symgrad.read(lets=L1, wrt="m"))
    n = symgrad.evaluate(d, at="x=2, y=10, m=1.5")
    assert isinstance(n, Numbers)
    # by hand: yhat = 7, L = 3, dL/dm = -sign(3) * 2 = -2
    assert n.value("yhat") == 7 and n.value("L") == 3
    assert dict(n.gradient)["m"] == -2
    # another point and another convention: the same symbolic record, evaluated again
    on_kink = symgrad.evaluate(d, at="x=2, y=7, m=1.5", convention="jax")
    assert on_kink.kinks and dict(on_kink.gradient)["m"] == -2  # jnp.abs'(0) = 1: -1 * 2
    under_sub = symgrad.evaluate(d, at="x=2, y=7, m=1.5", convention="subdifferential")
    assert dict(under_sub.gradient)["m"] is None
    assert dict(under_sub.intervals)["m"] == (-2, 2)


def test_verify_alone():
    d = chain.derive(symgrad.read(lets=L1, wrt="m"))
    (v,) = symgrad.verify(d)
    assert v.sympy and v.finite_difference is None
    (v,) = symgrad.verify(d, symgrad.evaluate(d, at="x=2, y=10, m=1.5"))
    assert v.sympy and v.finite_difference is True


def test_the_symbolic_derivation_is_shared_between_points():
    p1 = symgrad.read(lets=L1, wrt="m", at="x=2, y=10, m=1.5")
    p2 = symgrad.read(lets=L1, wrt="m", at="x=1, y=0, m=3")
    assert chain.derive(p1).partials is chain.derive(p2).partials


def test_evaluate_names_a_missing_value():
    d = chain.derive(symgrad.read(lets=L1, wrt="m"))
    with pytest.raises(symgrad.ProblemError, match="missing value for y"):
        symgrad.evaluate(d, at="x=2, m=1.5")


def test_domain_error_names_the_expression_and_the_value():
    with pytest.raises(symgrad.ProblemError, match=r"log.*log\(y\).*-2"):
        symgrad.derive(lets=["L = log(y) * m"], wrt="m", at="y=-2, m=1")


def test_partial_point_is_refused_with_the_symbolic_way_out():
    with pytest.raises(symgrad.ProblemError, match="leave out --at for a symbolic"):
        symgrad.read(lets=L1, wrt="m", at="x=2")


# --------------------------------------------------------------- symbolic mode everywhere


@pytest.mark.parametrize("name", list(EXAMPLES))
@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html", "json"])
def test_every_example_derives_symbolically_in_every_format(name, fmt):
    d = symgrad.derive(example=name, symbolic=True)
    assert d.numbers is None
    out = d.render(fmt)
    if fmt == "json":
        doc = json.loads(out)
        assert doc["symbolic"] is True
        assert all(v is None for v in doc["gradient"].values())
        assert all(doc["gradient_latex"].values())
    else:
        assert "symbolically" in out
        assert "Forward pass" not in out


def test_symbolic_gradients_equal_sympy_diff_for_every_example():
    """Each example's symbolic gradient, written out in the inputs, against sympy.diff."""
    from symgrad.expr.algebra import evaluated
    from symgrad.expr.functions import to_elementary
    from symgrad.numbers.oracles import same_function

    for name in EXAMPLES:
        d = symgrad.derive(example=name, symbolic=True)
        full, expanded = chain.full_loss(d.problem)
        for g in d.gradients:
            p = sp.Symbol(g.param, real=True)
            ours = to_elementary(evaluated(g.expr).xreplace(expanded))
            assert same_function(ours, sp.diff(to_elementary(full), p), full.free_symbols), (name, g.param)


def test_symbolic_kinks_are_shown_as_places(capsys):
    rc, out, _ = run_cli(["derive", "--example", "l1", "--symbolic"], capsys)
    assert rc == 0
    assert "has a kink where y - yhat = 0" in out
    assert "dL/dm = -t*x, with t in [-1, 1]" in out


def test_symbolic_update_rule(capsys):
    rc, out, _ = run_cli(["derive", "--let", "yhat = m*x + b", "--let", "L = (y - yhat)^2",
                          "--wrt", "m,b", "--lr", "0.1"], capsys)
    assert rc == 0, out
    assert "m <- m - eta*dL/dm = m - eta*(-2*(y - yhat)*x), with eta = 0.1" in out


def test_the_issue_command_works_without_a_point(capsys):
    rc, out, err = run_cli(["derive", "--let", "yhat = m*x + b", "--let", "L = (y - yhat)^2",
                            "--wrt", "m,b"], capsys)
    assert rc == 0, err
    assert "dL/dm = -2*(y - yhat)*x" in out and "dL/db = -2*(y - yhat)" in out


def test_check_of_a_symbolic_derivation_needs_no_point(tmp_path, capsys):
    good = tmp_path / "good.md"
    good.write_text("$$\\frac{\\partial L}{\\partial m} = -\\operatorname{sign}(y - \\hat{y})\\, x$$\n")
    bad = tmp_path / "bad.md"
    bad.write_text("$$\\frac{\\partial L}{\\partial m} = \\operatorname{sign}(y - \\hat{y})\\, x$$\n")
    opts = ["--let", "yhat = m*x + 4", "--let", "L = abs(y - yhat)", "--wrt", "m"]
    assert run_cli(["check", str(good), *opts], capsys)[0] == 0
    rc, out, _ = run_cli(["check", str(bad), *opts], capsys)
    assert rc == 1 and "sign-error" in out


# --------------------------------------------------------------- e is a name when defined


def test_a_let_named_e_shadows_the_constant():
    d = symgrad.derive(lets=["e = y - m*x", "L = e^2"], wrt="m", at="x=2, y=10, m=1.5")
    # by hand: e = 7, dL/dm = 2 e * (-x) = -28
    assert d.value("e") == 7 and d.gradient["m"] == -28
    assert d.problem.names == ("e", "L")


def test_exp_stays_eulers_function_when_e_is_a_name():
    d = symgrad.derive(lets=["e = y - m*x", "L = exp(e)"], wrt="m", at="x=2, y=10, m=1.5")
    expected = sp.diff(sp.exp(y - m * x), m).subs({x: 2, y: 10, m: sp.Rational(3, 2)})
    assert abs(float(d.gradient["m"]) - float(expected)) < 1e-9 * abs(float(expected))


def test_e_is_the_constant_when_not_defined():
    d = symgrad.derive(lets=["L = e^m"], wrt="m", at="m=1")
    assert abs(float(d.gradient["m"]) - float(sp.E)) < 1e-12


# --------------------------------------------------------------- one derivation, many outputs


def test_api_renders_one_derivation_in_every_format():
    d = symgrad.derive()
    outs = {fmt: d.render(fmt) for fmt in ("text", "md", "tex", "html", "json")}
    assert outs["md"].startswith("## ") and outs["tex"].startswith("\\section*")
    assert json.loads(outs["json"])["gradient"]["m"] == -2.0


def test_cli_several_files_derive_once(tmp_path, capsys, monkeypatch):
    calls = []
    real = chain._derive
    monkeypatch.setattr(chain, "_derive", lambda p: calls.append(p) or real(p))
    chain._CACHE.clear()
    files = [tmp_path / f"net.{ext}" for ext in ("md", "tex", "html", "json", "txt")]
    rc, _, err = run_cli(["derive", "--example", "network", *sum((["-o", str(f)] for f in files), [])],
                         capsys)
    assert rc == 0, err
    assert len(calls) == 1
    assert files[0].read_text().startswith("## ")
    assert files[1].read_text().startswith("\\section*")
    assert "<math" in files[2].read_text()
    assert json.loads(files[3].read_text())["problem"]["loss"] == "E"
    assert files[4].read_text().startswith("Backpropagation through")


def test_cli_format_list_with_one_base_name(tmp_path, capsys):
    base = tmp_path / "l1"
    rc, _, err = run_cli(["derive", "--format", "md,tex,html", "-o", str(base)], capsys)
    assert rc == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l1.html", "l1.md", "l1.tex"]


@pytest.mark.parametrize("args, message", [
    (["--format", "md,tex"], "several formats need files"),
    (["-o", "out"], "no extension to take the format from"),
    (["-o", "a.pdf"], "unknown format 'pdf'"),
    (["--format", "md,tex", "-o", "a.md", "-o", "b.tex", "-o", "c.html"], "3 -o files"),
    (["--format", "docx"], "unknown format 'docx'"),
])  # fmt: skip
def test_cli_output_usage_errors(args, message, capsys):
    rc, out, err = run_cli(["derive", *args], capsys)
    assert rc == 2 and out == ""
    assert message in err and err.count("\n") == 1


# --------------------------------------------------------------- layout and start-up


def test_no_function_shadows_a_submodule():
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(symgrad.__path__, "symgrad."):
        if info.name == "symgrad.__main__":
            continue
        parent, _, leaf = info.name.rpartition(".")
        module = importlib.import_module(info.name)
        assert getattr(importlib.import_module(parent), leaf, module) is module, info.name


def test_modules_are_short_and_documented():
    for path in (ROOT / "symgrad").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith('"""'), f"{path} has no module docstring"
        assert text.count("\n") <= 450, f"{path} has {text.count(chr(10))} lines"


def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, env=env, check=True).stdout
    return set(out.split())


def test_import_and_help_load_nothing_heavy():
    loaded = _modules_after("import symgrad")
    assert not {"sympy", "jinja2", "latex2mathml", "numpy"} & loaded
    loaded = _modules_after("from symgrad.cli import _parser; _parser().format_help()")
    assert not {"sympy", "jinja2", "latex2mathml", "numpy"} & loaded


def test_text_output_loads_neither_mathml_nor_numpy_nor_jinja2():
    loaded = _modules_after("import io, contextlib; from symgrad.cli import main\n"
                            "with contextlib.redirect_stdout(io.StringIO()): main(['derive'])")
    assert "sympy" in loaded and "symgrad.rendering.plaintext" in loaded
    assert not {"latex2mathml", "numpy", "symgrad.checking", "jinja2"} & loaded


def test_only_a_process_the_command_line_owns_freezes_the_collector():
    code = ("import gc, io, sys, contextlib; from symgrad.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['derive'])\n"
            "    print(gc.get_freeze_count(), file=sys.stderr)\n"
            "    sys.argv = ['symgrad', 'derive']\n"
            "    code = main()\n"
            "print(gc.get_freeze_count() > 10_000, code, 'sympy.tensor.tensor' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    assert run.stderr.strip() == "0"  # main(argv) from a program: its collector untouched
    assert run.stdout.split() == ["True", "0", "True"]  # the console script's main(): frozen


def test_numpy_is_a_runtime_dependency():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.split(">")[0].split("=")[0].strip().lower() == "numpy" for d in deps)


def test_cli_choices_match_the_engine():
    from symgrad import choices
    from symgrad.numbers.conventions import Convention
    from symgrad.reader.problem import STYLES
    from symgrad.rendering import FORMATS

    assert choices.CONVENTIONS == tuple(c.value for c in Convention)
    assert choices.STYLES == STYLES and choices.FORMATS == FORMATS
