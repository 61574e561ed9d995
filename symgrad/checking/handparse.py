"""Read one row of a hand derivation (LaTeX as people type it, or plain text) into SymPy.

A grammar, never ``eval`` or SymPy's LaTeX parsers (they read ``\\operatorname{sign}`` as a
product of letters). Loosest binding first::

    row     := part (SEP part)* [condition-tail]        SEP: = \\approx \\leftarrow := \\implies
    part    := sum [(< | > | <= | >= | != ) sum]...     (a relation is a condition)
    sum     := ['+'|'-'] term (('+'|'-') term)* [\\over sum]
    term    := factor (('*' | '\\cdot' | '/' | '.') factor | factor)*   (juxtaposed: times)
    factor  := ('+'|'-')* power
    power   := atom ['^' exponent]                      (^T, ^\\top: a transpose, dropped)
    atom    := number | name [call] | function call | group | |sum| | \\frac | \\sqrt | \\sum
             | \\nabla | indicator | Leibniz | cases | vector

Names resolve through a :class:`~symgrad.checking.scope.Scope`: ``\\hat{y}`` is ``yhat``,
``w_{1}`` is ``w1`` or ``w_1``, ``mx`` is ``m*x`` when only ``m`` and ``x`` exist, ``h_\\theta``
is ``h_theta`` (or ``h``), ``J(\\theta_0, \\theta_1)`` is the quantity ``J``. Index notation
(``x_i``, ``x^{(i)}``, ``\\sum_{i=1}^m``) is resolved against numbered names: a row whose
indices are free (``\\frac{\\partial L}{\\partial z_j} = ...``) is read once for every value
they can take (:func:`read_row`). Leibniz derivatives become :class:`Leibniz` symbols,
operator forms (``\\frac{d}{dm}(...)``) unevaluated ``Derivative`` nodes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sympy as sp

from symgrad.checking.handcommands import CLOSERS, Commands
from symgrad.checking.handlex import Tok, error, tokenize
from symgrad.checking.scope import INDEX_LETTERS, MAX_INSTANCES, RATE_NAMES, Scope
from symgrad.errors import ParseError
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import MAX_NUMBER_DIGITS, MAX_POWER_EXPONENT, symbol

MAX_DEPTH = 60  # nesting of groups, bars, calls, fractions and exponents
MAX_WORK = 40_000  # tokens read in one row, counting every instance of a sum's body
_STARTS = frozenset({"num", "word", "fn", "d", "ind", "cs"})
RELATIONS = (">", "<", ">=", "<=", "!=")
SEPARATORS = ("=", "~=", "<-", ":=", "=>", "propto")
_CONDITION_WORDS = frozenset(("if", "for", "when", "where", "whenever", "with", "otherwise",
                              "else", "and", "wrt"))
_GREEK_ALIASES = {"lambda": ("lam", "lmbda", "lamda", "lmb"), "epsilon": ("eps",),
                  "varepsilon": ("eps", "epsilon"), "varphi": ("phi",), "vartheta": ("theta",),
                  "sigma": ("s",), "delta": ("d",)}  # fmt: skip
#: The function a bare operator (``\\frac{\\delta}{\\delta m} = ...``) differentiates: the loss.
MAIN = symbol("__main__")


class Differential(sp.Symbol):
    """``dx`` standing alone (``df = f'(x)\\,dx``): the differential of a name."""

    def __new__(cls, name: str):
        obj = super().__new__(cls, f"d[{name}]", real=True)
        obj.var = name
        return obj

    def __getnewargs_ex__(self):
        return ((self.var,), {})


class FreeIndex(Exception):
    """An index letter (``i`` in ``x_i``) that nothing binds: the row is read for each value."""

    def __init__(self, letter: str):
        super().__init__(letter)
        self.letter = letter


class IndexMiss(Exception):
    """A name with an index bound to a value that does not exist (``x_0`` when x_1.. exist)."""


class GenericRule(Exception):
    """The row speaks of functions that are not in the problem (``f(t) = [g(t)]^2``)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class Question(Exception):
    """The row asks (``\\frac{dL}{dm} = ?``)."""


class Skip(Exception):
    """The row states something symgrad does not check (``\\pm 1``: two values)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Part:
    """One side of a chain: the expression (None when the row starts with ``=``)."""

    expr: sp.Expr | None
    pos: int
    decimals: int  # most decimal places of any number literal written (0: none)
    numbers: bool  # a number literal was written (a substitution line)
    separator: str  # what came before it: "", "=", "~=", "<-", ":=", "=>", "propto"
    relation: bool = False  # a condition such as ``z > 0``, not a value


@dataclass
class Reading:
    """A row read once (for one value of each free index)."""

    parts: list[Part]
    conditions: list = field(default_factory=list)  # ", \\quad i = j", "if x > 0"
    binding: dict = field(default_factory=dict)  # free index -> value
    dummies: frozenset = frozenset()  # letters standing for any number (``\\sigma(x)``)
    rates: frozenset = frozenset()  # learning-rate symbols met (``\\alpha``, ``\\eta``)
    next_step: bool = False  # a name written as the next iterate (``m_{k+1}``)
    lhs_call: tuple | None = None  # (name, args) when the row starts ``NAME(args)``
    copies: bool = False  # a sum over examples the problem does not have (all terms alike)


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
        except FreeIndex as e:
            if e.letter in free or len(free) >= 3:
                raise error(doc, start, f"cannot resolve the index {e.letter!r}") from None
            free.append(e.letter)
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
        if any(c is sp.false for c in reading.conditions):
            continue  # ", \quad i = j" with i != j: this instance states nothing
        reading.conditions = [c for c in reading.conditions if c is not sp.true]
        out.append(reading)
    return out


def _known(word: str, scope: Scope, dummies) -> bool:
    """A word that is a name here: in scope, a numbered family's base, a dummy, or e."""
    return bool(word in scope.names or scope.family(word) or word in dummies or
                word in scope.functions or (word == "e" and "e" not in scope.names))


def _spelled(word: str, scope: Scope, dummies) -> list[str] | None:
    """``ye`` as ['y', 'e'], ``mX`` as ['m', 'X']: known names written together, longest first."""
    if not word:
        return []
    for k in range(len(word), 0, -1):
        if _known(word[:k], scope, dummies):
            rest = _spelled(word[k:], scope, dummies)
            if rest is not None:
                return [word[:k], *rest]
    return None


def _prepared(toks: list[Tok], scope: Scope, dummies) -> list[Tok]:
    """Rewrite what the grammar would otherwise misread, once, before parsing (so every token
    index the parser keeps stays valid): transposes (``w^Tx_i`` is w x_i), a power or
    subscript on the last of several letters (``ye^{-x}`` is y e^{-x}), and a bare subscript
    longer than one character when it is not a name (``x_iw_i`` is x_i w_i)."""
    out: list[Tok] = []
    k = 0
    n = len(toks)
    while k < n:
        t = toks[k]
        nxt = toks[k + 1] if k + 1 < n else None
        if t.kind == "cs" and t.text == "frac" and nxt is not None and nxt.kind == "num" and \
                len(nxt.text) >= 2 and nxt.text.isdigit():
            out.append(t)  # \frac12 is 1/2: each argument one character
            out.append(Tok("num", nxt.text[0], nxt.pos, value=sp.Integer(nxt.text[0])))
            out.append(Tok("num", nxt.text[1:], nxt.pos + 1, value=sp.Integer(nxt.text[1:])))
            k += 2
            continue
        if t.kind == "op" and t.text == "^" and nxt is not None and out:
            if nxt.kind == "op" and nxt.text == "T" or (nxt.kind == "word" and nxt.text == "T"
                                                         and "T" not in scope.names):
                k += 2  # ^T, ^\top: a transpose
                continue
            if nxt.kind == "op" and nxt.text == "{" and k + 3 < n and toks[k + 3].text == "}" and \
                    (toks[k + 2].text == "T" and "T" not in scope.names or
                     toks[k + 2].kind == "op" and toks[k + 2].text == "T"):
                k += 4  # ^{T}
                continue
            if nxt.kind == "word" and nxt.text[0] in "tT" and len(nxt.text) > 1 and \
                    nxt.text not in scope.names and _spelled(nxt.text[1:], scope, dummies):
                out.append(Tok("word", nxt.text[1:], nxt.pos + 1, names=(nxt.text[1:],)))
                k += 2  # w^Tx_i: the transpose glued to the next name
                continue
        if t.kind == "word" and len(t.names) == 1 and len(t.text) > 1 and \
                not t.text.startswith("\\") and t.text not in scope.vocab() and \
                nxt is not None and nxt.kind == "op" and nxt.text in ("^", "_", "(", "'") and \
                not (out and out[-1].kind == "op" and out[-1].text in ("_", "^")):
            parts = _spelled(t.text, scope, dummies)
            if parts and len(parts) > 1 and not t.text.startswith("d"):
                pos = t.pos
                for p in parts:  # ye^{-x}: the power belongs to e
                    out.append(Tok("word", p, pos, names=(p,)))
                    pos += len(p)
                k += 1
                continue
        if t.kind == "op" and t.text == "_" and nxt is not None and nxt.kind == "word" and \
                len(nxt.text) > 1 and not nxt.text.startswith("\\") and out and \
                out[-1].kind == "word":
            base = out[-1].names[0]
            whole = [f"{base}_{nxt.text}", base + nxt.text]
            rest = nxt.text[1:]
            if not any(w in scope.names for w in whole) and (
                    _known(rest, scope, dummies) or _spelled(rest, scope, dummies) or
                    rest in _FUNCTIONS_WORDS):
                out.append(t)  # x_iw_i: x_i then w_i
                out.append(Tok("word", nxt.text[0], nxt.pos, names=(nxt.text[0],)))
                out.append(Tok("word", rest, nxt.pos + 1, names=(rest,)))
                k += 2
                continue
        out.append(t)
        k += 1
    return out


def _dummies(toks: list[Tok], scope: Scope) -> frozenset[str]:
    """Letters the row declares on its left side: ``\\sigma(x)``, ``\\frac{d|x|}{dx}``, ``f(t)``."""
    names = scope.inputs | scope.quantities  # a document's own z may be a dummy here
    out = set()
    end = next((k for k, t in enumerate(toks) if t.kind == "op" and t.text in SEPARATORS),
               len(toks))
    for k in range(end):
        t = toks[k]
        if t.kind == "word" and len(t.text) == 1 and t.text not in names and t.text.isalpha():
            prev = toks[k - 1] if k else None
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if prev is not None and (prev.kind == "d" or prev.kind == "op" and prev.text in ("(", ",")
                                     and nxt is not None and nxt.kind == "op"
                                     and nxt.text in (")", ",")):
                out.add(t.text)
        if t.kind == "word" and t.text.startswith("d") and len(t.text) == 2 and t.text[1] not in names:
            prev = toks[k - 1] if k else None
            if prev is not None and prev.kind == "op" and prev.text == "{":
                out.add(t.text[1])  # \frac{d|x|}{dx}
    return frozenset(out)


class _Parser(Commands):
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
        self.counts = set(scope.counts) - self.vocab
        if any(t.kind == "cs" and t.text == "sum" for t in toks):
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
        parts = self.row()
        return Reading(parts, self.conditions, dict(self.bind), frozenset(self.dummies),
                       frozenset(self.rates), self.next_step, self.lhs_call, self.copies)

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
                expr, relation = self.relation_part()
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

    def skip_wrt(self) -> None:
        """``d_x, wrt x``, ``w.r.t. m``: a note on the variable, already written."""
        k = self.i
        if self.at(","):
            k += 1
        t = self.toks[k]
        if t.kind == "word" and t.text.lower() in ("wrt", "w"):
            j = k + 1
            if t.text == "w":  # w.r.t.
                dots = [u.text for u in self.toks[k + 1 : k + 5]]
                if dots != [".", "r", ".", "t"] and dots[:4] != [".", "r", ".", "t"]:
                    return
                j = k + 5 + (self.toks[k + 5].text == ".")
            if self.toks[j].kind == "word":
                self.i = j + 1

    def condition_tail(self) -> None:
        """``, \\quad i = j``, ``\\text{if } x > 0``, ``\\text{otherwise}`` after a value."""
        while self.at(",", "&", "if") or self.at_word(*_CONDITION_WORDS):
            self.take()
        if self.at("otherwise") or self.at_word("otherwise", "else"):
            self.take()
            return
        if self.tok.kind == "end":
            return
        cond = self.condition()
        self.conditions.append(cond)
        while self.at(",", "and") or self.at_word("and"):
            self.take()
            if self.tok.kind == "end":
                return
            self.conditions.append(self.condition())

    def condition(self) -> sp.Basic:
        """A relation or a chain of them: ``x > 0``, ``i = j``, ``0 < x < 1``, ``i \\ne j``."""
        left = self.part()
        out = []
        while self.at(*RELATIONS, "=", "in"):
            op = self.take().text
            if op == "in":
                raise self.fail("set membership is not supported in a condition")
            right = self.part()
            out.append(_relation(op, left, right))
            left = right
        if not out:
            raise self.fail(f"expected a condition such as x > 0, found {self.tok.shown()}")
        return sp.And(*out) if len(out) > 1 else out[0]

    def relation_part(self) -> tuple[sp.Expr, bool]:
        """A value, or a relation such as ``y_{pred} > y_{true}`` (a condition, not a value)."""
        value = self.part()
        if not self.at(*RELATIONS):
            return value, False
        rel = []
        while self.at(*RELATIONS):
            op = self.take().text
            right = self.part()
            rel.append(_relation(op, value, right))
            value = right
        return (sp.And(*rel) if len(rel) > 1 else rel[0]), True

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
        value = self.factor()
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
        base = self.atom()
        while self.at("^"):
            if self.transpose():
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

    def group(self) -> sp.Expr:
        """``( part )`` with any opener; ``[ a > b ]`` is an Iverson bracket (an indicator);
        ``(a, b)`` is a vector; ``{\\delta L \\over \\delta x}`` a derivative."""
        if self.at("{"):
            over = self.over_at()
            if over is not None:
                start, close = self.i + 1, over[1]
                save = self.i
                got = self.derivative_fraction(start, over[0], over[0] + 1, close, self.tok, close + 1)
                if got is not None:
                    return got
                self.i = save
        self.enter()
        tok = self.take()
        close = CLOSERS[tok.text]
        outer_bars, self.bars = self.bars, 0
        inner = self.part()
        if self.at(*RELATIONS):
            inner = self.iverson(inner)
        elif self.at(",") and tok.text in ("(", "["):
            items = [inner]
            while self.at(","):
                self.take()
                items.append(self.part())
            inner = sp.ImmutableMatrix(items)
        self.bars = outer_bars
        if (self.tok.kind == "end" or self.at(*SEPARATORS)) and close == ")" and \
                self.depth <= 2 and tok.value != "sized":
            pass  # "(\log(1-\hat y)" left open at the end of the line (or at '='): closed there
        elif self.at(close) or close == "}" or not self.lenient_close(close):
            closer = self.expect(close, f" to close {tok.text!r} at column {self.col(tok)}")
            if tok.value == "sized" and closer.value != "sized" and self.at(close) and \
                    self.tok.value == "sized":
                self.take()  # \left( a) \right): a stray ')' before the \right), the author's
        self.depth -= 1
        return inner

    def over_at(self) -> tuple[int, int] | None:
        """(index of \\over, index of the closing brace) inside the ``{`` here, or None."""
        depth, k, over = 0, self.i, None
        while self.toks[k].kind != "end":
            u = self.toks[k]
            if u.kind == "op" and u.text == "{":
                depth += 1
            elif u.kind == "op" and u.text == "}":
                depth -= 1
                if depth == 0:
                    return (over, k) if over is not None else None
            elif u.kind == "op" and u.text == "over" and depth == 1:
                over = k
            k += 1
        return None

    def lenient_close(self, close: str) -> bool:
        """A ``(`` left open at the end of a ``{...}`` argument: ``\\frac{\\partial \\log(h(x)}{...}``
        (the author's typo) closes there. True when that is the case (nothing is taken)."""
        return close == ")" and self.at("}")

    def iverson(self, left: sp.Expr) -> sp.Expr:
        """``a > b`` as the indicator 1[a - b > 0] (``>=`` counts the tie as 1)."""
        op = self.take().text
        right = self.part()
        if op == "!=":
            raise self.fail("expected a comparison such as u > 0 in the indicator")
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
    def subscript(self) -> list[str] | None:
        """The subscript's pieces: ``w_{1,2}`` -> ['1', ',', '2'], ``h_\\theta`` -> ['theta']."""
        if not self.at("_"):
            return None
        self.take()
        if self.at("{"):
            start = self.take()
            words: list[str] = []
            depth = 0
            while True:
                tok = self.tok
                if tok.kind == "op" and tok.text == "}" and depth == 0:
                    break
                if tok.kind == "end":
                    self.expect("}", f" to close the subscript at column {self.col(start)}")
                if tok.kind == "op" and tok.text == "{":
                    depth += 1
                elif tok.kind == "op" and tok.text == "}":
                    depth -= 1
                if tok.kind == "op" and tok.text in ("{", "}", "(", ")"):
                    self.take()
                    continue
                if tok.kind not in ("word", "num", "fn") and not (
                        tok.kind == "op" and tok.text in (",", "-", "+", "!=")):
                    raise self.fail(f"cannot read the subscript at {tok.shown()}")
                self.take()
                piece = _piece(tok)
                if tok.kind == "word" and 1 < len(piece) <= 3 and piece not in self.vocab and \
                        all(c in INDEX_LETTERS for c in piece) and \
                        not any(v.endswith("_" + piece) for v in self.vocab):
                    words.extend(piece)  # w_{jk}: the indices j and k
                else:
                    words.append(piece)
            self.take()
            return words or None
        if self.tok.kind in ("word", "num", "fn"):
            tok = self.take()
            piece = _piece(tok)
            return [piece]
        raise self.fail("expected a subscript")

    def power_before_subscript(self) -> None:
        """``\\theta^2_j``: LaTeX puts the subscript on the base; move it before the power."""
        if not self.at("^"):
            return
        k = self.i + 1
        if self.toks[k].kind == "op" and self.toks[k].text == "{":
            depth = 0
            while self.toks[k].kind != "end":
                if self.toks[k].kind == "op" and self.toks[k].text == "{":
                    depth += 1
                elif self.toks[k].kind == "op" and self.toks[k].text == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
        if self.toks[k].kind == "end":
            return
        if k == self.i + 1 and self.toks[k].kind == "word" and len(self.toks[k].text) > 1:
            return  # W^tx_i: the transpose glued to x_i, not a power
        u = k + 1
        if not (self.toks[u].kind == "op" and self.toks[u].text == "_"):
            return
        v = u + 1
        if self.toks[v].kind == "op" and self.toks[v].text == "{":
            depth = 0
            while self.toks[v].kind != "end":
                if self.toks[v].kind == "op" and self.toks[v].text == "{":
                    depth += 1
                elif self.toks[v].kind == "op" and self.toks[v].text == "}":
                    depth -= 1
                    if depth == 0:
                        break
                v += 1
        power, sub = self.toks[self.i : k + 1], self.toks[u : v + 1]
        self.toks = [*self.toks[: self.i], *sub, *power, *self.toks[v + 1 :]]

    def index_superscript(self, base_names: tuple[str, ...]) -> list[str] | None:
        """``x^{(i)}``, ``y^i`` (an index, not a power); None when it is a power."""
        if not self.at("^"):
            return None
        nxt = self.peek()
        # ^{(i)} or ^(i)
        seq = [self.peek(k) for k in range(1, 6)]
        texts = [u.text for u in seq]
        if texts[:5] == ["{", "(", texts[2], ")", "}"] and seq[2].kind in ("word", "num"):
            self.i += 6
            return [_piece(seq[2])]
        more = [self.peek(k).text for k in range(1, 8)]
        if more[:2] == ["{", "("] and more[3:7] == ["+", "1", ")", "}"] and more[2] in ("t", "k", "n"):
            self.i += 8  # W^{(t+1)}: the next iterate
            return [more[2], "+", "1"]
        if texts[:3] == ["(", texts[1], ")"] and seq[1].kind == "word" and len(seq[1].text) == 1:
            self.i += 4
            return [seq[1].text]
        if nxt.kind == "word" and len(nxt.text) == 1 and nxt.text in INDEX_LETTERS and \
                nxt.text not in self.vocab and (nxt.text in self.bind or any(
                    self.scope.family(b) for b in base_names)):
            self.i += 2  # y^i: the i-th y
            return [nxt.text]
        if texts[:3] == ["{", texts[1], "}"] and seq[1].kind == "word" and len(seq[1].text) == 1 \
                and seq[1].text in INDEX_LETTERS and seq[1].text not in self.vocab and \
                (seq[1].text in self.bind or any(self.scope.family(b) for b in base_names)):
            self.i += 4
            return [seq[1].text]
        return None

    def name(self) -> sp.Expr:
        if self.labels:  # an argument that only says what a function depends on
            save = self.i
            try:
                return self.plain_name()
            except (ParseError, FreeIndex, IndexMiss, GenericRule):
                self.i = save
                t = self.take()
                self.subscript()
                self.index_superscript(t.names)
                return sp.Symbol(f"label:{t.names[0]}")
        return self.plain_name()

    def plain_name(self) -> sp.Expr:
        t = self.take()
        if t.kind == "word" and t.text in _CONDITION_WORDS and t.text not in self.vocab:
            raise self.fail(f"unexpected word {t.text!r}", t)
        self.power_before_subscript()
        sup = self.index_superscript(t.names)
        sub = self.subscript()
        if sup is None:
            sup = self.index_superscript(t.names)
        if sub is not None and self.at("^") and sup is None:
            sup = self.index_superscript(t.names)
        pieces = (sub or []) + (sup or [])

        if not pieces and t.text in self.counts and t.kind == "word" and not self.labels:
            return self.count(t.text)  # m in \frac{1}{m}\sum_{i=1}^{m}
        fname = t.names[0] if not pieces else None
        if fname in self.scope.functions and fname not in self.vocab:
            if self.scope.functions[fname].line > self.scope.line:
                raise GenericRule(fname)  # used before the line that defines it: abstract
            return self.after_name(fname, t)
        if self.scope.opened is not None and pieces and self.toks[0] is t and self.at("("):
            # reading the document's problem: h_\theta(x) = ... defines h
            kept = [p for p in pieces if p not in _PARAM_MARKS and p not in self.bind]
            fname = t.names[0] + (f"_{''.join(kept)}" if kept else "")
        if (fname is not None and self.toks[0] is t and self.at("(") and fname not in self.vocab
                and self.defines_function() and self.resolve(t, []) is None):
            self.function_def = True
            args = self.arguments()  # g(w) = w x: the document defines g
            self.lhs_call = (fname, tuple(args))
            return sp.Symbol(f"function:{fname}")
        if t.text in ("d", "D") and t.text not in self.vocab and sub and len(sub) == 1:
            var = self.lookup_param(sub)  # d_x, wrt x: the derivative by x
            if var is not None:
                return self.apply_derivative(var)
        if not pieces and t.names[0] in self.dummies and \
                t.names[0] not in self.scope.inputs | self.scope.quantities and \
                (self.function_def or not self.scope.family(t.names[0])):
            return symbol(t.names[0])  # ReLU'(z) = ..., s(x) = ...: this row's own letter
        partial = self.partial_subscript(t, pieces)
        if partial is not None:
            return partial
        found = self.resolve(t, pieces)
        if found is not None and self.scope.def_lines.get(found, 0) > self.scope.line and \
                self.at("(", "'"):
            raise GenericRule(found)  # h(x) = f(g(x)) before f(x) = x^2 is defined: abstract f
        if found is not None:
            return self.after_name(found, t)
        if t.kind == "word" and t.text.startswith("d") and len(t.text) > 1 and not pieces and \
                not self.at("/"):
            rest = t.text[1:]
            name = rest if rest in self.vocab or rest in self.dummies else None
            if name is not None:
                return Differential(name)  # df = f'(x) dx
        if self.toks[0] is t and self.at("=", ":=") and t.kind == "word" and \
                t.names[0] not in _CONDITION_WORDS:  # u = ...: the row defines a new name
            return symbol(t.names[0] + (f"_{''.join(pieces)}" if pieces else ""))
        if pieces and t.kind == "word" and len(t.text) > 1 and not t.text.startswith("\\"):
            for k in range(1, len(t.text)):  # mx_n: m times x_n
                head = self.split(t.text[:-k])
                last = Tok("word", t.text[-k:], t.pos + len(t.text) - k, names=(t.text[-k:],))
                got = self.resolve(last, pieces) if head else None
                if got is not None:
                    return sp.Mul(*[symbol(p) for p in head]) * self.after_name(got, last)
        if not pieces and len(t.names) == 1 and t.text.isalnum():
            if t.text in self.counts or t.text in self.scope.counts and t.text not in self.vocab:
                return self.count(t.text)
            if len(t.text) == 1 and t.text in self.bind and self.bind[t.text] is not None:
                return sp.Integer(self.bind[t.text])  # a bare index: i = j
            parts = self.split(t.text)
            if parts:
                return sp.Mul(*[sp.E if p == "e" and "e" not in self.vocab else symbol(p)
                                for p in parts])
            if t.text in self.dummies or t.text in RATE_NAMES:
                if t.text in RATE_NAMES:
                    self.rates.add(t.text)
                return self.after_name(t.text, t)
            if t.text == "e":
                return sp.E
        if not pieces and t.names and t.names[0] in RATE_NAMES:
            self.rates.add(t.names[0])
            return symbol(t.names[0])
        if not pieces and t.names and t.names[0] in self.dummies:
            return self.after_name(t.names[0], t)
        if t.text == "D" and not pieces and self.at("(") and len(self.scope.params) == 1:
            args = self.arguments()  # D(\sigma(w^T z)): the derivative by the one parameter
            if len(args) == 1:
                return sp.Derivative(args[0], symbol(self.scope.params[0]), evaluate=False)
        if self.at("(", "'") and (t.names[0] not in self.vocab):
            raise GenericRule(t.names[0])
        if self.scope.opened is not None and t.kind == "word" and \
                t.names[0] not in _CONDITION_WORDS:
            kept = [p for p in pieces if p not in self.bind]  # x^{(i)} in a sum: x
            name = t.names[0] + (f"_{''.join(kept)}" if kept else "")
            if not kept and len(t.text) == 2 and t.text.isalpha() and t.text.islower():
                self.scope.opened.update(t.text)  # mx: m times x
                self.vocab = self.scope.names
                return symbol(t.text[0]) * symbol(t.text[1])
            if name.replace("_", "").isalnum():
                self.scope.opened.add(name)  # reading the document's own problem
                self.vocab = self.scope.names
                return symbol(name)
        raise self.unknown(t, pieces)

    def partial_subscript(self, t: Tok, pieces) -> sp.Expr | None:
        """``\\phi_m``: the loss with a parameter as subscript, the partial derivative by it."""
        loss = self.scope.loss
        if len(pieces) != 1 or loss is None or loss not in t.names:
            return None
        var = self.lookup_param(pieces)
        if var is None or var not in self.scope.params:
            return None
        value = Leibniz(symbol(loss), symbol(var), True)
        if self.at("("):  # \phi_m(m_k): at the current iterate, the same thing
            save = self.i
            args = self.arguments()
            if not all(a.is_Symbol for a in args):
                self.i = save
        return value

    def unknown(self, t: Tok, pieces) -> ParseError:
        shown = t.names[0] + (f"_{''.join(pieces)}" if pieces else "")
        known = ", ".join(sorted(self.vocab))
        return self.fail(f"unknown name {shown!r} (the problem's names: {known})", t)

    def count(self, word: str) -> sp.Expr:
        n = self.scope.count_value
        if n is None and self.scope.domain and len(self.scope.domain) > 1:
            n = len(self.scope.domain)
        if n is None:
            return sp.Symbol(word, positive=True, integer=True)
        return sp.Integer(n)

    def resolve(self, t: Tok, pieces: list[str]) -> str | None:
        """The scope name ``t`` with its subscript pieces stands for, or None."""
        names = list(t.names) + [a for n in t.names for a in _GREEK_ALIASES.get(n, ())]
        for drop_params in (False, True):
            for n in names:
                got = self.lookup(n, pieces, drop_params)
                if got is not None:
                    return got
        # the case of the letters: X_1 for x1, W1 for w1, when exactly one name matches
        base = t.names[0]
        if base in self.dummies or not base[:1].isalpha():
            return None
        wanted = {c.lower() for c in _candidates(base, [str(self.bind.get(p, p)) for p in pieces])}
        lower = [v for v in self.vocab if v.lower() in wanted]
        if len(lower) == 1 and base.lower() != base.upper():
            return lower[0]
        return None

    def lookup(self, base: str, pieces: list[str], drop_params: bool) -> str | None:
        vocab = self.vocab
        if drop_params:  # h_\theta, h_{\mathbf{w}}: the parameters a function is written with
            kept = [p for p in pieces if p in self.bind or not (p in self.scope.params or
                                                                  p in _PARAM_MARKS)]
            return self.lookup(base, kept, False) if kept != pieces else None
        pieces = self.layers(pieces)
        if len(pieces) >= 3 and pieces[-2:] == ["+", "1"] and pieces[-3] in ("t", "k", "n"):
            got = self.lookup(base, pieces[:-3], drop_params)  # W_y^{(t+1)}: the next iterate
            if got is not None and got in self.scope.params:
                self.next_step = True
                return got
        concrete, letters = [], []
        for p in pieces:
            if p in self.bind:
                if self.bind[p] is None:
                    continue  # an index dropped: the sum has no numbered names
                concrete.append(str(self.bind[p]))
                letters.append(p)
            else:
                concrete.append(p)
        for name in _candidates(base, concrete):
            if name in vocab:
                for p in letters:
                    self.index_uses[p] = self.index_uses.get(p, 0) + 1
                return name
        if self.next_iterate(base, pieces):
            return base
        # an unbound index letter: read the row for each value, or drop it (y_i is y)
        unbound = [p for p in pieces if len(p) == 1 and p in INDEX_LETTERS and p not in self.bind
                   and p not in vocab]
        family = self.scope.family(base)
        if unbound and letters and len(unbound) < len(pieces):
            rest = [p for p in pieces if p not in unbound]  # w_{jk} in \sum_j: k is fixed
            got = self.lookup(base, rest, drop_params)
            if got is not None:
                return got
        if unbound:
            if family:
                raise FreeIndex(unbound[0])
            rest = [p for p in pieces if p not in unbound]
            if rest != pieces:
                got = self.lookup(base, rest, drop_params)
                if got is not None:
                    return got
        if letters:
            if family:
                raise IndexMiss()
            rest = [p for p in pieces if p not in letters]
            got = self.lookup(base, rest, drop_params) if rest != pieces else None
            if got is not None:
                return got  # y_i with only y: every example has the same y
            if rest:
                raise IndexMiss()
        if not pieces and base in self.scope.indexed:  # z = \theta^T x^{(i)}: one z per example
            letter = self.scope.indexed[base]
            value = self.bind.get(letter, self.bind.get("·"))
            if value is None:
                raise FreeIndex(letter)
            name = f"{base}#{value}"
            return name if name in self.scope.defined else None
        if not pieces and base not in vocab and len(family) == 1 and not self.bind:
            (only,) = family.values()  # y when y2 is the only y: that one
            return only
        if not pieces and base not in vocab and family:
            if self.at("(") and self.peek().kind == "word" and self.peek().text in self.dummies \
                    and self.peek(2).text == ")":
                raise GenericRule(base)  # s(x) with x any number: the function, not s_i
            letter = self.argument_index()
            if letter is not None and self.bind.get(letter) is not None and \
                    self.bind[letter] in family:
                self.force_call = True  # s(w^T x_i) names s_i: the parentheses are its call
                self.index_uses[letter] = self.index_uses.get(letter, 0) + 1
                return family[self.bind[letter]]
            bound = [v for v in self.bind.values() if v is not None and v in family]
            if bound:
                for p, v in self.bind.items():
                    if v == bound[-1]:
                        self.index_uses[p] = self.index_uses.get(p, 0) + 1
                return family[bound[-1]]  # y inside \sum_i: the i-th y
            letter = self.argument_index()
            if letter is not None:  # h_\theta(x^{(i)}): the index is the argument's
                if self.bind.get(letter) is not None and self.bind[letter] in family:
                    self.force_call = True  # s(w^T x_i) names s_i: the parentheses are its call
                    return family[self.bind[letter]]
                if letter not in self.bind:
                    raise FreeIndex(letter)
            if not self.bind or all(v is None for v in self.bind.values()):
                raise FreeIndex("·")
            raise IndexMiss()
        if not pieces and "·" in self.bind and family and self.bind["·"] in family:
            return family[self.bind["·"]]
        return None

    def layers(self, pieces: list[str]) -> list[str]:
        """``w_L``, ``a_{L-1}``: the last layer and the ones before it, as numbers (L is the
        largest number any name of the problem ends with)."""
        if not pieces or pieces[0] != "L" or "L" in self.vocab:
            return pieces
        top = max(self.scope.domain or (0,))
        if len(pieces) == 1:
            return [str(top)]
        if len(pieces) == 3 and pieces[1] == "-" and pieces[2].isdigit():
            return [str(top - int(pieces[2]))]
        return pieces

    def argument_index(self) -> str | None:
        """The index letter in the argument list that follows: ``(x^{(i)})``, ``(x_i)``."""
        if not self.at("("):
            return None
        depth, k = 0, self.i
        while self.toks[k].kind != "end":
            u = self.toks[k]
            if u.kind == "op" and u.text == "(":
                depth += 1
            elif u.kind == "op" and u.text == ")":
                depth -= 1
                if depth == 0:
                    return None
            texts = [x.text for x in self.toks[k : k + 5]]
            if texts[:2] == ["^", "{"] and texts[2:3] == ["("] and self.toks[k + 3].kind == "word":
                return self.toks[k + 3].text
            if u.kind == "op" and u.text in ("_", "^") and self.toks[k + 1].kind == "word" and \
                    len(self.toks[k + 1].text) == 1 and self.toks[k + 1].text in INDEX_LETTERS:
                return self.toks[k + 1].text
            k += 1
        return None

    def next_iterate(self, base: str, pieces: list[str]) -> bool:
        """``m_{k+1}``, ``m_k``, ``W^{(t)}``: a parameter at an iteration of gradient descent."""
        if base not in self.scope.params or not pieces:
            return False
        text = "".join(pieces)
        if text in ("k+1", "t+1", "n+1", "new"):
            self.next_step = True
            return True
        return text in ("k", "t", "n", "old", "0") and base in self.scope.params

    def after_name(self, name: str, t: Tok) -> sp.Expr:
        """A name, then maybe its argument list: ``J(\\theta)``, ``f'(1)``, ``s(x)``, or ``a(1-a)``
        (a product)."""
        primes = 0
        while self.at("'"):
            self.take()
            primes += 1
        if self.at("^") and self.peek().text == "{" and self.peek(2).text == "'":
            self.i += 3
            while self.at("'"):
                self.take()
            self.expect("}")
            primes += 1
        fn = self.scope.functions.get(name)
        if fn is not None:
            if not self.at("(", "["):
                raise self.fail(f"expected the arguments of {name}, found {self.tok.shown()}")
            args = self.arguments()
            if self.toks[0] is t and self.lhs_call is None:
                self.lhs_call = (name, tuple(args))
            if len(args) != len(fn.params):
                raise self.fail(f"{name} takes {len(fn.params)} argument(s), got {len(args)}", t)
            value = fn(args)
            if primes:
                if len(args) != 1:
                    raise self.fail(f"write the derivative of {name} with a partial derivative", t)
                u = sp.Dummy("u", real=True)
                value = sp.Derivative(fn([u]), u, evaluate=False)
                value = _at(value, u, args[0])
            return value
        s = symbol(name)
        quantity = self.scope.is_quantity(name) or name in self.scope.args
        if primes and not quantity and name not in self.dummies:
            raise GenericRule(name)
        if not self.at("(") or not (quantity or primes):
            if primes:
                return self.prime(s, name, None, t)
            return s
        save = self.i
        forced, self.force_call = self.force_call, False
        outer, self.labels = self.labels, True  # J(\mathbf{w}), C(X, \beta): what it depends on
        try:
            args = self.arguments()
        finally:
            self.labels = outer
        if forced and not primes:
            return s
        symbols_only = all(a.is_Symbol for a in args)
        if len(args) == 1 and not symbols_only and not primes and not args[0].is_number:
            self.i = save  # a(1 - a): a product
            return s
        if len(args) == 1 and args[0].is_number and not primes and name not in self.scope.args:
            self.i = save  # L(2): a product, unless L was written with its argument
            return s
        if self.i == save:
            return s
        if primes:
            return self.prime(s, name, args, t)
        value = self.applied(s, name, args, t)
        sup = self.index_superscript((name,))
        if sup is not None and sup[0] not in self.bind and self.scope.family(name) == {}:
            pass  # h_\mathbf{w}(x)^{(i)}: the index of the example, already read
        return value

    def defines_function(self) -> bool:
        """At ``(`` after a new name at the start of the row: ``(x) =`` or ``(w, b) :=``."""
        k, depth = self.i, 0
        while k < len(self.toks):
            u = self.toks[k]
            if u.kind == "op" and u.text in ("(", "["):
                depth += 1
            elif u.kind == "op" and u.text in (")", "]"):
                depth -= 1
                if depth == 0:
                    nxt = self.toks[k + 1]
                    return nxt.kind == "op" and nxt.text in ("=", ":=")
            elif u.kind == "end":
                return False
            elif depth == 1 and not (u.kind in ("word", "num") or u.kind == "op" and
                                     u.text in (",", "_", "^", "{", "}")):
                return False
            k += 1
        return False

    def arguments(self) -> list[sp.Expr]:
        opener = self.take()
        close = CLOSERS[opener.text]
        self.enter()
        outer_bars, self.bars = self.bars, 0
        args = [self.part()]
        while self.at(",", ";"):
            self.take()
            args.append(self.part())
        self.bars = outer_bars
        self.expect(close, f" to close {opener.text!r} at column {self.col(opener)}")
        self.depth -= 1
        return args

    def declared(self, name: str) -> tuple[sp.Expr, ...]:
        return self.scope.args.get(name, ())

    def applied(self, s: sp.Symbol, name: str, args: list, t: Tok) -> sp.Expr:
        """A quantity with arguments: ``J(\\theta)``, ``l(z)``, ``h_\\theta(x^{(i)})`` name the
        quantity (what it depends on, as authors write it); ``f(0.3)`` is its value there."""
        if self.toks[0] is t and self.lhs_call is None:
            self.lhs_call = (name, tuple(args))
        if all(a.is_Symbol for a in args):
            return s
        params = self.declared(name)
        if len(params) != len(args):
            raise self.fail(f"{name}({', '.join(map(str, args))}): write {name} with its "
                            f"variable first, such as {name}(x) = ...", t)
        value = s
        for p, a in zip(params, args):
            if a != p:
                value = _at(value, p, a)
        return value

    def prime(self, s: sp.Symbol, name: str, args, t: Tok) -> sp.Expr:
        """``L'(u)``, ``l'(z)``: the derivative by that variable; ``f'(1)``: by the function's
        declared variable, at 1."""
        if args and len(args) == 1 and args[0].is_Symbol and not isinstance(args[0], Leibniz):
            a = args[0]
            if a.name in self.vocab or a.name in self.dummies:
                return Leibniz(s, a, True)
        params = self.declared(name)
        if len(params) != 1:
            if name in self.dummies:
                raise GenericRule(name)
            params = [symbol(p) for p in self.scope.params][:1] if len(self.scope.params) == 1 \
                else []
        if len(params) != 1:
            raise self.fail(f"{name}' needs {name} written with one argument, such as {name}(x) = ...", t)
        var = params[0]
        value = Leibniz(s, var, True) if isinstance(var, sp.Symbol) and var.name in self.vocab \
            else sp.Derivative(s, var, evaluate=False)
        if args and len(args) == 1 and args[0] != var:
            value = _at(value, var, args[0])
        return value

    def split(self, word: str) -> list[str] | None:
        """``mx`` as ``m*x``: the word as known names written together, longest first
        (``mX`` inside ``\\sum_i`` is m times the i-th X)."""
        if not word:
            return []
        if len(word) > 12:
            return None
        for k in range(len(word), 0, -1):
            head = word[:k]
            name = head if head in self.vocab else None
            if name is None and self.scope.family(head) and k < len(word) + 1:
                try:
                    name = self.lookup(head, [], False)
                except (FreeIndex, IndexMiss):
                    if k == len(word):
                        raise
                    name = None
            if name is None and head == "e" and "e" not in self.vocab:
                name = "e"
            if name is not None:
                rest = self.split(word[k:])
                if rest is not None:
                    return [name, *rest]
        return None

    # --- derivatives --------------------------------------------------------------------
    def loss_letter(self, word: str) -> str | None:
        """``dL`` when the loss is called Loss: L, J, E, C and their kin name the loss."""
        if word in self.vocab or word not in _LOSS_LETTERS or self.scope.loss is None:
            return None
        return self.scope.loss

    def diff_name(self) -> str | None:
        """A name right after a differential (``\\partial \\hat{y}``, ``d w_1``, ``\\partial{p_j}``)."""
        t = self.tok
        save = self.i
        braced = False
        if self.at("{") and self.peek().kind == "word" and self.peek(2).text in ("}", "_", "^"):
            braced = True
            self.take()
            t = self.tok
        if t.kind != "word":
            self.i = save
            return None
        self.take()
        sup = self.index_superscript(t.names)
        sub = self.subscript()
        if sup is None:
            sup = self.index_superscript(t.names)
        found = self.resolve(t, (sub or []) + (sup or []))
        if found is None and not sub and not sup and t.text in self.dummies:
            found = t.text
        if found is None and not sub and not sup:
            found = self.loss_letter(t.names[0])
        if found is None and not sub and t.text in RATE_NAMES:
            found = None
        if braced:
            if self.at("}"):
                self.take()
            else:
                found = None
        if found is None or self.at("(", "'"):
            self.i = save
            return None
        return found

    def differential(self) -> tuple[bool, str | None] | None:
        """``\\partial`` / ``d`` / ``\\mathrm{d}`` / ``\\delta``, with the name written with it."""
        t = self.tok
        if t.kind == "d":
            self.take()
            return t.partial, self.diff_name()
        if t.kind == "word" and t.text == "\\delta" and "delta" not in self.vocab:
            self.take()
            return True, self.diff_name()
        if t.kind == "word" and t.text.startswith("d") and len(t.names) == 1:
            if t.text == "d" and "d" not in self.vocab:
                self.take()
                return False, self.diff_name()
            rest = t.text[1:]
            if t.text not in self.vocab and self.loss_letter(rest) and self.peek().text == "/":
                self.take()
                return False, self.loss_letter(rest)
            if t.text not in self.vocab and (rest in self.vocab or rest in self.dummies or
                                             self.peek().text in ("_", "^") or
                                             len(self.scope.family(rest)) == 1 or
                                             [v.lower() for v in self.vocab].count(rest.lower()) == 1):
                save = self.i
                self.take()
                fake = Tok("word", rest, t.pos + 1, names=(rest,))
                sup = self.index_superscript(fake.names)
                sub = self.subscript()
                found = self.resolve(fake, (sub or []) + (sup or []))
                if found is None and rest in self.dummies and not sub:
                    found = rest
                if found is None:
                    self.i = save
                    return None
                return False, found
        return None

    def leibniz(self) -> sp.Expr | None:
        """``dL/dm``, ``\\partial L / \\partial m`` or ``d/dm (...)``; else None, nothing taken."""
        save = self.i
        try:
            top = self.differential()
        except (FreeIndex, IndexMiss):
            raise
        except ParseError:
            self.i = save
            return None
        if top is not None and self.at("/"):
            self.take()
            bottom = self.differential()
            if bottom is not None and bottom[1] is not None:
                if top[1] is not None:
                    return Leibniz(symbol(top[1]), symbol(bottom[1]), top[0])
                return self.apply_derivative(bottom[1])
        self.i = save
        return None

    def differential_operator(self) -> sp.Expr:
        """A lone ``\\partial`` or ``d``: ``\\partial_m L`` or ``d_x`` (the derivative by x)."""
        t = self.take()
        if self.at("_"):
            sub = self.subscript()
            var = self.lookup_param(sub)
            if var is not None:
                return self.apply_derivative(var)
        raise self.fail("expected a derivative such as \\frac{\\partial L}{\\partial m}", t)

    def lookup_param(self, pieces) -> str | None:
        if not pieces:
            return None
        fake = Tok("word", pieces[0], 0, names=(pieces[0],))
        return self.resolve(fake, pieces[1:])

    def apply_derivative(self, var: str) -> sp.Expr:
        """``d/dvar`` applied to the rest of the product it stands in: ``\\frac{d}{dm} 2|u| x``;
        alone (``\\frac{\\partial}{\\partial m} = ...``), the derivative of the loss."""
        if self.tok.kind == "end" or self.at(*SEPARATORS) or self.at(",", ")", "}") or \
                self.at_word("wrt"):
            return Leibniz(MAIN, symbol(var), True)
        self.enter()
        inner = self.term()
        self.depth -= 1
        if inner.is_Symbol and (inner.name in self.vocab or inner.name in self.dummies):
            return Leibniz(inner, symbol(var), True)
        return sp.Derivative(inner, symbol(var), evaluate=False)

    def derivative_of(self, base: sp.Expr, op: Tok) -> sp.Expr:
        """``l^{\\prime}`` written as a power: the derivative of base by its one variable."""
        if base.is_Symbol:
            return self.prime(base, base.name, None, op)
        raise self.fail("expected a function before the prime", op)


_LOSS_LETTERS = frozenset(("L", "J", "E", "C", "ell", "Loss", "loss", "Cost", "cost", "Error",
                           "error", "l"))
_FUNCTIONS_WORDS = frozenset(("sigma", "log", "exp", "tanh", "sin", "cos", "max", "min"))
_PARAM_MARKS = frozenset(("theta", "w", "W", "beta", "phi", "Theta", "bold", "delta", "pred"))


def _piece(tok: Tok) -> str:
    if tok.kind == "op":
        return {",": ",", "-": "-", "+": "+", "!=": "!="}[tok.text]
    if tok.text.startswith("\\") and tok.names:
        return tok.names[0]
    if tok.kind == "word" and tok.names and tok.names[0] != tok.text:
        return tok.names[0]
    return tok.text


def _candidates(base: str, pieces: list[str]) -> list[str]:
    """The names ``base`` with subscript pieces may have: w_{1,2} -> w_1_2, w12, w_12."""
    if not pieces:
        return [base]
    joined = "".join("_" if p == "," else p for p in pieces)
    flat = "".join(p for p in pieces if p != ",")
    out = [f"{base}_{joined}", base + joined, f"{base}_{flat}", base + flat]
    if len(pieces) > 1:
        out.append(base + "_" + "_".join(p for p in pieces if p != ","))
    return out


def _relation(op: str, a: sp.Expr, b: sp.Expr) -> sp.Basic:
    rel = {">": sp.StrictGreaterThan, "<": sp.StrictLessThan, ">=": sp.GreaterThan,
           "<=": sp.LessThan, "=": sp.Eq, "!=": sp.Ne}[op]
    return rel(a, b)


def _add(terms: list) -> sp.Expr:
    if any(isinstance(t, sp.MatrixBase) for t in terms):
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total
    return sp.Add(*terms)


def _mul(a, b):
    return a * b


def _at(expr: sp.Expr, var: sp.Expr, value: sp.Expr) -> sp.Expr:
    from symgrad.checking.scope import At

    return At(expr, var, value)
