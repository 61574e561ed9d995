"""How math and numbers are shown: lazily printed math, lines of relations, number display.

A :class:`Chain` is a line ``a = b ≈ c := d``; the relation between two items is ``=``
only when both are exactly what they denote, ``≈`` when a rounded number is involved, and
``:=`` where a convention chooses a value at a kink. :class:`NumberDisplay` formats each
value once per precision and can recompute an expression from its displayed numbers, so a
line's factors multiply to its shown result.
"""

from __future__ import annotations

import sympy as sp

from symgrad.expr.algebra import replaced
from symgrad.expr.placeholders import Shown
from symgrad.numbers.values import number_latex, number_text
from symgrad.rendering.printing import latex, numeric_latex, plain


class Math:
    """One piece of math in two spellings, LaTeX (``tex``) and plain text (``plain``), printed lazily."""

    __slots__ = ("_expr", "_numeric", "_tex", "_plain", "exact")

    def __init__(self, expr=None, numeric: bool = False, tex: str | None = None,
                 plain_text: str | None = None, exact: bool = True):
        self._expr, self._numeric, self._tex, self._plain = expr, numeric, tex, plain_text
        self.exact = exact  # False for a rounded number: it is then joined by "≈", never "="

    @property
    def eq(self) -> str:
        """The relation that may precede this in LaTeX: ``=``, or ``\\approx`` if rounded."""
        return "=" if self.exact else r"\approx"

    @property
    def eq_plain(self) -> str:
        return "=" if self.exact else "≈"

    @property
    def tex(self) -> str:
        if self._tex is None:
            self._tex = numeric_latex(self._expr) if self._numeric else latex(self._expr)
        return self._tex

    @property
    def plain(self) -> str:
        if self._plain is None:
            self._plain = plain(self._expr)
        return self._plain

    def __repr__(self) -> str:
        return f"Math({self.plain!r})"


def math_of(expr: sp.Basic) -> Math:
    return Math(expr)


def numeric_math_of(expr: sp.Basic) -> Math:
    return Math(expr, numeric=True)


