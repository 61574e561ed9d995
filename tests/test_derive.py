"""Acceptance checks for `symgrad derive` (the brief's worked example and friends).

Every expected number here is computed independently of symgrad: by hand
arithmetic (shown in comments), by ``sympy.diff`` on an expression this file
builds itself from ``sympy.Symbol``/``sympy.Abs``/..., or by a central finite
difference in plain Python floats. Nothing is copied from symgrad's output.
"""

from __future__ import annotations

import io
import json
import math
from contextlib import redirect_stderr, redirect_stdout

import pytest
import sympy

from symgrad.cli import main

TOL = 1e-12

# Symbols the tests build their own reference expressions from (real, so that
# sympy.diff(Abs(u)) is sign(u) * u').
m, b, w, x, y = sympy.symbols("m b w x y", real=True)

L1_LETS = ["--let", "yhat = m*x + 4", "--let", "L = abs(y - yhat)"]
L1_CANONICAL = [*L1_LETS, "--wrt", "m", "--at", "x=2, y=10, m=1.5", "--lr", "0.1"]
L1_KINK = [*L1_LETS, "--wrt", "m", "--at", "x=2, y=7, m=1.5", "--lr", "0.1"]


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


def derive_json(*args: str) -> dict:
    rc, out, err = run("derive", *args, "--format", "json")
    assert rc == 0, f"exit {rc}; stderr: {err}"
    return json.loads(out)


def central_difference(f, at: dict, name: str, h: float = 1e-6) -> float:
    """(f(v + h) - f(v - h)) / 2h in the variable ``name``, plain floats."""
    hi = dict(at, **{name: at[name] + h})
    lo = dict(at, **{name: at[name] - h})
    return (f(**hi) - f(**lo)) / (2 * h)


def sympy_grad(expr: sympy.Expr, var: sympy.Symbol, at: dict) -> float:
    subs = {sympy.Symbol(k, real=True): v for k, v in at.items()}
    return float(sympy.diff(expr, var).subs(subs).evalf(30))


def at_text(at: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in at.items())


# ---------------------------------------------------------------------------
# The canonical L1 example
# ---------------------------------------------------------------------------


def test_canonical_l1_values_gradient_update():
    d = derive_json(*L1_CANONICAL)
    # yhat = 1.5*2 + 4 = 7; L = |10 - 7| = 3
    assert d["values"]["yhat"] == pytest.approx(7, abs=TOL)
    assert d["values"]["L"] == pytest.approx(3, abs=TOL)
    # dL/dm = -sign(10 - 7) * x = -1 * 2 = -2
    assert d["gradient"]["m"] == pytest.approx(-2, abs=TOL)
    # m <- 1.5 - 0.1 * (-2) = 1.7
    assert d["update"]["m"] == pytest.approx(1.7, abs=TOL)
    assert d["kinks"] == []
    assert d["verified"]["sympy"] is True
    assert d["verified"]["finite_difference"] is True
    assert d["convention"] == "min-norm"


def test_canonical_l1_adjoints():
    d = derive_json(*L1_CANONICAL)
    adj = d["adjoints"]
    assert set(adj) >= {"m", "x", "y", "yhat", "L"}
    # dL/dL = 1
    assert adj["L"] == pytest.approx(1, abs=TOL)
    # dL/dyhat = -sign(y - yhat) = -sign(3) = -1
    assert adj["yhat"] == pytest.approx(-1, abs=TOL)
    # dL/dx = dL/dyhat * m = -1 * 1.5 = -1.5
    assert adj["x"] == pytest.approx(-1.5, abs=TOL)
    # dL/dy = sign(y - yhat) = 1
    assert adj["y"] == pytest.approx(1, abs=TOL)
    # dL/dm = dL/dyhat * x = -1 * 2 = -2
    assert adj["m"] == pytest.approx(-2, abs=TOL)


