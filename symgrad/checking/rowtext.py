"""Pieces of a document's text, judged by their look: where a math block splits into rows,
what is an annotation, a label or a lead-in word, and whether a line reads as a formula, code or
prose. :mod:`symgrad.checking.document` uses these to cut a document into rows."""

from __future__ import annotations

import re

# fmt: off
#: Environments whose rows are split at \\ (each row is one equation or a continuation).
ROW_ENVS = ("align", "aligned", "equation", "gather", "gathered", "split", "multline",
            "eqnarray", "alignat", "alignedat", "flalign", "displaymath", "math")
#: Environments read whole, as one part of a row (piecewise definitions, vectors).
BLOCK_ENVS = ("cases", "dcases", "rcases", "array", "matrix", "pmatrix", "bmatrix", "Bmatrix",
              "vmatrix", "Vmatrix", "smallmatrix", "subarray")
# fmt: on
_ROW_ENV = "|".join(ROW_ENVS)
_CODE_WORDS = re.compile(
    r"^\s*(?:for|while|def|class|import|from|return|print|if|elif|else|try|except|with|"
    r"lambda|var|let|const|function)\b|^\s*[\w.\[\]]+\s*(?:-=|\+=|\*=|/=)|"
    r"\b(?:range|len|float|int|np|numpy|torch|tf|self|math|sum|zip|print)\s*[.(]|\w\.\w+\(|"
    r"\w\.\w+\.\w|\)\s*:\s*$|"
    r"\b\d{1,3}(?:_\d{3})+\b"  # 100_000: Python's digit grouping
)


def _quoted(math: str) -> str:
    """An inline formula as it stands in a cue: ``$...$`` (short ones only)."""
    math = " ".join(math.split())
    return f"${math}$" if len(math) <= 80 else "$...$"


def looks_like_formula(text: str) -> bool:
    """A plain line that is a formula on its own (``-2x·(Y - w·x)``): operators, no words."""
    if not re.search(r"[-+*/^()·²]", text) or len(text) > 300:
        return False
    words = re.findall(r"[A-Za-z]{4,}", text)
    return not [w for w in words if w.lower() not in _FORMULA_WORDS]


_FORMULA_WORDS = {"sigmoid", "tanh", "relu", "sign", "sqrt", "softplus", "error", "loss", "cosh",
                  "sinh", "exp", "log"}


def strip_annotation(s: str, a: int, b: int) -> int:
    """The end of a plain line without a trailing note: ``(chain rule)``, ``# because ...``,
    a sentence glued on (:func:`glued_prose`)."""
    b = glued_prose(s, a, b)
    m = re.search(r"\s#[^\n]*$", s[a:b])
    if m and a + m.start() > a:
        b = a + m.start()
    while b > a and s[b - 1].isspace():
        b -= 1
    if b > a and s[b - 1] == ")":
        depth, k = 0, b - 1
        while k >= a:
            depth += {")": 1, "(": -1}.get(s[k], 0)
            if depth == 0:
                break
            k -= 1
        inner = s[k + 1 : b - 1]
        words = re.findall(r"[A-Za-z]{3,}", inner)
        if k > a and len(words) >= 2 and not re.search(r"[-+*/^=−]", inner.replace("w_", "")):
            b = k
        elif k > a and re.search(r"\b(rule|because|since|where|is|are|constant)\b", inner):
            b = k
    while b > a and s[b - 1].isspace():
        b -= 1
    return b


#: Prose glued to the end of a formula in a flattened copy (``∂u∂w0=x0Back to the other
#: equation:``): a capitalised word right after a letter, digit or bracket, then more words.
_GLUED_PROSE = re.compile(r"(?<=[a-z0-9)\]])[A-Z][a-z]{2,}(?:['’][a-z]+)?(?:\s+[a-z'’]+){2,}"
                          r"[^=]*$")  # not wTx + b: a word of three letters or more, then words


def glued_prose(s: str, a: int, b: int) -> int:
    """The end of a plain line's formula when a sentence was glued to it without a space (the
    text of a rendered page loses the break between a display and the next paragraph); the
    formula before it must state something (an ``=``)."""
    if b - a > 2000:  # a formula is shorter; the search is quadratic on hostile text
        return b
    m = _GLUED_PROSE.search(s, a, b)
    if m and "=" in s[a : m.start()]:
        return m.start()
    return b


_LABEL = re.compile(r"[A-Za-z][A-Za-z ]{0,30}(?:\([A-Za-z_0-9 ]{1,12}\))?[ \t]*:\s+(?=\S)")


_LEAD = re.compile(r"(?:so|then|thus|hence|where|and|now|therefore|since|i\.e\.|we have|"
                   r"which gives|giving)\s+(?=\S)", re.IGNORECASE)


