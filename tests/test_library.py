"""The function and loss library: kinks under every convention, smooth junctions, listings.

Expected values are worked out by hand in the comments (one-sided slopes of each function
at its kink) or taken from the measured framework table in shared/data/kinks/table.md.
"""

from __future__ import annotations

import io
import math
from contextlib import redirect_stdout

import pytest
import sympy as sp

import symgrad
from symgrad.cli import main
from symgrad.numbers.conventions import Convention
from symgrad.reader.examples import ACTIVATIONS, EXAMPLES
from symgrad.reader.losses import LOSSES

R = sp.Rational


def grad(lets, wrt, at, convention="min-norm"):
    d = symgrad.derive(lets=lets, wrt=wrt, at=at, convention=convention)
    return [g.value for g in d.results], d


KINK_CASES = [
    # leaky_relu(u, a) at u = 0: slope a from the left, 1 from the right.
    # table.md: F.leaky_relu -> 0.01 (left), jax.nn.leaky_relu -> 1, tf.nn.leaky_relu -> 0.01
    ("leaky-min-norm", ["L = leaky_relu(w)"], "w=0", "min-norm", R(1, 100)),
    ("leaky-right", ["L = leaky_relu(w)"], "w=0", "right", 1),
    ("leaky-average", ["L = leaky_relu(w, 0.2)"], "w=0", "average", R(3, 5)),
    ("leaky-pytorch", ["L = leaky_relu(w)"], "w=0", "pytorch", R(1, 100)),
    ("leaky-jax", ["L = leaky_relu(w)"], "w=0", "jax", 1),
    ("leaky-tensorflow", ["L = leaky_relu(w)"], "w=0", "tensorflow", R(1, 100)),
    # clamp(u, -1, 1) at u = 1: slope 1 just below, 0 just above; torch.clamp gives 1
    ("clamp-hi-left", ["L = clamp(w, -1, 1)"], "w=1", "left", 1),
    ("clamp-hi-right", ["L = clamp(w, -1, 1)"], "w=1", "right", 0),
    ("clamp-hi-min-norm", ["L = clamp(w, -1, 1)"], "w=1", "min-norm", 0),
    ("clamp-lo-left", ["L = clamp(w, -1, 1)"], "w=-1", "left", 0),
    ("clamp-lo-right", ["L = clamp(w, -1, 1)"], "w=-1", "right", 1),
    ("clamp-pytorch", ["L = clamp(w, -1, 1)"], "w=1", "pytorch", 1),
    # hardtanh at +-1: F.hardtanh gives 0, jax.nn.hard_tanh and Keras give 1
    ("hardtanh-pytorch", ["L = hardtanh(w)"], "w=1", "pytorch", 0),
    ("hardtanh-jax", ["L = hardtanh(w)"], "w=-1", "jax", 1),
    ("hardtanh-tensorflow", ["L = hardtanh(w)"], "w=1", "tensorflow", 1),
    # pinball(r, 0.3) = max(0.3 r, -0.7 r): slopes -0.7 (left) and 0.3 (right); torch/jax
    # maximum split a tie 1/2-1/2 -> -0.2; tf.maximum gives the first argument -> 0.3;
    # the minimum-norm subgradient of [-0.7, 0.3] is 0
    ("pinball-min-norm", ["L = pinball(w, 0.3)"], "w=0", "min-norm", 0),
    ("pinball-pytorch", ["L = pinball(w, 0.3)"], "w=0", "pytorch", R(-1, 5)),
    ("pinball-tensorflow", ["L = pinball(w, 0.3)"], "w=0", "tensorflow", R(3, 10)),
    ("pinball-left", ["L = pinball(w, 0.3)"], "w=0", "left", R(-7, 10)),
    # hinge(m) = max(0, 1 - m) at m = 1; left/right refer to the kinked function's own
    # argument u = 1 - m (as for |u| and relu(u)): u just below 0 -> max = 0, slope 0;
    # u just above 0 -> max = 1 - m, slope -1 in m
    ("hinge-min-norm", ["L = hinge(w)"], "w=1", "min-norm", 0),
    ("hinge-left", ["L = hinge(w)"], "w=1", "left", 0),
    ("hinge-right", ["L = hinge(w)"], "w=1", "right", -1),
    ("hinge-tensorflow", ["L = hinge(w)"], "w=1", "tensorflow", 0),  # tie to the constant 0
    ("hinge-pytorch", ["L = hinge(w)"], "w=1", "pytorch", R(-1, 2)),
    # eps_insensitive(r, 0.5) = max(0, |r| - 0.5) at r = 0.5: slopes 0 (left) and 1 (right)
    ("eps-left", ["L = eps_insensitive(w, 0.5)"], "w=0.5", "left", 0),
    ("eps-right", ["L = eps_insensitive(w, 0.5)"], "w=0.5", "right", 1),
]


