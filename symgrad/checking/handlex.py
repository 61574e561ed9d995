"""Hand derivations, lexically: split a document into rows and a row into tokens (no eval)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sympy as sp

from symgrad.errors import ParseError

# fmt: off
#: Limits that keep every document and row small and every check fast.
MAX_CHARS = 256 * 1024  # characters in one document
MAX_ROWS = 2000  # math rows and prose lines in one document
MAX_ROW = 2000  # characters in one row
MAX_TOKENS = 600  # tokens in one row
MAX_LITERAL_DIGITS = 100  # digits in one number

#: Control sequences refused outright: they define macros, read or write files, or run code.
FORBIDDEN = frozenset((
    "def", "edef", "gdef", "xdef", "let", "newcommand", "renewcommand", "providecommand",
    "DeclareMathOperator", "input", "include", "includeonly", "InputIfFileExists", "openin",
    "openout", "read", "write", "immediate", "csname", "endcsname", "catcode", "expandafter",
    "special", "usepackage", "RequirePackage", "documentclass", "loop", "jobname",
    "newenvironment", "renewenvironment", "newif", "futurelet", "afterassignment", "everymath",
    "directlua", "ShellEscape",
))
MATH_ENVS = ("align", "aligned", "equation", "gather", "gathered", "split", "multline",
             "eqnarray", "alignat", "alignedat", "flalign")  # fmt: skip
_ENV = "|".join(MATH_ENVS)
_OPEN = re.compile(r"\$\$|\\\[|\\begin\{(" + _ENV + r")\*?\}")
_FUNCTIONS = {"sign": "sign", "sgn": "sign", "signum": "sign", "abs": "abs", "exp": "exp",
              "log": "log", "ln": "log", "sqrt": "sqrt", "sigmoid": "sigmoid", "tanh": "tanh",
              "relu": "relu", "ReLU": "relu", "max": "max", "min": "min", "Abs": "abs",
              "Max": "max", "Min": "min", "sin": "sin", "cos": "cos", "tan": "tan",
              "sinh": "sinh", "cosh": "cosh", "softplus": "softplus", "leaky_relu": "leaky_relu",
              "clamp": "clamp", "clip": "clamp", "hardtanh": "hardtanh"}  # fmt: skip
GREEK = frozenset((
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau",
    "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
    "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
))
_IGNORED = frozenset((
    ",", ";", ":", "!", ">", "quad", "qquad", "displaystyle", "textstyle", "limits",
    "nolimits", "nonumber", "notag", "big", "Big", "bigg", "Bigg", "middle",
)) | {" "}
_OPERATORS = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "approx": "~=", "gt": ">",
              "lt": "<", "ge": ">=", "geq": ">=", "geqslant": ">=", "le": "<=", "leq": "<=",
              "leqslant": "<=", "leftarrow": "<-", "gets": "<-", "lvert": "lbar",
              "rvert": "rbar", "vert": "|", "{": "lbrace", "}": "rbrace", "|": "|",
              "lbrace": "lbrace", "rbrace": "rbrace"}  # fmt: skip
_SIZED = re.compile(r"\\(left|right|[bB]igg?[lr]?)\s*(\\[{}|]|\\[lr]vert|\\vert|[()\[\]|.])")
_WRAPPERS = frozenset((
    "text", "textrm", "textit", "textbf", "textnormal", "mbox", "mathrm", "operatorname",
    "mathit", "mathsf", "mathbf", "boldsymbol", "bm", "mathbb", "mathds", "mathbbm", "mathcal",
    "mathscr", "hat", "widehat", "bar", "overline", "tilde", "widetilde",
))
_PROSE = frozenset(["text", "textrm", "textit", "textbf", "textnormal", "mbox"])
_UNICODE = {"−": "-", "×": "*", "·": "*", "⋅": "*", "∂": "partial", "≤": "<=",
            "≥": ">=", "≈": "~=", "←": "<-", "√": "sqrt", "∑": "sum", "∇": "nabla"}  # fmt: skip
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SINGLE = "+-*/^_()[]{}|=,<>'"
_ACCENTS = {"\u0302": "hat", "\u0304": "bar", "\u0303": "tilde"}  # combining marks: ŷ, ȳ, ỹ
# fmt: on


@dataclass(frozen=True)
class Row:
    """One unit of a document: a math row to judge or a prose line to skip."""

    kind: str  # "math" (in a math block), "line" (a plain line with '=') or "prose"
    line: int  # 1-based line of its first character
    start: int  # offsets into the document
    end: int


class Tok:
    """A token: kind is num, word, fn, d (a differential), ind (indicator), cs, op or end."""

    __slots__ = ("decimals", "kind", "names", "partial", "pos", "text", "value")

    def __init__(self, kind, text, pos, value=None, names=(), decimals=0, partial=False):
        self.kind, self.text, self.pos, self.value = kind, text, pos, value
        self.names, self.decimals, self.partial = names, decimals, partial

    def shown(self) -> str:
        return "end of line" if self.kind == "end" else repr(self.text[:20])


def position(doc: str, pos: int) -> tuple[int, int, str]:
    """(1-based line, 0-based column, that line's text) of offset ``pos`` in ``doc``."""
    pos = max(0, min(pos, len(doc)))
    start = doc.rfind("\n", 0, pos) + 1
    stop = doc.find("\n", pos)
    return doc.count("\n", 0, pos) + 1, pos - start, doc[start : stop if stop >= 0 else len(doc)]


def error(doc: str, pos: int, message: str) -> ParseError:
    """A ParseError placed at ``pos``: ``line N: message at column C in '...'``."""
    line, col, text = position(doc, pos)
    return ParseError(message, text, col, f"line {line}")


def _comment_free(doc: str) -> str:
    """The document with %-comments blanked (same length, so offsets still hold)."""
    return re.sub(r"(?<!\\)%[^\n]*", lambda m: " " * len(m.group(0)), doc)


def split_document(doc: str) -> list[Row]:
    """Rows to judge and prose lines to skip, in order.

    LaTeX environments (``align*``, ``aligned``, ``equation``, ...), ``$$`` and ``\\[ \\]``
    blocks are split at ``\\\\``; with no such block, every line is a row (and a line without
    ``=`` or an update arrow is prose). Comment lines (``%``, ``#``, ``//``) are left out.
    """
    if len(doc) > MAX_CHARS:
        raise ParseError(f"document too long ({len(doc)} characters, limit {MAX_CHARS})")
    if "\x00" in doc:
        raise error(doc, doc.index("\x00"), "binary data (a NUL character) is not text")
    clean = _comment_free(doc)
    for m in re.finditer(r"\\([A-Za-z]+)", clean):  # refuse these anywhere, even in prose
        if m.group(1) in FORBIDDEN:
            raise error(doc, m.start(), f"\\{m.group(1)} is not allowed in a hand derivation")
    rows: list[Row] = []
    if _OPEN.search(clean):
        _blocks(doc, clean, rows)
    else:
        for lm in re.finditer(r"[^\n]+", clean):
            a, b = lm.span()
            text = clean[a:b].strip()
            if not text or text.startswith(("#", "//", "<!--")):
                continue
            if re.search(r"=|\\leftarrow|\\gets|<-|←|\\approx|≈", text):
                _rows_in(doc, clean, a, b, rows, "line")
            else:
                rows.append(Row("prose", position(doc, a)[0], a, b))
    if len(rows) > MAX_ROWS:
        raise ParseError(f"too many lines ({len(rows)}, limit {MAX_ROWS})")
    return rows


def _blocks(doc: str, clean: str, rows: list[Row]) -> None:
    i = 0
    while True:
        m = _OPEN.search(clean, i)
        stop = m.start() if m else len(clean)
        for lm in re.finditer(r"[^\n]+", clean[i:stop]):
            a = i + lm.start()
            text = lm.group(0).strip()
            if text and not text.startswith(("\\end{", "\\begin{", "<!--", "\\]")):
                rows.append(Row("prose", position(doc, a)[0], a, i + lm.end()))
        if m is None:
            return
        if m.group(0) in ("$$", "\\["):
            closer = re.compile(re.escape("$$" if m.group(0) == "$$" else "\\]"))
        else:
            closer = re.compile(r"\\end\{" + re.escape(m.group(1)) + r"\*?\}")
        c = closer.search(clean, m.end())
        if c is None:
            raise error(doc, m.start(), f"unclosed math block {m.group(0)!r}")
        end, after = c.start(), c.end()
        _rows_in(doc, clean, m.end(), end, rows)
        i = after


def _rows_in(doc: str, clean: str, start: int, end: int, rows: list[Row], kind="math") -> None:
    """Split clean[start:end] at ``\\\\`` (and its ``[2pt]`` spacing) into math rows."""
    i = start
    for m in re.finditer(r"\\\\(\s*\[[^\]\n]*\])?", clean[start:end]):
        _row(doc, clean, i, start + m.start(), rows, kind)
        i = start + m.end()
    _row(doc, clean, i, end, rows, kind)


def looks_like_prose(text: str, vocab: frozenset[str]) -> bool:
    """Two or more words of three or more letters that are not names, functions or commands."""
    words = re.findall(r"(?<![\\A-Za-z])[A-Za-z]{3,}(?![A-Za-z(])", text)
    return sum(w not in vocab and w not in _FUNCTIONS for w in words) >= 2


_BEGIN = re.compile(r"\s*\\begin\{(" + _ENV + r")\*?\}(\{[^{}]*\})?\s*")
_END = re.compile(r"\\end\{(" + _ENV + r")\*?\}\s*$")


def _row(doc: str, clean: str, a: int, b: int, rows: list[Row], kind: str) -> None:
    """One row, trimmed of blanks, inner ``\\begin{aligned}``/``\\end`` and end punctuation."""
    while True:
        m = _BEGIN.match(clean, a, b)
        if not m or m.end() == a:
            break
        a = m.end()
    while a < b and clean[a].isspace():
        a += 1
    while True:
        while b > a and (clean[b - 1].isspace() or clean[b - 1] in ".,;"):
            b -= 1
        m = _END.search(clean, a, b)
        if not m:
            break
        b = m.start()
    if a < b:
        rows.append(Row(kind, position(doc, a)[0], a, b))


def _braced(doc: str, i: int, end: int) -> tuple[str, int, int]:
    """The argument of a wrapper command at doc[i]: ``{...}`` (not nested) or one letter/``\\cs``."""
    while i < end and doc[i] == " ":
        i += 1
    if i < end and doc[i] == "{":
        close = doc.find("}", i + 1, end)
        inner_open = doc.find("{", i + 1, end)
        if close < 0 or 0 <= inner_open < close:
            raise error(doc, i, "expected a simple {...} argument")
        return doc[i + 1 : close], i + 1, close + 1
    m = re.compile(r"\\[A-Za-z]+|[A-Za-z0-9]").match(doc, i, end)
    if not m:
        raise error(doc, i, "expected an argument")
    return m.group(0), i, m.end()


def _wrapped(doc: str, cs: str, pos: int, i: int, end: int, vocab) -> tuple[Tok | None, int]:
    """The token for ``\\hat{y}``, ``\\text{sign}``, ``\\mathbb{1}``, ... (None to skip it)."""
    arg, at, j = _braced(doc, i, end)
    word = arg.strip().lstrip("\\").replace("\\_", "_")  # \operatorname{leaky\_relu}
    if cs in ("hat", "widehat", "bar", "overline", "tilde", "widetilde"):
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", word):
            raise error(doc, at, f"expected a name in \\{cs}{{...}}")
        mark = {"widehat": "hat", "overline": "bar", "widetilde": "tilde"}.get(cs, cs)
        return Tok("word", doc[pos:j], pos, names=(word + mark, f"{word}_{mark}", mark + word)), j
    if word in ("1", "I") and cs in ("mathbb", "mathbf", "mathds", "mathbbm", "boldsymbol", "bm"):
        return Tok("ind", doc[pos:j], pos), j
    if word in _FUNCTIONS:
        return Tok("fn", doc[pos:j], pos, value=_FUNCTIONS[word]), j
    if word == "d":
        return Tok("d", doc[pos:j], pos), j
    if word == "e" and "e" not in vocab:
        return Tok("num", doc[pos:j], pos, value=sp.E), j
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", word) and (cs not in _PROSE or word in vocab):
        return Tok("word", doc[pos:j], pos, names=(word,)), j
    if cs in _PROSE:
        return None, j  # an annotation such as \text{(chain rule)}
    raise error(doc, at, f"cannot read \\{cs}{{{arg[:20]}}}")


def tokenize(doc: str, start: int, end: int, vocab: frozenset[str]) -> list[Tok]:
    """Tokens of doc[start:end] with offsets into ``doc``; ``vocab`` holds the problem's names."""
    if end - start > MAX_ROW:
        raise error(
            doc, start + MAX_ROW, f"line too long ({end - start} characters, limit {MAX_ROW})"
        )
    toks: list[Tok] = []
    i = start
    while i < end:
        ch = doc[i]
        if ch.isspace() or ch in "&~$":
            i += 1
            continue
        if len(toks) >= MAX_TOKENS:
            raise error(doc, i, f"too many symbols in one line (limit {MAX_TOKENS})")
        tok, i = _token(doc, i, end, vocab)
        if tok is not None:
            toks.append(tok)
    toks.append(Tok("end", "", end))
    return toks


def _token(doc: str, i: int, end: int, vocab) -> tuple[Tok | None, int]:
    ch = doc[i]
    if ch.isdigit() or (ch == "." and i + 1 < end and doc[i + 1].isdigit()):
        text = _NUMBER.match(doc, i, end).group(0)
        whole, _, frac = text.partition(".")
        if len(whole) + len(frac) > MAX_LITERAL_DIGITS:
            raise error(doc, i, f"number too long (limit {MAX_LITERAL_DIGITS} digits)")
        value = sp.Rational(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))
        return Tok("num", text, i, value=value, decimals=len(frac)), i + len(text)
    nfd = unicodedata.normalize("NFD", doc[i : i + 2])
    if len(nfd) >= 2 and nfd[0].isascii() and nfd[0].isalpha() and nfd[1] in _ACCENTS:
        size = 2 if doc[i + 1 : i + 2] == nfd[1] else 1  # y + combining hat, or one ŷ
        base, mark = nfd[0], _ACCENTS[nfd[1]]
        names = (base + mark, f"{base}_{mark}", mark + base)
        return Tok("word", doc[i : i + size], i, names=names), i + size
    if ch.isascii() and ch.isalpha():
        text = _WORD.match(doc, i, end).group(0)
        if text in _FUNCTIONS and text not in vocab:
            return Tok("fn", text, i, value=_FUNCTIONS[text]), i + len(text)
        if text == "sigma" and text not in vocab and _call_follows(doc, i + 5, end):
            return Tok("fn", text, i, value="sigmoid"), i + 5
        return Tok("word", text, i, names=(text,)), i + len(text)
    if ch == "\\":
        return _control(doc, i, end, vocab)
    for two, kind in (("**", "^"), (">=", ">="), ("<=", "<="), ("<-", "<-"), (":=", "<-")):
        if doc.startswith(two, i) and i + 2 <= end:
            return Tok("op", kind, i), i + 2
    if ch in _SINGLE:
        return Tok("op", ch, i), i + 1
    if ch in _UNICODE:
        word = _UNICODE[ch]
        kind = "d" if word == "partial" else "cs" if word.isalpha() else "op"
        if word == "sqrt":
            return Tok("fn", ch, i, value="sqrt"), i + 1
        return Tok(kind, word, i, partial=True), i + 1
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK ") and name.count(" ") == 3 and "LETTER" in name:
        word = name.rsplit(" ", 1)[1].lower()
        word = word if "SMALL" in name else word.title()
        return Tok("word", ch, i, names=(word,)), i + 1
    raise error(doc, i, f"unexpected character {ch!r}")