def test_canonical_l1_against_sympy_and_finite_difference():
    d = derive_json(*L1_CANONICAL)
    loss = sympy.Abs(y - (m * x + 4))
    point = {"x": 2.0, "y": 10.0, "m": 1.5}
    assert d["gradient"]["m"] == pytest.approx(sympy_grad(loss, m, point), abs=TOL)
    fd = central_difference(lambda x, y, m: abs(y - (m * x + 4)), point, "m")
    assert d["gradient"]["m"] == pytest.approx(fd, abs=1e-6)


# ---------------------------------------------------------------------------
# On the kink: y = 7 makes y - yhat = 0
# ---------------------------------------------------------------------------


def test_kink_min_norm_default():
    d = derive_json(*L1_KINK)
    assert d["kinks"], "y = 7 puts |y - yhat| exactly on its kink"
    # subdifferential of |u| at 0 is [-1, 1]; dL/dm = -t*x, x = 2 -> [-2, 2]
    lo, hi = d["subgradient_interval"]["m"]
    assert (lo, hi) == (pytest.approx(-2, abs=TOL), pytest.approx(2, abs=TOL))
    assert d["convention"] == "min-norm"
    # the element of [-2, 2] with the smallest magnitude is 0
    assert d["gradient"]["m"] == pytest.approx(0, abs=TOL)
    # and the update leaves m where it is: 1.5 - 0.1*0 = 1.5
    assert d["update"]["m"] == pytest.approx(1.5, abs=TOL)


@pytest.mark.parametrize(
    ("convention", "expected_gradient", "expected_update"),
    [
        # d|u|/du at 0 from the left is -1 -> dL/dm = -(-1)*2 = 2; m = 1.5 - 0.2 = 1.3
        pytest.param("left", 2.0, 1.3, id="left-gives-+2"),
        # from the right +1 -> dL/dm = -(1)*2 = -2; m = 1.5 + 0.2 = 1.7
        pytest.param("right", -2.0, 1.7, id="right-gives--2"),
        # min-norm: 0 in [-2, 2]; m stays 1.5
        pytest.param("min-norm", 0.0, 1.5, id="min-norm-gives-0"),
    ],
)
def test_kink_conventions(convention, expected_gradient, expected_update):
    d = derive_json(*L1_KINK, "--convention", convention)
    assert d["convention"] == convention
    assert d["kinks"]
    assert d["gradient"]["m"] == pytest.approx(expected_gradient, abs=TOL)
    assert d["update"]["m"] == pytest.approx(expected_update, abs=TOL)


def test_kink_subdifferential_convention_reports_interval_only():
    d = derive_json(*L1_KINK, "--convention", "subdifferential")
    assert d["convention"] == "subdifferential"
    assert d["kinks"]
    assert d["gradient"]["m"] is None
    assert d.get("update", {}).get("m") is None
    lo, hi = d["subgradient_interval"]["m"]
    assert (lo, hi) == (pytest.approx(-2, abs=TOL), pytest.approx(2, abs=TOL))


def test_kink_markdown_mentions_kink_and_convention():
    rc, md, err = run("derive", *L1_KINK, "--format", "markdown")
    assert rc == 0, err
    assert "kink" in md.lower()
    assert "min-norm" in md


def test_off_kink_markdown_names_no_kink_section():
    """Sanity companion to the kink test: the canonical point is not called a kink point."""
    rc, md, err = run("derive", *L1_CANONICAL, "--format", "markdown")
    assert rc == 0, err
    assert "on the kink" not in md.lower()


# ---------------------------------------------------------------------------
# Several parameters, L2, sigmoid, relu
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "point",
    [
        pytest.param({"x": 2.0, "y": 10.0, "m": 1.5, "b": 4.0}, id="residual+3"),
        pytest.param({"x": -1.5, "y": 1.0, "m": 0.5, "b": 3.0}, id="residual-1.25"),
    ],
)
def test_two_parameters_m_and_b(point):
    d = derive_json("--let", "yhat = m*x + b", "--let", "L = abs(y - yhat)",
                    "--wrt", "m,b", "--at", at_text(point))
    loss = sympy.Abs(y - (m * x + b))
    f = lambda x, y, m, b: abs(y - (m * x + b))
    for name, sym in (("m", m), ("b", b)):
        assert d["gradient"][name] == pytest.approx(sympy_grad(loss, sym, point), abs=TOL)
        assert d["gradient"][name] == pytest.approx(central_difference(f, point, name), abs=1e-6)
    assert d["kinks"] == []


