"""The differentiation rules: one function per rule, in a table keyed by expression type.

Each rule receives ``(expr, var)`` and returns ``(Rule, middle, children)``: ``middle``
is the rule's right-hand side with ``Derivative(child, var)`` placeholders for the
inner derivatives still to be taken, and ``children`` lists those inner expressions.
:func:`differentiate` takes the children in turn (each its own recorded step), puts
their results into ``middle`` and tidies. Adding a rule is adding one function and
one table entry.
"""

from __future__ import annotations

import enum
from typing import Callable

import sympy as sp

from symgrad.expr.algebra import depends_on, evaluated, replaced, tidy
from symgrad.expr.functions import (
    below_above,
    clamp,
    hardtanh,
    leaky_relu,
    maximum,
    minimum,
    relu,
    sigmoid,
    softplus,
)
from symgrad.records import field, record


class Rule(enum.Enum):
    """The named rules; the value is the name shown to readers."""

    CONSTANT = "constant"
    VARIABLE = "variable"
    SUM = "sum"
    CONSTANT_MULTIPLE = "constant multiple"
    PRODUCT = "product"
    QUOTIENT = "quotient"
    POWER = "power"
    SQRT = "square root"
    EXPONENTIAL = "exponential"
    GENERAL_POWER = "general power"
    EXP = "exp"
    LOG = "log"
    SIGMOID = "sigmoid"
    TANH = "tanh"
    ABS = "abs to sign"
    SIGN = "sign"
    RELU = "relu to indicator"
    MAX = "max to indicator"
    MIN = "min to indicator"
    INDICATOR = "indicator"
    LEAKY_RELU = "leaky relu to indicator"
    CLAMP = "clamp to indicators"
    SOFTPLUS = "softplus"
    TRIG = "trigonometric"
    PIECEWISE = "piecewise"
    LINEARITY = "linearity of the sum"
    FALLBACK = "sympy.diff"


#: Rules whose steps are too small to show in a walkthrough (still recorded).
MINOR_RULES = frozenset({Rule.CONSTANT, Rule.VARIABLE})
#: Rules a reader who knows calculus does not need spelled out (left out by ``detail="brief"``).
ELEMENTARY_RULES = MINOR_RULES | frozenset({
    Rule.SUM, Rule.CONSTANT_MULTIPLE, Rule.PRODUCT, Rule.QUOTIENT, Rule.POWER, Rule.SQRT,
    Rule.EXPONENTIAL, Rule.GENERAL_POWER, Rule.EXP, Rule.LOG, Rule.TRIG})
#: How much of each derivative the walkthrough shows: ``full`` every step (``d/dm m = 1``
#: included), ``normal`` all but those minor steps, ``brief`` only the steps of rules beyond
#: elementary calculus (sign, indicators, kinks, activations) and each factor's result.
DETAILS = ("full", "normal", "brief")


@record
class Step:
    """One application of one rule: d(before)/d(var) = middle = after.

    Attributes:
        rule: which rule was applied.
        var: the variable differentiated by.
        before: the expression differentiated (author's form).
        middle: the rule's formula applied, inner derivatives as placeholders.
        filled: ``middle`` with the inner derivatives' results put in.
        after: the tidied result.
        chain: True when the chain rule was needed (the argument is not ``var``).
        substeps: the inner derivatives, each its own step.
    """

    rule: Rule
    var: sp.Symbol
    before: sp.Basic
    middle: sp.Basic
    filled: sp.Basic
    after: sp.Basic
    chain: bool = False
    substeps: tuple["Step", ...] = field(default=())

    @property
    def minor(self) -> bool:
        return self.rule in MINOR_RULES

    def walk(self):
        """This step and every sub-step, parents first."""
        yield self
        for s in self.substeps:
            yield from s.walk()


RuleResult = tuple[Rule, sp.Basic, list[sp.Basic]]


def _d(expr: sp.Basic, var: sp.Symbol) -> sp.Derivative:
    return sp.Derivative(expr, var, evaluate=False)


# Unevaluated constructors. (``with sympy.evaluate(False)`` would do the same, but every
# toggle of that switch clears SymPy's whole cache.)
def _add(*a):
    return sp.Add(*a, evaluate=False)


