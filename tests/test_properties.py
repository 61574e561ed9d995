"""Property-based tests: symgrad's gradients, steps and adjoints against independent oracles.

Every expected value is computed here without symgrad: the test builds its own SymPy
expression (``sympy.Symbol(..., real=True)``) from the same random tree it writes as
``--let`` text, differentiates it with ``sympy.diff``, and evaluates it in plain floats
for central finite differences. Points within 1e-3 of a kink (the argument of abs or
relu, or the difference of max/min arguments) are rejected, so every oracle is valid.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
from decimal import Decimal

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symgrad
from symgrad.derivation import chain as engine
from symgrad.expr.algebra import evaluated

NAMES = ("x", "y", "z")
SYM = {n: sp.Symbol(n, real=True) for n in NAMES}
KINK_GAP = 1e-3
BOUND = 1e3  # reject trees whose intermediate values leave [-BOUND, BOUND]
SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

UNARY = ("exp", "log1p2", "abs", "sigmoid", "tanh", "relu", "sqrt1p2", "neg")
BINARY = ("add", "sub", "mul", "div", "max", "min")
CONSTS = ("1", "2", "3", "0.5")




def derive_unverified(**options):
    """The derive and evaluate stages alone, without the verify stage.

    These properties check the values against their own oracles, so symgrad's own
    self-check would only repeat the work.
    """
    d = engine.derive(symgrad.read(**options))
    return d.with_layers(numbers=symgrad.evaluate(d))


# ---------------------------------------------------------------- trees: text, SymPy, floats


def text(t) -> str:
    op = t[0]
    if op == "var":
        return t[1]
    if op == "num":
        return t[1]
    if op in ("add", "sub", "mul"):
        sym = {"add": "+", "sub": "-", "mul": "*"}[op]
        return f"({text(t[1])} {sym} {text(t[2])})"
    if op == "div":  # a / (1 + b^2): never divides by zero
        return f"({text(t[1])}) / (1 + ({text(t[2])})^2)"
    if op == "pow":
        return f"({text(t[1])})^{t[2]}"
    if op == "max" or op == "min":
        return f"{op}({text(t[1])}, {text(t[2])})"
    if op == "log1p2":
        return f"log(1 + ({text(t[1])})^2)"
    if op == "sqrt1p2":
        return f"sqrt(1 + ({text(t[1])})^2)"
    if op == "neg":
        return f"(-{text(t[1])})"
    return f"{op}({text(t[1])})"


def sym(t, env):
    """The test's own SymPy expression; ``env`` maps leaf names to SymPy expressions."""
    op = t[0]
    if op == "var":
        return env[t[1]]
    if op == "num":
        return sp.Rational(t[1])
    a = sym(t[1], env)
    if op == "pow":
        return a ** t[2]
    if op in BINARY:
        b = sym(t[2], env)
        return {
            "add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
            "div": lambda: a / (1 + b**2), "max": lambda: sp.Max(a, b), "min": lambda: sp.Min(a, b),
        }[op]()
    return {
        "exp": lambda: sp.exp(a), "log1p2": lambda: sp.log(1 + a**2), "abs": lambda: sp.Abs(a),
        "sigmoid": lambda: 1 / (1 + sp.exp(-a)), "tanh": lambda: sp.tanh(a),
        "relu": lambda: sp.Max(0, a), "sqrt1p2": lambda: sp.sqrt(1 + a**2), "neg": lambda: -a,
    }[op]()


class Rejected(Exception):
    pass


def fval(t, env, kinks=None):
    """Plain-float value; appends every kink argument to ``kinks``; raises Rejected when too big."""
    op = t[0]
    if op == "var":
        v = env[t[1]]
    elif op == "num":
        v = float(t[1])
    else:
        a = fval(t[1], env, kinks)
        if op == "pow":
            v = a ** t[2]
        elif op in BINARY:
            b = fval(t[2], env, kinks)
            if op in ("max", "min") and kinks is not None:
                kinks.append(a - b)
            v = {"add": a + b, "sub": a - b, "mul": a * b, "div": a / (1 + b * b),
                 "max": max(a, b), "min": min(a, b)}[op]
        else:
            if op in ("abs", "relu") and kinks is not None:
                kinks.append(a)
            if op == "exp":
                if a > 50:
                    raise Rejected
                v = math.exp(a)
            elif op == "sigmoid":
                v = 1 / (1 + math.exp(-a)) if a > -50 else math.exp(a) / (1 + math.exp(a))
            else:
                v = {"log1p2": lambda: math.log(1 + a * a), "abs": lambda: abs(a),
                     "tanh": lambda: math.tanh(a), "relu": lambda: max(0.0, a),
                     "sqrt1p2": lambda: math.sqrt(1 + a * a), "neg": lambda: -a}[op]()
    if not math.isfinite(v) or abs(v) > BOUND:
        raise Rejected
    return v