def test_two_parameters_hand_values():
    # residual = 10 - (1.5*2 + 4) = 3 > 0: dL/dm = -x = -2, dL/db = -1
    d = derive_json("--let", "yhat = m*x + b", "--let", "L = abs(y - yhat)",
                    "--wrt", "m,b", "--at", "x=2, y=10, m=1.5, b=4")
    assert d["gradient"]["m"] == pytest.approx(-2, abs=TOL)
    assert d["gradient"]["b"] == pytest.approx(-1, abs=TOL)


@pytest.mark.parametrize(
    ("point", "hand"),
    [
        # -2*(10 - 7)*2 = -12
        pytest.param({"x": 2.0, "y": 10.0, "m": 1.5}, -12.0, id="canonical--12"),
        # yhat = 0.5*3 + 4 = 5.5; -2*(1 - 5.5)*3 = 27
        pytest.param({"x": 3.0, "y": 1.0, "m": 0.5}, 27.0, id="overshoot-+27"),
    ],
)
def test_l2_gradient(point, hand):
    d = derive_json("--let", "yhat = m*x + 4", "--let", "L = (y - yhat)^2",
                    "--wrt", "m", "--at", at_text(point))
    yhat = point["m"] * point["x"] + 4
    formula = -2 * (point["y"] - yhat) * point["x"]
    assert formula == pytest.approx(hand, abs=TOL)
    assert d["gradient"]["m"] == pytest.approx(hand, abs=TOL)
    assert d["kinks"] == []


@pytest.mark.parametrize(
    "point",
    [
        pytest.param({"x": 2.0, "y": 1.0, "w": 0.5, "b": -1.0}, id="z=0-y=1"),
        pytest.param({"x": -1.5, "y": 0.0, "w": 0.3, "b": 0.2}, id="z=-0.25-y=0"),
        pytest.param({"x": 4.0, "y": 1.0, "w": -0.75, "b": 0.5}, id="z=-2.5-y=1"),
    ],
)
def test_sigmoid_bce_chain(point):
    d = derive_json("--let", "z = w*x + b", "--let", "p = sigmoid(z)",
                    "--let", "L = -(y*log(p) + (1 - y)*log(1 - p))",
                    "--wrt", "w,b", "--at", at_text(point))
    z = point["w"] * point["x"] + point["b"]
    p = 1.0 / (1.0 + math.exp(-z))
    assert d["values"]["p"] == pytest.approx(p, rel=1e-12)
    assert d["gradient"]["w"] == pytest.approx((p - point["y"]) * point["x"], rel=1e-9, abs=1e-12)
    assert d["gradient"]["b"] == pytest.approx(p - point["y"], rel=1e-9, abs=1e-12)
    assert d["kinks"] == []


RELU_LETS = ["--let", "h = relu(w*x + b)", "--let", "L = (y - h)^2", "--wrt", "w,b"]


