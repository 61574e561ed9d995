"""Derivatives stated in a plain-text sentence: "The gradient of w^2 is 2w", "The correct
derivative of tanh(Z1) with respect to Z1 is 1 - tanh^2(Z1)".

:func:`said_claims` finds, in one line of prose with no math markup, the formula a sentence
differentiates, the variable it names (if any) and the formula it says the derivative is.
:mod:`symgrad.checking.document` makes rows of them, and the judge pairs the two formulas (the
same as ``the derivative of $\\tanh(x)$ is $1 - \\tanh^2(x)$`` with inline math). A sentence
whose stated result goes on past its formula ("is 2(x - y), multiplied by the derivative of
...") is a claim that cannot be read whole: it is reported, never cut short to a guess.
Nothing here evaluates anything.
"""

from __future__ import annotations

import re

from symgrad.records import record, replace

_SAID = re.compile(
    r"\b(?:partial\s+)?(?:derivative|gradient)\s+of\s+(?P<e1>\S.{0,120}?)\s+"
    r"(?:(?:with\s+respect\s+to|w\.\s?r\.\s?t\.?|wrt)\s+(?P<var>[A-Za-z]\w*)\s+)?"
    r"(?:is(?:\s+(?:simply|just|then|therefore|thus|also))?(?:\s+equal\s+to)?|equals)\s*:?\s+"
    r"(?=\S)", re.IGNORECASE)

#: words a formula may contain: the functions people write in plain text
_MATH_WORDS = frozenset((
    "sigmoid", "tanh", "relu", "sign", "sgn", "sqrt", "softplus", "cosh", "sinh", "sech", "exp",
    "log", "ln", "abs", "max", "min", "sin", "cos",
))
#: what, right after the stated formula, makes it part of a longer statement
_GOES_ON = re.compile(r"\s*(?:\([^()]*\))?\s*,?\s*(?:multiplied|times|plus|minus|divided|over|"
                      r"added|subtracted|squared)\b", re.IGNORECASE)
#: a condition or a definition after the stated formula ("1 for x > 0", "s(1 - s) where s = ...")
_QUALIFIED = re.compile(r"\s*,?\s*(?:for(?!\s+(?:all|every|any)\b)|when|whenever|if|unless|"
                        r"where|except|only)\b", re.IGNORECASE)


#: a formula, readable or not: operators next to names, or math symbols (a flattened copy's ∥w∥)
_FORMULA_LIKE = re.compile(r"[-+*/^()]\s*\w|\w\s*[-+*/^()]|[∥‖∑∂√∇·×−α-ωΑ-Ω]")


@record
class Said:
    """One statement, as offsets into the line: the formula differentiated (e1), the variable
    named (var, or an empty span), the formula stated (e2); ``error`` when it cannot be read
    whole."""

    e1: tuple[int, int]
    var: tuple[int, int]
    e2: tuple[int, int]
    error: str = ""


def plain_formula(text: str) -> bool:
    """A formula written in plain text (``w^2``, ``2w``, ``1 - tanh^2(Z1)``, ``x``): math
    characters and names only, no words of prose."""
    t = text.strip()
    if not t or len(t) > 120 or not re.fullmatch(r"[\w^*/+\-−().,·²³'| ]+", t):
        return False
    if t.count("|") % 2 or t.count("(") != t.count(")") or re.search(r"[-+*/^(−]$", t) or re.match(r"[*/^)]", t):
        return False
    for w in re.finditer(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])", t):
        if w.group().lower() in _MATH_WORDS or re.match(r"\w*\s*\(", t[w.end() :]):
            continue  # sigma(x), loss(w): functions
        before, after = t[: w.start()].rstrip()[-1:], t[w.end() :].lstrip()[:1]
        if not (before and before in "*/+-−^(·_0123456789" or after and after in "*/+-−^)·_"):
            return False  # a word of prose; lam*w, 2(yhat - y): a name in a formula
    if re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}", t):
        return False
    if re.search(r"[A-Za-z]\w*\s+[A-Za-z]\w*\s+[A-Za-z]", t):
        return False  # three names in a row, with spaces: words
    return True


def _formula_end(text: str, start: int) -> int:
    """Where the formula starting at ``text[start]`` ends: at a comma, a semicolon or a full stop
    outside parentheses, at a word of prose, or at the end of the line."""
    depth, k, stop = 0, start, min(len(text), start + 200)
    while k < stop:
        c = text[k]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return k
        elif depth == 0 and (c in ",;:!?" or c == "." and (k + 1 == len(text) or
                                                           text[k + 1].isspace())):
            return k
        elif depth == 0 and c == " ":
            m = re.match(r"\s+([A-Za-z]{3,})\b", text[k:])
            if m and m.group(1).lower() not in _MATH_WORDS:
                return k
            if re.match(r"\s+\(\s*[A-Za-z]{3,}", text[k:]):
                return k  # "2(x - y) (as you mentioned)": an aside after the formula
        k += 1
    return stop


def said_claims(text: str) -> list[Said]:
    """The derivatives a line of prose states, in order (see the module's text)."""
    out: list[Said] = []
    pos = 0
    while True:
        m = _SAID.search(text, pos)
        if m is None:
            return out
        pos = m.end()
        e1 = m.group("e1")
        s2 = m.end()
        if re.search(r"[.;!?]\s", e1):
            pos = m.start("e1")  # "the gradient of the term. The derivative of ...": start again
            continue
        if not plain_formula(e1):
            if _FORMULA_LIKE.search(e1) and not re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}", e1):
                e2_end = _formula_end(text, s2)  # "((wxi + b) - y)2": a formula, not readable
                out.append(Said(m.span("e1"), (m.end(), m.end()), (s2, e2_end), "the formula "
                                "this sentence differentiates cannot be read"))
                pos = max(pos, e2_end)
            else:
                pos = m.start("e1")  # "the gradient of the loss and the derivative of x^2 is"
            continue
        if re.match(r"(?:not|never|no)\b", text[s2:], re.IGNORECASE):
            continue  # "is not 2x": no claim of what it is
        e2_end = _formula_end(text, s2)
        while e2_end > s2 and text[e2_end - 1].isspace():
            e2_end -= 1
        var = m.span("var") if m.group("var") else (m.end(), m.end())
        said = Said(m.span("e1"), var, (s2, e2_end))
        pos = max(pos, e2_end)
        if not plain_formula(text[s2:e2_end]):
            if re.match(r"[-−(\w]", text[s2:]) and re.search(r"[\d^*/+()]", text[s2:e2_end]):
                out.append(replace(said, error="the derivative this sentence states is not a "
                                    "formula that can be read"))
            continue
        if _GOES_ON.match(text, e2_end):
            out.append(replace(said, error="the sentence goes on past the formula it states "
                                "(\"multiplied by ...\"): the claim cannot be read whole"))
            continue
        if _QUALIFIED.match(text, e2_end):
            out.append(replace(said, error="the formula this sentence states holds under a "
                                "condition or a definition in words: the claim cannot be read whole"))
            continue
        out.append(said)