def _mul(*a):
    return sp.Mul(*a, evaluate=False)


def _pow(b, e):
    return sp.Pow(b, e, evaluate=False)


def _step(u):
    return sp.Heaviside(u, evaluate=False)


def _outer(expr: sp.Function, var: sp.Symbol, rule: Rule, fprime: sp.Basic) -> RuleResult:
    """f(u)' = f'(u) * u', with the chain factor only when u is not var itself."""
    (u,) = expr.args
    return _outer_of(u, var, rule, fprime)


def _outer_of(u, var, rule: Rule, fprime) -> RuleResult:
    if u == var:
        return rule, fprime, []
    return rule, _mul(fprime, _d(u, var)), [u]


def rule_add(expr, var):
    """(f + g)' = f' + g'."""
    parts = []
    for t in expr.args:
        coeff, rest = _split_sign(t)
        parts.append(_mul(-1, _d(rest, var)) if coeff else _d(t, var))
    return Rule.SUM, _add(*parts), [_split_sign(t)[1] for t in expr.args]


def _split_sign(term):
    """(True, u) for a term written -u, else (False, term)."""
    if isinstance(term, sp.Mul) and term.args[0] == -1 and len(term.args) >= 2:
        rest = term.args[1:]
        return True, rest[0] if len(rest) == 1 else _mul(*rest)
    return False, term


def rule_mul(expr, var):
    """(c f)' = c f';  (f g)' = f' g + f g';  (f / g)' = (f' g - f g') / g^2."""
    const = [f for f in expr.args if not depends_on(f, var)]
    dep = [f for f in expr.args if depends_on(f, var)]

    def scaled(e):
        return _mul(*const, e) if const else e

    if len(dep) == 1:
        return Rule.CONSTANT_MULTIPLE, scaled(_d(dep[0], var)), [dep[0]]
    denoms = [f for f in dep if isinstance(f, sp.Pow) and f.exp == -1]
    if len(denoms) == 1 and len(dep) == 2:
        g = denoms[0].base
        f = next(x for x in dep if x is not denoms[0])
        quotient = _mul(_add(_mul(_d(f, var), g), _mul(-1, f, _d(g, var))), _pow(g, -2))
        return Rule.QUOTIENT, scaled(quotient), [f, g]
    terms = []
    for i, fi in enumerate(dep):
        others = [fj for j, fj in enumerate(dep) if j != i]
        terms.append(_mul(*others[:i], _d(fi, var), *others[i:]))
    return Rule.PRODUCT, scaled(_add(*terms)), list(dep)


def rule_pow(expr, var):
    """(u^n)' = n u^(n-1) u';  (a^u)' = a^u ln(a) u';  (u^v)' = u^v (v' ln u + v u'/u)."""
    b, e = expr.args
    if not depends_on(e, var):
        rule = Rule.SQRT if e == sp.Rational(1, 2) else Rule.POWER
        lowered = tidy(_add(e, -1))
        fprime = tidy(_mul(e, _pow(b, lowered)))
        return _outer_of(b, var, rule, fprime)
    if b == sp.E:  # e^u, written with the constant e: the exponential rule
        return _outer_of(e, var, Rule.EXP, expr)
    log_b = sp.log(b, evaluate=False)
    if not depends_on(b, var):
        return Rule.EXPONENTIAL, _mul(expr, log_b, _d(e, var)), [e]
    inner = _add(_mul(_d(e, var), log_b), _mul(e, _d(b, var), _pow(b, -1)))
    return Rule.GENERAL_POWER, _mul(expr, inner), [e, b]


def rule_exp(expr, var):
    """(e^u)' = e^u u'."""
    return _outer(expr, var, Rule.EXP, expr)


def rule_log(expr, var):
    """(ln u)' = u' / u."""
    return _outer(expr, var, Rule.LOG, _pow(expr.args[0], -1))


def rule_sigmoid(expr, var):
    """sigma(u)' = sigma(u) (1 - sigma(u)) u'."""
    return _outer(expr, var, Rule.SIGMOID, _mul(expr, _add(1, _mul(-1, expr))))


