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

import re

import sympy as sp

from symgrad.checking.cases import Cases
from symgrad.checking.claims import (
    _ARROW,
    _DEFINED_NAME,
    _EMPTY_OPERAND,
    _IN_WORDS,
    _PROBABILITY,
    _PROSE_VALUE,
    _RATE_IN_WORDS,
    Cues,
    _cue_words,
    case_side,
    gradient_as_partials,
    lone_derivative,
)
from symgrad.checking.document import Row, looks_like_prose, read_document
from symgrad.checking.handbase import MAIN, GenericRule, Part, Question, Reading, Skip
from symgrad.checking.handlex import _FUNCTIONS
from symgrad.checking.handparse import read_row
from symgrad.checking.numbering import (
    names_vector,
    other_numbering,
    past_the_end,
    shifted,
    stated_shift,
    why_skipped,
)
from symgrad.checking.report import Diagnosis, LineResult
from symgrad.checking.resolving import Resolving
from symgrad.checking.scope import Scope, scope_for
from symgrad.checking.standins import stand_ins
from symgrad.checking.statements import Statement, Statements
from symgrad.checking.truth import (
    Truth,
    leibniz_parts,
)
from symgrad.checking.verdicts import Targets, Verdicts, _combine
from symgrad.errors import ParseError
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol


