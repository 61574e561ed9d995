"""The verify stage: check a derivation against oracles that do not share its code.

- ``sympy.diff``: every local partial that the rules derived equals SymPy's derivative of
  the same quantity, and (when the loss written out in the inputs is small enough to
  handle) the whole gradient equals ``sympy.diff`` of that written-out loss. Equality is
  decided at seeded random points, negative values included, in floats.
- Central finite differences of the forward pass at the point, when a point is given and
  it is not on a kink (the values carry 30 digits, so ``h = 1e-10`` is safe).
"""

from __future__ import annotations

import math
import random

import sympy as sp

from symgrad.budget import StepTimeout, step_limit
from symgrad.derivation.chain import full_loss
from symgrad.derivation.record import Derivation
from symgrad.expr.algebra import evaluated, substituted
from symgrad.expr.functions import to_elementary
from symgrad.numbers.floats import fvals
from symgrad.numbers.values import Evaluator
from symgrad.records import record

#: Largest (written-out loss size x parameters) compared with sympy.diff as a whole; beyond
#: it sympy.diff checks every local derivative and finite differences check the chain.
MAX_EXPANDED = 500
#: With more parameters than this, one central difference along a seeded random direction
#: checks the whole gradient (two forward passes) instead of one per parameter.
MAX_FD_PARAMS = 4
_SEED = 20261126
_POINTS = 24
_H = sp.Rational(1, 10**10)


@record
class Verification:
    """How one gradient was checked against independent oracles."""

    param: str
    sympy: bool
    finite_difference: bool | None
    note: str


#: Seconds the independent check may spend in SymPy on one comparison; past it the comparison
#: is no evidence either way (the finite differences still run), never an overrun.
ORACLE_SECONDS = 2.0

def _normal(expr: sp.Basic) -> sp.Basic:
    """Heaviside(u, h0) and Heaviside(u) differ only at u = 0: compare them as one; SymPy's
    DiracDelta (the derivative of a jump) is 0 wherever the two are compared (u != 0)."""
    expr = expr.replace(lambda e: isinstance(e, sp.Heaviside), lambda e: sp.Heaviside(e.args[0]))
    return expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))


def _tree_size(expr: sp.Basic) -> int:
    """Nodes of ``expr`` as a tree (shared sub-expressions counted each time), in linear time."""
    memo: dict = {}
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in memo:
            continue
        if ready or not node.args:
            memo[node] = 1 + sum(memo[a] for a in node.args)
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in memo)
    return memo[expr]


def expanded_size(problem) -> int:
    """Nodes of the loss written out in the inputs, counted without writing it out."""
    size: dict[str, int] = {}
    for q in problem.quantities:
        stack = [q.expr]
        total = 0
        while stack:
            node = stack.pop()
            if isinstance(node, sp.Symbol):
                total += size.get(node.name, 1)
            else:
                total += 1
                stack.extend(node.args)
        size[q.name] = total
    return size[problem.loss]


def same_function(a: sp.Basic, b: sp.Basic, symbols, seed: int = _SEED) -> bool:
    """Equal as functions: identical trees, or equal (1e-9 relative) at seeded random points.

    At least three points must lie inside both domains; ``sympy.simplify`` is not used (on
    nested chains it can run for minutes, and a difference shows at random points anyway).
    """
    return compare_functions(a, b, symbols, seed) is True