def symbol_of(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


#: Relations between the items of a numeric line: exact, rounded, and a convention's choice.
RELATIONS = {"=": ("=", "="), "~": (r"\approx", "≈"), ":=": (r"\mathrel{:=}", ":=")}


class Chain:
    """A line ``a rel b rel c ...``: the first item, then (relation, item) links.

    ``=`` only joins values that are exactly what they denote; a rounded number anywhere
    makes the next relation ``≈``; a convention's choice at a kink is ``:=``.
    """

    __slots__ = ("first", "links")

    def __init__(self, first: Math, links: list[tuple[str, Math]] | None = None):
        self.first, self.links = first, list(links or [])

    def add(self, rel: str, item: Math) -> None:
        self.links.append((rel, item))

    @property
    def rest(self) -> list[dict]:
        return [{"rel_tex": RELATIONS[r][0], "rel_plain": RELATIONS[r][1], "tex": m.tex,
                 "plain": m.plain} for r, m in self.links]

    @property
    def tex(self) -> str:
        return " ".join([self.first.tex, *(f"{RELATIONS[r][0]} {m.tex}" for r, m in self.links)])

    @property
    def plain(self) -> str:
        return " ".join([self.first.plain, *(f"{RELATIONS[r][1]} {m.plain}" for r, m in self.links)])

    @property
    def tail_tex(self) -> str:
        """The line without its first item, starting with a relation."""
        return " ".join(f"{RELATIONS[r][0]} {m.tex}" for r, m in self.links)

    @property
    def tail_plain(self) -> str:
        return " ".join(f"{RELATIONS[r][1]} {m.plain}" for r, m in self.links)

    def __bool__(self) -> bool:
        return bool(self.links)

    def as_block(self, width: float):
        """This line with its first item as the left-hand side, broken to fit ``width``."""
        from symgrad.rendering.layout import Block

        return Block(self.first.tex, [(RELATIONS[r][0], m) for r, m in self.links], width)

    def block(self, lhs: str, width: float, rel: str = "="):
        """This line as ``lhs rel first ...``, broken into rows that fit ``width``."""
        from symgrad.rendering.layout import Block

        return Block(lhs, [(rel, self.first)] + [(RELATIONS[r][0], m) for r, m in self.links],
                     width)


def _decimal(text: str) -> sp.Rational:
    """The exact value of a displayed decimal (``1.2e-5`` is 12/1000000)."""
    from decimal import Decimal, InvalidOperation

    try:
        sign, digits, exp = Decimal(text).as_tuple()
    except InvalidOperation:  # an exponent beyond Decimal's range (6.7e-434294481890222993194146)
        return sp.Float(text, 30)
    if abs(exp) > 400:  # 1e-3000000000: a float, not a rational with a billion digits
        return sp.Float(text, 30)
    value = sp.Integer(int("".join(map(str, digits)) or "0"))
    value = value * sp.Integer(10) ** exp if exp >= 0 else value / sp.Integer(10) ** (-exp)
    return -value if sign else value


class NumberDisplay:
    """Number display shared by the whole context (each value formatted once per precision)."""

    def __init__(self, digits: int):
        self.digits = digits
        self.cache: dict = {}

    def text(self, v, digits: int | None = None) -> tuple[str, str, bool]:
        digits = digits or self.digits
        key = (v, type(v), digits)
        got = self.cache.get(key)
        if got is None:
            txt, exact = number_text(v, digits)
            if txt in ("-0", "-0.0"):
                txt = "0"
            got = (number_latex(v, digits).replace("-0 ", "0 ") if txt != "0" else "0", txt, exact)
            self.cache[key] = got
        return got

    def math(self, v) -> Math:
        tex, txt, exact = self.text(v)
        return Math(tex=tex, plain_text=txt, exact=exact)

    def rel(self, v) -> str:
        return "=" if self.text(v)[2] else r"\approx"

    def exact(self, v) -> bool:
        return self.text(v)[2]

    def shown(self, v, digits: int | None = None, always_parens: bool = False,
              bare: bool = False) -> Shown:
        tex, txt, _ = self.text(v, digits)
        if (tex.startswith("-") and not bare) or always_parens:
            tex, txt = rf"\left({tex}\right)", f"({txt})"
        return Shown(tex, txt)

    def substituted(self, expr: sp.Basic, values: dict, digits: int | None = None) -> sp.Basic:
        """``expr`` with every symbol (and Leibniz factor) that has a value shown as its number."""
        repl = {s: self.shown(values[s], digits) for s in expr.free_symbols if s in values}
        # a negative number as a call's whole argument needs no parentheses: sigmoid(-0.31)
        for node in sp.preorder_traversal(expr):
            if isinstance(node, (sp.Function, sp.Abs)) and node.args and all(
                    a in values or a.is_Number for a in node.args):
                bare = [self.shown(values[a], digits, bare=True) if a in values else a
                        for a in node.args]
                repl[node] = node.func(*bare, evaluate=False)
        return replaced(expr, repl)

    def all_exact(self, expr: sp.Basic, values: dict, digits: int | None = None) -> bool:
        return all(self.text(values[s], digits)[2] for s in expr.free_symbols if s in values)

    def as_displayed(self, expr: sp.Basic, values: dict, digits: int):
        """``expr`` computed from the numbers as displayed at ``digits`` (not their true values)."""
        from symgrad.numbers.values import evaluate_at

        env = {s: _decimal(self.text(values[s], digits)[1]) for s in expr.free_symbols if s in values}
        try:
            return evaluate_at(expr, env)
        except Exception:  # noqa: BLE001 - a rounded neighbour outside the domain
            return None


#: The HTML page's alignment rules for MathML tables, scoped to the fragment's wrapper.
_FRAGMENT_STYLE = (
    "<style>.symgrad mtable.aligned > mtr > mtd:first-child { text-align: right; } "
    ".symgrad mtable.aligned > mtr > mtd:last-child { text-align: left; } "
    ".symgrad .rule { font-weight: bold; }</style>"
)


def html_fragment(page: str) -> str:
    """The body of symgrad's own HTML page, in a ``<div class="symgrad">`` (for a notebook)."""
    body = page.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    return f'<div class="symgrad">{_FRAGMENT_STYLE}{body}</div>'


class Lazy:
    """A value computed on first use (a block's line breaking needs LaTeX, which text skips)."""

    __slots__ = ("_fn", "_value")

    def __init__(self, fn):
        self._fn, self._value = fn, None

    def __getattr__(self, name):
        if self._value is None:
            self._value = self._fn()
        return getattr(self._value, name)
