"""Judging rows: what each row states, whether it is true, and the diagnosis of a wrong one.

A row is read into statements (:func:`statements`): a chain ``LHS = e1 = e2`` claims every
``e_k`` equals the left side; ``u = 2w + b - 5`` with a new name, or ``s(x) = ...`` with a new
function, *defines* it (later rows may use it); ``m := m - \\eta\\,\\partial J/\\partial m`` is a
gradient-descent update; ``x = 2`` gives an input's value; ``y_{pred} > y_{true}`` is a
condition. A formula standing alone is a claim only when the sentence before it says so
("the derivative is", "I got:"), and a formula in a sentence is judged when the sentence
pairs a derivative with it ("$\\frac{\\partial C}{\\partial w}$ is ... $(y-a)x$").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import sympy as sp

from symgrad.checking.document import Row, looks_like_prose, read_document
from symgrad.checking.handlex import _FUNCTIONS
from symgrad.checking.handparse import (
    MAIN,
    Differential,
    GenericRule,
    Part,
    Question,
    Reading,
    Skip,
    read_row,
)
from symgrad.checking.report import Diagnosis, LineResult
from symgrad.checking.scope import RATE_NAMES, At, ByExpression, DocFunction, Scope, scope_for
from symgrad.checking.truth import (
    Candidate,
    Target,
    Truth,
    close,
    kink_arguments,
    leibniz_parts,
    plain,
)
from symgrad.errors import ParseError
from symgrad.expr.placeholders import Leibniz
from symgrad.numbers.floats import fvals
from symgrad.reader.expression import symbol
from symgrad.rendering.printing import latex

_PAIR = re.compile(r"^\s*(?:is|=|equals|is equal to|(?:is|equals)\s+[^$.?!]{0,60}?"
                   r"(?:,\s*)?(?:which|that)\s+is|is\s+[^$.?!]{0,40}?:)\s*$")
_DERIVATIVE_OF = re.compile(r"derivative of\s*$")


@dataclass
class Statement:
    """What a row (or one instance of it) states."""

    kind: str  # claim, definition, function, update, given, condition, skip
    lhs: Part | None
    rhs: list[Part]
    reading: Reading
    note: str = ""


class Checker:
    """Walks the rows in order, keeping each chain's target and its last verdict."""

    def __init__(self, doc: str, truth: Truth, scope: Scope | None = None,
                 from_document: bool = False):
        self.doc, self.t = doc, truth
        self.from_document = from_document  # its sums are sums of identical examples
        self.scope = scope or scope_for(truth.problem, getattr(truth, "examples", None))
        from symgrad.checking.setting import TERMS

        self.scope.defined.update(TERMS.get((truth.problem, truth.examples), {}))
        self.targets: dict = {}  # binding -> the current chain's Target
        self.prev_ok: dict = {}  # binding -> the previous right side's verdict
        self.values: dict = dict(truth.point)  # the point, with values the document gives
        self.lr = truth.problem.lr
        self.used: list[str] = []  # definitions the document made, for the report
        self.def_rows: set = set()  # (row start, name) of the rows that define a name
        self.definition_rows: set = set()  # starts of the rows read as definitions
        self.row_start = -1
        self.key = ()
        self.row_cue = ""
        self.views: dict = {}  # name -> the document's re-expression of it (then f = u^2)
        self.line_conditions: dict = {}  # line -> conditions stated with "if" on it
        self.arrow = None  # (line, offset) of a lone \rightarrow
        self.case = None  # (i, '=' or '!=', j, line): "If $i = j$" for the rows that follow
        self.case_math = False

    # --- the document -------------------------------------------------------------------
    def run(self) -> list[LineResult]:
        document = read_document(self.doc)
        self.scope.macros, self.scope.operators = document.macros, document.operator_names
        rows = document.rows
        self.prepass(rows)
        out: list[LineResult] = []
        for k, row in enumerate(rows):
            source = " ".join(self.doc[row.start : row.end].split())
            self.case_ends(row)
            if row.kind in ("prose", "code"):
                out.append(LineResult(row.line, source, None, "skipped"))
                continue
            if self.case is not None and row.line > self.case[3]:
                self.case_math = True
            if row.error:
                why = f"line {row.line}: {row.error}"
                out.append(LineResult(row.line, source, False, "unreadable",
                                      Diagnosis("unreadable", why)))  # fmt: skip
                continue
            out.append(self.visit(row, source, rows, k))
        return out

    def prepass(self, rows: list[Row]) -> None:
        """Count symbols (``m`` in ``\\sum_{i=1}^m``) and the document's definitions, so a row
        may use a name defined further down ("where $u = w^T x$")."""
        for row in rows:
            if row.kind not in ("math", "line") or row.error:
                continue
            text = self.doc[row.start : row.end]
            for m in re.finditer(r"\\sum(?:\\limits)?_\{?[^{}^]*\}?\^\{?\s*([A-Za-z])\s*\}?", text):
                if m.group(1) not in self.scope.names:
                    self.scope.counts.add(m.group(1))
        if self.lr is None:  # "Assuming learning rate (eta) = 0.1"
            for row in rows:
                if row.kind not in ("prose", "line"):
                    continue
                m = _RATE_IN_WORDS.search(self.doc[row.start : row.end])
                if m:
                    self.lr = sp.Rational(m.group(2))
                    if m.group(1) and m.group(1) not in self.scope.names:
                        self.scope.defined[m.group(1)] = self.lr  # eta, as the text calls it
                    break
        registered: set[str] = set()
        for _ in range(2):  # twice: a definition may use a name defined further down
            for row in rows:
                if row.kind not in ("math", "line") or row.error:
                    continue
                self.scope.line = row.line
                try:
                    readings = read_row(self.doc, row.start, row.end, self.scope)
                except (ParseError, GenericRule, Question, Skip, RecursionError, OverflowError):
                    continue
                for st in self.statements(readings[0], row, prepass=True):
                    if st.kind not in ("definition", "function"):
                        continue
                    name = st.note
                    self.def_rows.add((row.start, name))
                    if name in registered:
                        continue  # a later definition of the same name takes over in order
                    registered.add(name)
                    if st.kind == "function":
                        self.define_function(st, row.line)
                        continue
                    self.define(st)
                    if st.reading.lhs_call and st.reading.lhs_call[0] == name:
                        self.scope.def_lines[name] = row.line
                    if len(st.reading.binding) == 1:  # z = \theta^T x^{(i)}: one z for each i
                        for r in readings[1:]:
                            for other in self.statements(r, row, prepass=True):
                                if other.kind == "definition" and other.note == name:
                                    self.define(other)

    def visit(self, row: Row, source: str, rows: list[Row], k: int) -> LineResult:
        self.scope.line = row.line
        cond = self.index_condition(row, source)
        if cond is not None:
            return LineResult(row.line, source, None, "skipped")
        if row.inline and _ARROW.match(source):  # "if $a > 0$ $\rightarrow$ $formula$"
            self.arrow = (row.line, row.end)
            return LineResult(row.line, source, None, "skipped")
        try:
            readings = read_row(self.doc, row.start, row.end, self.scope)
            if self.case is not None:
                readings = [r for r in readings if self.case_holds(r)]
                if not readings:
                    return LineResult(row.line, source, None, "skipped")
        except GenericRule as g:
            self.targets, self.prev_ok = {}, {}
            why = f"a general rule about {g.name}, a function not defined here: not checked"
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
        except Question:
            return LineResult(row.line, source, None, "skipped")
        except Skip as sk:
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", sk.reason))
        except ParseError as e:
            self.targets, self.prev_ok = {}, {}  # what follows cannot continue this chain
            if row.kind == "line" and looks_like_prose(source, self.scope.names, _FUNCTIONS):
                return LineResult(row.line, source, None, "skipped")
            if row.kind == "line" and re.search(r"unknown name '[A-Za-z]\w*_[A-Za-z]{3,}", str(e)):
                why = "program code (a name such as m_current): not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if "unknown name" in str(e) and not self.mentions_problem(row):
                why = "about names that are not in the problem: not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            unknown = re.search(r"unknown name '([A-Za-z]+)_(\w+)'", str(e))
            if unknown and any(n.split("_")[0] == unknown.group(1) and "_" in n
                               for n in self.scope.names):
                # w_ij when the problem has w_jk: a part of the model the problem leaves out
                why = (f"{unknown.group(1)}_{unknown.group(2)} is a part of the model the problem "
                       f"does not include: not checked")
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            lhs = _DEFINED_NAME.match(source)
            if lhs and ("unknown name" in str(e) and not self.names_in(lhs.group(1)) or
                        self.unknown_in(source[lhs.end() :])):
                # L_i = \sigma(\sum w_{hi} L_h): a name the problem does not have, defined from
                # others it does not have either
                why = f"defines {lhs.group(1).strip()} from names not in the problem: not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if _IN_WORDS.match(source):
                why = "a name described in words: not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if _PROBABILITY.search(source):
                why = "a probability p(a | b): not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if row.inline and not _has_relation(source) and not self.cued(row, rows, k):
                return LineResult(row.line, source, None, "skipped")
            why = e.one_line() if e.where else f"line {row.line}: {e.one_line()}"
            return LineResult(row.line, source, False, "unreadable", Diagnosis("unreadable", why))
        except (OverflowError, RecursionError):
            why = f"line {row.line}: a number in this line is too large to compare"
            return LineResult(row.line, source, False, "unreadable", Diagnosis("unreadable", why))
        results = []
        for reading in readings:
            try:
                results.append(self.reading(reading, row, rows, k))
            except GenericRule as g:
                why = f"a general rule about {g.name}, a function not defined here: not checked"
                results.append(("skipped", Diagnosis("skipped", why)))
            except ParseError as e:
                why = e.one_line() if e.where else f"line {row.line}: {e.one_line()}"
                results.append(("unreadable", Diagnosis("unreadable", why)))
        verdict, diag = _combine(results)
        if verdict in ("definition", "given"):
            self.definition_rows.add(row.start)
        ok = None if verdict in ("skipped", "definition", "given") else verdict == "correct"
        if verdict == "unreadable":
            ok = False
        if verdict in ("definition", "given"):
            verdict, ok = "skipped", None
        return LineResult(row.line, source, ok, verdict, diag)

    def unknown_in(self, text: str) -> bool:
        """True when ``text`` (a right side) uses a name the problem does not have."""
        try:
            read_row(text, 0, len(text), self.scope)
        except ParseError as e:
            return "unknown name" in str(e)
        except (GenericRule, Question, Skip, ValueError):
            return False
        return False

    def names_in(self, text: str) -> bool:
        """True when ``text`` (a left side) reads as something in scope."""
        try:
            readings = read_row(text, 0, len(text), self.scope)
        except (ParseError, GenericRule, Question, Skip, ValueError):
            return False
        e = readings[0].parts[0].expr if readings and readings[0].parts else None
        return e is not None and bool(getattr(e, "free_symbols", ()))

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

    def index_condition(self, row: Row, source: str):
        """``If $i = j$, this gives:``, ``Case 2: \\(i \\neq j\\)``: a condition on the indices that
        the rows after it assume (until the next sentence that is not part of it)."""
        m = _INDEX_RELATION.match(source)
        if m is None or m.group(1) in self.scope.names or m.group(3) in self.scope.names:
            return None
        op = "=" if m.group(2) == "=" else "!="
        before = self.doc[self.doc.rfind("\n", 0, row.start) + 1 : row.start].lower()
        if re.search(r"\b(if|when|case\s*\d*\s*:?|for)\s*[$\\(]*\s*$", before):
            self.case = (m.group(1), op, m.group(3), row.line)
        return op

    def case_holds(self, reading: Reading) -> bool:
        a, op, b, _ = self.case
        bind = reading.binding
        if a not in bind or b not in bind:
            return True
        return (bind[a] == bind[b]) == (op == "=")

    def case_ends(self, row: Row) -> None:
        """A sentence on a later line, after some math, ends the case ("Together these give")."""
        if self.case is not None and row.kind == "prose" and row.line > self.case[3] + 1 and \
                self.case_math and len(self.doc[row.start : row.end].split()) >= 3:
            self.case = None

    # --- statements ---------------------------------------------------------------------
    def statements(self, reading: Reading, row: Row, prepass: bool = False) -> list[Statement]:
        """The statements of one reading: split at ``\\implies``; each classified."""
        out, chunk = [], []
        for part in reading.parts:
            if part.separator == "=>" and chunk:
                out.append(chunk)
                chunk = [replace(part, separator="")]
            elif part.separator == "propto":
                break  # "proportional to": not an equation
            else:
                chunk.append(part)
        if chunk:
            out.append(chunk)
        return [self.classify(c, reading, row) for c in out]

    def classify(self, parts: list[Part], reading: Reading, row: Row) -> Statement:
        parts = _differentials(parts)
        first, rest = parts[0], parts[1:]
        if all(p.relation for p in parts if p.expr is not None):
            return Statement("condition", None, [], reading)
        rest = [p for p in rest if not p.relation]
        e = first.expr
        if e is None:
            return Statement("claim", None, rest, reading)
        if not rest:
            return Statement("single", first, [], reading)
        sep = rest[0].separator
        if reading.lhs_call and reading.lhs_call[0] in self.scope.functions and \
                (row.start, reading.lhs_call[0]) in self.def_rows:
            return Statement("function", first, rest, reading, reading.lhs_call[0])
        if reading.lhs_call and isinstance(e, sp.Symbol) and e.name.startswith("function:"):
            name, args = reading.lhs_call
            if args and all(a.is_Symbol and a.name in self.scope.names for a in args):
                # f(w, b) = (2w + b - 5)^2: a quantity of the problem's variables
                self.declare_args(name, args)
                return Statement("definition", replace(first, expr=symbol(name)), rest, reading, name)
            return Statement("function", first, rest, reading, name)
        if isinstance(e, sp.Symbol) and not isinstance(e, Leibniz):
            name = e.name
            s = self.scope
            if name in s.params and (sep in ("<-", ":=") or reading.next_step or
                                     _mentions(rest[0].expr, e)):
                return Statement("update", first, rest, reading)
            if reading.binding and rest[0].expr is not None and rest[0].expr.is_number and \
                    not reading.conditions:
                return Statement("skip", first, rest, reading,
                                 "a value for some index (such as the true class): not checked")
            if name in s.inputs and name not in s.quantities:
                if rest[0].expr is not None and rest[0].expr.is_number:
                    return Statement("given", first, rest, reading, name)
                return Statement("skip", first, rest, reading,
                                 f"{name} is an input of the problem; this row gives it another meaning")
            if re.fullmatch(r"d[A-Za-z].*", name) and (name[1:] in s.names or name[1:] in s.inputs):
                return Statement("skip", first, rest, reading,
                                 f"{name} is a program variable named like a derivative: not checked")
            if (row.start, name) in self.def_rows:
                return Statement("definition", first, rest, reading, name)
            if name in s.defined and name not in s.quantities and rest[0].expr is not None and \
                    not isinstance(rest[0].expr, sp.MatrixBase) and rest[0].expr.is_number:
                return Statement("definition", first, rest, reading, name)  # C = 1 ... C = 0
            if name in s.quantities or name in s.defined:
                if reading.lhs_call and reading.lhs_call[0] == name:
                    self.declare_args(name, reading.lhs_call[1])
                return Statement("claim", first, rest, reading)
            if name in RATE_NAMES or name in reading.rates:
                return Statement("definition", first, rest, reading, name)
            if name in reading.dummies:
                return Statement("skip", first, rest, reading, "")
            if row.inline and rest[0].expr is not None and _is_number(rest[0].expr) and \
                    re.search(r"\b(at|when|if|whenever|unless)\s*$", _cue_words(row.cue)):
                return Statement("condition", None, [], reading)  # "At $z=0$, ..."
            return Statement("definition", first, rest, reading, name)
        return Statement("claim", first, rest, reading)

    def declare_args(self, name: str, args) -> None:
        if name not in self.scope.args and all(getattr(a, "is_Symbol", False) for a in args):
            self.scope.args[name] = tuple(args)

    def define_function(self, st: Statement, line: int) -> None:
        name, args = st.reading.lhs_call
        body = st.rhs[0].expr
        if body is not None and not isinstance(body, sp.MatrixBase):
            self.scope.functions[name] = DocFunction(name, tuple(args), body, line)

    def define(self, st: Statement) -> None:
        if st.kind == "definition" and st.rhs and st.rhs[0].expr is not None:
            value = st.rhs[0].expr
            if isinstance(value, sp.MatrixBase):
                return
            name = st.note
            if len(st.reading.binding) == 1:  # one definition for each value of the index
                (letter, v), = st.reading.binding.items()
                self.scope.indexed[name] = letter
                name = f"{name}#{v}"
            self.scope.defined[name] = value
            self.views.pop(name, None)
            if st.note in RATE_NAMES and value.is_number and self.lr is None:
                self.lr = value

    # --- one reading --------------------------------------------------------------------
    def reading(self, reading: Reading, row: Row, rows: list[Row], k: int):
        self.row_cue = _cue_words(row.cue) if row.inline else ""
        verdicts = []
        for st in self.statements(reading, row):
            verdicts.append(self.statement(st, row, rows, k))
        return _combine(verdicts)

    def statement(self, st: Statement, row: Row, rows, k):
        key = tuple(sorted(st.reading.binding.items()))
        if st.kind == "condition":
            conds = [p.expr for p in st.reading.parts if p.relation and p.expr is not None]
            said = _PROSE_VALUE.search(_cue_words(row.cue)) if row.inline else None
            before = self.doc[max(0, row.start - 400) : row.start].lower()
            if said and conds and len(self.t.problem.wrt) == 1 and \
                    re.search(r"derivative|gradient|slope", before):
                # "Elsewhere you have -1, where $y_{pred} > y_{true}$": the derivative there
                target = self.leibniz_target(Leibniz(MAIN, symbol(self.t.problem.wrt[0]), True))
                self.targets[key], self.prev_ok[key] = target, None
                value = sp.Rational(said.group(1).replace(" ", ""))
                part = Part(value, row.start, 0, True, "=")
                st.reading.conditions.extend(conds)
                return self.judge_parts([part], st.reading, key)
            if row.inline and re.search(r"\b(if|when|whenever)\b|&\s*$|\band\s*$",
                                        _cue_words(row.cue)[-40:]):
                self.line_conditions.setdefault(row.line, []).extend(conds)
            return ("skipped", None)
        if st.kind == "skip":
            return ("skipped", Diagnosis("skipped", st.note) if st.note else None)
        if st.kind == "definition":
            self.define(st)
            target = self.name_target(st.note)
            self.targets[key], self.prev_ok[key] = target, None
            self.used.append(st.note)
            if len(st.rhs) > 1:
                return self.judge_parts(st.rhs[1:], st.reading, key, defining=True)
            return ("definition", None)
        if st.kind == "function":
            self.define_function(st, row.line)
            return ("definition", None)
        if st.kind == "given":
            return self.given(st)
        if st.kind == "update":
            target = self.update_target(st)
            if target is None:
                why = "an update line: the learning rate is not given (--lr), so it is not checked"
                return ("skipped", Diagnosis("skipped", why))
            self.targets[key], self.prev_ok[key] = target, None
            return self.judge_parts(st.rhs, st.reading, key)
        if st.kind == "single" and self.arrow is not None and self.arrow[0] == row.line and \
                self.line_conditions.get(row.line) and len(self.t.problem.wrt) == 1:
            # "if conditions -> formula": the derivative where the conditions hold
            target = self.leibniz_target(Leibniz(MAIN, symbol(self.t.problem.wrt[0]), True))
            self.targets[key], self.prev_ok[key] = target, None
            st.reading.conditions.extend(self.line_conditions[row.line])
            return self.judge_parts([st.lhs], st.reading, key)
        if st.kind == "single":
            if not leibniz_parts(st.lhs.expr) or not st.lhs.expr.free_symbols - set(
                    leibniz_parts(st.lhs.expr)) and not isinstance(st.lhs.expr, sp.Symbol) or \
                    isinstance(st.lhs.expr, Leibniz):
                if isinstance(st.lhs.expr, (Leibniz, sp.Derivative)):
                    # "we want to compute: dL/dz_j", or the start of a chain the next row continues
                    target = self.target_for(st.lhs.expr, st.reading)
                    if target is not None:
                        self.targets[key], self.prev_ok[key] = target, None
                    return ("skipped", None)
            target = self.cued_target(row, rows, k)
            if target is None:
                return ("skipped", None)
            self.targets[key], self.prev_ok[key] = target, None
            return self.judge_parts([st.lhs], st.reading, key)
        # a claim: with a left side, or continuing the chain above
        if st.lhs is None and row.inline and self.prose_before(row, rows, k):
            # "the derivative with respect to W1 $= \frac{dL}{dW_1}$": the sentence is the left side
            target = self.cued_target(row, rows, k, subject_only=True)
            if target is None:
                return ("skipped", None)
            self.targets[key], self.prev_ok[key] = target, None
            return self.judge_parts(st.rhs, st.reading, key)
        if st.lhs is not None:
            target = self.target_for(st.lhs.expr, st.reading)
            if target is None:
                return ("skipped", None)
            lhs = st.lhs.expr
            if isinstance(lhs, sp.Symbol) and not isinstance(lhs, Leibniz) and st.rhs and \
                    st.rhs[0].expr is not None and not isinstance(st.rhs[0].expr, sp.MatrixBase):
                self.targets[key], self.prev_ok[key] = target, None
                result = self.judge_parts(st.rhs, st.reading, key)
                rhs = st.rhs[0].expr
                names = {x.name for x in rhs.free_symbols} - {lhs.name}
                if result[0] == "correct" and names & (set(self.scope.defined) |
                                                       set(self.scope.quantities)):
                    self.views[lhs.name] = rhs  # then f = u^2: f as the document now writes it
                return result
            if not target.derivative and st.rhs and not isinstance(st.lhs.expr, sp.Symbol):
                label = self.doc[st.lhs.pos : st.rhs[0].pos].strip()
                label = re.sub(r"(\\approx|:=|\\coloneqq|=|&)+\s*$", "", label).strip()
                target.label = " ".join(label.split()) or target.label
            self.targets[key], self.prev_ok[key] = target, None
        elif key in self.targets and not self.targets[key].derivative and \
                re.search(r"\b(take|taking|the)\s+(the\s+)?derivative\s*$", _cue_words(row.cue)):
            # "Now take derivative $$= ...$$": of what the chain was about
            prev = self.targets[key]
            params = self.t.problem.wrt
            if len(params) == 1 and prev.label in self.scope.names:
                self.targets[key] = self.leibniz_target(
                    Leibniz(symbol(prev.label), symbol(params[0]), True))
                self.prev_ok[key] = None
        elif key not in self.targets:
            found = [v for b, v in self.targets.items() if set(b) >= set(key)]
            if not found:
                return ("skipped", None)
            results = []
            for b, target in list(self.targets.items()):
                if set(b) >= set(key):
                    results.append(self.judge_parts(st.rhs, st.reading, b))
            return _combine(results)
        return self.judge_parts(st.rhs, st.reading, key)

    def given(self, st: Statement):
        """``x = 2``: an input's value; it must match the problem's point, or it adds to it."""
        name, value = st.note, st.rhs[0].expr
        s = symbol(name)
        have = self.values.get(s)
        if have is None:
            self.values[s] = value
            return ("given", None)
        part = st.rhs[0]
        tol = 10.0 ** -part.decimals if part.decimals else 1e-12
        if abs(float(have) - float(value)) <= tol * max(1.0, abs(float(have))):
            return ("correct", None)
        if name in self.scope.params and self.lr is not None:  # the value after an update step
            g = self.t.target(self.t.problem.loss, name)
            expr = s - self.lr * g.expr
            target = Target(f"updated {name}", expr, expr, self.at_point(expr), derivative=False)
            key = tuple(sorted(st.reading.binding.items()))
            self.targets[key], self.prev_ok[key] = target, None
            verdict = self.judge_parts(st.rhs, st.reading, key)
            if verdict[0] == "correct":
                return verdict
        if re.search(r"\b(at|for|when|and|or|with|of)\s*$", self.row_cue):
            why = "a point the text evaluates at, not the problem's: not checked"
            return ("skipped", Diagnosis("skipped", why))
        why = f"The problem has {name} = {plain(have)}"
        return ("wrong", Diagnosis("not-equal", why, latex(have), f"{name} = {plain(have)}"))

    # --- targets ------------------------------------------------------------------------
    def name_target(self, name: str) -> Target:
        expr = self.resolve(symbol(name))
        return Target(name, expr, self.scope.defined.get(name, symbol(name)),
                      self.at_point(expr), derivative=False)

    def target_for(self, e: sp.Expr, reading: Reading) -> Target | None:
        if isinstance(e, Leibniz):
            return self.leibniz_target(e)
        if isinstance(e, sp.Symbol) and e.name in self.scope.quantities and e.name not in self.scope.defined:
            return self.t.target(e.name, None)
        if isinstance(e, sp.Symbol) and e.name in self.scope.defined:
            return self.name_target(e.name)
        if isinstance(e, sp.MatrixBase):
            expr = e.applyfunc(self.resolve)
            return Target("the vector", expr, e, None, derivative=False)
        expr = self.resolve(e)
        shown = self.resolve(e, shown=True)
        label = plain(shown)
        derivative = isinstance(e, (sp.Derivative, ByExpression))
        return Target("the derivative" if derivative else label, expr, shown, self.at_point(expr),
                      derivative=derivative)

    def leibniz_target(self, e: Leibniz) -> Target:
        top, bottom = e.top.name, e.bottom.name
        if top == MAIN.name:
            top = self.t.problem.loss
        s = self.scope
        fn = s.functions.get(top)
        if fn is not None:  # dg/dw with g(w) = w x defined in the document
            body = fn.body
            if len(fn.params) == 1 and fn.params[0].name != bottom:
                body = body.xreplace({fn.params[0]: symbol(bottom)})
            expr = self.derivative(body, symbol(bottom))
            return Target(f"d{top}/d{bottom}", expr, expr, self.at_point(expr))
        known = s.quantities | s.inputs
        if top in known and bottom in known and top not in s.defined and bottom not in s.defined:
            return self.t.target(top, bottom)
        expr = self.derivative(symbol(top), symbol(bottom))
        return Target(f"d{top}/d{bottom}", expr, expr, self.at_point(expr))

    def update_target(self, st: Statement) -> Target | None:
        """``p <- p - eta * dL/dp``: the updated value (a function of the inputs)."""
        param = st.lhs.expr.name
        g = self.t.target(self.t.problem.loss, param)
        rate = self.lr
        if rate is None:
            rates = [r for r in st.reading.rates if r not in self.scope.defined]
            if len(rates) != 1:
                return None
            rate = symbol(rates[0])
        s = symbol(param)
        expr = s - rate * g.expr
        shown = sp.Add(s, sp.Mul(-rate, g.shown, evaluate=False), evaluate=False)
        why = f"an update subtracts the gradient: {param} - eta*d{self.t.problem.loss}/d{param}"
        return Target(f"updated {param}", expr, shown, self.at_point(expr), derivative=False,
                      sign_hint=why)

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
                    subject_only: bool = False):
        """A formula standing alone: the claim the sentence before it announces, or None."""
        prev = next((rows[j] for j in range(k - 1, -1, -1) if rows[j].kind in ("math", "line")),
                    None)
        between = self.doc[prev.end : row.start] if prev is not None else ""
        # "$\frac{\partial C}{\partial w}$ is the ..., which is $X$": paired with the formula before
        if prev is not None and prev.kind == "math" and prev.line == row.line and _PAIR.match(
                re.sub(r"[$\\()]+", " ", between)):
            lhs = self.derivative_in(prev)
            if lhs is not None:
                return lhs
        line_start = self.doc.rfind("\n", 0, prev.start) + 1 if prev is not None else 0
        if prev is not None and prev.kind == "math" and prev.line == row.line and re.search(
                r"^\s*\$*\s*is\s*(equal to)?\s*\$*\s*$", between) and _DERIVATIVE_OF.search(
                self.doc[line_start : prev.start].replace("$", " ").rstrip()):
            got = self.derivative_of_row(prev)
            if got is not None:
                return "probe" if probe else got
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

    def derivative_of_row(self, row: Row) -> Target | None:
        """"the derivative of $\\tanh(x)$ is ...": d/dv of that formula, v its one variable."""
        try:
            reading = read_row(self.doc, row.start, row.end, self.scope)[0]
        except (ParseError, GenericRule, Question, Skip, ValueError):
            return None
        if len(reading.parts) != 1 or reading.parts[0].expr is None:
            return None
        e = reading.parts[0].expr
        free = [s for s in self.resolve(e).free_symbols if not s.is_integer]
        if len(free) != 1:
            return None
        expr = sp.diff(self.resolve(e), free[0])
        return Target(f"d/d{free[0]} {plain(e)}", expr, expr, self.at_point(expr))

    # --- resolving ----------------------------------------------------------------------
    def resolve(self, e: sp.Expr, shown: bool = False) -> sp.Expr:
        """Leibniz factors and derivatives replaced by their truths; the document's names and
        the problem's quantities expanded down to the inputs (``shown``: names stay)."""
        if isinstance(e, sp.MatrixBase):
            return e.applyfunc(lambda x: self.resolve(x, shown))
        swap = {}
        for leib in leibniz_parts(e):
            tg = self.leibniz_target(leib)
            swap[leib] = tg.shown if shown else tg.expr
        e = e.xreplace(swap)
        if e.has(At) or e.has(ByExpression) or e.has(sp.Derivative):
            e = self.placeholders(e)
        if shown:
            return e
        return self.expand(e)

    def placeholders(self, e: sp.Expr) -> sp.Expr:
        def by_expression(x):
            top, bottom = self.expand(x.args[0]), self.expand(x.args[1])
            free = [s for s in bottom.free_symbols if s.name in self.scope.params] or \
                list(bottom.free_symbols)
            if len(free) != 1:
                raise ValueError("a derivative by an expression of several variables")
            v = free[0]
            db = sp.diff(bottom, v)
            if db == 0:
                raise ValueError("a derivative by a constant")
            return sp.diff(top, v) / db

        def at(x):
            inner = self.expand(self.placeholders(x.args[0]) if x.args[0].has(At, sp.Derivative)
                                else x.args[0])
            var = x.args[1]
            return inner.xreplace({var: self.expand(x.args[2])})

        e = e.replace(lambda x: isinstance(x, ByExpression), by_expression)
        e = e.replace(lambda x: isinstance(x, sp.Derivative),
                      lambda x: self.derivative(x.expr, x.variables[0]))
        return e.replace(lambda x: isinstance(x, At), at)

    def definitions(self) -> dict:
        """Every name the rows may use, with its definition: the document's names, and a
        quantity as the document last re-expressed it (``then f = u^2``), take precedence."""
        out = {q.symbol: q.expr for q in self.t.problem.quantities}
        out.update({symbol(n): v for n, v in self.scope.defined.items()})
        out.update({symbol(n): v for n, v in self.views.items()})
        return out

    def expand(self, e: sp.Expr, keep: sp.Symbol | None = None) -> sp.Expr:
        """Names replaced by their definitions until only inputs (and ``keep``) are left."""
        defs = self.definitions()
        if keep is not None:
            defs.pop(keep, None)
        for _ in range(40):
            names = [s for s in e.free_symbols if s in defs]
            leibs = leibniz_parts(e)
            if not names and not leibs:
                return e
            if leibs:
                e = self.resolve(e, shown=False) if keep is None else e.xreplace(
                    {lb: self.leibniz_target(lb).expr for lb in leibs})
                continue
            e = e.xreplace({s: defs[s] for s in names})
            if e.has(At, ByExpression, sp.Derivative):
                e = self.placeholders(e)
        raise ParseError("the document's definitions refer to each other in a circle")

    def derivative(self, expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
        """d expr / d var, holding var as a variable when it is a named quantity."""
        defs = self.definitions()
        if var not in defs:
            return sp.diff(self.expand(expr), var)
        held = self.expand(expr, keep=var)
        return self.expand(sp.diff(held, var))

    def at_point(self, expr) -> sp.Expr | None:
        if isinstance(expr, sp.MatrixBase):
            return None
        if not self.values and not expr.free_symbols:
            return self.t.at_point(expr, {sp.Symbol("_", real=True): 0})
        return self.t.at_point(expr, self.values)

    # --- judging ------------------------------------------------------------------------
    def judge_parts(self, parts: list[Part], reading: Reading, key, defining=False):
        result = None
        self.key = key
        target = self.targets[key]
        for k, part in enumerate(parts):
            if part.expr is None:
                continue
            if reading.copies and not self.from_document:
                verdict, diag = self.judge(part, target, reading)
                if verdict != "correct":
                    why = ("a sum over examples, while the problem is one example: every term is "
                           "the same here, so this is not checked")
                    result = result or ("skipped", Diagnosis("skipped", why))
                    continue
            if (k == len(parts) - 1 and part.expr == 0 and target.derivative and len(parts) > 1
                    and part.separator == "=" and not self.is_zero(target)):
                continue  # "... = 0": the derivative set to zero, a condition for the optimum
            verdict, diag = self.judge(part, target, reading)
            ok = verdict == "correct"
            if ok and self.prev_ok.get(key) is False:
                why = "This is right, but it does not follow from the wrong line before it"
                diag = self.diagnosis(target, "does-not-follow", why)
            self.prev_ok[key] = ok
            if result is None or (not ok and result[0] == "correct"):
                result = (verdict, diag)
        return result or ("skipped", None)

    def is_zero(self, target: Target) -> bool:
        try:
            return all(abs(v) < 1e-12 for v in self.t.values(target.expr) if not math.isnan(v))
        except (TypeError, ValueError):
            return False

    def diagnosis(self, tg: Target, kind: str, why: str, expected: sp.Expr | None = None) -> Diagnosis:
        """A diagnosis carrying the expected result (the author-form truth, or a value)."""
        shown = tg.shown if expected is None else expected
        if isinstance(shown, sp.MatrixBase):
            shown = sp.ImmutableMatrix(shown)
        elif shown.is_number and not shown.is_Rational and not shown.has(sp.nan):
            shown = sp.Float(sp.N(shown, 6), 6)
        why = why[:1].upper() + why[1:]
        return Diagnosis(kind, why, latex(shown), f"{tg.label} = {plain(shown)}")

    def mask(self, reading: Reading) -> list[bool] | None:
        """Which sample points satisfy the row's conditions (None: all)."""
        conds = [c for c in reading.conditions if c is not sp.true]
        if not conds:
            return None
        t = self.t
        expanded = [c.xreplace({s: self.expand(s) for s in c.free_symbols}) for c in conds]
        for c in expanded:
            for rel in (c.args if isinstance(c, sp.And) else (c,)):
                if hasattr(rel, "lhs"):
                    t.cover(rel.lhs - rel.rhs)
        t.cover_region(sp.And(*expanded))
        flags = [True] * t.n
        for c in expanded:
            marks = t.values(sp.Piecewise((1, c), (0, True)))
            flags = [f and m == 1.0 for f, m in zip(flags, marks)]
        return flags

    def judge(self, part: Part, tg: Target, reading: Reading) -> tuple[str, Diagnosis | None]:
        t = self.t
        e = part.expr
        if isinstance(e, sp.MatrixBase) or isinstance(tg.expr, sp.MatrixBase):
            return self.judge_vector(part, tg, reading)
        try:
            e = self.resolve(e)
        except ValueError as err:
            return "unreadable", Diagnosis("unreadable", f"cannot evaluate this line: {err}")
        if not e.free_symbols and not (reading.conditions and tg.expr.free_symbols):
            return self.judge_number(part, e, tg)  # a number: at the point (a region: sampled)
        if tg.vals is None:
            tg.vals = t.values(tg.expr)
        for arg in kink_arguments(e):
            before = t.n
            t.cover(arg)
            if t.n != before:
                tg.vals = t.values(tg.expr)
        mask = self.mask(reading)
        try:
            ev = t.values(e)
            if tg.vals is None or len(tg.vals) != t.n:
                tg.vals = t.values(tg.expr)
            tv = t.values(tg.expr) if t.dummies else tg.vals
        except (TypeError, ValueError) as err:
            return "wrong", self.diagnosis(tg, "not-equal", f"cannot evaluate this line: {err}")
        if mask is not None:
            ev = [v if m else math.nan for v, m in zip(ev, mask)]
            tv = [v if m else math.nan for v, m in zip(tv, mask)]
        if close(ev, tv, tolerance=_tolerance(part)):
            return self.at_kink(e, tg)
        if self.values and part.numbers:  # numbers put in for some inputs: judged there
            pe, pt = e.xreplace(self.values), tg.expr.xreplace(self.values)
            if pe.free_symbols and pe.free_symbols <= pt.free_symbols | pe.free_symbols:
                try:
                    if close(t.values(pe), t.values(pt), tolerance=_tolerance(part)):
                        return "correct", None
                except (TypeError, ValueError):
                    pass
        return "wrong", self.symbolic_mistake(ev, tg, tv)

    def judge_vector(self, part: Part, tg: Target, reading: Reading):
        e = part.expr
        if not isinstance(e, sp.MatrixBase) and isinstance(tg.shown, sp.MatrixBase) and \
                len(reading.binding) == 1:  # \nabla_{\hat Y} L = (cases for the i-th): a component
            (v,) = reading.binding.values()
            for k, comp in enumerate(tg.shown):
                if isinstance(comp, Leibniz) and re.search(rf"(?<!\d)_?{v}$", comp.bottom.name):
                    sub = self.leibniz_target(comp)
                    return self.judge(part, sub, reading)
        if not isinstance(e, sp.MatrixBase) or not isinstance(tg.expr, sp.MatrixBase):
            return "wrong", Diagnosis("not-equal", "A vector and a number cannot be equal")
        if e.shape != tg.expr.shape:
            return "wrong", Diagnosis("not-equal", f"The vectors have different sizes "
                                                   f"({len(e)} and {len(tg.expr)})")
        results = []
        for a, b in zip(e, tg.expr):
            sub = Target(tg.label, b if not isinstance(b, Leibniz) else self.resolve(b), b,
                         self.at_point(b) if not isinstance(b, sp.MatrixBase) else None,
                         derivative=tg.derivative)
            results.append(self.judge(replace(part, expr=a), sub, reading))
        return _combine(results)

    def at_kink(self, e: sp.Expr, tg: Target) -> tuple[str, Diagnosis | None]:
        """A line equal to the truth away from kinks: is it right at the point too?"""
        t = self.t
        if not t.on_kink:
            return "correct", None
        v = self.at_point(e)
        if v is not None and self.equal_value(v, tg, None):
            return "correct", None
        kink = "; ".join(f"{k.function} at {plain(k.expr)}" for k in t.d.kinks)
        pick = plain(tg.value) if tg.value is not None else "an interval"
        if v is None:
            why = f"right away from the kink, but undefined at the point, which is on a kink ({kink})"
            return "correct-except-at-kink", self.diagnosis(tg, "undefined-at-kink", why)
        lo, hi = tg.interval or (None, None)
        if lo is None or lo <= v <= hi:
            rng = f" (the subdifferential is [{plain(lo)}, {plain(hi)}])" if lo is not None else ""
            why = (f"at the kink ({kink}) this picks {plain(v)}; the {t.problem.convention.value} "
                   f"convention picks {pick}{rng}")  # fmt: skip
            return "different-subgradient", self.diagnosis(tg, "wrong-subgradient", why)
        why = (f"right away from the kink, but at the point ({kink}) it gives {plain(v)}, outside "
               f"the subdifferential [{plain(lo)}, {plain(hi)}]")  # fmt: skip
        return "correct-except-at-kink", self.diagnosis(tg, "wrong-subgradient", why)

    def equal_value(self, v: sp.Expr, tg: Target | None, part: Part | None, want=None) -> bool:
        if tg is not None:
            want = tg.value
            if want is None:
                if tg.interval is None:
                    return False
                lo, hi = tg.interval
                return bool(lo <= v <= hi)
        if v.is_Rational and want.is_Rational and (part is None or not part.decimals):
            return v == want
        tol = 1e-12
        if part is not None and (part.decimals or part.separator == "~="):
            tol = _tolerance(part) if part.decimals else 0.5
        try:
            return abs(float(v) - float(want)) <= tol * max(1.0, abs(float(want)))
        except (TypeError, ValueError):
            return False

    def judge_number(self, part: Part, e: sp.Expr, tg: Target) -> tuple[str, Diagnosis | None]:
        t = self.t
        v = self.at_point(e)
        if v is None:
            return "wrong", self.diagnosis(tg, "not-equal", "This is undefined at the point")
        if tg.value is None and tg.interval is None:
            tg.value = self.at_point(tg.expr)
        if tg.value is None and tg.interval is None:
            missing = sorted(s.name for s in tg.expr.free_symbols if s not in self.values)
            why = (f"a number, but the point has no value for {', '.join(missing)}: give it "
                   f"with --at") if missing else "a number where the truth is undefined"
            return "skipped", Diagnosis("skipped", why)
        if self.equal_value(v, tg, part):
            return "correct", None
        if t.on_kink and tg.interval is not None and tg.interval[0] <= v <= tg.interval[1]:
            lo, hi = tg.interval
            why = (f"{plain(v)} is in the subdifferential [{plain(lo)}, {plain(hi)}], but the "
                   f"{t.problem.convention.value} convention picks {plain(tg.value)}")  # fmt: skip
            return "different-subgradient", self.diagnosis(tg, "wrong-subgradient", why, tg.value)
        expected = tg.value
        if tg.value is not None and tg.value != 0 and self.equal_value(-v, tg, part):
            return "wrong", self.diagnosis(tg, "sign-error", self.sign_text(tg, -v), expected)
        for c in tg.candidates:
            if c.at_point is None:
                c.at_point = self.at_point(c.expr)
            if c.at_point is not None and self.equal_value(v, None, part, c.at_point):
                return "wrong", self.diagnosis(tg, c.kind, _sentence(c), expected)
        if self.prev_ok.get(self.key):
            why = f"This number does not follow from the previous line (expected {plain(expected)})"
            return "wrong", self.diagnosis(tg, "does-not-follow", why, expected)
        return "wrong", self.diagnosis(tg, "not-equal", f"This is not {tg.label} at the point",
                                       expected)

    def sign_text(self, tg: Target, negated) -> str:
        """Name the dropped minus when a mistake inside the chain gives exactly ``negated``."""
        t = self.t
        for c in tg.candidates:
            if c.kind != "sign-error":
                continue
            if isinstance(negated, list):
                c.vals = t.values(c.expr) if c.vals is None or len(c.vals) != t.n else c.vals
                if close(negated, c.vals):
                    return _sentence(c)
            else:
                c.at_point = self.at_point(c.expr) if c.at_point is None else c.at_point
                if c.at_point is not None and c.at_point == negated:
                    return _sentence(c)
        hint = tg.sign_hint or "the sign is flipped: this is minus the right result"
        return hint[:1].upper() + hint[1:]

    def symbolic_mistake(self, ev: list[float], tg: Target, tv: list[float]) -> Diagnosis:
        t = self.t
        if any(abs(x) > 1e-9 for x in tv if not math.isnan(x)) and close(ev, [-x for x in tv]):
            return self.diagnosis(tg, "sign-error", self.sign_text(tg, [-x for x in tv]))
        for c in tg.candidates:
            if c.vals is None or len(c.vals) != t.n:
                c.vals = t.values(c.expr)
            if close(ev, c.vals):
                return self.diagnosis(tg, c.kind, _sentence(c))
        for name, f in tg.factors:
            fv = t.values(f)
            if close(ev, [a * b for a, b in zip(tv, fv)]):
                return self.diagnosis(tg, "extra-factor", f"This line has an extra factor {name}")
            if close(ev, [a / b if b else math.nan for a, b in zip(tv, fv)]):
                why = f"The chain factor {name} is missing"
                return self.diagnosis(tg, "missing-chain-factor", why)
        ratio = _constant_ratio(ev, tv)
        if ratio is not None:
            return self.diagnosis(tg, "wrong-constant", f"This line is {ratio} times the right result")
        if self.prev_ok.get(self.key):
            return self.diagnosis(tg, "does-not-follow", "This does not follow from the previous line")
        return self.diagnosis(tg, "not-equal", f"This is not equal to {tg.label}")


_RATE_IN_WORDS = re.compile(r"(?:learning[ _]rate\s*(?:\((eta|alpha|lr)\))?|\b(?:eta|alpha|lr)\b)"
                            r"[^=\n$\\{}]{0,30}?=\s*([0-9]*\.?[0-9]+)(?![0-9.]*\s*[*/^])")
_DEFINED_NAME = re.compile(r"^\s*((?:\\[A-Za-z]+\s*)?[A-Za-z]\w*(?:_\{?\w+\}?)?"
                           r"(?:\^\{?\(?\w\)?\}?)?)\s*(?:=|:=)")
_IN_WORDS = re.compile(r"^\s*[^=]{1,30}=\s*[a-z]{4,}\s*$")
_PROSE_VALUE = re.compile(r"(?:^|\s)([+-]\s?\d+(?:\.\d+)?|\d+(?:\.\d+)?)\s*,?\s*"
                          r"(?:where|when|if|whenever|for)\s*$")
_ARROW = re.compile(r"^\s*(\\(?:rightarrow|Rightarrow|to|implies|longrightarrow)|→|⇒|=>|->)\s*$")
_INDEX_RELATION = re.compile(r"^\s*([a-z])\s*(=|\\neq?|!=|≠)\s*([a-z])\s*$")
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


def _is_number(e) -> bool:
    return not isinstance(e, sp.MatrixBase) and e.is_number


def _cue_words(cue: str) -> str:
    """The sentence before a formula, without the formulas at its end."""
    return re.sub(r"(\$[^$]*\$\s*)+$", "", cue.rstrip()).rstrip()


def _differentials(parts: list[Part]) -> list[Part]:
    """``df = f'(x)\\,dx`` read as ``df/dx = f'(x)``: every side divided by the same dx."""
    first = parts[0].expr
    if not isinstance(first, Differential) or len(parts) < 2:
        return parts
    out = [replace(parts[0], expr=None)]
    var = None
    for p in parts[1:]:
        if p.expr is None or isinstance(p.expr, sp.MatrixBase):
            return parts
        ds = [s for s in p.expr.free_symbols if isinstance(s, Differential)]
        if p.expr == 0:
            out.append(p)  # 0 dx: SymPy has already dropped the dx
            continue
        if len(ds) != 1 or (var is not None and ds[0].var != var):
            return parts
        var = ds[0].var
        ratio = sp.simplify(p.expr / ds[0])
        if ratio.has(ds[0]):
            return parts
        out.append(replace(p, expr=ratio))
    if var is None:
        return parts
    out[0] = replace(parts[0], expr=Leibniz(symbol(first.var), symbol(var), False))
    return out


def _tolerance(part: Part) -> float:
    if part.decimals:  # rounded: the last place, or the rounding carried from earlier lines
        return max(10.0 ** -part.decimals, 0.002)
    if part.separator == "~=":
        return 0.05
    return 1e-8


def _mentions(e, s: sp.Symbol) -> bool:
    return e is not None and not isinstance(e, sp.MatrixBase) and s in e.free_symbols


def _has_relation(source: str) -> bool:
    return bool(re.search(r"=|\\approx|\\leftarrow|\\gets|:=|≈", source))


_RANK = {"wrong": 0, "unreadable": 1, "correct-except-at-kink": 2, "different-subgradient": 3,
         "correct": 4, "given": 5, "definition": 6, "skipped": 7}  # fmt: skip


def _combine(results: list) -> tuple[str, Diagnosis | None]:
    """One verdict for several: the worst judged one (skips only when nothing was judged)."""
    results = [r for r in results if r is not None]
    if not results:
        return ("skipped", None)
    judged = [r for r in results if r[0] not in ("skipped", "definition", "given")]
    pool = judged or results
    return min(pool, key=lambda r: _RANK.get(r[0], 9))


def _sentence(c: Candidate) -> str:
    return c.explanation[:1].upper() + c.explanation[1:]


def _constant_ratio(ev: list[float], tv: list[float]) -> str | None:
    """The constant c with line = c * truth (c not 0 or +-1), as a fraction; None if none."""
    ratios = [a / b for a, b in zip(ev, tv) if not math.isnan(a) and not math.isnan(b)
              and abs(b) > 1e-9]
    if len(ratios) < 4 or any(abs(r - ratios[0]) > 1e-8 * max(1, abs(ratios[0])) for r in ratios):
        return None
    c = sp.nsimplify(ratios[0], tolerance=1e-9, rational=True)
    if abs(float(c) - ratios[0]) > 1e-8 * max(1, abs(ratios[0])) or c in (0, 1, -1):
        return None
    return str(c)