def leaves(t):
    if t[0] == "var":
        return {t[1]}
    if t[0] == "num":
        return set()
    out = set()
    for c in t[1:]:
        if isinstance(c, tuple):
            out |= leaves(c)
    return out


leaf = st.one_of(
    st.sampled_from(NAMES).map(lambda n: ("var", n)),
    st.sampled_from(NAMES).map(lambda n: ("var", n)),
    st.sampled_from(CONSTS).map(lambda c: ("num", c)),
)


def extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(BINARY), children, children),
        st.tuples(st.sampled_from(UNARY), children),
        st.tuples(st.just("pow"), children, st.sampled_from([2, 3])),
    )


trees = st.recursive(leaf, extend, max_leaves=5)
coords = st.integers(-2000, 2000)  # thousandths: exact decimals such as -1.234


def dec(k: int) -> str:
    return format(Decimal(k) / 1000, "f")


def far_from_kinks(tree_or_trees, env) -> bool:
    kinks: list[float] = []
    try:
        for t in tree_or_trees:
            fval(t, env, kinks)
    except (Rejected, OverflowError, ZeroDivisionError):
        return False
    return all(abs(k) > KINK_GAP for k in kinks)


def num(v, prec=30):
    return sp.N(v, prec)


def close(a, b, rel, floor=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b), floor)


def central_difference(f, env, name, h=1e-6):
    hi, lo = dict(env), dict(env)
    hi[name] += h
    lo[name] -= h
    return (f(hi) - f(lo)) / (2 * h)


# ---------------------------------------------------------------- (b) every recorded step


def _elementary(e):
    """Rewrite symgrad's sigmoid/relu (by class name) into SymPy built-ins, in the test."""
    return e.replace(lambda n: type(n).__name__ == "sigmoid", lambda n: 1 / (1 + sp.exp(-n.args[0]))) \
            .replace(lambda n: type(n).__name__ == "relu", lambda n: sp.Max(0, n.args[0]))


def _kink_args(e):
    out = []
    for n in sp.preorder_traversal(e):
        if isinstance(n, (sp.Abs, sp.sign, sp.Heaviside)) or type(n).__name__ == "relu":
            out.append(n.args[0])
        elif isinstance(n, (sp.Max, sp.Min)):
            args = n.args
            out.extend(args[i] - args[j] for i in range(len(args)) for j in range(i + 1, len(args)))
    return out


def check_steps(d, rng: random.Random, points: int = 3):
    """For every step s: evaluated(s.after) == d/d(var) evaluated(s.before), at non-kink points."""
    checked = 0
    for part in d.partials:
        for s in part.step.walk():
            before = _elementary(evaluated(s.before))
            after = _elementary(evaluated(s.after))
            oracle = sp.diff(before, s.var)
            diff = after - oracle
            if diff == 0:
                checked += 1
                continue
            free = sorted(before.free_symbols | after.free_symbols, key=lambda q: q.name)
            kinks = [_elementary(evaluated(k)) for k in _kink_args(s.before) + _kink_args(s.after)]
            good = 0
            for _ in range(200):
                pt = {q: sp.Rational(rng.randint(-2000, 2000), 997) for q in free}
                try:
                    if any(abs(float(num(k.xreplace(pt), 20))) <= KINK_GAP for k in kinks):
                        continue
                    va, vo = num(after.xreplace(pt)), num(oracle.xreplace(pt))
                except (TypeError, ValueError, ZeroDivisionError):
                    continue
                if not (va.is_extended_real and vo.is_extended_real):
                    continue  # e.g. x^y at x < 0
                if not (va.is_finite and vo.is_finite) or abs(vo) > 1e12:
                    continue
                assert close(float(va), float(vo), 1e-9), (
                    f"step {s.rule.value}: d/d{s.var} {s.before} = {s.after} is wrong at {pt}: "
                    f"{va} vs sympy.diff {vo}"
                )
                good += 1
                if good == points:
                    break
            assert good >= 1, f"no valid sample point for step {s.rule.value} of {s.before}"
            checked += 1
    return checked


