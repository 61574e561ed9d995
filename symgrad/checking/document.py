"""Hand derivations as documents: find the math in LaTeX, Markdown and plain text.

A document is cut into :class:`Row` s: math rows to read (display blocks split at ``\\\\``,
inline ``$...$`` and ``\\(...\\)`` inside sentences, plain-text lines such as
``dL/dm = -2x(y - yhat)``), the prose between them (kept, with the math's sentence as its
*cue*, so a sentence such as "the derivative is" can say what a bare formula claims), and
code (skipped). A full ``.tex`` file is read from its ``\\begin{document}``; simple macros
(``\\newcommand{\\name}{body}`` with no arguments) are recorded and expanded when read.
Nothing here evaluates anything.
"""

from __future__ import annotations

import re

from symgrad.checking.rowtext import (  # noqa: F401 - re-exported for the lexer and the judge
    _LABEL,
    _LEAD,
    _ROW_ENV,
    BLOCK_ENVS,
    ROW_ENVS,
    _quoted,
    _statements,
    foreign_script,
    looks_like_code,
    looks_like_formula,
    looks_like_prose,
    rendered_copy,
    split_rows,
    strip_annotation,
    trim,
)
from symgrad.checking.saying import said_claims
from symgrad.errors import ParseError
from symgrad.records import field, record

# fmt: off
#: Limits that keep every document and row small and every check fast.
MAX_CHARS = 256 * 1024  # characters in one document
MAX_ROWS = 2000  # math rows and prose lines in one document
MAX_MACROS = 50  # \newcommand definitions in one document
MAX_MACRO_BODY = 300  # characters in one macro's body

#: Control sequences refused outright: they read or write files, run code, or define macros
#: with arguments or recursion (\newcommand without arguments is read, see ``macros``).
FORBIDDEN = frozenset((
    "def", "edef", "gdef", "xdef", "let", "input", "include", "includeonly",
    "InputIfFileExists", "openin", "openout", "read", "write", "immediate", "csname",
    "endcsname", "catcode", "expandafter", "special", "loop", "jobname", "newenvironment",
    "renewenvironment", "newif", "futurelet", "afterassignment", "everymath", "directlua",
    "ShellEscape",
))
MACRO_DEFINERS = ("newcommand", "renewcommand", "providecommand", "DeclareMathOperator")
# fmt: on
_DISPLAY_OPEN = re.compile(r"\$\$|(?<!\\)\\\[|\\begin\{(" + _ROW_ENV + r")\*?\}")
_INLINE_OPEN = re.compile(r"(?<![\\$])\$(?!\$)|(?<!\\)\\\(")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_BOLD = re.compile(r"(?<![\w)*\\])\*\*(?=[A-Za-z(\\$])([^*\n]*?[^*\s])\*\*(?![\w*])")
_BULLET = re.compile(r"[ \t]*(?:[-*+•>]|\d{1,3}[.)]|\([a-z]\)|[a-z]\))[ \t]+")
_MACRO = re.compile(
    r"\\(newcommand|renewcommand|providecommand|DeclareMathOperator)\*?\s*"
    r"(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))\s*(\[\d\])?\s*\{"
)


@record
class Row:
    """One unit of a document.

    Attributes:
        kind: ``math`` (math markup: a display row or an inline formula), ``line`` (a plain
            text line that states an equation), ``prose`` or ``code`` (both skipped), ``cut``
            (the formula the copied text ends inside: skipped with a reason).
        line: 1-based line of its first character.
        start, end: offsets into the document.
        cue: for math and lines, the words of the sentence just before it (lower case), e.g.
            ``"my best attempt for the derivative of the above function is:"``.
        inline: math inside a sentence (``$...$``), not a display.
        error: a reason the row cannot be read at all (an unclosed block), or "".
        block: the offset of the display block the row belongs to, or -1.
    """

    kind: str
    line: int
    start: int
    end: int
    cue: str = ""
    inline: bool = False
    error: str = ""
    block: int = -1


@record(frozen=False)
class Document:
    """The rows of a document and the macros it defines (name -> body offsets)."""

    text: str
    rows: list[Row] = field(default_factory=list)
    macros: dict[str, tuple[int, int]] = field(default_factory=dict)
    operator_names: dict[str, str] = field(default_factory=dict)  # \DeclareMathOperator


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


def _blank(s: str, a: int, b: int) -> str:
    """``s`` with s[a:b] replaced by spaces (newlines kept, so offsets and lines still hold)."""
    return s[:a] + re.sub(r"[^\n]", " ", s[a:b]) + s[b:]


def _comment_free(doc: str) -> str:
    """The document with %-comments blanked (same length, so offsets still hold)."""
    return re.sub(r"(?<!\\)%[^\n]*", lambda m: " " * len(m.group(0)), doc)


