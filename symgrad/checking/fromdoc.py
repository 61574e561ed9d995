"""The problem a document states itself, for ``symgrad check`` without ``--let``.

The definitions the author writes (``\\hat{y} = mx + b``, ``L = |y - \\hat{y}|``,
``J(\\theta) = \\frac{1}{m}\\sum_{i=1}^m (h_\\theta(x^{(i)}) - y^{(i)})^2``) become the named
quantities, in the order they depend on each other; names defined nowhere are the inputs;
values the text gives (``x = 2``) are the point. The loss is the quantity the document
differentiates most often (``\\frac{\\partial L}{\\partial m}``), and the parameters are what it
differentiates by. A sum over examples is read as the sum of identical examples (the
problem of one example, with the count as a symbol), so the author's ``\\frac{1}{m}\\sum`` and
a line that forgets it are still told apart.

Not every ``name = formula`` defines something. One name set equal to another that the
document never defines is a condition or a label (``not differentiable at $y_{pred} =
y_{true}$``, ``If $i = k$``, ``$L_k = output$``); read as a definition it would make the loss
something else (``|y_pred - y_true|`` would be 0). It is kept only as an alias of a quantity
the document does define (``\\hat y = a_2`` with ``a_2 = \\sigma(z_2)``).
"""

from __future__ import annotations

import re
from collections import Counter

import sympy as sp

from symgrad.checking.document import read_document
from symgrad.checking.handbase import GenericRule, Question, Skip
from symgrad.checking.handparse import read_row
from symgrad.checking.scope import Scope
from symgrad.errors import ParseError, UsageError
from symgrad.expr.placeholders import Leibniz
from symgrad.numbers.conventions import Convention
from symgrad.reader.problem import Problem, Quantity


