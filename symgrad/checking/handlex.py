"""Hand derivations, lexically: one row of LaTeX or plain math as tokens (no eval).

Splitting a document into rows is :mod:`symgrad.checking.document`; this module reads one row.
"""

from __future__ import annotations

import re
import unicodedata

import sympy as sp

from symgrad.checking.document import (  # noqa: F401 - re-exported for callers and tests
    BLOCK_ENVS,
    FORBIDDEN,
    MAX_CHARS,
    MAX_ROWS,
    ROW_ENVS,
    Row,
    error,
    looks_like_prose,
    matching_brace,
    position,
    split_document,
)
from symgrad.checking.handtables import (  # noqa: F401 - _FUNCTIONS is read by the judge
    _ACCENT_CS,
    _ACCENTS,
    _BLOCK_SPEC,
    _BOLD,
    _DIGITS,
    _FUNCTIONS,
    _IGNORED,
    _IGNORED_WITH_ARGUMENT,
    _NUMBER,
    _OPERATORS,
    _PROSE,
    _SINGLE,
    _SIZED,
    _SUBSCRIPTS,
    _SUPERSCRIPTS,
    _UNICODE,
    _WORD,
    _WRAPPERS,
    GREEK,
    MAX_LITERAL_DIGITS,
    MAX_ROW,
    MAX_TOKENS,
    SUBSCRIPTED,
    _call_follows,
    _looks_like_name,
    _trailing_point,
    composition,
    inner_name,
)

MATH_ENVS = ROW_ENVS


class Tok:
    """A token: kind is num, word, fn, d (a differential), ind (indicator), cs, op or end."""

    __slots__ = ("decimals", "kind", "names", "partial", "pos", "text", "value")

    def __init__(self, kind, text, pos, value=None, names=(), decimals=0, partial=False):
        self.kind, self.text, self.pos, self.value = kind, text, pos, value
        self.names, self.decimals, self.partial = names, decimals, partial

    def shown(self) -> str:
        return "end of line" if self.kind == "end" else repr(self.text[:20])

    def __repr__(self) -> str:  # for debugging and test failures
        return f"Tok({self.kind}, {self.text!r})"


def accent_names(base: str, mark: str) -> tuple[str, ...]:
    """The names an accented letter may have in a problem: ``yhat``, ``y_hat``, ``haty``, and
    ``yh`` for a hat (``Yh1`` for \\hat{Y}_1)."""
    return (base + mark, f"{base}_{mark}", mark + base) + ((base + "h",) if mark == "hat" else ())


