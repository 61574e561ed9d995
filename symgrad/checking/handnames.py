"""Names in a hand derivation: subscripts and index superscripts (``w_{1,2}``, ``x^{(i)}``),
the words of a row resolved to the problem's names, new names a row defines, counts."""

from __future__ import annotations

import re

import sympy as sp

from symgrad.checking.handbase import (
    _CONDITION_WORDS,
    _PARAM_MARKS,
    DifferentialSymbol,
    FreeIndex,
    GenericRule,
    IndexMiss,
    _piece,
    _subscripted,
    closing_brace,
)
from symgrad.checking.handlex import Tok
from symgrad.checking.scope import INDEX_LETTERS, RATE_NAMES
from symgrad.errors import ParseError
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol


class Names:
    """A mixin of :class:`symgrad.checking.handparse._Parser`."""

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
                if tok.kind == "op" and tok.text == "_" and words:
                    self.take()  # w_{y_{i}}: the class y_i, read as the pieces y, i
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
            k = closing_brace(self.toks, k)
        if self.toks[k].kind == "end":
            return
        if k == self.i + 1 and self.toks[k].kind == "word" and len(self.toks[k].text) > 1:
            return  # W^tx_i: the transpose glued to x_i, not a power
        u = k + 1
        if not (self.toks[u].kind == "op" and self.toks[u].text == "_"):
            return
        v = u + 1
        if self.toks[v].kind == "op" and self.toks[v].text == "{":
            v = closing_brace(self.toks, v)
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
            if self.one_example(seq[2]):
                return []  # \hat{Y}_j^{(i)} in a problem of one example: the example is it
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
        return self.layer_label(base_names)

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
        if self.whole and not pieces and not self.labels:
            got = self.whole_value(t)  # W1 for the matrix of W1_11 .. W1_22
            if got is not None:
                return got
        if t.value == "bold" and not pieces and not self.labels and not self.at("_", "(") and \
                (not self.at("^") or self.transpose_ahead()):
            got = self.examples_vector(t)  # \boldsymbol{y}: the column of every example's y
            if got is not None:
                return got
        if self.at("^") and t.names[0] not in self.vocab and (
                not self.resolves(t, pieces) or self.layered(t.names[0])):
            layered = self.layer_name(t, pieces)  # a^3, z^2_1 (moved to z_1^2 above): layers
            if layered is not None:
                return self.after_name(layered, t)
            new = self.new_layer_name(t, pieces)
            if new is not None:
                return new

        if not pieces and t.text in self.counts and t.kind == "word" and not self.labels:
            return self.count(t.text)  # m in \frac{1}{m}\sum_{i=1}^{m}
        fname = t.names[0] if not pieces else None
        named = _subscripted(t, pieces, self.bind)  # l_2 in l_2(x) = x^2/2: a function's name
        if named in self.scope.functions and named not in self.vocab and fname is None:
            fname = named
        if fname in self.scope.functions and fname not in self.vocab:
            if self.scope.functions[fname].line > self.scope.line:
                raise GenericRule(fname)  # used before the line that defines it: abstract
            return self.after_name(fname, t)
        if named is not None and self.scope.opened is None and self.toks[0] is t and \
                self.at("(") and named not in self.vocab and self.defines_function() and \
                self.resolve(t, pieces) is None:
            self.function_def = True  # \ell_2(x) = x^2/2: the document defines \ell_2
            args = self.arguments()
            self.lhs_call = (named, tuple(args))
            return sp.Symbol(f"function:{named}")
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
        kronecker = self.kronecker(t, pieces)
        if kronecker is not None:
            return kronecker
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
                return DifferentialSymbol(name)  # df = f'(x) dx
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
        layered = self.layer_name(t, pieces)
        if layered is not None:
            return self.after_name(layered, t)
        if self.at("(") and not pieces and t.names[0].lower() == "softmax" and \
                t.names[0] not in self.vocab:
            got = self.softmax(t)
            if got is not None:
                return got
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

    def kronecker(self, t: Tok, pieces) -> sp.Integer | None:
        """``\\delta_{ij}`` (the Kronecker delta of softmax derivations): 1 when the two index
        letters have the same value in this reading of the row, else 0; None when the problem
        has a delta of its own or the subscript is not two index letters."""
        if t.text != "\\delta" or "delta" in self.vocab or self.scope.family("delta"):
            return None
        letters = [c for p in pieces if p != "," for c in p]
        if len(letters) != 2 or not all(c in INDEX_LETTERS and c not in self.vocab
                                        for c in letters):
            return None
        for c in letters:
            if c not in self.bind:
                raise FreeIndex(c)
        a, b = (self.bind[c] for c in letters)
        if a is None or b is None:
            return None
        for c in letters:
            self.index_uses[c] = self.index_uses.get(c, 0) + 1
        return sp.Integer(int(a == b))

    def layer_name(self, t: Tok, pieces) -> str | None:
        """``z^2_1``, ``w^1_{11}``, ``a^3``: a layer number written as a superscript (the
        problem's ``z21``, ``w1_11``, ``a3``), read only when no name with the superscript as
        a power exists. The superscript is consumed; None (nothing read) otherwise."""
        if not self.at("^"):
            return None
        nxt = [self.peek(k) for k in (1, 2, 3, 4, 5)]
        if nxt[0].kind == "num" and nxt[0].text.isdigit():
            layer, width = nxt[0].text, 2
        elif nxt[0].text == "{" and nxt[1].kind == "num" and nxt[1].text.isdigit() \
                and nxt[2].text == "}":
            layer, width = nxt[1].text, 4
        elif nxt[0].text == "{" and nxt[1].text.isdigit() and nxt[2].text in ("+", "-") and \
                nxt[3].text.isdigit() and nxt[4].text == "}":  # \delta^{2+1}: layer 3
            sign = 1 if nxt[2].text == "+" else -1
            layer, width = str(int(nxt[1].text) + sign * int(nxt[3].text)), 6
        else:
            return None
        sub = "".join(p for p in pieces if p != ",")
        for base in t.names:
            if not sub and not self.layered(base):
                continue  # x^2 with x1, x2: a power of something, not layer 2
            names = [base + layer] if not sub else [f"{base}{layer}{sub}", f"{base}{layer}_{sub}",
                                                    f"{base}_{layer}_{sub}"]
            found = [n for n in names if n in self.vocab]
            if not found and sub == "1" and self.single_unit(base + layer):
                found = [base + layer]  # a^3_1 when layer 3 has one unit, a3: that unit
            if not found and base == "a" and layer == "1" and sub.isdigit() and \
                    self.layered(base) and not any(v.startswith("a1") for v in self.vocab):
                # a^1_k: the first layer's activations are the inputs (a^1 = x), when the
                # problem's activations start at layer 2
                found = [n for n in (f"x{sub}", f"x_{sub}") if n in self.vocab][:1]
            if found:
                self.i += width
                self.layer_name_found = found[0]
                return found[0]
        return None

    def new_layer_name(self, t: Tok, pieces) -> sp.Symbol | None:
        """``\\delta^3_1 = \\frac{\\partial C}{\\partial z^3_1}``: a new name with a layer and a
        unit, defined by the row it starts (``delta3_1``); None when it is not that."""
        sub = "".join(p for p in pieces if p != ",")
        if self.toks[0] is not t or t.kind != "word" or not sub.isalnum() or \
                t.names[0] in _CONDITION_WORDS or self.resolves(t, []):
            return None
        texts = [self.peek(k).text for k in (1, 2, 3, 4)]
        if self.peek().kind == "num" and texts[1] in ("=", ":="):
            layer, width = texts[0], 2
        elif texts[0] == "{" and self.peek(2).kind == "num" and texts[2] == "}" and \
                texts[3] in ("=", ":="):
            layer, width = texts[1], 4
        else:
            return None
        if not layer.isdigit():
            return None
        self.i += width
        return symbol(f"{t.names[0]}{layer}_{sub}")

    def single_unit(self, name: str) -> bool:
        """``a3`` is a name and no other name numbers units of its layer (a31, a3_2)."""
        return name in self.vocab and self.layered(name[:-1]) and not any(
            v != name and re.match(re.escape(name) + r"_?\d", v) for v in self.vocab)

    def layered(self, base: str) -> bool:
        """Does the problem name this letter by layer and unit (``a21``, ``w1_11``)?"""
        pattern = re.compile(re.escape(base) + r"\d(?:\d|_\d)")
        return any(pattern.match(v) for v in self.vocab)

    def resolves(self, t: Tok, pieces) -> bool:
        """Is t with these pieces a name of the problem as it stands (z_1 for z^2_1)?"""
        if not pieces:
            return False
        try:
            return self.resolve(t, pieces) is not None
        except (ParseError, FreeIndex, IndexMiss):
            return False

    def layer_first(self, t: Tok) -> str | None:
        """``z^3_1`` read as written (superscript first): the layer name, or None with nothing
        read. Only where the name with the superscript as a power does not exist."""
        if not self.at("^") or t.names[0] in self.vocab:
            return None
        save = self.i
        width = 2 if self.peek().kind == "num" else 4
        self.i += width
        sub = self.subscript() if self.at("_") else None
        after = self.i
        self.i = save
        if self.layer_name(t, sub or []) is None:
            self.i = save
            return None
        self.i = after
        return self.layer_name_found

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
            if name is None and head in self.dummies and k < len(word) + 1:
                name = head  # HW in h(W) = HW: H times the argument W
            if name is not None:
                rest = self.split(word[k:])
                if rest is not None:
                    return [name, *rest]
        return None