def compare_functions(a: sp.Basic, b: sp.Basic, symbols, seed: int = _SEED,
                      ties_of: sp.Basic | None = None, domain=(), tie_args=()) -> bool | None:
    """:func:`same_function` with a third answer: None when the two cannot be compared (no
    three sampled points where both are finite, or a form the float evaluator cannot read,
    such as sympy.diff's ``0**Heaviside(b)*log(0)``): no evidence either way.

    With ``ties_of`` (the function a and b differentiate; a is symgrad's derivative of it),
    points where an indicator the rules wrote (``1[a - b > 0]``) has its argument at 0 are left
    out: arms of a max/min tie there, a kink, where the derivative is the convention's pick,
    not the formula's. Arms can tie on a whole region (``min(m, clamp(m, 0, 1))`` on [0, 1]),
    where the rule's strict indicators and sympy.diff part ways.

    ``domain``: expressions that must be real at a compared point (the named quantities
    written out): the problem's quantities are real symbols, so where a definition is not
    real (``sqrt(w)`` at ``w < 0``) SymPy's simplifications under that assumption do not hold.
    ``tie_args``: more indicator arguments, taken before SymPy simplified them (arms that are
    the same quantity, ``min(m, u1)`` with ``u1 = m``, tie everywhere: seed 5,064,799).
    """
    a, b = _normal(a), _normal(b)
    if a == b:
        return True
    rng = random.Random(seed)
    symbols = sorted(set(symbols) | a.free_symbols | b.free_symbols, key=lambda s: s.name)
    # the indicators the rules wrote (1[a - b > 0]): where one's argument is 0, arms tie
    indicators = [h.args[0] for h in a.atoms(sp.Heaviside)] if ties_of is not None else []
    indicators += list(tie_args)
    # on the boundary of a piecewise condition the two may pick different pieces, and SymPy's
    # rewritten conditions can compare equal terms that rounding tells apart
    # (sinh(x)^2 < 14 - 2|sinh(x)^2/2 - 7|: seed 7,015,259)
    indicators += [r.lhs - r.rhs for e in (a, b) for pw in e.atoms(sp.Piecewise)
                   for _, cond in pw.args for r in cond.atoms(sp.core.relational.Relational)]
    for spread in (3.0, 1.0):  # the second round helps domains like 0 < p < 1
        env = {s: [round(rng.uniform(-spread, spread), 4) or 0.5 for _ in range(_POINTS)]
               for s in symbols}
        try:
            va, vb = fvals(a, env, _POINTS), fvals(b, env, _POINTS)
            scale = [max(p, q) for p, q in zip(_term_scale(a, env), _term_scale(b, env))]
            tied = _ties(indicators, env)
            for e in _domain_parts(domain):  # outside the real domain of a quantity: not compared
                tied = [t or math.isnan(v) for t, v in zip(tied, fvals(e, env, _POINTS))]
        except (TypeError, ValueError, RecursionError, KeyError):
            return None
        both = [(x, y, z) for x, y, z, t in zip(va, vb, scale, tied)
                if not (math.isnan(x) or math.isnan(y) or t)]
        # relative to the largest term as well: sympy.diff's 1e30/w - 1e30*w/w^2 is 0 only up
        # to the rounding of its terms (seed 5,039,387)
        if any(abs(x - y) > 1e-9 * max(1.0, abs(x), abs(y), z) for x, y, z in both):
            return False
        if len(both) >= 3:
            return True
    return None


def _domain_parts(domain) -> list[sp.Basic]:
    """The quantities and every log and root inside them: min(log(u), v) at u < 0 can still
    evaluate to a number (a float min() passes a NaN by), yet the quantity is not real there
    (seed 9,024,468)."""
    out: dict = {}
    for e in domain:
        out[e] = None
        for node in sp.preorder_traversal(e):
            if isinstance(node, sp.log) or (node.is_Pow and node.exp.is_integer is False):
                out[node] = None
    return list(out)


def _term_scale(e: sp.Basic, env: dict) -> list[float]:
    """At each point, how much rounding the value of ``e`` in floats can carry: the largest
    magnitude among the terms of a sum, through products (the sum inside
    -(999..9 sign(m)/2 + 100..01/2) sign(u)/w cancels 5e29 to 1 and is then divided by w: seed
    9,086,622), and the sums that are a piece of a piecewise expression (sympy.diff's
    Piecewise((1e30/m - 1e30 m/m^2, ...)): seed 7,071,534). Where a term is not finite it
    does not count."""
    out = _bound(e, env)
    for pw in e.atoms(sp.Piecewise):
        for piece, _ in pw.args:
            out = [max(p, q) for p, q in zip(out, _bound(piece, env))]
    return out


