"""What a sentence says a formula is: the cue before a bare formula ("the derivative is",
"I got:"), the pairing of a derivative with a formula in one sentence, and the derivative a row's
own words name. A mixin of :class:`symgrad.checking.judge.Checker`."""

from __future__ import annotations

import re

import sympy as sp

from symgrad.checking.document import Row
from symgrad.checking.handbase import GenericRule, Question, Skip
from symgrad.checking.handparse import read_row
from symgrad.checking.truth import (
    Target,
    plain,
)
from symgrad.errors import ParseError
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol


class Cues:
    """A mixin of :class:`symgrad.checking.judge.Checker`."""

    def cued(self, row: Row, rows: list[Row], k: int) -> bool:
        return self.cued_target(row, rows, k, probe=True) is not None

    def cue_of(self, row: Row, rows: list[Row], k: int) -> str:
        """The sentence announcing this formula: its own, or, across definitions standing
        between ("I got: (where d(x) = ...) $$...$$"), the one before them."""
        if row.cue:
            return row.cue
        j = k - 1
        while j >= 0 and rows[j].kind in ("math", "line") and rows[j].start in self.definition_rows:
            if rows[j].cue:
                return rows[j].cue
            j -= 1
        return ""

    def prose_before(self, row: Row, rows: list[Row], k: int) -> bool:
        """Is there a sentence between this row and the math before it?"""
        for j in range(k - 1, -1, -1):
            if rows[j].kind in ("math", "line"):
                return False
            if rows[j].kind == "prose" and len(self.doc[rows[j].start : rows[j].end].split()) > 1:
                return True
        return True

    def cued_target(self, row: Row, rows: list[Row], k: int, probe: bool = False,
                    subject_only: bool = False, binding: dict | None = None):
        """A formula standing alone: the claim the sentence before it announces, or None."""
        prev = next((rows[j] for j in range(k - 1, -1, -1) if rows[j].kind in ("math", "line")),
                    None)
        between = self.doc[prev.end : row.start] if prev is not None else ""
        # "$\frac{\partial C}{\partial w}$ is the ..., which is $X$": paired with the formula before
        if prev is not None and prev.kind == "math" and prev.line == row.line and _PAIR.match(
                re.sub(r"[$\\()]+", " ", between)) and not lone_derivative(
                    self.doc[row.start : row.end]):  # "to get dL/dw I should compute dL/dz"
            lhs = self.derivative_in(prev)
            if lhs is not None:
                return lhs
        line_start = self.doc.rfind("\n", 0, prev.start) + 1 if prev is not None else 0
        said = _SAID_IS.match(between)
        if prev is not None and prev.kind in ("math", "line") and prev.line == row.line and \
                said and (prev.kind == "line" or not said.group(1)) and _DERIVATIVE_OF.search(
                self.doc[line_start : prev.start].replace("$", " ").rstrip()):
            # "the derivative of $\tanh(x)$ is $...$", "The gradient of w^2 is 2w"
            got = self.derivative_of_row(prev, said.group(1), binding)
            if got is not None:
                return "probe" if probe else got
            if prev.kind == "line":
                return None  # about a formula of its own, not about the problem's loss
        if subject_only:
            claim = cue_claim(self.cue_of(row, rows, k) + " is")
        else:
            claim = cue_claim(self.cue_of(row, rows, k))
        if claim is None:
            return None
        kind, top_text, var_text = claim
        loss = self.t.problem.loss
        if kind == "function":
            return "probe" if probe else self.t.target(loss, None)
        top = self.name_in(top_text) if top_text else None
        top = top if top in self.scope.quantities or top in self.scope.defined else loss
        var = self.name_in(var_text) if var_text else None
        if var is None:
            params = self.t.problem.wrt
            if len(params) != 1:
                return None
            var = params[0]
        if probe:
            return "probe"
        return self.leibniz_target(Leibniz(symbol(top), symbol(var), True))

    def unknown_in(self, text: str) -> bool:
        """True when ``text`` (a right side) uses a name the problem does not have."""
        try:
            read_row(text, 0, len(text), self.scope)
        except ParseError as e:
            return "unknown name" in str(e)
        except (GenericRule, Question, Skip, ValueError):
            return False
        return False

    def input_redefined(self, source: str) -> str | None:
        """``\\hat{y}=\\sum_{i=1}^{n}w_i x_i`` when yhat is an input of the problem and w is not
        in it: the left side as written (the row defines an input from names the problem does
        not have, a part of the model the problem leaves out), else None."""
        m = re.match(r"([^=<>]{1,40}?)(?<![<>!:])=(?!=)", source)
        if m is None:
            return None
        lhs = m.group(1).strip().rstrip("&").strip()
        try:
            if not self.unknown_in(source[m.end() :]):
                return None
            readings = read_row(lhs, 0, len(lhs), self.scope)
        except (ParseError, GenericRule, Question, Skip, ValueError, IndexError, RecursionError,
                OverflowError):  # a piece of a row, read alone, may be cut anywhere
            return None
        e = readings[0].parts[0].expr if readings and readings[0].parts else None
        s = self.scope
        if not isinstance(e, sp.Symbol) or e.name not in s.inputs or e.name in s.quantities:
            return None
        return lhs

    def names_in(self, text: str) -> bool:
        """True when ``text`` (a left side) reads as something in scope."""
        try:
            readings = read_row(text, 0, len(text), self.scope)
        except (ParseError, GenericRule, Question, Skip, ValueError):
            return False
        e = readings[0].parts[0].expr if readings and readings[0].parts else None
        return e is not None and bool(getattr(e, "free_symbols", ()))

    def note_foreign_notation(self, lhs: str, line: int) -> None:
        """``\\theta x^{(i)} = \\theta_{0}+\\theta_{1} x_{1}^{(i)}+\\cdots`` (061): the author gives a
        product of letters a meaning of its own (here \\theta^T x^{(i)}), from names the problem
        does not have; the rows that write it later mean that, not the problem's product."""
        lhs = " ".join(lhs.split())
        m = _GREEK_PRODUCT.fullmatch(lhs)
        if m and m.group(1) in _GREEK:
            self.foreign_notations.setdefault(lhs, line)

    def foreign_notation_in(self, source: str) -> str | None:
        """Why a row that writes such a notation is not checked, or None."""
        text = " ".join(source.split())
        for lhs, line in self.foreign_notations.items():
            if re.search(re.escape(lhs) + r"(?![A-Za-z_])", text):
                return (f"writes {lhs}, which line {line} defines from names the problem does "
                        f"not have: not checked")
        return None

    def mentions_problem(self, row: Row) -> bool:
        """True when some word of the row names something in the problem (or the document)."""
        from symgrad.checking.handlex import tokenize

        try:
            toks = tokenize(self.doc, row.start, row.end, self.scope.vocab(), self.scope.macros,
                            self.scope.operators)
        except ParseError:
            return True
        s = self.scope
        for t in toks:
            if t.kind != "word":
                continue
            for n in t.names:
                if n in s.names or n in s.functions or s.family(n) or n in s.indexed or \
                        any(v.startswith(n + "_") for v in s.names):
                    return True
                if n.startswith("d") and (n[1:] in s.names or s.family(n[1:])):
                    return True
        return False

    def questioned(self, row: Row, rows: list[Row], k: int) -> bool:
        """The sentence before the formula questions it ("However, I don't follow how"): a
        formula quoted to be disputed, not one the author states (075)."""
        return bool(_QUESTIONED.search(_cue_words(self.cue_of(row, rows, k))))

    def continued(self, row: Row, rows: list[Row], k: int) -> bool:
        """Does the next formula continue this one (``$$= ...$$``, ``&= ...``)?"""
        nxt = next((r for r in rows[k + 1 :] if r.kind in ("math", "line", "cut")), None)
        return nxt is not None and bool(re.match(r"\s*&?\s*(=|\\approx|:=)",
                                                 self.doc[nxt.start : nxt.end]))

    def name_in(self, text: str) -> str | None:
        """The scope name a bit of a sentence names: ``$w_1$``, ``w1``, ``$\\hat{y}$``."""
        text = text.strip().strip("$").strip()
        if not text or len(text) > 40:
            return None
        try:
            readings = read_row(text, 0, len(text), self.scope)
        except (ParseError, GenericRule, Question, Skip, ValueError):
            return None
        e = readings[0].parts[0].expr if len(readings) == 1 else None
        if isinstance(e, sp.Symbol) and not isinstance(e, Leibniz) and e.name in self.scope.names:
            return e.name
        return None

    def derivative_in(self, row: Row) -> Target | None:
        try:
            (reading,) = read_row(self.doc, row.start, row.end, self.scope)[:1]
        except (ParseError, GenericRule, Question, Skip, ValueError):
            return None
        last = next((p.expr for p in reversed(reading.parts) if p.expr is not None), None)
        if isinstance(last, (Leibniz, sp.Derivative)):  # "$= \frac{dL}{dW_1}$ is equal to ..."
            return self.target_for(last, reading)
        return None

    def derivative_of_row(self, row: Row, var: str | None = None,
                          binding: dict | None = None) -> Target | None:
        """"the derivative of $\\tanh(x)$ is ...": d/dv of that formula, v its one variable
        or the one the sentence names ("with respect to Z1")."""
        try:
            readings = read_row(self.doc, row.start, row.end, self.scope)
        except (ParseError, GenericRule, Question, Skip, ValueError):
            return None
        # w^2 ... 2w with w_1, w_2 in the problem: the reading for the same w as the claim's
        same = [r for r in readings if binding is not None and r.binding == binding]
        reading = same[0] if same else readings[0]
        if len(readings) > 1 and not same:
            return None
        if len(reading.parts) != 1 or reading.parts[0].expr is None:
            return None
        e = reading.parts[0].expr
        free = [s for s in self.resolve(e).free_symbols if not s.is_integer]
        if var:
            name = self.name_in(var)
            free = [s for s in free if s.name == name]
        elif len(free) > 1 and isinstance(e, sp.Symbol) and len(self.t.problem.wrt) == 1 and \
                (e.name in self.scope.quantities or e.name in self.scope.defined):
            # "the derivative of R is ...": a quantity of the problem, by its one parameter
            free = [s for s in free if s.name == self.t.problem.wrt[0]]
        if len(free) != 1:
            return None
        expr = sp.diff(self.resolve(e), free[0])
        return Target(f"d/d{free[0]} {plain(e)}", expr, expr, self.at_point(expr))