@pytest.mark.parametrize(
    ("point", "hand_w", "hand_b"),
    [
        # z = 0.8*1.5 + 0.1 = 1.3 > 0, h = 1.3: dL/dw = -2*(2 - 1.3)*1.5 = -2.1, dL/db = -1.4
        pytest.param({"x": 1.5, "y": 2.0, "w": 0.8, "b": 0.1}, -2.1, -1.4, id="active"),
        # z = -0.8*1.5 + 0.1 = -1.1 < 0: relu is flat, both gradients 0
        pytest.param({"x": 1.5, "y": 2.0, "w": -0.8, "b": 0.1}, 0.0, 0.0, id="inactive"),
    ],
)
def test_relu_chain_off_kink(point, hand_w, hand_b):
    d = derive_json(*RELU_LETS, "--at", at_text(point))
    assert d["kinks"] == []
    assert d["gradient"]["w"] == pytest.approx(hand_w, abs=1e-12)
    assert d["gradient"]["b"] == pytest.approx(hand_b, abs=1e-12)
    f = lambda x, y, w, b: (y - max(0.0, w * x + b)) ** 2
    assert d["gradient"]["w"] == pytest.approx(central_difference(f, point, "w"), abs=1e-6)
    assert d["gradient"]["b"] == pytest.approx(central_difference(f, point, "b"), abs=1e-6)


def test_relu_chain_on_kink():
    # z = 0.5*2 - 1 = 0: exactly on relu's kink; h = 0.
    # right branch (z > 0): dL/dw = -2*(y - 0)*x = -2*2*2 = -8, dL/db = -4
    # left branch  (z < 0): both 0
    # relu'(0) in [0, 1] -> dL/dw in [-8, 0], dL/db in [-4, 0]
    d = derive_json(*RELU_LETS, "--at", "x=2, y=2, w=0.5, b=-1")
    assert d["kinks"], "w*x + b = 0 is relu's kink"
    for name, right, left in (("w", -8.0, 0.0), ("b", -4.0, 0.0)):
        lo, hi = d["subgradient_interval"][name]
        assert lo <= hi
        assert lo <= right <= hi and lo <= left <= hi, (name, lo, hi)
        assert (lo, hi) == (pytest.approx(-8.0 if name == "w" else -4.0, abs=TOL),
                            pytest.approx(0.0, abs=TOL))
        # min-norm picks the element nearest 0, which is 0
        assert d["gradient"][name] == pytest.approx(0.0, abs=TOL)


# ---------------------------------------------------------------------------
# Several steps; the built-in example
# ---------------------------------------------------------------------------


def test_three_steps_trajectory():
    d = derive_json(*L1_LETS, "--wrt", "m", "--at", "x=2, y=10, m=1.5", "--lr", "0.1",
                    "--steps", "3")
    traj = d["trajectory"]
    assert [t["step"] for t in traj] == [0, 1, 2, 3]
    # while y - yhat > 0 the gradient stays -2, so m grows by 0.1*2 = 0.2 per step:
    # m: 1.5, 1.7, 1.9, 2.1; yhat = 2m + 4: 7, 7.4, 7.8, 8.2; L = 10 - yhat: 3, 2.6, 2.2, 1.8
    expected_m = [1.5, 1.7, 1.9, 2.1]
    expected_loss = [3.0, 2.6, 2.2, 1.8]
    assert [t["params"]["m"] for t in traj] == pytest.approx(expected_m, abs=TOL)
    assert [t["loss"] for t in traj] == pytest.approx(expected_loss, abs=TOL)


def test_builtin_example_is_canonical():
    d = derive_json()
    explicit = derive_json(*L1_CANONICAL)
    assert d["values"]["yhat"] == pytest.approx(7, abs=TOL)
    assert d["values"]["L"] == pytest.approx(3, abs=TOL)
    assert d["gradient"]["m"] == pytest.approx(-2, abs=TOL)
    assert d["update"]["m"] == pytest.approx(1.7, abs=TOL)
    assert d["kinks"] == []
    assert d["convention"] == "min-norm"
    assert d["verified"]["sympy"] is True and d["verified"]["finite_difference"] is True
    for key in ("values", "gradient", "adjoints", "update", "kinks", "convention"):
        assert d[key] == explicit[key], key


