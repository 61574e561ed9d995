"""Token rewrites done once before a row is parsed, so every index the parser keeps stays
valid: transposes (``w^Tx_i``), letters written together (``ye^{-x}``), bare subscripts
(``x_iw_i``), ``\\frac12``; and the letters a row declares for itself (``\\sigma(x) = ...``)."""

from __future__ import annotations

import sympy as sp

from symgrad.checking.handbase import (
    _FUNCTIONS_WORDS,
    SEPARATORS,
    closing_brace,
)
from symgrad.checking.handlex import Tok
from symgrad.checking.scope import Scope


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


def _is_brace(t: Tok | None, text: str) -> bool:
    return t is not None and t.kind == "op" and t.text == text


def _unbraced(toks: list[Tok]) -> list[Tok]:
    """Braces that only group for TeX: an empty ``{}`` (``\\therefore{}``), the braces of
    ``\\because{ ... }``, and a name in braces taking a subscript or prime (``{\\cal{l}}_2``,
    ``{\\cal{l}}'_2``: the name l_2). Braces that are a command's argument are kept."""
    match, stack = {}, []
    for k, t in enumerate(toks):
        if _is_brace(t, "{"):
            stack.append(k)
        elif _is_brace(t, "}") and stack:
            match[stack.pop()] = k
    opener = {m: k for k, m in match.items()}
    drop: set[int] = set()
    for k, m in match.items():
        prev = toks[k - 1] if k else None
        first = opener.get(k - 1)  # \frac{a}{b}: b's braces follow the braces of a
        if prev is not None and (prev.kind == "cs" or prev.kind == "op" and prev.text in ("^", "_")
                                 or first is not None and first > 0 and
                                 toks[first - 1].kind == "cs" and toks[first - 1].text in
                                 ("frac", "binom")):
            continue  # an argument: \frac{a}{b}, x^{2}
        inner = [j for j in range(k + 1, m) if not (_is_brace(toks[j], "{") or
                                                     _is_brace(toks[j], "}"))]
        after = toks[m + 1] if m + 1 < len(toks) else None
        if m == k + 1 or prev is not None and prev.kind == "op" and prev.text == "=>" or \
                len(inner) == 1 and toks[inner[0]].kind == "word" and after is not None and \
                after.kind == "op" and after.text in ("_", "'"):
            drop.update(j for j in range(k, m + 1) if j not in inner)
    return [t for j, t in enumerate(toks) if j not in drop] if drop else toks


def _transposes_a_vector(prev: Tok) -> bool:
    """``\boldsymbol{X}^T``, ``(y - X\beta)^T``: a transpose the parser reads (it transposes
    a vector or matrix and leaves a number alone)."""
    return prev.kind == "word" and prev.value == "bold" or \
        prev.kind == "op" and prev.text in (")", "end:matrix")


def _vector_name(prev: Tok, toks: list[Tok], k: int, scope: Scope) -> bool:
    """``\\mathit{h1}^\\mathsf{T} \\nabla loss``: the transpose of a vector's name (h1 for
    h1_1, h1_2) before something that is not a name (a nabla, a matrix): the parser reads it."""
    if prev.kind != "word" or len(prev.names) != 1 or prev.text in scope.vocab():
        return False
    k += 2 if toks[k + 1].text == "T" else 4 if toks[k + 1].text == "{" else len(toks)
    if k >= len(toks) or toks[k].kind in ("word", "end") or toks[k].text in ("_", "^"):
        return False
    return len(scope.family(prev.names[0])) >= 2


def _whole_product(out: list[Tok], toks: list[Tok], k: int, scope: Scope) -> int:
    """After a transpose (``\\theta^\\top`` is out[-1]) and before toks[k]: ``\\theta^\\top
    x^{(i)}`` is the whole dot product, which the problem writes ``theta*x_i + c_i`` (see
    :attr:`Scope.rest_of_product`); write it so, with c taking x's index. Returns where to go
    on (k itself when the product is not one of those)."""
    w, x = out[-1], toks[k]
    if w.kind != "word" or len(w.names) != 1 or x.kind != "word" or len(x.names) != 1:
        return k
    rest = scope.rest_of_product.get((w.names[0], x.names[0]))
    if rest is None or not (toks[k + 1].kind == "op" and toks[k + 1].text in ("_", "^")):
        return k
    stop = k + 3
    if toks[k + 2].kind == "op" and toks[k + 2].text == "{":
        stop = closing_brace(toks, k + 2) + 1
    index = toks[k + 1 : stop]
    if not index or index[-1].kind == "end":
        return k
    pos = x.pos
    out.insert(len(out) - 1, Tok("op", "(", w.pos))
    out.extend([x, *index, Tok("op", "+", pos), Tok("word", rest, pos, names=(rest,)), *index,
                Tok("op", ")", pos)])
    return stop


