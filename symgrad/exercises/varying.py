"""The ``--vary`` text of an exercise sheet and the choice of its points. ``x=1..5, y=-3..3``
gives each named input a set of exact values: an inclusive range ``A..B`` (step 1, or ``A..B
by S``), a list ``{1, 2, 5}`` or one number; items are separated by ``,`` or ``;``. Numbers
are decimals or fractions (``-3``, ``0.25``, ``1/3``), read by a small tokenizer of this module
and :func:`symgrad.reader.expression.parse_number` (never ``eval`` or ``sympify``). The values
form a grid; :func:`choose` walks a seeded random order of it and keeps distinct points that
are off a kink, on one, or either, as asked, with the reason in one line when too few exist.
"""

from __future__ import annotations

import math
import re
import sys

from symgrad.errors import SymgradError, UsageError
from symgrad.records import record

#: Longest ``--vary`` text, names varied at once, values per name, digits in one number.
MAX_TEXT = 1000
MAX_NAMES = 10
MAX_VALUES = 1000
MAX_DIGITS = 30
#: Points of the grid looked at (evaluated) at most when choosing the variants.
MAX_SCAN = 5000
#: What ``kinks=`` may ask for.
KINK_MODES = ("avoid", "include", "any")

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<dots>\.\.)
  | (?P<num>[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:/\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[=,;{}])
""", re.VERBOSE)


@record
class Grid:
    """The values of each varied name, in the order written; a point is one value of each."""

    names: tuple[str, ...]
    values: tuple[tuple, ...]  # per name, distinct sympy Rationals in the order given
    texts: tuple[str, ...]  # per name, the item as written (``x=1..5``), for messages

    @property
    def size(self) -> int:
        """The number of distinct points."""
        return math.prod(len(v) for v in self.values)

    def point(self, index: int) -> dict:
        """The point number ``index`` (0 <= index < size; the last name varies fastest)."""
        out = {}
        for name, vals in reversed(list(zip(self.names, self.values))):
            index, k = divmod(index, len(vals))
            out[name] = vals[k]
        return {n: out[n] for n in self.names}

    def describe(self) -> str:
        """``x: 5 values, y: 7 values``."""
        return ", ".join(f"{n}: {len(v)} value{'s' * (len(v) != 1)}"
                         for n, v in zip(self.names, self.values))


class _Reader:
    """A recursive-descent reader over the tokens of one ``--vary`` text."""

    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                self.fail(f"unexpected character {text[pos]!r}", pos)
            if m.lastgroup != "space":
                kind = m.lastgroup if m.lastgroup != "punct" else m.group()
                if kind == "name" and m.group() == "by":
                    kind = "by"
                self.tokens.append((kind, m.group(), pos))
            pos = m.end()
        self.tokens.append(("end", "", len(text)))
        self.i = 0

    def fail(self, message: str, pos: int):
        shown = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        raise UsageError(f"--vary {shown!r}: {message} at column {pos + 1}; write e.g. "
                         "'x=1..5, y=-3..3', 'm=0..2 by 0.5' or 'x={1, 2, 5}'")

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self, kind: str, what: str) -> tuple[str, str, int]:
        tok = self.peek()
        if tok[0] != kind:
            found = "the end of the text" if tok[0] == "end" else repr(tok[1])
            self.fail(f"expected {what}, found {found}", tok[2])
        self.i += 1
        return tok

    def number(self, after: str):
        from symgrad.reader.expression import parse_number

        _, text, pos = self.take("num", f"a number {after}")
        if sum(c.isdigit() for c in text) > MAX_DIGITS:
            self.fail(f"a number of more than {MAX_DIGITS} digits", pos)
        if re.search(r"/0+$", text):
            self.fail(f"division by zero in {text}", pos)
        try:
            return parse_number(text), pos
        except SymgradError:  # pragma: no cover - the token is a plain decimal or fraction
            self.fail(f"{text!r} is not a number", pos)

    def items(self) -> list[tuple[str, list, str]]:
        out = []
        while True:
            start = self.peek()[2]
            _, name, pos = self.take("name", "a name (as in x=1..5)")
            if name in [n for n, _, _ in out]:
                self.fail(f"{name} is varied twice", pos)
            self.take("=", f"'=' after {name}")
            values = self.values(name)
            out.append((name, values, self.text[start:self.peek()[2]].strip()))
            if self.peek()[0] == "end":
                return out
            self.take(self.peek()[0] if self.peek()[0] in (",", ";") else ",",
                      "',' or ';' between items")
            if len(out) == MAX_NAMES:
                self.fail(f"more than {MAX_NAMES} names varied", self.peek()[2])

    def values(self, name: str) -> list:
        if self.peek()[0] == "{":
            self.i += 1
            vals = [self.number("in the list")]
            while self.peek()[0] == ",":
                self.i += 1
                vals.append(self.number("after ','"))
            self.take("}", "',' or '}' in the list")
            seen = set()
            for v, pos in vals:
                if v in seen:
                    self.fail(f"{name}: the value {v} is listed twice", pos)
                seen.add(v)
            if len(vals) > MAX_VALUES:
                self.fail(f"{name}: more than {MAX_VALUES} values", vals[0][1])
            return [v for v, _ in vals]
        low, pos = self.number(f"after {name}= (A..B, {{A, B, ...}} or one number)")
        if self.peek()[0] != "dots":
            return [low]
        self.i += 1
        high, hpos = self.number("after '..'")
        step = 1
        if self.peek()[0] == "by":
            self.i += 1
            step, spos = self.number("after 'by'")
            if step <= 0:
                self.fail(f"{name}: the step must be positive, found {step}", spos)
        if high < low:
            self.fail(f"{name}: the range is empty ({low} > {high}); write {name}={high}..{low}", hpos)
        n = int((high - low) / step) + 1
        if n > MAX_VALUES:
            self.fail(f"{name}: the range has {n} values; at most {MAX_VALUES} per name", pos)
        return [low + k * step for k in range(n)]


def parse_vary(text: str) -> Grid:
    """Read a ``--vary`` text into a :class:`Grid` (names in the order written).

    Raises:
        UsageError: one line naming the text, what was expected and the column.
    """
    if not isinstance(text, str):
        raise UsageError(f"--vary must be text such as 'x=1..5, y=-3..3', found {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise UsageError(f"--vary is longer than {MAX_TEXT} characters")
    if not text.strip():
        raise UsageError("--vary is empty: give the names to vary, e.g. 'x=1..5, y=-3..3'")
    items = _Reader(text).items()
    return Grid(tuple(n for n, _, _ in items), tuple(tuple(v) for _, v, _ in items),
                tuple(t for _, _, t in items))


def _order(size: int, rng) -> list[int]:
    """At most :data:`MAX_SCAN` distinct indices below ``size``, in a seeded random order."""
    if size <= sys.maxsize:
        return rng.sample(range(size), min(size, MAX_SCAN))
    seen: dict[int, None] = {}  # a grid too large for len(range(...)): draw (repeats are rare)
    while len(seen) < MAX_SCAN:
        seen.setdefault(rng.randrange(size))
    return list(seen)


def choose(grid: Grid, classify, count: int, rng, kinks: str,
           hint: str = "") -> list[tuple[int, bool]]:
    """Up to ``count`` distinct grid points in a seeded order: ``(index, on a kink)``.

    ``classify(point)`` says ``"kink"``, ``"smooth"`` or ``"undefined"`` (the loss has no
    value there). ``kinks`` is ``avoid`` (no point on a kink), ``include`` (at least one and
    about a third on a kink, as many as the grid holds) or ``any``. At most
    :data:`MAX_SCAN` points are looked at. ``hint`` says where the kinks lie (for errors).

    Raises:
        UsageError: the grid holds too few points of the kinds asked for.
    """
    want_kinks = max(1, round(count / 3)) if kinks == "include" else 0
    order = _order(grid.size, rng)
    found: dict[str, list[int]] = {"kink": [], "smooth": [], "undefined": []}
    for index in order:
        kind = classify(grid.point(index))
        found[kind].append(index)
        if kinks == "any" and len(found["kink"]) + len(found["smooth"]) >= count:
            break
        if kinks == "avoid" and len(found["smooth"]) >= count:
            break
        if kinks == "include" and len(found["kink"]) >= want_kinks and \
                len(found["kink"]) + len(found["smooth"]) >= count:
            break
    on, off = found["kink"], found["smooth"]
    looked = len(on) + len(off) + len(found["undefined"])
    where = (f"the {grid.size} point{'s' * (grid.size != 1)} of the grid ({grid.describe()})"
             if looked == grid.size
             else f"{looked} points looked at of the grid's {grid.size} ({grid.describe()})")
    tally = f"{len(off)} off a kink, {len(on)} on one, {len(found['undefined'])} where the loss is undefined"
    if kinks == "include" and not on:
        raise UsageError(f"--kinks include: no point on a kink among {where}; "
                         f"{hint or 'the problem has no kink'}")
    usable = len(off) + (len(on) if kinks != "avoid" else 0)
    if usable < count:
        kind = "distinct points off the kinks" if kinks == "avoid" else "distinct points"
        raise UsageError(f"--count {count}: only {usable} {kind} among {where} ({tally}); "
                         "widen the ranges or lower --count")
    if kinks == "avoid":
        return [(i, False) for i in off[:count]]
    if kinks == "any":
        picked = {i: True for i in on} | {i: False for i in off}
        return [(i, picked[i]) for i in order if i in picked][:count]
    n_on = min(len(on), want_kinks, count)
    chosen = [(i, True) for i in on[:n_on]] + [(i, False) for i in off[:count - n_on]]
    if len(chosen) < count:  # too few off a kink: more points on kinks fill the sheet
        chosen += [(i, True) for i in on[n_on:n_on + count - len(chosen)]]
    return rng.sample(chosen, len(chosen))
