"""What the names in a hand derivation mean: the problem's, the document's own, and indices.

A :class:`Scope` holds every name a row may use: the problem's inputs and named quantities,
and what the document defines itself (``u = 2w + b - 5``, ``s(x) = 1/(1 + e^{-x})``,
``J(\\theta_0, \\theta_1) = ...``). Index notation (``x_i``, ``x^{(i)}``, ``y_j``) is resolved
against numbered names: a problem over examples is checked on copies ``x_1 .. x_N`` of its
per-example names, and softmax-style problems name their components ``z1, z2, z3``.

The placeholders here stand for things a row says that are not plain expressions yet:
``f(0.3)`` (:class:`At`), ``d f / d (w^T x)`` (:class:`ByExpression`); the truth resolves them.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sympy as sp

from symgrad.reader.expression import symbol
from symgrad.records import field, record

#: Letters that can be indices (``x_i``, ``\sum_k``) when they are not names themselves.
INDEX_LETTERS = frozenset("ijklnmrstcdpqabh")
#: How many values a free index or an unbounded sum may take, and row instances at most.
MAX_DOMAIN = 12
MAX_INSTANCES = 64
#: Names a learning rate goes by in an update row.
RATE_NAMES = ("alpha", "eta", "lr", "epsilon", "gamma", "mu", "rho", "learning_rate", "rate")


class At(sp.Function):
    """``expr`` with ``var`` set to ``value``: ``f(0.3)``, ``f'(1)`` (held until resolved)."""

    nargs = 3


class ByExpression(sp.Function):
    """The derivative of ``top`` by the expression ``bottom``: ``d f / d(w^T x)``."""

    nargs = 2


@record
class DocFunction:
    """A function the document defines: ``s(x) = \\frac{1}{1+e^{-x}}``."""

    name: str
    params: tuple[sp.Symbol, ...]
    body: sp.Expr
    line: int

    def __call__(self, args: list[sp.Expr]) -> sp.Expr:
        return self.body.xreplace(dict(zip(self.params, args)))


@record(frozen=False)
class Scope:
    """The names in force while a document is read (it grows as definitions are met).

    Attributes:
        inputs: the problem's inputs (and numbered copies of per-example ones).
        quantities: the problem's named quantities.
        params: the parameters the problem differentiates by.
        defined: names the document defines, with their expressions (in scope names).
        functions: functions the document defines.
        args: the argument list a quantity was written with (``J(\\theta_0,\\theta_1)``).
        generic: names the document defines by general rules (``y = f(t)`` with f unknown).
        counts: symbols that count examples or components (``m`` in ``\\sum_{i=1}^m``).
        count_value: the number a count stands for (the examples checked), or None.
        macros, operators: from ``\\newcommand`` and ``\\DeclareMathOperator``.
    """

    inputs: frozenset[str]
    quantities: frozenset[str]
    params: tuple[str, ...] = ()
    loss: str | None = None
    defined: dict[str, sp.Expr] = field(default_factory=dict)
    functions: dict[str, DocFunction] = field(default_factory=dict)
    args: dict[str, tuple[sp.Expr, ...]] = field(default_factory=dict)
    generic: set[str] = field(default_factory=set)
    indexed: dict[str, str] = field(default_factory=dict)  # name -> the index it varies with
    def_lines: dict[str, int] = field(default_factory=dict)  # f(x) = ...: where f is defined
    line: int = 0  # the line being read
    counts: set[str] = field(default_factory=set)
    count_value: int | None = None
    macros: dict = field(default_factory=dict)
    operators: dict = field(default_factory=dict)

    opened: set[str] | None = None  # reading a document for its problem: new names are inputs
    upstream: dict[str, frozenset[str]] = field(default_factory=dict)  # quantity -> its inputs
    # (w, x) -> c: the problem writes the linear form as w*x_i + c_i, c standing for the other
    # features, so the document's dot product w^T x^{(i)} is all of it
    rest_of_product: dict[tuple[str, str], str] = field(default_factory=dict)
    prediction: str | None = None  # the one quantity the loss compares with the target y
    # f -> the entries of the vector the document wrote \nabla f out by (\nabla loss =
    # [\partial loss/\partial scores_0, ...]): a later bare \nabla f is by them too
    nabla_by: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names(self) -> frozenset[str]:
        out = self.inputs | self.quantities | frozenset(self.defined)
        return out | frozenset(self.opened) if self.opened else out

    def vocab(self) -> frozenset[str]:
        """Every word the tokenizer must treat as a name (not as a function or a command)."""
        return self.names | frozenset(self.functions) | frozenset(self.generic) | \
            frozenset(self.indexed)

    def family(self, base: str) -> dict[int, str]:
        """Numbered names with this base: ``x`` -> {1: 'x_1', 2: 'x_2'} or {1: 'x1', ...}.
        The problem's own names come first: a document's data row ``x1=1`` does not turn the
        problem's ``x_1`` into that number (067)."""
        own = _families(self.inputs | self.quantities).get(base, {})
        if not own and base[-1:].isdigit():  # Z1_1 .. Z1_N: the per-example copies of Z1
            own = self.copies_of(base)
        if not self.defined and not self.opened:
            return own
        return {**_families(self.names).get(base, {}), **own}

    def copies_of(self, base: str) -> dict[int, str]:
        """``{1: 'Z1_1', ..}`` when the problem is over N examples and has a copy of ``base``
        for each (a name ending in a digit, which the numbered families cannot split)."""
        n = self.count_value
        names = self.inputs | self.quantities
        if not n or n < 2 or not all(f"{base}_{k}" in names for k in range(1, n + 1)):
            return {}
        return {k: f"{base}_{k}" for k in range(1, n + 1)}

    @property
    def domain(self) -> tuple[int, ...]:
        """The values an index takes when nothing bounds it: every number ending a name."""
        nums = sorted({k for fam in _families(self.names).values() for k in fam})
        return tuple(nums[:MAX_DOMAIN])

    def is_quantity(self, name: str) -> bool:
        return name in self.quantities or name in self.defined


