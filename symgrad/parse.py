"""Safe math reader: a hand-written tokenizer and recursive-descent parser that builds SymPy."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import sympy as sp

from symgrad.errors import ParseError
from symgrad.functions import relu, sigmoid

# Limits. Exceeding any of them is a ParseError that names the limit.
MAX_LENGTH = 2000  # characters of input text
MAX_DEPTH = 60  # nesting: parentheses, |..| bars, function calls and unary signs
MAX_OPERANDS = 500  # number and name tokens in one text
MAX_LITERAL_DIGITS = 100  # digits in one number literal
MAX_SCI_EXPONENT = 300  # |n| in a literal such as 1e-n
MAX_POWER_EXPONENT = 1000  # |n| in x^n for a rational n
# Digits of any exact number built while parsing. Python refuses to print ints with more
# than 4300 digits (sys.get_int_max_str_digits), so the cap sits safely below that.
MAX_NUMBER_DIGITS = 4000
MAX_ROOT_BASE_DIGITS = 40  # a number raised to a fractional power: SymPy factors it

# The whitelist: name -> SymPy callable. Every function is real-valued on real input.
FUNCTIONS: dict[str, Callable[..., sp.Expr]] = {
    "abs": sp.Abs,  # absolute value |u| (also written Abs(u) or |u|)
    "Abs": sp.Abs,
    "sign": sp.sign,  # -1, 0 or 1
    "sgn": sp.sign,
    "exp": sp.exp,  # e^u
    "log": sp.log,  # natural logarithm, one argument
    "ln": sp.log,
    "sqrt": sp.sqrt,  # principal square root
    "sigmoid": sigmoid,  # 1 / (1 + e^-u)
    "tanh": sp.tanh,
    "relu": relu,  # max(0, u)
    "max": sp.Max,  # largest of 2 or more arguments
    "Max": sp.Max,
    "min": sp.Min,  # smallest of 2 or more arguments
    "Min": sp.Min,
}
_MIN_ARGS = {sp.Max: 2, sp.Min: 2}  # others take exactly one argument; min/max have no maximum
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}
RESERVED: frozenset[str] = frozenset(FUNCTIONS) | frozenset(CONSTANTS)

_NUMBER = re.compile(r"([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = " \t\r\n\f\v"
_OPS = {"+", "-", "*", "/", "^", "(", ")", ",", "|", "="}
_HINTS = {
    "[": "brackets are not supported; use parentheses",
    "]": "brackets are not supported; use parentheses",
    ".": "attribute access is not supported",
    "−": "write '-'",
    "×": "write '*'",
    "·": "write '*'",
    "÷": "write '/'",
    "²": "write '^2'",
    "³": "write '^3'",
}
_UNDEFINED = frozenset({sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I})


def symbol(name: str) -> sp.Symbol:
    """Make the SymPy symbol for a variable name; the one place symbols are created.

    Args:
        name: a variable name such as ``x`` or ``net_h1``.

    Returns:
        ``sympy.Symbol(name, real=True)``.
    """
    return sp.Symbol(name, real=True)


class _Tok:
    __slots__ = ("kind", "pos", "text", "value")

    def __init__(self, kind: str, text: str, pos: int, value: sp.Expr | None = None):
        self.kind, self.text, self.pos, self.value = kind, text, pos, value  # kind: num name op end

    def shown(self) -> str:
        if self.kind == "end":
            return "end of input"
        return repr(self.text if len(self.text) <= 20 else self.text[:17] + "...")


def _digits(r: sp.Rational) -> float:
    """Roughly the decimal digits of numerator plus denominator, without converting to str."""
    return (abs(r.p).bit_length() + r.q.bit_length()) * 0.30103


def _char_error(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if ch in _HINTS:
        hint = _HINTS[ch]
    elif name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) and name.count(" ") == 3:
        word = name.rsplit(" ", 1)[1].lower()
        hint = "write Greek letters by name, e.g. " + (word if "SMALL" in name else word.title())
    elif ch.isalpha():
        hint = "names use ASCII letters, digits and '_'"
    else:
        hint = ""
    return f"unknown character {ch!r}" + (f" ({hint})" if hint else "")


def _tokenize(text: str, start: int, end: int, where: str) -> list[_Tok]:
    """Split text[start:end] into tokens carrying absolute positions in ``text``."""
    toks: list[_Tok] = []
    operands = 0
    i = start
    while i < end:
        ch = text[i]
        if ch in _SPACE:
            i += 1
            continue
        if ch.isascii() and (ch.isdigit() or (ch == "." and text[i + 1 : i + 2].isdigit())):
            m = _NUMBER.match(text, i, end)
            whole, frac, sci = m.group(1), m.group(2) or "", m.group(3)
            if len(whole) + len(frac) > MAX_LITERAL_DIGITS:
                raise ParseError(
                    f"number too long (limit {MAX_LITERAL_DIGITS} digits)", text, i, where
                )
            power = -len(frac)
            if sci is not None:
                if len(sci.lstrip("+-0")) > 4 or abs(int(sci)) > MAX_SCI_EXPONENT:
                    raise ParseError(
                        f"exponent of number too large (limit {MAX_SCI_EXPONENT})", text, i, where
                    )
                power += int(sci)
            mantissa = int(whole + frac or "0")
            value = (
                sp.Integer(mantissa * 10**power) if power >= 0 else sp.Rational(mantissa, 10**-power)
            )
            tok = _Tok("num", m.group(0), i, value)
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            m = _NAME.match(text, i, end)
            tok = _Tok("name", m.group(0), i)
        elif text.startswith("**", i) and i + 1 < end:
            tok = _Tok("op", "**", i)
        elif ch in _OPS:
            tok = _Tok("op", ch, i)
        else:
            raise ParseError(_char_error(ch), text, i, where)
        if tok.kind != "op":
            operands += 1
            if operands > MAX_OPERANDS:
                raise ParseError(
                    f"too many numbers and names (limit {MAX_OPERANDS})", text, i, where
                )
        toks.append(tok)
        i += len(tok.text)
    stop = end
    while stop > start and text[stop - 1] in _SPACE:
        stop -= 1
    toks.append(_Tok("end", "", stop))
    return toks


class _Parser:
    """Recursive descent over the grammar (lowest binding first)::

        sum     := product (('+' | '-') product)*
        product := unary (('*' | '/') unary)*
        unary   := ('+' | '-')* power
        power   := atom (('^' | '**') ('+' | '-')* atom)*     right-associative
        atom    := number | name | name '(' args ')' | '(' sum ')' | '|' sum '|'

    ``|u|`` bars are unambiguous because implicit multiplication is not supported: a bar
    where an operand is expected opens, a bar after an operand closes.
    """

    def __init__(self, text: str, start: int, end: int, where: str, lead: str | None = None):
        self.text, self.where, self.lead = text, where, lead
        self.toks = _tokenize(text, start, end, where)
        self.i = 0
        self.depth = 0
        self.memo: dict[sp.Basic, tuple[float, bool]] = {}

    def error(self, message: str, pos: int | None) -> ParseError:
        return ParseError(message, self.text, pos, self.where)

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def advance(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def at(self, *ops: str) -> bool:
        tok = self.toks[self.i]
        return tok.kind == "op" and tok.text in ops

    def enter(self, tok: _Tok) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nesting too deep (limit {MAX_DEPTH} levels)", tok.pos)

    def parse(self) -> sp.Expr:
        result = self.sum()
        tok = self.peek()
        if tok.kind != "end":
            raise self.after_operand(tok)
        return result

    def after_operand(self, tok: _Tok, opener: _Tok | None = None) -> ParseError:
        """The error for a token that cannot follow a complete operand."""
        if tok.kind == "end" and opener is not None:
            close = "')'" if opener.text == "(" else "closing '|'"
            return self.error(f"unbalanced {opener.text!r}: missing {close}", opener.pos)
        if tok.kind in ("num", "name") or tok.text == "(":
            prev = self.toks[self.i - 1]
            return self.error(
                f"expected an operator between {prev.shown()} and {tok.shown()}"
                " (implicit multiplication is not supported: use '*')",
                tok.pos,
            )
        if tok.text == ",":
            return self.error("unexpected ',' (commas only separate function arguments)", tok.pos)
        if tok.text == "=":
            return self.error("unexpected '=' (not allowed in an expression)", tok.pos)
        return self.error(f"unexpected {tok.shown()}", tok.pos)

    def check(self, expr: sp.Expr, tok: _Tok) -> sp.Expr:
        """Refuse results holding an over-long number or an undefined or complex value."""
        digits, undefined = self.scan(expr)
        if digits > MAX_NUMBER_DIGITS:
            raise self.error(f"number too large (limit {MAX_NUMBER_DIGITS} digits)", tok.pos)
        if undefined:
            what = f"{tok.text}(...)" if tok.kind == "name" else "the result"
            raise self.error(f"{what} is undefined or not a real number", tok.pos)
        return expr

    def scan(self, expr: sp.Basic) -> tuple[float, bool]:
        """(most digits of any number, contains zoo/nan/oo/I), memoised and without recursion."""
        memo = self.memo
        stack = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if node in memo:
                continue
            if not node.args:
                memo[node] = (_digits(node) if node.is_Rational else 0.0, node in _UNDEFINED)
            elif ready:
                kids = [memo[a] for a in node.args]
                memo[node] = (max(k[0] for k in kids), any(k[1] for k in kids))
            else:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if a not in memo)
        return memo[expr]

    def sum(self) -> sp.Expr:
        terms = [self.product()]
        op = None
        while self.at("+", "-"):
            op = self.advance()
            term = self.product()
            terms.append(-term if op.text == "-" else term)
        if op is None:
            return terms[0]
        self.precheck(terms, op)
        return self.check(sp.Add(*terms), op)

    def product(self) -> sp.Expr:
        factors = [self.unary()]
        op = None
        while self.at("*", "/"):
            op = self.advance()
            factor = self.unary()
            if op.text == "/":
                if factor.is_number and factor.is_zero:
                    raise self.error("division by zero", op.pos)
                factor = sp.Pow(factor, sp.S.NegativeOne)
            factors.append(factor)
        if op is None:
            return factors[0]
        self.precheck(factors, op)
        return self.check(sp.Mul(*factors), op)

    def precheck(self, operands: list[sp.Expr], op: _Tok) -> None:
        """Refuse a sum or product whose exact numbers could exceed the digit limit."""
        if sum(self.scan(x)[0] for x in operands) > MAX_NUMBER_DIGITS:
            raise self.error(f"number too large (limit {MAX_NUMBER_DIGITS} digits)", op.pos)

    def signs(self) -> tuple[int, int]:
        """Consume a run of unary signs; each counts as a nesting level. Returns (-1|1, count)."""
        sign, count = 1, 0
        while self.at("+", "-"):
            tok = self.advance()
            self.enter(tok)
            count += 1
            sign = -sign if tok.text == "-" else sign
        return sign, count

    def unary(self) -> sp.Expr:
        sign, count = self.signs()
        value = self.power()
        self.depth -= count
        return -value if sign < 0 else value

    def power(self) -> sp.Expr:
        # Collected iteratively (no recursion per '^'), then folded from the right.
        atoms = [self.atom()]
        ops: list[tuple[_Tok, int]] = []
        while self.at("^", "**"):  # each '^' nests the result one level deeper
            op = self.advance()
            self.enter(op)
            sign, count = self.signs()
            atoms.append(self.atom())
            self.depth -= count
            ops.append((op, sign))
        self.depth -= len(ops)
        value = atoms[-1]
        for k in range(len(ops) - 1, -1, -1):
            op, sign = ops[k]
            value = self.raise_to(atoms[k], -value if sign < 0 else value, op)
        return value

    def raise_to(self, base: sp.Expr, exponent: sp.Expr, op: _Tok) -> sp.Expr:
        if exponent.is_Rational:
            if abs(exponent) > MAX_POWER_EXPONENT:
                raise self.error(f"exponent too large (limit {MAX_POWER_EXPONENT})", op.pos)
            if base.is_number:
                if self.scan(base)[0] * max(1.0, float(abs(exponent))) > MAX_NUMBER_DIGITS:
                    raise self.error(
                        f"exponent too large: the result would exceed {MAX_NUMBER_DIGITS} digits",
                        op.pos,
                    )
                if base.is_zero and exponent.is_negative:
                    raise self.error("division by zero (0 to a negative power)", op.pos)
                if not exponent.is_Integer:
                    if base.is_extended_negative:
                        raise self.error("not a real number: negative base, fractional exponent", op.pos)
                    if self.scan(base)[0] > MAX_ROOT_BASE_DIGITS:
                        raise self.error(
                            f"fractional power of a number over {MAX_ROOT_BASE_DIGITS} digits",
                            op.pos,
                        )
        return self.check(sp.Pow(base, exponent), op)

    def atom(self) -> sp.Expr:
        tok = self.advance()
        if tok.kind == "num":
            return tok.value
        if tok.kind == "name":
            if self.at("("):
                return self.call(tok)
            if tok.text in CONSTANTS:
                return CONSTANTS[tok.text]
            if tok.text in FUNCTIONS:
                raise self.error(f"{tok.text!r} is a function: write {tok.text}(...)", tok.pos)
            return symbol(tok.text)
        if tok.text in ("(", "|"):
            self.enter(tok)
            inner = self.sum()
            close = self.peek()
            if not self.at(")" if tok.text == "(" else "|"):
                raise self.after_operand(close, tok)
            self.advance()
            self.depth -= 1
            return inner if tok.text == "(" else self.check(sp.Abs(inner), tok)
        prev = self.toks[self.i - 2].shown() if self.i >= 2 else self.lead
        after = f" after {prev}" if prev else ""
        raise self.error(f"expected an expression{after}, found {tok.shown()}", tok.pos)

    def call(self, name: _Tok) -> sp.Expr:
        if name.text not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS, key=str.lower))
            raise self.error(f"unknown function {name.text!r} (known: {known})", name.pos)
        opener = self.advance()
        self.enter(opener)
        args: list[sp.Expr] = []
        if not self.at(")"):
            args.append(self.sum())
            while self.at(","):
                self.advance()
                args.append(self.sum())
        if not self.at(")"):
            raise self.after_operand(self.peek(), opener)
        self.advance()
        self.depth -= 1
        fn = FUNCTIONS[name.text]
        least = _MIN_ARGS.get(fn)
        if least is None and len(args) != 1:
            raise self.error(f"{name.text} takes 1 argument, got {len(args)}", name.pos)
        if least is not None and len(args) < least:
            raise self.error(
                f"{name.text} takes at least {least} arguments, got {len(args)}", name.pos
            )
        if least is not None and not all(a.is_Rational for a in args):
            # SymPy's Max/Min compare every pair of arguments through the assumptions
            # system, which takes many milliseconds per pair; keep symbolic ones as written.
            return self.check(fn(*args, evaluate=False), name)
        return self.check(fn(*args), name)


def _parser(text: str, start: int, end: int, where: str, lead: str | None = None) -> _Parser:
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", "", None, where)
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"text too long ({len(text)} characters, limit {MAX_LENGTH})",
            text,
            MAX_LENGTH,
            where,
        )
    return _Parser(text, start, end, where, lead)


def parse_expression(text: str, *, where: str = "") -> sp.Expr:
    """Read a math expression such as ``(y - yhat)^2 / 2`` into SymPy.

    Operators ``+ - * / ^ **``, unary signs, parentheses, ``|u|`` and the functions in
    ``FUNCTIONS``. Decimals are exact rationals. Implicit multiplication (``2x``) is an error.

    Args:
        text: the expression.
        where: what the text is (for example ``--let #2``), carried into errors.

    Returns:
        The SymPy expression; names become real symbols, ``pi`` and ``e`` constants.

    Raises:
        ParseError: on any text that is not a valid, bounded expression.
    """
    return _parser(text, 0, len(text), where).parse()


def _assignment(text: str, start: int, end: int, where: str) -> tuple[_Tok, sp.Expr, int]:
    """Parse ``name = expr`` in text[start:end]; returns (name token, expr, expr start)."""
    equals = [i for i in range(start, end) if text[i] == "="]
    if not equals:
        stop = _tokenize(text, start, end, where)[-1].pos
        raise ParseError("expected 'name = value', found no '='", text, stop, where)
    if len(equals) > 1:
        raise ParseError("unexpected second '='", text, equals[1], where)
    eq = equals[0]
    left = _tokenize(text, start, eq, where)
    if left[0].kind == "end":
        raise ParseError("expected a name before '='", text, eq, where)
    if left[0].kind != "name":
        raise ParseError(f"expected a name before '=', found {left[0].shown()}", text, left[0].pos, where)
    if left[1].kind != "end":
        raise ParseError(f"expected '=' after {left[0].shown()}, found {left[1].shown()}", text, left[1].pos, where)
    name = left[0]
    if name.text in RESERVED:
        kind = "a function" if name.text in FUNCTIONS else "a constant"
        raise ParseError(f"{name.text!r} is reserved ({kind}) and cannot be a variable", text, name.pos, where)
    expr = _parser(text, eq + 1, end, where, lead="'='").parse()
    return name, expr, eq + 1


def parse_assignment(text: str, *, where: str = "") -> tuple[str, sp.Expr]:
    """Read ``name = expression``, e.g. ``yhat = m*x + 4`` -> ``("yhat", m*x + 4)``.

    Args:
        text: the assignment; exactly one ``=``, a non-reserved name on its left.
        where: what the text is, carried into errors.

    Returns:
        The name and the parsed right-hand side.

    Raises:
        ParseError: with positions relative to the whole text.
    """
    _parser(text, 0, 0, where)  # type and length checks
    name, expr, _ = _assignment(text, 0, len(text), where)
    return name.text, expr


def _exact_number(expr: sp.Expr, text: str, pos: int, where: str, what: str) -> sp.Rational:
    if not expr.is_Rational:
        kind = "a number" if expr.free_symbols else "an exact rational number such as 0.5"
        raise ParseError(f"{what} must be {kind}, found {sp.sstr(expr)[:40]}", text, pos, where)
    return expr


def parse_values(text: str, *, where: str = "") -> dict[str, sp.Rational]:
    """Read ``x=2, y=10, m=1.5`` (``,`` or ``;`` between items) into exact numbers.

    A value may be a constant expression such as ``-1/2`` or ``1e-3``; it must come out
    as an exact rational (``pi`` or ``sqrt(2)`` are refused). Blank text gives ``{}``.

    Args:
        text: the items.
        where: what the text is, carried into errors.

    Returns:
        Name -> ``sympy.Rational``, in the order written.

    Raises:
        ParseError: on an empty item, a duplicate name or a non-numeric value.
    """
    _parser(text, 0, 0, where)
    values: dict[str, sp.Rational] = {}
    if not text.strip(_SPACE):
        return values
    bounds, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch in ",;" and depth <= 0:
            bounds.append((start, i))
            start = i + 1
    bounds.append((start, len(text)))
    for start, end in bounds:
        if not text[start:end].strip(_SPACE):
            raise ParseError("empty item (nothing between separators)", text, min(end, len(text) - 1), where)
        name, expr, at = _assignment(text, start, end, where)
        if name.text in values:
            raise ParseError(f"duplicate value for {name.text!r}", text, name.pos, where)
        pos = _tokenize(text, at, end, where)[0].pos
        values[name.text] = _exact_number(expr, text, pos, where, f"value of {name.text}")
    return values


def parse_number(text: str, *, where: str = "") -> sp.Rational:
    """Read one exact number such as ``0.1``, ``-1/2`` or ``1e-3`` (for options like --lr).

    Args:
        text: the number, or a constant expression that is an exact rational.
        where: what the text is, carried into errors.

    Returns:
        The number as a ``sympy.Rational``.

    Raises:
        ParseError: if the text is not a number.
    """
    expr = parse_expression(text, where=where)
    pos = len(text) - len(text.lstrip(_SPACE))
    return _exact_number(expr, text, pos, where, "the value")