# ---------------------------------------------------------------- (a) random expression trees


@settings(max_examples=200, **SETTINGS)
@given(tree=trees, xs=st.tuples(coords, coords, coords), data=st.data())
def test_random_tree_gradient_matches_sympy_and_finite_differences(tree, xs, data):
    used = sorted(leaves(tree))
    assume(used)
    expr = sym(tree, SYM)
    wrt = [n for n in used if SYM[n] in expr.free_symbols]
    assume(wrt)
    point_k = dict(zip(NAMES, xs))
    env = {n: point_k[n] / 1000 for n in used}
    assume(far_from_kinks([tree], env))
    at = ", ".join(f"{n}={dec(point_k[n])}" for n in used)
    d = derive_unverified(lets=[f"L = {text(tree)}"], wrt=",".join(wrt), at=at)
    assert d.kinks == ()
    exact_pt = {SYM[n]: sp.Rational(point_k[n], 1000) for n in used}
    f = lambda e: fval(tree, e)  # noqa: E731
    for g in d.results:
        assert g.value is not None
        got = num(g.value)
        expected = num(sp.diff(expr, SYM[g.param]).xreplace(exact_pt))
        assert close(float(got), float(expected), 1e-9), (text(tree), g.param, at, got, expected)
        fd = central_difference(f, env, g.param)
        assert close(float(got), fd, 1e-5, floor=1e-4), (text(tree), g.param, at, got, fd)
    if data.draw(st.integers(0, 2), label="check steps") == 0:
        check_steps(d, random.Random(hash(text(tree)) & 0xFFFF))


# ---------------------------------------------------------------- (b) steps on fixed problems

STEP_PROBLEMS = [
    (["L = abs(y - (m*x + 4))"], "m", "x=2, y=10, m=1.5"),
    (["L = (x*y + 1) / (x^2 + 1)"], "x", "x=0.5, y=-1.25"),  # quotient
    (["L = x^y"], "x", "x=1.5, y=2.5"),  # general power
    (["L = 2^(x*y)"], "y", "x=0.5, y=-1.25"),  # exponential a^u
    (["L = sqrt(1 + x^2) * exp(-x) - log(1 + y^2)"], "x", "x=0.5, y=-1.25"),
    (["L = sigmoid(w*x + b)"], "w", "w=0.3, x=1.5, b=-0.2"),
    (["L = tanh(relu(x - 1) + max(x, y) - min(x, 2*y))"], "x", "x=1.5, y=-0.75"),
    (["L = sign(x) * x + abs(x*y)^3"], "x", "x=0.5, y=-1.25"),
    (["z = w*x + b", "p = sigmoid(z)", "L = -(y*log(p) + (1 - y)*log(1 - p))"], "w",
     "w=0.3, x=1.5, b=-0.2, y=1"),
]  # fmt: skip


@pytest.mark.parametrize("lets, wrt, at", STEP_PROBLEMS)
def test_every_step_is_a_true_derivative(lets, wrt, at):
    d = symgrad.derive(lets=lets, wrt=wrt, at=at)
    assert check_steps(d, random.Random(11)) >= len(d.partials)


# ---------------------------------------------------------------- (c) random graphs of named quantities

INPUTS = ("x", "y")
NODE_UNARY = ("id", "sigmoid", "tanh", "abs", "relu", "log1p2", "sqrt1p2")


@st.composite
def graphs(draw):
    """3-6 quantities q1..qk; q2 and q3 both use q1; each later one uses the one before it."""
    k = draw(st.integers(3, 6))
    quantities = []
    for i in range(1, k + 1):
        names = list(INPUTS) + [f"q{j}" for j in range(1, i)]
        if i == 1:
            a = ("var", draw(st.sampled_from(INPUTS)))
        elif i in (2, 3):
            a = ("var", "q1")
        else:
            a = ("var", f"q{i - 1}")
        other = draw(st.one_of(st.sampled_from(names).map(lambda n: ("var", n)),
                               st.sampled_from(CONSTS).map(lambda c: ("num", c))))
        if i == 3:
            other = ("var", "q2")  # q3 = f(q1, q2): the last one depends on every path
        op = draw(st.sampled_from(("add", "sub", "mul", "max", "min")))
        inner = (op, a, other)
        un = draw(st.sampled_from(NODE_UNARY))
        quantities.append((f"q{i}", inner if un == "id" else (un, inner)))
    return quantities


