"""Random expressions with the point forced onto a kink: under every convention the value
symgrad picks lies in the true subdifferential, and the reported interval is that set.

The oracle shares nothing with symgrad: each expression is built here as a small tree,
evaluated by its own mpmath evaluator at 60 digits, and the one-sided derivatives at the
point are difference quotients with h = 1e-25. In one variable, the Clarke subdifferential of
a piecewise-smooth function is the interval between its one-sided derivatives; with one kink
wrapped in smooth functions the chain rule is exact, so that interval is what symgrad must
report (``subdifferential``), min-norm must be its element nearest 0, and every other
convention must land inside it.

Scope, on purpose: one kink per expression. With two kinks at one point
(``relu(w) - relu(-w)``) a chain rule over picked subgradients can leave the true
subdifferential; that is a known limit of any per-node convention (PyTorch and JAX share
it), documented in the README.
Ties of 2-4 arms of max/min are covered in test_ties.py.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest

import symgrad

CONVENTIONS = ["min-norm", "subdifferential", "left", "right", "average", "pytorch", "jax",
               "tensorflow"]
mpmath.mp.dps = 60
H = mpmath.mpf("1e-25")
TOL = 1e-9


def mp(x: Fraction) -> mpmath.mpf:
    return mpmath.mpf(x.numerator) / x.denominator

# smooth wrappers: (symgrad text with {} for the argument, mpmath function)
OUTER = [
    ("tanh({})", mpmath.tanh),
    ("exp({})", mpmath.exp),
    ("sin({})", mpmath.sin),
    ("({})^2", lambda t: t ** 2),
    ("sigmoid({})", lambda t: 1 / (1 + mpmath.exp(-t))),
    ("log(1 + ({})^2)", lambda t: mpmath.log(1 + t ** 2)),
    ("3*({}) - 1", lambda t: 3 * t - 1),
    ("-2*({})", lambda t: -2 * t),
]


def kink_ops(rng: random.Random):
    """(text with {} for the kink's argument, mpmath function) for one nonsmooth node."""
    s = Fraction(rng.randint(-3, 3), 2)  # a constant arm that ties only where the argument does
    return rng.choice([
        ("abs({})", abs),
        ("relu({})", lambda t: max(t, 0)),
        ("max({}, 0)", lambda t: max(t, 0)),
        ("min({}, 0)", lambda t: min(t, 0)),
        ("max(0, -({}))", lambda t: max(0, -t)),
        (f"max({{}} + {s}, {s})", lambda t: max(t + mp(s), mp(s))),
        ("leaky_relu({})", lambda t: t if t > 0 else t / 100),
    ])


def problem(seed: int):
    """A random L(w, v) whose kink's argument is exactly 0 at the point w = w0."""
    rng = random.Random(seed)
    w0 = Fraction(rng.randint(-6, 6), rng.choice([1, 2, 4]))
    v0 = Fraction(rng.randint(-4, 4), 2)
    a, b, c = (Fraction(rng.randint(-3, 3) or 1, rng.choice([1, 2])) for _ in range(3))
    # inner: a*w^2 + b*w*v + c*w - k, with k chosen so the inner is 0 at (w0, v0)
    k = a * w0 * w0 + b * w0 * v0 + c * w0
    inner_text = f"{a}*w^2 + {b}*w*v + {c}*w - ({k})"

    def inner(w, v):
        return (mp(a) * w * w + mp(b) * w * v + mp(c) * w
                - mp(k))

    ktext, kfn = kink_ops(rng)
    (o1, f1), (o2, f2) = rng.sample(OUTER, 2)
    coef = Fraction(rng.randint(1, 4), rng.choice([1, 2, 3]))
    lets = [f"u = {inner_text}",
            f"q = {ktext.format('u')}",
            f"L = {o1.format(f'{coef}*q')} + {o2.format('w*v')}"]

    def loss(w, v):
        q = kfn(inner(w, v))
        return f1(mp(coef) * q) + f2(w * v)

    return lets, w0, v0, loss


def one_sided(loss, w0, v0):
    w, v = mp(w0), mp(v0)
    mid = loss(w, v)
    left = (mid - loss(w - H, v)) / H
    right = (loss(w + H, v) - mid) / H
    return float(min(left, right)), float(max(left, right))


CASES = list(range(40))


@pytest.mark.parametrize("seed", CASES)
def test_every_convention_picks_a_true_subgradient(seed):
    lets, w0, v0, loss = problem(seed)
    lo, hi = one_sided(loss, w0, v0)
    at = f"w={w0}, v={v0}"
    for convention in CONVENTIONS:
        d = symgrad.derive(lets=lets, wrt="w", at=at, convention=convention)
        (g,) = d.results
        where = f"{lets} at {at}, {convention}"
        if hi - lo > TOL:  # a real kink: symgrad must have found it
            assert d.kinks, where
            assert g.interval is not None, where
            assert float(g.interval[0]) == pytest.approx(lo, abs=1e-8), where
            assert float(g.interval[1]) == pytest.approx(hi, abs=1e-8), where
        if convention == "subdifferential":
            assert g.value is None or hi - lo <= TOL, where
            continue
        value = float(g.value)
        assert lo - 1e-8 <= value <= hi + 1e-8, (where, value, lo, hi)
        if convention == "min-norm":
            nearest = 0.0 if lo <= 0 <= hi else (lo if abs(lo) < abs(hi) else hi)
            assert value == pytest.approx(nearest, abs=1e-8), where


def test_the_oracle_sees_a_kink_in_most_cases():
    """Guards the test itself: most generated problems must really sit on a kink."""
    real = 0
    for seed in CASES:
        _, w0, v0, loss = problem(seed)
        lo, hi = one_sided(loss, w0, v0)
        real += hi - lo > TOL
    assert real >= len(CASES) * 2 // 3, real
