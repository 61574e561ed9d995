"""Float evaluation of an expression at many points at once (for sampling, not for display).

Verification and the checker compare expressions at dozens of seeded points; Python floats
are exact enough for that (relative tolerance 1e-8) and hundreds of times faster than SymPy
numbers. ``nan`` stands for a value that is undefined at a point (log of a negative number,
division by zero, overflow).
"""

from __future__ import annotations

import math

import sympy as sp

from symgrad.expr.functions import (
    clamp,
    hardtanh,
    leaky_relu,
    maximum,
    minimum,
    relu,
    sigmoid,
    softplus,
)


def _f_sign(u):
    return math.copysign(1.0, u) if u else 0.0 * u


def _f_exp(u):
    return math.exp(u) if u < 700 else math.inf


def _f_log(u):
    return math.log(u) if u > 0 else math.nan


def _f_sigmoid(u):
    return 1 / (1 + math.exp(-u)) if u > -700 else 0.0


def _f_heaviside(u, h0=0.5):
    return 1.0 if u > 0 else 0.0 if u < 0 else float(h0) if u == 0 else math.nan


def _f_pow(b, e):
    try:
        r = b**e
    except (ZeroDivisionError, OverflowError):
        return math.nan
    return math.nan if isinstance(r, complex) else r


_FLOAT = {sp.Abs: abs, sp.sign: _f_sign, sp.exp: _f_exp, sp.log: _f_log, sigmoid: _f_sigmoid,
          sp.tanh: math.tanh, relu: lambda u: max(0.0, u), sp.Heaviside: _f_heaviside,
          sp.Max: lambda *a: max(a), sp.Min: lambda *a: min(a),
          maximum: lambda *a: max(a), minimum: lambda *a: min(a),
          sp.sin: math.sin, sp.cos: math.cos, sp.tan: math.tan, sp.sinh: math.sinh,
          sp.cosh: math.cosh, softplus: lambda u: max(u, 0.0) + math.log1p(math.exp(-abs(u))),
          leaky_relu: lambda u, a: u if u > 0 else a * u,
          clamp: lambda u, lo, hi: min(max(u, lo), hi),
          hardtanh: lambda u: min(max(u, -1.0), 1.0),
          # sympy.diff of |f(b)| for an f that may leave the reals (sqrt(b)) writes re, im, atan2
          sp.atan2: math.atan2, sp.re: lambda u: u, sp.im: lambda u: 0.0, sp.atan: math.atan,
          # the derivative of a jump (sympy.diff of Heaviside): 0 away from it, undefined on it
          sp.DiracDelta: lambda u, *k: 0.0 if u != 0 else math.nan}  # fmt: skip


def fvals(expr: sp.Basic, env: dict, n: int) -> list[float]:
    """``expr`` at n points in floats (nan where undefined); env maps symbol -> n values."""
    memo: dict = {}

    def ev(e):
        got = memo.get(e)
        if got is not None:
            return got
        if e.is_Symbol:
            r = env[e]
        elif e.is_number and not e.free_symbols and (e.is_Number or e.is_NumberSymbol):
            r = [float(e)] * n
        elif e.is_Add:
            parts = [ev(a) for a in e.args]
            r = [math.fsum(t) for t in zip(*parts)]
        elif e.is_Mul:
            r = [1.0] * n
            for a in e.args:
                r = [p * q for p, q in zip(r, ev(a))]
        elif isinstance(e, sp.Piecewise):
            pieces = [(ev(x), _truth(c, ev, n)) for x, c in e.args]
            r = []
            for k in range(n):
                r.append(next((v[k] for v, c in pieces if c[k]), math.nan))
        elif e.is_Pow:
            r = [_f_pow(b, x) for b, x in zip(ev(e.base), ev(e.exp))]
        else:
            fn = _FLOAT.get(type(e))
            if fn is None:
                raise TypeError(f"cannot evaluate {type(e).__name__}")
            r = [_safe(fn, a) for a in zip(*[ev(a) for a in e.args])]
        memo[e] = r
        return r

    try:
        return [v if isinstance(v, float) and math.isfinite(v) else math.nan for v in ev(expr)]
    except OverflowError:
        return [math.nan] * n


def _safe(fn, args):
    try:
        return float(fn(*args))
    except (ValueError, OverflowError, ZeroDivisionError):
        return math.nan


_COMPARE = {sp.StrictLessThan: lambda a, b: a < b, sp.StrictGreaterThan: lambda a, b: a > b,
            sp.LessThan: lambda a, b: a <= b, sp.GreaterThan: lambda a, b: a >= b,
            sp.Eq: lambda a, b: a == b, sp.Ne: lambda a, b: a != b}


def _truth(cond, ev, n: int) -> list[bool]:
    """A Piecewise condition at the n points."""
    if cond is sp.true:
        return [True] * n
    if cond is sp.false:
        return [False] * n
    if isinstance(cond, sp.And):
        parts = [_truth(c, ev, n) for c in cond.args]
        return [all(p[k] for p in parts) for k in range(n)]
    if isinstance(cond, sp.Or):
        parts = [_truth(c, ev, n) for c in cond.args]
        return [any(p[k] for p in parts) for k in range(n)]
    if isinstance(cond, sp.Not):
        return [not v for v in _truth(cond.args[0], ev, n)]
    if isinstance(cond, sp.ITE):  # if c then a else b: sympy.diff folds nested where() so
        c, a, b = (_truth(x, ev, n) for x in cond.args)
        return [a[k] if c[k] else b[k] for k in range(n)]
    op = _COMPARE.get(type(cond))
    if op is None:
        raise TypeError(f"cannot evaluate the condition {cond}")
    a, b = ev(cond.lhs), ev(cond.rhs)
    return [op(x, y) for x, y in zip(a, b)]
