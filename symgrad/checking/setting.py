"""The problem a hand derivation is checked against.

It is the derive problem with two differences. A loss over examples (``J = mean((h_i -
y_i)^2, i)``, or ``sum(...)`` anywhere in a definition) is checked on N numbered copies of
its per-example names (``x_1 .. x_N``, ``h_1 .. h_N``): the author's ``\\sum_{i=1}^{m}``,
``x^{(i)}`` and ``\\frac{1}{m}`` are then read term by term, with the count ``n`` (or the
author's ``m``) equal to N. And the point may be partial: a derivation that substitutes
numbers for some inputs only is checked at those.
"""

from __future__ import annotations

import re

import sympy as sp

from symgrad.errors import ProblemError
from symgrad.expr.sums import ExampleSum
from symgrad.numbers.conventions import Convention
from symgrad.reader.expression import CONSTANTS, assigned_name, parse_assignment, parse_values
from symgrad.reader.problem import MAX_QUANTITIES, Problem, Quantity, _read_number, _split_names
from symgrad.reader.tokens import LOSS_NAMES

#: Examples a loss over a dataset is checked on when the point does not say how many.
DEFAULT_EXAMPLES = 3
#: Each checked problem's terms of its sums: ``f_1 .. f_N`` for ``f = (1/n)*sum(...)`` (the
#: author's "i-th component of the sum", ``f_i``).
TERMS: dict = {}
#: The names the count of examples goes by in a definition.
COUNT_NAMES = ("n", "N")


def check_problem(lets, *, wrt=None, at=None, loss=None, lr=None, convention=None,
                  examples: int | None = None) -> tuple[Problem, int | None]:
    """The problem and the number of examples (None when it is not a loss over examples).

    Raises:
        ParseError, ProblemError: as for ``symgrad derive``.
    """
    if not lets:
        raise ProblemError("no quantities: give at least one --let 'NAME = EXPR'")
    if isinstance(lets, str):
        lets = [lets]
    if len(lets) > MAX_QUANTITIES:
        raise ProblemError(f"too many quantities ({len(lets)}; at most {MAX_QUANTITIES})")
    defined = [assigned_name(t) for t in lets]
    shadowed = frozenset(n for n in defined if n in CONSTANTS or n in LOSS_NAMES)
    parsed = []
    for i, text in enumerate(lets, 1):
        name, expr = parse_assignment(text, where=f"--let #{i}", shadowed=shadowed)
        if name in {p[0] for p in parsed}:
            raise ProblemError(f"--let #{i}: {name} is defined twice")
        parsed.append((name, expr, text.split("=", 1)[1].strip()))
    values = _values(at)
    n = None
    terms: dict[str, list] = {}
    if any(e.has(ExampleSum) for _, e, _ in parsed):
        parsed, n, terms = _expand(parsed, values, examples)
    quantities = tuple(Quantity(name, expr, text) for name, expr, text in parsed)
    names = [q.name for q in quantities]
    loss = loss or names[-1]
    if loss not in names:
        raise ProblemError(f"--loss {loss!r} is not a named quantity (named: {', '.join(names)})")
    probe = Problem(quantities, loss, (), ())
    inputs = probe.inputs
    for k in values:
        if k in names:
            raise ProblemError(f"--at: {k} is a named quantity, computed from its definition; remove it")
        if k not in inputs:
            raise ProblemError(f"--at: unknown name {k!r} (inputs: {', '.join(inputs)})")
    params = []
    for p in _split_names(wrt) if wrt else []:
        if p not in inputs and n is not None and p.endswith("_i"):
            params += [c for c in (f"{p[:-2]}_{k}" for k in range(1, n + 1)) if c in inputs]
            continue
        if p in names:
            raise ProblemError(f"--wrt {p}: {p} is a named quantity; differentiate by an input")
        if p not in inputs:
            raise ProblemError(f"--wrt: unknown name {p!r} (inputs: {', '.join(inputs)})")
        params.append(p)
    if not params:
        params = [p for p in inputs if p not in values][:1] or list(inputs[:1])
    params = [p for p in params if p in probe.inputs_of.get(loss, ())] or params
    rate = _read_number(lr, "--lr") if lr is not None else None
    conv = convention if isinstance(convention, Convention) else Convention.parse(convention or "min-norm")
    ordered = tuple((k, values[k]) for k in inputs if k in values)
    problem = Problem(quantities, loss, tuple(params), ordered, rate, convention=conv)
    taken = set(names) | set(inputs)
    TERMS[(problem, n)] = {f"{name}_{k}": t for name, ts in terms.items()
                           for k, t in enumerate(ts, 1) if f"{name}_{k}" not in taken}
    return problem, n


def _values(at) -> dict:
    if not at:
        return {}
    if isinstance(at, dict):
        return {str(k): _read_number(v, f"--at {k}") for k, v in at.items()}
    return parse_values(at, where="--at")


def _expand(parsed, values: dict, examples: int | None):
    """Every sum over examples written out over N numbered copies of the per-example names."""
    indices = {s.index.name for _, e, _ in parsed for s in e.atoms(ExampleSum)}
    per = set()
    for idx in indices:
        suffix = "_" + idx
        per |= {n for n, _, _ in parsed if n.endswith(suffix)}
        per |= {s.name for _, e, _ in parsed for s in e.free_symbols if s.name.endswith(suffix)}
    n = examples or _examples_in(values, per) or DEFAULT_EXAMPLES
    taken = {name for name, _, _ in parsed} | {s.name for _, e, _ in parsed for s in e.free_symbols}

    def copy(name: str, k: int) -> str:
        base = name.rsplit("_", 1)[0]
        out = f"{base}_{k}"
        if out in taken and out not in values:
            raise ProblemError(f"{name}: its copy for example {k} would be {out}, a name already used")
        return out

    def instance(expr, k: int, idx: str):
        swap = {s: sp.Symbol(copy(s.name, k), real=True) for s in expr.free_symbols
                if s.name.endswith("_" + idx) and s.name in per}
        return expr.xreplace(swap)

    def written_out(expr):
        def one(node):
            idx = node.index.name
            terms = [instance(node.body, k, idx) for k in range(1, n + 1)]
            total = sp.Add(*terms)
            return total / n if node.is_mean else total

        return expr.replace(lambda e: isinstance(e, ExampleSum), one)

    out = []
    terms: dict[str, list] = {}
    count = {sp.Symbol(c, real=True): sp.Integer(n) for c in COUNT_NAMES
             if c not in values and c not in {p[0] for p in parsed}}
    for name, expr, text in parsed:
        factor, rest = expr.as_independent(ExampleSum, as_Add=False)
        if isinstance(rest, ExampleSum):  # f = c * sum(body, i): its terms are c * body_k
            idx = rest.index.name
            scale = factor / n if rest.is_mean else factor
            terms[name] = [(scale * instance(rest.body, k, idx)).xreplace(count)
                           for k in range(1, n + 1)]
        expr = written_out(expr).xreplace(count)
        idx = next((i for i in indices if name.endswith("_" + i)), None)
        if idx is not None and name in per:
            for k in range(1, n + 1):
                out.append((copy(name, k), instance(expr, k, idx), text))
        else:
            out.append((name, expr, text))
    return out, n, terms


def _examples_in(values: dict, per: set[str]) -> int | None:
    """How many examples the point gives values for (``X_1 .. X_3``), or None."""
    bases = {p.rsplit("_", 1)[0] for p in per}
    ks = [int(m.group(2)) for v in values if (m := re.fullmatch(r"(.+)_(\d+)", v)) and m.group(1) in bases]
    return max(ks) if ks else None
