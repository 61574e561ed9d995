"""Judging rows: each right-hand side against the truth, and the diagnosis of a wrong one."""

from __future__ import annotations

import math

import sympy as sp

from symgrad.checking.handlex import Row, looks_like_prose, split_document
from symgrad.checking.handparse import Part, parse_row
from symgrad.checking.report import Diagnosis, LineResult
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
from symgrad.reader.expression import symbol
from symgrad.rendering.printing import latex


class Checker:
    """Walks the rows in order, keeping the current chain's target and its last verdict."""

    def __init__(self, doc: str, truth: Truth):
        self.doc, self.t = doc, truth
        self.target: Target | None = None
        self.prev_ok: bool | None = None  # the previous right-hand side in this chain

    def run(self) -> list[LineResult]:
        out = []
        for row in split_document(self.doc):
            source = " ".join(self.doc[row.start : row.end].split())
            if row.kind == "prose":
                out.append(LineResult(row.line, source, None, "skipped"))
                continue
            try:
                out.append(self.row(row, source))
            except ParseError as e:
                if row.kind == "line" and looks_like_prose(source, self.t.vocab):
                    out.append(LineResult(row.line, source, None, "skipped"))
                    continue
                why = e.one_line() if e.where else f"line {row.line}: {e.one_line()}"
                out.append(LineResult(row.line, source, False, "unreadable",
                                      Diagnosis("unreadable", why)))  # fmt: skip
            except (OverflowError, RecursionError):
                why = f"line {row.line}: a number in this line is too large to compare"
                out.append(LineResult(row.line, source, False, "unreadable",
                                      Diagnosis("unreadable", why)))  # fmt: skip
        return out

    def row(self, row: Row, source: str) -> LineResult:
        parts = parse_row(self.doc, row.start, row.end, self.t.vocab)
        first = parts[0]
        rhs = parts[1:]
        if rhs and rhs[0].separator == "<-" and self.t.problem.lr is None:
            why = "an update line: give the learning rate (--lr) to check it"
            return LineResult(row.line, source, None, "skipped", Diagnosis("skipped", why))
        if first.expr is not None:
            target = self.lhs_target(first, parts)
            if target is not None:
                self.target, self.prev_ok = target, None
            elif self.target is not None:
                rhs = parts
            elif len(parts) == 1:
                return LineResult(row.line, source, None, "skipped")
            else:  # an identity such as sigma'(z) = sigma(z)(1 - sigma(z)): both sides agree?
                expr = self.resolve(first.expr)
                shown = self.resolve(first.expr, shown=True)
                label = self.doc[first.pos : parts[1].pos].strip().rstrip("=&").strip()
                label = " ".join(label.removesuffix("\\approx").split()) or plain(shown)
                self.target = Target(label, expr, shown, self.t.at_point(expr), derivative=False)
                self.prev_ok = None
        if self.target is None or not rhs:
            return LineResult(row.line, source, None, "skipped")
        result = None
        for part in rhs:
            verdict, diag = self.judge(part)
            ok = verdict == "correct"
            if ok and self.prev_ok is False:
                why = "This is right, but it does not follow from the wrong line before it"
                diag = self.diagnosis("does-not-follow", why)
            self.prev_ok = ok
            if result is None or (not ok and result[0] == "correct"):
                result = (verdict, diag)
        verdict, diag = result
        return LineResult(row.line, source, verdict == "correct", verdict, diag)

    def lhs_target(self, first: Part, parts: list[Part]) -> Target | None:
        e = first.expr
        update = len(parts) > 1 and parts[1].separator == "<-"
        if isinstance(e, Leibniz):
            return self.t.target(e.top.name, e.bottom.name)
        if isinstance(e, sp.Derivative):
            expr = self.resolve(e)
            return Target("the derivative", expr, expr, self.t.at_point(expr))
        if e.is_Symbol and e.name in self.t.vocab:
            if update:
                return self.update_target(e.name)
            return self.t.target(e.name, None)
        return None

    def update_target(self, param: str) -> Target | None:
        """``param <- param - eta * dL/dparam``: the updated value (a function of the inputs)."""
        p, t = self.t.problem, self.t
        g = next((g for g in t.d.gradients if g.param == param), None)
        updated = t.d.updated.get(param)
        if g is None or updated is None or g.expr is None:
            raise ParseError(f"no update of {param} to check: {param} is not a --wrt parameter")
        s = symbol(param)
        expr = s - p.lr * t.target(p.loss, param).expr
        shown = sp.Add(s, sp.Mul(-p.lr, g.expr, evaluate=False), evaluate=False)
        why = f"an update subtracts the gradient: {param} - eta*d{p.loss}/d{param}"
        return Target(f"updated {param}", expr, shown, updated, derivative=False, sign_hint=why)

    # --- judging ------------------------------------------------------------------------
    def resolve(self, e: sp.Expr, shown: bool = False) -> sp.Expr:
        """Leibniz factors replaced by their truths and named quantities expanded.

        With ``shown``, Leibniz factors become the truths in author form and names stay.
        """
        t = self.t
        swap = {}
        for leib in leibniz_parts(e):
            tg = t.target(leib.top.name, leib.bottom.name)
            swap[leib] = tg.shown if shown else tg.expr
        e = e.xreplace(swap)
        if e.has(sp.Derivative):
            e = e.replace(lambda x: isinstance(x, sp.Derivative),
                          lambda x: t.derivative(x.expr, x.variables[0]))  # fmt: skip
        return e if shown else t.expand(e)

    def diagnosis(self, kind: str, why: str, expected: sp.Expr | None = None) -> Diagnosis:
        """A diagnosis carrying the expected result (the author-form truth, or a value)."""
        tg = self.target
        shown = tg.shown if expected is None else expected
        if shown.is_number and not shown.is_Rational:
            shown = sp.Float(sp.N(shown, 6), 6)
        why = why[:1].upper() + why[1:]
        return Diagnosis(kind, why, latex(shown), f"{tg.label} = {plain(shown)}")

    def judge(self, part: Part) -> tuple[str, Diagnosis | None]:
        tg, t = self.target, self.t
        e = self.resolve(part.expr)
        # numbers put in for some inputs: judged by its value at the point
        substituted = not e.free_symbols or (
            part.numbers and not tg.expr.free_symbols <= e.free_symbols and tg.value is not None
        )
        if substituted:
            return self.judge_number(part, e)
        if tg.vals is None:
            tg.vals = t.values(tg.expr)
        for arg in kink_arguments(e):
            before = t.n
            t.cover(arg)
            if t.n != before:
                tg.vals = t.values(tg.expr)
        try:
            ev = t.values(e)
        except (TypeError, ValueError) as err:
            return "wrong", self.diagnosis("not-equal", f"cannot evaluate this line: {err}")
        if close(ev, tg.vals):
            return self.at_kink(e)
        return "wrong", self.symbolic_mistake(ev)

    def at_kink(self, e: sp.Expr) -> tuple[str, Diagnosis | None]:
        """A line equal to the truth away from kinks: is it right at the point too?"""
        tg, t = self.target, self.t
        if not t.on_kink:
            return "correct", None
        v = t.at_point(e)
        if v is not None and self.equal_value(v, tg, None):
            return "correct", None
        kink = "; ".join(f"{k.function} at {plain(k.expr)}" for k in t.d.kinks)
        pick = plain(tg.value) if tg.value is not None else "an interval"
        if v is None:
            why = (
                f"right away from the kink, but undefined at the point, which is on a kink ({kink})"
            )
            return "correct-except-at-kink", self.diagnosis("undefined-at-kink", why)
        lo, hi = tg.interval or (None, None)
        if lo is None or lo <= v <= hi:
            rng = f" (the subdifferential is [{plain(lo)}, {plain(hi)}])" if lo is not None else ""
            why = (f"at the kink ({kink}) this picks {plain(v)}; the {t.problem.convention.value} "
                   f"convention picks {pick}{rng}")  # fmt: skip
            return "different-subgradient", self.diagnosis("wrong-subgradient", why)
        why = (f"right away from the kink, but at the point ({kink}) it gives {plain(v)}, outside "
               f"the subdifferential [{plain(lo)}, {plain(hi)}]")  # fmt: skip
        return "correct-except-at-kink", self.diagnosis("wrong-subgradient", why)

    def equal_value(self, v: sp.Expr, tg: Target | None, part: Part | None, want=None) -> bool:
        if tg is not None:
            want = tg.value
            if want is None:
                lo, hi = tg.interval
                return bool(lo <= v <= hi)
        if v.is_Rational and want.is_Rational and (part is None or not part.decimals):
            return v == want
        tol = 1e-12
        if part is not None and (part.decimals or part.separator == "~="):
            tol = 10.0**-part.decimals if part.decimals else 0.5
        try:
            return abs(float(v) - float(want)) <= tol * max(1.0, abs(float(want)))
        except (TypeError, ValueError):
            return False

    def judge_number(self, part: Part, e: sp.Expr) -> tuple[str, Diagnosis | None]:
        tg, t = self.target, self.t
        v = t.at_point(e)
        if v is None:
            return "wrong", self.diagnosis("not-equal", "This is undefined at the point")
        if self.equal_value(v, tg, part):
            return "correct", None
        if t.on_kink and tg.interval is not None and tg.interval[0] <= v <= tg.interval[1]:
            lo, hi = tg.interval
            why = (f"{plain(v)} is in the subdifferential [{plain(lo)}, {plain(hi)}], but the "
                   f"{t.problem.convention.value} convention picks {plain(tg.value)}")  # fmt: skip
            return "different-subgradient", self.diagnosis("wrong-subgradient", why, tg.value)
        expected = tg.value
        if tg.value is not None and tg.value != 0 and self.equal_value(-v, tg, part):
            return "wrong", self.diagnosis("sign-error", self.sign_text(-v), expected)
        for c in tg.candidates:
            if c.at_point is None:
                c.at_point = t.at_point(c.expr)
            if c.at_point is not None and self.equal_value(v, None, part, c.at_point):
                return "wrong", self.diagnosis(c.kind, _sentence(c), expected)
        if self.prev_ok:
            why = f"This number does not follow from the previous line (expected {plain(expected)})"
            return "wrong", self.diagnosis("does-not-follow", why, expected)
        return "wrong", self.diagnosis(
            "not-equal", f"This is not {tg.label} at the point", expected
        )

    def sign_text(self, negated) -> str:
        """Name the dropped minus when a mistake inside the chain gives exactly ``negated``."""
        t = self.t
        for c in self.target.candidates:
            if c.kind != "sign-error":
                continue
            if isinstance(negated, list):
                c.vals = t.values(c.expr) if c.vals is None else c.vals
                if close(negated, c.vals):
                    return _sentence(c)
            else:
                c.at_point = t.at_point(c.expr) if c.at_point is None else c.at_point
                if c.at_point is not None and c.at_point == negated:
                    return _sentence(c)
        hint = self.target.sign_hint or "the sign is flipped: this is minus the right result"
        return hint[:1].upper() + hint[1:]

    def symbolic_mistake(self, ev: list[float]) -> Diagnosis:
        tg, t = self.target, self.t
        tv = tg.vals
        if any(abs(x) > 1e-9 for x in tv if not math.isnan(x)) and close(ev, [-x for x in tv]):
            return self.diagnosis("sign-error", self.sign_text([-x for x in tv]))
        for c in tg.candidates:
            if c.vals is None:
                c.vals = t.values(c.expr)
            if close(ev, c.vals):
                return self.diagnosis(c.kind, _sentence(c))
        for name, f in tg.factors:
            fv = t.values(f)
            if close(ev, [a * b for a, b in zip(tv, fv)]):
                return self.diagnosis("extra-factor", f"This line has an extra factor {name}")
            if close(ev, [a / b if b else math.nan for a, b in zip(tv, fv)]):
                why = f"The chain factor {name} is missing"
                return self.diagnosis("missing-chain-factor", why)
        ratio = _constant_ratio(ev, tv)
        if ratio is not None:
            why = f"This line is {ratio} times the right result"
            return self.diagnosis("wrong-constant", why)
        if self.prev_ok:
            return self.diagnosis("does-not-follow", "This does not follow from the previous line")
        return self.diagnosis("not-equal", f"This is not equal to {tg.label}")


def _sentence(c: Candidate) -> str:
    return c.explanation[:1].upper() + c.explanation[1:]


def _constant_ratio(ev: list[float], tv: list[float]) -> str | None:
    """The constant c with line = c * truth (c not 0 or +-1), as a fraction; None if none."""
    ratios = [a / b for a, b in zip(ev, tv) if not math.isnan(a) and abs(b) > 1e-9]
    if len(ratios) < 4 or any(abs(r - ratios[0]) > 1e-8 * max(1, abs(ratios[0])) for r in ratios):
        return None
    c = sp.nsimplify(ratios[0], tolerance=1e-9, rational=True)
    if abs(float(c) - ratios[0]) > 1e-8 * max(1, abs(ratios[0])) or c in (0, 1, -1):
        return None
    return str(c)
