"""SymPy functions that ML writing uses but SymPy lacks: sigmoid, relu, leaky_relu, clamp,
hardtanh, softplus, and max/min that keep their arguments in the written order."""

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
        if u.is_number:
            v = sp.N(u, 30)
            if v.is_real and abs(v) > sp.Float("1e-25", 30):
                return u if v > 0 else sp.Integer(0)
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
    """Rewrite symgrad's own functions in SymPy's built-ins (for sympy.diff, lambdify).

    Repeated until none is left: a rewrite can rebuild a node around an argument that still
    holds one (``leaky_relu(leaky_relu(max(...)))``, found by the fuzz run).
    """
    ours = (sigmoid, relu, _Ordered, leaky_relu, clamp, hardtanh, softplus)
    if not expr.has(*ours):
        return expr  # nothing to rewrite: seven tree walks spared (a third of a self-check)
    for _ in range(20):
        expr = _elementary_once(expr)
        if not expr.has(*ours):
            break
    return expr


def _elementary_once(expr: sp.Expr) -> sp.Expr:
    return (
        expr.replace(lambda e: isinstance(e, sigmoid), lambda e: 1 / (1 + sp.exp(-e.args[0])))
        .replace(lambda e: isinstance(e, relu), lambda e: sp.Max(0, e.args[0]))
        .replace(lambda e: isinstance(e, _Ordered), lambda e: e._sympy(*e.args))
        .replace(lambda e: isinstance(e, leaky_relu), lambda e: _leaky_elementary(*e.args))
        .replace(lambda e: isinstance(e, clamp), lambda e: sp.Min(sp.Max(e.args[0], e.args[1]), e.args[2]))
        .replace(lambda e: isinstance(e, hardtanh), lambda e: sp.Min(sp.Max(e.args[0], -1), 1))
        .replace(lambda e: isinstance(e, softplus), lambda e: sp.log(1 + sp.exp(e.args[0])))
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
        if args and all(a.is_number for a in args):
            return _pick_numeric(cls._pick, cls._sympy, args)
        return None

    def fdiff(self, argindex=1):
        args = self.args
        if len(args) != 2:
            return sp.Derivative(self._sympy(*args), args[argindex - 1])
        mine, other = args[argindex - 1], args[2 - argindex]
        diff = mine - other if self._pick is max else other - mine
        return sp.Heaviside(diff)

    def _eval_evalf(self, prec):
        values = [a.evalf(prec) for a in self.args]
        return self._pick(values)

    def _latex(self, printer, exp=None):
        body = rf"{self._tex}\left({', '.join(printer._print(a) for a in self.args)}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

    def _sympystr(self, printer):
        return f"{self._pick.__name__}({', '.join(printer._print(a) for a in self.args)})"


def _pick_numeric(pick, exact, args):
    """The winner among constant (possibly irrational) arguments, compared at 30 digits.

    SymPy's own Max compares exact expressions through its assumptions system, which
    grows exponentially with nesting (tanh(max(tanh(max(...))))). Near-ties are left to
    SymPy's exact comparison, since a tie is a kink and must not be decided by rounding.
    """
    values = [sp.N(a, 30) for a in args]
    if not all(v.is_real and v.is_finite for v in values):
        return None
    best = pick(range(len(args)), key=lambda i: values[i])
    others = [values[i] for i in range(len(args)) if i != best]
    if any(abs(values[best] - v) <= sp.Float("1e-25", 30) * max(1, abs(v)) for v in others):
        return exact(*args)
    return args[best]


class maximum(_Ordered):  # noqa: N801 - named as written in formulas
    """max(a, b, ...) in the written order."""

    _pick, _sympy, _tex = max, sp.Max, r"\max"


class minimum(_Ordered):  # noqa: N801 - named as written in formulas
    """min(a, b, ...) in the written order."""

    _pick, _sympy, _tex = min, sp.Min, r"\min"


class leaky_relu(sp.Function):  # noqa: N801 - named as written in formulas
    """leaky_relu(u, a) = u for u > 0, a*u otherwise (a is the negative slope)."""

    nargs = 2
    is_real = True

    @classmethod
    def eval(cls, u, a):
        if u.is_Number and a.is_Number:
            return u if u > 0 else a * u
        return None

    def _eval_evalf(self, prec):
        return _leaky_elementary(*self.args)._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        u, a = (printer._print(x) for x in self.args)
        body = rf"\operatorname{{leaky\_relu}}\left({u}, {a}\right)"
        return rf"{body}^{{{exp}}}" if exp else body


def _leaky_elementary(u, a):
    return sp.Piecewise((u, u > 0), (a * u, True))


class clamp(sp.Function):  # noqa: N801 - named as written in formulas
    """clamp(u, lo, hi) = min(max(u, lo), hi): u limited to the interval [lo, hi]."""

    nargs = 3
    is_real = True

    @classmethod
    def eval(cls, u, lo, hi):
        if u.is_Number and lo.is_Number and hi.is_Number:
            return min(max(u, lo), hi)
        return None

    def _eval_evalf(self, prec):
        u, lo, hi = self.args
        return sp.Min(sp.Max(u, lo), hi)._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        args = ", ".join(printer._print(x) for x in self.args)
        body = rf"\operatorname{{clamp}}\left({args}\right)"
        return rf"{body}^{{{exp}}}" if exp else body


class hardtanh(sp.Function):  # noqa: N801 - named as written in formulas
    """hardtanh(u) = clamp(u, -1, 1)."""

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, u):
        if u.is_Number:
            return min(max(u, sp.Integer(-1)), sp.Integer(1))
        return None

    def _eval_evalf(self, prec):
        return sp.Min(sp.Max(self.args[0], -1), 1)._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        body = rf"\operatorname{{hardtanh}}\left({printer._print(self.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body


class softplus(sp.Function):  # noqa: N801 - named as written in formulas
    """softplus(u) = log(1 + e^u), a smooth relu; its derivative is sigmoid(u)."""

    nargs = 1
    is_real = True

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_evalf(self, prec):
        return sp.log(1 + sp.exp(self.args[0]))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        body = rf"\operatorname{{softplus}}\left({printer._print(self.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp else body


def below_above(u: sp.Basic, lo: sp.Basic, hi: sp.Basic) -> tuple[sp.Basic, sp.Basic]:
    """The two indicators of clamp's derivative, 1[u - lo > 0] and 1[hi - u > 0].

    The rules write them and the kink finder looks for them, so both build them here.
    """
    from symgrad.expr.algebra import tidy

    def diff(a, b):
        return tidy(sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False))

    return sp.Heaviside(diff(u, lo), evaluate=False), sp.Heaviside(diff(hi, u), evaluate=False)