def _bound(e: sp.Basic, env: dict) -> list[float]:
    """|e| at each point, with every sum met through sums and products taken as its largest
    term (0 where not finite)."""
    if e.is_Add:
        out = [0.0] * _POINTS
        for term in e.args:
            out = [max(p, q) for p, q in zip(out, _bound(term, env))]
        return out
    if e.is_Mul:
        out = [1.0] * _POINTS
        for factor in e.args:
            out = [p * q for p, q in zip(out, _bound(factor, env))]
        return [v if math.isfinite(v) else 0.0 for v in out]
    return [abs(v) if math.isfinite(v) else 0.0 for v in fvals(e, env, _POINTS)]


def _ties(indicators: list, env: dict) -> list[bool]:
    """At each sampled point: is one of these indicator arguments 0 (arms tie: a kink)?"""
    tied = [False] * _POINTS
    for arg in indicators:
        for k, v in enumerate(fvals(arg, env, _POINTS)):
            if abs(v) <= 1e-12:
                tied[k] = True
    return tied


def _oracle_diff(expr: sp.Basic, var: sp.Symbol) -> sp.Basic:
    """``sympy.diff(expr, var)``, with the derivatives SymPy leaves unevaluated of the
    piecewise-constant sign(u) and 1[u > 0] (``Derivative(sign(7/w), w)``) set to 0, their
    value wherever they exist (their jumps are found and reported apart)."""
    flat = (sp.sign, sp.Heaviside)

    def unevaluated(e) -> bool:
        inner = e.expr.expr if isinstance(e, sp.Subs) and isinstance(e.expr, sp.Derivative) \
            else e.expr if isinstance(e, sp.Derivative) else None
        return isinstance(inner, flat)

    out = sp.diff(expr, var)
    if out.has(sp.Derivative):
        out = out.replace(unevaluated, lambda e: sp.Integer(0))
    return out


def _locals_agree(d: Derivation) -> list[str]:
    """Local partials whose rule-by-rule result differs from sympy.diff (empty: all agree)."""
    bad = []
    for q in d.problem.quantities:
        for part in (p for p in d.partials if p.quantity == q.name):
            if _compare_local(q, part) is False:
                bad.append(f"d{q.name}/d{part.symbol}")
    return bad


def _compare_local(q, part) -> bool | None:
    """One local derivative against sympy.diff of its quantity (None: SymPy cannot build or
    compare them, e.g. max() of an argument it cannot order)."""
    try:
        with step_limit(ORACLE_SECONDS, "sympy.diff of a local derivative"):
            definition = to_elementary(evaluated(q.expr))
            ours = to_elementary(evaluated(part.after))
            oracle = _oracle_diff(definition, sp.Symbol(part.symbol, real=True))
            return compare_functions(ours, oracle, definition.free_symbols, ties_of=definition)
    except (TypeError, ValueError, RecursionError, StepTimeout):
        return None


def _forward_loss(d: Derivation, point: dict) -> sp.Basic:
    env = {sp.Symbol(k, real=True): v for k, v in point.items()}
    ev = Evaluator(env)
    for q in d.problem.quantities:
        env[q.symbol] = ev(q.expr)
    return env[sp.Symbol(d.problem.loss, real=True)]