def _control(doc: str, i: int, end: int, vocab) -> tuple[Tok | None, int]:
    m = _SIZED.match(doc, i, end)
    if m:  # \left( \right| \bigl( ...: a delimiter; sizes do not matter
        side, delim = m.group(1), m.group(2)
        j = m.end()
        if delim == ".":
            return None, j
        if delim in ("|", "\\|", "\\vert", "\\lvert", "\\rvert"):
            bar = {"left": "lbar", "right": "rbar"}.get(side, "|")
            bar = "lbar" if side.endswith("l") else "rbar" if side.endswith("r") else bar
            return Tok("op", bar, i), j
        return Tok("op", _OPERATORS.get(delim[1:], delim) if delim[0] == "\\" else delim, i), j
    m = re.compile(r"\\([A-Za-z]+|.)").match(doc, i, end)
    if not m:
        raise error(doc, i, "a lone backslash")
    cs, j = m.group(1), m.end()
    if cs in FORBIDDEN:
        raise error(doc, i, f"\\{cs} is not allowed in a hand derivation")
    if cs in _IGNORED:
        return None, j
    if cs in ("tag", "label"):
        _, _, j = _braced(doc, j, end)
        return None, j
    if cs in ("begin", "end"):
        env, _, j = _braced(doc, j, end)
        if env.rstrip("*") not in MATH_ENVS:
            raise error(doc, i, f"environment {env!r} is not supported inside math")
        if cs == "begin" and env.startswith("alignat"):
            _, _, j = _braced(doc, j, end)
        return None, j
    if cs in _OPERATORS:
        return Tok("op", _OPERATORS[cs], i), j
    if cs in _WRAPPERS:
        return _wrapped(doc, cs, i, j, end, vocab)
    if cs == "partial":
        return Tok("d", "\\partial", i, partial=True), j
    if cs in ("frac", "dfrac", "tfrac", "cfrac", "sqrt", "sum", "nabla"):
        return Tok("cs", cs.lstrip("dtc") if cs.endswith("frac") else cs, i), j
    if cs in _FUNCTIONS or cs == "sigma" and "sigma" not in vocab and _call_follows(doc, j, end):
        return Tok("fn", "\\" + cs, i, value=_FUNCTIONS.get(cs, "sigmoid")), j
    if cs in GREEK or cs == "ell":
        names = ("ell", "l", "L") if cs == "ell" else (cs,)
        if cs == "pi" and "pi" not in vocab:
            return Tok("num", "\\pi", i, value=sp.pi), j
        return Tok("word", "\\" + cs, i, names=names), j
    raise error(doc, i, f"unknown command \\{cs}")


def _call_follows(doc: str, j: int, end: int) -> bool:
    """True when ``\\sigma`` is applied: ``(``, ``\\left(`` or ``\\big(`` comes next."""
    rest = doc[j:end].lstrip().removeprefix("'").lstrip()
    return rest.startswith(("(", "\\left(", "\\left (", "\\big(", "\\Big(", "\\bigl(", "\\Bigl("))