def test_builtin_example_comparison():
    d = derive_json()
    rows = d["comparison"]
    assert isinstance(rows, list) and rows

    def y_of(row):
        return row["values"].get("y", 10.0)

    # Classify rows by their loss value, not their label: with yhat = 7,
    # y = 10: L1 = 3,  L2 = 9;   y = 100: L1 = 93, L2 = 93^2 = 8649.
    by = {(y_of(r), r["loss"]): r for r in rows}
    l2_outlier = by.get((100.0, 8649.0))
    l1_outlier = by.get((100.0, 93.0))
    l1_plain = by.get((10.0, 3.0))
    l2_plain = by.get((10.0, 9.0))
    assert l2_outlier and l1_outlier and l1_plain and l2_plain, rows
    # L2 at y = 100: -2*(100 - 7)*2 = -372; at y = 10: -2*3*2 = -12
    assert l2_outlier["gradient"]["m"] == pytest.approx(-372, abs=TOL)
    assert l2_plain["gradient"]["m"] == pytest.approx(-12, abs=TOL)
    # L1 stays -sign(residual)*x = -2 whatever the size of the error
    assert l1_outlier["gradient"]["m"] == pytest.approx(-2, abs=TOL)
    assert l1_plain["gradient"]["m"] == pytest.approx(-2, abs=TOL)


def test_list_examples_lists_l1():
    rc, out, err = run("list", "examples")
    assert rc == 0, err
    names = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert "l1" in names


# ---------------------------------------------------------------------------
# A table of small expressions in one parameter w (inputs x, y)
# ---------------------------------------------------------------------------


def _sig(u):
    return 1 / (1 + sympy.exp(-u))


def _fsig(u):
    return 1.0 / (1.0 + math.exp(-u))


P = {"w": 0.7, "x": 1.3, "y": 0.4}  # away from every kink used below

