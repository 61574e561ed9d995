"""Safe math reader: text -> SymPy, through a hand-written tokenizer and grammar, never eval.

The public entry points: :func:`parse_expression`, :func:`parse_assignment` (``name =
expr``), :func:`parse_values` (``x=2, y=10``) and :func:`parse_number`. The vocabulary and
limits live in :mod:`symgrad.reader.tokens`, the grammar in :mod:`symgrad.reader.grammar`.
"""

from __future__ import annotations

import sympy as sp

from symgrad.errors import ParseError
from symgrad.reader.grammar import _Parser
from symgrad.reader.tokens import (  # noqa: F401 - re-exported: the reader's vocabulary
    _NAME,
    _SPACE,
    CONSTANTS,
    FUNCTION_HELP,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_LITERAL_DIGITS,
    MAX_NUMBER_DIGITS,
    MAX_OPERANDS,
    MAX_POWER_EXPONENT,
    MAX_SCI_EXPONENT,
    RESERVED,
    _Tok,
    _tokenize,
    symbol,
)


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
    equals = [i for i in range(start, end) if text[i] == "=" and  # not the = of <= or >=
              not (i > start and text[i - 1] in "<>")]
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
