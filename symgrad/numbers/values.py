"""Numbers at a point: one bottom-up evaluation per node, exact where rational, else a 30-digit float.

Every value symgrad computes goes through :func:`evaluate_at`. A node is evaluated from its
children's *values* (never from their exact expressions), so the cost is linear in the size
of the expression DAG: ``tanh(tanh(tanh(1/4)/2)/2)`` is three small evaluations, not an
``evalf`` of a nested tree. Rationals stay exact (``0.05`` is ``1/20``, ``1.5 - 0.1*(-2)`` is
``17/10``); the first irrational value becomes a :class:`sympy.Float` of :data:`PRECISION`
digits, and everything computed from it is a float of that precision. Symbols missing from
the environment (a kink's weight ``t``) stay symbolic, so a value can be affine in them.
"""

from __future__ import annotations

import math
from decimal import Decimal

import sympy as sp
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from symgrad.errors import ProblemError
from symgrad.expr.algebra import huge_power as _huge_power

#: Significant digits used when a value has no short exact decimal form.
DEFAULT_DIGITS = 6
#: Digits carried by inexact values (far beyond what is displayed).
PRECISION = 30
#: A rational with more digits than this is carried as a float instead.
MAX_EXACT_DIGITS = 80
#: Values larger than this in magnitude are refused (they cannot be shown or compared).
MAX_MAGNITUDE = sp.Float("1e300", PRECISION)


class DomainError(ProblemError):
    """A value that is undefined, infinite or not real at the point."""


def _too_long(r: sp.Rational) -> bool:
    return (abs(r.p).bit_length() + r.q.bit_length()) * 0.30103 > MAX_EXACT_DIGITS


def as_number(v: sp.Basic) -> sp.Basic:
    """``v`` as an exact Rational or a PRECISION-digit Float (symbols left as they are)."""
    if isinstance(v, sp.Rational):
        return sp.Float(v, PRECISION) if _too_long(v) else v
    if isinstance(v, sp.Float):
        return v
    if v.free_symbols:
        return v
    f = v.evalf(PRECISION)
    return f


def _bad(v: sp.Basic) -> bool:
    """True when a numeric value is not a finite real number that can be shown."""
    if isinstance(v, sp.Rational):
        return False
    if isinstance(v, sp.Float):
        return not v.is_finite or abs(v) > MAX_MAGNITUDE
    if v.free_symbols:
        return False
    return True  # complex, zoo, nan, or a value evalf could not reduce


#: The largest rounded argument a sine or cosine is taken of: a PRECISION-digit float beyond
#: it is known only to about 1e-10 or worse, and its sine to no digit at all at 1e30.
PERIODIC_LIMIT = sp.Float(f"1e{PRECISION - 10}", PRECISION)


def periodic_beyond_precision(node: sp.Basic, args: list) -> bool:
    """sin, cos, tan ... of a rounded number too large for its digits to place it in the
    period (``sin(exp(-0.6) - 1e30)``: fuzz seed 7,062,669). An exact argument is fine."""
    return (isinstance(node, TrigonometricFunction) and len(args) == 1
            and isinstance(args[0], sp.Float) and abs(args[0]) > PERIODIC_LIMIT)