def matching_brace(s: str, i: int, end: int | None = None) -> int:
    """The offset just after the ``}`` closing the ``{`` at s[i], or -1."""
    end = len(s) if end is None else end
    depth = 0
    k = i
    while k < end:
        c = s[k]
        if c == "\\":
            k += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    return -1


def split_document(doc: str) -> list[Row]:
    """The rows of ``doc`` (see :func:`read_document`)."""
    return read_document(doc).rows


def read_document(doc: str) -> Document:
    """Cut a document into rows and record its macros.

    Raises:
        ParseError: a document that is too long, binary, or uses a forbidden command.
    """
    if len(doc) > MAX_CHARS:
        raise ParseError(f"document too long ({len(doc)} characters, limit {MAX_CHARS})")
    if "\x00" in doc:
        raise error(doc, doc.index("\x00"), "binary data (a NUL character) is not text")
    clean = _comment_free(doc)
    for m in re.finditer(r"\\([A-Za-z]+)", clean):  # refuse these anywhere, even in prose
        if m.group(1) in FORBIDDEN:
            raise error(doc, m.start(), f"\\{m.group(1)} is not allowed in a hand derivation")
    out = Document(doc)
    clean = _macros(doc, clean, out)
    start, end = 0, len(clean)
    body = re.search(r"\\begin\{document\}", clean)
    if body:  # a whole .tex file: the preamble is not read
        start = body.end()
        stop = clean.find("\\end{document}", start)
        end = stop if stop >= 0 else end
    clean = re.sub(r"\\(?:maketitle|tableofcontents|newpage|clearpage|noindent|par)\b",
                   lambda m: " " * len(m.group(0)), clean)
    clean = _BOLD.sub(lambda m: "  " + m.group(1) + "  ", clean)
    _Splitter(doc, clean, out.rows).run(start, end)
    if len(out.rows) > MAX_ROWS:
        raise ParseError(f"too many lines ({len(out.rows)}, limit {MAX_ROWS})")
    return out


def _macros(doc: str, clean: str, out: Document) -> str:
    """Record ``\\newcommand{\\name}{body}`` macros (no arguments, no recursion) and blank them."""
    pos = 0
    while True:
        m = _MACRO.search(clean, pos)
        if m is None:
            return clean
        close = matching_brace(clean, m.end() - 1)
        if close < 0:
            raise error(doc, m.start(), f"unclosed \\{m.group(1)}")
        name = m.group(2) or m.group(3)
        body_start, body_end = m.end(), close - 1
        body = clean[body_start:body_end]
        usable = (
            m.group(4) is None  # no [n]: no arguments
            and len(body) <= MAX_MACRO_BODY
            and len(out.macros) < MAX_MACROS
            and not any(re.search(r"\\" + re.escape(n) + r"(?![A-Za-z])", body)
                        for n in (*out.macros, name))
            and not re.search(r"\\(" + "|".join(MACRO_DEFINERS) + r")\b", body)
        )
        if usable:
            if m.group(1) == "DeclareMathOperator":
                out.operator_names[name] = body.strip()
            else:
                out.macros[name] = (body_start, body_end)
        clean = _blank(clean, m.start(), close)
        pos = close