def _statements(s: str, a: int, b: int) -> list[tuple[int, int]]:
    """A plain line cut at ``, and`` / ``;`` / ``i.e.`` between two equations."""
    out, start = [], a
    for m in re.finditer(r",\s*(?:and\s+)?|;\s*|\s+i\.\s?e\.,?\s+", s[a:b]):
        left, right = s[start : a + m.start()], s[a + m.end() : b]
        if "=" in left and "=" in right and re.match(r"\s*[A-Za-z]", right) and \
                left.count("(") == left.count(")"):
            out.append((start, a + m.start()))
            start = a + m.end()
    out.append((start, b))
    return out


def looks_like_code(text: str) -> bool:
    """A program statement rather than math: keywords, ``-=``, calls on dotted names, ``;``."""
    return bool(_CODE_WORDS.search(text))


def split_rows(s: str, a: int, b: int) -> list[tuple[int, int]]:
    """Split s[a:b] at top-level ``\\\\`` (with any ``[2pt]`` spacing); ``\\\\`` inside a cases
    or matrix environment, or inside braces, does not split."""
    out, depth, env, start, k = [], 0, 0, a, a
    while k < b:
        c = s[k]
        if c == "\\":
            if s.startswith("\\newline", k) and depth == 0 and env == 0 and not s[k + 8 : k + 9].isalpha():
                out.append((start, k))
                k += 8
                start = k
                continue
            if s.startswith("\\\\", k) and depth == 0 and env == 0:
                out.append((start, k))
                k += 2
                sp = re.compile(r"\s*\[[^\]\n]{0,12}\]").match(s, k, b)
                if sp:
                    k = sp.end()
                start = k
                continue
            mb = re.compile(r"\\(begin|end)\{([A-Za-z]+)\*?\}").match(s, k, b)
            if mb and mb.group(2) in BLOCK_ENVS:
                env += 1 if mb.group(1) == "begin" else -1
                env = max(env, 0)
                k = mb.end()
                continue
            k += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        k += 1
    out.append((start, b))
    out = _continued(s, out)
    return [piece for a_, b_ in out for c, d in _columns(s, a_, b_)
            for piece in _spaced_statements(s, c, d)]


#: A row that starts at the alignment point with a sign (``&+ -(t_1)\log ...``) carries on
#: the sum of the row before it, the way long sums are broken over lines in ``align``.
_CONTINUES = re.compile(r"\s*&\s*(?:\\q?quad\s*)?[-+]")