@pytest.mark.parametrize(("lets", "at", "convention", "expected"),
                         [pytest.param(*c[1:], id=c[0]) for c in KINK_CASES])
def test_kinks_under_each_convention(lets, at, convention, expected):
    (value,), d = grad(lets, "w", at, convention)
    assert d.kinks, "the point is on a kink"
    assert value == expected


@pytest.mark.parametrize("convention", [c.value for c in Convention if c.value != "subdifferential"])
@pytest.mark.parametrize(("lets", "at", "interval"), [
    pytest.param(["L = leaky_relu(w, 0.2)"], "w=0", (R(1, 5), 1), id="leaky"),
    pytest.param(["L = clamp(w, -1, 1)"], "w=1", (0, 1), id="clamp"),
    pytest.param(["L = pinball(w, 0.3)"], "w=0", (R(-7, 10), R(3, 10)), id="pinball"),
])
def test_every_convention_picks_inside_the_subdifferential(lets, at, interval, convention):
    (value,), d = grad(lets, "w", at, convention)
    assert d.results[0].interval == interval
    assert interval[0] <= value <= interval[1]


SMOOTH_CASES = [
    # Huber (delta 1) at |r| = 1: both pieces have slope sign(r) there
    ("huber-threshold", ["L = huber(w, 1)"], "w=1", 1),
    ("huber-threshold-negative", ["L = huber(w, 1)"], "w=-1", -1),
    ("huber-origin", ["L = huber(w, 1)"], "w=0", 0),  # |r| sits in the unused linear piece
    ("smooth-l1-threshold", ["L = smooth_l1(w, 0.5)"], "w=0.5", 1),
    ("squared-hinge-margin", ["L = squared_hinge(w)"], "w=1", 0),
    ("eps-inside", ["L = eps_insensitive(w, 0.5)"], "w=0", 0),  # |r| masked by the max
    ("softplus", ["L = softplus(w)"], "w=0", R(1, 2)),  # sigmoid(0)
    ("log-cosh", ["L = log_cosh(w)"], "w=0", 0),  # tanh(0)
]


@pytest.mark.parametrize(("lets", "at", "expected"),
                         [pytest.param(*c[1:], id=c[0]) for c in SMOOTH_CASES])
def test_smooth_points_are_not_kinks(lets, at, expected):
    (value,), d = grad(lets, "w", at)
    assert d.kinks == ()
    assert sp.simplify(value - expected) == 0


def test_softmax_cross_entropy_is_p_minus_onehot():
    z = [1.0, 2.0, 0.5]
    p = [math.exp(v) / sum(math.exp(u) for u in z) for v in z]
    values, _ = grad(["L = softmax_ce(2, z1, z2, z3)"], "z1,z2,z3", "z1=1, z2=2, z3=0.5")
    for got, want in zip(values, [p[0], p[1] - 1, p[2]]):
        assert abs(float(got) - want) < 1e-12


def test_bce_with_logits_is_sigmoid_minus_y():
    values, _ = grad(["L = bce_logits(y, z)"], "z", "y=1, z=0.7")
    assert abs(float(values[0]) - (1 / (1 + math.exp(-0.7)) - 1)) < 1e-12


def test_trig_and_log_base():
    values, _ = grad(["L = sin(w)*cos(w) + log(w, 2)"], "w", "w=0.3")
    want = math.cos(0.6) + 1 / (0.3 * math.log(2))  # d/dw (sin 2w / 2) = cos 2w
    assert abs(float(values[0]) - want) < 1e-12


def test_where_follows_its_condition_at_the_boundary():
    # where(w > 0, w^2 + w, 0) at 0: the condition is false, so the slope is that of 0,
    # as torch.where / jnp.where / tf.where return (table.md, max(x,0)_where)
    values, d = grad(["L = where(w > 0, w^2 + w, 0)"], "w", "w=0")
    assert values == [0]


def _listing(what: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["list", what]) == 0
    return out.getvalue()


def test_list_shows_every_loss_activation_convention_and_example():
    losses = _listing("losses")
    for loss in LOSSES.values():
        assert loss.name in losses and loss.formula in losses and loss.derivative in losses
    activations = _listing("activations")
    for call, formula, kinks, derivative in ACTIVATIONS:
        assert call in activations and formula in activations and derivative in activations
    conventions = _listing("conventions")
    for c in Convention:
        assert c.value in conventions
    examples = _listing("examples")
    for name in EXAMPLES:
        assert name in examples