# (let text, sympy reference built here, plain-float reference, point)
EXPRESSIONS = [
    pytest.param("L = w*x + y", lambda: w * x + y, lambda w, x, y: w * x + y, P, id="plus"),
    pytest.param("L = y - w*x", lambda: y - w * x, lambda w, x, y: y - w * x, P, id="minus"),
    pytest.param("L = w*x*y", lambda: w * x * y, lambda w, x, y: w * x * y, P, id="times"),
    pytest.param("L = x/w", lambda: x / w, lambda w, x, y: x / w, P, id="divide"),
    pytest.param("L = (w*x)/(1 + y^2)", lambda: (w * x) / (1 + y**2),
                 lambda w, x, y: (w * x) / (1 + y**2), P, id="quotient"),
    pytest.param("L = (w - y)^3", lambda: (w - y) ** 3, lambda w, x, y: (w - y) ** 3, P,
                 id="power-int"),
    pytest.param("L = w^x", lambda: w**x, lambda w, x, y: w**x, P, id="power-symbolic"),
    pytest.param("L = w^0.5 + w^-2", lambda: w ** sympy.Rational(1, 2) + w ** -2,
                 lambda w, x, y: w**0.5 + w**-2, P, id="power-fractional-negative"),
    pytest.param("L = exp(w*x)", lambda: sympy.exp(w * x), lambda w, x, y: math.exp(w * x), P,
                 id="exp"),
    pytest.param("L = log(1 + w^2)", lambda: sympy.log(1 + w**2),
                 lambda w, x, y: math.log(1 + w**2), P, id="log"),
    pytest.param("L = log(w)*exp(-x)", lambda: sympy.log(w) * sympy.exp(-x),
                 lambda w, x, y: math.log(w) * math.exp(-x), P, id="log-times-exp"),
    pytest.param("L = sqrt(w^2 + x)", lambda: sympy.sqrt(w**2 + x),
                 lambda w, x, y: math.sqrt(w**2 + x), P, id="sqrt"),
    pytest.param("L = tanh(w*x)", lambda: sympy.tanh(w * x), lambda w, x, y: math.tanh(w * x), P,
                 id="tanh"),
    pytest.param("L = sigmoid(w*x + y)", lambda: _sig(w * x + y),
                 lambda w, x, y: _fsig(w * x + y), P, id="sigmoid"),
    pytest.param("L = tanh(sigmoid(w))", lambda: sympy.tanh(_sig(w)),
                 lambda w, x, y: math.tanh(_fsig(w)), P, id="tanh-of-sigmoid"),
    pytest.param("L = abs(w*x - y)", lambda: sympy.Abs(w * x - y),
                 lambda w, x, y: abs(w * x - y), P, id="abs-positive-side"),
    pytest.param("L = abs(w*x - y)", lambda: sympy.Abs(w * x - y),
                 lambda w, x, y: abs(w * x - y), {"w": -0.7, "x": 1.3, "y": 0.4},
                 id="abs-negative-side"),
    pytest.param("L = abs(w)^3", lambda: sympy.Abs(w) ** 3, lambda w, x, y: abs(w) ** 3,
                 {"w": -0.7, "x": 1.3, "y": 0.4}, id="abs-cubed-negative-w"),
    pytest.param("L = max(w*x, y)", lambda: sympy.Max(w * x, y),
                 lambda w, x, y: max(w * x, y), P, id="max-first-wins"),
    pytest.param("L = max(w*x, y)", lambda: sympy.Max(w * x, y),
                 lambda w, x, y: max(w * x, y), {"w": 0.2, "x": 1.3, "y": 0.4},
                 id="max-second-wins"),
    pytest.param("L = min(w, x*y)", lambda: sympy.Min(w, x * y),
                 lambda w, x, y: min(w, x * y), P, id="min-other-wins"),
    pytest.param("L = min(w, x*y)", lambda: sympy.Min(w, x * y),
                 lambda w, x, y: min(w, x * y), {"w": 0.3, "x": 1.3, "y": 0.4},
                 id="min-w-wins"),
    pytest.param("L = relu(w - y)", lambda: sympy.Max(0, w - y),
                 lambda w, x, y: max(0.0, w - y), P, id="relu-active"),
    pytest.param("L = relu(y - w)", lambda: sympy.Max(0, y - w),
                 lambda w, x, y: max(0.0, y - w), P, id="relu-inactive"),
    pytest.param("L = max(0, 1 - y*w*x)", lambda: sympy.Max(0, 1 - y * w * x),
                 lambda w, x, y: max(0.0, 1 - y * w * x), P, id="hinge"),
    pytest.param("L = (exp(w) - exp(-w))/(exp(w) + exp(-w))",
                 lambda: (sympy.exp(w) - sympy.exp(-w)) / (sympy.exp(w) + sympy.exp(-w)),
                 lambda w, x, y: (math.exp(w) - math.exp(-w)) / (math.exp(w) + math.exp(-w)),
                 P, id="tanh-spelled-out"),
    pytest.param("L = -(y*log(sigmoid(w*x)) + (1 - y)*log(1 - sigmoid(w*x)))",
                 lambda: -(y * sympy.log(_sig(w * x)) + (1 - y) * sympy.log(1 - _sig(w * x))),
                 lambda w, x, y: -(y * math.log(_fsig(w * x))
                                   + (1 - y) * math.log(1 - _fsig(w * x))),
                 P, id="bce-inline"),
]


@pytest.mark.parametrize(("let", "build", "f", "point"), EXPRESSIONS)
def test_expression_table(let, build, f, point):
    expr = build()
    # symgrad rejects values for names the problem does not use: pass only those
    used = {k: v for k, v in point.items() if sympy.Symbol(k, real=True) in expr.free_symbols}
    d = derive_json("--let", let, "--wrt", "w", "--at", at_text(used))
    got = d["gradient"]["w"]
    assert d["kinks"] == [], "the table's points are chosen away from kinks"
    expected = sympy_grad(expr, w, point)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert got == pytest.approx(central_difference(f, point, "w"), rel=1e-6, abs=1e-6)
    # the forward value agrees too
    assert d["values"]["L"] == pytest.approx(f(**point), rel=1e-12, abs=1e-12)
    assert d["verified"]["sympy"] is True
