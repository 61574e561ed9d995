"""The LaTeX commands of the hand-derivation parser: \\frac (and Leibniz fractions), \\sqrt,
\\nabla, \\sum and function calls. A mixin of :class:`symgrad.checking.handparse._Parser`, which owns
the token cursor and the grammar these methods call back into."""

from __future__ import annotations

import sympy as sp

from symgrad.errors import ParseError
from symgrad.expr.functions import clamp, hardtanh, leaky_relu, relu, sigmoid, softplus
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol

_FN = {"sign": sp.sign, "abs": sp.Abs, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt,
       "sigmoid": sigmoid, "tanh": sp.tanh, "relu": relu, "max": sp.Max, "min": sp.Min,
       "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sinh": sp.sinh, "cosh": sp.cosh,
       "softplus": softplus, "leaky_relu": leaky_relu, "clamp": clamp,
       "hardtanh": hardtanh}  # fmt: skip
_ARITY = {leaky_relu: (1, 2), clamp: (3, 3)}
CLOSERS = {"(": ")", "[": "]", "{": "}", "lbrace": "rbrace", "lbar": "rbar", "|": "|"}
COUNT = "n"  # the count symbol of a \sum whose bound is not a problem name


class Commands:
    """\\frac, \\sqrt, \\nabla, \\sum and calls such as \\operatorname{sign}(u)."""

    def argument(self) -> tuple[int, int, int]:
        """(first, stop, after) token indices of a ``{...}`` argument or of one token."""
        if self.at("{"):
            depth, k = 0, self.i
            while True:
                tk = self.toks[k]
                if tk.kind == "end":
                    raise self.fail("unbalanced '{': missing '}'")
                depth += (tk.text == "{") - (tk.text == "}") if tk.kind == "op" else 0
                if depth == 0:
                    return self.i + 1, k, k + 1
                k += 1
        if self.tok.kind == "end":
            raise self.fail("expected an argument")
        return self.i, self.i + 1, self.i + 1

    def cs_frac(self) -> sp.Expr:
        t = self.take()
        self.enter()
        start = self.i
        a, b, after = self.argument()
        self.i = after
        c, d, end = self.argument()
        top = self.leibniz_part(a, b, numerator=True)
        bottom = self.leibniz_part(c, d, numerator=False)
        if top is not None and bottom is not None and isinstance(bottom[1], str):
            self.i = end
            self.depth -= 1
            if top[1] is None:
                return self.apply_derivative(bottom[1])
            if isinstance(top[1], str):
                return Leibniz(symbol(top[1]), symbol(bottom[1]), top[0])
            return sp.Derivative(top[1], symbol(bottom[1]), evaluate=False)
        self.i = start
        num = self.group() if self.at("{") else self.atom()
        den = self.group() if self.at("{") else self.atom()
        self.depth -= 1
        if den.is_zero:
            raise self.fail("division by zero", t)
        return self.checked(num / den, t)

    def leibniz_part(self, a: int, b: int, numerator: bool):
        """(partial?, name | expression | None) if toks[a:b] is ``d``, ``d NAME`` or ``d EXPR``."""
        save = self.i
        self.i = a
        try:
            head = self.differential()
            if head is None:
                return None
            if self.i == b:
                return head
            if not numerator or head[1] is not None:
                return None
            inner = self.part()
            return (head[0], inner) if self.i == b else None
        except ParseError:
            return None
        finally:
            self.i = save

    def cs_sqrt(self) -> sp.Expr:
        t = self.take()
        root = sp.Integer(2)
        if self.at("["):
            root = self.group()
            if not (root.is_Integer and 2 <= root <= 100):
                raise self.fail("expected a whole root index from 2 to 100", t)
        self.enter()
        inner = self.group() if self.at("{", "(") else self.atom()
        self.depth -= 1
        return self.raised(inner, 1 / root, t)

    def cs_nabla(self) -> sp.Expr:
        t = self.take()
        var = self.subscript()
        if var is None or self.lookup((var,), None) is None:
            raise self.fail("expected \\nabla_{name} with a name of the problem", t)
        return self.apply_derivative(self.lookup((var,), None))

    def cs_sum(self) -> sp.Expr:
        """``\\sum_{i=1}^{n} body``: the body (index subscripts dropped) times the count."""
        t = self.take()
        index, lower, upper = "i", sp.Integer(1), sp.Symbol(COUNT, positive=True, integer=True)
        if self.at("_"):
            self.take()
            braced = self.at("{")
            if braced:
                self.take()
            if self.tok.kind != "word":
                raise self.fail("expected the index of the sum, e.g. \\sum_{i=1}^{n}")
            index = self.take().text
            if self.at("="):
                self.take()
                lower = self.atom()
            if braced:
                self.expect("}")
        if self.at("^"):
            self.take()
            upper = self.group() if self.at("{") else self.atom()
        self.enter()
        self.indices.append(index)
        body = self.term()
        self.indices.pop()
        self.depth -= 1
        count = upper - lower + 1
        if count.is_number and not (count.is_Integer and 1 <= count <= 10**6):
            raise self.fail("the sum must have between 1 and 10^6 terms", t)
        return self.checked(count * body, t)

    def call(self) -> sp.Expr:
        t = self.take()
        fn = _FN[t.value]
        prime = self.at("'")  # sigma'(z): the derivative of the function, at the argument
        if prime:
            self.take()
        self.enter()
        if self.at("(", "[", "{", "lbrace"):
            opener = self.take()
            close = CLOSERS[opener.text]
            outer_bars, self.bars = self.bars, 0
            args = [self.part()]
            while self.at(","):
                self.take()
                args.append(self.part())
            self.bars = outer_bars
            self.expect(close, f" to close {opener.text!r} at column {self.col(opener)}")
        elif fn in (sp.Max, sp.Min):
            raise self.fail(f"expected '(' after {t.text}")
        else:  # \log p, \exp z: the argument is the next power
            args = [self.power()]
        self.depth -= 1
        if fn in (sp.Max, sp.Min):
            if prime:
                raise self.fail(f"write the derivative of {t.text} with indicators", t)
            if len(args) < 2:
                raise self.fail(f"{t.text} takes at least 2 arguments", t)
            if all(a.is_Rational for a in args):
                return (max if fn is sp.Max else min)(args)
            return fn(*args, evaluate=False)
        fewest, most = _ARITY.get(fn, (1, 1))
        if not fewest <= len(args) <= most:
            raise self.fail(f"{t.text} takes {fewest if fewest == most else f'{fewest} or {most}'} "
                            f"argument{'s' * (most > 1)}, got {len(args)}", t)
        if len(args) > 1:
            if prime:
                raise self.fail(f"write the derivative of {t.text} with indicators", t)
            if fn is leaky_relu and len(args) == 1:
                args.append(sp.Rational(1, 100))
            return self.checked(fn(*args, evaluate=False), t)
        if fn is leaky_relu:
            return self.checked(leaky_relu(args[0], sp.Rational(1, 100), evaluate=False), t)
        if fn is sp.exp and args[0].is_number and bool(abs(args[0]) > 700):
            raise self.fail("exponent too large: exp of a number beyond 700", t)
        if fn is sp.log and args[0].is_number and args[0].is_extended_nonpositive:
            raise self.fail("log of a number that is not positive", t)
        if fn is sp.sqrt and not prime:
            return self.raised(args[0], sp.S.Half, t)
        if prime:
            u = sp.Dummy("u", real=True)
            return self.checked(sp.diff(fn(u), u).xreplace({u: args[0]}), t)
        return self.checked(fn(args[0]), t)
