"""A vector name contracted in a chain rule: ``\\frac{\\partial L}{\\partial s}
\\frac{\\partial s}{\\partial w}`` with ``s`` a vector is the sum over its components.

The reader binds a bare vector name (``scores`` for ``scores_0 .. scores_2``) to each of its
components in turn, one reading per component. When the component is the bottom of one
derivative and the top of the next in every term, and the rest of the row does not change with
it, the row is the multivariable chain rule written with vectors: the readings are one row whose
changing side is their sum.
"""

from __future__ import annotations

import sympy as sp

from symgrad.checking.handbase import Part, Reading
from symgrad.expr.placeholders import Leibniz
from symgrad.reader.expression import symbol


def _links(term: sp.Basic) -> set:
    """Names that are the bottom of one derivative in ``term`` and the top of another."""
    ds = [a for a in term.atoms(Leibniz)]
    return {a.bottom for a in ds} & {a.top for a in ds}


def _contracted(exprs: list[sp.Expr]) -> bool:
    """Every term of every instance links through a name that only its own instance links."""
    seen: list[set] = []
    for e in exprs:
        links: set = set()
        for term in sp.Add.make_args(sp.expand(e)):
            mine = _links(term)
            if not mine:
                return False
            links |= mine
        seen.append(links)
    return all(not (a & b) for k, a in enumerate(seen) for b in seen[k + 1:])


def contracted(readings: list[Reading]) -> Reading | None:
    """One reading summed over the bound component, or None when the row is not a contraction."""
    if len(readings) < 2 or any(len(r.parts) != len(readings[0].parts) for r in readings):
        return None
    if any(r.conditions for r in readings):
        return None
    parts: list[Part] = []
    summed = False
    for k, first in enumerate(readings[0].parts):
        exprs = [r.parts[k].expr for r in readings]
        if all(e == exprs[0] for e in exprs):
            parts.append(first)
            continue
        if any(e is None for e in exprs) or not _contracted(exprs):
            return None
        summed = True
        parts.append(Part(sp.Add(*exprs), first.pos, max(r.parts[k].decimals for r in readings),
                          any(r.parts[k].numbers for r in readings), first.separator,
                          first.relation))
    if not summed:
        return None
    r0 = readings[0]
    return Reading(parts, [], {}, r0.dummies, r0.rates, r0.next_step, r0.lhs_call, r0.copies,
                   r0.elided)


def _partials(e, top=None) -> list | None:
    """The variables of a vector whose entries are all partials of one name, else None."""
    if not isinstance(e, sp.MatrixBase) or 1 not in e.shape:
        return None
    ds = list(e)
    if not all(isinstance(d, Leibniz) and d.partial for d in ds):
        return None
    if len({d.top for d in ds}) != 1 or (top is not None and ds[0].top != top):
        return None
    return [d.bottom.name for d in ds]


def nabla_written_out(readings: list[Reading], toks, scope) -> list[Reading]:
    """``\\nabla loss = [\\partial loss/\\partial scores_0, ...]``: a bare nabla (read as the
    partials by the problem's parameters) written out as the partials of the same function by
    all the entries of one vector, in order, is the gradient by those entries."""
    if not toks or toks[0].kind != "cs" or toks[0].text != "nabla":
        return readings
    out = []
    for r in readings:
        lhs = r.parts[0].expr if r.parts else None
        if _partials(lhs) != [str(p) for p in scope.params] or len(r.parts) < 2:
            out.append(r)
            continue
        top = list(lhs)[0].top
        names = _partials(r.parts[1].expr, top)
        fam = scope.family(names[0].rsplit("_", 1)[0]) if names and "_" in names[0] else None
        if not fam or names != [fam[k] for k in sorted(fam)] or names == _partials(lhs):
            out.append(r)
            continue
        scope.nabla_by[top.name] = tuple(names)
        first = Part(sp.ImmutableMatrix([Leibniz(top, symbol(n), True) for n in names]),
                     *[getattr(r.parts[0], f) for f in ("pos", "decimals", "numbers", "separator",
                                                        "relation")])
        out.append(Reading([first, *r.parts[1:]], r.conditions, r.binding, r.dummies, r.rates,
                           r.next_step, r.lhs_call, r.copies, r.elided))
    return out


def _mixed_shapes(readings: list[Reading]) -> bool:
    """Sides of one reading that are vectors or matrices of different shapes: an entry of a
    vector read where the row means the whole of it (``h1^T \\nabla loss = [2.28; 0][...]``)."""
    return any(len({p.expr.shape for p in r.parts if isinstance(p.expr, sp.MatrixBase)}) > 1
               for r in readings)


def _transposed_vector(toks, scope) -> bool:
    """A vector's name with a transpose (``\\mathit{h1}^\\mathsf{T}``): the whole vector, for
    one entry is a number, which no one transposes."""
    return any(t.kind == "word" and len(t.names) == 1 and t.text not in scope.vocab() and
               len(scope.family(t.names[0])) >= 2 and toks[k + 1].text == "^" and
               toks[k + 2].text == "T" for k, t in enumerate(toks[:-2]))


def regrouped(readings: list[Reading], free: list[str], toks, scope, whole) -> list[Reading]:
    """The readings of a row with vector names bound one entry at a time, regrouped: read with
    each name standing for the whole vector (``whole()``) when no entry reads or the entries'
    sides do not fit; a vector contracted in a chain rule summed into one reading; a bare nabla
    written out by a vector's entries read as the gradient by them."""
    if free == ["·"] and (not readings or _mixed_shapes(readings) or
                          _transposed_vector(toks, scope)):
        one = whole()
        if one is not None:
            return [one]
    if free == ["·"] and (one := contracted(readings)) is not None:
        return [one]
    return nabla_written_out(readings, toks, scope)
