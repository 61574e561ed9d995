"""The safe reader's vocabulary and tokenizer: limits, the function whitelist, number literals.

Nothing here evaluates text: names become real symbols, numbers are built from their digit
strings, and anything outside the whitelist is an error that names the position.
"""

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
from symgrad.expr.sums import ExampleSum
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
    (("heaviside", "step", "indicator"), sp.Heaviside, "1[u > 0]: 1 for u > 0, else 0 (0 at u = 0; a jump)"),
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
            if tok.text[0] == "_" or tok.text[-1] == "_" or "__" in tok.text:
                raise ParseError(f"{tok.text!r} is not a name: a name starts with a letter, and "
                                 "an underscore joins two parts (x_1, net_h1), never at an end "
                                 "or doubled", text, i, where)
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
