"""The LaTeX commands of the hand-derivation parser: \\frac (and Leibniz fractions), \\sqrt,
\\nabla and function calls (\\sum is in :mod:`handsums`). A mixin of
:class:`symgrad.checking.handparse._Parser`, which owns the token cursor and the grammar these
methods call back into."""

from __future__ import annotations

import re

import sympy as sp

from symgrad.checking.handbase import CLOSERS
from symgrad.checking.handvectors import VECTOR
from symgrad.errors import ParseError
from symgrad.expr.functions import clamp, hardtanh, leaky_relu, relu, sigmoid, softplus
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol

_FN = {"sign": sp.sign, "abs": sp.Abs, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt,
       "sigmoid": sigmoid, "tanh": sp.tanh, "relu": relu, "max": sp.Max, "min": sp.Min,
       "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sinh": sp.sinh, "cosh": sp.cosh,
       "softplus": softplus, "leaky_relu": leaky_relu, "clamp": clamp,
       "hardtanh": hardtanh, "sech": lambda u: 1 / sp.cosh(u), "csch": lambda u: 1 / sp.sinh(u),
       "coth": lambda u: sp.cosh(u) / sp.sinh(u)}  # fmt: skip
_ARITY = {leaky_relu: (1, 2), clamp: (3, 3)}


