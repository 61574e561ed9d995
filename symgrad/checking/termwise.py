"""Names defined term by term: ``L = -\\sum_j^C y_j \\log p_j = -\\sum_j^C \\ell_j`` (058) names
each term of the sum, so ``\\ell_j`` is ``y_j \\log p_j`` for every j (with the signs of the two
sides: ``-\\sum \\ell_j`` against ``-\\sum`` of the body). Only a new name, one the problem does
not number, is defined this way, and only when both sides are sums over the same index with
the same limits; the body is read by the row reader (nothing is evaluated here)."""

from __future__ import annotations

import re

from symgrad.checking.handbase import GenericRule, Question, Skip
from symgrad.checking.handparse import read_row
from symgrad.errors import ParseError

_SUM = r"(-?)\s*\\sum(?:\\limits)?\s*(_\{[^{}]*\}|_[A-Za-z])\s*(\^\{[^{}]*\}|\^[A-Za-z0-9])?"
#: ``-\sum_j^C \ell_j``: a sum whose whole body is one subscripted name
_NAMED = re.compile(r"\s*" + _SUM + r"\s*(\\[A-Za-z]+|[A-Za-z])\s*_\s*\{?\s*([a-z])\s*\}?\s*[.,]?\s*$")
_BODY = re.compile(r"\s*" + _SUM + r"\s*(.+?)\s*[.,]?\s*$", re.S)


def _parts(text: str) -> list[str]:
    """A row cut at its top-level ``=`` (``&`` dropped)."""
    out, depth, start = [], 0, 0
    for k, c in enumerate(text):
        if c in "{(":
            depth += 1
        elif c in "})":
            depth -= 1
        elif c == "=" and depth == 0 and text[k - 1 : k] not in ("<", ">", "!", ":"):
            out.append(text[start:k])
            start = k + 1
    out.append(text[start:])
    return [p.replace("&", " ") for p in out]


def _index(sub: str) -> str | None:
    m = re.match(r"_\{?\s*([a-z])", sub)
    return m.group(1) if m else None


def termwise(doc: str, rows, scope) -> dict[str, object]:
    """The names the document defines term by term: {``ell_1``: y1*log(p1), ...}."""
    found: dict[str, object] = {}
    previous: list[str] = []
    for row in rows:
        if row.kind != "math" or row.error:
            previous = []
            continue
        parts = _parts(doc[row.start : row.end])
        chain = previous[-1:] + parts[1:] if not parts[0].strip() and previous else parts
        for left, right in zip(chain, chain[1:]):
            named, body = _NAMED.match(right), _BODY.match(left)
            if named is None or body is None or named.group(2) != body.group(2) or \
                    named.group(3) != body.group(3) or named.group(5) != _index(named.group(2)):
                continue
            found.update(_define(named, body, scope))
        previous = parts
    return found


def _define(named, body, scope) -> dict[str, object]:
    word, letter = named.group(4), named.group(5)
    base = {"\\ell": "ell"}.get(word, word.lstrip("\\"))
    for b in {base, "l", "L"} if base == "ell" else {base}:
        if scope.family(b) or any(n.startswith(b + "_") for n in scope.names):
            return {}  # the problem numbers this name already: not a new one
    text = body.group(4)
    try:
        readings = read_row(text, 0, len(text), scope)
    except (ParseError, GenericRule, Question, Skip, ValueError, IndexError, RecursionError,
            OverflowError):
        return {}
    sign = -1 if (named.group(1) == "-") != (body.group(1) == "-") else 1
    out = {}
    for r in readings:
        value = r.binding.get(letter)
        if value is None or len(r.parts) != 1 or r.parts[0].expr is None or r.copies:
            return {}
        out[f"{base}_{value}"] = sign * r.parts[0].expr
    return out if len(out) > 1 else {}