def problem_from_document(text: str, *, convention=None, lr=None) -> tuple[Problem, list[str]]:
    """The document's own problem and the definitions it came from (``name = text`` each).

    Raises:
        UsageError: the document defines nothing to differentiate.
        ParseError: a document that cannot be read at all.
    """
    document = read_document(text)
    scope = Scope(frozenset(), frozenset(), opened=set())
    scope.macros, scope.operators = document.macros, document.operator_names
    defined: dict[str, tuple[sp.Expr, str]] = {}
    values: dict[str, sp.Rational] = {}
    tops: Counter = Counter()
    bottoms: list[str] = []
    aliases: dict[str, tuple[sp.Symbol, str]] = {}
    for row in document.rows:
        if row.kind not in ("math", "line") or row.error:
            continue
        try:
            readings = read_row(text, row.start, row.end, scope)
        except (ParseError, GenericRule, Question, Skip, RecursionError, OverflowError):
            continue
        parts = readings[0].parts
        for p in parts:
            if p.expr is None or isinstance(p.expr, sp.MatrixBase):
                continue
            for s in p.expr.free_symbols:
                if isinstance(s, Leibniz):
                    tops[s.top.name] += 1
                    if s.bottom.name not in bottoms:
                        bottoms.append(s.bottom.name)
        first = parts[0].expr
        call = readings[0].lhs_call
        if call is not None and isinstance(first, sp.Symbol) and first.name.startswith("function:"):
            first = sp.Symbol(call[0], real=True)  # J(\theta) = ...: J
        if not isinstance(first, sp.Symbol) or isinstance(first, Leibniz) or len(parts) < 2:
            continue
        rhs = parts[1]
        if rhs.separator not in ("=", ":=") or rhs.expr is None or rhs.relation or \
                isinstance(rhs.expr, sp.MatrixBase) or rhs.expr.has(sp.Derivative) or \
                any(isinstance(s, Leibniz) for s in rhs.expr.free_symbols):
            continue
        name = first.name
        if rhs.expr.is_number:
            if rhs.expr.is_Rational and name not in defined:
                values.setdefault(name, rhs.expr)
            continue
        if name in defined or first in rhs.expr.free_symbols:
            continue
        source = " ".join(text[row.start : row.end].split())
        if isinstance(rhs.expr, sp.Symbol):
            aliases.setdefault(name, (rhs.expr, source))
            continue
        defined[name] = (rhs.expr, source)
        scope.quantities = scope.quantities | {name}
    for name, (target, source) in aliases.items():
        if name not in defined and target.name in defined:
            defined[name] = (target, source)
    if not defined:
        raise UsageError("no problem given and the document defines none: give --let 'NAME = EXPR' "
                         "(or --example), or write the definitions in the document (L = ...)")
    _through_named(defined)
    order = _in_order(defined)
    names = set(order)
    differentiated = [n for n in order if tops.get(n, 0)]
    if not differentiated and re.search(r"derivative|gradient|differentiat", text, re.I):
        # one function of one variable and a text about its derivative: f(x) = 1.7 tanh(2x/3)
        sinks = [n for n in order if not any(sp.Symbol(n, real=True) in defined[m][0].free_symbols
                                             for m in order)]
        if len(sinks) == 1:
            probe = Problem(tuple(Quantity(n, defined[n][0], defined[n][1]) for n in order),
                            sinks[0], (), ())
            free = [i for i in probe.inputs_of.get(sinks[0], ()) if i not in values]
            if len(free) == 1:
                differentiated = sinks
                bottoms = [free[0], *bottoms]
    if not differentiated:
        raise UsageError(f"no problem given, and the document differentiates none of what it "
                         f"defines ({', '.join(order)}): give --let 'NAME = EXPR' and --wrt")
    used = {s.name for expr, _ in defined.values() for s in expr.free_symbols}
    loss = max(differentiated, key=lambda n: (tops.get(n, 0), n not in used, order.index(n)))
    quantities = tuple(Quantity(n, defined[n][0], defined[n][1]) for n in order)
    probe = Problem(quantities, loss, (), ())
    reach = probe.inputs_of.get(loss, frozenset())
    wrt = tuple(b for b in bottoms if b in reach) or tuple(
        i for i in probe.inputs if i in reach and i not in values)[:1]
    if not wrt:
        raise UsageError(f"the document defines {loss} but never differentiates it by one of its "
                         "inputs: give --wrt")
    point = tuple((k, values[k]) for k in probe.inputs if k in values)
    if point and len(point) != len(probe.inputs):
        point = tuple(point)
    conv = Convention.parse(convention or "min-norm")
    problem = Problem(quantities, loss, wrt, point, lr, convention=conv)
    notes = [f"{n} = {defined[n][1].split('=', 1)[-1].strip()}" for n in order if n in names]
    return problem, notes


def _through_named(defined: dict) -> None:
    """A definition whose formula holds another definition's whole formula is written through
    that name: with ``u = 2w + b - 5``, ``f = (2w + b - 5)^2`` is ``f = u^2``, so the author's
    ``\\frac{\\partial f}{\\partial u}`` is ``2u``, not 0 (040). Nothing else changes: ``u`` is
    that formula. The larger formulas go first; each name stands only for its own formula."""
    bodies = sorted(((n, e) for n, (e, _) in defined.items()
                     if not e.is_Atom and sp.count_ops(e) > 0), key=lambda ne: -sp.count_ops(ne[1]))
    for name, (expr, source) in list(defined.items()):
        for other, body in bodies:
            if other != name and expr != body and expr.has(body) and \
                    sp.Symbol(name, real=True) not in body.free_symbols:
                expr = expr.xreplace({body: sp.Symbol(other, real=True)})
        defined[name] = (expr, source)


def _in_order(defined: dict) -> list[str]:
    """The defined names, each after the names it uses (the document's order otherwise)."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(name: str, stack: tuple = ()) -> None:
        if name in seen or name in stack:
            return
        for s in sorted(defined[name][0].free_symbols, key=lambda s: s.name):
            if s.name in defined:
                visit(s.name, (*stack, name))
        seen.add(name)
        out.append(name)

    for name in defined:
        visit(name)
    return out
