"""Read one row of a hand derivation (LaTeX as people type it, or plain text) into SymPy.

A grammar, never ``eval`` or SymPy's LaTeX parsers (they read ``\\operatorname{sign}`` as a
product of letters). Loosest binding first::

    row     := part (SEP part)* [condition-tail]        SEP: = \\approx \\leftarrow := \\implies
    part    := sum [(< | > | <= | >= | != ) sum]...     (a relation is a condition)
    sum     := ['+'|'-'] term (('+'|'-') term)* [\\over sum]
    term    := factor (('*' | '\\cdot' | '/' | '.') factor | factor)*   (juxtaposed: times)
    factor  := ('+'|'-')* power
    power   := atom ['^' exponent]      (^T, ^\\top: a transpose; of a number, dropped)
    atom    := number | name [call] | function call | group | |sum| | \\frac | \\sqrt | \\sum
             | \\nabla | indicator | Leibniz | cases | vector

Names resolve through a :class:`~symgrad.checking.scope.Scope`: ``\\hat{y}`` is ``yhat``,
``w_{1}`` is ``w1`` or ``w_1``, ``mx`` is ``m*x`` when only ``m`` and ``x`` exist, ``h_\\theta``
is ``h_theta`` (or ``h``), ``J(\\theta_0, \\theta_1)`` is the quantity ``J``. Index notation
(``x_i``, ``x^{(i)}``, ``\\sum_{i=1}^m``) is resolved against numbered names: a row whose
indices are free (``\\frac{\\partial L}{\\partial z_j} = ...``) is read once for every value
they can take (:func:`read_row`). Leibniz derivatives become :class:`Leibniz` symbols,
operator forms (``\\frac{d}{dm}(...)``) unevaluated ``Derivative`` nodes. Vectors and
matrices written whole (``Z^{O}``, ``\\boldsymbol{X}``, ``W1``) are in :mod:`handvectors`.
"""

from __future__ import annotations

import itertools

import sympy as sp
from sympy.matrices.exceptions import MatrixError

from symgrad.checking.handbase import (
    _CONDITION_WORDS,
    _STARTS,
    MAX_DEPTH,
    MAX_WORK,
    SEPARATORS,
    FreeIndex,
    IndexMiss,
    Part,
    Question,
    Reading,
    Skip,
    _add,
    _mul,
)
from symgrad.checking.handcalls import Calls
from symgrad.checking.handcommands import Commands
from symgrad.checking.handcontract import regrouped
from symgrad.checking.handgroups import Groups
from symgrad.checking.handlex import Tok, error, tokenize
from symgrad.checking.handlookup import Lookup
from symgrad.checking.handnames import Names
from symgrad.checking.handprep import _dummies, _prepared
from symgrad.checking.handsums import Sums
from symgrad.checking.handvectors import Vectors
from symgrad.checking.scope import MAX_INSTANCES, Scope
from symgrad.errors import ParseError
from symgrad.reader.expression import MAX_NUMBER_DIGITS, MAX_POWER_EXPONENT, symbol


def parse_row(doc: str, start: int, end: int, vocab) -> list[Part]:
    """Read doc[start:end] as one chain of expressions (no free indices).

    Args:
        doc: the whole document (error positions are line and column in it).
        start, end: the row's offsets.
        vocab: the names the problem defines (a frozenset), or a :class:`Scope`.

    Raises:
        ParseError: the line, the column and what was expected.
    """
    scope = vocab if isinstance(vocab, Scope) else Scope(frozenset(vocab), frozenset())
    return read_row(doc, start, end, scope)[0].parts


def read_row(doc: str, start: int, end: int, scope: Scope) -> list[Reading]:
    """Read a row once for every value of its free indices (just once when it has none).

    Raises:
        ParseError: the row cannot be read (with the line and column).
        GenericRule: the row is about functions that are not in the problem.
        Question: the row asks rather than states.
    """
    toks = tokenize(doc, start, end, scope.vocab(), scope.macros, scope.operators)
    dummies = _dummies(toks, scope)
    toks = _prepared(toks, scope, dummies)
    free: list[str] = []
    while True:
        try:
            readings = _instances(doc, toks, scope, free, dummies)
            break
        except ParseError:
            whole = _Parser(doc, toks, scope, {}, dummies).whole_reading() if free == ["·"] \
                else None
            if whole is None:
                raise
            return [whole]
        except FreeIndex as e:
            if e.letter in free or len(free) >= 3:
                raise error(doc, start, f"cannot resolve the index {e.letter!r}") from None
            free.append(e.letter)
    readings = regrouped(readings, free, toks, scope,  # h1 = max(0, X W1 + b1): names whole
                         lambda: _Parser(doc, toks, scope, {}, dummies).whole_reading())
    if not readings:
        shown = ", ".join(f for f in free if f != "·") or "the index"
        raise error(doc, start, f"no value of {shown} gives names that exist in the problem")
    return readings


