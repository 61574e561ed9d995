"""Finding the scope name a written name stands for: subscripts as written or as numbers
(``x_i`` with i bound), families of numbered names, layers (``a_{L-1}``), iterates
(``m_{k+1}``), parameter subscripts (``h_\\theta``) and the case of the letters."""

from __future__ import annotations

import re

from symgrad.checking.handbase import (
    _GREEK_ALIASES,
    _PARAM_MARKS,
    FreeIndex,
    GenericRule,
    IndexMiss,
    _candidates,
)
from symgrad.checking.handlex import Tok
from symgrad.checking.scope import INDEX_LETTERS


class Lookup:
    """A mixin of :class:`symgrad.checking.handparse._Parser`."""

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
        if not pieces and self.at("(") and self.peek().text in self.dummies and \
                self.peek(2).text == ")":
            return None  # h(W) with W any value: a function h, not the problem's H
        wanted = {c.lower() for c in _candidates(base, [str(self.bind.get(p, p)) for p in pieces])}
        lower = [v for v in self.vocab if v.lower() in wanted]
        if len(lower) == 1 and base.lower() != base.upper():
            return lower[0]
        if not pieces and "yhat" in t.names and self.scope.prediction in self.vocab:
            return self.scope.prediction  # \hat{y}: the prediction, the loss's other name
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
        for name in _feature_of_example(base, pieces, self.bind) + _candidates(base, concrete):
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
        if not pieces and base not in vocab and self.scope.opened is not None:
            return None  # reading a document for its problem: b is a new name, not b1
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
                if self.bind.get("·") == bound[-1]:
                    self.dot_keys.add(tuple(sorted(family)))
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
            self.dot_keys.add(tuple(sorted(family)))  # A - T = (0.5, -0.5), one entry each time
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


def _feature_of_example(base: str, pieces: list[str], bind: dict) -> list[str]:
    """``x_{i1}``, ``x_{1i}``, ``x_1^{(i)}``: feature 1 of example i, the problem's ``x1_i``
    (with the example's number for i)."""
    pieces = [p for p in pieces if p != ","]
    if len(pieces) == 1:  # x_{i1}: one word of the index letter and the number
        split = re.fullmatch(r"([A-Za-z])(\d+)|(\d+)([A-Za-z])", pieces[0])
        pieces = [g for g in split.groups() if g is not None] if split else pieces
    if len(pieces) != 2 or sum(p in bind for p in pieces) != 1:
        return []
    index, fixed = (pieces[0], pieces[1]) if pieces[0] in bind else (pieces[1], pieces[0])
    if bind[index] is None or not fixed.isdigit():
        return []
    return [f"{base}{fixed}_{bind[index]}"]
