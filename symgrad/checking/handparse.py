"""Read one row of a hand derivation (LaTeX as people type it, or plain text) into SymPy.

A grammar, never ``eval`` or SymPy's LaTeX parsers (they read ``\\operatorname{sign}`` as a
product of letters). Loosest binding first::

    row     := [part] (('=' | '\\approx' | '\\leftarrow') part)*
    part    := ['+'|'-'] term (('+'|'-') term)*
    term    := factor (('*' | '\\cdot' | '\\times' | '/') factor | factor)*   (juxtaposed: times)
    factor  := ('+'|'-')* power
    power   := atom ['^' (group | '(' part ')' | ['-'] atom)]
    atom    := number | name | call | group | |part| | \\frac | \\sqrt | \\sum | indicator | Leibniz

Names resolve against the problem's names: ``\\hat{y}`` is ``yhat``, ``w_{1}`` is ``w1`` or
``w_1``, ``mx`` is ``m*x`` when only ``m`` and ``x`` exist. Leibniz derivatives
(``\\frac{\\partial L}{\\partial m}``, ``dL/dm``, ``\\nabla_m L``) become :class:`Leibniz`
symbols; operator forms (``\\frac{d}{dm}(...)``) become unevaluated ``Derivative`` nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symgrad.checking.handcommands import CLOSERS, Commands
from symgrad.checking.handlex import Tok, error, tokenize
from symgrad.errors import ParseError
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import MAX_NUMBER_DIGITS, MAX_POWER_EXPONENT, symbol

MAX_DEPTH = 60  # nesting of groups, bars, calls, fractions and exponents
_STARTS = frozenset({"num", "word", "fn", "d", "ind", "cs"})
_RELATIONS = (">", "<", ">=", "<=")
_SEPARATORS = ("=", "~=", "<-")


@dataclass(frozen=True)
class Part:
    """One side of an ``=`` chain: the expression (None when the row starts with ``=``)."""

    expr: sp.Expr | None
    pos: int
    decimals: int  # most decimal places of any number literal written (0: none)
    numbers: bool  # a number literal was written (a substitution line)
    separator: str  # what came before it: "", "=", "~=" or "<-"


def parse_row(doc: str, start: int, end: int, vocab: frozenset[str]) -> list[Part]:
    """Read doc[start:end] as an ``=`` chain of expressions.

    Args:
        doc: the whole document (error positions are line and column in it).
        start, end: the row's offsets.
        vocab: the names the problem defines (inputs and named quantities).

    Raises:
        ParseError: the line, the column and what was expected.
    """
    return _Parser(doc, tokenize(doc, start, end, vocab), vocab).row()


class _Parser(Commands):
    """The grammar; LaTeX commands (\\frac, \\sqrt, \\sum, calls) are in :mod:`handcommands`."""

    def __init__(self, doc: str, toks: list[Tok], vocab: frozenset[str]):
        self.doc, self.toks, self.vocab = doc, toks, vocab
        self.i = self.depth = self.bars = 0
        self.decimals, self.numbers = 0, False
        self.indices: list[str] = []
        self.counts = set()  # the bound of \sum_{i=1}^{n}: a count symbol usable anywhere
        for k, t in enumerate(toks):
            if t.kind == "cs" and t.text == "sum":
                near = [u for u in toks[k + 1 : k + 12] if u.text not in ("{", "}")]
                hat = next((j for j, u in enumerate(near) if u.text == "^"), None)
                if hat is not None and hat + 1 < len(near) and near[hat + 1].kind == "word":
                    self.counts.add(near[hat + 1].text)
        self.counts -= vocab

    # --- tokens -------------------------------------------------------------------------
    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def at(self, *texts: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in texts

    def take(self) -> Tok:
        self.i += 1
        return self.toks[self.i - 1]

    def expect(self, text: str, what: str = "") -> Tok:
        if not self.at(text):
            shown = {"rbrace": "'\\}'", "rbar": "'\\right|'"}.get(text, repr(text))
            raise self.fail(f"expected {shown}{what}, found {self.tok.shown()}")
        return self.take()

    def fail(self, message: str, tok: Tok | None = None) -> ParseError:
        return error(self.doc, (tok or self.tok).pos, message)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nesting too deep (limit {MAX_DEPTH} levels)")

    # --- grammar ------------------------------------------------------------------------
    def row(self) -> list[Part]:
        parts, sep = [], ""
        while True:
            pos = self.tok.pos
            self.decimals, self.numbers = 0, False
            empty = self.tok.kind == "end" or self.at(*_SEPARATORS)
            if empty and parts:
                raise self.fail(f"expected an expression, found {self.tok.shown()}")
            expr = None if empty else self.part()
            parts.append(Part(expr, pos, self.decimals, self.numbers, sep))
            if self.tok.kind == "end":
                return parts
            if not self.at(*_SEPARATORS):
                raise self.fail(f"expected an operator or '=', found {self.tok.shown()}")
            sep = self.take().text

    def part(self) -> sp.Expr:
        terms = [self.term()]
        while self.at("+", "-"):
            op = self.take()
            t = self.term()
            terms.append(-t if op.text == "-" else t)
        return self.checked(sp.Add(*terms), self.tok)

    def starts_factor(self) -> bool:
        t = self.tok
        if t.kind in _STARTS:
            return True
        return t.kind == "op" and (
            t.text in ("(", "[", "{", "lbrace", "lbar") or t.text == "|" and self.bars == 0
        )

    def term(self) -> sp.Expr:
        value = self.factor()
        while True:
            if self.at("*", "/"):
                op = self.take()
                rhs = self.factor()
                if op.text == "/":
                    if rhs.is_zero:
                        raise self.fail("division by zero", op)
                    rhs = 1 / rhs
            elif self.starts_factor():
                op, rhs = self.tok, self.power()
            else:
                return value
            value = self.checked(value * rhs, op)

    def factor(self) -> sp.Expr:
        negate, count = False, 0
        while self.at("+", "-"):
            negate ^= self.take().text == "-"
            count += 1
            self.enter()
        value = self.power()
        self.depth -= count
        return -value if negate else value

    def power(self) -> sp.Expr:
        base = self.atom()
        if not self.at("^"):
            return base
        op = self.take()
        self.enter()
        if self.at("{", "("):
            exponent = self.group()
        else:
            exponent = self.factor() if self.at("-", "+") else self.atom()
        self.depth -= 1
        return self.raised(base, exponent, op)

    def raised(self, base: sp.Expr, exponent: sp.Expr, op: Tok) -> sp.Expr:
        if exponent.is_number and bool(abs(exponent) > MAX_POWER_EXPONENT):
            raise self.fail(f"exponent too large (limit {MAX_POWER_EXPONENT})", op)
        if base.is_number and exponent.is_number:
            if not (base.is_Rational and exponent.is_Rational):
                return self.checked(sp.Pow(base, exponent), op)
            size = (abs(base.p).bit_length() + base.q.bit_length()) * 0.302 * float(abs(exponent))
            if size > MAX_NUMBER_DIGITS:
                raise self.fail(f"number too large (limit {MAX_NUMBER_DIGITS} digits)", op)
            if base.is_zero and exponent.is_negative:
                raise self.fail("division by zero (0 to a negative power)", op)
        return self.checked(sp.Pow(base, exponent), op)

    def checked(self, value: sp.Expr, tok: Tok) -> sp.Expr:
        if (
            value.is_Rational
            and (abs(value.p).bit_length() + value.q.bit_length()) * 0.302 > MAX_NUMBER_DIGITS
        ):
            raise self.fail(f"number too large (limit {MAX_NUMBER_DIGITS} digits)", tok)
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
            raise self.fail("the result is undefined or not a real number", tok)
        return value

    def group(self) -> sp.Expr:
        """``( part )`` with any opener; ``[ a > b ]`` is an Iverson bracket (an indicator)."""
        self.enter()
        tok = self.take()
        close = CLOSERS[tok.text]
        outer_bars, self.bars = self.bars, 0
        inner = self.part()
        if self.at(*_RELATIONS):
            inner = self.relation(inner)
        self.bars = outer_bars
        self.expect(close, f" to close {tok.text!r} at column {self.col(tok)}")
        self.depth -= 1
        return inner

    def col(self, tok: Tok) -> int:
        return tok.pos - self.doc.rfind("\n", 0, tok.pos)

    def relation(self, left: sp.Expr) -> sp.Expr:
        """``a > b`` as the indicator 1[a - b > 0] (``>=`` counts the tie as 1)."""
        op = self.take().text
        right = self.part()
        diff = left - right if op in (">", ">=") else right - left
        return sp.Heaviside(diff, 1 if "=" in op else 0)

    def atom(self) -> sp.Expr:
        t = self.tok
        if t.kind == "num":
            self.take()
            self.numbers |= t.value.is_Rational
            self.decimals = max(self.decimals, t.decimals)
            return t.value
        if t.kind in ("word", "d"):
            leib = self.leibniz()
            if leib is not None:
                return leib
            if t.kind == "d":
                raise self.fail("expected a derivative such as \\frac{\\partial L}{\\partial m}")
            return self.name()
        if t.kind == "fn":
            return self.call()
        if t.kind == "ind":
            self.take()
            if self.at("_"):
                self.take()
            if not self.at("(", "[", "{", "lbrace"):
                raise self.fail("expected a condition after the indicator, e.g. \\mathbb{1}[u > 0]")
            inner = self.group()
            if not isinstance(inner, sp.Heaviside):
                raise self.fail("expected a condition such as u > 0 in the indicator", t)
            return inner
        if t.kind == "cs":
            return getattr(self, "cs_" + t.text)()
        if t.kind == "op" and t.text in ("|", "lbar"):
            self.enter()
            self.take()
            self.bars += 1
            inner = self.part()
            self.bars -= 1
            self.expect(
                "|" if t.text == "|" else "rbar", f" to close the bar at column {self.col(t)}"
            )
            self.depth -= 1
            return sp.Abs(inner)
        if t.kind == "op" and t.text in ("(", "[", "{", "lbrace"):
            return self.group()
        raise self.fail(f"expected an expression, found {t.shown()}")

    # --- names --------------------------------------------------------------------------
    def subscript(self) -> str | None:
        if not self.at("_"):
            return None
        self.take()
        if self.at("{"):
            start = self.take()
            words = []
            while self.tok.kind in ("word", "num") or (words and self.at(",")):
                tok = self.take()
                # h_{\theta} is h_theta; w_{1,2} is w_1_2
                words.append("_" if tok.text == "," else
                             tok.names[0] if tok.text.startswith("\\") and tok.names else tok.text)
            self.expect("}", f" to close the subscript at column {self.col(start)}")
            return "".join(words)
        if self.tok.kind in ("word", "num"):
            tok = self.take()
            return tok.names[0] if tok.text.startswith("\\") and tok.names else tok.text
        raise self.fail("expected a subscript")

    def lookup(self, names: tuple[str, ...], sub: str | None) -> str | None:
        for n in names:
            tries = [n] if sub is None else [f"{n}_{sub}", n + sub]
            if sub is not None and (sub in self.indices or sub in ("i", "j", "k", "n", "t")):
                tries.append(n)
            for name in tries:
                if name in self.vocab or name in self.counts:
                    return name
        return None

    def name(self) -> sp.Expr:
        t = self.take()
        sub = self.subscript()
        found = self.lookup(t.names, sub)
        if found is not None:
            return (
                symbol(found)
                if found in self.vocab
                else sp.Symbol(found, positive=True, integer=True)
            )
        if sub is None and len(t.names) == 1 and t.text.isalnum():
            parts = self.split(t.text)
            if parts:
                return sp.Mul(*[symbol(p) for p in parts])
        if t.text == "e" and sub is None:
            return sp.E
        shown = t.names[0] + (f"_{sub}" if sub else "")
        known = ", ".join(sorted(self.vocab))
        raise self.fail(f"unknown name {shown!r} (the problem's names: {known})", t)

    def split(self, word: str) -> list[str] | None:
        """``mx`` as ``m*x``: the word as known names written together, longest first."""
        if not word:
            return []
        if len(word) > 12:
            return None
        for k in range(len(word), 0, -1):
            if word[:k] in self.vocab:
                rest = self.split(word[k:])
                if rest is not None:
                    return [word[:k], *rest]
        return None

    def diff_name(self) -> str | None:
        """A name right after a differential (``\\partial \\hat{y}``, ``d w_1``), or None."""
        t = self.tok
        if t.kind != "word":
            return None
        save = self.i
        self.take()
        found = self.lookup(t.names, self.subscript())
        if found is None or found in self.counts:
            self.i = save
        return found

    def differential(self) -> tuple[bool, str | None] | None:
        """``\\partial`` / ``d`` / ``\\mathrm{d}``, with the name written with it (``dL``)."""
        t = self.tok
        if t.kind == "d":
            self.take()
            return t.partial, self.diff_name()
        if t.kind == "word" and t.text.startswith("d") and len(t.names) == 1:
            if t.text == "d" and "d" not in self.vocab:
                self.take()
                return False, self.diff_name()
            rest = t.text[1:]
            if t.text not in self.vocab and rest in self.vocab:
                self.take()
                return False, rest
        return None

    def leibniz(self) -> sp.Expr | None:
        """``dL/dm``, ``\\partial L / \\partial m`` or ``d/dm (...)``; else None, nothing taken."""
        save = self.i
        top = self.differential()
        if top is not None and self.at("/"):
            self.take()
            bottom = self.differential()
            if bottom is not None and bottom[1] is not None:
                if top[1] is not None:
                    return Leibniz(symbol(top[1]), symbol(bottom[1]), top[0])
                return self.apply_derivative(bottom[1])
        self.i = save
        return None

    def apply_derivative(self, var: str) -> sp.Expr:
        """``d/dvar`` applied to the rest of the product it stands in: ``\\frac{d}{dm} 2|u| x``."""
        self.enter()
        inner = self.term()
        self.depth -= 1
        if inner.is_Symbol and inner.name in self.vocab:
            return Leibniz(inner, symbol(var), True)
        return sp.Derivative(inner, symbol(var), evaluate=False)
