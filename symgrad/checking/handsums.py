"""\\sum in the hand-derivation parser: ``\\sum_{i=1}^{n} body`` read once for each value of the
index, the body's extent (``\\sum_i a_i - b_i``: the author's sum goes on), and the count of
a sum whose terms are all the same. A mixin of :class:`symgrad.checking.handparse._Parser`,
which owns the token cursor and the grammar these methods call back into."""

from __future__ import annotations

import sympy as sp

COUNT = "n"  # the count symbol of a \sum whose bound is not a problem name
MAX_SUM_TERMS = 10**6
LABELLED = object()  # the excluded value of \sum_{j \neq y_i} is a class label, not a number


class Sums:
    """``\\sum`` for the parser."""

    def cs_sum(self) -> sp.Expr:
        """``\\sum_{i=1}^{n} body``: the body read once for each value of the index."""
        from symgrad.checking.handbase import FreeIndex, IndexMiss

        t = self.take()
        index, lower, upper, exclude, where = None, None, None, None, None
        if self.at("_"):
            self.take()
            braced = self.at("{")
            if braced:
                self.take()
            if self.tok.kind == "num" and self.peek().text == "=" and braced:
                # \sum_{1=1}^{n} (sic): the bound is read, the index is the body's own
                self.take()
                self.take()
                lower = self.atom()
                self.expect("}")
                braced = False
                index_from_body = True
            else:
                index_from_body = False
            if not index_from_body:
                if self.tok.kind != "word":
                    raise self.fail("expected the index of the sum, e.g. \\sum_{i=1}^{n}")
                index = self.take().text
                if self.at(":") and braced:  # \sum_{i : y_i(w^T x_i + b) < 1}: where it holds
                    self.take()
                    where = (self.i, self.condition_end())
                    self.i = where[1]
                elif self.at("="):
                    self.take()
                    lower = self.atom()
                elif self.at("!="):
                    self.take()
                    exclude = self.excluded_label(index)
                if braced:
                    self.expect("}")
        if self.at("^"):
            self.take()
            if self.at("{") and self.peek().text == "}":  # \sum_{k}^{ }: an empty limit
                self.take()
                self.take()
            else:
                upper = self.group() if self.at("{") else self.atom()
        self.enter()
        start = self.i
        if exclude is LABELLED:  # \sum_{j \neq y_i} with the problem's w_j and w_y: one term
            body = self.sum_body(index)
            self.depth -= 1
            return self.checked(body, t)
        if index is None:  # \sum x_i: the index is the one the body leaves free
            saved = dict(self.bind)
            try:
                self.term()
                body = None
            except FreeIndex as e:
                index, body = e.letter, e
            finally:
                self.bind = saved
                self.i = start
            if index is None:  # \sum w_{jk} L_j with w_jk, L_j the problem's own names
                from symgrad.checking.handbase import Skip

                raise Skip("a sum whose terms the problem does not number: not checked")
        values = self.sum_values(t, index, lower, upper, exclude)
        terms, stop = [], None
        outer = self.bind.get(index, "unset")
        uses = self.index_uses.get(index, 0)
        try:
            for v in values:
                self.bind[index] = v
                self.i = start
                try:
                    holds = self.sum_condition(where) if where else 1
                    self.i = start
                    terms.append(holds * self.sum_body(index))
                    stop = self.i
                except IndexMiss:
                    continue
                if self.index_uses.get(index, 0) == uses:
                    break  # the body does not depend on the index: every term is the same
            if not terms or self.index_uses.get(index, 0) == uses:
                # no numbered names (y_i is y): the sum is the count times the body
                if where:
                    raise self.fail("a sum over a condition on names the problem does not number")
                self.bind[index] = None
                self.i = start
                body = self.sum_body(index)
                stop = self.i
                count = self.sum_count(t, lower, upper, exclude, values)
                terms = [count * body]
                self.copies = True
        finally:
            if outer == "unset":
                self.bind.pop(index, None)
            else:
                self.bind[index] = outer
        self.i = stop
        self.depth -= 1
        total = terms[0]
        for x in terms[1:]:
            total = total + x
        return self.checked(total, t)

    def condition_end(self) -> int:
        """The index of the ``}`` that closes the sum's subscript, from inside it."""
        k, depth = self.i, 0
        while self.toks[k].kind != "end":
            u = self.toks[k]
            if u.kind == "op" and u.text == "{":
                depth += 1
            elif u.kind == "op" and u.text == "}":
                if depth == 0:
                    return k
                depth -= 1
            k += 1
        raise self.fail("expected '}' to close the sum's subscript")

    def sum_condition(self, where: tuple[int, int]) -> sp.Expr:
        """The sum's condition for this value of the index, as an indicator (1 where it holds)."""
        self.i = where[0]
        left = self.part()
        if not self.at(">", "<", ">=", "<="):
            raise self.fail("expected a comparison such as u < 1 after ':' in the sum")
        holds = self.iverson(left)
        if self.i != where[1]:
            raise self.fail("expected '}' after the sum's condition")
        return holds

    def sum_body(self, index: str) -> sp.Expr:
        """The term after \\sum, and the terms after it that still use the index
        (``\\sum_i a_i - b_i``: the author's sum goes on)."""
        value = self.term()
        while self.at("+", "-") and self.uses_index(index):
            op = self.take()
            t = self.term()
            value = value - t if op.text == "-" else value + t
        return value

    def uses_index(self, index: str) -> bool:
        """Does the term after the sign here write the index (``x_i``, ``x^{(i)}``)?"""
        depth, k = 0, self.i + 1
        while self.toks[k].kind != "end":
            u = self.toks[k]
            if u.kind == "op" and u.text in ("(", "[", "{", "lbrace", "begin:cases"):
                depth += 1
            elif u.kind == "op" and u.text in (")", "]", "}", "rbrace", "end:cases"):
                depth -= 1
                if depth < 0:
                    return False
            elif depth == 0 and u.kind == "op" and u.text in ("+", "-", "=", "~=", "<-", ":="):
                return False
            if u.kind == "cs" and u.text == "sum" and index in [
                    self.toks[j].text for j in range(k + 1, min(k + 4, len(self.toks)))]:
                return False  # a sum of its own over the same letter: its index, not ours (057)
            if u.kind == "op" and u.text in ("_", "^"):
                nxt = [self.toks[j].text for j in range(k + 1, min(k + 5, len(self.toks)))]
                if index in nxt[:1] or nxt[:3] == ["{", index, "}"] or \
                        nxt[:4] == ["{", "(", index, ")"]:
                    return True
            k += 1
        return False

    def sum_count(self, t, lower, upper, exclude, values) -> sp.Expr:
        """How many terms a sum has whose body does not change with the index."""
        if upper is not None and not upper.is_Integer:
            n = upper if upper.is_Symbol else self.count(COUNT)
            lo = 1 if lower is None else lower
            return n - lo + 1 - int(exclude is not None)
        if upper is not None or values:
            return sp.Integer(len(values))
        return self.count(COUNT) - int(exclude is not None)

    def sum_values(self, t, index, lower, upper, exclude) -> list[int]:
        """The values the index takes: the bounds, or every numbered name when none are given."""
        lo = 1 if lower is None else lower
        if upper is None:
            values = list(self.scope.domain)
            if not values:
                return []
        else:
            hi = upper
            if not (hi.is_Integer or hi.is_Symbol and hi.is_integer):
                hi = self.count(str(hi)) if hi.is_Symbol else hi
            if hi.is_Symbol:  # a count with no number: the numbered names decide
                values = list(self.scope.domain)
            else:
                if not (hi.is_Integer and sp.Integer(lo).is_Integer):
                    raise self.fail("the bounds of the sum must be whole numbers", t)
                if not 0 <= int(hi) - int(lo) + 1 <= MAX_SUM_TERMS:
                    raise self.fail("the sum must have between 1 and 10^6 terms", t)
                if int(hi) - int(lo) + 1 > 64:
                    raise self.fail("a sum of more than 64 terms cannot be checked term by term", t)
                values = list(range(int(lo), int(hi) + 1))
        if exclude is not None:
            values = [v for v in values if sp.Integer(v) != exclude]
        return values

    def excluded_label(self, index: str):
        """The value a sum leaves out, ``\\sum_{j \\neq 2}``; or ``\\sum_{j \\neq y_{i}}`` over the
        classes other than the true class y_i when the problem names its classes by letters
        (``w_j`` and ``w_y``, so ``w_{y_i}`` is ``w_y``): the classes the problem has, those
        letters, less the excluded one leave only j, the one term the body writes (LABELLED).
        Otherwise the unknown name stays unreadable."""
        from symgrad.errors import ParseError

        save = self.i
        try:
            return self.atom()
        except ParseError:
            self.i = save
            t = self.tok
            if t.kind != "word" or len(t.text) != 1 or t.text == index:
                raise
            stems = {}
            for n in self.scope.names:
                stem, sep, label = n.partition("_")
                if sep and len(label) == 1 and label.isalpha():
                    stems.setdefault(stem, set()).add(label)
            classes = [ls for ls in stems.values() if t.text in ls]
            if not classes or any(ls - {t.text} != {index} for ls in classes) or \
                    self.scope.family(index) or index in self.bind:
                raise
            self.take()
            if self.at("_"):  # y_i, y_{i}: the true class of example i
                self.take()
                if self.at("{"):
                    self.group_tokens()
                else:
                    self.take()
            return LABELLED

    def group_tokens(self) -> None:
        """Steps over a braced group (from its ``{`` to its ``}``) without reading it."""
        depth = 0
        while self.tok.kind != "end":
            u = self.take()
            if u.kind == "op" and u.text == "{":
                depth += 1
            elif u.kind == "op" and u.text == "}":
                depth -= 1
                if depth == 0:
                    return
        raise self.fail("expected '}'")