_FAMILY = re.compile(r"^(.*?[A-Za-z])_?(\d{1,2})$|^([A-Za-z]+\d)_(\d{1,2})$")  # x_1; b1_1


@lru_cache(maxsize=64)
def _families(names: frozenset[str]) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for n in names:
        m = _FAMILY.match(n)
        if m and m.group(3):  # b1_1, W1_12: the vector b1, the matrix W1
            out.setdefault(m.group(3), {})[int(m.group(4))] = n
        elif m:
            out.setdefault(m.group(1), {})[int(m.group(2))] = n
            if m.group(1).endswith("_"):
                out.setdefault(m.group(1)[:-1], {})[int(m.group(2))] = n
    return out


def scope_for(problem, examples: int | None = None) -> Scope:
    """The scope of a problem (before the document adds to it)."""
    return Scope(
        inputs=frozenset(problem.inputs),
        quantities=frozenset(problem.names),
        params=tuple(problem.wrt),
        loss=problem.loss,
        count_value=examples,
        upstream=_upstream(problem),
        rest_of_product=_rest_of_product(problem),
        prediction=_prediction(problem),
    )


def _prediction(problem) -> str | None:
    """``L = -(y*log(O3) + (1 - y)*log(1 - O3))``: O3, what the document's \\hat{y} (the
    prediction) is, when the loss is written with one target y and one quantity only, and no
    per-example names (None otherwise)."""
    loss = next((q for q in problem.quantities if q.name == problem.loss), None)
    if loss is None:
        return None
    names = {s_.name for s_ in loss.expr.free_symbols}
    quantities = [n for n in names if n in problem.names]
    if len(quantities) != 1 or not names - set(quantities) <= {"y", "Y"} or \
            not names & {"y", "Y"} or any(n.endswith("_i") for n in names):
        return None
    return quantities[0]


def _rest_of_product(problem) -> dict[tuple[str, str], str]:
    """``w*x_i + c_i`` in the problem, with c_i a per-example input used nowhere else:
    {(w, x): c}. The problem stands for a vector w by one of its components and puts the other
    components' share in c_i (a bias ``w*x + b`` shared by every example is not that)."""
    inputs = set(problem.inputs)
    found: dict[tuple[str, str], set[str]] = {}
    uses: dict[str, int] = {}
    for q in problem.quantities:
        for s_ in q.expr.free_symbols:
            uses[s_.name] = uses.get(s_.name, 0) + q.expr.count(s_)
        for add in q.expr.atoms(sp.Add):
            if len(add.args) != 2:
                continue
            for lin, rest in (add.args, add.args[::-1]):
                factors = lin.args if isinstance(lin, sp.Mul) else ()
                if not (isinstance(rest, sp.Symbol) and rest.name in inputs and len(factors) == 2
                        and all(isinstance(f, sp.Symbol) for f in factors)):
                    continue
                w, x = sorted(factors, key=lambda f: f.name not in problem.wrt)
                number = _FAMILY.match(x.name)
                if w.name in problem.wrt and x.name in inputs and number and \
                        _FAMILY.match(rest.name) and _FAMILY.match(rest.name).group(2) == number.group(2):
                    found.setdefault((w.name, _base(x.name)), set()).add((_base(rest.name),
                                                                          rest.name))
    out = {}
    for key, rests in found.items():
        bases = {b for b, _ in rests}
        if len(bases) == 1 and all(uses.get(n) == 1 for _, n in rests):
            out[key] = bases.pop()
    return out


def _base(name: str) -> str:
    """``x_2`` -> ``x``: the name without the number of its example."""
    m = _FAMILY.match(name)
    return m.group(1).rstrip("_") if m else name


def _upstream(problem) -> dict[str, frozenset[str]]:
    """Every name each quantity depends on, through the quantities it is made of."""
    out: dict[str, frozenset[str]] = {}
    for q in problem.quantities:
        names = {s.name for s in q.expr.free_symbols}
        out[q.name] = frozenset(names.union(*(out.get(n, ()) for n in names)))
    return out


def sym(name: str) -> sp.Symbol:
    return symbol(name)
