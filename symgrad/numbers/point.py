"""The evaluate stage: Derivation + point + convention -> Numbers.

One forward pass computes each named quantity once from the values before it; each local
partial and each rule step is evaluated from those values (never from nested exact
expressions), so the cost is linear in the size of the derivation. On a kink place the
local factor becomes a weight ``t`` ranging over the subdifferential; the adjoints are then
affine in the weights, and the convention picks them (min-norm over the whole gradient
vector when the point lies on one kink).
"""

from __future__ import annotations

import itertools
from functools import cached_property

import sympy as sp
from sympy.matrices.exceptions import NonInvertibleMatrixError

from symgrad.derivation.kinks import KinkPlace, weight_replacements
from symgrad.derivation.record import Derivation
from symgrad.errors import ProblemError
from symgrad.numbers.conventions import Convention, choose, choose_tie, framework_weights
from symgrad.numbers.jumps import ON_KINK, changes_nearby, on_jump
from symgrad.numbers.values import PERIODIC_LIMIT, PRECISION, Evaluator, periodic_beyond_precision
from symgrad.records import record

#: A float argument this close to 0 counts as on the kink (values carry 30 digits).


@record
class Kink:
    """A kink place that the point lies exactly on, and what the convention did there.

    Attributes:
        place: the symbolic place (function, expression, argument, local factors).
        interval: the range of the weight ``t`` (the subdifferential of the local factor).
        chosen: the ``t`` the convention picks (None under ``subdifferential``).
        convention: the convention applied.
        frameworks: what each measured framework picks, as ``(framework, version, call, t)``.
        note: how the convention decided (e.g. a framework that was not measured).
        min_norm: the place's own smallest-slope ``t``.
    """

    place: KinkPlace
    interval: tuple[sp.Rational, sp.Rational]
    chosen: sp.Rational | None
    convention: Convention
    frameworks: tuple[tuple[str, str, str, sp.Rational], ...] = ()
    note: str = ""
    min_norm: sp.Rational = sp.Integer(0)  # for a tie: min-norm's weights for the tied arms
    tied: tuple[int, ...] = ()  # max/min of 3+ arguments: the arms that tie (by position)
    weights: tuple | None = None  # ... and the weight chosen for each (None: the whole simplex)

    @property
    def is_tie(self) -> bool:
        return bool(self.tied)

    # the place's fields, read through
    quantity = property(lambda self: self.place.quantity)
    function = property(lambda self: self.place.function)
    expr = property(lambda self: self.place.expr)
    argument = property(lambda self: self.place.argument)
    local = property(lambda self: self.place.local)


@record
class Jump:
    """A discontinuity the point lies on, and the names whose derivative it takes away."""

    place: object  # symgrad.derivation.kinks.JumpPlace
    names: tuple[str, ...]  # inputs and quantities the jump's argument depends on

    quantity = property(lambda self: self.place.quantity)
    function = property(lambda self: self.place.function)
    expr = property(lambda self: self.place.expr)
    argument = property(lambda self: self.place.argument)


@record
class Numbers:
    """A derivation's numbers at one point under one convention.

    Values are exact Rationals where the arithmetic stays rational, else 30-digit Floats.
    ``None`` stands for a value that is an interval (the ``subdifferential`` convention on
    a kink).
    """

    convention: Convention
    inputs: tuple[tuple[str, sp.Basic], ...]
    values: tuple[tuple[str, sp.Basic], ...]  # the named quantities (forward pass)
    locals: tuple[tuple[tuple[str, str], sp.Basic | None], ...]
    step_values: tuple[tuple[tuple[str, str], tuple[sp.Basic | None, ...]], ...]
    kinks: tuple[Kink, ...]
    gradient: tuple[tuple[str, sp.Basic | None], ...]
    intervals: tuple[tuple[str, tuple[sp.Basic, sp.Basic] | None], ...]
    adjoints: tuple[tuple[str, sp.Basic | None], ...]
    updated: tuple[tuple[str, sp.Basic], ...] | None
    jumps: tuple[Jump, ...] = ()
    boundaries: tuple = ()  # where(...) places at their boundary with equal pieces (continuous)

    @cached_property
    def _values(self) -> dict:
        return {**dict(self.inputs), **dict(self.values)}

    def value(self, name: str) -> sp.Basic:
        """The value of an input or a named quantity."""
        return self._values[name]

    @cached_property
    def point(self) -> dict[sp.Symbol, sp.Basic]:
        """Every input and named quantity as ``{symbol: value}``."""
        return {sp.Symbol(k, real=True): v for k, v in self._values.items()}

    def local(self, quantity: str, symbol: str):
        return dict(self.locals)[(quantity, symbol)]

    def steps_of(self, quantity: str, symbol: str) -> tuple:
        return dict(self.step_values)[(quantity, symbol)]


