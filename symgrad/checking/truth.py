"""The truth a hand derivation is judged against: true derivatives, sample points, likely mistakes.

One :class:`Truth` per problem (cached): the engine's :class:`Derivation`, every named quantity
expanded into the inputs, seeded sample points that cover negative values and both sides of every
kink, and for each derivative a line may claim (a :class:`Target`) the expressions that common
mistakes produce, so a wrong line can be matched against them.
"""

from __future__ import annotations

import math
import random

import sympy as sp

from symgrad.derivation.chain import chain_paths, full_loss
from symgrad.derivation.rules import Rule, Step
from symgrad.expr.algebra import evaluated, replaced, tidy
from symgrad.expr.functions import maximum, minimum, relu
from symgrad.expr.placeholders import Leibniz
from symgrad.numbers.floats import fvals
from symgrad.reader.expression import symbol
from symgrad.reader.problem import Problem, depending_on
from symgrad.records import field, record
from symgrad.rendering.printing import plain as _plain

SAMPLES = 24  # random points per problem (plus points added to reach both sides of a kink)
_SEED = 20261126
#: Rules whose child is an inner function: dropping its derivative is a missing chain factor.
_CHAIN_RULES = frozenset({Rule.POWER, Rule.SQRT, Rule.EXP, Rule.LOG, Rule.SIGMOID, Rule.TANH,
                          Rule.ABS, Rule.RELU, Rule.MAX, Rule.MIN, Rule.EXPONENTIAL})  # fmt: skip


@record(frozen=False)
class Candidate:
    """A likely mistake: its diagnosis kind, the explanation, and the expression it produces."""

    kind: str
    explanation: str
    expr: sp.Expr
    vals: list[float] | None = None
    at_point: sp.Expr | None = None


@record(frozen=False)
class Target:
    """What a line claims to equal: a derivative (or a named quantity's value)."""

    label: str  # plain text, e.g. dL/dm
    expr: sp.Expr  # in the inputs
    shown: sp.Expr  # in the author's form, for "expected"
    value: sp.Expr | None  # at the point (the convention's pick on a kink); None: an interval
    interval: tuple[sp.Expr, sp.Expr] | None = None
    derivative: bool = True
    candidates: list[Candidate] = field(default_factory=list)
    factors: list[tuple[str, sp.Expr]] = field(default_factory=list)
    sign_hint: str = ""
    vals: list[float] | None = None


def plain(expr: sp.Basic) -> str:
    """Plain text as people type it: ``2*(y - yhat)^2``."""
    return _plain(expr).replace("**", "^")


def _sym(name: str) -> sp.Symbol:
    return symbol(name)


def close(a: list[float], b: list[float], tolerance: float = 1e-8) -> bool:
    """Equal wherever b is defined, on at least 4 points.

    ``a`` undefined where ``b`` is defined counts as unequal, except at a few scattered points
    (at most one in four), where floats can fail on a correct form, e.g. ``0/0`` when
    ``1 - sigmoid(z)`` rounds to 0.
    """
    used = undefined = 0
    for x, y in zip(a, b):
        if math.isnan(y):
            continue
        if math.isnan(x):
            undefined += 1
        elif abs(x - y) > tolerance * max(1.0, abs(y)):
            return False
        else:
            used += 1
    return used >= 4 and undefined * 3 <= used


def kink_arguments(expr: sp.Basic) -> list[sp.Expr]:
    """The arguments whose sign matters: inside |.|, sign, indicators, relu, max and min."""
    out = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, sp.sign, relu, sp.Heaviside)):
            out.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min, maximum, minimum)):
            out.extend(a - b for a, b in zip(node.args, node.args[1:]))
    return out


