"""Author-form algebra: tidy unevaluated expressions without reordering, and re-evaluate them."""

from __future__ import annotations

import sympy as sp

from symgrad.expr.placeholders import Leibniz, Shown


def _is_num(e: sp.Basic) -> bool:
    return isinstance(e, sp.Number)


def tidy(expr: sp.Basic) -> sp.Basic:
    """Drop ``+ 0``, ``* 1``, ``^1``, fold numeric factors, keep the author's order.

    SymPy's own evaluation would reorder ``y - yhat`` into ``-yhat + y`` and pull
    minus signs out of ``sign``; this only does what a person does by hand.
    """
    if expr.is_Atom or isinstance(expr, (sp.Derivative, sp.core.relational.Relational)):
        return expr
    if isinstance(expr, sp.Piecewise):
        pieces = [(tidy(e), c) for e, c in expr.args]
        if len({e for e, _ in pieces}) == 1:
            return pieces[0][0]  # the same in every piece: the condition no longer matters
        return sp.Piecewise(*pieces, evaluate=False)
    args = [tidy(a) for a in expr.args]
    if isinstance(expr, sp.Add):
        return _tidy_add(args)
    if isinstance(expr, sp.Mul):
        return _tidy_mul(args)
    if isinstance(expr, sp.Pow):
        base, ex = args
        if ex == 1:
            return base
        if ex == 0 or base == 1:
            return sp.Integer(1)
        if _is_num(base) and _is_num(ex):
            return _evaluate(sp.Pow(base, ex, evaluate=False))
        return sp.Pow(base, ex, evaluate=False)
    rebuilt = expr.func(*args, evaluate=False)
    if isinstance(expr, sp.Function) and all(_is_num(a) for a in args):
        value = _evaluate(rebuilt)
        if _is_num(value):
            return value
    return rebuilt


def _tidy_add(args: list[sp.Basic]) -> sp.Basic:
    terms: list[sp.Basic] = []
    for a in args:
        terms.extend(a.args if isinstance(a, sp.Add) else [a])
    terms = [t for t in terms if t != 0]
    if all(_is_num(t) for t in terms):
        with sp.evaluate(True):
            return sum(terms, sp.Integer(0))
    if len(terms) == 1:
        return terms[0]
    return sp.Add(*terms, evaluate=False)


def _tidy_mul(args: list[sp.Basic]) -> sp.Basic:
    factors: list[sp.Basic] = []
    for a in args:
        factors.extend(a.args if isinstance(a, sp.Mul) else [a])
    coeff = sp.Integer(1)
    rest = []
    with sp.evaluate(True):
        for f in factors:
            if _is_num(f):
                coeff = coeff * f
            else:
                rest.append(f)
    if coeff == 0:
        return sp.Integer(0)
    if not rest:
        return coeff
    if coeff == 1:
        return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
    return sp.Mul(coeff, *rest, evaluate=False)


def _evaluate(expr: sp.Basic) -> sp.Basic:
    with sp.evaluate(True):
        return evaluated(expr)


def evaluated(expr: sp.Basic) -> sp.Basic:
    """Rebuild ``expr`` with SymPy's evaluation on (placeholders of the display resolved)."""
    if isinstance(expr, Shown):
        raise TypeError("a substitution line cannot be evaluated")
    if isinstance(expr, Leibniz) or expr.is_Atom:
        return expr
    with sp.evaluate(True):
        if isinstance(expr, sp.Derivative):
            return sp.diff(evaluated(expr.expr), *expr.variables)
        args = [evaluated(a) for a in expr.args]
        if isinstance(expr, sp.Piecewise):
            try:
                return expr.func(*args)
            except RecursionError:  # SymPy's condition folding can recurse without end
                return sp.Piecewise(*args, evaluate=False)  # (fuzz seed 7,059,674)
        return expr.func(*args)


def huge_power(base, exponent) -> bool:
    """A rational power whose exact value would have more than about 1,200 digits, or whose
    exact root SymPy would look for at great cost: ``(p/q)^(a/n)`` with p or q of more than
    64 bits (seed 3,057,481 spent minutes in ``iroot``) or n above 2^16 (seed 4,012,855:
    (1/10)^(10^-8))."""
    if not (isinstance(base, sp.Rational) and isinstance(exponent, sp.Rational)):
        return False
    if base in (0, 1, -1):
        return False
    size = max(abs(base.p).bit_length(), base.q.bit_length())
    if not exponent.is_Integer and (exponent.q.bit_length() > 16 or size > 64):
        return True
    return abs(exponent) * size > 4096


def substituted(expr: sp.Basic, mapping: dict) -> sp.Basic:
    """``expr.xreplace(mapping)``, evaluated as SymPy does, except that a power of two numbers
    whose exact value would be huge (``7^(10^90)``) becomes a 30-digit float (as the evaluate
    stage carries it): SymPy would compute every digit of it and never return. A piecewise
    expression is rebuilt as it is (SymPy's simplification of its conditions can run for
    minutes)."""
    memo: dict = {}

    def put(e):
        if e in mapping:
            return mapping[e]
        if e.is_Atom or isinstance(e, Leibniz):
            return e
        got = memo.get(e)
        if got is None:
            args = [put(a) for a in e.args]
            if all(a is b for a, b in zip(args, e.args)):
                got = e
            elif isinstance(e, sp.Pow) and huge_power(*args):
                got = sp.Float(args[0], 30) ** sp.Float(args[1], 30)
            elif isinstance(e, sp.Piecewise):  # its evaluation solves the conditions as
                got = sp.Piecewise(*args, evaluate=False)  # inequalities: minutes at times
            else:
                got = e.func(*args)
            memo[e] = got
        return got

    return put(expr)


def depends_on(expr: sp.Basic, var: sp.Symbol) -> bool:
    """True when ``var`` occurs in ``expr``."""
    return var in expr.free_symbols


def replaced(expr: sp.Basic, repl: dict) -> sp.Basic:
    """``expr.xreplace(repl)`` rebuilt without evaluation, so nothing is reordered or folded.

    SymPy's ``xreplace`` re-evaluates every node it rebuilds (``1.5*2 + 4`` would come back
    as ``4 + 1.5*2``); ``with sympy.evaluate(False)`` would avoid that but clears SymPy's
    cache on every toggle. Shared sub-expressions are rebuilt once.
    """
    memo: dict = {}

    def walk(e):
        got = repl.get(e)
        if got is not None:
            return got
        if not e.args:
            return e
        done = memo.get(e)
        if done is not None:
            return done
        args = tuple(walk(a) for a in e.args)
        if args == e.args:
            out = e
        else:
            try:
                out = e.func(*args, evaluate=False)
            except TypeError:  # a class without the keyword (ExprCondPair, Tuple)
                out = e.func(*args)
        memo[e] = out
        return out

    return walk(expr) if repl else expr
