"""The engine: derive every local partial by named rules, chain them, attach numbers, verify."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, replace

import sympy as sp

from symgrad.expr.algebra import evaluated, tidy
from symgrad.errors import ProblemError
from symgrad.derivation.kinks import Convention, Kink, find_kinks, weight_replacements
from symgrad.numbers.values import value_at
from symgrad.reader.problem import Problem, depending_on
from symgrad.derivation.rules import Step, differentiate

#: Beyond this many chain-rule paths the Leibniz sum is not written out term by term.
MAX_PATHS = 64


@dataclass(frozen=True)
class ForwardLine:
    """One named quantity's value at the point: ``name = expr = value``."""

    name: str
    expr: sp.Basic
    value: sp.Basic


@dataclass(frozen=True)
class Partial:
    """A local partial derivative d(quantity)/d(symbol), derived step by step."""

    quantity: str
    symbol: str
    step: Step
    value: sp.Basic | None  # at the point, under the convention; None when it is an interval
    step_values: tuple[sp.Basic | None, ...] = ()  # each step's result at the point, in walk order

    @property
    def after(self) -> sp.Basic:
        return self.step.after


@dataclass(frozen=True)
class Gradient:
    """dL/d(param): the chain-rule paths, the symbolic result, its value and the update."""

    param: str
    paths: tuple[tuple[tuple[str, str], ...], ...]  # each path: ((quantity, symbol), ...)
    expr: sp.Basic
    value: sp.Basic | None
    interval: tuple[sp.Basic, sp.Basic] | None
    updated: sp.Basic | None


@dataclass(frozen=True)
class Verification:
    """How one gradient was checked against independent oracles."""

    param: str
    sympy: bool
    finite_difference: bool | None
    note: str


@dataclass(frozen=True)
class TrajectoryPoint:
    step: int
    loss: sp.Basic
    params: tuple[tuple[str, sp.Basic], ...]


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    values: tuple[tuple[str, sp.Basic], ...]
    loss: sp.Basic
    gradient: tuple[tuple[str, sp.Basic | None], ...]


@dataclass(frozen=True)
class Derivation:
    """The record every renderer reads; nothing downstream recomputes mathematics."""

    problem: Problem
    inputs: tuple[tuple[str, sp.Basic], ...]
    forward: tuple[ForwardLine, ...]
    partials: tuple[Partial, ...]
    gradients: tuple[Gradient, ...]
    adjoints: tuple[tuple[str, sp.Basic | None], ...]
    kinks: tuple[Kink, ...]
    verification: tuple[Verification, ...]
    trajectory: tuple[TrajectoryPoint, ...]
    comparison: tuple[ComparisonRow, ...]
    data_run: object = None  # a symgrad.numbers.descend.DataRun when the problem has data

    @property
    def convention(self) -> Convention:
        return self.problem.convention

    def partial(self, quantity: str, symbol: str) -> Partial:
        return next(p for p in self.partials if p.quantity == quantity and p.symbol == symbol)

    def value(self, name: str) -> sp.Basic:
        for k, v in self.inputs:
            if k == name:
                return v
        return next(f.value for f in self.forward if f.name == name)