def _prepared(toks: list[Tok], scope: Scope, dummies) -> list[Tok]:
    """Rewrite what the grammar would otherwise misread, once, before parsing (so every token
    index the parser keeps stays valid): braces that only group (:func:`_unbraced`),
    transposes (``w^Tx_i`` is w x_i), a power or subscript on the last of several letters
    (``ye^{-x}`` is y e^{-x}), and a bare subscript longer than one character when it is not a
    name (``x_iw_i`` is x_i w_i)."""
    toks = _unbraced(toks)
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
        if t.kind == "op" and t.text == "*" and nxt is not None and nxt.kind == "op" and \
                nxt.text == "=" and out and out[-1].kind in ("word", "num", "op") and \
                (out[-1].kind != "op" or out[-1].text in (")", "}")):
            out.append(t)  # X_2 * = (a - y): a stray '=' after the times sign, X_2 (a - y)
            k += 2
            continue
        if _flattened_leibniz(toks, k, out):
            out.extend([t, nxt, Tok("op", "/", toks[k + 2].pos)])
            k += 2  # ∂u∂w0, a MathML copy without its fraction bar: ∂u/∂w0
            continue
        if _increment(t, nxt, scope):
            out.append(Tok("word", "Δ" + nxt.text, t.pos, names=("Δ" + nxt.text,)))
            k += 2  # \Delta x: one small number (an increment), any value
            continue
        if t.kind == "op" and t.text == "^" and nxt is not None and out and \
                not _transposes_a_vector(out[-1]) and not _vector_name(out[-1], toks, k, scope):
            if nxt.kind == "op" and nxt.text == "T" or (nxt.kind == "word" and nxt.text == "T"
                                                         and "T" not in scope.names):
                k = _whole_product(out, toks, k + 2, scope)  # ^T, ^\top: a transpose
                continue
            if nxt.kind == "op" and nxt.text == "{" and k + 3 < n and toks[k + 3].text == "}" and \
                    (toks[k + 2].text == "T" and "T" not in scope.names or
                     toks[k + 2].kind == "op" and toks[k + 2].text == "T"):
                k = _whole_product(out, toks, k + 4, scope)  # ^{T}
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
        if t.kind == "word" and nxt is not None and nxt.kind == "op" and nxt.text == "'" and \
                k + 3 < n and toks[k + 2].kind == "op" and toks[k + 2].text == "_":
            end = k + 4  # l'_2(x): the derivative of l_2, the prime written first
            if toks[k + 3].kind == "op" and toks[k + 3].text == "{":
                end = closing_brace(toks, k + 3) + 1
            out.extend([t, *toks[k + 2 : end], nxt])
            k = end
            continue
        out.append(t)
        k += 1
    return out


def _flattened_leibniz(toks: list[Tok], k: int, out: list[Tok]) -> bool:
    """``∂MSE∂w0``: two Unicode partial signs, each glued to one name, with nothing between
    them: the text of a rendered fraction whose bar was lost (a product of two differentials
    means nothing here)."""
    if k + 3 >= len(toks) or out and out[-1].kind in ("word", "num", "d"):
        return False
    t, top, d, bottom = toks[k : k + 4]
    after = toks[k + 4] if k + 4 < len(toks) else None
    return (t.kind == d.kind == "d" and t.text == d.text == "partial" and
            top.kind == bottom.kind == "word" and top.pos == t.pos + 1 and
            d.pos == top.pos + len(top.text) and bottom.pos == d.pos + 1 and
            (after is None or after.kind == "end" or after.kind == "op" and
             after.text in ("=", "*", ")", ",")))


def _increment(t: Tok, nxt: Tok | None, scope: Scope) -> bool:
    """``\\Delta x`` before a one-letter name, when the problem has no Delta of its own: the
    increment of a difference quotient (``\\delta x`` is left to mean a differential)."""
    return t.kind == "word" and t.text == "\\Delta" and nxt is not None and \
        nxt.kind == "word" and len(nxt.text) == 1 and nxt.text.isalpha() and \
        not ({"Delta", "delta"} & scope.names)


def _dummies(toks: list[Tok], scope: Scope) -> frozenset[str]:
    """Letters the row declares on its left side: ``\\sigma(x)``, ``\\frac{d|x|}{dx}``, ``f(t)``;
    and increments ``\\Delta x``, which stand for any number."""
    names = scope.inputs | scope.quantities  # a document's own z may be a dummy here
    out = {"Δ" + b.text for a, b in zip(toks, toks[1:]) if _increment(a, b, scope)}
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
            after = toks[k + 1] if k + 1 < len(toks) else None
            if after is not None and after.kind == "op" and after.text in ("_", "^"):
                continue  # dW_2: the name W_2 (w2), not a letter standing for any number
            if prev is not None and prev.kind == "op" and prev.text == "{":
                out.add(t.text[1])  # \frac{d|x|}{dx}
    return frozenset(out)
