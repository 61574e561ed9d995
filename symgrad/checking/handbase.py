"""The shared pieces of the hand-derivation reader: limits, token sets, the results of reading
a row (:class:`Part`, :class:`Reading`), the signals a row can raise (:class:`FreeIndex`,
:class:`GenericRule`, ...) and small helpers."""

from __future__ import annotations

import sympy as sp
from sympy.matrices.exceptions import ShapeError

from symgrad.checking.handlex import Tok
from symgrad.reader.expression import symbol
from symgrad.records import field, record

CLOSERS = {"(": ")", "[": "]", "{": "}", "lbrace": "rbrace", "lbar": "rbar", "|": "|"}
MAX_DEPTH = 60  # nesting of groups, bars, calls, fractions and exponents


MAX_WORK = 40_000  # tokens read in one row, counting every instance of a sum's body


_STARTS = frozenset({"num", "word", "fn", "d", "ind", "cs"})


RELATIONS = (">", "<", ">=", "<=", "!=")


SEPARATORS = ("=", "~=", "<-", ":=", "=>", "propto")


_CONDITION_WORDS = frozenset(("if", "for", "when", "where", "whenever", "with", "otherwise",
                              "else", "and", "wrt"))


_GREEK_ALIASES = {"lambda": ("lam", "lmbda", "lamda", "lmb"), "epsilon": ("eps",),
                  "varepsilon": ("eps", "epsilon"), "varphi": ("phi",), "vartheta": ("theta",),
                  "sigma": ("s",), "delta": ("d",), "Delta": ("D",)}  # fmt: skip


#: The function a bare operator (``\\frac{\\delta}{\\delta m} = ...``) differentiates: the loss.
MAIN = symbol("__main__")


class DifferentialSymbol(sp.Symbol):
    """``dx`` standing alone (``df = f'(x)\\,dx``): the differential of a name."""

    def __new__(cls, name: str):
        obj = super().__new__(cls, f"d[{name}]", real=True)
        obj.var = name
        return obj

    def _latex(self, printer) -> str:  # printed as written: dm, not the symbol's name d[m]
        return rf"\mathrm{{d}}{printer._print(sp.Symbol(self.var))}"

    def _sympystr(self, printer) -> str:
        return f"d{self.var}"

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


@record
class Part:
    """One side of a chain: the expression (None when the row starts with ``=``)."""

    expr: sp.Expr | None
    pos: int
    decimals: int  # most decimal places of any number literal written (0: none)
    numbers: bool  # a number literal was written (a substitution line)
    separator: str  # what came before it: "", "=", "~=", "<-", ":=", "=>", "propto"
    relation: bool = False  # a condition such as ``z > 0``, not a value


@record(frozen=False)
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
    elided: bool = False  # a matrix with entries left out: only its first entries are known


_LOSS_LETTERS = frozenset(("L", "J", "E", "e", "C", "ell", "Loss", "loss", "Cost", "cost", "Error",
                           "error", "l"))


_FUNCTIONS_WORDS = frozenset(("sigma", "log", "exp", "tanh", "sin", "cos", "max", "min"))


_PARAM_MARKS = frozenset(("theta", "w", "W", "beta", "phi", "Theta", "bold", "delta", "pred"))


def closing_brace(toks: list[Tok], k: int) -> int:
    """The index of the ``}`` that closes the ``{`` at toks[k] (the end token's if none does)."""
    depth = 0
    while toks[k].kind != "end":
        if toks[k].kind == "op" and toks[k].text == "{":
            depth += 1
        elif toks[k].kind == "op" and toks[k].text == "}":
            depth -= 1
            if depth == 0:
                return k
        k += 1
    return k


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
            if isinstance(t, sp.MatrixBase) and isinstance(total, sp.MatrixBase) and \
                    t.shape == total.shape[::-1] and 1 in t.shape:
                t = t.T  # a row and a column of the same length: the same vector
            try:
                total = total + t
            except TypeError:  # a vector plus a number: the row is unreadable (the reader
                raise ShapeError("a vector or matrix added to a number") from None  # says so)
        return total
    return sp.Add(*terms)


def _mul(a, b):
    if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.cols == 1 and \
            a.rows == b.rows and b.cols > 1:
        a = a.T  # x W1: a vector times a matrix is the row times the matrix
    elif isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.rows == 1 and \
            b.cols == 1 and 1 < a.cols != b.rows > 1:
        a, b = a.T, b.T  # h1^T \nabla loss with h1 and \nabla loss rows: the outer product
    out = a * b
    if isinstance(out, sp.MatrixBase) and out.shape == (1, 1):
        return out[0, 0]  # (y - X beta)^T (y - X beta): a row times a column is a number
    return out


def _at(expr: sp.Expr, var: sp.Expr, value: sp.Expr) -> sp.Expr:
    from symgrad.checking.scope import At

    return At(expr, var, value)


def _subscripted(t, pieces, bind) -> str | None:
    """The name of a function written with a subscript (``l_2``, ``f_{ab}``), or None when the
    subscript is an index of this row (``f_i`` in a sum over i) or not a plain name."""
    if not pieces or t.kind != "word" or any(not p.isalnum() or p in bind for p in pieces):
        return None
    return f"{t.names[0]}_{''.join(pieces)}"
