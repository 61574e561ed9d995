"""The loss library: losses usable by name inside expressions, each written out in primitives.

A loss call such as ``huber(y - yhat, 1)`` is replaced, as it is read, by its definition
in primitives (``where``, ``abs``, ``max``, ``log``, ...). The walkthrough then shows the
definition and differentiates it with the ordinary named rules, so every kink and every
smooth junction is handled by the same machinery. Each entry documents its formula, its
kinks and its derivative (``symgrad list losses``).
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from symgrad.expr.functions import maximum, softplus
from symgrad.records import record


def _neg(e):
    return sp.Mul(-1, e, evaluate=False)


def _sub(a, b):
    return sp.Add(a, _neg(b), evaluate=False)


def _mul(*f):
    return sp.Mul(*f, evaluate=False)


def _half(e):
    return _mul(sp.Rational(1, 2), e)


def _sq(e):
    return sp.Pow(e, 2, evaluate=False)


def _abs(e):
    return sp.Abs(e, evaluate=False)


@record
class Loss:
    """A named loss: its arguments, its definition in primitives and its documentation."""

    name: str
    args: tuple[str, ...]
    build: Callable[..., sp.Basic]
    formula: str
    kinks: str
    derivative: str
    aliases: tuple[str, ...] = ()


def _huber(r, d):
    quad = _half(_sq(r))
    lin = _mul(d, _sub(_abs(r), _half(d)))
    return sp.Piecewise((quad, sp.Le(_abs(r), d, evaluate=False)), (lin, True), evaluate=False)


def _smooth_l1(r, b):
    quad = _mul(sp.Rational(1, 2), _sq(r), sp.Pow(b, -1, evaluate=False))
    lin = _sub(_abs(r), _half(b))
    return sp.Piecewise((quad, sp.Lt(_abs(r), b, evaluate=False)), (lin, True), evaluate=False)


def _softmax_ce(k, *scores):
    if not (k.is_Integer and 1 <= int(k) <= len(scores)):
        raise ValueError(f"the first argument of softmax_ce is the target class, 1 to {len(scores)}")
    total = sp.Add(*[sp.exp(z, evaluate=False) for z in scores], evaluate=False)
    return sp.Add(_neg(scores[int(k) - 1]), sp.log(total, evaluate=False), evaluate=False)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss("l1", ("r",), _abs, "|r|", "r = 0 (subdifferential [-1, 1])",
             "sign(r)", ("mae",)),
        Loss("l2", ("r",), _sq, "r^2", "none", "2 r", ("squared", "mse")),
        Loss("huber", ("r", "delta"), _huber,
             "r^2/2 where |r| <= delta, else delta (|r| - delta/2)",
             "none (smooth at |r| = delta, where both pieces have slope delta sign(r))",
             "clamp(r, -delta, delta)"),
        Loss("smooth_l1", ("r", "beta"), _smooth_l1,
             "r^2 / (2 beta) where |r| < beta, else |r| - beta/2",
             "none for beta > 0 (smooth at |r| = beta)", "clamp(r / beta, -1, 1)"),
        Loss("log_cosh", ("r",), lambda r: sp.log(sp.cosh(r, evaluate=False), evaluate=False),
             "log(cosh(r))", "none", "tanh(r)"),
        Loss("hinge", ("m",), lambda m: maximum(0, _sub(1, m), evaluate=False),
             "max(0, 1 - m), m the margin y f", "m = 1 (subdifferential [-1, 0] in m)",
             "-1[1 - m > 0]"),
        Loss("squared_hinge", ("m",), lambda m: _sq(maximum(0, _sub(1, m), evaluate=False)),
             "max(0, 1 - m)^2", "none (the slope is 0 from both sides at m = 1)",
             "-2 max(0, 1 - m)"),
        Loss("bce", ("y", "p"),
             lambda y, p: _neg(sp.Add(_mul(y, sp.log(p, evaluate=False)),
                                      _mul(_sub(1, y), sp.log(_sub(1, p), evaluate=False)),
                                      evaluate=False)),
             "-(y log p + (1 - y) log(1 - p))", "none (0 < p < 1)",
             "in p: -y/p + (1 - y)/(1 - p)", ("log_loss",)),
        Loss("bce_logits", ("y", "z"),
             lambda y, z: _sub(softplus(z, evaluate=False), _mul(y, z)),
             "softplus(z) - y z  (= BCE of sigmoid(z))", "none", "in z: sigmoid(z) - y"),
        Loss("softmax_ce", ("k", "z1", "z2", "..."), _softmax_ce,
             "-z_k + log(sum_i exp(z_i)), k the target class (1-based)", "none",
             "in z_i: softmax(z)_i - 1[i = k]  (p - onehot)"),
        Loss("pinball", ("r", "tau"),
             lambda r, t: maximum(_mul(t, r), _mul(_sub(t, 1), r), evaluate=False),
             "max(tau r, (tau - 1) r)  (quantile loss)", "r = 0 (subdifferential [tau - 1, tau])",
             "tau - 1[r < 0]", ("quantile",)),
        Loss("eps_insensitive", ("r", "eps"),
             lambda r, e: maximum(0, _sub(_abs(r), e), evaluate=False),
             "max(0, |r| - eps)", "|r| = eps (and none at r = 0, inside the flat zone)",
             "sign(r) 1[|r| > eps]"),
    ]
}

#: every spelling -> its loss
BY_NAME: dict[str, Loss] = {n: loss for loss in LOSSES.values() for n in (loss.name, *loss.aliases)}
