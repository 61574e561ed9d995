"""Placeholders held as symbols in displayed expressions: a shown number, a Leibniz derivative."""

from __future__ import annotations

import sympy as sp


class Shown(sp.Symbol):
    """A number standing in for a symbol in a substitution line; prints as given.

    ``Shown("(-2)")`` keeps the written numeral (parenthesised when negative) so a
    substitution line shows ``2 \\cdot (-1.75)`` rather than a folded product.
    """

    def __new__(cls, text: str, plain: str | None = None):
        obj = super().__new__(cls, f"shown[{text}|{plain}]")
        obj.text = text
        obj.plain = text if plain is None else plain
        return obj

    def __getnewargs_ex__(self):
        return ((self.text, self.plain), {})


class Leibniz(sp.Symbol):
    """A derivative written in Leibniz notation, d(top)/d(bottom), held as one symbol."""

    def __new__(cls, top: sp.Symbol, bottom: sp.Symbol, partial: bool = True):
        obj = super().__new__(cls, f"d{top.name}/d{bottom.name}/{int(partial)}")
        obj.top, obj.bottom, obj.partial = top, bottom, partial
        return obj

    def __getnewargs_ex__(self):
        return ((self.top, self.bottom, self.partial), {})
