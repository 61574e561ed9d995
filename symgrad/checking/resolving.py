"""From what a row names to what it means: the derivative a left side stands for (a
:class:`~symgrad.checking.truth.Target`), the document's definitions expanded, placeholders
(``f(3)``, ``h_\\theta(x)``) replaced, and the value at the point. A mixin of
:class:`symgrad.checking.judge.Checker`."""

from __future__ import annotations

import sympy as sp

from symgrad.checking.handbase import MAIN, Reading
from symgrad.checking.scope import At, ByExpression
from symgrad.checking.statements import Statement
from symgrad.checking.truth import (
    Target,
    leibniz_parts,
    plain,
)
from symgrad.errors import ParseError
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol

#: How deep resolving a name may nest (names, Leibniz factors, derivatives) before the
#: definitions are taken for a circle.
MAX_EXPANSION_DEPTH = 30

class Resolving:
    """A mixin of :class:`symgrad.checking.judge.Checker`."""

    # --- targets ------------------------------------------------------------------------
    def name_target(self, name: str) -> Target:
        expr = self.resolve(symbol(name))
        return Target(name, expr, self.scope.defined.get(name, symbol(name)),
                      self.at_point(expr), derivative=False)

    def target_for(self, e: sp.Expr, reading: Reading) -> Target | None:
        if isinstance(e, Leibniz):
            return self.leibniz_target(e)
        if isinstance(e, sp.Symbol) and e.name in self.scope.quantities and e.name not in self.scope.defined:
            return self.t.target(e.name, None)
        if isinstance(e, sp.Symbol) and e.name in self.scope.defined:
            return self.name_target(e.name)
        if isinstance(e, sp.MatrixBase):
            expr = e.applyfunc(self.resolve)
            return Target("the vector", expr, e, None, derivative=False)
        expr = self.resolve(e)
        shown = self.resolve(e, shown=True)
        label = plain(shown)
        derivative = isinstance(e, (sp.Derivative, ByExpression))
        return Target("the derivative" if derivative else label, expr, shown, self.at_point(expr),
                      derivative=derivative)

    def leibniz_target(self, e: Leibniz) -> Target:
        top, bottom = e.top.name, e.bottom.name
        if top == MAIN.name:
            top = self.t.problem.loss
        s = self.scope
        fn = s.functions.get(top)
        if fn is not None:  # dg/dw with g(w) = w x defined in the document
            body = fn.body
            if len(fn.params) == 1 and fn.params[0].name != bottom:
                body = body.xreplace({fn.params[0]: symbol(bottom)})
            expr = self.derivative(body, symbol(bottom))
            return Target(f"d{top}/d{bottom}", expr, expr, self.at_point(expr))
        known = s.quantities | s.inputs
        if top in known and bottom in known and top not in s.defined and bottom not in s.defined:
            return self.t.target(top, bottom)
        if top not in known and top not in s.defined and top != bottom:
            # de/dW_1 with e neither the problem's nor defined in the text: not 0, unknown
            raise ParseError(f"unknown name {top!r} in d{top}/d{bottom} (the problem's names: "
                             f"{', '.join(sorted(known))})")
        expr = self.derivative(symbol(top), symbol(bottom))
        return Target(f"d{top}/d{bottom}", expr, expr, self.at_point(expr))

    def update_target(self, st: Statement) -> Target | None:
        """``p <- p - eta * dL/dp``: the updated value (a function of the inputs)."""
        param = st.lhs.expr.name
        g = self.t.target(self.t.problem.loss, param)
        rate = self.lr
        if rate is None:
            rates = [r for r in st.reading.rates if r not in self.scope.defined]
            if len(rates) != 1:
                return None
            rate = symbol(rates[0])
        s = symbol(param)
        expr = s - rate * g.expr
        shown = sp.Add(s, sp.Mul(-rate, g.shown, evaluate=False), evaluate=False)
        why = f"an update subtracts the gradient: {param} - eta*d{self.t.problem.loss}/d{param}"
        return Target(f"updated {param}", expr, shown, self.at_point(expr), derivative=False,
                      sign_hint=why)

    # --- resolving ----------------------------------------------------------------------
    def resolve(self, e: sp.Expr, shown: bool = False) -> sp.Expr:
        """Leibniz factors and derivatives replaced by their truths; the document's names and
        the problem's quantities expanded down to the inputs (``shown``: names stay)."""
        if isinstance(e, sp.MatrixBase):
            return e.applyfunc(lambda x: self.resolve(x, shown))
        swap = {}
        for leib in leibniz_parts(e):
            tg = self.leibniz_target(leib)
            swap[leib] = tg.shown if shown else tg.expr
        e = e.xreplace(swap)
        if e.has(At) or e.has(ByExpression) or e.has(sp.Derivative):
            e = self.placeholders(e)
        if shown:
            return e
        return self.expand(e)

    def placeholders(self, e: sp.Expr) -> sp.Expr:
        def by_expression(x):
            top, bottom = self.expand(x.args[0]), self.expand(x.args[1])
            free = [s for s in bottom.free_symbols if s.name in self.scope.params] or \
                list(bottom.free_symbols)
            if len(free) != 1:
                raise ValueError("a derivative by an expression of several variables")
            v = free[0]
            db = sp.diff(bottom, v)
            if db == 0:
                raise ValueError("a derivative by a constant")
            return sp.diff(top, v) / db

        def at(x):
            inner = self.expand(self.placeholders(x.args[0]) if x.args[0].has(At, sp.Derivative)
                                else x.args[0])
            var = x.args[1]
            return inner.xreplace({var: self.expand(x.args[2])})

        e = e.replace(lambda x: isinstance(x, ByExpression), by_expression)
        e = e.replace(lambda x: isinstance(x, sp.Derivative),
                      lambda x: self.derivative(x.expr, x.variables[0]))
        return e.replace(lambda x: isinstance(x, At), at)

    def definitions(self) -> dict:
        """Every name the rows may use, with its definition: the document's names, and a
        quantity as the document last re-expressed it (``then f = u^2``), take precedence."""
        out = {q.symbol: q.expr for q in self.t.problem.quantities}
        out.update({symbol(n): v for n, v in self.scope.defined.items()})
        out.update({symbol(n): v for n, v in self.views.items()})
        return out

    def expand(self, e: sp.Expr, keep: sp.Symbol | None = None) -> sp.Expr:
        """Names replaced by their definitions until only inputs (and ``keep``) are left."""
        depth = getattr(self, "_expanding", 0)
        if depth > MAX_EXPANSION_DEPTH:  # a derivative of a name defined by a derivative of
            # itself, through Leibniz factors (the loop below sees one level only)
            raise ParseError("the document's definitions refer to each other in a circle")
        self._expanding = depth + 1
        try:
            return self._expand(e, keep)
        finally:
            self._expanding = depth

    def _expand(self, e: sp.Expr, keep: sp.Symbol | None) -> sp.Expr:
        defs = self.definitions()
        if keep is not None:
            defs.pop(keep, None)
        for _ in range(40):
            names = [s for s in e.free_symbols if s in defs]
            leibs = leibniz_parts(e)
            if not names and not leibs:
                return e
            if leibs:
                e = self.resolve(e, shown=False) if keep is None else e.xreplace(
                    {lb: self.leibniz_target(lb).expr for lb in leibs})
                continue
            e = e.xreplace({s: defs[s] for s in names})
            if e.has(At, ByExpression, sp.Derivative):
                e = self.placeholders(e)
        raise ParseError("the document's definitions refer to each other in a circle")

    def derivative(self, expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
        """d expr / d var, holding var as a variable when it is a named quantity."""
        defs = self.definitions()
        if var not in defs:
            return sp.diff(self.expand(expr), var)
        held = self.expand(expr, keep=var)
        return self.expand(sp.diff(held, var))

    def at_point(self, expr) -> sp.Expr | None:
        if isinstance(expr, sp.MatrixBase):
            return None
        if not self.values and not expr.free_symbols:
            return self.t.at_point(expr, {sp.Symbol("_", real=True): 0})
        return self.t.at_point(expr, self.values)
