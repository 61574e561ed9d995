"""The graph model every drawing reads: the named quantities of a derivation as nodes, an
edge from each name a quantity's expression uses, and a deterministic layered layout.

A node carries its label twice, as plain text (SVG, Mermaid) and as LaTeX (TikZ): with
numbers, ``yhat = 7`` over ``dL/dyhat = -1`` (the forward value and the adjoint the
evaluate stage computed, printed by :func:`symgrad.numbers.values.number_text`, nothing
re-evaluated); without, the name and its expression as written. Quantities sit in the
layer of their longest path from the inputs; an input sits in the layer just before its
first use, so a weight is drawn next to the quantity it enters. Within a layer, nodes keep
the problem's order, then move towards the mean position of their neighbours (a few
barycentre sweeps, ties broken by that order), which removes most crossings.
"""

from __future__ import annotations

from symgrad.records import record

#: Node kinds, in the order a legend lists them.
KINDS = ("input", "parameter", "quantity", "loss")
#: Longest symbolic expression shown in a node (longer ones end in "...").
MAX_EXPR = 40


@record
class Node:
    """One named quantity or input: its kind, its layout slot and its label lines."""

    name: str
    kind: str
    layer: int
    row: int
    lines: tuple[str, ...]  # plain text (Unicode)
    tex: tuple[str, ...]  # LaTeX, each line a math formula without the $ signs


@record
class Graph:
    """Nodes in drawing order (by layer, then row) and edges as (source, target) names."""

    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]
    numeric: bool
    loss: str

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    @property
    def layers(self) -> int:
        return 1 + max(n.layer for n in self.nodes)


def _short(text: str, limit: int = MAX_EXPR) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def value_text(v, digits: int) -> tuple[str, str]:
    """(relation, number) for a value: ``("=", "7")`` or ``("≈", "0.59327")``."""
    from symgrad.numbers.values import number_text

    text, exact = number_text(v, digits)
    return ("=" if exact else "≈"), text


def _tex_number(text: str) -> str:
    if "e" in text:
        mant, exp = text.split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"
    return text


class _Labels:
    """Plain and LaTeX label lines for each name of one derivation."""

    def __init__(self, d):
        from symgrad.rendering.printing import latex

        self.d, self.p = d, d.problem
        self.latex = latex
        self.numbers = d.numbers
        self.adjoints = {} if d.numbers is None else dict(d.numbers.adjoints)
        self.intervals = {} if d.numbers is None else {
            k: v for k, v in d.numbers.intervals if v is not None}

    def name_tex(self, name: str) -> str:
        import sympy as sp

        return self.latex(sp.Symbol(name, real=True))

    def lines(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        p, digits = self.p, self.p.digits
        tex_name = self.name_tex(name)
        if self.numbers is None:
            if name in p.names:
                q = p.quantity(name)
                from symgrad.rendering.printing import plain

                return ((f"{name} = {_short(plain(q.expr))}",),
                        (f"{tex_name} = {self.latex(q.expr)}",) if len(plain(q.expr)) <= MAX_EXPR
                        else (tex_name,))
            return (name,), (tex_name,)
        rel, num = value_text(self.numbers.value(name), digits)
        tex_rel = "=" if rel == "=" else r"\approx"
        plain_lines = [f"{name} {rel} {num}"]
        tex_lines = [f"{tex_name} {tex_rel} {_tex_number(num)}"]
        grad_plain, grad_tex = f"d{p.loss}/d{name}", (
            rf"\mathrm{{d}}{self.name_tex(p.loss)}/\mathrm{{d}}{tex_name}")
        adj = self.adjoints.get(name)
        if adj is not None:
            rel, num = value_text(adj, digits)
            plain_lines.append(f"{grad_plain} {rel} {num}")
            tex_lines.append(f"{grad_tex} {'=' if rel == '=' else chr(92) + 'approx'} {_tex_number(num)}")
        elif name in self.intervals:
            lo, hi = (value_text(v, digits)[1] for v in self.intervals[name])
            plain_lines.append(f"{grad_plain} ∈ [{lo}, {hi}]")
            tex_lines.append(rf"{grad_tex} \in [{_tex_number(lo)}, {_tex_number(hi)}]")
        elif name in self.adjoints:
            plain_lines.append(f"{grad_plain}: set-valued (kink)")
            tex_lines.append(rf"{grad_tex}\mbox{{: set-valued (kink)}}")
        return tuple(plain_lines), tuple(tex_lines)


def _layers(inputs, quantities, uses) -> dict[str, int]:
    """Longest path from the inputs for quantities; an input one layer before its first use."""
    layer: dict[str, int] = {}
    for q in quantities:  # quantities use only earlier names, so one pass in order
        layer[q] = 1 + max((layer.get(s, 0) for s in uses[q] if s in layer), default=0)
    users: dict[str, list[int]] = {}
    for q in quantities:
        for s in uses[q]:
            users.setdefault(s, []).append(layer[q])
    for name in inputs:
        layer[name] = max(min(users.get(name, [1])) - 1, 0)
    return layer


def _order(layer: dict[str, int], first: list[str], edges) -> dict[str, int]:
    """Rows within each layer: the problem's order, then barycentre sweeps (deterministic)."""
    rank = {n: i for i, n in enumerate(first)}
    groups: dict[int, list[str]] = {}
    for n in first:
        groups.setdefault(layer[n], []).append(n)
    nbrs: dict[str, list[str]] = {n: [] for n in first}
    for a, b in edges:
        nbrs[a].append(b)
        nbrs[b].append(a)
    pos = {n: float(i) for g in groups.values() for i, n in enumerate(g)}
    for _ in range(4):
        for k in sorted(groups):
            g = groups[k]
            center = {n: (sum(pos[m] for m in nbrs[n]) / len(nbrs[n]) if nbrs[n] else pos[n])
                      for n in g}
            g.sort(key=lambda n: (center[n], rank[n]))
            offset = (max(len(x) for x in groups.values()) - len(g)) / 2
            for i, n in enumerate(g):
                pos[n] = i + offset
    return {n: i for g in groups.values() for i, n in enumerate(g)}


def build_graph(d) -> Graph:
    """The computation graph of a derivation (see the module docstring)."""
    p = d.problem
    labels = _Labels(d)
    uses = dict(p.uses)
    quantities = list(p.names)
    loss = p.loss
    total = None
    red = p.reduction
    if red is not None and red.total not in uses:
        total = red.total
        uses[total] = (red.per_example,)
        quantities.append(total)
    edges = tuple((s, q) for q in quantities for s in uses[q])
    names = [*p.inputs, *p.names] + ([total] if total else [])
    layer = _layers(p.inputs, quantities, uses)
    rows = _order(layer, names, edges)
    nodes = []
    for name in names:
        if name == total:
            text = f"{total} = {red.kind} of {red.per_example} over {red.index}"
            lines, tex = (text,), (rf"{labels.name_tex(total)} = \mbox{{{red.kind} over }}"
                                   rf"{red.index}",)
            if d.data_run is not None:
                rel, num = value_text(d.data_run.loss, p.digits)
                lines += (f"{total} {rel} {num} (data)",)
        else:
            lines, tex = labels.lines(name)
        kind = ("loss" if name in (loss, total) and (total is None or name == total)
                else "quantity" if name in p.names
                else "parameter" if name in p.wrt else "input")
        nodes.append(Node(name, kind, layer[name], rows[name], lines, tex))
    nodes.sort(key=lambda n: (n.layer, n.row))
    return Graph(tuple(nodes), edges, d.numbers is not None, total or loss)