class Truth:
    """The true derivatives of one problem and the points they are compared at."""

    def __init__(self, problem: Problem, examples: int | None = None):
        from symgrad.derivation.chain import derive
        from symgrad.numbers.point import evaluate

        self.problem = problem
        self.examples = examples
        d = derive(problem)  # the symbolic truth; numbers only for lines that show numbers
        full = problem.has_point and set(dict(problem.values)) >= set(problem.inputs)
        self.d = d.with_layers(numbers=evaluate(d)) if full else d
        self.full_point = full
        self.full, self.expanded = full_loss(problem)
        self.inputs = [_sym(n) for n in problem.inputs]
        self.point = problem.point()
        self.vocab = frozenset(problem.inputs) | frozenset(problem.names)
        self.on_kink = bool(self.d.kinks)
        self.rng = random.Random(_SEED)
        self.env = {s: [] for s in self.inputs}
        self.dummies: set = set()
        self.n = 0
        self.add_points(self._random_points(SAMPLES))
        for arg in kink_arguments(self.full):
            self.cover(arg)
        self.targets: dict = {}

    # --- sample points ----------------------------------------------------------------
    def _random_points(self, k: int, spread: float = 4.0) -> list[dict]:
        pts = []
        for j in range(k):
            pt = {}
            for s in self.inputs:
                centre = float(self.point[s]) if j % 3 == 2 and s in self.point else 0.0
                pt[s] = round(centre + self.rng.uniform(-spread, spread), 6)
            pts.append(pt)
        return pts

    def add_points(self, pts: list[dict]) -> None:
        for pt in pts:
            for s in self.inputs:
                self.env[s].append(pt[s])
        self.n += len(pts)
        for s in [s for s in self.env if s not in self.inputs]:
            del self.env[s]  # counts and letters are drawn again for the new length
        self.dummies = set()
        for t in getattr(self, "targets", {}).values():
            t.vals = None
            for c in t.candidates:
                c.vals = None

    def env_for(self, expr: sp.Basic) -> dict:
        """The sample values, with counts (``n`` of a ``\\sum``) drawn from 1..6 and letters a
        row declares for itself (``x`` in ``\\sigma(x) = ...``) drawn like inputs."""
        extra = [s for s in expr.free_symbols if s not in self.env]
        for s in extra:
            if s.is_integer and s.is_positive:
                self.env[s] = [float(1 + (k % 6)) for k in range(self.n)]
            elif isinstance(s, sp.Symbol) and not isinstance(s, Leibniz):
                rng = random.Random(f"{_SEED}:{s.name}")
                self.env[s] = [round(rng.uniform(-4, 4), 6) for _ in range(self.n)]
                self.dummies.add(s)
            else:
                raise ValueError(f"unknown name {s}")
        return self.env

    def cover(self, arg: sp.Expr) -> None:
        """Add points until ``arg`` is seen both positive and negative (when it can be)."""
        vals = fvals(arg, self.env_for(arg), self.n)
        if sum(v > 0 for v in vals) >= 2 and sum(v < 0 for v in vals) >= 2:
            return
        trial = self._random_points(64, spread=20.0)
        env = {s: [p[s] for p in trial] for s in self.inputs}
        for s in arg.free_symbols:
            if s not in env:
                rng = random.Random(f"{_SEED}:cover:{s.name}")
                env[s] = [1.0] * 64 if s.is_integer else [rng.uniform(-20, 20) for _ in range(64)]
        tv = fvals(arg, env, 64)
        want = [i for i, v in enumerate(tv) if v < 0] if sum(v < 0 for v in vals) < 2 else \
            [i for i, v in enumerate(tv) if v > 0]  # fmt: skip
        if want:
            self.add_points([trial[i] for i in want[:3]])

    def cover_region(self, cond: sp.Basic, need: int = 6) -> None:
        """Add sample points until ``need`` of them satisfy ``cond`` (when some can)."""
        try:  # SymPy may refuse to build the marker ("conditions must cover all reals":
            marker = sp.Piecewise((1, cond), (0, True))  # check seeds 9,005,195, 9,017,704)
            have = sum(v == 1.0 for v in self.values(marker))
        except (TypeError, ValueError):
            return
        if have >= need:
            return
        trial = self._random_points(256, spread=6.0)
        env = {s: [p[s] for p in trial] for s in self.inputs}
        for s in marker.free_symbols:
            if s not in env:
                rng = random.Random(f"{_SEED}:region:{s.name}")
                env[s] = [1.0] * 256 if s.is_integer else [rng.uniform(-6, 6) for _ in range(256)]
        try:
            marks = fvals(marker, env, 256)
        except (TypeError, ValueError):
            return
        good = [trial[k] for k, v in enumerate(marks) if v == 1.0][: need - have]
        if good:
            self.add_points(good)

    def values(self, expr: sp.Expr) -> list[float]:
        return fvals(expr, self.env_for(expr), self.n)

    def at_point(self, expr: sp.Expr, point: dict | None = None) -> sp.Expr | None:
        """``expr`` at the problem's point, exactly where SymPy can (None if undefined or no point)."""
        point = self.point if point is None else point
        if not point:
            return None
        with sp.evaluate(True):
            v = evaluated(expr).xreplace(point)
            if v.has(sp.Piecewise):
                v = v.doit()
        if v.free_symbols or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return None
        return v

    # --- true derivatives ---------------------------------------------------------------
    def expand(self, expr: sp.Expr) -> sp.Expr:
        """Named quantities replaced by their definitions, down to the inputs."""
        return expr.xreplace(self.expanded)

    def partial_expansion(self, var: sp.Symbol) -> dict:
        """Named quantities that depend on ``var`` written in ``var`` (the others expanded)."""
        out: dict = {}
        for q in self.problem.quantities:
            if q.symbol == var:
                out[var] = var
                continue
            out[q.symbol] = evaluated(q.expr).xreplace(out)
        for q in self.problem.quantities:
            if q.symbol not in out:
                out[q.symbol] = self.expanded[q.symbol]
        out.pop(var, None)
        return out

    def derivative(self, expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
        """d expr / d var in the inputs (a named ``var`` is held as a variable first)."""
        if var.name in self.problem.inputs:
            return sp.diff(self.expand(expr), var)
        d = sp.diff(expr.xreplace(self.partial_expansion(var)), var)
        return self.expand(d)

    def target(self, top: str, bottom: str | None) -> Target:
        """The truth a line ``d top / d bottom = ...`` (or ``top = ...`` with no bottom) claims."""
        key = (top, bottom)
        if key not in self.targets:
            self.targets[key] = self._target(top, bottom)
        return self.targets[key]

    def _target(self, top: str, bottom: str | None) -> Target:
        p = self.problem
        if bottom is None:
            if top in p.names:
                expr = self.expanded[_sym(top)]
                value = self.d.value(top) if self.d.numbers is not None else None
                return Target(top, expr, p.quantity(top).expr, value, derivative=False)
            return Target(top, _sym(top), _sym(top), self.point.get(_sym(top)), derivative=False)
        label = f"d{top}/d{bottom}"
        if top not in p.names:
            one = sp.Integer(int(top == bottom))
            return Target(label, one, one, one)
        q = p.quantity(top)
        if _sym(bottom) in q.expr.free_symbols:
            paths = [((top, bottom),)]
        else:
            paths = chain_paths(p, top, bottom, depending_on(p, bottom)) or []
        locals_ = {k: self.local(*k) for path in paths for k in path}
        expr = self.derivative(_sym(top), _sym(bottom))
        shown = tidy(sp.Add(*[sp.Mul(*[self.d.partial(*k).after for k in path], evaluate=False)
                              for path in paths], evaluate=False)) if paths else expr  # fmt: skip
        value, interval = self.at_point(expr), None
        grad = next((g for g in self.d.gradients if g.param == bottom), None)
        numbers = self.d.numbers
        if top == p.loss and grad is not None:
            value, interval = self.d.gradient.get(bottom), self.d.interval.get(bottom)
            shown = grad.expr if grad.expr is not None else shown
        elif len(paths) == 1 and len(paths[0]) == 1 and numbers is not None:
            value = numbers.local(top, bottom)
        elif top == p.loss and numbers is not None:
            value = dict(self.d.adjoints).get(bottom, value)
        t = Target(label, expr, shown, value, interval)
        self._mistakes(t, paths, locals_, top, bottom)
        return t

    def local(self, quantity: str, name: str) -> sp.Expr:
        return self.expand(evaluated(self.d.partial(quantity, name).after))

    # --- likely mistakes ----------------------------------------------------------------
    def _mistakes(self, t: Target, paths, locals_: dict, top: str, bottom: str) -> None:
        def through(key, replacement):
            return sp.Add(*[sp.Mul(*[replacement if k == key else locals_[k] for k in path])
                            for path in paths])  # fmt: skip

        cands = t.candidates
        for key in locals_:
            step = self.d.partial(*key).step
            for kind, why, mutated in _step_mistakes(step):
                cands.append(Candidate(kind, why, through(key, self.expand(evaluated(mutated)))))
        if len(locals_) > 1 or any(len(path) > 1 for path in paths):
            for key, local in locals_.items():
                if local.free_symbols or abs(local) != 1:
                    shown = plain(self.d.partial(*key).after)
                    why = f"the chain rule needs the factor d{key[0]}/d{key[1]} = {shown}"
                    cands.append(Candidate("missing-chain-factor", why, through(key, 1)))
                    t.factors.append((f"d{key[0]}/d{key[1]} = {shown}", local))
        if top == self.problem.loss:
            cands.extend(self._one_example(top, bottom))
        for s in self.inputs:
            t.factors.append((s.name, s))
            if s.name != bottom:
                wrong = self.derivative(_sym(top), s)
                if wrong != 0:
                    why = f"this is d{top}/d{s.name}, the derivative by {s.name}, not by {bottom}"
                    cands.append(Candidate("wrong-variable", why, wrong))

    def _one_example(self, top: str, bottom: str) -> list[Candidate]:
        """For a loss over examples: example k's term differentiated alone (with or without
        the 1/n), what an author writes for "the gradient" when the sum is left out."""
        from symgrad.checking.setting import TERMS
        from symgrad.expr.functions import to_elementary

        terms = TERMS.get((self.problem, self.examples), {})
        out, k = [], 1
        while f"{top}_{k}" in terms and self.examples:
            try:
                d = sp.diff(to_elementary(self.expand(evaluated(terms[f"{top}_{k}"]))),
                            _sym(bottom))
            except (TypeError, ValueError):
                return []
            why = (f"this is the derivative of one example's term alone; {top} adds up every "
                   "example's term, so the sum over the examples is missing")
            out += [Candidate("one-example", why, d),
                    Candidate("one-example", why, d * self.examples)]
            k += 1
        return out


def _step_mistakes(root: Step):
    """(kind, explanation, wrong local derivative) for slips inside one rule-by-rule derivation."""
    for target in root.walk():
        for child in target.substeps:
            if target.rule in _CHAIN_RULES and child.after not in (0, 1):
                inner = f"d/d{child.var} ({plain(child.before)}) = {plain(child.after)}"
                if child.after == -1:
                    why = f"the minus sign from the inner derivative {inner} was dropped"
                    yield "sign-error", why, _rebuilt(root, {child: sp.Integer(1)})
                else:
                    why = f"the inner derivative {inner} (the chain factor) is missing"
                    yield "missing-chain-factor", why, _rebuilt(root, {child: sp.Integer(1)})
        if target.rule in _CHAIN_RULES and target.rule is not Rule.POWER and target.substeps:
            outer = plain(
                sp.Mul(*[a for a in _as_factors(target.after) if a != target.substeps[0].after])
            )
            why = (f"the derivative of the outer function {plain(target.before)} "
                   f"(the factor {outer}) is missing")  # fmt: skip
            yield (
                "missing-chain-factor",
                why,
                _rebuilt(root, {target: _rebuilt(target.substeps[0], {})}),
            )
        if target.rule is Rule.POWER and target.before.exp.is_Number and target.before.exp != 1:
            b, n = target.before.base, target.before.exp
            inner = _rebuilt(target.substeps[0], {}) if target.substeps else sp.Integer(1)
            right = plain(tidy(sp.Mul(n, sp.Pow(b, n - 1, evaluate=False), evaluate=False)))
            slips = (
                tidy(sp.Mul(n, sp.Pow(sp.Abs(b), n - 1, evaluate=False), evaluate=False)),
                tidy(sp.Mul(n, sp.Pow(b, n, evaluate=False), evaluate=False)),
            )
            for wrong in slips:
                why = (f"power rule: the derivative of {plain(target.before)} is {right} "
                       f"(times the inner derivative), not {plain(wrong)}")  # fmt: skip
                yield "power-rule-slip", why, _rebuilt(root, {target: wrong * inner})


def _as_factors(e: sp.Basic) -> tuple:
    return e.args if isinstance(e, sp.Mul) else (e,)


def _rebuilt(step: Step, swap: dict) -> sp.Expr:
    """``step.after`` recomputed with some sub-steps' results swapped (a mistake planted)."""
    if step in swap:
        return swap[step]
    if not step.substeps:
        return step.after
    return replaced(step.middle, {sp.Derivative(c.before, c.var, evaluate=False): _rebuilt(c, swap)
                                  for c in step.substeps})


def leibniz_parts(expr: sp.Basic) -> list[Leibniz]:
    return sorted((s for s in expr.free_symbols if isinstance(s, Leibniz)), key=str)