@settings(max_examples=20, **SETTINGS)
@given(graph=graphs(), xs=st.tuples(coords, coords), two=st.booleans())
def test_random_graph_gradient_and_adjoints(graph, xs, two):
    point_k = dict(zip(INPUTS, xs))
    env = {n: point_k[n] / 1000 for n in INPUTS}
    # forward in floats, with kink arguments
    fenv, kinks = dict(env), []
    try:
        for name, t in graph:
            fenv[name] = fval(t, fenv, kinks)
    except (Rejected, OverflowError, ZeroDivisionError):
        assume(False)
    assume(all(abs(k) > KINK_GAP for k in kinks))
    loss = graph[-1][0]
    # the test's own SymPy: each quantity in terms of symbols, and fully substituted
    syms = {n: sp.Symbol(n, real=True) for n in list(INPUTS) + [q for q, _ in graph]}
    local = {q: sym(t, syms) for q, t in graph}
    full_env = {n: syms[n] for n in INPUTS}
    for q, t in graph:
        full_env[q] = sym(t, full_env)
    full = full_env[loss]
    wrt = [n for n in (INPUTS if two else INPUTS[:1]) if syms[n] in full.free_symbols]
    assume(wrt)
    used_inputs = [n for n in INPUTS if any(syms[n] in e.free_symbols for e in local.values())]
    at = ", ".join(f"{n}={dec(point_k[n])}" for n in used_inputs)
    lets = [f"{q} = {text(t)}" for q, t in graph]
    d = derive_unverified(lets=lets, wrt=",".join(wrt), at=at)
    assert d.kinks == ()
    exact = {syms[n]: sp.Rational(point_k[n], 1000) for n in used_inputs}

    def float_loss(e):
        fe = dict(e)
        for name, t in graph:
            fe[name] = fval(t, fe)
        return fe[loss]

    for g in d.results:
        got = float(num(g.value))
        expected = float(num(sp.diff(full, syms[g.param]).xreplace(exact)))
        assert close(got, expected, 1e-9), (lets, g.param, at, got, expected)
        fd = central_difference(float_loss, {n: env[n] for n in INPUTS}, g.param)
        assert close(got, fd, 1e-5, floor=1e-4), (lets, g.param, at, got, fd)

    # independent reverse mode: forward values exactly, then adjoints from sympy partials
    values = dict(exact)
    for q, _ in graph:
        values[syms[q]] = local[q].xreplace(values)
    adj = {n: sp.Integer(0) for n in syms}
    adj[loss] = sp.Integer(1)
    for q, _ in reversed(graph):
        for s in local[q].free_symbols:
            adj[s.name] += adj[q] * sp.diff(local[q], s).xreplace(values)
    got_adj = dict(d.adjoints)
    for name in [q for q, _ in graph] + used_inputs:
        assert name in got_adj, f"no adjoint for {name}"
        assert got_adj[name] is not None
        assert close(float(num(got_adj[name])), float(num(adj[name])), 1e-9), (lets, name, at)
    # q1 feeds q2 and q3: its adjoint is the sum over both paths
    contributions = [adj[q] * sp.diff(local[q], syms["q1"]).xreplace(values)
                     for q, _ in graph if syms["q1"] in local[q].free_symbols]
    # (SymPy's own reading can cancel a use, as in q2 = q1 - q1; then there is one path)
    assert len(contributions) >= 2 or len(graph) == 3 and graph[1][1][1] == graph[1][1][2]
    assert close(float(num(got_adj["q1"])), float(num(sum(contributions))), 1e-9)
    # and every recorded local step is a true derivative
    if not two:
        check_steps(d, random.Random(3), points=1)


def test_small_chain_derives_within_seconds():
    """Five named quantities must not take minutes (the brief: cost linear in the named steps).

    Found by test_random_graph_gradient_and_adjoints: this problem took 200 s, all of it
    in symgrad's self-check (engine._same -> sympy.simplify -> trigsimp).
    """
    code = (
        "import symgrad; symgrad.derive(lets=['q1 = tanh((x + 3))', 'q2 = tanh((q1 + 2))', "
        "'q3 = abs(max(q1, q2))', 'q4 = abs((q3 - 1))', 'q5 = sqrt(1 + ((q4 - 0.5))^2)'], "
        "wrt='x', at='x=-0.366')"
    )
    try:
        subprocess.run([sys.executable, "-c", code], timeout=20, check=True, capture_output=True)
    except subprocess.TimeoutExpired:
        pytest.fail("symgrad.derive on a 5-quantity chain took more than 20 s")
