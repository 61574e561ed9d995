"""Ties of max/min with 2, 3 and 4 arms: every convention's pick is a true subgradient, and
min-norm is the true minimum-norm one.

The oracle is independent of symgrad: the subdifferential of max(a_1, ..., a_k) at a tie is
the convex hull of the tied arms' gradients (here affine arms, so their gradients are their
coefficient vectors), and its minimum-norm element is found by projected gradient descent
on the simplex in NumPy. Points are forced onto the tie by choosing the arms' constants.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import symgrad

CONVENTIONS = ["min-norm", "subdifferential", "left", "right", "average", "pytorch", "jax",
               "tensorflow"]


def project_to_simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection onto {x >= 0, sum x = 1} (sorting method)."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    rho = np.nonzero(u * np.arange(1, len(v) + 1) > (css - 1))[0][-1]
    theta = (css[rho] - 1) / (rho + 1)
    return np.maximum(v - theta, 0)


def nearest_in_hull(points: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The point of conv(points) nearest to ``target`` (projected gradient on the weights)."""
    lam = np.full(len(points), 1 / len(points))
    y, t = lam.copy(), 1.0
    step = 1 / max(np.linalg.norm(points @ points.T, 2), 1e-12)
    for _ in range(5000):  # accelerated projected gradient (FISTA)
        new = project_to_simplex(y - step * (points @ (points.T @ y - target)))
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        y = new + (t - 1) / t_next * (new - lam)
        lam, t = new, t_next
    return points.T @ lam


def tie_problem(k: int, seed: int, kind: str):
    """L = 2*max(arms) + w^2/2 (or min), arms c_j*w + d_j*v + e_j tied at the point."""
    rng = random.Random(seed)
    w, v = rng.randint(-3, 3), rng.randint(-3, 3)
    level = rng.randint(-5, 5)
    coef = [(rng.randint(-4, 4), rng.randint(-4, 4)) for _ in range(k)]
    arms = [f"{c}*w + {d}*v + {level - c * w - d * v}" for c, d in coef]
    lets = [f"L = 2*{kind}({', '.join(arms)}) + w^2/2"]
    smooth = np.array([w, 0.0])  # the gradient of w^2/2
    hull = 2 * np.array(coef, dtype=float)  # the tied arms' gradients, times 2
    return lets, f"w={w}, v={v}", smooth, hull


CASES = [(k, seed, kind) for k in (2, 3, 4) for seed in range(4) for kind in ("max", "min")]


@pytest.mark.parametrize("k, seed, kind", CASES)
@pytest.mark.parametrize("convention", CONVENTIONS)
def test_every_convention_picks_a_subgradient(k, seed, kind, convention):
    lets, at, smooth, hull = tie_problem(k, seed, kind)
    d = symgrad.derive(lets=lets, wrt="w,v", at=at, convention=convention)
    distinct = len({tuple(p) for p in hull}) > 1
    if distinct:
        assert d.kinks, "the tie was not found"
    if convention == "subdifferential" and distinct:
        assert d.gradient["w"] is None and d.gradient["v"] is None
        for i, name in enumerate(("w", "v")):
            lo, hi = d.interval[name]
            assert float(lo) == pytest.approx(smooth[i] + hull[:, i].min(), abs=1e-9)
            assert float(hi) == pytest.approx(smooth[i] + hull[:, i].max(), abs=1e-9)
        return
    g = np.array([float(d.gradient["w"]), float(d.gradient["v"])])
    inside = nearest_in_hull(hull, g - smooth)
    assert np.linalg.norm(inside - (g - smooth)) < 1e-4, (lets, convention, g)


@pytest.mark.parametrize("k, seed, kind", CASES)
def test_min_norm_is_the_minimum_norm_subgradient(k, seed, kind):
    lets, at, smooth, hull = tie_problem(k, seed, kind)
    d = symgrad.derive(lets=lets, wrt="w,v", at=at)
    g = np.array([float(d.gradient["w"]), float(d.gradient["v"])])
    best = smooth + nearest_in_hull(hull, -smooth)
    assert np.linalg.norm(g) == pytest.approx(np.linalg.norm(best), abs=1e-4), (lets, g, best)


def test_three_way_tie_of_min_splits_evenly():
    d = symgrad.derive(lets=["L = min(u, v, w)"], wrt="u,v,w", at="u=0, v=0, w=0")
    assert all(str(d.gradient[p]) == "1/3" for p in "uvw")  # min-norm of the simplex's corners
    (kink,) = d.kinks
    assert kink.tied == (0, 1, 2)
    text = d.render("text")
    assert "is on a tie of 3 of its arguments" in text


def test_tensorflow_gives_a_tie_to_the_first_tied_argument():
    d = symgrad.derive(lets=["L = max(a, b, c)"], wrt="a,b,c", at="a=0, b=1, c=1",
                       convention="tensorflow")
    assert (d.gradient["a"], d.gradient["b"], d.gradient["c"]) == (0, 1, 0)


def test_no_tie_no_kink():
    d = symgrad.derive(lets=["L = max(a, b, c)"], wrt="a,b,c", at="a=0, b=1, c=2")
    assert d.kinks == () and (d.gradient["a"], d.gradient["b"], d.gradient["c"]) == (0, 0, 1)
    assert d.verified


def test_a_three_arm_max_is_differentiated_by_a_named_rule_and_verified():
    d = symgrad.derive(lets=["L = max(x^2, 2*x, 1)"], wrt="x", at="x=3")
    rules = [s.rule.value for p in d.partials for s in p.step.walk()]
    assert "max to indicator" in rules and "sympy.diff" not in rules
    assert d.gradient["x"] == 6 and d.verified


def test_arms_that_coincide_on_a_region_pass_the_self_check():
    """min(m, clamp(m, 0, 1), |m|) is m on [0, 1] (all three arms tie there), 1 above and m below:
    slopes 1, 0, 1 (by hand). The rules' strict indicators are 0 on the tied region, so sympy.diff and the
    formula part ways there; the verifier leaves tie points out (a tie is a kink) instead of
    calling it a bug, and the value at a point on the region is still the common slope."""
    for at, slope in (("m=0.5", 1), ("m=2", 0), ("m=-1", 1)):
        d = symgrad.derive(lets=["L = min(m, clamp(m, 0, 1), |m|)"], wrt="m", at=at)
        assert d.verified, d.verification
        assert d.gradient["m"] == slope, (at, d.gradient)
    assert symgrad.derive(lets=["L = min(m, clamp(m, 0, 1), |m|)"], wrt="m").verified
