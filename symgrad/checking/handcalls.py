"""Names followed by arguments or primes (``J(\\theta)``, ``s(x)``, ``f'(1)``, ``a(1 - a)`` as a
product) and derivatives written with differentials (``dL/dm``, ``\\partial``, ``\\delta``,
``d_x``, ``\\frac{d}{dm}`` applied to what follows)."""

from __future__ import annotations

import sympy as sp

from symgrad.checking.handbase import (
    _LOSS_LETTERS,
    CLOSERS,
    MAIN,
    SEPARATORS,
    FreeIndex,
    GenericRule,
    IndexMiss,
    _at,
)
from symgrad.checking.handlex import Tok
from symgrad.checking.handvectors import VECTOR
from symgrad.checking.scope import RATE_NAMES
from symgrad.errors import ParseError
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol


class Calls:
    """A mixin of :class:`symgrad.checking.handparse._Parser`."""

    def after_name(self, name: str, t: Tok) -> sp.Expr:
        """A name, then maybe its argument list: ``J(\\theta)``, ``f'(1)``, ``s(x)``, or ``a(1-a)``
        (a product)."""
        primes = 0
        while self.at("'"):
            self.take()
            primes += 1
        if self.at("^") and self.peek().text == "{" and self.peek(2).text == "'":
            self.i += 3
            while self.at("'"):
                self.take()
            if self.at("T"):  # w^{'\top} X^{'\top}: names the document primes, transposed (076)
                raise self.fail(f"{name}^{{'\\top}}: a primed {name} transposed, a name of the "
                                f"document's (not a derivative) that the problem does not have")
            self.expect("}")
            primes += 1
        fn = self.scope.functions.get(name)
        if fn is not None:
            if not self.at("(", "["):
                raise self.fail(f"expected the arguments of {name}, found {self.tok.shown()}")
            args = self.arguments()
            if self.toks[0] is t and self.lhs_call is None:
                self.lhs_call = (name, tuple(args))
            if len(args) != len(fn.params):
                raise self.fail(f"{name} takes {len(fn.params)} argument(s), got {len(args)}", t)
            value = fn(args)
            if primes:
                if len(args) != 1:
                    raise self.fail(f"write the derivative of {name} with a partial derivative", t)
                u = sp.Dummy("u", real=True)
                value = sp.Derivative(fn([u]), u, evaluate=False)
                value = _at(value, u, args[0])
            return value
        s = symbol(name)
        quantity = self.scope.is_quantity(name) or name in self.scope.args
        if primes and not quantity and name not in self.dummies:
            raise GenericRule(name)
        if not self.at("(") or not (quantity or primes):
            if primes:
                return self.prime(s, name, None, t)
            return s
        save = self.i
        forced, self.force_call = self.force_call, False
        outer, self.labels = self.labels, True  # J(\mathbf{w}), C(X, \beta): what it depends on
        try:
            args = self.arguments()
        finally:
            self.labels = outer
        if forced and not primes:
            return s
        symbols_only = all(a.is_Symbol for a in args)
        if symbols_only and not primes and self.unrelated(name, args):
            self.i = save  # y_3 (p_i) with y3 = 1 - y1 - y2: a product, not y3 of p_i
            return s
        if len(args) == 1 and not symbols_only and not primes and not args[0].is_number and \
                len(self.declared(name)) != 1:
            self.i = save  # a(1 - a): a product (f(x + \Delta x) calls f, written f(x) = ...)
            return s
        if len(args) == 1 and args[0].is_number and not primes and name not in self.scope.args:
            self.i = save  # L(2): a product, unless L was written with its argument
            return s
        if self.i == save:
            return s
        if primes:
            return self.prime(s, name, args, t)
        value = self.applied(s, name, args, t)
        sup = self.index_superscript((name,))
        if sup is not None and sup[0] not in self.bind and self.scope.family(name) == {}:
            pass  # h_\mathbf{w}(x)^{(i)}: the index of the example, already read
        return value

    def unrelated(self, name: str, args: list) -> bool:
        """Arguments that are all names of the problem on which the quantity does not depend:
        the parentheses multiply (``J(\\theta)`` names J; ``y_j (p_i)`` is a product when
        y_j does not depend on p_i)."""
        deps = self.scope.upstream.get(name)
        if not deps or name in self.scope.args:
            return False
        known = self.scope.inputs | self.scope.quantities
        return all(a.name in known and a.name not in deps for a in args)

    def defines_function(self) -> bool:
        """At ``(`` after a new name at the start of the row: ``(x) =`` or ``(w, b) :=``."""
        k, depth = self.i, 0
        while k < len(self.toks):
            u = self.toks[k]
            if u.kind == "op" and u.text in ("(", "["):
                depth += 1
            elif u.kind == "op" and u.text in (")", "]"):
                depth -= 1
                if depth == 0:
                    nxt = self.toks[k + 1]
                    return nxt.kind == "op" and nxt.text in ("=", ":=")
            elif u.kind == "end":
                return False
            elif depth == 1 and not (u.kind in ("word", "num") or u.kind == "op" and
                                     u.text in (",", "_", "^", "{", "}")):
                return False
            k += 1
        return False

    def arguments(self) -> list[sp.Expr]:
        opener = self.take()
        close = CLOSERS[opener.text]
        self.enter()
        outer_bars, self.bars = self.bars, 0
        args = [self.part()]
        while self.at(",", ";"):
            self.take()
            args.append(self.part())
        self.bars = outer_bars
        self.expect(close, f" to close {opener.text!r} at column {self.col(opener)}")
        self.depth -= 1
        return args

    def declared(self, name: str) -> tuple[sp.Expr, ...]:
        return self.scope.args.get(name, ())

    def applied(self, s: sp.Symbol, name: str, args: list, t: Tok) -> sp.Expr:
        """A quantity with arguments: ``J(\\theta)``, ``l(z)``, ``h_\\theta(x^{(i)})`` name the
        quantity (what it depends on, as authors write it); ``f(0.3)`` is its value there, and
        ``f(\\Delta x)`` (a letter that is no name of the problem, f written ``f(x)``) too."""
        if self.toks[0] is t and self.lhs_call is None:
            self.lhs_call = (name, tuple(args))
        params = self.declared(name)
        known = self.scope.inputs | self.scope.quantities
        if all(a.is_Symbol for a in args) and (
                len(params) != len(args) or all(a.name in known for a in args)):
            return s  # J(\theta): the quantity named with what it depends on
        if len(params) != len(args):
            raise self.fail(f"{name}({', '.join(map(str, args))}): write {name} with its "
                            f"variable first, such as {name}(x) = ...", t)
        value = s
        for p, a in zip(params, args):
            if a != p:
                value = _at(value, p, a)
        return value

    def prime(self, s: sp.Symbol, name: str, args, t: Tok) -> sp.Expr:
        """``L'(u)``, ``l'(z)``: the derivative by that variable; ``f'(1)``: by the function's
        declared variable, at 1."""
        if args and len(args) == 1 and args[0].is_Symbol and not isinstance(args[0], Leibniz):
            a = args[0]
            if a.name in self.vocab or a.name in self.dummies:
                return Leibniz(s, a, True)
        params = self.declared(name)
        if len(params) != 1:
            if name in self.dummies:
                raise GenericRule(name)
            params = [symbol(p) for p in self.scope.params][:1] if len(self.scope.params) == 1 \
                else []
        if len(params) != 1:
            raise self.fail(f"{name}' needs {name} written with one argument, such as {name}(x) = ...", t)
        var = params[0]
        value = Leibniz(s, var, True) if isinstance(var, sp.Symbol) and var.name in self.vocab \
            else sp.Derivative(s, var, evaluate=False)
        if args and len(args) == 1 and args[0] != var:
            value = _at(value, var, args[0])
        return value

    def loss_letter(self, word: str) -> str | None:
        """``dL`` when the loss is called Loss: L, J, E, C and their kin name the loss."""
        if word in self.vocab or word not in _LOSS_LETTERS or self.scope.loss is None:
            return None
        return self.scope.loss

    def diff_name(self) -> str | None:
        """A name right after a differential (``\\partial \\hat{y}``, ``d w_1``, ``\\partial{p_j}``)."""
        t = self.tok
        save = self.i
        braced = False
        if self.at("{") and self.peek().kind == "word" and self.peek(2).text in ("}", "_", "^"):
            braced = True
            self.take()
            t = self.tok
        if t.kind != "word":
            self.i = save
            return None
        self.take()
        layered = self.layer_first(t)  # \partial z^3_1, \partial w^2_{11}: a layer number
        if layered is not None:
            return layered
        sup = self.index_superscript(t.names)
        sub = self.subscript()
        if sup is None:
            sup = self.index_superscript(t.names)
        found = self.vector_name(t, sub, sup) or self.resolve(t, (sub or []) + (sup or []))
        if found is None and not sub and not sup:  # \partial e: the loss (the error e), even
            found = self.loss_letter(t.names[0])  # where e could be a letter for any number
        if found is None and not sub and not sup and t.text in self.dummies:
            found = t.text
        if found is None and not sub and t.text in RATE_NAMES:
            found = None
        if braced:
            if self.at("}"):
                self.take()
            else:
                found = None
        if found is None or self.at("(", "'"):
            self.i = save
            return None
        return found

    def differential(self) -> tuple[bool, str | None] | None:
        """``\\partial`` / ``d`` / ``\\mathrm{d}`` / ``\\delta``, with the name written with it."""
        t = self.tok
        if t.kind == "d":
            self.take()
            return t.partial, self.diff_name()
        if t.kind == "word" and t.text == "\\delta" and "delta" not in self.vocab:
            self.take()
            return True, self.diff_name()
        if t.kind == "word" and t.text.startswith("d") and len(t.names) == 1:
            if t.text == "d" and "d" not in self.vocab:
                self.take()
                return False, self.diff_name()
            rest = t.text[1:]
            if t.text not in self.vocab and self.loss_letter(rest) and self.peek().text == "/":
                self.take()
                return False, self.loss_letter(rest)
            if t.text not in self.vocab and (rest in self.vocab or rest in self.dummies or
                                             self.peek().text in ("_", "^") or
                                             len(self.scope.family(rest)) == 1 or
                                             self.scope.copies_of(rest) or
                                             [v.lower() for v in self.vocab].count(rest.lower()) == 1):
                save = self.i
                self.take()
                fake = Tok("word", rest, t.pos + 1, names=(rest,))
                sup = self.index_superscript(fake.names)
                sub = self.subscript()
                found = self.resolve(fake, (sub or []) + (sup or []))
                if found is None and rest in self.dummies and not sub:
                    found = rest
                if found is None:
                    self.i = save
                    return None
                return False, found
        return None

    def leibniz(self) -> sp.Expr | None:
        """``dL/dm``, ``\\partial L / \\partial m`` or ``d/dm (...)``; else None, nothing taken."""
        save = self.i
        try:
            top = self.differential()
        except (FreeIndex, IndexMiss):
            raise
        except ParseError:
            self.i = save
            return None
        if top is not None and self.at("/"):
            self.take()
            bottom = self.differential()
            if bottom is not None and bottom[1] is not None:
                if top[1] is not None and VECTOR in top[1] + bottom[1]:
                    return self.vector_leibniz(top[1], bottom[1], top[0])
                if top[1] is not None:
                    return Leibniz(symbol(top[1]), symbol(bottom[1]), top[0])
                return self.apply_derivative(bottom[1])
        self.i = save
        return None

    def differential_operator(self) -> sp.Expr:
        """A lone ``\\partial`` or ``d``: ``\\partial_m L`` or ``d_x`` (the derivative by x)."""
        t = self.take()
        if self.at("_"):
            sub = self.subscript()
            var = self.lookup_param(sub)
            if var is not None:
                return self.apply_derivative(var)
        raise self.fail("expected a derivative such as \\frac{\\partial L}{\\partial m}", t)

    def lookup_param(self, pieces) -> str | None:
        if not pieces:
            return None
        fake = Tok("word", pieces[0], 0, names=(pieces[0],))
        return self.resolve(fake, pieces[1:])

    def apply_derivative(self, var: str) -> sp.Expr:
        """``d/dvar`` applied to the rest of the product it stands in: ``\\frac{d}{dm} 2|u| x``;
        alone (``\\frac{\\partial}{\\partial m} = ...``), the derivative of the loss."""
        if self.tok.kind == "end" or self.at(*SEPARATORS) or self.at(",", ")", "}") or \
                self.at_word("wrt"):
            return Leibniz(MAIN, symbol(var), True)
        self.enter()
        inner = self.term()
        self.depth -= 1
        if inner.is_Symbol and (inner.name in self.vocab or inner.name in self.dummies):
            return Leibniz(inner, symbol(var), True)
        return sp.Derivative(inner, symbol(var), evaluate=False)

    def derivative_of(self, base: sp.Expr, op: Tok) -> sp.Expr:
        """``l^{\\prime}`` written as a power: the derivative of base by its one variable."""
        if base.is_Symbol:
            return self.prime(base, base.name, None, op)
        raise self.fail("expected a function before the prime", op)
