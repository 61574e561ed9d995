"""The Problem: named quantities in order, the loss, the parameters, and optionally the point and the options."""

from __future__ import annotations

from functools import cached_property

import sympy as sp

from symgrad.errors import ProblemError
from symgrad.expr.sums import ExampleSum
from symgrad.numbers.conventions import Convention
from symgrad.numbers.values import DEFAULT_DIGITS
from symgrad.reader.expression import (
    CONSTANTS,
    assigned_name,
    parse_assignment,
    parse_number,
    parse_values,
)
from symgrad.reader.losses import BY_NAME as LOSS_NAMES
from symgrad.reader.schema import MAX_DIGITS, MAX_QUANTITIES, MAX_STEPS  # noqa: F401 - the bounds
from symgrad.records import field, record


@record
class Quantity:
    """One named quantity, ``name = expr``, as the author wrote it."""

    name: str
    expr: sp.Basic
    text: str

    @property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name, real=True)


@record
class Variant:
    """A side-by-side comparison case: the same problem with another loss and/or other values."""

    label: str
    loss: Quantity | None = None
    values: tuple[tuple[str, sp.Rational], ...] = ()


@record
class Reduction:
    """The loss over a dataset: ``total = mean_i per_example`` (or the sum).

    Attributes:
        kind: ``mean`` or ``sum``.
        index: the index name (``i``).
        total: the name of the dataset loss (``J``).
        per_example: the name of the per-example loss (a named quantity of the problem).
        indexed: True when the author wrote the per-example names with ``_i`` themselves
            (``J = mean((y_i - yhat_i)^2, i)``); False when the reduction comes from
            ``--data`` with ``--reduce`` and the names are indexed only for display.
        text: the author's definition of ``total`` (empty when it comes from ``--reduce``).
    """

    kind: str
    index: str
    total: str
    per_example: str
    indexed: bool
    text: str = ""


@record
class Problem:
    """Everything a derivation needs; build it with :func:`build_problem`.

    The point (``values``) is optional: with none, the derivation is symbolic.
    """

    quantities: tuple[Quantity, ...]
    loss: str
    wrt: tuple[str, ...]
    values: tuple[tuple[str, sp.Rational], ...]
    lr: sp.Rational | None = None
    steps: int = 1
    convention: Convention = Convention.MIN_NORM
    digits: int = DEFAULT_DIGITS
    title: str = ""
    variants: tuple[Variant, ...] = field(default=())
    closing: str = ""
    style: str = "leibniz"
    data: object = None  # a symgrad.reader.data.Dataset, or None
    reduce: str = "mean"
    update: str = "batch"
    reduction: Reduction | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.quantities)

    @cached_property
    def inputs(self) -> tuple[str, ...]:
        """Every name used that is not a named quantity, in order of first use."""
        seen: dict[str, None] = {}
        named = set(self.names)
        for q in self.quantities:
            for s in sorted(q.expr.free_symbols, key=lambda s: (q.text.find(s.name), s.name)):
                if s.name not in named:
                    seen.setdefault(s.name)
        return tuple(seen)

    @cached_property
    def _by_name(self) -> dict:
        return {q.name: q for q in self.quantities}

    def quantity(self, name: str) -> Quantity:
        return self._by_name[name]

    @cached_property
    def uses(self) -> dict[str, tuple[str, ...]]:
        """Each named quantity's symbols, in the order the author wrote them."""
        return {q.name: tuple(sorted((s.name for s in q.expr.free_symbols),
                                     key=lambda n, t=q.text: (t.find(n), n)))
                for q in self.quantities}

    @cached_property
    def inputs_of(self) -> dict[str, frozenset[str]]:
        """Each name's inputs: the inputs it depends on through the graph (one pass)."""
        out: dict[str, frozenset[str]] = {}
        for q in self.quantities:
            found: set[str] = set()
            for s in self.uses[q.name]:
                found |= out.get(s, {s})
            out[q.name] = frozenset(found)
        return out

    @property
    def has_point(self) -> bool:
        """True when every input has a value (numbers can be computed)."""
        return bool(self.values)

    def point(self) -> dict[sp.Symbol, sp.Rational]:
        return {sp.Symbol(k, real=True): v for k, v in self.values}