class Commands:
    """\\frac, \\sqrt, \\nabla, \\sum, calls such as \\operatorname{sign}(u), cases, vectors."""

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
        if self.tok.kind == "d" and self.peek().kind == "word":  # \frac d{dm}: 'd' alone
            return self.i, self.i + 1, self.i + 1
        return self.i, self.i + 1, self.i + 1

    # --- fractions and derivatives --------------------------------------------------------
    def cs_frac(self) -> sp.Expr:
        from symgrad.checking.handbase import FreeIndex, IndexMiss

        t = self.take()
        self.enter()
        start = self.i
        a, b, after = self.argument()
        self.i = after
        c, d, end = self.argument()
        got = self.derivative_fraction(a, b, c, d, t, end)
        if got is not None:
            self.depth -= 1
            return got
        self.i = start
        try:
            num = self.group() if self.at("{") else self.atom()
            den = self.group() if self.at("{") else self.atom()
        except (FreeIndex, IndexMiss):
            raise
        self.depth -= 1
        if den.is_zero:
            raise self.fail("division by zero", t)
        return self.checked(num / den, t)

    def derivative_fraction(self, a: int, b: int, c: int, d: int, t, end: int):
        """toks[a:b] over toks[c:d] as a derivative (``dL``/``dm``, ``\\partial``/``\\partial m``,
        ``\\delta Tanh``/``\\delta x``), or None when it is an ordinary fraction."""
        top = self.leibniz_part(a, b, numerator=True)
        bottom = self.leibniz_part(c, d, numerator=False)
        if top is None and bottom is not None:  # \frac{Co}{dw_L}: the author left out a d
            top = self.bare_name(a, b)
        if top is None and bottom is not None and b - a == 2 and self.toks[a + 1].kind == "fn" \
                and self.differential_at(a):  # d Tanh / d x: the function of x
            top = (True, "fn:" + self.toks[a + 1].value)
        if top is not None and bottom is not None and bottom[1] is not None:
            var = bottom[1]
            self.i = end
            if top[1] is not None and isinstance(var, str) and (
                    var.startswith(VECTOR) or isinstance(top[1], str) and VECTOR in top[1]):
                return self.vector_leibniz(top[1], var, top[0])
            var, top = self.unvector(var), (top[0], self.unvector(top[1]))
            if isinstance(top[1], str) and top[1].startswith("fn:") and isinstance(var, str):
                u = symbol(var)
                inner = self.applied_function(self.toks[a + 1], _FN[top[1][3:]], [u], False)
                return sp.Derivative(inner, u, evaluate=False)
            if not isinstance(var, str):
                if top[1] is None:
                    raise self.fail("expected d/d(name) before an expression", t)
                from symgrad.checking.scope import ByExpression

                top_expr = symbol(top[1]) if isinstance(top[1], str) else top[1]
                return ByExpression(top_expr, var)
            if top[1] is None:
                return self.apply_derivative(var)
            if isinstance(top[1], str):
                return Leibniz(symbol(top[1]), symbol(var), top[0])
            return sp.Derivative(top[1], symbol(var), evaluate=False)
        if top is not None:
            self.foreign_variable(c, d)
        return None

    def foreign_variable(self, c: int, d: int) -> None:
        """``\\partial w_i`` under a derivative when the problem has no w at all: a derivative
        by a subscripted name of a part of the model the problem does not include, which
        cannot be checked (Skip). A name with no subscript stays unreadable: the problem may
        call it otherwise (``\\hat{y}`` is the prediction, Scope.prediction, where the loss says
        which quantity that is)."""
        from symgrad.checking.handbase import Skip

        if not self.differential_at(c) or self.toks[c + 1].kind != "word":
            return
        word = self.toks[c + 1]
        rest = self.toks[c + 2 : d]
        if self.foreign_layer(word, rest):
            shown = "".join(u.text for u in self.toks[c + 1 : d])
            raise Skip(f"a derivative by {shown}, a layer's weight the problem does not have: "
                       f"not checked")
        if not (rest and rest[0].text == "_" and all(u.kind in ("word", "num") or
                                                     u.text in ("{", "}", ",") for u in rest[1:])):
            return
        s = self.scope
        for n in word.names:
            if n in self.vocab or n in self.dummies and not rest or s.family(n) or n in s.indexed or \
                    any(v.startswith(n) for v in s.names) or n in s.functions:
                return
        shown = "".join(u.text for u in self.toks[c + 1 : d])
        raise Skip(f"a derivative by {shown}, which the problem does not have: not checked")

    def foreign_layer(self, word, rest) -> bool:
        """``\\partial w^3_{11}`` (layer 3, unit 1 1) when the problem numbers the layers of w
        (``w1_11``, ``w2_11``) and has no such weight: one it leaves out (068's renumbering)."""
        texts = [u.text for u in rest]
        if texts[:1] != ["^"] or word.text.startswith("\\"):
            return False
        layer = texts[1:2] if texts[1:2] != ["{"] else texts[2:3]
        after = 2 if texts[1:2] != ["{"] else 4
        if not (layer and layer[0].isdigit() and texts[after : after + 1] == ["_"] and
                all(u.kind in ("word", "num") or u.text in ("{", "}", ",")
                    for u in rest[after + 1 :])):
            return False
        stem = word.text
        return any(re.fullmatch(re.escape(stem) + r"\d+_\w+", n) for n in self.scope.names)

    def differential_at(self, k: int) -> bool:
        u = self.toks[k]
        return u.kind == "d" or u.kind == "word" and u.text in ("d", "\\delta")

    def bare_name(self, a: int, b: int):
        """``Co`` in ``\\frac{Co}{dw_L}``: (True, name) when toks[a:b] is one known name."""
        save = self.i
        self.i = a
        try:
            t = self.tok
            if t.kind != "word":
                return None
            self.take()
            found = self.resolve(t, self.subscript() or [])
            return (True, found) if found is not None and self.i == b else None
        except ParseError:
            return None
        finally:
            self.i = save

    def leibniz_part(self, a: int, b: int, numerator: bool):
        """(partial?, name | expression | None) if toks[a:b] is ``d``, ``d NAME`` or ``d EXPR``."""
        from symgrad.checking.handbase import FreeIndex, GenericRule, IndexMiss

        save = self.i
        self.i = a
        try:
            head = self.differential()
            if head is None:
                return None
            if self.i == b:
                return head
            if head[1] is not None:
                return None
            inner = self.part()  # d(w^T x), \partial \log p_k, \partial{(T - L)^2/2}
            if self.i != b:
                return None
            if not numerator:
                if inner.is_Symbol and inner.name in self.vocab:
                    return (head[0], inner.name)
                return (head[0], inner)
            return (head[0], inner)
        except (FreeIndex, IndexMiss, GenericRule):
            raise
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
        """``\\nabla_w L``, ``\\nabla_{\\hat Y} L``; ``\\nabla L`` is the vector of partials."""
        t = self.take()
        var = self.nabla_name()
        if var is not None:  # \nabla_{\theta_j}: a subscripted name under the nabla
            return self.apply_derivative(var)
        sub = self.subscript()
        if sub is not None:
            var = self.lookup_param(sub)
            if var is not None:
                return self.apply_derivative(var)
            members = self.vector_members(sub)
            if members is None:
                raise self.fail("expected \\nabla_{name} with a name of the problem", t)
            self.enter()
            inner = self.power()
            self.depth -= 1
            if not inner.is_Symbol:
                raise self.fail("expected \\nabla of a named function", t)
            return sp.ImmutableMatrix([Leibniz(inner, symbol(v), True) for v in members])
        members = self.nabla_of_vector()  # \nabla loss(scores): by the entries of scores
        if members is not None:
            self.enter()
            inner = self.power()
            self.depth -= 1
            return sp.ImmutableMatrix([Leibniz(inner, symbol(v), True) for v in members])
        params = list(self.scope.params)
        self.enter()
        inner = self.power()
        self.depth -= 1
        if not inner.is_Symbol:
            raise self.fail("expected \\nabla of a named function", t)
        declared = self.scope.args.get(inner.name, ())
        vars_ = list(self.scope.nabla_by.get(inner.name, ())) or \
            [a.name for a in declared if a.is_Symbol and a.name in self.vocab] or params
        if len(vars_) == 1:
            return Leibniz(inner, symbol(vars_[0]), True)
        return sp.ImmutableMatrix([Leibniz(inner, symbol(v), True) for v in vars_])

    def nabla_name(self) -> str | None:
        """The name in ``\\nabla_{\\theta_j}`` (a name with its own subscript), else None (and
        nothing read)."""
        from symgrad.checking.handbase import FreeIndex, GenericRule, IndexMiss

        if not (self.at("_") and self.peek().text == "{"):
            return None
        save = self.i
        self.i += 2
        try:
            inner = self.part()
            nested = any(t.kind == "op" and t.text == "_" for t in self.toks[save + 2 : self.i])
            if nested and self.at("}") and inner.is_Symbol and inner.name in self.vocab:
                self.take()
                return inner.name
        except (FreeIndex, IndexMiss, GenericRule):
            raise
        except ParseError:
            pass
        self.i = save
        return None

    def nabla_of_vector(self) -> list[str] | None:
        """The entries of ``scores`` in ``\\nabla loss(scores)``: a named function of a vector
        that the problem numbers (scores_0, scores_1, ...), else None (nothing read)."""
        toks, i = self.toks, self.i
        if i + 3 >= len(toks) or toks[i].kind != "word" or toks[i].text not in self.vocab:
            return None
        if [(t.kind, t.text) for t in (toks[i + 1], toks[i + 3])] != [("op", "("), ("op", ")")]:
            return None
        if toks[i + 2].kind != "word" or toks[i + 2].text in self.vocab:
            return None
        return self.vector_members([toks[i + 2].text])

    def vector_members(self, pieces) -> list[str] | None:
        """``\\hat{Y}`` in ``\\nabla_{\\hat{Y}}``: the numbered names of that vector (yhat_1, ...)."""
        if not pieces or len(pieces) != 1:
            return None
        word = pieces[0]
        fams = [(b, f) for b in {word, word.lower()} if (f := self.scope.family(b))]
        if not fams:
            return None
        fam = fams[0][1]
        return [fam[k] for k in sorted(fam)]

    # --- sums ---------------------------------------------------------------------------
    # --- calls --------------------------------------------------------------------------
    def call(self) -> sp.Expr:
        t = self.take()
        fn = _FN[t.value]
        power = None
        prime = False
        while True:
            if self.at("'"):  # sigma'(z): the derivative of the function, at the argument
                self.take()
                prime = True
            elif self.at("^") and self.peek().text == "{" and self.peek(2).text == "'":
                self.i += 3
                self.expect("}")
                prime = True
            elif self.at("^") and power is None and not prime:  # \cosh^2(x): a power of the call
                self.take()
                power = self.group() if self.at("{") else self.atom()
            else:
                break
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
            if not (close == ")" and self.at("}") and self.lenient_close(close)):
                self.expect(close, f" to close {opener.text!r} at column {self.col(opener)}")
        elif fn in (sp.Max, sp.Min):
            self.max_over_index(t)
            raise self.fail(f"expected '(' after {t.text}")
        else:  # \log p, \exp z, \tanh \frac{2x}{3}: the argument is the next power
            args = [self.power()]
        self.depth -= 1
        value = self.applied_function(t, fn, args, prime)
        if power is not None:
            value = self.raised(value, power, t)
        return value

    def max_over_index(self, t) -> None:
        """``\\underset{r \\neq y_i}{ \\max } W_r \\cdot x_i`` or ``\\max_{r} W_r x``: a maximum over
        an index, which is not read; but a body with a name the problem does not have (W_r
        when the problem has only W_y) says why, with that name (nothing is taken)."""
        save = self.i
        try:
            if self.at("_"):  # \max_{r \neq y_i}: the index set
                self.take()
                self.group_tokens() if self.at("{") else self.take()
            elif self.at("}"):  # the base of \underset{...}{\max} ends: the body follows
                self.take()
            else:
                return
            if self.tok.kind != "word":
                return
            self.term()
        finally:
            self.i = save
        raise self.fail(f"a maximum over an index ({t.text} with no parentheses) is not read", t)

    def applied_function(self, t, fn, args, prime) -> sp.Expr:
        if any(isinstance(a, sp.MatrixBase) for a in args):
            return self.elementwise(t, fn, args, prime)
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

    # --- cases and vectors --------------------------------------------------------------