class _Splitter:
    """The scanner behind :func:`read_document`."""

    def __init__(self, doc: str, clean: str, rows: list[Row]):
        self.doc, self.clean, self.rows = doc, clean, rows
        self.prose: list[str] = []  # sentences since the last blank line or math
        self.end = len(clean)

    def line_of(self, pos: int) -> int:
        return self.doc.count("\n", 0, pos) + 1

    def cue(self) -> str:
        return " ".join(" ".join(self.prose).split())[-300:].lower()

    def run(self, start: int, end: int) -> None:
        clean = self.clean
        self.end = end
        i = start
        fence = None  # the fence string while inside a code block
        ahead = _DISPLAY_OPEN.search(clean, i, end)  # the next display opener, searched once
        while i < end:
            nl = clean.find("\n", i, end)
            stop = end if nl < 0 else nl
            raw = clean[i:stop]
            fm = _FENCE.match(raw)
            if fm:
                fence = None if fence == fm.group(1) else (fence or fm.group(1))
                i = stop + 1
                continue
            if fence is not None:
                self.code_line(i, stop)
                i = stop + 1
                continue
            if not raw.strip():
                if not (self.prose and self.prose[-1].rstrip().endswith(":")):
                    self.prose = []  # a paragraph ends, unless its sentence announced what follows
                i = stop + 1
                continue
            if ahead is not None and ahead.start() < i:  # passed: search again from here
                ahead = _DISPLAY_OPEN.search(clean, i, end)
            d = ahead
            inline = _INLINE_OPEN.search(clean, i, stop)
            if d is not None and d.start() < stop and (inline is None or d.start() <= inline.start()):
                self.text(i, d.start())
                i = self.display(d)
                continue
            if inline is not None:
                i = self.inline(i, inline, stop, end)
                continue
            if clean[clean.rfind("\n", 0, i) + 1 : i].strip():
                self.text(i, stop)  # the rest of a line that had math in it: prose
            else:
                self.plain_line(i, stop)
            i = stop + 1

    # --- pieces ------------------------------------------------------------------------
    def text(self, a: int, b: int) -> None:
        """Prose on one line, between math: a prose row, remembered as the next math's cue."""
        s, e = a, b
        while s < e and self.clean[s].isspace():
            s += 1
        while e > s and self.clean[e - 1].isspace():
            e -= 1
        t = self.clean[s:e]
        if not t or t.startswith(("<!--", "-->")) or re.fullmatch(r"[-=*_#~ ]+", t):
            return
        self.rows.append(Row("prose", self.line_of(s), s, e))
        self.prose.append(t)

    def display(self, m: re.Match) -> int:
        """A display block from its opener; returns the offset after its closer."""
        clean = self.clean
        if m.group(0) == "$$":
            closer = re.compile(r"\$\$")
        elif m.group(0) == "\\[":
            closer = re.compile(r"\\\]")
        else:
            closer = re.compile(r"\\end\{" + re.escape(m.group(1)) + r"\*?\}")
        c = closer.search(clean, m.end())
        nested = _DISPLAY_OPEN.search(clean, m.end(), c.start()) if c else None
        if nested is not None and nested.group(0) == m.group(0) and m.group(0) != "$$":
            c = None  # \[ ... \[ : the first block never closed
        if c is None and self.cut_off(m, inline=False):
            return self.end
        if c is None:
            stop = clean.find("\n", m.end())
            stop = len(clean) if stop < 0 else stop
            self.rows.append(Row("math", self.line_of(m.start()), m.start(), stop,
                                 error=f"unclosed math block {m.group(0)!r}"))
            return stop + 1
        cue = self.cue()
        line_start = clean.rfind("\n", 0, m.start()) + 1
        line_end = clean.find("\n", c.end())
        line_end = len(clean) if line_end < 0 else line_end
        inline = bool(clean[line_start : m.start()].strip() or clean[c.end() : line_end].strip())
        for a, b in split_rows(clean, m.end(), c.start()):
            self.math(a, b, cue, inline, block=m.start())
            cue = "" if not inline else cue
        if inline:
            self.prose.append(_quoted(clean[m.end() : c.start()]))
        else:
            self.prose = []
        return c.end()

    def cut_off(self, m: re.Match, inline: bool) -> bool:
        """A formula the copied page ends inside (``is equal to $$(a``, a step ``&=`` with no
        right side): when nothing closes it and no paragraph break follows, its rows that end
        in a ``\\\\`` are whole and are read; the one the text stops in is a ``cut`` row."""
        clean, end = self.clean, self.end
        closer = {"$": r"(?<!\\)\$", "\\(": r"\\\)", "$$": r"\$\$", "\\[": r"\\\]"}.get(
            m.group(0), r"\\end\{")
        rest = clean[m.end() : end]
        if re.search(closer, rest) or re.search(r"\n[ \t]*\n", rest.rstrip()) or not rest.strip():
            return False
        pieces = split_rows(clean, m.end(), end)
        cue = self.cue()
        for a, b in pieces[:-1]:
            self.math(a, b, cue, inline, block=m.start())
        a, b = trim(clean, *pieces[-1]) if pieces else (m.start(), end)
        self.rows.append(Row("cut", self.line_of(a), a, max(a, b)))
        return True

    def inline(self, i: int, m: re.Match, stop: int, end: int) -> int:
        """Inline math in a sentence; returns where to continue."""
        clean = self.clean
        self.text(i, m.start())
        if m.group(0) == "$":
            c = re.compile(r"(?<!\\)\$").search(clean, m.end(), min(end, m.end() + 4000))
        else:
            c = re.compile(r"\\\)").search(clean, m.end(), min(end, m.end() + 4000))
        if c is None and self.cut_off(m, inline=True):
            return end
        if c is None:  # a lone $ (a price, a typo): the rest of the line is prose
            self.text(m.start(), stop)
            return stop + 1
        cue = self.cue()
        for a, b in split_rows(clean, m.end(), c.start()):
            self.math(a, b, cue, inline=True)
        self.prose.append(_quoted(clean[m.end() : c.start()]))  # the formula, in the sentence
        return c.end()

    def math(self, a: int, b: int, cue: str, inline: bool = False, block: int = -1) -> None:
        a, b = trim(self.clean, a, b)
        if a < b:
            self.rows.append(Row("math", self.line_of(a), a, b, cue, inline, block=block))

    def plain_line(self, a: int, b: int) -> None:
        """A line with no math markup: an equation in plain text, code, or prose."""
        clean = self.clean
        t = clean[a:b].strip()
        if t.startswith(("#", "//", "<!--", "-->")) or not t:
            return
        bm = _BULLET.match(clean, a, b)
        s = bm.end() if bm else a
        label = _LABEL.match(clean, s, b)
        cue = ""
        if label and (re.search(r"[=(]", clean[label.end() : b]) or
                      looks_like_formula(clean[label.end() : b])):
            cue = clean[s : label.end()].strip().lower()  # "Output: y_pred = ...", "we get: -2x"
            s = label.end()
        lead = _LEAD.match(clean, s, b)
        if lead and "=" in clean[lead.end() : b]:
            s = lead.end()  # "so g(w) = Y - w·x"
        copy = rendered_copy(clean, s, b)
        if copy is not None:  # "dLdw=2w\frac{dL}{dw} = 2w": a KaTeX page's text, then its TeX
            s = copy
        t = clean[s:b].strip()
        if foreign_script(t) or _only_markup_equals(t):  # "考虑一个 N=3 ...", "`h1` <a id='h1'>"
            self.text(a, b)
            return
        if not re.search(r"=|\\leftarrow|\\gets|<-|←|\\approx|≈|→", t):
            if looks_like_formula(t) and (self.prose or cue):  # "the result is:" then a formula
                cue = " ".join([self.cue(), cue]).strip()
                self.rows.append(Row("line", self.line_of(s), *trim(clean, s, b), cue))
                self.prose = []
            else:
                self.said(a, b)
        elif looks_like_code(t):
            self.rows.append(Row("code", self.line_of(s), *trim(clean, s, b)))
        elif not clean[b : self.end].strip() and (t.endswith(("^", "+", "-", "*", "/", "(", "="))
                                                  or t.count("(") > t.count(")")):
            self.rows.append(Row("cut", self.line_of(s), *trim(clean, s, b)))  # "= 1/(1 + e^"
        else:
            b = strip_annotation(clean, s, b)
            cue = " ".join([self.cue(), cue]).strip()
            pieces = list(_statements(clean, s, b))  # "f'(x) = 2x, and g'(w) = -x"
            block = s if len(pieces) > 1 else -1  # one line's statements share their setting
            for x, y in pieces:
                self.rows.append(Row("line", self.line_of(x), *trim(clean, x, y), cue, block=block))
            self.prose = []

    def said(self, a: int, b: int) -> None:
        """Prose with no math markup, and the derivatives its sentences state in plain text
        ("The gradient of w^2 is 2w"): the two formulas are rows, the words between are prose."""
        base = a
        for c in said_claims(self.clean[a:b]):
            e1, e2 = (base + c.e1[0], base + c.e1[1]), (base + c.e2[0], base + c.e2[1])
            self.text(a, e1[0])
            if c.error:
                self.rows.append(Row("line", self.line_of(e1[0]), e1[0], e2[1], self.cue(),
                                     error=c.error))
                a = e2[1]
                continue
            self.rows.append(Row("line", self.line_of(e1[0]), *e1, self.cue()))
            self.prose.append(_quoted(self.clean[e1[0] : e1[1]]))
            self.text(e1[1], e2[0])
            self.rows.append(Row("line", self.line_of(e2[0]), *e2, self.cue()))
            self.prose.append(_quoted(self.clean[e2[0] : e2[1]]))
            a = e2[1]
        self.text(a, b)

    def code_line(self, a: int, b: int) -> None:
        """A line inside a code fence: a ``#`` comment that states math is read; code is not."""
        clean = self.clean
        t = clean[a:b].strip()
        if not t:
            return
        if t.startswith("#"):
            s = clean.index("#", a) + 1
            body = clean[s:b].strip()
            if re.search(r"=", body) and not looks_like_code(body):
                b = strip_annotation(clean, s, b)
                self.rows.append(Row("line", self.line_of(s), *trim(clean, s, b), self.cue()))
            else:
                self.rows.append(Row("prose", self.line_of(a), *trim(clean, a, b)))
            return
        if re.search(r"=", t) and not looks_like_code(t):
            b = strip_annotation(clean, a, b)
            self.rows.append(Row("line", self.line_of(a), *trim(clean, a, b), self.cue()))
        else:
            self.rows.append(Row("code", self.line_of(a), *trim(clean, a, b)))


def _only_markup_equals(t: str) -> bool:
    """Is every ``=`` of the line inside HTML tags or `code` (```h1` <a id='h1'></a>``)?"""
    bare = re.sub(r"`[^`]*`|</?[A-Za-z][^<>]*>", " ", t)
    return "=" in t and "=" not in bare