class Checker(Statements, Cues, Cases, Resolving, Verdicts):
    """Walks the rows in order, keeping each chain's target and its last verdict."""

    def __init__(self, doc: str, truth: Truth, scope: Scope | None = None,
                 from_document: bool = False):
        self.doc, self.t = doc, truth
        self.from_document = from_document  # its sums are sums of identical examples
        self.scope = scope or scope_for(truth.problem, getattr(truth, "examples", None))
        from symgrad.checking.setting import TERMS

        self.scope.defined.update(TERMS.get((truth.problem, truth.examples), {}))
        self.targets: Targets = Targets()  # binding -> the current chain's Target
        self.prev_ok: dict = {}  # binding -> the previous right side's verdict
        self.values: dict = dict(truth.point)  # the point, with values the document gives
        self.lr = truth.problem.lr
        self.used: list[str] = []  # definitions the document made, for the report
        self.def_rows: set = set()  # (row start, name) of the rows that define a name
        self.definition_rows: set = set()  # starts of the rows read as definitions
        self.other_setting: dict = {}  # block -> (start, line, name): a row gave name another meaning
        self.foreign_notations: dict = {}  # \theta x^{(i)} -> the line that gave it its own meaning
        self.renumbered: dict = {}  # block -> (vector, name written): numbered from the other end
        self.stated_shifts: dict = {}  # block -> (vector, -1) when the text says it counts from 1
        self.row_start = -1
        self.key = ()
        self.row_cue = ""
        self.row_side = None
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
        original = self.doc
        self.doc, self.stand_in_rows = stand_ins(self.doc, rows, self.scope)
        self.prepass(rows)
        out: list[LineResult] = []
        for k, row in enumerate(rows):
            source = " ".join(original[row.start : row.end].split())
            self.case_ends(row)
            if row.kind in ("prose", "code"):
                out.append(LineResult(row.line, source, None, "skipped"))
                continue
            if row.kind == "cut":
                why = "the copied text ends inside this formula: not checked"
                out.append(LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why)))
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
        from symgrad.checking.termwise import termwise

        for name, value in termwise(self.doc, rows, self.scope).items():
            self.scope.defined.setdefault(name, value)  # L = -\sum y_j log p_j = -\sum \ell_j
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
        other = self.other_setting.get(row.block)
        if other is not None and row.start > other[0]:
            why = (f"line {other[1]} gave {other[2]} another meaning in this block (another example "
                   f"than the problem's): not checked")
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
        used = self.foreign_notation_in(source)
        if used is not None:
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", used))
        doc = self.doc
        if row.block not in self.stated_shifts:
            self.stated_shifts[row.block] = stated_shift(self.doc, rows, row.block, self.scope)
        stated = self.stated_shifts[row.block]  # "fixed the indexing to start at 1 here"
        if stated is not None and names_vector(source, stated[0]):
            doc = shifted(self.doc, row.start, row.end, *stated)
        shifted_names = self.renumbered.get(row.block)
        if shifted_names is not None and names_vector(source, shifted_names[0]):
            why = why_skipped(*shifted_names, self.scope)
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
        cond = self.index_condition(row, source)
        if cond is not None:
            return LineResult(row.line, source, None, "skipped")
        if row.inline and _ARROW.match(source):  # "if $a > 0$ $\rightarrow$ $formula$"
            self.arrow = (row.line, row.end)
            return LineResult(row.line, source, None, "skipped")
        if row.start in self.stand_in_rows:
            why = (f"defines {self.stand_in_rows[row.start]} by terms the problem does not name "
                   f"(the same text below stands for it): not checked")
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
        if self.questioned(row, rows, k):
            why = "a formula the sentence before questions (\"I don't follow how\"): not checked"
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
        try:
            readings = read_row(doc, row.start, row.end, self.scope)
            if self.case is not None:
                readings = [r for r in readings if self.case_holds(r)]
                if not readings:
                    return LineResult(row.line, source, None, "skipped")
        except GenericRule as g:
            self.targets, self.prev_ok = Targets(), {}
            lhs = re.match(r"\s*([A-Za-z])\s*&?\s*=", source)
            s = self.scope
            if lhs and row.block >= 0 and lhs.group(1) in s.inputs and lhs.group(1) not in s.quantities:
                # y = f(t): y, an input of the problem, is something else in this block
                self.other_setting.setdefault(row.block, (row.start, row.line, lhs.group(1)))
            why = f"a general rule about {g.name}, a function not defined here: not checked"
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
        except Question:
            return LineResult(row.line, source, None, "skipped")
        except Skip as sk:
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", sk.reason))
        except ParseError as e:
            self.targets, self.prev_ok = Targets(), {}  # what follows cannot continue this chain
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
                               for n in self.scope.names) and \
                    not past_the_end(unknown.group(1), unknown.group(2), self.scope):
                # w_ij when the problem has w_jk: a part of the model the problem leaves out
                why = (f"{unknown.group(1)}_{unknown.group(2)} is a part of the model the problem "
                       f"does not include: not checked")
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            lhs = self.input_redefined(source)
            if lhs is not None:
                why = f"defines {lhs}, an input of the problem, from names it does not have: not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            lhs = _DEFINED_NAME.match(source)
            if lhs and ("unknown name" in str(e) and not self.names_in(lhs.group(1)) or
                        self.unknown_in(source[lhs.end() :])):
                # L_i = \sigma(\sum w_{hi} L_h): a name the problem does not have, defined from
                # others it does not have either
                why = f"defines {lhs.group(1).strip()} from names not in the problem: not checked"
                self.note_foreign_notation(lhs.group(1), row.line)
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if "found '='" in str(e) and _EMPTY_OPERAND.search(source):
                why = ("a '=' right after an operator ('+ =', '= =', '\\sum_j ='): what the row "
                       "states is unclear, not checked")
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if _IN_WORDS.match(source):
                why = "a name described in words: not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if _PROBABILITY.search(source):
                why = "a probability p(a | b): not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if row.inline and not _has_relation(source) and not self.cued(row, rows, k):
                return LineResult(row.line, source, None, "skipped")
            if gradient_as_partials(source):
                why = "the gradient named as the list of its partial derivatives: not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if lone_derivative(source) and not self.continued(row, rows, k):
                why = "a derivative named, with nothing said about it: not checked"
                return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
            if (other := other_numbering(source, self.scope)) is not None:  # scores_3
                if row.block >= 0:
                    self.renumbered[row.block] = other
                why = f"line {row.line}: {why_skipped(*other, self.scope)}"
                return LineResult(row.line, source, False, "unreadable",
                                  Diagnosis("unreadable", why))
            why = e.one_line() if e.where else f"line {row.line}: {e.one_line()}"
            return LineResult(row.line, source, False, "unreadable", Diagnosis("unreadable", why))
        except (OverflowError, RecursionError):
            why = f"line {row.line}: a number in this line is too large to compare"
            return LineResult(row.line, source, False, "unreadable", Diagnosis("unreadable", why))
        results = []
        self.targets.touched = set()
        for reading in readings:
            try:
                results.append(self.reading(reading, row, rows, k))
            except GenericRule as g:
                why = f"a general rule about {g.name}, a function not defined here: not checked"
                results.append(("skipped", Diagnosis("skipped", why)))
            except ParseError as e:
                why = e.one_line() if e.where else f"line {row.line}: {e.one_line()}"
                results.append(("unreadable", Diagnosis("unreadable", why)))
        self.drop_stale_targets()
        verdict, diag = _combine(results)
        if verdict in ("definition", "given"):
            self.definition_rows.add(row.start)
        ok = None if verdict in ("skipped", "definition", "given") else verdict == "correct"
        if verdict == "unreadable":
            ok = False
        if verdict in ("definition", "given"):
            verdict, ok = "skipped", None
        return LineResult(row.line, source, ok, verdict, diag)

    # --- one reading --------------------------------------------------------------------
    def reading(self, reading: Reading, row: Row, rows: list[Row], k: int):
        self.row_cue = _cue_words(row.cue) if row.inline else ""
        self.row_side = case_side(row.cue or "")
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
            first = st.rhs[0].expr if st.rhs else None  # scores = h1 W2 + b2 = [...]: a vector
            target = self.target_for(first, st.reading) if isinstance(first, sp.MatrixBase) \
                else self.name_target(st.note)
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
            target = self.cued_target(row, rows, k, binding=st.reading.binding)
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
            # the chains this row continues; under "If $i = j$" only those of that case
            chains = [b for b in self.targets if set(b) >= set(key) and
                      (self.case is None or self.case_holds(dict(b)))]
            if not chains:
                return ("skipped", None)
            results = []
            for b, target in list(self.targets.items()):
                if b in chains:
                    results.append(self.judge_parts(st.rhs, st.reading, b))
            return _combine(results)
        return self.judge_parts(st.rhs, st.reading, key)


def _has_relation(source: str) -> bool:
    return bool(re.search(r"=|\\approx|\\leftarrow|\\gets|:=|≈", source))