def _continued(s: str, rows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Rows joined to the row before them when they start with ``&+`` or ``&-``."""
    out: list[tuple[int, int]] = []
    for a, b in rows:
        if out and _CONTINUES.match(s, a, b):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _columns(s: str, a: int, b: int) -> list[tuple[int, int]]:
    """Equations in the columns of an ``align`` row (``W1 &= M & b1 &= v``): one row each. A
    top-level ``&`` splits when an equation is on its left and ``&=`` on its right."""
    cuts, depth, env, k = [], 0, 0, a
    while k < b:
        c = s[k]
        mb = re.compile(r"\\(begin|end)\{([A-Za-z]+)\*?\}").match(s, k, b)
        if mb and mb.group(2) in BLOCK_ENVS:
            env = max(env + (1 if mb.group(1) == "begin" else -1), 0)
            k = mb.end()
            continue
        if c == "\\":
            k += 2
            continue
        depth += (c == "{") - (c == "}")
        if c == "&" and depth == 0 and env == 0 and not s[k + 1 : b].lstrip().startswith("="):
            cuts.append(k)
        k += 1
    out, start = [], a
    for k in cuts:
        m = re.search(r"&\s*=", s[k + 1 : b])
        if "=" in s[start:k] and m and "=" not in s[k + 1 : k + 1 + m.start()]:
            out.append((start, k))
            start = k + 1
    out.append((start, b))
    return out


def _spaced_statements(s: str, a: int, b: int) -> list[tuple[int, int]]:
    """Equations set side by side with wide spacing (``a = b \\ \\ \\ c = d``): one row each."""
    out, start = [], a
    for m in re.finditer(r"(?:\\\s){2,}|\\qquad|\\quad\s*\\quad", s[a:b]):
        left, right = s[start : a + m.start()], s[a + m.end() : b]
        if "=" in left and "=" in right and left.count("{") == left.count("}"):
            out.append((start, a + m.start()))
            start = a + m.end()
    out.append((start, b))
    return out


_BEGIN = re.compile(r"\s*\\begin\{(" + _ROW_ENV + r")\*?\}(\{[^{}]*\})?\s*")


_END = re.compile(r"\\end\{(" + _ROW_ENV + r")\*?\}\s*$")


def trim(s: str, a: int, b: int) -> tuple[int, int]:
    """A row without blanks, inner ``\\begin{aligned}``/``\\end``, ``\\tag``, bullets and end
    punctuation (``= -2.`` ends a sentence)."""
    while True:
        m = _BEGIN.match(s, a, b)
        if not m or m.end() == a:
            break
        a = m.end()
    while a < b and s[a].isspace():
        a += 1
    while True:
        while b > a and (s[b - 1].isspace() or s[b - 1] in ".,;:"):
            if s[b - 1] == "." and re.search(r"\\right\s*$", s[a : b - 1]):
                break  # \right. closes a \left\{ (cases written with array)
            if s[b - 1] in ",;:" and s[b - 2 : b - 1] == "\\" and s[b - 3 : b - 2] != "\\":
                b -= 1  # \, \; \: (a space): dropped whole, never leaving a lone backslash
            b -= 1
        m = _END.search(s, a, b)
        if m:
            b = m.start()
            continue
        if s.startswith("\\\\", b - 2) and b - 2 >= a:
            b -= 2
            continue
        m = _NOTE.search(s, a, b) or _RANGES.search(s, a, b)
        if m and m.start() > a:
            b = m.start()
            continue
        break
    return a, b


#: The ranges of the indices after a row: ``,\:\: i=1,\cdots,n : j=1,\cdots,c`` (073).
_RANGE = r"[a-z]\s*=\s*\w+\s*,\s*\\[lc]?dots\s*,\s*\w+"
_RANGES = re.compile(r",(?:\s|\\[,;:! ]|\\q?quad)*" + _RANGE + r"(?:\s*(?:[:;,]|\\[,;:])\s*" +
                     _RANGE + r")*\s*$")

#: A note set off at the end of a row: ``\quad [\text{chain rule}]``, ``\qquad (\text{by ...})``.
_NOTE = re.compile(r"(?:\\q?quad|\\[,;: ]|~)+\s*[\[(]\s*\\(?:text|textrm|mbox|mathrm)\s*\{[^{}]*\}"
                   r"\s*[\])]\s*$")


_RENDERED = {"times": "×", "cdot": "⋅", "div": "÷", "pm": "±", "leq": "≤", "geq": "≥", "le": "≤",
             "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "partial": "∂", "nabla": "∇",
             "sum": "∑", "prod": "∏", "infty": "∞", "cdots": "⋯", "ldots": "…", "to": "→",
             **{f: f for f in ("max", "min", "log", "ln", "exp", "sin", "cos", "tan", "tanh",
                               "sinh", "cosh", "arg", "det", "sup", "inf", "lim")}}
#: what a flattened MathML copy may leave out: big operators, nablas and norm bars (``\|w\|^2``
#: is ``w2``, ``C \sum_{i=1}^{m}`` is ``Ci=1m``)
_DROPPED = re.compile(r"[∑∏∇∂|‖]")


def _as_rendered(tex: str) -> str:
    """What a page shows for ``tex`` once the markup is gone: ``\\frac{dL}{dw} = 2w`` ->
    ``dLdw=2w``, ``w^2`` -> ``w2`` (the text a copy of a KaTeX or MathJax page carries)."""
    out = re.sub(r"\\([A-Za-z]+)", lambda m: _RENDERED.get(m.group(1), ""), tex)
    out = out.replace("\\_", "_").replace("-", "−")
    return re.sub(r"[\s{}^_\\]", "", out)


def rendered_copy(s: str, a: int, b: int) -> int | None:
    """Where the TeX source starts in a row that a copy of a KaTeX page writes twice, first
    as rendered text and then as TeX (``dLdw=2w\\frac{dL}{dw} = 2w``, ``L=w2L = w^2``), else
    None. The two halves must match exactly once the TeX is flattened."""
    text = s[a:b]
    if len(text) > 400 or "=" not in text:
        return None
    for loose in (False, True):
        for k in range(1, len(text)):
            seen = re.sub(r"\s", "", text[:k]).replace("-", "−")
            if "=" not in seen or len(text) - k < k or loose and text[k] not in "\\" + _ALNUM:
                continue
            shown = _as_rendered(text[k:])
            if loose:  # a MathML copy: the operators it drops are dropped from both halves
                seen, shown = _DROPPED.sub("", seen), _DROPPED.sub("", shown)
                if "\\" not in text[k:]:
                    continue  # the second half must be TeX
            if shown == seen:
                return a + k
    return None


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def foreign_script(text: str) -> bool:
    """Letters of a script math does not use (Chinese, Cyrillic, Arabic, ...): a sentence in
    another language, such as a machine-translated copy of a page."""
    import unicodedata

    return any(ord(c) > 0x3FF and c.isalpha() and not unicodedata.name(c, "").startswith(
        ("GREEK", "LATIN", "MATHEMATICAL", "SCRIPT", "DOUBLE-STRUCK")) for c in text)


def looks_like_prose(text: str, vocab: frozenset[str], functions=()) -> bool:
    """Two or more words of three or more letters that are not names, functions or commands."""
    words = re.findall(r"(?<![\\A-Za-z_])[A-Za-z]{3,}(?![A-Za-z_(])", text)
    return sum(w not in vocab and w not in functions for w in words) >= 2
