"""LaTeX and plain-text printing in the author's form, one set of decisions for every format.

What the author wrote is what is printed: terms and arguments in written order; ``a/b``
as a fraction of what was divided (``m/2`` is ``\\frac{m}{2}``, ``(y - m)^2/2`` is
``\\frac{(y - m)^2}{2}``); a fraction literal ``1/2`` as ``\\frac{1}{2}`` in front of the
rest, never an invented factor 1; names with several underscores as one subscript list
(``w_1_2`` is ``w_{1,2}``, ``h_theta`` is ``h_{\\theta}``); the plain text in the syntax the
author types (``^``, ``|u|``, ``e^m``, ``where(c, a, b)``), never SymPy's own spelling.

Extending: add a ``_print_<ClassName>`` method to :class:`SymgradLatexPrinter` and recurse
with ``self._print``, never with a fresh printer (settings would be lost).
"""

from __future__ import annotations

from contextvars import ContextVar

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter


def _split_product(expr: sp.Mul) -> tuple[str, list, list]:
    """(sign, numerator factors, denominator factors) of a product, in written order.

    ``-1`` in front is the sign; ``b^-n`` factors (as ``/`` writes them) are the denominator.
    """
    factors = list(expr.args) if isinstance(expr, sp.Mul) else [expr]
    sign = ""
    if len(factors) > 1 and factors[0] == -1:
        sign, factors = "-", factors[1:]
    elif (len(factors) > 1 and isinstance(factors[0], sp.Mul) and len(factors[0].args) > 1
          and factors[0].args[0] == -1):  # (-x)/2 written -x/2
        rest = factors[0].args[1:]
        sign, factors = "-", [rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False),
                              *factors[1:]]
    elif factors and factors[0].is_Number and factors[0] < 0:
        sign, factors = "-", [-factors[0], *factors[1:]]
    numer, denom = [], []
    for f in factors:
        if f.is_Pow and f.exp.is_Rational and f.exp < 0 and not f.base.is_Number or (
                f.is_Pow and f.exp == -1):
            denom.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
        else:
            numer.append(f)
    if denom and len(numer) > 1 and numer[0] == 1:  # 1/n*x is x over n: no factor 1 on top
        numer = numer[1:]
    return sign, numer, denom


#: The derivatives printed in prime notation while a render asks for it: (top, bottom) name
#: pairs, each a quantity of one varying name (``a'(z)``, ``L'(\hat y)``); see :func:`prime_pairs`.
PRIME: ContextVar[frozenset] = ContextVar("symgrad_prime", default=frozenset())


def prime_pairs(problem) -> frozenset:
    """The derivatives prime notation can write without ambiguity: each named quantity whose
    definition uses exactly one name that varies with a parameter (the others are inputs, held
    fixed), and the loss by its parameter when there is only one."""
    varying = set(problem.wrt)
    pairs = set()
    for q in problem.quantities:
        used = sorted(s.name for s in q.expr.free_symbols if s.name in varying)
        if used:
            varying.add(q.name)
        if len(used) == 1:
            pairs.add((q.name, used[0]))
    if len(problem.wrt) == 1:
        pairs.add((problem.loss, problem.wrt[0]))
    return frozenset(pairs)


#: The LaTeX of names already printed (:meth:`SymgradLatexPrinter._deal_with_super_sub`).
_NAMES: dict[tuple[str, str], str] = {}


class SymgradLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with terms kept in the order the author wrote them."""

    def __init__(self, settings=None):
        merged = {"order": "none"}
        merged.update(settings or {})
        super().__init__(merged)

    def _print_Shown(self, expr):
        return expr.text

    def _deal_with_super_sub(self, string: str, style="plain") -> str:
        # a name's LaTeX depends on the name alone, and printing names was a quarter of
        # rendering (SymPy splits and translates each one with regular expressions)
        key = (string, style)
        name = _NAMES.get(key)
        if name is None:
            # w_1_2 -> w_{1,2} (SymPy writes w_{1 2}); superscripts as SymPy does
            name = super()._deal_with_super_sub(string, style)
            head, sep, subs = name.partition("_{")
            if sep and subs.endswith("}"):
                name = f"{head}_{{{subs[:-1].replace(' ', ',')}}}"
            if len(_NAMES) < 4096:
                _NAMES[key] = name
        return name

    def _factors(self, factors: list, alone: bool = False) -> str:
        """Factors in written order: juxtaposed, with a dot between numbers."""
        prec = PRECEDENCE["Mul"]
        out = []
        for i, f in enumerate(factors):
            if f.is_Rational and not f.is_Integer:
                text = rf"\frac{{{abs(f.p)}}}{{{f.q}}}"
            elif alone and len(factors) == 1:  # a fraction's whole numerator or denominator
                text = self._print(f)
            elif isinstance(f, sp.Derivative):  # d/dx u: bracketed unless it comes last
                text = self._print(f)
                if i < len(factors) - 1:
                    text = rf"\left({text}\right)"
            else:
                text = self.parenthesize(f, prec, strict=True)
            if out:
                dot = self._settings["mul_symbol_latex"]
                if dot == " " and (text[:1].isdigit() or text.startswith("-") or (
                        text.startswith(r"\frac{") and factors[i - 1].is_Number)):
                    dot = r" \cdot "
                out.append(dot)
            out.append(text)
        return "".join(out)

    def _print_Mul(self, expr):
        if not expr.args:
            return "1"
        sign, numer, denom = _split_product(expr)
        prefix = "- " if sign else ""
        if denom:
            top = self._factors(numer, alone=True) if numer else "1"
            bottom = self._factors(denom, alone=True)
            return rf"{prefix}\frac{{{top}}}{{{bottom}}}"
        return prefix + self._factors(numer)

    def _print_Leibniz(self, expr):
        d = r"\partial" if expr.partial else r"\mathrm{d}"
        top, bottom = self._print(expr.top), self._print(expr.bottom)
        if (getattr(expr.top, "name", None), getattr(expr.bottom, "name", None)) in PRIME.get():
            return rf"{top}'\left({bottom}\right)"
        return rf"\frac{{{d} {top}}}{{{d} {bottom}}}"

    def _print_Derivative(self, expr):
        inner, (var, _count) = expr.expr, expr.variable_count[0]
        body = self._print(inner)
        if not (inner.is_Symbol or inner.is_Number or isinstance(inner, sp.Function)):
            body = rf"\left({body}\right)"
        return rf"\frac{{\partial}}{{\partial {self._print(var)}}} {body}"

    def _print_sign(self, expr, exp=None):
        body = rf"\operatorname{{sign}}\left({self._print(expr.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

    def _print_Abs(self, expr, exp=None):
        body = rf"\left|{self._print(expr.args[0])}\right|"
        return rf"{body}^{{{exp}}}" if exp else body

    def _print_Heaviside(self, expr, exp=None):
        body = rf"\mathbb{{I}}\left[{self._print(expr.args[0])} > 0\right]"
        return rf"{body}^{{{exp}}}" if exp else body

    def _print_Max(self, expr, exp=None):
        args = ", ".join(self._print(a) for a in expr.args)
        body = rf"\max\left({args}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

    def _print_Piecewise(self, expr, exp=None):
        body = super()._print_Piecewise(expr)
        return rf"\left({body}\right)^{{{exp}}}" if exp else body

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
        body = rf"\min\left({args}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

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

    def _print_Exp1(self, expr):
        return "e"

    def _print_Pow(self, expr, rational=False):
        prec = precedence(expr)
        if expr.exp is sp.S.Half:
            return f"sqrt({self._print(expr.base)})"
        if expr.exp == -1:
            return f"1/{self.parenthesize(expr.base, prec, strict=False)}"
        base = self.parenthesize(expr.base, prec, strict=True)
        exponent = self.parenthesize(expr.exp, prec, strict=False)
        if expr.exp.is_Rational and not expr.exp.is_Integer or str(exponent).startswith("-"):
            exponent = f"({self._print(expr.exp)})"
        return f"{base}^{exponent}"

    def _print_exp(self, expr):
        return f"exp({self._print(expr.args[0])})"

    def _print_Mul(self, expr):
        if not expr.args:
            return "1"
        sign, numer, denom = _split_product(expr)
        prec = PRECEDENCE["Mul"]

        def factor(f, first: bool) -> str:
            if f.is_Rational and not f.is_Integer:
                text = f"{abs(f.p)}/{f.q}"
                return text if first and not denom else f"({text})"
            return self.parenthesize(f, prec, strict=True)

        top = "*".join(factor(f, i == 0) for i, f in enumerate(numer)) if numer else "1"
        bottom = "".join(f"/{self.parenthesize(f, prec, strict=True)}" for f in denom)
        return f"{'-' if sign else ''}{top}{bottom}"

    def _print_Leibniz(self, expr):
        d = "∂" if expr.partial else "d"
        if (getattr(expr.top, "name", None), getattr(expr.bottom, "name", None)) in PRIME.get():
            return f"{self._print(expr.top)}'({self._print(expr.bottom)})"
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
