"""Safe math reader: a hand-written tokenizer and recursive-descent parser that builds SymPy."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

import sympy as sp

from symgrad.errors import ParseError
from symgrad.expr.functions import (
    clamp,
    hardtanh,
    leaky_relu,
    maximum,
    minimum,
    relu,
    sigmoid,
    softplus,
)
from symgrad.expr.sums import ExampleSum, example_sum, per_example_names
from symgrad.reader.losses import BY_NAME as LOSS_NAMES

# Decisions: implicit multiplication (2x, 2(x), (a)(b)) is an error, never a guess; |u| bars
# are read as abs (unambiguous without implicit multiplication); non-ASCII letters such as
# Greek are refused with a hint naming the ASCII spelling (theta), which SymPy prints as Greek.

# Limits; exceeding one is a ParseError that names it. They keep every call fast and bounded.
MAX_LENGTH = 2000  # characters of input text
MAX_DEPTH = 60  # nesting: parentheses, |..| bars, calls, unary signs and '^' chains
MAX_OPERANDS = 500  # number and name tokens in one text
MAX_LITERAL_DIGITS = 100  # digits in one number literal
MAX_SCI_EXPONENT = 300  # |n| in a literal such as 1e-n
MAX_POWER_EXPONENT = 1000  # |n| in u^n for a rational n; also p and q in c^(p/q), c a number
# Digits of any exact number built. Python will not print ints over 4300 digits
# (sys.get_int_max_str_digits), so this sits below that rather than at 10,000.
MAX_NUMBER_DIGITS = 4000
# Constants must lie within e^-MAX_LOG .. e^MAX_LOG (10^-4000 .. 10^4000): SymPy's printers
# evaluate constants, and exp(12^exp(72)) would never finish. The bound is estimated
# conservatively, except after cancellation (sqrt(2) - 1.41421356...), which it cannot see.
MAX_LOG = MAX_NUMBER_DIGITS * math.log(10)
MAX_ROOT_DIGITS = 60  # digits under fractional powers in one product: SymPy factors them

_WHITELIST = [  # (spellings, SymPy callable, description); all real-valued on real arguments
    (("abs", "Abs"), sp.Abs, "absolute value; |u| also works"),
    (("sign", "sgn"), sp.sign, "sign: -1, 0 or 1"),
    (("exp",), sp.exp, "exponential e^u"),
    (("log", "ln"), sp.log, "natural logarithm (one argument)"),
    (("sqrt",), sp.sqrt, "principal square root"),
    (("sigmoid",), sigmoid, "logistic function 1/(1 + e^-u)"),
    (("tanh",), sp.tanh, "hyperbolic tangent"),
    (("relu",), relu, "rectifier max(0, u)"),
    (("max", "Max"), maximum, "largest of 2 or more arguments"),
    (("min", "Min"), minimum, "smallest of 2 or more arguments"),
    (("sin",), sp.sin, "sine"),
    (("cos",), sp.cos, "cosine"),
    (("tan",), sp.tan, "tangent"),
    (("sinh",), sp.sinh, "hyperbolic sine"),
    (("cosh",), sp.cosh, "hyperbolic cosine"),
    (("softplus",), softplus, "log(1 + e^u), a smooth relu"),
    (("leaky_relu",), leaky_relu, "leaky_relu(u, a): u for u > 0, else a*u (a defaults to 0.01)"),
    (("clamp", "clip"), clamp, "clamp(u, lo, hi): u limited to [lo, hi]"),
    (("hardtanh",), hardtanh, "clamp(u, -1, 1)"),
    (("heaviside", "step", "indicator"), sp.Heaviside, "1 for u > 0, 0 for u < 0"),
    (("where", "Piecewise"), sp.Piecewise, "where(cond, a, b): a where cond holds, else b"),
    (("mean",), ExampleSum, "mean(body, i): the mean over the examples of body (names ending _i)"),
    (("sum",), ExampleSum, "sum(body, i): the sum over the examples of body (names ending _i)"),
]
#: functions taking other than one argument: fn -> (fewest, most)
_ARITY = {leaky_relu: (1, 2), clamp: (3, 3), sp.Piecewise: (3, 3), sp.log: (1, 2)}
_COMPARE = {"<": sp.StrictLessThan, ">": sp.StrictGreaterThan, "<=": sp.LessThan,
            ">=": sp.GreaterThan}  # fmt: skip
#: The whitelist, name -> SymPy callable; nothing else can be called.
FUNCTIONS: dict[str, Callable[..., sp.Expr]] = {n: f for ns, f, _ in _WHITELIST for n in ns}
#: One line per function for listings, keyed by its spellings, e.g. "log, ln".
FUNCTION_HELP: dict[str, str] = {", ".join(ns): d for ns, _, d in _WHITELIST}
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}
RESERVED: frozenset[str] = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | frozenset(LOSS_NAMES)

_NUMBER = re.compile(r"([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE, _DIGITS, _OPS = " \t\r\n\f\v", "0123456789", frozenset("+-*/^(),|=<>")
_HINTS = {"[": "brackets are not supported; use parentheses", "]": "use parentheses",
          ".": "attribute access is not supported", "−": "write '-'", "×": "write '*'",
          "·": "write '*'", "÷": "write '/'", "²": "write '^2'", "³": "write '^3'"}  # fmt: skip
_UNDEFINED = frozenset({sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I})
_TOO_BIG = "constant too large or too small (limit 10^+-4000)"


def symbol(name: str) -> sp.Symbol:
    """Make the symbol for a variable name; the one place symgrad creates symbols.

    Args:
        name: a variable name such as ``x`` or ``net_h1``.

    Returns:
        ``sympy.Symbol(name, real=True)``.
    """
    return sp.Symbol(name, real=True)


class _Tok(NamedTuple):
    kind: str  # num, name, op or end
    text: str
    pos: int
    value: sp.Expr | None = None

    def shown(self) -> str:
        short = self.text if len(self.text) <= 20 else self.text[:17] + "..."
        return "end of input" if self.kind == "end" else repr(short)


def _digits(r: sp.Rational) -> float:
    """About the decimal digits of numerator plus denominator, without making a str."""
    return (abs(r.p).bit_length() + r.q.bit_length()) * 0.30103


def _log_size(node: sp.Basic, kids: list[float]) -> float:
    """Upper bound on |ln|value|| of a constant, from the bounds for its arguments."""
    if node.is_Rational:
        return math.log(max(abs(node.p), node.q, 1))
    if not kids:
        return 1.0  # pi, E
    if node.is_Add:
        return max(kids) + math.log(len(kids))
    if node.is_Pow:  # |ln|b^x|| = |x| |ln|b||, and |x| <= e^size(x)
        return kids[0] * math.exp(min(kids[1], 800.0))
    if isinstance(node, sp.exp | sigmoid):  # |ln e^x| = |x|; sigmoid(-x) is about e^-x
        return math.exp(min(kids[0], 800.0))
    if isinstance(node, sp.log | sp.Abs | sp.sign | sp.tanh | relu | maximum | minimum):
        return max(kids)  # log shrinks (unless its argument is near 1: cancellation)
    return sum(kids)  # Mul, and a safe guess for anything else


def _char_error(ch: str) -> str:
    name = unicodedata.name(ch, "")
    hint = _HINTS.get(ch, "")
    if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) and name.count(" ") == 3:
        word = name.rsplit(" ", 1)[1].lower()  # decided: reject, and name the ASCII spelling
        hint = "write Greek letters by name, e.g. " + (word if "SMALL" in name else word.title())
    elif not hint and ch.isalpha():
        hint = "names use ASCII letters, digits and '_'"
    return f"unknown character {ch!r}" + (f" ({hint})" if hint else "")


def _number(text: str, i: int, end: int, where: str) -> _Tok:
    """The exact number literal at text[i], built from its digit strings, never via float."""
    m = _NUMBER.match(text, i, end)
    whole, frac, sci = m.group(1), m.group(2) or "", m.group(3)
    if len(whole) + len(frac) > MAX_LITERAL_DIGITS:
        raise ParseError(f"number too long (limit {MAX_LITERAL_DIGITS} digits)", text, i, where)
    power = -len(frac)
    if sci is not None:
        if len(sci.lstrip("+-0")) > 4 or abs(int(sci)) > MAX_SCI_EXPONENT:
            msg = f"exponent of number too large (limit {MAX_SCI_EXPONENT})"
            raise ParseError(msg, text, i, where)
        power += int(sci)
    mantissa = int(whole + frac or "0")
    value = sp.Integer(mantissa * 10**power) if power >= 0 else sp.Rational(mantissa, 10**-power)
    return _Tok("num", m.group(0), i, value)


def _tokenize(text: str, start: int, end: int, where: str) -> list[_Tok]:
    """Split text[start:end] into tokens carrying absolute positions in ``text``."""
    toks: list[_Tok] = []
    operands, i = 0, start
    while i < end:
        ch = text[i]
        if ch in _SPACE:
            i += 1
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < end and text[i + 1] in _DIGITS):
            tok = _number(text, i, end, where)
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            tok = _Tok("name", _NAME.match(text, i, end).group(0), i)
        elif ch in _OPS:
            two = text[i : i + 2] if i + 1 < end else ""
            tok = _Tok("op", two if two in ("**", "<=", ">=") else ch, i)
        else:
            raise ParseError(_char_error(ch), text, i, where)
        operands += tok.kind != "op"
        if operands > MAX_OPERANDS:
            raise ParseError(f"too many numbers and names (limit {MAX_OPERANDS})", text, i, where)
        toks.append(tok)
        i += len(tok.text)
    stop = end
    while stop > start and text[stop - 1] in _SPACE:
        stop -= 1
    return [*toks, _Tok("end", "", stop)]


def _evaluated(expr: sp.Basic) -> sp.Basic:
    from symgrad.expr.algebra import evaluated  # late: algebra imports the printers

    return evaluated(expr)


def _build(op, operands: list[sp.Basic]) -> sp.Basic:
    """``op(*operands)`` in the author's order; numbers alone are folded (after the size checks).

    Unevaluated construction keeps ``y - yhat`` from becoming ``-yhat + y`` and ``|t - p|``
    from becoming ``|p - t|``; the engine tidies and evaluates on its own terms.
    """
    if all(o.is_Number for o in operands):
        with sp.evaluate(True):
            return op(*operands)
    return op(*operands, evaluate=False)


def _negate(expr: sp.Basic) -> sp.Basic:
    """``-expr`` as written: a negative number, or ``-1 * expr`` kept as a product."""
    if expr.is_Number:
        return -expr
    return sp.Mul(sp.S.NegativeOne, expr, evaluate=False)


def _reciprocal(expr: sp.Basic) -> sp.Basic:
    """``1 / expr`` as written: a number folded, anything else kept as ``expr^-1``."""
    if expr.is_Number:
        return 1 / expr
    return sp.Pow(expr, sp.S.NegativeOne, evaluate=False)


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
        try:
            result = self.sum()
        except (ArithmeticError, ValueError, TypeError) as exc:  # SymPy failing on extremes
            tok = self.toks[self.i - 1]
            raise self.error(f"cannot evaluate this ({type(exc).__name__})", tok.pos) from exc
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
            items.append(item if op.text in "+*" else _negate(item) if op.text == "-" else _reciprocal(item))
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


def parse_expression(text: str, *, where: str = "", shadowed: frozenset = frozenset()) -> sp.Expr:
    """Read a math expression such as ``(y - yhat)^2 / 2`` into SymPy, without eval.

    Supports ``+ - * / ^ **``, unary signs, parentheses, ``|u|`` and ``FUNCTIONS``.
    Decimals become exact rationals. Implicit multiplication (``2x``) is an error.

    Args:
        text: the expression.
        where: what the text is (for example ``--let #2``), carried into errors.

    Returns:
        The expression; names become real symbols, ``pi`` and ``e`` the constants.

    Raises:
        ParseError: for any text that is not a valid expression within the limits.
    """
    return _Parser(text, 0, len(text), where, shadowed=shadowed).parse()


def _assignment(text: str, start: int, end: int, where: str,
                shadowed: frozenset = frozenset()) -> tuple[_Tok, sp.Expr, int]:
    """Read ``name = expr`` in text[start:end]: (name token, expression, its start)."""
    equals = [i for i in range(start, end) if text[i] == "="]
    if not equals:
        stop = _tokenize(text, start, end, where)[-1].pos
        raise ParseError("expected 'name = value', found no '='", text, stop, where)
    if len(equals) > 1:
        raise ParseError("unexpected second '='", text, equals[1], where)
    name, after, *_ = [*_tokenize(text, start, equals[0], where), None]
    if name.kind != "name":
        found = "" if name.kind == "end" else f", found {name.shown()}"
        pos = equals[0] if name.kind == "end" else name.pos
        raise ParseError(f"expected a name before '='{found}", text, pos, where)
    if after.kind != "end":
        msg = f"expected '=' after {name.shown()}, found {after.shown()}"
        raise ParseError(msg, text, after.pos, where)
    if name.text in RESERVED and name.text not in shadowed:
        kind = "a function" if name.text in FUNCTIONS else "a constant"
        msg = f"{name.text!r} is reserved ({kind}) and cannot be a variable name"
        raise ParseError(msg, text, name.pos, where)
    expr = _Parser(text, equals[0] + 1, end, where, lead="'='", shadowed=shadowed).parse()
    return name, expr, equals[0] + 1


def parse_assignment(text: str, *, where: str = "",
                     shadowed: frozenset = frozenset()) -> tuple[str, sp.Expr]:
    """Read ``name = expression``: ``"yhat = m*x + 4"`` gives ``("yhat", m*x + 4)``.

    Args:
        text: the assignment: exactly one ``=``, a single non-reserved name on its left.
        where: what the text is, carried into errors.
        shadowed: constants (``e``, ``pi``) that the problem defines as names: they may
            stand on the left and are read as names on the right.

    Returns:
        The name and the parsed right-hand side.

    Raises:
        ParseError: with positions relative to the whole text.
    """
    _Parser(text, 0, 0, where)  # type and length checks
    name, expr, _ = _assignment(text, 0, len(text), where, shadowed)
    return name.text, expr


def assigned_name(text: str) -> str | None:
    """The name on the left of ``name = ...`` (None if there is none), without parsing the rest."""
    if not isinstance(text, str):
        return None
    m = _NAME.match(text.lstrip(_SPACE))
    if m is None:
        return None
    rest = text.lstrip(_SPACE)[m.end():].lstrip(_SPACE)
    return m.group(0) if rest.startswith("=") and not rest.startswith("==") else None


def _rational(expr: sp.Expr, text: str, pos: int, where: str, what: str) -> sp.Rational:
    if not expr.is_Rational:
        kind = "a number" if expr.free_symbols else "an exact rational number such as 0.5"
        raise ParseError(f"{what} must be {kind}, found {sp.sstr(expr)[:40]}", text, pos, where)
    return expr


def parse_values(text: str, *, where: str = "") -> dict[str, sp.Rational]:
    """Read ``x=2, y=10, m=1.5`` (items split by ``,`` or ``;``) into exact numbers.

    A value may be a constant expression such as ``-1/2`` or ``1e-3``; it must be an exact
    rational, so ``pi`` and ``sqrt(2)`` are refused. Blank text gives ``{}``.

    Args:
        text: the items.
        where: what the text is, carried into errors.

    Returns:
        Name -> ``sympy.Rational``, in the order written.

    Raises:
        ParseError: for an empty item, a repeated name or a value that is not a number.
    """
    _Parser(text, 0, 0, where)
    values: dict[str, sp.Rational] = {}
    if not text.strip(_SPACE):
        return values
    cuts, depth = [-1], 0
    for i, ch in enumerate(text):  # split at separators outside parentheses: x=max(1,2)
        depth += (ch == "(") - (ch == ")")
        if ch in ",;" and depth <= 0:
            cuts.append(i)
    for start, end in zip([c + 1 for c in cuts], [*cuts[1:], len(text)], strict=True):
        if not text[start:end].strip(_SPACE):
            pos = min(end, len(text) - 1)
            raise ParseError("empty item (nothing between separators)", text, pos, where)
        name, expr, at = _assignment(text, start, end, where)
        if name.text in values:
            raise ParseError(f"duplicate value for {name.text!r}", text, name.pos, where)
        pos = _tokenize(text, at, end, where)[0].pos
        values[name.text] = _rational(expr, text, pos, where, f"value of {name.text}")
    return values


def parse_number(text: str, *, where: str = "") -> sp.Rational:
    """Read one exact number such as ``0.1``, ``-1/2`` or ``1e-3`` (for options like --lr).

    Args:
        text: the number, or a constant expression that is an exact rational.
        where: what the text is, carried into errors.

    Returns:
        The number as a ``sympy.Rational``.

    Raises:
        ParseError: if the text is not an exact number.
    """
    expr = parse_expression(text, where=where)
    return _rational(expr, text, len(text) - len(text.lstrip(_SPACE)), where, "the value")
