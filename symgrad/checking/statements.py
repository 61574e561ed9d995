"""What a row states: a chain of claims, a definition of a new name or function, a
gradient-descent update, an input's given value or a condition; definitions recorded in the
scope as they come. A mixin of :class:`symgrad.checking.judge.Checker`."""

from __future__ import annotations

import re

import sympy as sp

from symgrad.checking.claims import _cue_words
from symgrad.checking.document import Row
from symgrad.checking.handbase import DifferentialSymbol, Part, Reading
from symgrad.checking.report import Diagnosis
from symgrad.checking.scope import RATE_NAMES, DocFunction
from symgrad.checking.tolerance import value_tolerance
from symgrad.checking.truth import (
    Target,
    plain,
)
from symgrad.checking.verdicts import _is_number, _mentions
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol
from symgrad.records import record, replace
from symgrad.rendering.printing import latex


@record(frozen=False)
class Statement:
    """What a row (or one instance of it) states."""

    kind: str  # claim, definition, function, update, given, condition, skip
    lhs: Part | None
    rhs: list[Part]
    reading: Reading
    note: str = ""


class Statements:
    """A mixin of :class:`symgrad.checking.judge.Checker`."""

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
                if row.block >= 0:  # the rest of this block is about another setting
                    self.other_setting.setdefault(row.block, (row.start, row.line, name))
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
        if getattr(self, "stationary", False) and not e.has(Leibniz, sp.Derivative) and \
                not e.is_number and all(p.expr is not None and not p.expr.has(
                    Leibniz, sp.Derivative) for p in rest):
            return Statement("skip", first, rest, reading, "an equation for where the derivative "
                             "is zero, rearranged: not checked")
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

    def given(self, st: Statement):
        """``x = 2``: an input's value; it must match the problem's point, or it adds to it."""
        name, value = st.note, st.rhs[0].expr
        s = symbol(name)
        have = self.values.get(s)
        if have is None:
            self.values[s] = value
            return ("given", None)
        if abs(float(have) - float(value)) <= value_tolerance(st.rhs[0], abs(float(have))):
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


def _differentials(parts: list[Part]) -> list[Part]:
    """``df = f'(x)\\,dx`` read as ``df/dx = f'(x)``: every side divided by the same dx."""
    first = parts[0].expr
    if not isinstance(first, DifferentialSymbol) or len(parts) < 2:
        return parts
    out = [replace(parts[0], expr=None)]
    var = None
    for p in parts[1:]:
        if p.expr is None or isinstance(p.expr, sp.MatrixBase):
            return parts
        ds = [s for s in p.expr.free_symbols if isinstance(s, DifferentialSymbol)]
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
