"""The recursive-descent grammar of the safe reader: tokens in, an unevaluated SymPy tree out.

The tree keeps the author's order (``y - yhat`` is not reordered); every node is checked
against the limits of :mod:`symgrad.reader.tokens` before SymPy is allowed to evaluate it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import sympy as sp

from symgrad.errors import ParseError
from symgrad.expr.functions import clamp, leaky_relu, maximum, minimum
from symgrad.expr.sums import ExampleSum, example_sum, per_example_names
from symgrad.reader.losses import BY_NAME as LOSS_NAMES
from symgrad.reader.tokens import (
    _ARITY,
    _COMPARE,
    _TOO_BIG,
    _UNDEFINED,
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_LOG,
    MAX_NUMBER_DIGITS,
    MAX_POWER_EXPONENT,
    MAX_ROOT_DIGITS,
    _build,
    _digits,
    _evaluated,
    _log_size,
    _negate,
    _reciprocal,
    _Tok,
    _tokenize,
    symbol,
)

#: Seconds SymPy may spend building one expression (it settles conditions and powers as
#: it builds them, and some it cannot settle for minutes).
READ_SECONDS = 1.5


class _Parser:
    """Recursive descent over this grammar (loosest binding first)::

        sum     := product (('+' | '-') product)*
        product := unary (('*' | '/') unary)*
        unary   := ('+' | '-')* power
        power   := atom (('^' | '**') ('+' | '-')* atom)*      right-associative
        atom    := number | name | name '(' sum (',' sum)* ')' | '(' sum ')' | '|' sum '|'

    Implicit multiplication (``2x``, ``2(x)``, ``(a)(b)``) is not supported, which makes
    ``|u|`` unambiguous: a bar where an operand is expected opens, one after an operand closes.
    Sums and products are built n-ary in one SymPy call; '^' chains are folded in a loop.
    """

    def __init__(self, text: str, start: int, end: int, where: str, lead: str | None = None,
                 shadowed: frozenset = frozenset()):
        if not isinstance(text, str):
            raise ParseError(f"expected text, got {type(text).__name__}", "", None, where)
        if len(text) > MAX_LENGTH:
            msg = f"text too long ({len(text)} characters, limit {MAX_LENGTH})"
            raise ParseError(msg, text, MAX_LENGTH, where)
        self.text, self.where, self.lead = text, where, lead
        self.shadowed = shadowed  # constants (e, pi) that the problem defines as names
        self.toks = _tokenize(text, start, end, where)
        self.i = self.depth = 0
        self.memo: dict[sp.Basic, tuple[float, bool, float | None]] = {}

    def error(self, message: str, pos: int | None) -> ParseError:
        return ParseError(message, self.text, pos, self.where)

    def advance(self) -> _Tok:
        self.i += 1
        return self.toks[self.i - 1]

    def at(self, *ops: str) -> bool:
        return self.toks[self.i].kind == "op" and self.toks[self.i].text in ops

    def enter(self, tok: _Tok) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nesting too deep (limit {MAX_DEPTH} levels)", tok.pos)

    def parse(self) -> sp.Expr:
        from symgrad.budget import StepTimeout, step_limit

        try:
            with step_limit(READ_SECONDS, "settling this expression"):
                result = self.sum()
        except (ArithmeticError, ValueError, TypeError, KeyError) as exc:  # SymPy failing on extremes
            tok = self.toks[self.i - 1]
            raise self.error(f"cannot evaluate this ({type(exc).__name__})", tok.pos) from exc
        except RecursionError:  # SymPy's Piecewise re-evaluating itself without end (a power
            tok = self.toks[self.i - 1]  # of where(...) with clamp and smooth_l1 in it)
            raise self.error("cannot evaluate this (SymPy recursed without end; write it more "
                             "simply)", tok.pos) from None
        except StepTimeout as exc:  # e.g. a where() inside a condition, solved as inequalities
            tok = self.toks[self.i - 1]
            raise self.error(f"{exc.one_line()} (a condition or a power it cannot settle "
                             "quickly; write it more simply)", tok.pos) from None
        if self.toks[self.i].kind != "end":
            raise self.after_operand(self.toks[self.i])
        return result

    def after_operand(self, tok: _Tok, opener: _Tok | None = None) -> ParseError:
        """The error for a token that cannot follow a complete operand."""
        if tok.kind == "end" and opener is not None:
            close = "')'" if opener.text == "(" else "closing '|'"
            return self.error(f"unbalanced {opener.text!r}: missing {close}", opener.pos)
        if tok.kind in ("num", "name") or tok.text == "(":
            msg = f"expected an operator between {self.toks[self.i - 1].shown()} and {tok.shown()}"
            return self.error(msg + " (implicit multiplication is not supported)", tok.pos)
        if tok.text == ",":
            return self.error("unexpected ',' (commas only separate function arguments)", tok.pos)
        if tok.text == "=":
            return self.error("unexpected '=' (not allowed in an expression)", tok.pos)
        return self.error(f"unexpected {tok.shown()}", tok.pos)

    def scan(self, expr: sp.Basic) -> tuple[float, bool, float | None]:
        """Memoised, without recursion: (most digits of an exact number in expr, whether it
        holds zoo/nan/oo/I, a bound on |ln|value|| if expr is a constant else None)."""
        memo, stack = self.memo, [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if node in memo:
                continue
            if not node.args:
                size = None if node.is_Symbol else _log_size(node, [])
                digits = _digits(node) if node.is_Rational else 0.0
                memo[node] = (digits, node in _UNDEFINED, size)
            elif ready:
                kids = [memo[a] for a in node.args]
                sizes = [k[2] for k in kids]
                size = None if None in sizes else _log_size(node, sizes)
                memo[node] = (max(k[0] for k in kids), any(k[1] for k in kids), size)
            else:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if a not in memo)
        return memo[expr]

    def check(self, expr: sp.Expr, tok: _Tok) -> sp.Expr:
        """Refuse a result holding a huge number or constant, or an undefined or complex value."""
        # the checks read the evaluated form: what SymPy will make of the author's tree
        digits, undefined, size = self.scan(_evaluated(expr))
        if digits > MAX_NUMBER_DIGITS:
            raise self.error(f"number too large (limit {MAX_NUMBER_DIGITS} digits)", tok.pos)
        if size is not None and size > MAX_LOG:
            raise self.error(_TOO_BIG, tok.pos)
        if undefined:
            what = f"{tok.text}(...)" if tok.kind == "name" else "the result"
            raise self.error(f"{what} is undefined or not a real number", tok.pos)
        return expr

    def growth(self, base_size: float, exponent: sp.Expr, tok: _Tok) -> None:
        """Refuse c^u or exp(u) (c constant) before SymPy evaluates it: it computes c^k for each
        constant term k of u, and turns exp(k*log(10)) into 10^k."""
        for term in exponent.args if exponent.is_Add else (exponent,):
            size = self.scan(term)[2]
            if size is not None and base_size * math.exp(min(size, 800.0)) > MAX_LOG:
                raise self.error(_TOO_BIG, tok.pos)

    def sum(self) -> sp.Expr:
        return self.chain(("+", "-"), self.product, sp.Add)

    def product(self) -> sp.Expr:
        return self.chain(("*", "/"), self.unary, sp.Mul)

    def chain(self, ops: tuple[str, str], operand: Callable[[], sp.Expr], build: type) -> sp.Expr:
        """operand (op operand)*, built n-ary in one SymPy call (as a - b = a + (-b))."""
        items, op = [operand()], None
        while self.at(*ops):
            op = self.advance()
            item = operand()
            if op.text == "/" and _evaluated(item).is_zero is True:
                raise self.error("division by zero", op.pos)
            if op.text == "/" and item.is_Number and items[-1].is_Number:
                items[-1] = _build(sp.Mul, [items[-1], 1 / item])  # 1/2: a fraction literal
            elif op.text == "/":  # a/b kept as written: b^-1, even for a number b (m/2)
                items.append(sp.Pow(item, sp.S.NegativeOne, evaluate=False))
            else:
                items.append(item if op.text in "+*" else _negate(item))
        if op is None:
            return items[0]
        if sum(self.scan(x)[0] for x in items) > MAX_NUMBER_DIGITS:  # before SymPy multiplies
            raise self.error(f"number too large (limit {MAX_NUMBER_DIGITS} digits)", op.pos)
        if build is sp.Mul:  # SymPy merges n^(1/k) factors, then factors the merged number
            roots = [p for x in items for p in (x.args if x.is_Mul else (x,))]
            roots = [p.base for p in roots if p.is_Pow and p.base.is_Rational and p.exp.is_Rational]
            if sum(_digits(b) for b in roots) > MAX_ROOT_DIGITS:
                msg = f"roots of numbers with over {MAX_ROOT_DIGITS} digits in total"
                raise self.error(msg, op.pos)
        return self.check(_build(build, items), op)

    def signs(self) -> tuple[bool, int]:
        """Consume unary signs, each one nesting level; returns (negate?, how many)."""
        negate, count = False, 0
        while self.at("+", "-"):
            tok = self.advance()
            self.enter(tok)
            count += 1
            negate ^= tok.text == "-"
        return negate, count

    def unary(self) -> sp.Expr:
        negate, count = self.signs()
        value = self.power()
        self.depth -= count
        return _negate(value) if negate else value

    def power(self) -> sp.Expr:
        atoms, ops = [self.atom()], []
        while self.at("^", "**"):  # each '^' nests the tree one level deeper
            op = self.advance()
            self.enter(op)
            negate, count = self.signs()
            atoms.append(self.atom())
            self.depth -= count
            ops.append((op, negate))
        self.depth -= len(ops)
        value = atoms[-1]
        for k in range(len(ops) - 1, -1, -1):
            value = self.raise_to(atoms[k], _negate(value) if ops[k][1] else value, ops[k][0])
        return value

    def raise_to(self, base: sp.Expr, exponent: sp.Expr, op: _Tok) -> sp.Expr:
        fail = lambda msg: self.error(msg, op.pos)
        if exponent.is_Rational:
            if abs(exponent) > MAX_POWER_EXPONENT:
                raise fail(f"exponent too large (limit {MAX_POWER_EXPONENT})")
            if base.is_number or base.is_Mul:  # SymPy distributes (c*x)^n = c^n*x^n, and for
                size = max(abs(exponent.p), exponent.q)  # c^(p/q) it may compute c^p
                if size > MAX_POWER_EXPONENT:
                    raise fail(f"fractional exponent too fine (limit {MAX_POWER_EXPONENT})")
                if self.scan(base)[0] * size > MAX_NUMBER_DIGITS:
                    raise fail(f"exponent too large: result over {MAX_NUMBER_DIGITS} digits")
            if base.is_number and exponent.is_negative and base.is_zero:
                raise fail("division by zero (0 to a negative power)")
            if base.is_number and not exponent.is_Integer and self.scan(base)[0] > MAX_ROOT_DIGITS:
                raise fail(f"root of a number over {MAX_ROOT_DIGITS} digits")
        base_size = self.scan(base)[2]
        if base_size is not None:
            self.growth(base_size, exponent, op)
        if base.is_number and base.is_extended_negative and not exponent.is_integer:
            raise fail("not a real number: a negative number to a non-integer power")
        result = self.check(_build(sp.Pow, [base, exponent]), op)
        shadow = _evaluated(result)
        for p in (shadow, *shadow.args):  # (x^1000)^1000 merges into x^1000000
            if p.is_Pow and p.exp.is_Rational and abs(p.exp) > MAX_POWER_EXPONENT:
                raise fail(f"exponent too large (limit {MAX_POWER_EXPONENT})")
        return result

    def atom(self) -> sp.Expr:
        tok = self.advance()
        if tok.kind == "num":
            return tok.value
        if tok.kind == "name":
            if self.at("("):
                return self.call(tok)
            if tok.text in FUNCTIONS:
                raise self.error(f"{tok.text!r} is a function: write {tok.text}(...)", tok.pos)
            if tok.text in CONSTANTS and tok.text not in self.shadowed:
                return CONSTANTS[tok.text]
            return symbol(tok.text)
        if tok.text in ("(", "|"):
            self.enter(tok)
            inner = self.sum()
            if not self.at(")" if tok.text == "(" else "|"):
                raise self.after_operand(self.toks[self.i], tok)
            self.advance()
            self.depth -= 1
            return inner if tok.text == "(" else self.check(_build(sp.Abs, [inner]), tok)
        prev = self.toks[self.i - 2].shown() if self.i >= 2 else self.lead
        after = f" after {prev}" if prev else ""
        raise self.error(f"expected an expression{after}, found {tok.shown()}", tok.pos)

    def call(self, name: _Tok) -> sp.Expr:
        fn = FUNCTIONS.get(name.text) or LOSS_NAMES.get(name.text)
        if fn is None:
            known = ", ".join(sorted(FUNCTIONS, key=str.lower))
            raise self.error(
                f"unknown function {name.text!r} (known: {known}; losses: "
                f"{', '.join(sorted(LOSS_NAMES))})", name.pos)
        self.enter(opener := self.advance())
        if fn is ExampleSum:
            return self.example_sum(name, opener)
        first = self.comparison if fn is sp.Piecewise else self.sum
        args = [] if self.at(")") else [first()]
        while args and self.at(","):
            self.advance()
            args.append(self.sum())
        if not self.at(")"):
            raise self.after_operand(self.toks[self.i], opener)
        self.advance()
        self.depth -= 1
        if fn in (maximum, minimum):
            if len(args) < 2:
                msg = f"{name.text} takes at least 2 arguments, got {len(args)}"
                raise self.error(msg, name.pos)
            return self.minmax(fn, args, name)
        if name.text in LOSS_NAMES:
            return self.loss(LOSS_NAMES[name.text], args, name)
        fewest, most = _ARITY.get(fn, (1, 1))
        if not fewest <= len(args) <= most:
            want = f"{fewest}" if fewest == most else f"{fewest} or {most}"
            raise self.error(f"{name.text} takes {want} argument{'s' * (most > 1)}, got {len(args)}",
                             name.pos)
        if fn is sp.Piecewise:
            cond, a, b = args
            return self.check(sp.Piecewise((a, cond), (b, True), evaluate=False), name)
        if fn is leaky_relu:
            slope = args[1] if len(args) == 2 else sp.Rational(1, 100)
            return self.check(_build(leaky_relu, [args[0], slope]), name)
        if fn is clamp:
            return self.check(_build(clamp, args), name)
        if fn is sp.log and len(args) == 2:  # log(x, b) = log(x) / log(b)
            logs = [self.call_log(a, name) for a in args]
            return self.check(_build(sp.Mul, [logs[0], _reciprocal(logs[1])]), name)
        if fn is sp.sqrt:
            return self.raise_to(args[0], sp.S.Half, name)
        if fn is sp.Heaviside:  # 1[u > 0]: the value 0 at u = 0, as the notation says
            return self.check(_build(sp.Heaviside, [args[0], sp.Integer(0)]), name)
        if fn is sp.exp:
            self.growth(1.0, args[0], name)
        if fn is sp.log and args[0].is_number and _evaluated(args[0]).is_extended_nonpositive:
            raise self.error(f"{name.text} of a number that is not positive", name.pos)
        return self.check(_build(fn, [args[0]]), name)

    def example_sum(self, name: _Tok, opener: _Tok) -> sp.Expr:
        """``sum(body, i)`` / ``mean(body, i)``: the body, then the index, a plain name."""
        body = self.sum()
        if not self.at(","):
            tok = self.toks[self.i]
            if tok.text == ")":
                msg = f"{name.text}(body, i) needs the index after a comma, e.g. {name.text}((y_i - yhat_i)^2, i)"
                raise self.error(msg, tok.pos)
            raise self.after_operand(tok, opener)
        self.advance()
        index = self.advance()
        if index.kind != "name" or index.text in FUNCTIONS or index.text in CONSTANTS:
            raise self.error(f"the index of {name.text}(...) must be a name such as i", index.pos)
        if not self.at(")"):
            raise self.after_operand(self.toks[self.i], opener)
        self.advance()
        self.depth -= 1
        names = [s.name for s in body.free_symbols]
        if not per_example_names(names, index.text):
            msg = (f"{name.text}(..., {index.text}): the body has no per-example name "
                   f"(names ending in _{index.text}, such as y_{index.text})")
            raise self.error(msg, name.pos)
        if body.has(ExampleSum):
            raise self.error(f"{name.text}(...) inside another sum is not supported", name.pos)
        return example_sum(body, symbol(index.text), name.text == "mean")

    def call_log(self, arg: sp.Expr, name: _Tok) -> sp.Expr:
        if arg.is_number and _evaluated(arg).is_extended_nonpositive:
            raise self.error(f"{name.text} of a number that is not positive", name.pos)
        return _build(sp.log, [arg])

    def comparison(self) -> sp.Expr:
        """sum (< | > | <= | >=) sum: the condition of where(...)."""
        left = self.sum()
        if not self.at(*_COMPARE):
            tok = self.toks[self.i]
            raise self.error(f"expected a comparison (<, >, <=, >=) in the condition, found {tok.shown()}",
                             tok.pos)
        op = self.advance()
        return _COMPARE[op.text](left, self.sum(), evaluate=False)

    def loss(self, loss, args: list[sp.Expr], name: _Tok) -> sp.Expr:
        """A library loss, replaced by its definition in primitives."""
        fixed = [a for a in loss.args if a != "..."]
        variadic = "..." in loss.args
        if len(args) < len(fixed) or (not variadic and len(args) != len(fixed)):
            want = f"at least {len(fixed)}" if variadic else str(len(fixed))
            raise self.error(f"{name.text}({', '.join(loss.args)}) takes {want} arguments, got {len(args)}",
                             name.pos)
        try:
            from symgrad.expr.algebra import tidy  # late: algebra imports the printers

            return self.check(tidy(loss.build(*args)), name)
        except ValueError as e:
            raise self.error(str(e), name.pos) from None

    def minmax(self, fn: type, args: list[sp.Expr], name: _Tok) -> sp.Expr:
        """Max/Min, unevaluated so SymPy does not compare every pair through its assumptions
        system (milliseconds per pair); only an all-rational call is folded."""
        if all(a.is_Rational for a in args):
            return (max if fn is maximum else min)(args)
        # kept as written, in order: which argument comes first decides a tie under some
        # conventions (TensorFlow gives a tie to the first argument)
        return self.check(fn(*args, evaluate=False), name)