def verify(d: Derivation, numbers=None) -> tuple[Verification, ...]:
    """Check every gradient of ``d`` (and its value in ``numbers``, if given).

    Small problems compare each whole gradient with ``sympy.diff`` of the written-out loss;
    larger ones (and any gradient that differs, to name the culprit) compare every local
    derivative with ``sympy.diff`` of its quantity, leaving the chain to the finite
    differences.
    """
    p = d.problem
    whole = (all(g.expr is not None for g in d.gradients)
             and expanded_size(p) * len(p.wrt) <= MAX_EXPANDED)
    checked = []
    if whole:
        try:
            with step_limit(ORACLE_SECONDS, "writing the loss out"):
                full, expanded = full_loss(p)
        except (TypeError, ValueError, OverflowError, RecursionError, StepTimeout):  # written out, a condition
            # compares a non-real constant SymPy refuses, SymPy's Piecewise recurses without end
            # (seed 3,021,350) or settles conditions for minutes: each local derivative instead
            whole = False
    if whole:
        inputs = [sp.Symbol(n, real=True) for n in p.inputs]
        for g in d.gradients:
            try:
                with step_limit(ORACLE_SECONDS, "sympy.diff of the loss"):
                    elementary = to_elementary(full)
                    oracle = _oracle_diff(elementary, sp.Symbol(g.param, real=True))
                    ours = to_elementary(substituted(evaluated(g.expr), expanded))
                    ties = [substituted(h.args[0], expanded)  # before the arms are merged
                            for h in to_elementary(evaluated(g.expr)).atoms(sp.Heaviside)]
                    same = compare_functions(ours, oracle, inputs, ties_of=elementary,
                                             domain=[to_elementary(e) for e in expanded.values()],
                                             tie_args=ties)
            except (TypeError, ValueError, RecursionError, StepTimeout):  # SymPy cannot build,
                same = None  # differentiate or compare it (in time)
            checked.append((g.param, same is not False, "equals sympy.diff" if same else
                            "sympy.diff cannot be compared here (SymPy cannot build it, not within "
                            f"{ORACLE_SECONDS:g} s, or it is not finite where sampled), so it is "
                            "no evidence"))
    if not whole or not all(ok for _, ok, _ in checked):
        bad = _locals_agree(d)
        how = (f"DIFFERS from sympy.diff in {', '.join(bad)}" if bad
               else "each local derivative equals sympy.diff")
        if whole:
            checked = [(w, ok, note if ok else f"DIFFERS from sympy.diff; {how}")
                       for w, ok, note in checked]
        else:
            checked = [(g.param, not bad, how) for g in d.gradients]
    return _with_fd(d, numbers, checked)


def _at_boundary(param: str, ok: bool, how: str, numbers) -> Verification:
    """The point is on a where() boundary whose one-sided derivatives differ: no derivative
    exists there, and the piece the condition selects is what is shown (torch.where's rule)."""
    from symgrad.rendering.printing import plain

    where = ", ".join(f"{plain(b.expr)} in {b.quantity}" for b in numbers.boundaries)
    return Verification(param, ok, None, f"{how}; finite differences skipped: the point is on "
                        f"the boundary of {where}, where the one-sided derivatives differ and the "
                        "condition as written picks the piece")


def _central(d: Derivation, point: dict, direction: dict, h: sp.Rational = _H) -> sp.Basic:
    """The central difference of the loss along ``direction`` (h = 1e-10)."""
    plus = _forward_loss(d, {k: v + h * direction.get(k, 0) for k, v in point.items()})
    minus = _forward_loss(d, {k: v - h * direction.get(k, 0) for k, v in point.items()})
    return (plus - minus) / (2 * h)


def _settled(d: Derivation, point: dict, direction: dict, fd) -> bool:
    """Has the central difference converged at h = 1e-10? Its error shrinks with h squared, so
    at h/10 it must agree with the value at h; when the loss bends too fast there (sin(1e8 b))
    it does not, and a disagreement with the gradient is no evidence against it. Nor is it
    when the loss is so large that its 30 digits cancel in the difference (1e30 + sigmoid(m)),
    or when a kink lies within h of the point (the one-sided differences disagree)."""
    from symgrad.numbers.values import PRECISION

    value = _forward_loss(d, {k: v + _H * direction.get(k, 0) for k, v in point.items()})
    if isinstance(value, sp.Float) and abs(value) * sp.Float(10) ** (3 - PRECISION) / _H > \
            sp.Float("1e-8") * abs(fd) + sp.Float("1e-12"):
        return False
    # a kink within h of the point (max(1e-30, b) at b = 0): the one-sided slopes differ
    here = _forward_loss(d, point)
    below = _forward_loss(d, {k: v - _H * direction.get(k, 0) for k, v in point.items()})
    if not _close((value - here) / _H, (here - below) / _H):
        return False
    return _converged(_central(d, point, direction, _H / 10), fd)