def _instances(doc, toks, scope, free, dummies) -> list[Reading]:
    values = scope.domain or (1,)
    out = []
    combos = itertools.product(values, repeat=len(free))
    for combo in itertools.islice(combos, MAX_INSTANCES):
        binding = dict(zip(free, combo))
        try:
            reading = _Parser(doc, toks, scope, binding, dummies).reading()
        except IndexMiss:
            continue
        except MatrixError as e:  # a 2-vector times a 3-vector (082): SymPy refuses the sizes
            raise error(doc, toks[0].pos, f"vectors or matrices whose sizes do not fit ({e})") \
                from None
        if any(c is sp.false for c in reading.conditions):
            continue  # ", \quad i = j" with i != j: this instance states nothing
        reading.conditions = [c for c in reading.conditions if c is not sp.true]
        out.append(reading)
    return out


class _Parser(Commands, Sums, Groups, Names, Lookup, Calls, Vectors):
    """The grammar; LaTeX commands (\\frac, \\sqrt, \\sum, calls) are in :mod:`handcommands`."""

    def __init__(self, doc: str, toks: list[Tok], scope: Scope, binding: dict, dummies):
        self.doc, self.toks, self.scope = doc, toks, scope
        self.vocab = scope.names
        self.bind = dict(binding)
        self.dummies = dummies
        self.i = self.depth = self.bars = self.work = 0
        self.decimals, self.numbers = 0, False
        self.conditions: list = []
        self.rates: set = set()
        self.next_step = False
        self.lhs_call = None
        self.force_call = False
        self.function_def = False
        self.labels = False
        self.copies = False
        self.index_uses: dict[str, int] = {}
        self.elided = False  # a matrix with entries left out (dots) was read
        self.whole = False  # names of vectors and matrices stand for them whole
        self.dot_keys: set = set()  # the numbers of the vectors read one component at a time
        self.counts = set(scope.counts) - self.vocab
        if any(t.kind == "cs" and t.text == "sum" or t.value == "bold" and
               scope.count_value is not None for t in toks):
            self.counts |= {"n", "m", "N"} - self.vocab  # \frac{2}{n}\sum ...: n counts
        for k, t in enumerate(toks):  # \sum_{i=1}^{m}: m counts, in this row
            if t.kind == "cs" and t.text == "sum":
                near = [u for u in toks[k + 1 : k + 14] if u.text not in ("{", "}")]
                hat = next((j for j, u in enumerate(near) if u.text == "^"), None)
                if hat is not None and hat + 1 < len(near) and near[hat + 1].kind == "word":
                    self.counts.add(near[hat + 1].text)

    # --- tokens -------------------------------------------------------------------------
    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def at(self, *texts: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in texts

    def at_word(self, *words: str) -> bool:
        return self.tok.kind == "word" and self.tok.text in words

    def take(self) -> Tok:
        self.i += 1
        self.work += 1
        if self.work > MAX_WORK:
            raise self.fail(f"this line expands to too many terms (limit {MAX_WORK})")
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

    def col(self, tok: Tok) -> int:
        return tok.pos - self.doc.rfind("\n", 0, tok.pos)

    # --- rows ---------------------------------------------------------------------------
    def reading(self) -> Reading:
        parts = self.components(self.row())
        return Reading(parts, self.conditions, dict(self.bind), frozenset(self.dummies),
                       frozenset(self.rates), self.next_step, self.lhs_call, self.copies,
                       self.elided)

    def row(self) -> list[Part]:
        parts, sep = [], ""
        while True:
            pos = self.tok.pos
            self.decimals, self.numbers = 0, False
            if self.at("?"):
                raise Question()
            empty = self.tok.kind == "end" or self.at(*SEPARATORS)
            if empty and parts and self.tok.kind == "end" and len(parts) == 1:
                raise Skip("a name described in words")  # "$m =$ number of examples"
            if empty and parts and self.tok.kind == "end":
                return parts  # "... =" with the chain going on in the lines after
            if empty and parts:
                raise self.fail(f"expected an expression, found {self.tok.shown()}")
            if empty:
                parts.append(Part(None, pos, 0, False, sep))
            else:
                try:
                    expr, relation = self.relation_part()
                except TypeError as e:  # SymPy refusing a mix such as a number + a matrix
                    raise self.fail(f"these do not combine ({e})") from None
                parts.append(Part(expr, pos, self.decimals, self.numbers, sep, relation))
            self.skip_wrt()
            if self.at(")") and self.peek().kind == "end" and not self.bars:
                self.take()  # a stray ')' closing the line: the author's typo
            if self.tok.kind == "end":
                return parts
            if self.at(",", "if", "&", "otherwise") or self.at_word(*_CONDITION_WORDS):
                self.condition_tail()
                if self.tok.kind == "end":
                    return parts
            if not self.at(*SEPARATORS):
                raise self.fail(f"expected an operator or '=', found {self.tok.shown()}")
            sep = self.take().text


    # --- grammar ------------------------------------------------------------------------
    def part(self) -> sp.Expr:
        if self.at("pm"):
            raise Skip("'\\pm' stands for two values: not checked")
        terms = [self.term()]
        while self.at("+", "-"):
            op = self.take()
            if self.tok.kind == "end" or self.at(*SEPARATORS):
                raise self.fail(f"expected an expression, found {self.tok.shown()}")
            t = self.term()
            terms.append(-t if op.text == "-" else t)
        value = self.checked(_add(terms), self.tok)
        if self.at("over"):  # {a \over b}
            op = self.take()
            den = self.part()
            if den.is_zero:
                raise self.fail("division by zero", op)
            value = self.checked(value / den, op)
        return value

    def starts_factor(self) -> bool:
        t = self.tok
        if t.kind in _STARTS:
            if t.kind == "word" and t.text in _CONDITION_WORDS and t.text not in self.vocab:
                return False
            return True
        return t.kind == "op" and (
            t.text in ("(", "[", "{", "lbrace", "lbar", "begin:cases", "begin:matrix")
            or t.text == "|" and self.bars == 0
        )

    def term(self) -> sp.Expr:
        start, value = self.i, self.factor()
        while True:
            if self.at("*", "/") or self.at(".") and self.dot_product():
                op = self.take()
                rhs = self.factor()
                if op.text == "/":
                    if rhs.is_zero:
                        raise self.fail("division by zero", op)
                    rhs = 1 / rhs
            elif self.starts_factor():
                op, rhs = self.tok, self.power()
                rhs = self.as_written_row(value, rhs, op, start)
            else:
                return value
            value = self.checked(_mul(value, rhs), op)

    def dot_product(self) -> bool:
        """``(x^{(i)}).(\\theta_0 + ...)``, ``2.x``: a period between factors means times."""
        nxt = self.peek()
        return nxt.kind in _STARTS or nxt.kind == "op" and nxt.text in ("(", "[", "{", "lbrace")

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
        start = self.i
        base = self.atom()
        if self.at("'") and self.i > start + 1 and self.toks[start].text == "(" and \
                self.toks[self.i - 1].text == ")" and len(self.scope.params) == 1:
            self.take()  # (\lambda(w_1^2 + w_2^2))': by the one parameter (079)
            if self.at("'"):
                raise self.fail("write a second derivative with \\frac{d^2}{d x^2}")
            base = sp.Derivative(base, symbol(self.scope.params[0]), evaluate=False)
        while self.at("^"):
            if self.transpose():
                base = base.T if isinstance(base, sp.MatrixBase) else base
                continue
            op = self.take()
            self.enter()
            if self.at("{") and self.peek().kind == "op" and self.peek().text == "'":
                self.take()
                while self.at("'"):
                    self.take()
                self.expect("}")
                self.depth -= 1
                base = self.derivative_of(base, op)
                continue
            if self.at("{", "("):
                exponent = self.group()
            else:
                exponent = self.factor() if self.at("-", "+") else self.atom()
            self.depth -= 1
            return self.raised(base, exponent, op)
        return base

    def transpose(self) -> bool:
        """``^T``, ``^{T}``, ``^\\top``, ``^t x``: a transpose, which a scalar does not need."""
        nxt = self.peek()
        if nxt.kind == "op" and nxt.text == "T" or (
            nxt.kind == "word" and nxt.text == "T" and "T" not in self.vocab
        ):
            self.take()
            self.take()
            return True
        if nxt.kind == "op" and nxt.text == "{":
            inner, close = self.peek(2), self.peek(3)
            if (inner.text in ("T", "\\top") or inner.kind == "op" and inner.text == "T") and \
                    close.kind == "op" and close.text == "}" and "T" not in self.vocab:
                self.i += 4
                return True
        return False

    def raised(self, base: sp.Expr, exponent: sp.Expr, op: Tok) -> sp.Expr:
        if isinstance(base, sp.MatrixBase) or isinstance(exponent, sp.MatrixBase):
            raise self.fail("a vector or matrix raised to a power", op)  # fuzz seed 14,015,716
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
        if isinstance(value, sp.MatrixBase):
            return value
        if (
            value.is_Rational
            and (abs(value.p).bit_length() + value.q.bit_length()) * 0.302 > MAX_NUMBER_DIGITS
        ):
            raise self.fail(f"number too large (limit {MAX_NUMBER_DIGITS} digits)", tok)
        if not isinstance(value, sp.Piecewise) and value.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
            raise self.fail("the result is undefined or not a real number", tok)
        return value


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
                return self.differential_operator()
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
            if isinstance(inner, sp.Abs):  # ||beta||: a norm of a scalar
                self.norm_index()
                return inner
            return sp.Abs(inner)
        if t.kind == "op" and t.text == "begin:cases":
            return self.cases()
        if t.kind == "op" and t.text == "lbrace" and self.peek().text in ("begin:matrix", "begin:cases"):
            self.take()
            value = self.cases(opener=self.take().text)
            if self.at("rbrace"):
                self.take()
            return value
        if t.kind == "op" and t.text == "begin:matrix":
            return self.matrix()
        if t.kind == "op" and t.text in ("(", "[", "{", "lbrace"):
            return self.group()
        if t.kind == "op" and t.text == "dots":
            raise Skip("'...' stands for terms not written: not checked")
        raise self.fail(f"expected an expression, found {t.shown()}")

    # --- names --------------------------------------------------------------------------


    # --- derivatives --------------------------------------------------------------------