def _weighted(expr: sp.Basic, repl: dict) -> sp.Basic:
    """``expr`` with each kink's local factor replaced by its weight, rebuilt as written (the
    Evaluator gives the numbers; SymPy must not try to compare a zoo while rebuilding)."""
    if not repl:
        return expr
    with sp.evaluate(False):
        return expr.xreplace(repl)


def _describe(node, args) -> str:
    from symgrad.rendering.printing import plain

    shown = plain(node)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if isinstance(node, sp.Pow) and args and args[1].is_negative is True and args[0] == 0:
        return f"division by zero at the point: {shown} with {plain(node.args[0])} = 0"
    if isinstance(node, sp.Pow) and args and args[0].is_positive and args[1].is_real:
        vals = ", ".join(_short(a) for a in args)
        return (f"{shown} is too large at the point (beyond 1e300, the largest value shown): "
                f"base and exponent {vals}")
    if periodic_beyond_precision(node, args):
        return (f"{shown} cannot be computed at the point: its argument "
                f"{plain(node.args[0])} = {_short(args[0])} is a rounded number beyond "
                f"{_short(PERIODIC_LIMIT)}, and symgrad carries {PRECISION} significant digits, "
                "too few to place it within the period")
    name = type(node).__name__.lower()
    if name in ("log", "sqrt") or (isinstance(node, sp.Pow) and args and not args[1].is_integer):
        what = "log" if name == "log" else "a root"
        vals = ", ".join(_short(a) for a in args[:1])
        return (f"{what} of a negative number (or zero) at the point: {shown} with "
                f"{plain(node.args[0])} = {vals}")
    vals = ", ".join(_short(a) for a in args)
    return f"{shown} is undefined, infinite or not real at the point (arguments: {vals})"


def _short(v) -> str:
    from symgrad.numbers.values import number_text

    try:
        return number_text(v)[0]
    except (TypeError, ValueError):
        return str(v)[:30]


def point_of(d: Derivation, at=None) -> dict[str, sp.Basic]:
    """The value of every input at ``at`` (default: the problem's point); a missing one is an error."""
    p = d.problem
    if at is None:
        values = dict(p.values)
    elif isinstance(at, dict):
        values = dict(at)
    else:
        values = dict(at)
    missing = [n for n in p.inputs if n not in values]
    if missing:
        raise ProblemError(f"missing value for {', '.join(missing)}: give it with --at '{missing[0]}=...'")
    return {n: values[n] for n in p.inputs}


def _ancestors(problem, expr: sp.Basic) -> set[str]:
    """Every input and named quantity ``expr`` depends on through the graph."""
    out: set[str] = set()
    todo = [s.name for s in expr.free_symbols]
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out.add(name)
        todo.extend(problem.uses.get(name, ()))
    return out


def _tied(ev: Evaluator, place: KinkPlace) -> list[int]:
    """The arms of max/min of three or more arguments that share the extreme value."""
    values = [ev(a) for a in place.arms]
    if any(v.free_symbols for v in values):
        return []
    best = max(values) if place.function == "max" else min(values)
    return [j for j, v in enumerate(values) if v == best or abs(v - best) < ON_KINK]


class _WeightSet:
    """One kink's weights as symbols: their extreme points, the convention's choice, and
    what the local factors become (t or 1 - t; for a tie, one weight per tied arm)."""

    def __init__(self, kink: Kink, index: int):
        self.kink = kink
        place = kink.place
        if kink.is_tie:
            m = len(kink.tied)
            self.symbols = [sp.Symbol(f"_t{index}_{k}") for k in range(m - 1)]
            weights = [*self.symbols, 1 - sum(self.symbols)]
            arm = dict(zip(kink.tied, weights))
            self.repl = {f: arm.get(j, sp.Integer(0)) for f, j in place.local}
            self.vertices = [{s: sp.Integer(int(k == i)) for k, s in enumerate(self.symbols)}
                             for i in range(m)]
            self.chosen = (None if kink.weights is None
                           else dict(zip(self.symbols, kink.weights[:-1])))
        else:
            t = sp.Symbol(f"_t{index}")
            self.symbols = [t]
            self.repl = weight_replacements([place], [t])
            self.vertices = [{t: kink.interval[0]}, {t: kink.interval[1]}]
            self.chosen = None if kink.chosen is None else {t: kink.chosen}
        # a masked kink (its weight reaches no gradient) takes its own min-norm choice
        if self.chosen is not None:
            self.fallback = self.chosen
        elif kink.is_tie:
            self.fallback = dict(zip(self.symbols, kink.min_norm[:-1]))
        else:
            self.fallback = {self.symbols[0]: kink.min_norm}


