"""Numbers: exact values at the point, their display, and substitution lines."""

from __future__ import annotations

from decimal import Decimal

import sympy as sp

from symgrad.expr.algebra import evaluated
from symgrad.expr.placeholders import Leibniz, Shown

#: Significant digits used when a value has no short exact decimal form.
DEFAULT_DIGITS = 6


def is_exact_decimal(v: sp.Rational, digits: int) -> bool:
    """True when the rational ``v`` has a terminating decimal of at most ``digits`` decimals."""
    q = int(v.q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1 and len(_decimal_text(v).split(".")[-1]) <= max(digits, 1) + 6


def _decimal_text(v: sp.Rational) -> str:
    d = Decimal(int(v.p)) / Decimal(int(v.q))
    text = format(d.normalize(), "f")
    return text


def number_text(v: sp.Basic, digits: int = DEFAULT_DIGITS) -> tuple[str, bool]:
    """A value as plain decimal text and whether that text is exact.

    Integers and terminating decimals are exact (``1.7``); anything else is rounded
    to ``digits`` significant digits (``0.622459``).
    """
    if isinstance(v, int):
        v = sp.Integer(v)
    if not isinstance(v, sp.Basic):
        raise TypeError(f"number_text needs a SymPy number, got {type(v).__name__}")
    if isinstance(v, sp.Integer):
        return str(int(v)), True
    if isinstance(v, sp.Rational) and is_exact_decimal(v, digits):
        return _decimal_text(v), True
    f = sp.N(v, digits + 10)
    if not f.is_real or not f.is_finite:
        raise ValueError(f"value {v} is not a finite real number")
    text = f"{float(f):.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}e{int(exp)}"
    return text, False


def number_latex(v: sp.Basic, digits: int = DEFAULT_DIGITS) -> str:
    """A value as LaTeX (``1.7``, ``-2``, ``1.2 \\times 10^{-5}``)."""
    text, _ = number_text(v, digits)
    if "e" in text:
        mant, exp = text.split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"
    return text


def to_float(v: sp.Basic) -> float:
    """A finite value as a Python float (for JSON)."""
    return float(sp.N(v, 20))


def substituted(expr: sp.Basic, values: dict[sp.Symbol, sp.Basic], digits: int) -> sp.Basic:
    """``expr`` with every symbol replaced by its number, written as shown in a substitution line.

    Negative numbers get parentheses so ``2 \\cdot (-1.75)`` never reads as ``2 \\cdot -1.75``.
    Leibniz factors are replaced too when ``values`` holds them.
    """
    repl = {}
    for sym in expr.free_symbols | {a for a in expr.atoms(Leibniz)}:
        if sym in values:
            tex = number_latex(values[sym], digits)
            txt = number_text(values[sym], digits)[0]
            if tex.startswith("-"):
                tex, txt = f"\\left({tex}\\right)", f"({txt})"
            repl[sym] = Shown(tex, txt)
    with sp.evaluate(False):
        return expr.xreplace(repl)


def value_at(expr: sp.Basic, values: dict[sp.Symbol, sp.Basic], replace: dict | None = None) -> sp.Basic:
    """The exact value of an author-form expression at the point.

    ``replace`` maps local derivative factors at kinks (``sign(u)``) to chosen values
    before the numbers go in.
    """
    e = evaluated(expr.xreplace(replace) if replace else expr)
    return e.xreplace(values)