_PAIR = re.compile(r"^\s*(?:is|=|equals|is equal to|(?:is|equals)\s+[^$.?!]{0,60}?"
                   r"(?:,\s*)?(?:which|that)\s+is|is\s+[^$.?!]{0,40}?:|"
                   # "$\frac{\partial C}{\partial w}$ it seems from the book that I should
                   # calculate $a^1_1\delta^2_1$": the formula the author takes it to be
                   r"[^$.?!]{0,60}?\b(?:I|we)\s+(?:should|would)\s+"
                   r"(?:calculate|compute|get|obtain))\s*$")


_DERIVATIVE_OF = re.compile(r"(?:derivative|gradient) of\s*$", re.IGNORECASE)


_SAID_IS = re.compile(r"^\s*\$*\s*(?:(?:with\s+respect\s+to|w\.\s?r\.\s?t\.?|wrt)\s+"
                      r"([A-Za-z]\w*)\s+)?(?:is\s*(?:equal to)?|equals)\s*:?\s*\$*\s*$")


_PARTIAL_OF = r"(?:∂\s*{f}\s*/?\s*∂\s*\w+(?:[−-]\d+)?|\\[dt]?frac\s*\{{\s*\\partial\s*{f}\s*\}}" \
    r"\s*\{{\s*\\partial\s*[^{{}}]+\}})"