class _Lexer:
    """State of one row's tokenization: the macros met so far bound the expansion."""

    def __init__(self, doc: str, vocab, macros: dict | None, operators: dict | None):
        self.doc, self.vocab = doc, vocab
        self.macros = macros or {}
        self.operators = operators or {}
        self.toks: list[Tok] = []
        self.envs: list[str] = []  # open cases/matrix environments

    def run(self, start: int, end: int, depth: int = 0) -> None:
        doc = self.doc
        i = start
        while i < end:
            ch = doc[i]
            if ch.isspace() or ch in "~$`":
                i += 1
                continue
            if ch == "&":
                if self.envs:
                    self.add(Tok("op", "&", i))
                i += 1
                continue
            if len(self.toks) >= MAX_TOKENS:
                raise error(doc, i, f"too many symbols in one line (limit {MAX_TOKENS})")
            if ch == "\\" and doc.startswith("\\newline", i) and not doc[i + 8 : i + 9].isalpha():
                if self.envs:
                    self.add(Tok("op", "\\\\", i))
                i += 8
                continue
            if ch == "\\" and doc.startswith("\\\\", i):
                if self.envs:
                    self.add(Tok("op", "\\\\", i))
                j = i + 2
                sp_ = re.compile(r"\s*\[[^\]\n]{0,12}\]").match(doc, j, end)
                i = sp_.end() if sp_ else j
                continue
            if ch == "\\":
                m = re.compile(r"\\([A-Za-z]+)").match(doc, i, end)
                if m and m.group(1) in self.macros and depth == 0:
                    a, b = self.macros[m.group(1)]
                    self.run(a, b, depth + 1)
                    i = m.end()
                    continue
            i = self.token(i, end)

    def add(self, tok: Tok | None) -> None:
        if tok is not None:
            self.toks.append(tok)

    # --- one token ---------------------------------------------------------------------
    def token(self, i: int, end: int) -> int:
        doc = self.doc
        ch = doc[i]
        if ch in _DIGITS or (ch == "." and i + 1 < end and doc[i + 1] in _DIGITS):
            text = _NUMBER.match(doc, i, end).group(0)
            whole, _, frac = text.partition(".")
            if len(whole) + len(frac) > MAX_LITERAL_DIGITS:
                raise error(doc, i, f"number too long (limit {MAX_LITERAL_DIGITS} digits)")
            value = sp.Rational(int(whole or "0") * 10 ** len(frac) + int(frac or "0"),
                                10 ** len(frac))
            self.add(Tok("num", text, i, value=value, decimals=len(frac)))
            return i + len(text) + _trailing_point(doc, i + len(text), end)
        nfd = unicodedata.normalize("NFD", doc[i : i + 2])
        if len(nfd) >= 2 and nfd[0].isascii() and nfd[0].isalpha() and nfd[1] in _ACCENTS:
            size = 2 if doc[i + 1 : i + 2] == nfd[1] else 1  # y + combining hat, or one ŷ
            self.add(Tok("word", doc[i : i + size], i, names=accent_names(nfd[0], _ACCENTS[nfd[1]])))
            return i + size
        if ch.isascii() and ch.isalpha():
            text = _WORD.match(doc, i, end).group(0)
            if text in _FUNCTIONS and text not in self.vocab:
                self.add(Tok("fn", text, i, value=_FUNCTIONS[text]))
            elif text == "sigma" and text not in self.vocab and _call_follows(doc, i + 5, end):
                self.add(Tok("fn", text, i, value="sigmoid"))
            else:
                self.add(Tok("word", text, i, names=(text,)))
            return i + len(text)
        if ch == "\\":
            return self.control(i, end)
        for two, kind in (("**", "^"), (">=", ">="), ("<=", "<="), ("<-", "<-"), (":=", ":="),
                          ("!=", "!="), ("=>", "=>"), ("->", "=>"), ("==", "=")):
            if doc.startswith(two, i) and i + 2 <= end:
                self.add(Tok("op", kind, i))
                return i + 2
        if ch in _SINGLE:
            self.add(Tok("op", ch, i))
            return i + 1
        if ch in _SUPERSCRIPTS:
            j = i
            digits = ""
            while j < end and doc[j] in _SUPERSCRIPTS:
                digits += _SUPERSCRIPTS[doc[j]]
                j += 1
            self.add(Tok("op", "^", i))
            self.add(Tok("op", "{", i))
            self.run_text(digits, i)
            self.add(Tok("op", "}", j - 1))
            return j
        if ch in _SUBSCRIPTS:
            self.add(Tok("op", "_", i))
            sub = _SUBSCRIPTS[ch]
            self.add(Tok("num", sub, i, value=sp.Integer(sub)) if sub.isdigit()
                     else Tok("word", sub, i, names=(sub,)))
            return i + 1
        if ch in _UNICODE:
            word = _UNICODE[ch]
            if word == "sqrt":
                self.add(Tok("fn", ch, i, value="sqrt"))
            elif word == "partial":
                self.add(Tok("d", word, i, partial=True))
            elif word in ("sum", "nabla"):
                self.add(Tok("cs", word, i))
            else:
                self.add(Tok("op", word, i))
            return i + 1
        name = unicodedata.name(ch, "")
        if name.startswith("GREEK ") and name.count(" ") == 3 and "LETTER" in name:
            word = name.rsplit(" ", 1)[1].lower()
            word = word if "SMALL" in name else word.title()
            word = {"lamda": "lambda"}.get(word, word)
            if word == "sigma" and word not in self.vocab and _call_follows(doc, i + 1, end):
                self.add(Tok("fn", ch, i, value="sigmoid"))  # σ(z), as \sigma(z)
                return i + 1
            self.add(Tok("word", ch, i, names=(word,)))
            return i + 1
        raise error(doc, i, f"unexpected character {ch!r}")

    def run_text(self, digits: str, pos: int) -> None:
        """Tokens for the digits of a Unicode superscript (``²`` is ``^{2}``)."""
        if digits.startswith("-"):
            self.add(Tok("op", "-", pos))
            digits = digits[1:]
        if digits:
            self.add(Tok("num", digits, pos, value=sp.Integer(digits)))

    def control(self, i: int, end: int) -> int:
        doc = self.doc
        m = _SIZED.match(doc, i, end)
        if m:  # \left( \right| \bigl( ...: a delimiter; sizes do not matter
            side, delim = m.group(1), m.group(2)
            j = m.end()
            if delim in (".", "/"):
                return j
            if delim in ("|", "\\|", "\\vert", "\\lvert", "\\rvert", "\\Vert"):
                bar = {"left": "lbar", "right": "rbar"}.get(side, "|")
                bar = "lbar" if side.endswith("l") else "rbar" if side.endswith("r") else bar
                self.add(Tok("op", bar, i))
                return j
            if delim in ("\\langle", "<"):
                delim = "("
            elif delim in ("\\rangle", ">"):
                delim = ")"
            self.add(Tok("op", _OPERATORS.get(delim[1:], delim) if delim[0] == "\\" else delim, i,
                         value="sized"))
            return j
        m = re.compile(r"\\([A-Za-z]+\*?|.)").match(doc, i, end)
        if not m:
            raise error(doc, i, "a lone backslash")
        cs, j = m.group(1).rstrip("*"), m.end()
        if cs in FORBIDDEN:
            raise error(doc, i, f"\\{cs} is not allowed in a hand derivation")
        if cs in self.operators:
            word = self.operators[cs]
            tok = _word_token(word, i, self.vocab, doc[i:j])
            self.add(tok)
            return j
        if cs in _IGNORED_WITH_ARGUMENT:
            k = j
            if cs == "color" or cs in ("cssId", "class", "htmlId"):
                k = _skip_group(doc, k, end)  # the first argument; the second is read
                while k < end and doc[k] == " ":
                    k += 1
                if cs != "color" and k < end and doc[k] == "{":  # unwrapped: its braces group nothing
                    close = matching_brace(doc, k, end)
                    if close > 0:
                        self.run(k + 1, close - 1)
                        return close
                return k
            return _skip_group(doc, k, end)
        if cs in _IGNORED:
            return j
        if cs in ("begin", "end"):
            env, _, k = _braced(doc, j, end)
            env = env.rstrip("*")
            if env in BLOCK_ENVS:
                kind = "cases" if env in ("cases", "dcases", "rcases") else "matrix"
                if cs == "begin":
                    self.envs.append(kind)
                    if env in ("array", "subarray"):
                        spec = _BLOCK_SPEC.match(doc, k, end)
                        k = spec.end() if spec else k
                    self.add(Tok("op", "begin:" + kind, i))
                else:
                    if self.envs:
                        self.envs.pop()
                    self.add(Tok("op", "end:" + kind, i))
                return k
            if env not in MATH_ENVS:
                raise error(doc, i, f"environment {env!r} is not supported inside math")
            if cs == "begin" and env.startswith("alignat"):
                _, _, k = _braced(doc, k, end)
            return k
        if cs in ("underset", "overset", "stackrel", "underbrace", "overbrace"):
            if cs in ("underset", "overset", "stackrel"):
                j = _skip_group(doc, j, end)  # the annotation above or below
            return j  # the base is read next
        if cs in _OPERATORS:
            self.add(Tok("op", _OPERATORS[cs], i))
            return j
        if cs == "circ":  # \sigma\circ h: a composition (raises GenericRule); else a product
            composition(self.doc, i, j, end, self.toks)
            self.add(Tok("op", "*", i))
            return j
        if cs in _WRAPPERS:
            return self.wrapped(cs, i, j, end)
        if cs == "partial":
            self.add(Tok("d", "\\partial", i, partial=True))
            return j
        if cs in ("frac", "dfrac", "tfrac", "cfrac", "sqrt", "sum", "nabla", "binom"):
            self.add(Tok("cs", cs[1:] if cs in ("dfrac", "tfrac", "cfrac") else cs, i))
            return j
        if cs == "prod":
            raise error(doc, i, "products \\prod are not supported; write the factors out")
        if cs == "int":
            raise error(doc, i, "integrals are not supported")
        if cs == "lim":
            raise error(doc, i, "limits are not supported")
        if cs in _FUNCTIONS or cs == "sigma" and "sigma" not in self.vocab and _call_follows(doc, j, end):
            self.add(Tok("fn", "\\" + cs, i, value=_FUNCTIONS.get(cs, "sigmoid")))
            return j
        if cs in GREEK or cs in ("ell", "varsigma", "varrho", "varpi", "varkappa"):
            names = ("ell", "l", "L") if cs == "ell" else (cs,)
            if cs == "pi" and "pi" not in self.vocab:
                self.add(Tok("num", "\\pi", i, value=sp.pi))
                return j
            self.add(Tok("word", "\\" + cs, i, names=names))
            return j
        if cs in ("infty",):
            raise error(doc, i, "infinity is not a number symgrad can check")
        raise error(doc, i, f"unknown command \\{cs}")

    def wrapped(self, cs: str, pos: int, i: int, end: int) -> int:
        """``\\hat{y}``, ``\\text{sign}``, ``\\mathbf{w}``, ``\\boldsymbol{\\hat{y}}``, ``\\mathbb{1}``."""
        doc = self.doc
        arg, at, j = _braced(doc, i, end, nested=True)
        word = arg.strip().replace("\\_", "_").replace("\\ ", " ")
        if cs in _ACCENT_CS:
            inner = inner_name(word)
            sub = SUBSCRIPTED.fullmatch(arg) if inner is None else None
            if sub and inner_name(sub.group(1)):  # \hat{y_i}: read as \hat{y}_i
                names = accent_names(inner_name(sub.group(1)), _ACCENT_CS[cs])
                self.add(Tok("word", doc[pos : at + sub.start(2)], pos, names=names))
                self.run(at + sub.start(2), at + sub.end(2))
                return j
            if inner is None:
                raise error(doc, at, f"expected a name in \\{cs}{{...}}")
            mark = _ACCENT_CS[cs]
            self.add(Tok("word", doc[pos:j], pos, names=accent_names(inner, mark)))
            return j
        bare = word.lstrip("\\")
        if bare in ("1", "I") and cs in ("mathbb", "mathbf", "mathds", "mathbbm", "boldsymbol", "bm"):
            self.add(Tok("ind", doc[pos:j], pos))
            return j
        if cs in _PROSE:
            words = bare.strip().lower()
            if words in ("undefined", "not defined", "undef", "does not exist", "dne"):
                self.add(Tok("word", doc[pos:j], pos, names=("undefined",)))
                return j
            if words in ("otherwise", "else", "elsewhere"):
                self.add(Tok("op", "otherwise", pos))
                return j
            if words in ("if", "for", "when", "where", "for all", "with", "and", "if and only if"):
                self.add(Tok("op", "if" if words != "and" else "and", pos))
                return j
        if cs in _PROSE or cs in ("operatorname", "mathrm"):
            if bare in _FUNCTIONS and bare not in self.vocab:
                self.add(Tok("fn", doc[pos:j], pos, value=_FUNCTIONS[bare]))
                return j
            if bare in ("d",):
                self.add(Tok("d", doc[pos:j], pos))
                return j
            if bare == "e" and "e" not in self.vocab:
                self.add(Tok("num", doc[pos:j], pos, value=sp.E))
                return j
            if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", bare) and (cs not in _PROSE or bare in self.vocab
                                                                 or _looks_like_name(bare)):
                self.add(_word_token(bare, pos, self.vocab, doc[pos:j]))
                return j
            if cs in _PROSE:
                words = bare.strip().lower()
                if words in ("undefined", "not defined", "undef", "does not exist", "dne"):
                    self.add(Tok("word", doc[pos:j], pos, names=("undefined",)))
                elif words in ("otherwise", "else", "elsewhere"):
                    self.add(Tok("op", "otherwise", pos))
                elif words in ("if", "for", "when", "where", "if ", "for all", "with", "and"):
                    self.add(Tok("op", "if" if words != "and" else "and", pos))
                elif re.fullmatch(r"[-A-Za-z ]+", bare) and bare.strip().endswith("-"):
                    pass  # \text{Smooth-}: a label glued to a name
                return j  # any other annotation, such as \text{(chain rule)}
            if cs == "operatorname":
                raise error(doc, at, f"cannot read \\{cs}{{{arg[:20]}}}")
        # \mathbf{w}, \boldsymbol{\hat{y}}, \vec{x}, \boxed{...}: read what is inside
        before = len(self.toks)
        self.run(at, j - 1 if doc[j - 1 : j] == "}" and doc[at - 1 : at] == "{" else j)
        if cs in _BOLD and len(self.toks) == before + 1 and self.toks[-1].kind == "word":
            self.toks[-1].value = "bold"  # \boldsymbol{y}: maybe the vector of all the y's
        return j


