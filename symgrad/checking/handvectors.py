"""Vectors and matrices written whole: a layer label on a vector's name (``Z^{O}``, the output
layer's Z), the softmax of a vector (``Softmax(Z^{O})``, ``\\text{softmax}(scores_0)``),
derivatives by a vector (``\\partial E / \\partial Z^{O}``, the gradient; ``\\partial A /
\\partial Z``, the Jacobian; by ``W2`` for ``W2_11 .. W2_23``, a matrix), a vector written out
in a row read one entry at a time, matrices with entries elided by dots, a matrix given by
its entries (``\\left(...\\right)_{j,k=1,\\cdots,c}``), the examples as bold columns
(``\\boldsymbol{y}``, ``\\boldsymbol{X}``), max(0, vector), and rows read with vectors and
matrices whole (``h1 = \\max(0, X W1 + b1)``)."""

from __future__ import annotations

import re

import sympy as sp

from symgrad.checking.handlex import Tok
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol
from symgrad.records import replace

#: Capital letters that are not layer labels when written as a superscript: the transpose, and
#: letters that usually count things (``x^N`` is a power).
_NOT_LABELS = frozenset("TNMKL")  # L: the last layer (a^{L})
#: Cells that stand for entries left out: ``...``, ``\cdots``, ``\vdots``, ``\ddots``, ``\dots``.
_DOTS = frozenset(("cdots", "vdots", "ddots", "dots", "ldots", "\\cdots", "\\vdots", "\\ddots",
                   "\\dots", "\\ldots"))
VECTOR = "vec:"  # a differential's name that stands for a whole vector: vec:Z