_ELISION = r"(?:\.\.\.|…|\\[lc]?dots)"


def gradient_as_partials(source: str) -> bool:
    """``∇MSE(w0,w1,...,wm−1)=∂MSE∂w0,∂MSE∂w1,...,∂MSE∂wm−1``: the gradient named as the list
    of its own partial derivatives, nothing computed (a definition of the notation)."""
    m = re.match(r"\s*(?:∇|\\nabla)\s*_?\s*(\w+)\s*(?:\([^()=]*\))?\s*=\s*(.+?)\s*$", source)
    if m is None:
        return False
    items = re.sub(r"^\\left\s*|\\right\s*", "", m.group(2)).strip()
    if items[:1] in "([" and items[-1:] in ")]":
        items = items[1:-1]
    partial = _PARTIAL_OF.format(f=re.escape(m.group(1)))
    parts = [p.strip() for p in items.split(",")]
    return len(parts) >= 2 and all(re.fullmatch(partial, p) or re.fullmatch(_ELISION, p)
                                   for p in parts) and any(re.fullmatch(partial, p) for p in parts)


_RATE_IN_WORDS = re.compile(r"(?:learning[ _]rate\s*(?:\((eta|alpha|lr)\))?|\b(?:eta|alpha|lr)\b)"
                            r"[^=\n$\\{}]{0,30}?=\s*([0-9]*\.?[0-9]+)(?![0-9.]*\s*[*/^])")