class Evaluator:
    """Values of expressions at one point, memoised by node (the expression DAG is walked once).

    Args:
        env: symbol -> value (Rational, Float, or an expression in kink weights).
        describe: turns a failing node into the words of an error message.
    """

    def __init__(self, env: dict, describe=None):
        self.env = env
        self.memo: dict = {}
        self.describe = describe

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        memo = self.memo
        got = memo.get(expr)
        if got is not None:
            return got
        stack = [(expr, False)]
        while stack:  # iterative post-order: deep expressions never hit the recursion limit
            node, ready = stack.pop()
            if node in memo:
                continue
            if not node.args:
                memo[node] = self._leaf(node)
                continue
            if isinstance(node, sp.Piecewise):
                memo[node] = self._piecewise(node)
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if a not in memo)
                continue
            memo[node] = self._node(node, [memo[a] for a in node.args])
        return memo[expr]

    def _leaf(self, node: sp.Basic) -> sp.Basic:
        if isinstance(node, sp.Symbol):
            return self.env.get(node, node)
        if isinstance(node, (sp.Rational, sp.Float)):
            return as_number(node)
        return node  # pi and E stay exact (log(E) is 1); true/false; other atoms

    def _node(self, node: sp.Basic, args: list) -> sp.Basic:
        if isinstance(node, sp.Pow) and _huge_power(*args):  # 4^(1e8): never the exact integer
            args = [sp.Float(a, PRECISION) for a in args]
        if periodic_beyond_precision(node, args):
            raise self._error(node, args)
        try:
            value = node.func(*args)
        except (ZeroDivisionError, ValueError, TypeError, ArithmeticError) as e:
            raise self._error(node, args, type(e).__name__) from None
        if isinstance(value, sp.logic.boolalg.Boolean) or isinstance(node, sp.core.relational.Relational):
            return value
        value = as_number(value)
        if _bad(value):
            raise self._error(node, args)
        return value

    def _piecewise(self, node: sp.Piecewise) -> sp.Basic:
        for e, c in node.args:
            cond = c if c in (sp.true, sp.false) else self(c)
            if cond == sp.true:
                return self(e)
            if cond != sp.false:
                return node.func(*[(self(e2), self(c2)) for e2, c2 in node.args])
        raise self._error(node, [])

    def _error(self, node, args, why: str = "") -> DomainError:
        if self.describe is not None:
            return DomainError(self.describe(node, args))
        return DomainError(f"{node} is undefined, infinite or not real at the point")


def evaluate_at(expr: sp.Basic, env: dict, describe=None) -> sp.Basic:
    """The value of ``expr`` with ``env``'s values put in (see :class:`Evaluator`)."""
    return Evaluator(env, describe)(expr)


def is_exact_decimal(v: sp.Rational, digits: int) -> bool:
    """True when the rational ``v`` has a terminating decimal of at most ``digits`` + 6 decimals."""
    q = int(v.q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1 and len(_decimal_text(v).split(".")[-1]) <= max(digits, 1) + 6


def _decimal_text(v: sp.Rational) -> str:
    d = Decimal(int(v.p)) / Decimal(int(v.q))
    return format(d.normalize(), "f")


def _float_text(v, digits: int) -> str:
    """A float (Python or SymPy) at ``digits`` significant digits, ``1.5e-7`` style."""
    if isinstance(v, sp.Float):
        if v == 0:
            return "0"
        import mpmath

        text = mpmath.nstr(v._to_mpmath(v._prec), digits, min_fixed=-4, max_fixed=digits)
        text = text.replace("e+", "e")
        if "e" not in text and "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = f"{v:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        text = f"{mant}e{int(exp)}"
    if text in ("-0", "-0.0"):
        text = "0"
    return text


def number_text(v, digits: int = DEFAULT_DIGITS) -> tuple[str, bool]:
    """A value as plain decimal text and whether that text is exact.

    Integers and short terminating decimals are exact (``1.7``); anything else is rounded
    to ``digits`` significant digits (``0.622459``).
    """
    if isinstance(v, int):
        v = sp.Integer(v)
    if isinstance(v, float):  # a float from a compiled (dataset) run: exact if it reads back
        text = _float_text(v, digits)
        return text, math.isfinite(v) and float(text) == v
    if isinstance(v, sp.Integer):
        return str(int(v)), True
    if isinstance(v, sp.Rational):
        if is_exact_decimal(v, digits):
            return _decimal_text(v), True
        return _float_text(sp.Float(v, PRECISION), digits), False
    if isinstance(v, sp.Float):
        return _float_text(v, digits), False
    if not isinstance(v, sp.Basic):
        raise TypeError(f"number_text needs a number, got {type(v).__name__}")
    n = as_number(v)
    if not isinstance(n, (sp.Rational, sp.Float)) or _bad(n):
        raise ValueError(f"value {v} is not a finite real number")
    return number_text(n, digits)


def number_latex(v, digits: int = DEFAULT_DIGITS) -> str:
    """A value as LaTeX (``1.7``, ``-2``, ``1.2 \\times 10^{-5}``)."""
    text, _ = number_text(v, digits)
    if "e" in text:
        mant, exp = text.split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"
    return text


def to_float(v) -> float:
    """A finite value as a Python float (for JSON)."""
    return float(v)