def rule_tanh(expr, var):
    """tanh(u)' = (1 - tanh(u)^2) u'."""
    return _outer(expr, var, Rule.TANH, _add(1, _mul(-1, _pow(expr, 2))))


def rule_abs(expr, var):
    """|u|' = sign(u) u' (for u != 0; at u = 0 see kinks)."""
    return _outer(expr, var, Rule.ABS, sp.sign(expr.args[0], evaluate=False))


def rule_sign(expr, var):
    """sign(u)' = 0 (for u != 0)."""
    return Rule.SIGN, sp.Integer(0), []


def rule_relu(expr, var):
    """relu(u)' = 1[u > 0] u' (for u != 0)."""
    return _outer(expr, var, Rule.RELU, _step(expr.args[0]))


def rule_heaviside(expr, var):
    """1[u > 0]' = 0 (for u != 0)."""
    return Rule.INDICATOR, sp.Integer(0), []


def distinct_arguments(expr) -> list:
    """max/min's arguments with repeats left out: ``min(u, y, u)`` is ``min(u, y)``, and u
    must not tie with itself (counting it twice would double its derivative)."""
    seen, out = set(), []
    for a in expr.args:  # compared as values: where(c, m, m) is m
        key = evaluated(a)
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def extremum_factors(expr) -> list:
    """The indicator of each argument of max/min winning: ``1[a - max(b, c) > 0]``, ...

    With two arguments it is ``1[a - b > 0]`` and ``1[b - a > 0]``. The rules write these
    and the kink finder looks for them, so both build them here.
    """
    is_max = isinstance(expr, (sp.Max, maximum))
    args = distinct_arguments(expr)
    if len(args) == 1:  # max(u, u) is u
        return [sp.Integer(1)]
    out = []
    for j, mine in enumerate(args):
        others = args[:j] + args[j + 1 :]
        if len(others) == 1:
            other = others[0]
        else:
            other = (maximum if is_max else minimum)(*others, evaluate=False)
        diff = _add(mine, _mul(-1, other)) if is_max else _add(other, _mul(-1, mine))
        out.append(_step(tidy(diff)))
    return out


def _extremum(expr, var, rule: Rule, wins=None) -> RuleResult:
    """max/min(a, b, ...)' = sum over the arguments of 1[that argument wins] times its
    derivative (ties are kinks: the subdifferential is the convex hull of the tied arms)."""
    terms, children = [], []
    for mine, factor in zip(distinct_arguments(expr), extremum_factors(expr)):
        if depends_on(mine, var):
            terms.append(_mul(factor, _d(mine, var)))
            children.append(mine)
    return rule, _add(*terms), children


def rule_max(expr, var):
    """max(a, b, ...)' = 1[a - max(b, ...) > 0] a' + ...; for two, 1[a - b > 0] a' + 1[b - a > 0] b'."""
    return _extremum(expr, var, Rule.MAX)


def rule_min(expr, var):
    """min(a, b, ...)' = 1[min(b, ...) - a > 0] a' + ...; for two, 1[b - a > 0] a' + 1[a - b > 0] b'."""
    return _extremum(expr, var, Rule.MIN)


def rule_leaky_relu(expr, var):
    """leaky_relu(u, a)' = (a + (1 - a) 1[u > 0]) u' (for u != 0)."""
    u, a = expr.args
    if depends_on(a, var):
        return rule_fallback(expr, var)
    slope = _add(a, _mul(tidy(_add(1, _mul(-1, a))), _step(u)))
    return _outer_of(u, var, Rule.LEAKY_RELU, slope)


def rule_clamp(expr, var):
    """clamp(u, lo, hi)' = 1[u - lo > 0] 1[hi - u > 0] u' (for lo < u < hi or outside)."""
    u, lo, hi = expr.args if isinstance(expr, clamp) else (expr.args[0], -1, 1)
    lo, hi = (sp.Integer(v) if isinstance(v, int) else v for v in (lo, hi))
    if depends_on(lo, var) or depends_on(hi, var):
        return rule_fallback(expr, var)
    above, below = below_above(u, lo, hi)
    return _outer_of(u, var, Rule.CLAMP, _mul(above, below))