def _split_names(wrt) -> list[str]:
    if isinstance(wrt, str):
        wrt = [wrt]
    names = []
    for item in wrt:
        names.extend(n.strip() for n in item.split(",") if n.strip())
    return names


def build_problem(
    lets: list[str],
    *,
    wrt=None,
    at: str | dict | None = None,
    loss: str | None = None,
    lr=None,
    steps: int = 1,
    convention: str | Convention = Convention.MIN_NORM,
    digits: int = DEFAULT_DIGITS,
    title: str = "",
    variants: tuple[Variant, ...] = (),
    closing: str = "",
    style: str = "leibniz",
) -> Problem:
    """Read and check a problem given as text (the CLI's options, or the same from Python).

    Args:
        lets: ``'NAME = EXPR'`` definitions in order; later ones may use earlier names. A
            definition ``J = mean(body, i)`` (or ``sum``) makes the problem a loss over a
            dataset (see :class:`Reduction`).
        wrt: the parameters, as ``'m,b'`` or a list of names.
        at: the point, as ``'x=2, y=10'`` or a mapping of name to number; leave it out
            for a symbolic derivation.
        loss: the quantity to differentiate (default: the last one).
        lr: the learning rate for gradient-descent updates (optional).
        steps: how many updates to take (needs ``lr`` and a point).
        convention: the kink convention's name.
        digits: significant digits for decimals that are not exact.
        title: a heading for rendered output.
        variants: comparison cases shown at the end.

    Raises:
        ParseError: a definition or value that cannot be read.
        ProblemError: an inconsistent problem (unknown name, missing value, ...).
    """
    if not lets:
        raise ProblemError("no quantities: give at least one --let 'NAME = EXPR'")
    if len(lets) > MAX_QUANTITIES:
        raise ProblemError(f"too many quantities ({len(lets)}; at most {MAX_QUANTITIES})")
    defined = [assigned_name(t) for t in lets]
    # a --let that defines a constant's (e, pi) or a loss's name (mse) shadows it everywhere
    shadowed = frozenset(n for n in defined if n in CONSTANTS or n in LOSS_NAMES)
    quantities: list[Quantity] = []
    position = {n: i for i, n in reversed(list(enumerate(defined, 1))) if n}
    for i, text in enumerate(lets, 1):
        name, expr = parse_assignment(text, where=f"--let #{i}", shadowed=shadowed)
        if name in {q.name for q in quantities}:
            raise ProblemError(f"--let #{i}: {name} is defined twice")
        for s in sorted(expr.free_symbols, key=lambda s: s.name):
            if position.get(s.name, 0) >= i:
                raise ProblemError(f"--let #{i}: {name} uses {s.name} before it is defined")
        quantities.append(Quantity(name, expr, text.split("=", 1)[1].strip()))
    names = [q.name for q in quantities]
    loss = loss or names[-1]
    if loss not in names:
        raise ProblemError(f"--loss {loss!r} is not a named quantity (named: {', '.join(names)})")
    quantities, loss, reduction = _reduction(quantities, loss)
    names = [q.name for q in quantities]
    probe = Problem(tuple(quantities), loss, (), ())
    inputs = probe.inputs
    values = _read_values(at, where="--at")
    for k in values:
        if k in names:
            raise ProblemError(f"--at: {k} is a named quantity, computed from its definition; remove it")
        if k not in inputs:
            raise ProblemError(f"--at: unknown name {k!r} (inputs: {', '.join(inputs)})")
    missing = [n for n in inputs if n not in values]
    if values and missing:
        raise ProblemError(
            f"missing value for {', '.join(missing)}: give it with --at '{missing[0]}=...' "
            "(or leave out --at for a symbolic derivation)")
    params = _split_names(wrt) if wrt else []
    if not params:
        raise ProblemError(f"no parameter to differentiate by: give --wrt (inputs: {', '.join(inputs)})")
    for p in params:
        if p in names:
            raise ProblemError(f"--wrt {p}: {p} is a named quantity; differentiate by an input ({', '.join(inputs)})")
        if p not in inputs:
            raise ProblemError(f"--wrt: unknown name {p!r} (inputs: {', '.join(inputs)})")
        if not _reaches(probe, loss, p):
            raise ProblemError(f"--wrt {p}: the loss {loss} does not depend on {p}")
    if len(set(params)) != len(params):
        raise ProblemError("--wrt names a parameter twice")
    conv = convention if isinstance(convention, Convention) else Convention.parse(convention)
    rate = _read_number(lr, "--lr") if lr is not None else None
    if rate is not None and rate <= 0:
        raise ProblemError("--lr must be positive")
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= MAX_STEPS:
        raise ProblemError(f"--steps must be a whole number from 1 to {MAX_STEPS}")
    if steps > 1 and rate is None:
        raise ProblemError("--steps needs a learning rate: give --lr")
    if steps > 1 and not values:
        raise ProblemError("--steps needs a starting point: give --at")
    if not isinstance(digits, int) or isinstance(digits, bool) or not 1 <= digits <= MAX_DIGITS:
        raise ProblemError(f"--digits must be a whole number from 1 to {MAX_DIGITS}")
    ordered = tuple((n, values[n]) for n in inputs) if values else ()
    return Problem(
        tuple(quantities), loss, tuple(params), ordered, rate, steps, conv, digits, title,
        variants, closing, _check_style(style), reduction=reduction,
    )