_DEFINED_NAME = re.compile(r"^\s*((?:\\[A-Za-z]+\s*)?[^\W\d_]\w*(?:_\{?\w+\}?)?"
                           r"(?:\^\{?\(?\w\)?\}?)?(?:_\{?\w+\}?)?)\s*(?:=|:=)")  # z_2^2 and z^2_2 (layer, then node)


_QUESTIONED = re.compile(r"\b(?:do\s+not|don'?t|don’t|can'?t|can’t|cannot)\s+(?:follow|see|"
                         r"understand|get)\s+(?:how|why)\s*:?$")


def lone_derivative(source: str) -> bool:
    """The row is one Leibniz fraction and nothing else (``\\frac{\\partial (-\\text{L.H.S.
    (1)})}{\\partial w_j}``): a derivative named, not stated."""
    m = re.match(r"\s*\\[dt]?frac\s*\{\s*(?:\\partial|d)", source)
    if m is None:
        return False
    k, args = source.index("{", m.start()), []
    for _ in range(2):
        depth, start = 0, k
        while k < len(source):
            depth += {"{": 1, "}": -1}.get(source[k], 0)
            k += 1
            if depth == 0:
                break
        if depth:
            return False
        args.append(source[start + 1 : k - 1])
        while k < len(source) and source[k].isspace():
            k += 1
        if len(args) == 1 and (k >= len(source) or source[k] != "{"):
            return False
    return bool(re.match(r"\s*(?:\\partial|d)", args[1])) and \
        not source[k:].strip(" .,")


_IN_WORDS = re.compile(r"^\s*[^=]{1,30}=\s*[a-z]{4,}\s*$")


_PROSE_VALUE = re.compile(r"(?:^|\s)([+-]\s?\d+(?:\.\d+)?|\d+(?:\.\d+)?)\s*,?\s*"
                          r"(?:where|when|if|whenever|for)\s*$")


_ARROW = re.compile(r"^\s*(\\(?:rightarrow|Rightarrow|to|implies|longrightarrow)|→|⇒|=>|->)\s*$")


_INDEX_RELATION = re.compile(r"^\s*([a-z])\s*(=|\\neq?|!=|≠)\s*([a-z])\s*$")


#: A Greek letter written before a letter, ``\\theta x^{(i)}``: a product, not one name.
_GREEK_PRODUCT = re.compile(r"\\([A-Za-z]+) [A-Za-z](?:\^\{?\(?\w\)?\}?)?(?:_\{?\w+\}?)?")
_GREEK = frozenset(("alpha", "beta", "gamma", "theta", "phi", "omega", "lambda", "mu", "eta",
                    "Theta", "Phi", "Omega", "psi", "xi", "zeta", "kappa", "rho", "tau"))
#: A '=' right after an operator (``+ =``), after another '=' (``Cost = =-(...)``, a spreadsheet
#: cell's formula) or after a sum with no terms (``\sum_{j \neq y_{i}} = \max(...)``): what the
#: row states is unclear.
_EMPTY_OPERAND = re.compile(r"(?:[+/-]|=(?=\s)|\\sum(?:_(?:\{(?:[^{}]|\{[^{}]*\})*\}|\w))?"
                            r"(?:\^(?:\{[^{}]*\}|\w))?)\s*=(?!=)")