def _on_place(ev: Evaluator, place: KinkPlace) -> bool:
    v = ev(place.argument)
    if v.free_symbols:
        return False
    return v == 0 or (isinstance(v, sp.Float) and abs(v) < ON_KINK)


class _Pass:
    """Forward values, kinks, local partials and adjoints at one point."""

    def __init__(self, d: Derivation, point: dict[str, sp.Basic], conv: Convention):
        p = d.problem
        env = {sp.Symbol(k, real=True): v for k, v in point.items()}
        ev = Evaluator(env, _describe)
        for q in p.quantities:
            env[q.symbol] = ev(q.expr)
        self.d, self.env, self.ev = d, env, ev
        hits = []
        for place in d.places:
            if place.is_tie:
                tied = _tied(ev, place)
                if len(tied) >= 2:
                    weights, note = choose_tie(place, tied, conv)
                    local, _ = choose_tie(place, tied, Convention.MIN_NORM)
                    hits.append(Kink(place, place.interval, None, conv, (), note, local,
                                     tuple(tied), weights))
            elif _on_place(ev, place):
                slope = ev(place.slope) if place.slope is not None else None
                chosen, note = choose(place, conv, slope)
                min_norm = choose(place, Convention.MIN_NORM, slope)[0]
                hits.append(Kink(place, place.interval, chosen, conv, framework_weights(place),
                                 note, min_norm))
        sets = [_WeightSet(k, i) for i, k in enumerate(hits)]
        self.replacements = repl = {f: e for ws in sets for f, e in ws.repl.items()}
        self.raw_local = {}
        for part in d.partials:
            self.raw_local[(part.quantity, part.symbol)] = ev(_weighted(part.after, repl))
        adj: dict[str, sp.Basic] = {n: sp.Integer(0) for n in p.inputs + p.names}
        adj[p.loss] = sp.Integer(1)
        order = {part.quantity: [] for part in d.partials}
        for part in d.partials:
            order[part.quantity].append(part.symbol)
        for q in reversed(p.quantities):
            up = adj[q.name]
            if up == 0:
                continue
            for s in order.get(q.name, ()):
                term = up * self.raw_local[(q.name, s)]
                adj[s] = sp.expand(adj[s] + term) if hits else adj[s] + term
        self.raw_adjoints = adj
        used = set().union(*(v.free_symbols for v in adj.values())) if hits else set()
        live = [bool(used & set(ws.symbols)) for ws in sets]
        # A kink whose weight reaches no adjoint is masked (e.g. |r| inside max(0, |r| - eps)
        # where the max picks 0): the loss is differentiable there, so it is not reported.
        self.masked = {s: v for ws, on in zip(sets, live) if not on for s, v in ws.fallback.items()}
        self.sets = [ws for ws, on in zip(sets, live) if on]
        if conv is Convention.MIN_NORM and len(self.sets) == 1:
            self._min_norm(self.sets[0])
        self.kinks = [ws.kink for ws in self.sets]
        self.weights = [s for ws in self.sets for s in ws.symbols]
        chosen = [ws.chosen for ws in self.sets]
        self.choice = None if None in chosen else {
            **{s: v for c in chosen for s, v in c.items()}, **self.masked}
        self.jumps = [Jump(j, tuple(sorted(_ancestors(p, j.argument)))) for j in d.jumps
                      if on_jump(ev, j) and changes_nearby(d, point, ev, j, _describe)]
        # a where() boundary with equal pieces is continuous; the derivative there is the
        # piece the condition selects (torch.where's rule), one-sided if the slopes differ
        self.boundaries = [j for j in d.jumps if j.function == "where" and on_jump(ev, j, True)]
        self.broken = set().union(*(j.names for j in self.jumps)) if self.jumps else set()

    def _min_norm(self, ws: _WeightSet) -> None:
        """With one kink the gradient is affine in its weights, so the subgradients are the
        convex hull of the gradients at the weights' extreme points: take the point of that
        hull nearest to 0 (the true min-norm subgradient), not the function's own choice."""
        from symgrad.records import replace

        grads = [sp.expand(self.raw_adjoints[p].xreplace(self.masked)) for p in self.d.problem.wrt]
        points = [[Evaluator({})(g.xreplace(v)) for g in grads] for v in ws.vertices]
        mix = min_norm_combination(points)
        if mix is None:
            return
        values = {s: sum(w * v[s] for w, v in zip(mix, ws.vertices)) for s in ws.symbols}
        ws.chosen = values
        kink = ws.kink
        if kink.is_tie:
            ws.kink = replace(kink, weights=tuple(mix))
        else:
            ws.kink = replace(kink, chosen=values[ws.symbols[0]])

    def resolve(self, v: sp.Basic) -> sp.Basic | None:
        """A value with the convention's choices put in (None when it stays an interval)."""
        v = v.xreplace(self.masked) if self.masked else v
        if not (v.free_symbols & set(self.weights)):
            return v
        if self.choice is None:
            return None
        return Evaluator({})(v.xreplace(self.choice))

    def interval(self, v: sp.Basic) -> tuple[sp.Basic, sp.Basic] | None:
        """The range of a value over every kink's subdifferential (None away from kinks)."""
        v = v.xreplace(self.masked) if self.masked else v
        sets = [ws for ws in self.sets if set(ws.symbols) & v.free_symbols]
        if not sets:
            return None
        corners = [Evaluator({})(v.xreplace({s: x for vertex in combo for s, x in vertex.items()}))
                   for combo in itertools.product(*(ws.vertices for ws in sets))]
        return min(corners), max(corners)

    def gradient(self) -> list[sp.Basic | None]:
        return [None if p in self.broken else self.resolve(self.raw_adjoints[p])
                for p in self.d.problem.wrt]


