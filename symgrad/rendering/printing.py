"""LaTeX printing in the author's form: terms in written order, sign, indicators, hats.

Extending: add a ``_print_<ClassName>`` method to :class:`SymgradLatexPrinter` and recurse
with ``self._print``, never with a fresh printer (settings would be lost).
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter


class SymgradLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with terms kept in the order the author wrote them."""

    def __init__(self, settings=None):
        merged = {"order": "none"}
        merged.update(settings or {})
        super().__init__(merged)

    def _print_Shown(self, expr):
        return expr.text

    def _print_Leibniz(self, expr):
        d = r"\partial" if expr.partial else r"\mathrm{d}"
        top, bottom = self._print(expr.top), self._print(expr.bottom)
        return rf"\frac{{{d} {top}}}{{{d} {bottom}}}"

    def _print_Derivative(self, expr):
        inner, (var, _count) = expr.expr, expr.variable_count[0]
        body = self._print(inner)
        if not (inner.is_Symbol or inner.is_Number or isinstance(inner, sp.Function)):
            body = rf"\left({body}\right)"
        return rf"\frac{{\partial}}{{\partial {self._print(var)}}} {body}"

    def _print_sign(self, expr, exp=None):
        return rf"\operatorname{{sign}}\left({self._print(expr.args[0])}\right)"

    def _print_Abs(self, expr, exp=None):
        body = rf"\left|{self._print(expr.args[0])}\right|"
        return rf"{body}^{{{exp}}}" if exp else body

    def _print_Heaviside(self, expr, exp=None):
        return rf"\mathbb{{I}}\left[{self._print(expr.args[0])} > 0\right]"

    def _print_Max(self, expr, exp=None):
        args = ", ".join(self._print(a) for a in expr.args)
        return rf"\max\left({args}\right)"

    def _print_ExampleSum(self, expr, exp=None):
        i = self._print(expr.index)
        body = self._print(expr.body)
        if isinstance(expr.body, sp.Add):
            body = rf"\left({body}\right)"
        total = rf"\sum_{{{i}=1}}^{{n}} {body}"
        out = rf"\frac{{1}}{{n}} {total}" if expr.is_mean else total
        return rf"\left({out}\right)^{{{exp}}}" if exp else out

    def _print_Min(self, expr, exp=None):
        args = ", ".join(self._print(a) for a in expr.args)
        return rf"\min\left({args}\right)"

    def _print_exp(self, expr, exp=None):
        body = rf"e^{{{self._print(expr.args[0])}}}"
        return rf"\left({body}\right)^{{{exp}}}" if exp else body

    def _print_log(self, expr, exp=None):
        body = rf"\log\left({self._print(expr.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

    def _print_tanh(self, expr, exp=None):
        body = rf"\tanh\left({self._print(expr.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body


def latex(expr: sp.Basic, **settings) -> str:
    """LaTeX for ``expr`` in the author's form."""
    return SymgradLatexPrinter(settings).doprint(expr)


def numeric_latex(expr: sp.Basic) -> str:
    """LaTeX for a substitution line: every product written with ``\\cdot``."""
    return SymgradLatexPrinter({"mul_symbol": "dot"}).doprint(expr)


class PlainPrinter(StrPrinter):
    """Plain text for the terminal: ``|y - yhat|``, ``sign(u)``, ``1[u > 0]``, written order."""

    def __init__(self, settings=None):
        merged = {"order": "none"}
        merged.update(settings or {})
        super().__init__(merged)

    def _print_Shown(self, expr):
        return expr.plain

    def _print_Leibniz(self, expr):
        d = "∂" if expr.partial else "d"
        return f"{d}{self._print(expr.top)}/{d}{self._print(expr.bottom)}"

    def _print_Derivative(self, expr):
        inner, var = expr.expr, expr.variables[0]
        body = self._print(inner)
        if not (inner.is_Symbol or inner.is_Number or isinstance(inner, sp.Function)):
            body = f"({body})"
        return f"∂/∂{self._print(var)} {body}"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Heaviside(self, expr):
        return f"1[{self._print(expr.args[0])} > 0]"

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Piecewise(self, expr):
        """``where(cond, a, b)``, as the author writes it (nested for more pieces)."""
        (a, cond), *rest = expr.args
        if not rest:
            return self._print(a)
        tail = rest[0][0] if len(rest) == 1 and rest[0][1] is sp.true else sp.Piecewise(*rest)
        return f"where({self._print(cond)}, {self._print(a)}, {self._print(tail)})"

    def _print_ExampleSum(self, expr):
        kind = "mean" if expr.is_mean else "sum"
        return f"{kind}({self._print(expr.body)}, {self._print(expr.index)})"

    def _print_maximum(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_minimum(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"


def plain(expr: sp.Basic) -> str:
    """Plain text for ``expr`` in the author's form."""
    return PlainPrinter().doprint(expr)