class Vectors:
    """A mixin of :class:`symgrad.checking.handparse._Parser`."""

    def layer_label(self, base_names: tuple[str, ...]) -> list[str] | None:
        """``Z^{O}``, ``A^O``: a capital letter over a vector's name (the problem numbers Z0, Z1
        and has no Z itself) labels the layer; it is no power (there is no Z to raise)."""
        seq = [self.peek(k) for k in range(1, 4)]
        if seq[0].kind == "op" and seq[0].text == "{":
            letter, width = seq[1], 4
            if not (seq[2].kind == "op" and seq[2].text == "}"):
                return None
        else:
            letter, width = seq[0], 2
        text = letter.text
        if letter.kind != "word" or len(text) != 1 or not text.isupper() or text in _NOT_LABELS \
                or text in self.vocab:
            return None
        if not any(b not in self.vocab and len(self.scope.family(b)) >= 2 for b in base_names):
            return None
        self.i += width
        return []

    def whole_vector(self, base: str, labelled: bool = False) -> list[str] | None:
        """The numbered names ``base`` stands for written alone (Z for Z0, Z1), else None. A
        letter the row declares (``\\partial z``: any number) is no vector, unless labelled."""
        if base in self.vocab or base in self.bind or base in self.dummies and not labelled:
            return None
        fam = self.scope.family(base)
        if len(fam) < 2:
            return None
        return [fam[k] for k in sorted(fam)]

    def components(self, parts: list) -> list:
        """A row about a vector read one component at a time (``A^{O} - T`` for each entry):
        a vector written out in it (``\\begin{pmatrix}0.5&-0.5\\end{pmatrix}``) stands for its
        entry of the same number, when every vector the row names has the same numbers."""
        if "·" not in self.bind or len(self.dot_keys) != 1:
            return parts
        (keys,) = self.dot_keys
        at = keys.index(self.bind["·"])
        shape = grid(list(keys))
        out = []
        for p in parts:
            e = p.expr
            if isinstance(e, sp.MatrixBase) and shape is not None and e.shape == shape[:2]:
                p = replace(p, expr=e[shape[2][at]])  # W1 = [[0.18, 0.04], [0.1, 0.22]]
            elif isinstance(e, sp.MatrixBase) and 1 in e.shape and len(e) == len(keys):
                if len(self.bind) > 1:  # -T_i/A_i = (0, -2): is i the entry's number or not?
                    raise self.fail("a vector written out next to an index letter")
                p = replace(p, expr=e[at])
            out.append(p)
        return out

    # --- softmax ------------------------------------------------------------------------
    def softmax(self, t) -> sp.Expr | None:
        """``Softmax(Z^{O})``: the vector of exp(Z_k) / sum_j exp(Z_j) over the numbered names
        of Z; ``\\text{softmax}(scores_0)``: the entry of that vector for scores_0. None (and
        nothing read) when the argument is not a vector of the problem or one of its entries."""
        save = self.i
        self.take()  # (
        w = self.tok
        if w.kind != "word":
            self.i = save
            return None
        self.take()
        self.power_before_subscript()
        sup = self.index_superscript(w.names)
        sub = self.subscript()
        if sup is None:
            sup = self.index_superscript(w.names)
        pieces = (sub or []) + (sup or [])
        if not self.at(")") or self.peek().kind == "op" and self.peek().text in ("_", "^"):
            self.i = save  # softmax(x)_i: an entry named by an index, read as before
            return None
        if not pieces:
            members = self.whole_vector(w.names[0])
            if members is None:
                self.i = save
                return None
            self.take()
            total = sp.Add(*[sp.exp(symbol(m)) for m in members])
            return sp.ImmutableMatrix([sp.exp(symbol(m)) / total for m in members])
        name = self.resolve(w, pieces)
        family = self.family_of(name) if name is not None else None
        if family is None:
            self.i = save
            return None
        self.take()
        total = sp.Add(*[sp.exp(symbol(m)) for m in family])
        return sp.exp(symbol(name)) / total

    def family_of(self, name: str) -> list[str] | None:
        """The numbered names ``name`` is one of (s_0 among s_0, s_1, s_2), at least two."""
        m = re.fullmatch(r"(.*?)_?(\d+)", name)
        if m is None:
            return None
        fam = self.scope.family(m.group(1))
        if len(fam) < 2 or name not in fam.values():
            return None
        return [fam[k] for k in sorted(fam)]

    # --- derivatives by a vector ----------------------------------------------------------
    def vector_name(self, t, sub, sup) -> str | None:
        """``\\partial Z^{O}``: Z written alone for the vector of its numbered names."""
        if sub or sup:
            return None
        return next((VECTOR + n for n in t.names if self.whole_vector(n, sup == [])), None)

    def vector_leibniz(self, top, var: str, partial: bool) -> sp.Expr:
        """The derivative of ``top`` (a name, a vector's name or an expression) by the vector
        ``var``: the gradient (a column), or the Jacobian, entry (r, c) = d top_r / d var_c."""
        if not var.startswith(VECTOR):  # d yhat / d z by a number: one entry at a time
            top = self.unvector(top)
            return Leibniz(symbol(top), symbol(var), partial) if isinstance(top, str) else \
                sp.Derivative(top, symbol(var), evaluate=False)
        cols = [symbol(v) for v in self.whole_vector(var[len(VECTOR):], True) or ()]
        if isinstance(top, str) and top.startswith(VECTOR):
            rows = [symbol(v) for v in self.whole_vector(top[len(VECTOR):], True) or ()]
            return sp.ImmutableMatrix([[Leibniz(r, c, partial) for c in cols] for r in rows])
        if isinstance(top, str):
            shape = grid(sorted(self.scope.family(var[len(VECTOR):]))) if len(cols) > 1 else None
            if shape is not None:  # d loss / d W2 with W2_11 .. W2_23: a matrix like W2
                return sp.ImmutableMatrix(*shape[:2], [Leibniz(symbol(top), c, partial)
                                                       for c in cols])
            return sp.ImmutableMatrix([Leibniz(symbol(top), c, partial) for c in cols])
        if isinstance(top, sp.MatrixBase):
            if 1 not in top.shape:
                raise self.fail("the derivative of a matrix")
            return sp.ImmutableMatrix([[sp.Derivative(r, c, evaluate=False) for c in cols]
                                       for r in top])
        return sp.ImmutableMatrix([sp.Derivative(top, c, evaluate=False) for c in cols])

    # --- matrices with elided entries ---------------------------------------------------
    def elided_matrix(self, t) -> sp.Expr | None:
        """A matrix with entries left out (``...``, ``\\cdots``, ``\\vdots``): the block of
        entries written before the first row and the first column with dots, read alone (the
        entries after the dots, such as ``Z_n``, name an unknown size). None when no entry is
        elided (nothing read)."""
        cells, rows, k, depth, start = [], [], self.i, 0, self.i
        while True:
            u = self.toks[k]
            if u.kind == "end":
                return None
            if u.kind == "op" and u.text in ("(", "[", "{", "begin:matrix", "begin:cases"):
                depth += 1
            elif u.kind == "op" and u.text in (")", "]", "}", "end:cases"):
                depth -= 1
            elif u.kind == "op" and u.text == "end:matrix":
                if depth == 0:
                    cells.append((start, k))
                    rows.append(cells)
                    break
                depth -= 1
            elif depth == 0 and u.kind == "op" and u.text in ("&", "\\\\"):
                cells.append((start, k))
                start = k + 1
                if u.text == "\\\\":
                    rows.append(cells)
                    cells = []
            k += 1
        end = k
        rows = [r for r in rows if r != [(r[0][0], r[0][0])] or len(r) > 1]  # a closing \\
        gaps = [[self.dots_cell(a, b) for a, b in r] for r in rows]
        if not any(any(g) for g in gaps):
            return None
        tall = next((n for n, g in enumerate(gaps) if all(g)), len(rows))
        wide = min((g.index(True) for g in gaps[:tall] if any(g)),
                   default=min((len(r) for r in rows[:tall]), default=0))
        if not tall or not wide or any(len(r) < wide for r in rows[:tall]):
            raise self.fail("a matrix with elided entries whose first entries cannot be told", t)
        block = []
        for r in rows[:tall]:
            values = []
            for a, b in r[:wide]:
                self.i = a
                values.append(self.part())
                if self.i != b:
                    raise self.fail(f"expected '&' or '\\\\', found {self.tok.shown()}")
            block.append(values)
        self.i = end + 1
        self.elided = True
        return sp.ImmutableMatrix(block[0] if len(rows) == 1 else block)

    def dots_cell(self, a: int, b: int) -> bool:
        """Is toks[a:b] a cell of dots or an empty cell?"""
        texts = [u.text for u in self.toks[a:b]]
        return all(x in (".", "dots") or x in _DOTS for x in texts)

    def elementwise(self, t, fn, args, prime) -> sp.Expr:
        """``\\max(0, X W1 + b1)``: max or min of a vector and a number, entry by entry (the
        ReLU of a layer); any other function of a vector is not read (``\\log`` of a vector
        may mean the entries' logs or a mistake)."""
        mats = [a for a in args if isinstance(a, sp.MatrixBase)]
        if fn not in (sp.Max, sp.Min) or prime or len(args) != 2 or len(mats) != 1:
            raise self.fail(f"{t.text} of a vector or matrix", t)
        (m,) = mats
        other = args[1] if args[0] is m else args[0]
        if isinstance(other, sp.MatrixBase) or not other.is_number:
            raise self.fail(f"{t.text} of a vector or matrix", t)
        pick = max if fn is sp.Max else min
        return m.applyfunc(lambda x: pick(x, other) if x.is_Rational and other.is_Rational
                           else fn(x, other, evaluate=False))

    def unvector(self, name):
        """A vector's name where a vector cannot stand: read as before, one entry at a time."""
        if not (isinstance(name, str) and name.startswith(VECTOR)):
            return name
        base = name[len(VECTOR):]
        found = self.resolve(Tok("word", base, self.tok.pos, names=(base,)), [])
        if found is None:
            raise self.fail(f"unknown name {base!r}")
        return found

    def one_example(self, letter) -> bool:
        """``^{(i)}`` names the example; a problem of one example (no sum over examples, no
        letter i of its own) has only that one, so the superscript names nothing more."""
        return self.scope.count_value is None and letter.kind == "word" and \
            len(letter.text) == 1 and letter.text not in self.vocab and \
            letter.text not in self.bind and letter.text not in self.scope.counts

    # --- a matrix given by its entries ----------------------------------------------------
    def entry_matrix(self) -> sp.Expr | None:
        """``\\left( a_{jk} \\right)_{j,k=1,\\cdots,c}``: the matrix whose entry (j, k) is the
        expression, j and k running over the numbers of the problem's names from 1 (c, the
        count, is how many there are). None (nothing read) when no such subscript follows."""
        close = self.closer_of(self.i)
        if close is None:
            return None
        toks, k = self.toks, close + 1
        texts = [u.text for u in toks[k : k + 12]]
        if texts[:2] != ["_", "{"]:
            return None
        k += 2
        letters = []
        while toks[k].kind == "word" and len(toks[k].text) == 1:
            letters.append(toks[k].text)
            k += 1
            if toks[k].text != ",":
                break
            k += 1
        if len(letters) not in (1, 2) or toks[k].text != "=" or toks[k + 1].kind != "num":
            return None
        lo = toks[k + 1].value
        k += 2
        rest = []
        while toks[k].kind != "end" and toks[k].text != "}":
            rest.append(toks[k])
            k += 1
        words = [u.text for u in rest if u.text not in (",", ".", "dots")]
        if toks[k].kind == "end" or len(words) != 1 or any(
                x in self.vocab or x in self.bind for x in letters):
            return None
        hi = words[0]
        values = [v for v in self.scope.domain if v >= lo]
        if hi.isdigit():
            values = [v for v in range(int(lo), int(hi) + 1)]
        elif hi in self.vocab or len(hi) != 1:
            return None
        if not values:
            return None
        start, end = self.i, k + 1
        grid = []
        for a in values:
            row = []
            for b in values if len(letters) == 2 else (None,):
                self.bind.update({letters[0]: a, **({letters[1]: b} if b is not None else {})})
                self.i = start
                try:
                    row.append(self.group())
                finally:
                    for x in letters:
                        self.bind.pop(x, None)
                if self.i != close + 1:
                    raise self.fail("expected the matrix's entry in parentheses")
            grid.append(row)
        self.i = end
        if len(letters) == 1:
            return sp.ImmutableMatrix([r[0] for r in grid])
        return sp.ImmutableMatrix(grid)

    def closer_of(self, k: int) -> int | None:
        """The index of the bracket that closes the one at toks[k], or None."""
        if not (self.toks[k].kind == "op" and self.toks[k].text in ("(", "[")):
            return None
        depth = 0
        while self.toks[k].kind != "end":
            u = self.toks[k]
            if u.kind == "op" and u.text in ("(", "[", "{"):
                depth += 1
            elif u.kind == "op" and u.text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return k
            k += 1
        return None

    # --- the examples as vectors ------------------------------------------------------------
    def examples_vector(self, t) -> sp.Expr | None:
        """``\\boldsymbol{y}``, ``\\boldsymbol{X}`` in a problem over examples: the column of the
        examples' y_1, ..., y_n (X, the matrix of one feature, is the column of the x_i). A bold
        name of the problem (``\\boldsymbol{\\beta}``) is that name; None when it is neither."""
        n = self.scope.count_value
        if n is None or any(x in self.vocab for x in t.names):
            return None
        for x in t.names:
            for base in dict.fromkeys((x, x.lower())):
                fam = self.scope.family(base)
                if len(fam) >= 2 and sorted(fam) == list(range(1, n + 1)):
                    return sp.ImmutableMatrix([symbol(fam[k]) for k in sorted(fam)])
        return None

    def transpose_ahead(self) -> bool:
        """Is a transpose (``^T``, ``^{T}``, ``^\\top``) next? Nothing read."""
        save = self.i
        try:
            return self.transpose()
        finally:
            self.i = save

    def norm_index(self) -> None:
        """``\\vert\\vert\\beta\\vert\\vert_1``: the norm's index, which a number's norm ignores."""
        if self.at("_") and self.peek().kind == "num" and self.peek().text in ("1", "2"):
            self.i += 2


    # --- a row about whole vectors and matrices -----------------------------------------
    def whole_reading(self):
        """The row read with every vector's or matrix's name standing for all of it (``h1 =
        \\max(0, X W1 + b1)``), when reading it one entry at a time finds no entry that every
        name has; None when that does not read either."""
        from symgrad.checking.handbase import FreeIndex, GenericRule, IndexMiss, Question, Skip
        from symgrad.errors import ParseError

        self.whole = True
        try:
            return self.reading()
        except (ParseError, FreeIndex, IndexMiss, GenericRule, Question, Skip, TypeError,
                ValueError, sp.matrices.exceptions.MatrixError):
            return None

    def whole_value(self, t) -> sp.Expr | None:
        """A vector's or a matrix's name alone: its column of names, or its grid (W1_jk); a
        capital letter for a vector of small letters (X for x_1, x_2)."""
        for n in t.names:
            for base in dict.fromkeys((n, n.lower())):
                if base in self.vocab or base in self.bind or (base != n and n in self.vocab):
                    continue
                fam = self.scope.family(base)
                if len(fam) < 2:
                    continue
                keys = sorted(fam)
                shape = grid(keys)
                names = [symbol(fam[k]) for k in keys]
                if shape is not None:
                    out = [[None] * shape[1] for _ in range(shape[0])]
                    for (r, c), s in zip(shape[2], names):
                        out[r][c] = s
                    return sp.ImmutableMatrix(out)
                return sp.ImmutableMatrix(names)
        return None


def grid(keys: list[int]) -> tuple[int, int, list[tuple[int, int]]] | None:
    """Numbers jk (11, 12, 13, 21, 22, 23) that name the entries of a matrix, row j and
    column k, every entry once: (rows, columns, the (row, column) of each number); else None."""
    if len(keys) < 4 or not all(10 < k < 100 and k % 10 for k in keys):
        return None
    rows, cols = sorted({k // 10 for k in keys}), sorted({k % 10 for k in keys})
    if len(rows) < 2 or len(cols) < 2 or len(keys) != len(rows) * len(cols):
        return None
    return len(rows), len(cols), [(rows.index(k // 10), cols.index(k % 10)) for k in keys]