def rule_softplus(expr, var):
    """softplus(u)' = sigma(u) u'."""
    return _outer(expr, var, Rule.SOFTPLUS, sigmoid(expr.args[0]))


_TRIG = {
    sp.sin: lambda u: sp.cos(u, evaluate=False),
    sp.cos: lambda u: _mul(-1, sp.sin(u, evaluate=False)),
    sp.tan: lambda u: _add(1, _pow(sp.tan(u, evaluate=False), 2)),
    sp.sinh: lambda u: sp.cosh(u, evaluate=False),
    sp.cosh: lambda u: sp.sinh(u, evaluate=False),
}


def rule_trig(expr, var):
    """sin' = cos, cos' = -sin, tan' = 1 + tan^2, sinh' = cosh, cosh' = sinh (times u')."""
    return _outer(expr, var, Rule.TRIG, _TRIG[type(expr)](expr.args[0]))


def rule_piecewise(expr, var):
    """where(c, a, b)' = where(c, a', b'): each piece differentiated, the condition kept."""
    pieces = expr.args
    middle = sp.Piecewise(*[(_d(e, var), c) for e, c in pieces], evaluate=False)
    return Rule.PIECEWISE, middle, [e for e, _ in pieces]


def rule_fallback(expr, var):
    """No named rule: SymPy's own derivative, shown as one labelled step."""
    return Rule.FALLBACK, sp.diff(evaluated(expr), var), []


RULES: dict[type, Callable[[sp.Basic, sp.Symbol], RuleResult]] = {
    sp.Add: rule_add,
    sp.Mul: rule_mul,
    sp.Pow: rule_pow,
    sp.exp: rule_exp,
    sp.log: rule_log,
    sigmoid: rule_sigmoid,
    sp.tanh: rule_tanh,
    sp.Abs: rule_abs,
    sp.sign: rule_sign,
    relu: rule_relu,
    sp.Heaviside: rule_heaviside,
    sp.Max: rule_max,
    sp.Min: rule_min,
    maximum: rule_max,
    minimum: rule_min,
    leaky_relu: rule_leaky_relu,
    clamp: rule_clamp,
    hardtanh: rule_clamp,
    softplus: rule_softplus,
    sp.sin: rule_trig,
    sp.cos: rule_trig,
    sp.tan: rule_trig,
    sp.sinh: rule_trig,
    sp.cosh: rule_trig,
    sp.Piecewise: rule_piecewise,
}


def find_rule(expr: sp.Basic):
    """The rule function for ``expr``'s type, found along its class's MRO."""
    for cls in type(expr).__mro__:
        if cls in RULES:
            return RULES[cls]
    return rule_fallback


def _negated_number(e) -> bool:
    """``-1 * n`` for a number n: shown as ``-n`` once the inner derivative is known."""
    return isinstance(e, sp.Mul) and len(e.args) == 2 and e.args[0] == -1 and e.args[1].is_Number


def _fold_negated_numbers(expr: sp.Basic) -> sp.Basic:
    """Every ``-1 * n`` (n a number) written ``-n``, nothing else changed."""
    found = {e: -e.args[1] for e in sp.preorder_traversal(expr) if _negated_number(e)}
    return replaced(expr, found) if found else expr


def differentiate(expr: sp.Basic, var: sp.Symbol) -> Step:
    """Differentiate ``expr`` by ``var`` one named rule at a time.

    Returns the root :class:`Step`; its ``after`` is the derivative in the author's
    form, and its sub-steps record every inner derivative.
    """
    if expr == var:
        one = sp.Integer(1)
        return Step(Rule.VARIABLE, var, expr, one, one, one)
    if not depends_on(expr, var):
        zero = sp.Integer(0)
        return Step(Rule.CONSTANT, var, expr, zero, zero, zero)
    rule, middle, children = find_rule(expr)(expr, var)
    substeps = tuple(differentiate(c, var) for c in children)
    filled = replaced(middle, {_d(s.before, var): s.after for s in substeps})
    filled = _fold_negated_numbers(filled)
    return Step(rule, var, expr, middle, filled, tidy(filled), bool(children), substeps)