def _word_token(word: str, pos: int, vocab, text: str) -> Tok:
    if word in _FUNCTIONS and word not in vocab:
        return Tok("fn", text, pos, value=_FUNCTIONS[word])
    return Tok("word", text, pos, names=(word,))


def _skip_group(doc: str, i: int, end: int) -> int:
    """The offset after a ``{...}`` argument (or after one character) starting at ``i``."""
    while i < end and doc[i] == " ":
        i += 1
    if i < end and doc[i] == "{":
        close = matching_brace(doc, i, end)
        if close < 0:
            raise error(doc, i, "unbalanced '{': missing '}'")
        return close
    return min(i + 1, end)


def _braced(doc: str, i: int, end: int, nested: bool = False) -> tuple[str, int, int]:
    """The argument at doc[i]: ``{...}`` or one letter/``\\cs``: (text, start, after)."""
    while i < end and doc[i] == " ":
        i += 1
    if i < end and doc[i] == "{":
        if nested:
            close = matching_brace(doc, i, end)
            if close < 0:
                raise error(doc, i, "unbalanced '{': missing '}'")
            return doc[i + 1 : close - 1], i + 1, close
        close = doc.find("}", i + 1, end)
        inner_open = doc.find("{", i + 1, end)
        if close < 0 or 0 <= inner_open < close:
            raise error(doc, i, "expected a simple {...} argument")
        return doc[i + 1 : close], i + 1, close + 1
    m = re.compile(r"\\[A-Za-z]+|[A-Za-z0-9]").match(doc, i, end)
    if not m:
        raise error(doc, i, "expected an argument")
    return m.group(0), i, m.end()


def tokenize(doc: str, start: int, end: int, vocab, macros: dict | None = None,
             operators: dict | None = None) -> list[Tok]:
    """Tokens of doc[start:end] with offsets into ``doc``.

    Args:
        vocab: the names in scope (a name such as ``sign`` that the problem defines is a name,
            not the function).
        macros: ``\\name`` -> (start, end) of its body in ``doc`` (``\\newcommand``).
        operators: ``\\name`` -> word (``\\DeclareMathOperator``).
    """
    if end - start > MAX_ROW:
        raise error(doc, start + MAX_ROW, f"line too long ({end - start} characters, limit {MAX_ROW})")
    lex = _Lexer(doc, vocab, macros, operators)
    lex.run(start, end)
    lex.toks.append(Tok("end", "", end))
    return lex.toks
