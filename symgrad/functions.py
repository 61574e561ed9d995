"""SymPy functions that ML writing uses but SymPy lacks: sigmoid and relu."""

from __future__ import annotations

import sympy as sp


class sigmoid(sp.Function):  # noqa: N801 - named as written in formulas
    """The logistic function, sigma(u) = 1 / (1 + exp(-u))."""

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, u):
        if u.is_Number and u.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return 1 / (1 + sp.exp(-u))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        body = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body


class relu(sp.Function):  # noqa: N801 - named as written in formulas
    """The rectifier, relu(u) = max(0, u)."""

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, u):
        if u.is_Number:
            return sp.Max(0, u)
        return None

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, u, **kwargs):
        return sp.Max(0, u)

    def _eval_evalf(self, prec):
        return sp.Max(0, self.args[0])._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        body = rf"\operatorname{{relu}}\left({printer._print(self.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body


def to_elementary(expr: sp.Expr) -> sp.Expr:
    """Rewrite symgrad's own functions in SymPy's built-ins (for sympy.diff, lambdify)."""
    return (
        expr.replace(lambda e: isinstance(e, sigmoid), lambda e: 1 / (1 + sp.exp(-e.args[0])))
        .replace(lambda e: isinstance(e, relu), lambda e: sp.Max(0, e.args[0]))
        .replace(lambda e: isinstance(e, _Ordered), lambda e: e._sympy(*e.args))
    )


class _Ordered(sp.Function):
    """max/min that keep their arguments in the written order (SymPy's Max/Min sort them).

    The order matters: TensorFlow gives a tie to the first argument, and the author's
    ``max(0, 1 - y*f)`` should print as written. Only all-number calls evaluate.
    """

    is_real = True
    _pick = max
    _sympy = sp.Max
    _tex = r"\max"

    @classmethod
    def eval(cls, *args):
        if args and all(a.is_Number for a in args):
            return cls._pick(args)
        return None

    def fdiff(self, argindex=1):
        args = self.args
        if len(args) != 2:
            return sp.Derivative(self._sympy(*args), args[argindex - 1])
        mine, other = args[argindex - 1], args[2 - argindex]
        diff = mine - other if self._pick is max else other - mine
        return sp.Heaviside(diff)

    def _eval_evalf(self, prec):
        return self._sympy(*self.args)._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        body = rf"{self._tex}\left({', '.join(printer._print(a) for a in self.args)}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

    def _sympystr(self, printer):
        return f"{self._pick.__name__}({', '.join(printer._print(a) for a in self.args)})"


class maximum(_Ordered):  # noqa: N801 - named as written in formulas
    """max(a, b, ...) in the written order."""

    _pick, _sympy, _tex = max, sp.Max, r"\max"


class minimum(_Ordered):  # noqa: N801 - named as written in formulas
    """min(a, b, ...) in the written order."""

    _pick, _sympy, _tex = min, sp.Min, r"\min"
