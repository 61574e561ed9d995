"""The derive stage: Problem -> Derivation, symbolic only (no point, no numbers).

Every named quantity is differentiated by each symbol it uses, one named rule at a time
(:func:`symgrad.derivation.rules.differentiate`); each gradient is the chain of those local
partials along every path from the loss to the parameter; kinks are found as places. The
cost is linear in the number of named quantities (each local partial is derived once).
"""

from __future__ import annotations

from collections import OrderedDict

import sympy as sp

from symgrad.derivation.kinks import jump_places, kink_places, kink_symbol
from symgrad.derivation.record import Derivation, Gradient, OnKink, Partial
from symgrad.derivation.rules import Rule, Step, differentiate
from symgrad.expr.algebra import evaluated, replaced, substituted, tidy
from symgrad.expr.placeholders import Leibniz
from symgrad.expr.sums import example_sum
from symgrad.reader.problem import Problem, depending_on

#: Beyond this many chain-rule paths, or this many factors in one path, a gradient is not
#: written out as one formula: deep networks are read off the backward pass node by node,
#: which keeps the derivation (and its rendering) linear in the depth.
MAX_PATHS = 64
MAX_CHAIN = 8
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 32


def _sym(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def chain_paths(problem: Problem, name: str, param: str, reach: set[str],
                limit: int = MAX_PATHS) -> list[tuple[tuple[str, str], ...]] | None:
    """Every chain of local partials from the quantity ``name`` down to ``param``.

    Returns None when there are more than ``limit`` paths (counted without listing them).
    """
    counts: dict[str, int] = {param: 1}
    for q in problem.quantities:  # definition order is a topological order
        if q.name in reach:
            counts[q.name] = sum(counts.get(s, 0) for s in problem.uses[q.name])
    if counts.get(name, 0) > limit:
        return None
    return _paths(problem, name, param, reach)


def _paths(problem: Problem, name: str, param: str, reach) -> list[tuple[tuple[str, str], ...]]:
    if name == param:
        return [()]
    out = []
    for s in problem.uses[name]:
        if s in reach:
            out.extend(((name, s),) + rest for rest in _paths(problem, s, param, reach))
    return out


def path_shape(problem: Problem) -> tuple[dict[str, int], dict[str, int]]:
    """From the loss to every name: how many chain paths, and the longest (in factors).

    One backward pass over the graph, so deciding which gradients can be written as one
    formula costs linear time however many parameters there are.
    """
    count: dict[str, int] = {problem.loss: 1}
    longest: dict[str, int] = {problem.loss: 0}
    for q in reversed(problem.quantities):
        if q.name not in count:
            continue
        for s in problem.uses[q.name]:
            count[s] = count.get(s, 0) + count[q.name]
            longest[s] = max(longest.get(s, 0), longest[q.name] + 1)
    return count, longest


def _key(problem: Problem):
    # the symbolic derivation depends on the definitions, the loss and the parameters only
    return (problem.quantities, problem.loss, problem.wrt, problem.reduction,
            None if problem.data is None else problem.data.columns)


def derive(problem: Problem) -> Derivation:
    """Derive ``problem``'s gradient symbolically: rule steps, chain, kinks as places.

    The result is cached per problem definition, so several numeric layers (points,
    conventions, comparison rows) share one derivation.
    """
    key = _key(problem)
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return Derivation(problem, *cached)
    parts = _derive(problem)
    _CACHE[key] = parts
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return Derivation(problem, *parts)


def _derive(problem: Problem) -> tuple:
    partials = []
    for q in problem.quantities:
        for s in problem.uses[q.name]:
            partials.append(Partial(q.name, s, differentiate(q.expr, _sym(s))))
    by_key = {(p.quantity, p.symbol): p for p in partials}
    gradients = []
    count, longest = path_shape(problem)
    for param in problem.wrt:
        if count[param] > MAX_PATHS or longest[param] > MAX_CHAIN:
            gradients.append(Gradient(param, (), None))  # read off the backward pass
            continue
        paths = _paths(problem, problem.loss, param, depending_on(problem, param))
        terms = [sp.Mul(*[by_key[k].after for k in path], evaluate=False) for path in paths]
        gradients.append(Gradient(param, tuple(paths), tidy(sp.Add(*terms, evaluate=False))))
    places = []
    for q in problem.quantities:
        places.extend(kink_places(q.name, q.expr))
    taken = set(problem.names) | set(problem.inputs)
    weight = kink_symbol(taken)
    on_kink = _on_kink(places, gradients, weight)
    reduced = _reduced(problem, gradients) if problem.reduction is not None else ()
    jumps = tuple(j for q in problem.quantities for j in jump_places(q.name, q.expr))
    return tuple(partials), tuple(gradients), tuple(places), weight, on_kink, reduced, jumps


def _on_kink(places, gradients, t: sp.Symbol) -> tuple[OnKink, ...]:
    """Each gradient with a place's local factor replaced by the weight ``t``."""
    out = []
    for place in places:
        if place.is_tie:  # weights on a simplex: stated at a point, not as one formula in t
            continue
        repl = {f: (t if sign == 1 else sp.Add(1, sp.Mul(-1, t, evaluate=False), evaluate=False))
                for f, sign in place.local}
        for g in gradients:
            if g.expr is not None and any(g.expr.has(f) for f in repl):
                try:
                    with sp.evaluate(False):  # as written: no Piecewise re-evaluation
                        formula = g.expr.xreplace(repl)
                    formula = tidy(formula)
                except (TypeError, ValueError):  # SymPy cannot rebuild it (a comparison with
                    continue  # zoo): no formula on this kink; the numbers still say it
                out.append(OnKink(place, g.param, formula))
    return tuple(out)


def indexed_names(problem: Problem) -> dict[str, str]:
    """For a reduction from ``--data``: each per-example name and its indexed spelling (x -> x_i)."""
    red = problem.reduction
    if red is None or red.indexed:
        return {}
    columns = set(problem.data.columns) if problem.data is not None else set()
    varying = set(columns)
    for q in problem.quantities:
        if any(s.name in varying for s in q.expr.free_symbols):
            varying.add(q.name)
    return {n: f"{n}_{red.index}" for n in [*problem.inputs, *problem.names] if n in varying}


def _reduced(problem: Problem, gradients) -> tuple[tuple[str, Step], ...]:
    """Linearity of the sum for each gradient: d total/dp = (1/n) sum_i d loss_i/dp."""
    red = problem.reduction
    index = _sym(red.index)
    mean = red.kind == "mean"
    rename = {_sym(a): _sym(b) for a, b in indexed_names(problem).items()}
    per_example = _sym(red.per_example)
    per_example_i = rename.get(per_example, per_example)
    if not red.indexed:
        per_example_i = _sym(f"{red.per_example}_{red.index}")
    out = []
    for g in gradients:
        p = _sym(g.param)
        before = example_sum(per_example_i, index, mean)
        middle = example_sum(Leibniz(per_example_i, p), index, mean)
        after = example_sum(replaced(g.expr, rename), index, mean) if g.expr is not None else middle
        out.append((g.param, Step(Rule.LINEARITY, p, before, middle, middle, after)))
    return tuple(out)


def full_loss(problem: Problem) -> tuple[sp.Basic, dict[sp.Symbol, sp.Basic]]:
    """The loss with every named quantity replaced by its definition, and those replacements."""
    expanded: dict[sp.Symbol, sp.Basic] = {}
    for q in problem.quantities:
        expanded[q.symbol] = substituted(evaluated(q.expr), expanded)
    return expanded[_sym(problem.loss)], expanded