def min_norm_combination(points: list[list]) -> list | None:
    """Weights w >= 0 summing to 1 that make sum(w_i * points[i]) shortest (None if the
    points have no coordinates). Every face of the simplex is tried: small exact linear
    systems, so ties of a few arms are solved exactly (Rationals stay Rationals)."""
    k = len(points)
    if not points or not points[0]:
        return None
    best, best_norm = None, None
    for size in range(1, k + 1):
        for face in itertools.combinations(range(k), size):
            gram = sp.Matrix(size + 1, size + 1, lambda i, j: (
                0 if i == size and j == size else 1 if size in (i, j) else
                sum(a * b for a, b in zip(points[face[i]], points[face[j]]))))
            rhs = sp.Matrix([0] * size + [1])
            try:
                sol = gram.LUsolve(rhs)
            except (ValueError, ZeroDivisionError, NonInvertibleMatrixError):
                continue
            w = [sol[i] for i in range(size)]
            if any(not x.is_number or x < 0 for x in w):
                continue
            mix = [sp.Integer(0)] * k
            for i, x in zip(face, w):
                mix[i] = x
            vec = [sum(mix[i] * points[i][c] for i in range(k)) for c in range(len(points[0]))]
            norm = sum(x * x for x in vec)
            if best_norm is None or norm < best_norm - sp.Float("1e-25"):
                best, best_norm = mix, norm
    return best


def evaluate(d: Derivation, at=None, convention: Convention | str | None = None) -> "Numbers":
    """The numbers of ``d`` at a point under a convention.

    Args:
        d: the symbolic derivation.
        at: ``{name: value}`` for every input (default: the problem's point).
        convention: the kink convention (default: the problem's).

    Raises:
        ProblemError: a missing value, or a value that is undefined at the point (with the
            expression and the values that make it so).
    """
    p = d.problem
    conv = convention if isinstance(convention, Convention) else (
        Convention.parse(convention) if convention else p.convention)
    point = point_of(d, at)
    run = _Pass(d, point, conv)
    ev = Evaluator(run.env, _describe)
    locals_, steps = [], []
    for part in d.partials:
        key = (part.quantity, part.symbol)
        locals_.append((key, run.resolve(run.raw_local[key])))
        vals = []
        for s in part.step.walk():
            if s.minor:
                vals.append(None)
                continue
            vals.append(run.resolve(ev(_weighted(s.after, run.replacements))))
        steps.append((key, tuple(vals)))
    grads = run.gradient()
    updated = None
    if p.lr is not None and all(g is not None for g in grads):
        updated = tuple((w, Evaluator({})(point[w] - p.lr * g)) for w, g in zip(p.wrt, grads))
    return Numbers(
        conv,
        tuple(point.items()),
        tuple((q.name, run.env[q.symbol]) for q in p.quantities),
        tuple(locals_),
        tuple(steps),
        tuple(run.kinks),
        tuple(zip(p.wrt, grads)),
        tuple((w, None if w in run.broken else run.interval(run.raw_adjoints[w])) for w in p.wrt),
        tuple((n, None if n in run.broken else run.resolve(v)) for n, v in run.raw_adjoints.items()),
        updated,
        tuple(run.jumps),
        tuple(run.boundaries),
    )


def gradient_at(d: Derivation, point: dict[str, sp.Basic], conv: Convention):
    """(loss, gradient values) at a point: the forward and backward pass only (for descent)."""
    run = _Pass(d, point, conv)
    return run.env[sp.Symbol(d.problem.loss, real=True)], run.gradient()