def _converged(a, b) -> bool:
    """Two central differences agree relatively. No absolute floor here: two differences of
    1e-21 that are noise (cos(1e30 sqrt(m)) at 30 digits, seed 3,042,432) must not pass for a
    settled one because both are below 1e-12."""
    return bool(abs(a - b) <= sp.Float("1e-6") * max(abs(a), abs(b)))


def _close(fd, value) -> bool:
    return bool(abs(fd - value) <= sp.Float("1e-8") * abs(value) + sp.Float("1e-12"))


def _with_fd(d: Derivation, numbers, checked, jumps_ok: bool = False) -> tuple[Verification, ...]:
    """Add the finite-difference verdict: per parameter, or along one random direction."""
    if numbers is None:
        return tuple(Verification(w, ok, None, f"{how}; no point, so no finite difference")
                     for w, ok, how in checked)
    broken = set().union(*(j.names for j in numbers.jumps)) if numbers.jumps else set()
    if broken and not jumps_ok:
        where = ", ".join(f"{j.function} in {j.quantity}" for j in numbers.jumps)
        checked = [(w, ok, how + (f"; no derivative: the point is on a jump ({where})" if w in broken
                                  else "")) for w, ok, how in checked]
        if all(w in broken for w, _, _ in checked):
            return tuple(Verification(w, ok, None, how) for w, ok, how in checked)
        return tuple(Verification(w, ok, None, how) if w in broken
                     else _with_fd(d, numbers, [(w, ok, how)], jumps_ok=True)[0]
                     for w, ok, how in checked)
    if numbers.kinks:
        where = ", ".join(f"{k.function} in {k.quantity}" for k in numbers.kinks)
        return tuple(Verification(w, ok, None, f"{how}; finite differences skipped: the point is "
                                  f"on a kink ({where})") for w, ok, how in checked)
    point = dict(numbers.inputs)
    grad = dict(numbers.gradient)
    out = []
    try:
        if len(checked) <= MAX_FD_PARAMS:
            for w, ok, how in checked:
                fd = _central(d, point, {w: 1})
                if not _close(fd, grad[w]) and numbers.boundaries:
                    out.append(_at_boundary(w, ok, how, numbers))
                    continue
                if not _close(fd, grad[w]) and not _settled(d, point, {w: 1}, fd):
                    out.append(Verification(w, ok, None, f"{how}; the central difference does "
                                            "not settle here (the loss changes too fast at "
                                            "h = 1e-10), so it is no evidence"))
                    continue
                agrees = "agrees with" if _close(fd, grad[w]) else "DISAGREES with"
                out.append(Verification(w, ok, _close(fd, grad[w]), f"{how}; {agrees} the "
                                        f"central difference (h = 1e-10): {float(fd):.10g}"))
            return tuple(out)
        # many parameters: the directional derivative along a seeded random direction v
        rng = random.Random(_SEED)
        v = {w: sp.Rational(rng.randint(1, 999), 1000) * rng.choice((-1, 1)) for w, _, _ in checked}
        fd = _central(d, point, v)
        want = sum(grad[w] * v[w] for w in v)
        fd_ok = _close(fd, want)
        if not fd_ok and numbers.boundaries:
            return tuple(_at_boundary(w, ok, how, numbers) for w, ok, how in checked)
        if not fd_ok and not _settled(d, point, v, fd):
            return tuple(Verification(w, ok, None, f"{how}; the central difference does not "
                                      "settle here (the loss changes too fast at h = 1e-10), so "
                                      "it is no evidence") for w, ok, how in checked)
        agrees = "agrees with" if fd_ok else "DISAGREES with"
        note = (f"{agrees} the central difference along a random direction of all "
                f"{len(v)} parameters (h = 1e-10): {float(fd):.10g} vs {float(want):.10g}")
        return tuple(Verification(w, ok, fd_ok, f"{how}; {note}") for w, ok, how in checked)
    except Exception:  # noqa: BLE001 - a neighbour outside the domain: no evidence
        return tuple(Verification(w, ok, None, f"{how}; the finite difference is undefined here")
                     for w, ok, how in checked)
