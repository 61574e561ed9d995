"""Verdicts: whether a stated value equals the true one (symbolically on sampled points,
or as a number to the digits shown), at a kink, as a vector, and the diagnosis of a wrong one
(a sign flipped, a constant factor off, a term missing). A mixin of
:class:`symgrad.checking.judge.Checker`."""

from __future__ import annotations

import math
import re

import sympy as sp

from symgrad.checking.handbase import Part, Reading
from symgrad.checking.report import Diagnosis
from symgrad.checking.tolerance import _tolerance, value_tolerance
from symgrad.checking.truth import (
    Candidate,
    Target,
    close,
    kink_arguments,
    plain,
)
from symgrad.expr.placeholders import Leibniz
from symgrad.records import replace
from symgrad.rendering.printing import latex


class Verdicts:
    """A mixin of :class:`symgrad.checking.judge.Checker`."""

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
                self.stationary = True
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
        try:
            if tg.vals is None:
                tg.vals = t.values(tg.expr)
            for arg in kink_arguments(e):
                before = t.n
                t.cover(arg)
                if t.n != before:
                    tg.vals = t.values(tg.expr)
        except (TypeError, ValueError) as err:
            return "unreadable", Diagnosis("unreadable", f"cannot evaluate the true value here: {err}")
        try:
            mask = self.mask(reading)
        except (TypeError, ValueError):  # SymPy refuses the condition as written (check seeds
            why = "cannot evaluate the condition of this line"  # 9,005,195 and 9,017,704)
            return "unreadable", Diagnosis("unreadable", why)
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
        fault = self.cases_fault(e, tv)
        if fault is not None:
            return "wrong", self.diagnosis(tg, "not-equal", f"The cases do not fit: {fault}")
        if close(ev, tv, tolerance=_tolerance(part)):
            return self.at_kink(e, tg)
        if self.holds_on_the_side(ev, tg, tv):
            return "correct", None  # "When it is greater than 0:" then that piece's derivative
        if self.values and part.numbers:  # numbers put in for some inputs: judged there
            pe, pt = e.xreplace(self.values), tg.expr.xreplace(self.values)
            if pe.free_symbols and pe.free_symbols <= pt.free_symbols | pe.free_symbols:
                try:
                    if close(t.values(pe), t.values(pt), tolerance=_tolerance(part)):
                        return "correct", None
                except (TypeError, ValueError):
                    pass
        if self.holds_for_the_data(e, tg, part):
            return "correct", None
        return "wrong", self.symbolic_mistake(ev, tg, tv)

    def holds_for_the_data(self, e: sp.Expr, tg: Target, part: Part) -> bool:
        """A worked example's data put in: inputs the truth has and the line does not (the
        one-hot ``trueprob`` of ``-scores_2 + \\log\\sum e^{scores_j}`` for y = 2), none of
        them a parameter and all with a value at the point, at that value; the rest sampled."""
        put = tg.expr.free_symbols - e.free_symbols
        if not e.free_symbols or not put or any(s.name in self.t.problem.wrt for s in put):
            return False
        if any(s not in self.values for s in put):
            return False
        pt = tg.expr.xreplace({s: self.values[s] for s in put})
        try:
            return close(self.t.values(e), self.t.values(pt), tolerance=_tolerance(part))
        except (TypeError, ValueError):
            return False

    def cases_fault(self, e: sp.Expr, tv: list[float]) -> str | None:
        """What is wrong with the cases of a piecewise line, if anything: a region that none
        of them covers where the truth is defined (``z`` if ``z > 1``, ``0`` if ``z \\le 0``),
        or two that hold together with different values (``1`` if ``x > 0``, ``-1`` if
        ``x < 1``). Points on a condition's boundary do not count: ``1`` if ``x > 0``, ``-1``
        if ``x < 0`` leaves out only the kink, where the derivative is undefined."""
        for pw in e.atoms(sp.Piecewise):
            conds = [c for _, c in pw.args]
            try:
                holds = [self.t.values(sp.Piecewise((1, c), (0, True))) for c in conds]
                arms = [self.t.values(a) for a, _ in pw.args]
                edges = [self.t.values(r.lhs - r.rhs) for c in conds
                         for r in c.atoms(sp.core.relational.Relational)]
            except (TypeError, ValueError):
                continue
            for k, truth in enumerate(tv):
                if math.isnan(truth) or any(math.isnan(d[k]) or abs(d[k]) <= 1e-9 for d in edges):
                    continue
                on = [i for i, h in enumerate(holds) if h[k] == 1.0]
                if not on and conds[-1] is not sp.true:
                    return "none of their conditions holds at some values where the truth is defined"
                values = [arms[i][k] for i in on
                          if conds[i] is not sp.true and not math.isnan(arms[i][k])]
                if any(abs(a - values[0]) > 1e-8 * max(1.0, abs(values[0])) for a in values[1:]):
                    return "two of them hold together at some values and give different results"
        return None

    def holds_on_the_side(self, ev: list[float], tg: Target, tv: list[float]) -> bool:
        """The line holds on the side of one of the truth's kinks that the sentence before it
        names (``When it is greater than 0:``, 072), on at least 4 sampled points there."""
        side = getattr(self, "row_side", None)
        if side is None:
            return False
        for arg in kink_arguments(tg.expr):
            try:
                av = self.t.values(arg)
            except (TypeError, ValueError):
                continue
            keep = [v > 0 if side == ">" else v < 0 for v in av]
            if sum(keep) >= 4 and close([x if k else math.nan for x, k in zip(ev, keep)],
                                        [y if k else math.nan for y, k in zip(tv, keep)]):
                return True
        return False

    def judge_vector(self, part: Part, tg: Target, reading: Reading):
        e = part.expr
        if not isinstance(e, sp.MatrixBase) and isinstance(tg.shown, sp.MatrixBase) and \
                len(reading.binding) == 1:  # \nabla_{\hat Y} L = (cases for the i-th): a component
            (v,) = reading.binding.values()
            for k, comp in enumerate(tg.shown):
                if isinstance(comp, sp.Derivative) and comp.expr.is_Symbol and \
                        len(comp.variables) == 1 and comp.variables[0].is_Symbol:
                    comp = Leibniz(comp.expr, comp.variables[0], True)  # d E / d A0 in a vector
                if isinstance(comp, Leibniz) and re.search(rf"(?<!\d)_?{v}$", comp.bottom.name):
                    sub = self.leibniz_target(comp)
                    return self.judge(part, sub, reading)
        if reading.elided or _square(e) or _square(tg.expr):
            return self.judge_matrix(part, tg, reading)
        if not isinstance(e, sp.MatrixBase) or not isinstance(tg.expr, sp.MatrixBase):
            if "·" in reading.binding:  # names read one entry at a time: the reader's doubt
                why = "a vector against one entry of a vector: not checked"
                return "unreadable", Diagnosis("unreadable", why)
            return "wrong", Diagnosis("not-equal", "A vector and a number cannot be equal")
        if 1 in e.shape and 1 in tg.expr.shape and len(e) == len(tg.expr):
            e = sp.ImmutableMatrix(list(e))  # a row or a column: the same entries
            tg = replace(tg, expr=sp.ImmutableMatrix(list(tg.expr)))
            part = replace(part, expr=e)
        if e.shape != tg.expr.shape:
            return "wrong", Diagnosis("not-equal", f"The vectors have different sizes "
                                                   f"({len(e)} and {len(tg.expr)})")
        return self.entries(part, tg, reading)

    def entries(self, part: Part, tg: Target, reading: Reading):
        """Vectors or matrices of the same shape, entry by entry."""
        e = part.expr
        results = []
        for a, b in zip(e, tg.expr):
            sub = Target(tg.label, b if not isinstance(b, Leibniz) else self.resolve(b), b,
                         self.at_point(b) if not isinstance(b, sp.MatrixBase) else None,
                         derivative=tg.derivative)
            results.append(self.judge(replace(part, expr=a), sub, reading))
        return _combine(results)

    def judge_matrix(self, part: Part, tg: Target, reading: Reading):
        """A matrix (a Jacobian) against the truth in either layout (rows for the numerator's
        entries, or for the denominator's): right when one layout is right, wrong when both are
        wrong. With entries left out (dots), its first entries against the truth's first ones,
        and skipped unless wrong (the dots are not checked), as '...' in a sum is."""
        e, t = part.expr, tg.expr
        verdicts = []
        both = isinstance(e, sp.MatrixBase) and isinstance(t, sp.MatrixBase)
        rows, cols = e.shape if both else (0, 0)
        shown = tg.shown if isinstance(tg.shown, sp.MatrixBase) and both and \
            tg.shown.shape == t.shape else t
        for truth, seen in ((t, shown), (t.T, shown.T)) if both else ():
            fits = truth.rows >= rows and truth.cols >= cols if reading.elided else \
                truth.shape == e.shape
            if not fits:
                continue
            sub = Target(tg.label, sp.ImmutableMatrix(truth[:rows, :cols]),
                         sp.ImmutableMatrix(seen[:rows, :cols]), None, derivative=tg.derivative)
            verdicts.append(self.entries(part, sub, reading))
        if verdicts and all(v[0] == "wrong" for v in verdicts):
            return verdicts[0]
        if reading.elided:
            why = "'...' stands for entries not written: the ones written before it are " \
                  "right; not checked"
            return "skipped", Diagnosis("skipped", why)
        if not both:  # the left side read as one entry (or a number): the reader's doubt
            why = "a matrix where the other side is read as one number: not checked"
            return "unreadable", Diagnosis("unreadable", why)
        if not verdicts:  # sizes that do not fit: the reader's arrangement may be at fault
            why = f"a {e.rows}x{e.cols} matrix against a {t.rows}x{t.cols} one: not checked"
            return "unreadable", Diagnosis("unreadable", why)
        return next((v for v in verdicts if v[0] == "correct"), None) or _combine(verdicts)

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
        try:
            return abs(float(v) - float(want)) <= value_tolerance(part, abs(float(want)))
        except (TypeError, ValueError):
            return False

    def judge_number(self, part: Part, e: sp.Expr, tg: Target) -> tuple[str, Diagnosis | None]:
        t = self.t
        if not tg.derivative and re.search(r"\b(at|if|when|whenever|unless)\s*$", self.row_cue):
            why = "a condition (at z = 0, if u = 1), not a value claimed: not checked"
            return "skipped", Diagnosis("skipped", why)
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


def _is_number(e) -> bool:
    return not isinstance(e, sp.MatrixBase) and e.is_number


def _mentions(e, s: sp.Symbol) -> bool:
    return e is not None and not isinstance(e, sp.MatrixBase) and s in e.free_symbols


_RANK = {"wrong": 0, "unreadable": 1, "correct-except-at-kink": 2, "different-subgradient": 3,
         "correct": 4, "given": 5, "definition": 6, "skipped": 7}  # fmt: skip


def _square(e) -> bool:
    """A matrix of more than one row and column (not a vector)."""
    return isinstance(e, sp.MatrixBase) and e.rows > 1 and e.cols > 1


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


class Targets(dict):
    """The current chains' targets by binding, remembering which bindings the row being judged
    set (:meth:`~symgrad.checking.judge.Checker.drop_stale_targets`)."""

    def __init__(self):
        super().__init__()
        self.touched: set = set()

    def __setitem__(self, key, value):
        self.touched.add(key)
        super().__setitem__(key, value)