def _sym(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _symbol_names(expr: sp.Basic, text: str) -> list[str]:
    """Free symbols of ``expr`` in the order they appear in the author's text."""
    return sorted((s.name for s in expr.free_symbols), key=lambda n: (text.find(n), n))


class _Numbers:
    """Forward values, kinks and adjoints at one point (shared by the derivation and each update)."""

    def __init__(self, problem: Problem, partials: list[tuple[str, str, Step]], values: dict):
        self.point = dict(values)
        for q in problem.quantities:
            self.point[q.symbol] = _checked(value_at(q.expr, self.point), f"{q.name} = {q.text}")
        self.kinks: list[Kink] = []
        for q in problem.quantities:
            self.kinks.extend(find_kinks(q.name, q.expr, self.point, problem.convention))
        self.weights = [sp.Symbol(f"_t{i}") for i in range(len(self.kinks))]
        self.replacements = repl = weight_replacements(self.kinks, self.weights)
        self.local = {(qn, sn): value_at(step.after, self.point, repl) for qn, sn, step in partials}
        adj: dict[str, sp.Basic] = {n: sp.Integer(0) for n in problem.inputs + problem.names}
        adj[problem.loss] = sp.Integer(1)
        for q in reversed(problem.quantities):
            if adj[q.name] == 0:
                continue
            for s in _symbol_names(q.expr, q.text):
                term = adj[q.name] * self.local[(q.name, s)]
                # expand only kink weights out (cheap); expanding exact irrational values is not
                adj[s] = sp.expand(adj[s] + term) if self.kinks else adj[s] + term
        self.raw_adjoints = adj
        # A kink whose weight reaches no adjoint is masked (e.g. |r| inside max(0, |r| - eps)
        # where the max picks 0): the loss is differentiable there, so it is not reported.
        used = set().union(*(v.free_symbols for v in adj.values()))
        for k in self.kinks:
            written = any(step.after.has(f) for _, _, step in partials for f, _ in k.local)
            if not written and k.argument.free_symbols:
                # the rules' local factor and the kink's did not match: never guess a value
                raise RuntimeError(f"internal: the kink of {k.expr} was not found in any derivative")
        live = [w in used for w in self.weights]
        self.masked = {w: k.min_norm if k.chosen is None else k.chosen
                       for w, k, on in zip(self.weights, self.kinks, live) if not on}
        self.kinks = [k for k, on in zip(self.kinks, live) if on]
        self.weights = [w for w, on in zip(self.weights, live) if on]
        if problem.convention is Convention.MIN_NORM and len(self.kinks) == 1:
            self.kinks = [self._min_norm(problem, self.kinks[0], self.weights[0])]
        chosen = [k.chosen for k in self.kinks]
        self.choice = {**dict(zip(self.weights, chosen)), **self.masked} if None not in chosen else None

    def _min_norm(self, problem: Problem, kink: Kink, t: sp.Symbol) -> Kink:
        """With one kink the gradient is affine in its weight t: pick the t in the
        interval that gives the gradient vector its smallest norm (the true min-norm
        subgradient), rather than the kinked function's own smallest slope."""
        grads = [sp.expand(self.raw_adjoints[p].xreplace(self.masked)) for p in problem.wrt]
        slopes = [g.coeff(t, 1) for g in grads]
        offsets = [g.coeff(t, 0) for g in grads]
        denominator = sum(b * b for b in slopes)
        if denominator == 0:
            return kink
        lo, hi = kink.interval
        best = -sum(a * b for a, b in zip(offsets, slopes)) / denominator
        best = min(max(best, lo), hi)
        return replace(kink, chosen=best)

    def step_values(self, step: Step) -> tuple[sp.Basic | None, ...]:
        """Each (non-minor) step's result at the point, in walk order."""
        return tuple(
            None if s.minor else self.resolve(value_at(s.after, self.point, self.replacements))
            for s in step.walk()
        )

    def resolve(self, v: sp.Basic) -> sp.Basic | None:
        """A value with the convention's choices put in (None when it stays an interval)."""
        v = v.xreplace(self.masked) if self.masked else v
        if not (v.free_symbols & set(self.weights)):
            return v
        return None if self.choice is None else v.xreplace(self.choice)

    def interval(self, v: sp.Basic) -> tuple[sp.Basic, sp.Basic] | None:
        """The range of a value over every kink's subdifferential (None away from kinks)."""
        used = [w for w in self.weights if w in v.free_symbols]
        if not used:
            return None
        bounds = {w: k.interval for w, k in zip(self.weights, self.kinks)}
        corners = [v.xreplace(dict(zip(used, c))) for c in itertools.product(*(bounds[w] for w in used))]
        return min(corners, key=float), max(corners, key=float)


def _checked(v: sp.Basic, what: str) -> sp.Basic:
    """``v`` if it is a finite real number that can be shown; else a ProblemError naming ``what``."""
    try:
        approx = sp.N(v, 20)
        ok = bool(approx.is_real and approx.is_finite) and abs(float(approx)) < 1e300
    except (OverflowError, ValueError, TypeError, ZeroDivisionError):
        ok = False
    if not ok:
        raise ProblemError(f"{what} is undefined, infinite, not real or too large at the point")
    return v


def chain_paths(problem: Problem, name: str, param: str, reach: set[str]) -> list[tuple[tuple[str, str], ...]]:
    """Every chain of local partials from the quantity ``name`` down to ``param``."""
    if name == param:
        return [()]
    q = problem.quantity(name)
    out = []
    for s in _symbol_names(q.expr, q.text):
        if s in reach:
            out.extend(((name, s),) + rest for rest in chain_paths(problem, s, param, reach))
            if len(out) > MAX_PATHS:
                return out
    return out


def derive(problem: Problem) -> Derivation:
    """Derive, number and verify the gradient of ``problem``'s loss.

    Returns:
        The :class:`Derivation` record.
    """
    steps = []
    for q in problem.quantities:
        for s in _symbol_names(q.expr, q.text):
            steps.append((q.name, s, differentiate(q.expr, _sym(s))))
    numbers = _Numbers(problem, steps, problem.point())
    partials = tuple(
        Partial(qn, sn, st, numbers.resolve(numbers.local[(qn, sn)]), numbers.step_values(st))
        for qn, sn, st in steps
    )
    by_key = {(p.quantity, p.symbol): p for p in partials}
    gradients = []
    for param in problem.wrt:
        reach = depending_on(problem, param)
        paths = chain_paths(problem, problem.loss, param, reach)
        terms = [sp.Mul(*[by_key[k].after for k in path], evaluate=False) for path in paths]
        expr = tidy(sp.Add(*terms, evaluate=False))
        raw = numbers.raw_adjoints[param]
        value = numbers.resolve(raw)
        if value is not None:
            _checked(value, f"the gradient d{problem.loss}/d{param}")
        updated = None
        if problem.lr is not None and value is not None:
            updated = numbers.point[_sym(param)] - problem.lr * value
        gradients.append(Gradient(param, tuple(paths), expr, value, numbers.interval(raw), updated))
    adjoints = tuple((n, numbers.resolve(v)) for n, v in numbers.raw_adjoints.items())
    inputs = tuple((k, v) for k, v in problem.values)
    forward = tuple(ForwardLine(q.name, q.expr, numbers.point[q.symbol]) for q in problem.quantities)
    verification = tuple(_verify(problem, g, numbers) for g in gradients)
    data_run = _data_run(problem, gradients) if problem.data is not None else None
    return Derivation(
        problem, inputs, forward, partials, tuple(gradients), adjoints, tuple(numbers.kinks),
        verification, () if data_run else _trajectory(problem, steps, numbers),
        _comparison(problem), data_run,
    )


def _data_run(problem: Problem, gradients: list[Gradient]):
    """The dataset's reduced gradient and descent, compiled from the derived gradient."""
    from symgrad.numbers import descend as dataset
    from symgrad.expr.functions import to_elementary
    from symgrad.derivation.kinks import compiled_kink_values

    full, expanded = full_loss(problem)
    grads = [to_elementary(evaluated(g.expr).xreplace(expanded)) for g in gradients]
    sign0, step0 = compiled_kink_values(problem.convention)
    return dataset.run(problem, to_elementary(full), grads, sign0, step0)


def _trajectory(problem: Problem, steps, first: _Numbers) -> tuple[TrajectoryPoint, ...]:
    if problem.steps <= 1 or problem.lr is None:
        return ()
    loss_sym = _sym(problem.loss)
    out = []
    numbers = first
    for k in range(problem.steps + 1):
        params = tuple((p, numbers.point[_sym(p)]) for p in problem.wrt)
        out.append(TrajectoryPoint(k, numbers.point[loss_sym], params))
        if k == problem.steps:
            break
        grads = [numbers.resolve(numbers.raw_adjoints[p]) for p in problem.wrt]
        if any(g is None for g in grads):
            break  # the subdifferential convention takes no step
        point = {s: v for s, v in numbers.point.items() if s.name in dict(problem.values)}
        for p, g in zip(problem.wrt, grads):
            new = point[_sym(p)] - problem.lr * g
            point[_sym(p)] = new if isinstance(new, sp.Rational) else sp.Float(sp.N(new, 30), 30)
        numbers = _Numbers(problem, steps, point)
    return tuple(out)


def _comparison(problem: Problem) -> tuple[ComparisonRow, ...]:
    rows = []
    shown = [k for k, _ in problem.values if any(k in dict(v.values) for v in problem.variants)]
    for variant in problem.variants:
        quantities = tuple(
            variant.loss if variant.loss and q.name == variant.loss.name else q
            for q in problem.quantities
        )
        values = dict(problem.values)
        values.update(dict(variant.values))
        sub = replace(
            problem, quantities=quantities, values=tuple(values.items()), variants=(), steps=1
        )
        d = derive(sub)
        grad = tuple((g.param, g.value) for g in d.gradients)
        point = tuple((k, values[k]) for k in shown)
        rows.append(ComparisonRow(variant.label, point, d.value(problem.loss), grad))
    return tuple(rows)


def full_loss(problem: Problem) -> tuple[sp.Basic, dict[sp.Symbol, sp.Basic]]:
    """The loss with every named quantity replaced by its definition, and those replacements."""
    expanded: dict[sp.Symbol, sp.Basic] = {}
    for q in problem.quantities:
        expanded[q.symbol] = evaluated(q.expr).xreplace(expanded)
    return expanded[_sym(problem.loss)], expanded


def _normal(expr: sp.Basic) -> sp.Basic:
    """Heaviside(u, h0) and Heaviside(u) differ only at u = 0: compare them as one."""
    return expr.replace(lambda e: isinstance(e, sp.Heaviside), lambda e: sp.Heaviside(e.args[0]))


def _verify(problem: Problem, g: Gradient, numbers: _Numbers) -> Verification:
    """Check one gradient against sympy.diff and central finite differences."""
    from symgrad.expr.functions import to_elementary

    full, expanded = full_loss(problem)
    p = _sym(g.param)
    oracle = _normal(sp.diff(to_elementary(full), p))
    ours = _normal(to_elementary(evaluated(g.expr).xreplace(expanded)))
    inputs = [_sym(n) for n, _ in problem.values]
    sympy_ok = _same(oracle, ours, inputs)
    if numbers.kinks:
        where = ", ".join(f"{k.function} in {k.quantity}" for k in numbers.kinks)
        return Verification(g.param, sympy_ok, None, f"finite differences skipped: the point is on a kink ({where})")
    point = {s: v for s, v in numbers.point.items() if s in set(inputs)}
    f = to_elementary(full)
    h = sp.Rational(1, 10**8)
    plus = sp.N(f.xreplace({**point, p: point[p] + h}), 40)
    minus = sp.N(f.xreplace({**point, p: point[p] - h}), 40)
    fd = (plus - minus) / (2 * h)
    value = sp.N(g.value, 40)
    fd_ok = bool(fd.is_finite and abs(fd - value) <= sp.Float("1e-6", 40) * max(1, abs(value)))
    return Verification(g.param, sympy_ok, fd_ok, f"central difference (h = 1e-8): {float(fd):.10g}")


def _same(a: sp.Basic, b: sp.Basic, symbols: list[sp.Symbol]) -> bool:
    """Equal as functions: identical trees, or equal to 25 digits at 12 seeded random points.

    ``sympy.simplify`` is not used: on nested tanh/abs/max chains it can run for minutes,
    and a difference that is not identically zero shows up at random points anyway.
    """
    if a == b:
        return True
    rng = random.Random(20261126)
    compared = 0
    for _ in range(24):
        pt = {s: sp.Rational(rng.randint(-300, 300), rng.randint(1, 50)) for s in symbols}
        try:
            va, vb = sp.N(a.xreplace(pt), 30), sp.N(b.xreplace(pt), 30)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if not all(v.is_real and v.is_finite for v in (va, vb)):
            continue  # outside the domain (log of a negative, ...): no evidence either way
        if abs(va - vb) > sp.Float("1e-20", 30) * max(1, abs(va)):
            return False
        compared += 1
        if compared == 12:
            break
    return compared >= 3  # too few points inside the domain is no verification