def _reduction(quantities: list[Quantity], loss: str):
    """Split ``J = mean(body, i)`` into the per-example loss and a :class:`Reduction`."""
    sums = [q for q in quantities if q.expr.has(ExampleSum)]
    if not sums:
        return quantities, loss, None
    q = sums[0]
    if not isinstance(q.expr, ExampleSum):
        raise ProblemError(f"{q.name}: a sum over examples must be the whole definition, "
                           f"e.g. {q.name} = mean((y_i - yhat_i)^2, i)")
    if any(q.name in {s.name for s in other.expr.free_symbols} for other in quantities):
        raise ProblemError(f"{q.name} is a sum over examples; no quantity can use it")
    if q.name != loss or len(sums) > 1:
        raise ProblemError(f"{q.name}: only the loss can be a sum over examples")
    body, index = q.expr.body, q.expr.index.name
    kind = "mean" if q.expr.is_mean else "sum"
    rest = [x for x in quantities if x is not q]
    if isinstance(body, sp.Symbol) and body.name in {x.name for x in rest}:
        per_example = body.name
    else:  # the body becomes a named per-example quantity, ell_i
        per_example = f"ell_{index}"
        taken = {x.name for x in quantities} | {s.name for x in quantities for s in x.expr.free_symbols}
        while per_example in taken:
            per_example = "_" + per_example
        open_ = q.text.find("(")
        close = q.text.rfind(",")
        text = q.text[open_ + 1 : close].strip() if 0 <= open_ < close else str(body)
        rest.append(Quantity(per_example, body, text))
    return rest, per_example, Reduction(kind, index, q.name, per_example, True, q.text)


#: How the chain rule is presented.
STYLES = ("leibniz", "backprop")


def _check_style(style: str) -> str:
    if style not in STYLES:
        raise ProblemError(f"unknown style {style!r} (known: {', '.join(STYLES)})")
    return style


def _read_values(at, where: str) -> dict[str, sp.Rational]:
    if at is None or at == "":
        return {}
    if isinstance(at, dict):
        return {str(k): _read_number(v, f"{where} {k}") for k, v in at.items()}
    return parse_values(at, where=where)


def _read_number(v, where: str) -> sp.Rational:
    if isinstance(v, bool):
        raise ProblemError(f"{where}: expected a number, got {v!r}")
    if isinstance(v, int):
        return sp.Integer(v)
    if isinstance(v, (float, str)):
        return parse_number(str(v) if isinstance(v, str) else repr(v), where=where)
    if isinstance(v, sp.Rational):
        return v
    raise ProblemError(f"{where}: expected a number, got {v!r}")


def _reaches(problem: Problem, name: str, param: str) -> bool:
    """True when the quantity ``name`` depends on ``param`` through the graph."""
    return param in problem.inputs_of.get(name, ())


def depending_on(problem: Problem, param: str) -> set[str]:
    """``param`` and every named quantity that depends on it."""
    if param in problem.inputs_of:  # a named quantity: walk from it
        reach = {param}
        for q in problem.quantities:
            if any(s in reach for s in problem.uses[q.name]):
                reach.add(q.name)
        return reach
    return {param} | {n for n, used in problem.inputs_of.items() if param in used}
