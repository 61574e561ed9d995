"""Conventions at kinks: what symgrad picks, checked against hand derivations and the measured table.

Expected values come from three independent places:

* hand derivations of one-sided derivatives and subdifferentials (written out per test);
* the measured framework table ``shared/data/kinks/table.md`` (PyTorch 2.13.0+cpu,
  JAX 0.10.2, TensorFlow 2.21.0), read here directly when it is present and otherwise
  from the values copied below (they were copied from that table);
* for smooth points, ``sympy.diff`` on an expression the test builds itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sympy as sp

import symgrad

TABLE = Path("/work/shared/data/kinks/table.md")
FRAMEWORKS = ("pytorch", "jax", "tensorflow")


def grad(lets, wrt, at, convention):
    d = symgrad.derive(lets=lets, wrt=wrt, at=at, convention=convention)
    return d, {g.param: g for g in d.results}


def value(lets, wrt, at, convention, param=None):
    _, gs = grad(lets, wrt, at, convention)
    return gs[param or wrt].value


# ---------------------------------------------------------------- framework emulation


@pytest.mark.parametrize("framework, expected", [("pytorch", 0), ("jax", 1), ("tensorflow", 0)])
def test_abs_at_zero_per_framework(framework, expected):
    # torch.abs and tf.abs give 0 at 0; jnp.abs gives 1 (table.md row abs@0)
    assert value(["L = abs(x)"], "x", "x=0", framework) == expected


@pytest.mark.parametrize("framework, du, dv", [
    ("pytorch", sp.Rational(1, 2), sp.Rational(1, 2)),  # torch.maximum splits a tie
    ("jax", sp.Rational(1, 2), sp.Rational(1, 2)),      # jnp.maximum splits a tie
    ("tensorflow", 1, 0),                               # tf.maximum: the tie goes to the first argument
])  # fmt: skip
def test_max_tie_per_framework(framework, du, dv):
    _, gs = grad(["L = max(u, v)"], "u,v", "u=0, v=0", framework)
    assert gs["u"].value == du
    assert gs["v"].value == dv


@pytest.mark.parametrize("framework, du, dv", [
    ("pytorch", sp.Rational(1, 2), sp.Rational(1, 2)),
    ("jax", sp.Rational(1, 2), sp.Rational(1, 2)),
    ("tensorflow", 1, 0),  # tf.minimum: the tie goes to the first argument (table.md minimum_tie)
])  # fmt: skip
def test_min_tie_per_framework(framework, du, dv):
    _, gs = grad(["L = min(u, v)"], "u,v", "u=0, v=0", framework)
    assert gs["u"].value == du
    assert gs["v"].value == dv


def test_tensorflow_tie_follows_the_authors_argument_order():
    # tf.maximum gives a tie to its FIRST argument as written: tf.maximum(v, u) at u = v = 0
    # has dv = 1, du = 0 (table.md maximum_tie, with the arguments named the other way round).
    _, gs = grad(["L = max(v, u)"], "u,v", "u=0, v=0", "tensorflow")
    assert (gs["v"].value, gs["u"].value) == (1, 0)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_relu_at_zero_is_zero_everywhere(framework):
    assert value(["L = relu(x)"], "x", "x=0", framework) == 0


# ---------------------------------------------------------------- subdifferential


@pytest.mark.parametrize("lets, interval", [
    (["L = abs(x)"], (-1, 1)),  # d|x| at 0 is [-1, 1]
    (["L = relu(x)"], (0, 1)),  # d relu(x) at 0 is [0, 1]
])  # fmt: skip
def test_subdifferential_reports_interval_and_no_value(lets, interval):
    d, gs = grad(lets, "x", "x=0", "subdifferential")
    g = gs["x"]
    assert g.value is None
    assert tuple(g.interval) == interval
    assert g.updated is None
    doc = json.loads(symgrad.render(d, "json"))
    assert doc["gradient"]["x"] is None
    assert doc["subgradient_interval"]["x"] == [float(interval[0]), float(interval[1])]


def test_subdifferential_takes_no_update_step():
    d = symgrad.derive(lets=["L = abs(x)"], wrt="x", at="x=0", lr="0.1", convention="subdifferential")
    assert d.results[0].updated is None


# ---------------------------------------------------------------- left/right/average/min-norm, by hand
#
# |x| at 0: for h > 0, (|0| - |-h|)/h = -1 (left), (|h| - |0|)/h = 1 (right);
# average (-1 + 1)/2 = 0; the element of [-1, 1] of least magnitude is 0.
# relu at 0: left (0 - 0)/h = 0, right (h - 0)/h = 1; average 1/2; least magnitude in [0, 1] is 0.

HAND = {
    "abs": {"left": -1, "right": 1, "average": 0, "min-norm": 0},
    "relu": {"left": 0, "right": 1, "average": sp.Rational(1, 2), "min-norm": 0},
}


def one_sided(f, side, h=1e-7):
    """A one-sided difference quotient at 0 in plain floats (the hand derivation, numerically)."""
    return (f(h) - f(0.0)) / h if side == "right" else (f(0.0) - f(-h)) / h


@pytest.mark.parametrize("fn", ["abs", "relu"])
@pytest.mark.parametrize("conv", ["left", "right", "average", "min-norm"])
def test_hand_conventions(fn, conv):
    got = value([f"L = {fn}(x)"], "x", "x=0", conv)
    assert got == HAND[fn][conv]
    pyf = {"abs": abs, "relu": lambda t: max(0.0, t)}[fn]
    if conv in ("left", "right"):
        assert one_sided(pyf, conv) == pytest.approx(float(HAND[fn][conv]), abs=1e-9)
    if conv == "average":
        mean = (one_sided(pyf, "left") + one_sided(pyf, "right")) / 2
        assert mean == pytest.approx(float(HAND[fn][conv]), abs=1e-9)


def test_chain_factor_through_kink_under_left_and_right():
    # L = |y - yhat|, yhat = m*x + 4 at y = yhat (x=2, y=7, m=1.5): dL/dm = -sign(y - yhat) * x.
    # u = y - yhat; the left convention takes d|u|/du = -1, so dL/dm = -(-1)*2 = 2; right gives -2.
    lets = ["yhat = m*x + 4", "L = abs(y - yhat)"]
    assert value(lets, "m", "x=2, y=7, m=1.5", "left") == 2
    assert value(lets, "m", "x=2, y=7, m=1.5", "right") == -2
    assert value(lets, "m", "x=2, y=7, m=1.5", "min-norm") == 0
    _, gs = grad(lets, "m", "x=2, y=7, m=1.5", "subdifferential")
    assert tuple(gs["m"].interval) == (-2, 2)  # [-|x|, |x|]


# ---------------------------------------------------------------- hinge at the margin


def test_hinge_at_margin():
    lets = ["L = max(0, 1 - y*f)"]
    at = "y=1, f=1"
    # subdifferential wrt f: d/df max(0, 1 - f) at f = 1 is [-1, 0]; least magnitude 0
    assert value(lets, "f", at, "min-norm") == 0
    _, gs = grad(lets, "f", at, "subdifferential")
    assert tuple(gs["f"].interval) == (-1, 0)
    # table.md hinge_maximum: torch.maximum(1 - y*f, 0) and jnp.maximum(0, 1 - y*f) give df = -0.5
    # (half the tie); tf.maximum(0, 1 - y*f) gives the tie to its first argument (0): df = -0
    assert value(lets, "f", at, "pytorch") == sp.Rational(-1, 2)
    assert value(lets, "f", at, "jax") == sp.Rational(-1, 2)
    assert value(lets, "f", at, "tensorflow") == 0


# ---------------------------------------------------------------- JSON kinks


def test_json_kinks_list_frameworks():
    d = symgrad.derive(lets=["L = abs(x)"], wrt="x", at="x=0", convention="jax")
    doc = json.loads(symgrad.render(d, "json"))
    assert len(doc["kinks"]) == 1
    kink = doc["kinks"][0]
    assert kink["function"] == "abs"
    assert kink["subdifferential"] == [-1.0, 1.0]
    assert kink["chosen"] == 1.0
    # the brief: frameworks disagree, so the record says what each one returns
    assert "frameworks" in kink, f"JSON kink entry has no 'frameworks' key: {sorted(kink)}"
    text = json.dumps(kink["frameworks"])
    for fw in FRAMEWORKS:
        assert fw in text


def test_record_kinks_list_frameworks():
    d = symgrad.derive(lets=["L = abs(x)"], wrt="x", at="x=0")
    (kink,) = d.kinks
    got = {fw: t for fw, _version, _call, t in kink.frameworks}
    assert got == {"pytorch": 0, "jax": 1, "tensorflow": 0}


def test_smooth_point_reports_no_kink():
    x = sp.Symbol("x", real=True)
    d = symgrad.derive(lets=["L = (x)^2"], wrt="x", at="x=0")
    assert d.kinks == ()
    assert d.results[0].value == sp.diff(x**2, x).subs(x, 0)
    doc = json.loads(symgrad.render(d, "json"))
    assert doc["kinks"] == []
    assert "subgradient_interval" not in doc
    assert doc["gradient"]["x"] == 0.0


@pytest.mark.parametrize("conv", ["min-norm", "subdifferential", "left", "right", "average", *FRAMEWORKS])
def test_masked_kink_reports_none(conv):
    # max(0, |r| - 1) at r = 0: |r| - 1 = -1 < 0, the max picks 0 on a neighbourhood,
    # so L is identically 0 near r = 0 and dL/dr = 0 whatever |r|'s subgradient is.
    d = symgrad.derive(lets=["L = max(0, abs(r) - 1)"], wrt="r", at="r=0", convention=conv)
    assert d.kinks == ()
    assert d.results[0].value == 0
    h = 1e-6
    f = lambda r: max(0.0, abs(r) - 1.0)  # noqa: E731
    assert (f(h) - f(-h)) / (2 * h) == 0.0
    assert json.loads(symgrad.render(d, "json"))["kinks"] == []


def test_l1_through_named_quantities_reports_kink_in_its_quantity():
    d = symgrad.derive(lets=["yhat = m*x + 4", "L = abs(y - yhat)"], wrt="m", at="x=2, y=7, m=1.5")
    (kink,) = d.kinks
    assert kink.quantity == "L" and kink.function == "abs"
    doc = json.loads(symgrad.render(d, "json"))
    assert doc["subgradient_interval"]["m"] == [-2.0, 2.0]
    assert doc["convention"] == "min-norm"


# ---------------------------------------------------------------- cross-check with table.md

# (table key, framework, input whose gradient is read, symgrad problem, wrt, expected copied from table.md)
TABLE_ROWS = [
    ("abs@0", "pytorch", "x", ["L = abs(x)"], "x", "x=0", 0),
    ("abs@0", "jax", "x", ["L = abs(x)"], "x", "x=0", 1),
    ("abs@0", "tensorflow", "x", ["L = abs(x)"], "x", "x=0", 0),
    ("relu@0", "jax", "x", ["L = relu(x)"], "x", "x=0", 0),
    ("maximum_tie", "tensorflow", "dy", ["L = max(x, y)"], "y", "x=0, y=0", 0),
    ("maximum_tie", "pytorch", "dy", ["L = max(x, y)"], "y", "x=0, y=0", 0.5),
    ("minimum_tie", "tensorflow", "x", ["L = min(x, y)"], "x", "x=0, y=0", 1),
    ("max(x,0)_maximum_const", "pytorch", "x", ["L = max(x, 0)"], "x", "x=0", 0.5),
    ("max(x,0)_maximum_const", "jax", "x", ["L = max(x, 0)"], "x", "x=0", 0.5),
    ("max(x,0)_maximum_const", "tensorflow", "x", ["L = max(x, 0)"], "x", "x=0", 1),
    ("l1_manual_eq", "jax", "dp", ["L = abs(p - t)"], "p", "p=0.5, t=0.5", 1),
    ("l1_manual_eq", "jax", "dt", ["L = abs(p - t)"], "t", "p=0.5, t=0.5", -1),
    ("l1_manual_eq", "pytorch", "dp", ["L = abs(p - t)"], "p", "p=0.5, t=0.5", 0),
    ("hinge_maximum", "tensorflow", "df", ["L = max(0, 1 - y*f)"], "f", "y=1, f=1", 0),
]  # fmt: skip


def table_gradient(key: str, framework: str, name: str) -> float | None:
    """The gradient named ``name`` (``x``, ``dx``, ``dy``...) in ``key``'s row of table.md."""
    if not TABLE.exists():
        return None
    col = {"pytorch": 1, "jax": 2, "tensorflow": 3}[framework]
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == key:
            wanted = name if name.startswith("d") else "d" + name
            m = re.search(rf"\b{re.escape(wanted)}=(-?[0-9.]+)", cells[col])
            return float(m.group(1)) if m else None
    return None


@pytest.mark.parametrize("key, fw, name, lets, wrt, at, expected", TABLE_ROWS)
def test_table_rows(key, fw, name, lets, wrt, at, expected):
    measured = table_gradient(key, fw, name)
    if measured is not None:
        assert measured == pytest.approx(expected), "the copy in this test disagrees with table.md"
    assert float(value(lets, wrt, at, fw)) == pytest.approx(expected)


def test_max_with_constant_arm_min_norm():
    # max(x, 0) at x = 0 is relu: subdifferential [0, 1]; least magnitude 0
    assert value(["L = max(x, 0)"], "x", "x=0", "min-norm") == 0
    _, gs = grad(["L = max(x, 0)"], "x", "x=0", "subdifferential")
    assert tuple(gs["x"].interval) == (0, 1)


def test_unknown_convention_is_an_error():
    with pytest.raises(symgrad.SymgradError):
        symgrad.derive(lets=["L = abs(x)"], wrt="x", at="x=0", convention="numpy")