_PROBABILITY = re.compile(r"(?<![A-Za-z\\])[pP]\s*(?:\\left)?\(\s*[^()]*?(?:\||\\mid)")


_D_WORDS = (r"derivative|gradient|partial|slope|result|answer|attempt|rule|differentiat\w*|"
            r"d/d\w+|backprop\w*")


_F_WORDS = (r"cost function|loss function|error function|objective|cost|loss|function|equation|"
            r"model|output|error|network")


_CLAIM_END = re.compile(
    r"(?:\b(?:is|are|be|was|were|get|got|gives?|obtain(?:ed)?|arrived at|yields?|becomes?|"
    r"equals?|equal to|simplifies to|leads to|as follows|following|looks like|reads|have)|:)\s*$")


_KEYWORDS = re.compile(f"({_D_WORDS})|({_F_WORDS})")


_MATH_OR_WORD = r"(\$[^$]{1,40}\$|[A-Za-z][\w]*)"


def _without_trailing_aside(text: str) -> str:
    """``I got: ( d(x) is the derivative of sigmoid )`` without the closing aside."""
    if not text.endswith(")"):
        return text
    depth = 0
    for k in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[k], 0)
        if depth == 0:
            return text[:k].strip()
    return text


def cue_claim(cue: str) -> tuple[str, str, str] | None:
    """What the sentence before a formula says it is: ("derivative", of what, by what) or
    ("function", "", ""); None when it announces nothing ("Here is an example:")."""
    text = _without_trailing_aside(cue.strip()).rstrip(".").strip()
    if not text or not _CLAIM_END.search(text):
        return None
    sentence = re.split(r"(?<=[.!?])\s+", text)[-1]
    which = re.search(r"\b(?:which|that)\s+(?:is|are|was|reads|becomes)\s*:?\s*$", sentence)
    if which:
        found = list(_KEYWORDS.finditer(sentence[: which.start()]))
        pick = found[-1] if found else None
    else:
        found = list(_KEYWORDS.finditer(sentence))
        pick = found[0] if found else None
    if pick is None:
        if not re.search(_D_WORDS, text):
            return None
        kind = "derivative"
    else:
        kind = "derivative" if pick.group(1) else "function"
    if kind == "function":
        return ("function", "", "")
    top = re.search(r"derivative of\s+(?:the\s+)?" + _MATH_OR_WORD, sentence)
    var = re.search(r"(?:with respect to|w\.\s*r\.\s*t\.?|wrt)\s+" + _MATH_OR_WORD, sentence)
    return ("derivative", top.group(1) if top else "", var.group(1) if var else "")


def _cue_words(cue: str) -> str:
    """The sentence before a formula, without the formulas at its end."""
    return re.sub(r"(\$[^$]*\$\s*)+$", "", cue.rstrip()).rstrip()


_SIDE = re.compile(r"\b(?:when|if|where|for)\b[^.:;]{0,80}?\b(?:is\s+|are\s+)?(?P<side>greater "
                   r"than|larger than|bigger than|more than|above|positive|less than|smaller than|"
                   r"below|negative)(?:\s+(?:0|zero))?\s*[:,]?\s*$|"
                   r"\b(?:when|if|where|for)\b[^.:;]{0,80}?(?P<sym>>|<|\\gt|\\lt)\s*0\s*\$?\s*[:,]?\s*$")


def case_side(cue: str) -> str | None:
    """The side of a kink the sentence just before a formula puts it on: ``When it is greater
    than 0:`` gives ``>``, ``if it is negative,`` gives ``<`` (None when it names none)."""
    tail = re.sub(r"<br\s*/?>", " ", cue).strip().lower()
    m = _SIDE.search(tail[-160:])
    if m is None:
        return None
    if m.group("sym"):
        return ">" if m.group("sym") in (">", "\\gt") else "<"
    return ">" if m.group("side") in ("greater than", "larger than", "bigger than", "more than",
                                      "above", "positive") else "<"

