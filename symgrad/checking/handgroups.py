"""Groups: parentheses and brackets (``[a > b]`` an indicator, ``(a, b)`` a vector,
``{\\delta L \\over \\delta w}`` a derivative), with the author's stray or missing closers;
``cases`` and matrices; and conditions (``x > 0``, ``\\text{if } i = j``, ``0 < x < 1``) after a value."""

from __future__ import annotations

import sympy as sp

from symgrad.checking.handbase import _CONDITION_WORDS, CLOSERS, RELATIONS, SEPARATORS, _relation


class Groups:
    """A mixin of :class:`symgrad.checking.handparse._Parser`."""

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
        if self.tok.value == "sized" or self.at("("):
            got = self.entry_matrix()  # \left( ... \right)_{j,k=1,\cdots,c}
            if got is not None:
                return got
        self.enter()
        tok = self.take()
        close = CLOSERS[tok.text]
        outer_bars, self.bars = self.bars, 0
        first = self.i
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
            if self.factor_after_close(first, self.i):  # (1-\sigma(z)x: (1-\sigma(z))x or not?
                raise self.fail(f"the '(' at column {self.col(tok)} is never closed, and where the "
                                "missing ')' goes changes the meaning; write it", tok)
            # "(\log(1-\hat y)" left open at the end of the line (or at '='): closed there
        elif self.at(close) or close == "}" or not self.lenient_close(close):
            closer = self.expect(close, f" to close {tok.text!r} at column {self.col(tok)}")
            if tok.value == "sized" and closer.value != "sized" and self.at(close) and \
                    self.tok.value == "sized":
                self.take()  # \left( a) \right): a stray ')' before the \right), the author's
        self.depth -= 1
        return inner

    def factor_after_close(self, a: int, b: int) -> bool:
        """Inside toks[a:b] (an unclosed group), a ')' ends a top-level group and a factor
        follows it: the author's missing ')' may belong there (070: ``(1-\\sigma(HW)H``)."""
        depth = 0
        for k in range(a, b):
            u = self.toks[k]
            if u.kind == "op" and u.text in ("(", "[", "{"):
                depth += 1
            elif u.kind == "op" and u.text in (")", "]", "}"):
                depth -= 1
                nxt = self.toks[k + 1] if k + 1 < b else None
                if depth == 0 and u.text == ")" and nxt is not None and (
                        nxt.kind in ("word", "num", "fn") or nxt.kind == "op" and nxt.text == "("):
                    return True
        return False

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

    def cases(self, opener: str | None = None) -> sp.Expr:
        """``\\begin{cases} a & x > 0 \\\\ b & \\text{otherwise} \\end{cases}`` as a Piecewise."""
        t = self.tok
        if opener is None:
            opener = self.take().text
        close = "end:cases" if opener == "begin:cases" else "end:matrix"
        self.enter()
        pieces = []
        while not self.at(close):
            if self.tok.kind == "end":
                raise self.fail("expected \\end{cases}", t)
            if self.tok.kind == "word" and self.tok.names == ("undefined",):
                self.take()
                value = sp.nan
            else:
                value = self.part()
            while self.at("&", ",", "if") or self.at_word("if", "for", "when", "where"):
                self.take()
            if self.at("otherwise") or self.at_word("otherwise", "else"):
                self.take()
                cond = sp.true
            elif self.at("\\\\", close):
                cond = sp.true
            else:
                cond = self.condition()
                while self.at(",", "and") or self.at_word("and"):
                    self.take()
                    if self.at("\\\\", close):
                        break
                    cond = sp.And(cond, self.condition())
            pieces.append((value, cond))
            if self.at("\\\\"):
                self.take()
        self.take()
        self.depth -= 1
        if not pieces:
            raise self.fail("an empty cases block", t)
        live = [(v, c) for v, c in pieces if c is not sp.false]
        if len(live) == 1 and live[0][1] is sp.true:
            return live[0][0]
        if not live:
            raise self.fail("no case of this block applies", t)
        return sp.Piecewise(*live, evaluate=False)

    def matrix(self) -> sp.Expr:
        """``\\begin{bmatrix} a \\\\ b \\end{bmatrix}``: a column (or a row) of values, or a matrix."""
        t = self.take()
        self.enter()
        got = self.elided_matrix(t)
        if got is not None:
            self.depth -= 1
            return got
        rows, row = [], []
        while not self.at("end:matrix"):
            if self.tok.kind == "end":
                raise self.fail("expected \\end{...matrix}", t)
            row.append(self.part())
            if self.at("&"):
                self.take()
            elif self.at("\\\\"):
                self.take()
                rows.append(row)
                row = []
        self.take()
        if row:
            rows.append(row)
        self.depth -= 1
        if not rows or len({len(r) for r in rows}) != 1:
            raise self.fail("a matrix with rows of different lengths", t)
        if len(rows) == 1:
            return sp.ImmutableMatrix(rows[0])
        if len(rows[0]) != 1:
            return sp.ImmutableMatrix(rows)  # a matrix: rows of entries
        return sp.ImmutableMatrix([r[0] for r in rows])

    def as_written_row(self, value, rhs, op, start: int):
        """``\\begin{bmatrix} h_1 \\\\ h_2 \\end{bmatrix} \\begin{bmatrix} a & b & c
        \\end{bmatrix}``: a column written as one times a matrix written on one row is the
        outer product, though a one-row matrix alone is read as a column."""
        if not (isinstance(value, sp.MatrixBase) and isinstance(rhs, sp.MatrixBase)) or \
                value.cols != 1 or rhs.cols != 1 or value.rows < 2 or rhs.rows < 2:
            return rhs
        k = next(j for j, u in enumerate(self.toks) if u is op)
        left, written = self.toks[start:k], self.toks[k : self.i]
        if not (_one_matrix(left) and any(u.text == "\\\\" for u in left)):
            return rhs
        if not _one_matrix(written) or any(u.text == "\\\\" for u in written):
            return rhs
        return rhs.T

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


def _one_matrix(toks) -> bool:
    """The tokens are one ``\\begin{...matrix} .. \\end{...matrix}`` with no matrix inside."""
    return len(toks) >= 2 and toks[0].text == "begin:matrix" and toks[-1].text == "end:matrix" \
        and not any(u.text in ("begin:matrix", "end:matrix") for u in toks[1:-1])
