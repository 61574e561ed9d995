"""The template context: a Derivation (and whatever numeric layers it carries) as plain data.

Templates own every word and the layout; this module only turns records into strings.
Each piece of math is a :class:`Math` whose LaTeX and plain spellings are printed on first
use and then kept, so rendering several formats from one context prints each expression at
most once per spelling. Nothing here computes mathematics: values come from the record.
"""

from __future__ import annotations

import sympy as sp

from symgrad.derivation.record import Derivation
from symgrad.derivation.rules import ELEMENTARY_RULES
from symgrad.expr.algebra import replaced
from symgrad.expr.placeholders import Leibniz, Shown
from symgrad.numbers.conventions import CONVENTION_TEXT, Convention
from symgrad.numbers.values import number_text
from symgrad.rendering.datasets import DataSections
from symgrad.rendering.display import Chain, Lazy, Math, NumberDisplay, _decimal
from symgrad.rendering.display import math_of as _m
from symgrad.rendering.display import numeric_math_of as _mn
from symgrad.rendering.display import symbol_of as _sym
from symgrad.rendering.layout import DEFAULT_WIDTH, Block, tex_width

_FRAMEWORK_NAMES = {"pytorch": "PyTorch", "jax": "JAX", "tensorflow": "TensorFlow"}


def _rounded(v, digits: int) -> str:
    """``v`` as displayed when rounded to ``digits`` (an exact decimal is rounded too)."""
    from symgrad.numbers.values import PRECISION

    return number_text(sp.Float(v, PRECISION), digits)[0]


def _d_op(var: sp.Symbol, expr: sp.Basic) -> sp.Basic:
    return sp.Derivative(expr, var, evaluate=False)


def _dedup(parts: list[Math], key=lambda m: m.tex) -> list[Math]:
    out: list[Math] = []
    for m in parts:
        if not out or key(out[-1]) != key(m):
            out.append(m)
    return out


class _Builder(DataSections):
    """Builds the context of one derivation."""

    def __init__(self, d: Derivation):
        from symgrad.rendering.templates import sentence

        self.d, self.p, self.n = d, d.problem, d.numbers
        self.detail = "normal"
        self.sentence = sentence
        self.num = NumberDisplay(self.p.digits)
        self.loss = _sym(self.p.loss)
        self.point = dict(self.n.point) if self.n is not None else {}
        self.kink_shown = self._kink_factor_map()
        jumps = self.n.jumps if self.n is not None else ()
        self.broken = set().union(*(j.names for j in jumps)) if jumps else set()

    # --- pieces -------------------------------------------------------------------------
    def _kink_factor_map(self) -> dict:
        """Each kink's local factor mapped to a shown value (tex, plain) under the convention."""
        shown = {}
        for k in self.d.kinks:
            if k.is_tie:  # one weight per tied arm, 0 for the others
                weights = None if k.weights is None else dict(zip(k.tied, k.weights))
                for factor, j in k.local:
                    if j not in k.tied:
                        shown[factor] = self.num.shown(0, always_parens=True)
                    elif weights is None:
                        shown[factor] = Shown(r"\left[0, 1\right]", "[0, 1]")
                    else:
                        shown[factor] = self.num.shown(weights[j], always_parens=True)
                continue
            lo, hi = k.interval
            for factor, sign in k.local:
                if k.chosen is None:
                    a, b = (lo, hi) if sign == 1 else (1 - hi, 1 - lo)
                    ta, xa, _ = self.num.text(a)
                    tb, xb, _ = self.num.text(b)
                    shown[factor] = Shown(rf"\left[{ta}, {tb}\right]", f"[{xa}, {xb}]")
                else:
                    shown[factor] = self.num.shown(k.chosen if sign == 1 else 1 - k.chosen,
                                                   always_parens=True)
        return shown

    def _kink_values(self) -> dict:
        """Each kink's local factor mapped to the value the convention chose for it."""
        out = {}
        for k in self.d.kinks:
            if k.is_tie:
                if k.weights is not None:
                    weights = dict(zip(k.tied, k.weights))
                    out.update({f: weights.get(j, sp.Integer(0)) for f, j in k.local})
                continue
            if k.chosen is not None:
                for factor, sign in k.local:
                    out[factor] = k.chosen if sign == 1 else 1 - k.chosen
        return out

    def _numeric_line(self, expr: sp.Basic, value, first: Math | None = None) -> Chain | None:
        """``expr`` = its numbers put in (:= the kink choices put in) = the value.

        Rounded inputs make the relation ``≈``; when the line ends in a value, the inputs are
        shown with as many more digits as it takes (up to 4) for the displayed numbers to give
        the displayed result, so a reader multiplying them out gets what is printed.
        """
        if self.n is None or not expr.free_symbols:
            return None
        if not all(s in self.point for s in expr.free_symbols):
            return None
        point = self.point
        kinked = replaced(expr, self._kink_values()) if self.kink_shown else expr
        digits = self.num.digits
        if value is not None and not self.num.all_exact(expr, point):
            want = self.num.text(value)[1]
            for extra in range(5):
                got = self.num.as_displayed(kinked, point, digits + extra)
                if got is not None and _rounded(got, digits) == want:
                    digits += extra
                    break
        exact = self.num.all_exact(expr, point, digits)
        line = Chain(first or _m(expr))
        line.add("=" if exact else "~", _mn(self.num.substituted(expr, point, digits)))
        if self.kink_shown and kinked is not expr:
            line.add(":=", _mn(self.num.substituted(replaced(expr, self.kink_shown), point, digits)))
        if value is not None:
            shown = self.num.math(value)
            if shown.plain != line.links[-1][1].plain:
                line.add("=" if exact and self.num.exact(value) else "~", shown)
        return line

    def shows(self, step) -> bool:
        """Whether the walkthrough shows a rule step at this detail."""
        return {"full": True, "brief": step.rule not in ELEMENTARY_RULES}.get(self.detail, not step.minor)

    def step(self, step, value, label=None) -> dict:
        """One rule step. ``label`` (the Leibniz symbol of a local partial) stands in for
        ``d/dx (definition)`` when the definition is too wide to repeat on the line."""
        parts = [_m(_d_op(step.var, step.before))]
        if label is not None and tex_width(parts[0].tex) > self.width / 2:
            parts = [_m(label)]
        for e in (step.middle, step.filled, step.after):
            m = _mn(e)
            if m.tex != parts[-1].tex:
                parts.append(m)
        numeric = self._numeric_line(step.after, value)
        w = self.width
        return {"rule": step.rule.value, "sentence": self.sentence(step), "parts": parts,
                "block": Lazy(lambda: Block(parts[0].tex, [("=", p) for p in parts[1:]], w)),
                "numeric": numeric,
                "numeric_block": None if numeric is None else Lazy(lambda: numeric.as_block(w))}

    def _quantity(self, q) -> dict:
        name, expr = _m(q.symbol), _m(q.expr)
        return {"name": name, "expr": expr, "text": q.text,
                "block": Lazy(lambda: Block(name.tex, [("=", expr)], self.width))}

    def forward(self) -> list[dict]:
        if self.n is None:
            return []
        out = []
        for name, value in self.n.values:
            q = self.p.quantity(name)
            line = self._numeric_line(q.expr, value)
            if line is None:  # a constant: name = expr = value
                line = Chain(_m(q.expr))
                if self.num.math(value).plain != line.first.plain:
                    line.add("=" if self.num.exact(value) else "~", self.num.math(value))
            name = _m(q.symbol)
            out.append({"name": name, "line": line,
                        "block": Lazy(lambda n=name, li=line: li.block(n.tex, self.width))})
        return out

    def gradients(self, chains: bool = True) -> list[dict]:
        out = []
        n = self.n
        steps_of = dict(n.step_values) if n is not None else {}
        for g in self.d.gradients:
            psym = _sym(g.param)
            lhs = Leibniz(self.loss, psym, partial=False)
            factors, seen = [], set()
            for path in g.paths if chains else ():
                for key in path:
                    if key in seen:
                        continue
                    seen.add(key)
                    part = self.d.partial(*key)
                    values = steps_of.get(key) or [None] * sum(1 for _ in part.step.walk())
                    label = Leibniz(_sym(key[0]), _sym(key[1]))
                    steps = [self.step(s, v, label if s is part.step else None)
                             for s, v in zip(part.step.walk(), values) if self.shows(s)]
                    factors.append({"name": _m(Leibniz(_sym(key[0]), _sym(key[1]))),
                                    "steps": steps, "result": _m(part.after)})
            chain_terms = [sp.Mul(*[Leibniz(_sym(q), _sym(s)) for q, s in path], evaluate=False)
                           for path in g.paths]
            chain = (sp.Add(*chain_terms, evaluate=False) if len(chain_terms) > 1
                     else chain_terms[0] if chain_terms else None)
            value = interval = descent = line = None
            if n is not None:
                raw = dict(n.gradient)[g.param]
                value = None if raw is None else raw
                iv = dict(n.intervals)[g.param]
                interval = None if iv is None else [self.num.math(v) for v in iv]
                if g.expr is not None and chains and g.param not in self.broken:
                    line = self._numeric_line(g.expr, value)
                if line is None and g.expr is not None and chains:
                    line = Chain(_m(g.expr))
                    if value is not None:
                        line.add("=" if self.num.exact(value) else "~", self.num.math(value))
                if n.updated is not None and self.d.data_run is None:
                    descent = self._update(psym, lhs, dict(n.updated)[g.param], raw)
            symbolic_update = None
            if self.p.lr is not None and n is None and g.expr is not None:
                eta = _sym("eta")
                rule = sp.Add(psym, sp.Mul(-1, eta, lhs, evaluate=False), evaluate=False)
                filled = sp.Add(psym, sp.Mul(-1, eta, g.expr, evaluate=False), evaluate=False)
                symbolic_update = {"rule": _m(rule), "filled": _m(filled)}
            w, lhs_m, chain_m = self.width, _m(lhs), None if chain is None else _mn(chain)
            result_m = None if g.expr is None else _m(g.expr)
            together = line if line is not None else (None if result_m is None else Chain(result_m))
            out.append({
                "chain_block": None if chain_m is None else Lazy(
                    lambda lm=lhs_m, cm=chain_m: Block(lm.tex, [("=", cm)], w)),
                "together": None if together is None else Lazy(
                    lambda lm=lhs_m, t=together: t.block(lm.tex, w)),
                "backward": Lazy(lambda lm=lhs_m, rm=result_m, v=value: Block(
                    lm.tex, ([("=", rm)] if rm is not None else []) + (
                        [] if v is None else [(self.num.math(v).eq, self.num.math(v))]), w)),
                "update_block": None if symbolic_update is None else Lazy(
                    lambda pm=_m(psym), su=symbolic_update: Block(
                        pm.tex, [(r"\leftarrow", su["rule"]), ("=", su["filled"])], w)),
                "param": g.param, "param_m": _m(psym), "lhs": _m(lhs),
                "chain": None if chain is None else _mn(chain), "factors": factors,
                "result": None if g.expr is None else _m(g.expr), "line": line,
                "value": None if value is None else self.num.math(value),
                "interval": interval, "descent": descent, "symbolic_update": symbolic_update,
                "no_derivative": g.param in self.broken,
            })
        return out

    def _update(self, psym, lhs, updated, grad) -> dict:
        eta = _sym("eta")
        rule = sp.Add(psym, sp.Mul(-1, eta, lhs, evaluate=False), evaluate=False)
        values = {psym: self.point[psym], eta: self.p.lr, lhs: grad}
        exact = all(self.num.exact(v) for v in values.values())
        line = Chain(_m(rule))
        line.add("=" if exact else "~", _mn(replaced(rule, {k: self.num.shown(v) for k, v in values.items()})))
        line.add("=" if exact and self.num.exact(updated) else "~", self.num.math(updated))
        return {"line": line, "block": Lazy(lambda: line.block(_m(psym).tex, self.width, r"\leftarrow"))}

    def kinks(self) -> list[dict]:
        """The kinks met, each told through the factor the derivation actually shows.

        A tie of ``max(0, 1 - m)`` has two local factors (t for the constant arm, 1 - t for
        the other); only the second appears in the derivative, so the range and the choice
        are stated for it.
        """
        out = []
        shown = [part.after for part in self.d.partials]
        for k in self.d.kinks:
            if k.is_tie:
                out.append({
                    "tie": True, "quantity": k.quantity, "function": k.function,
                    "expr": _m(k.expr), "arms": [_m(k.place.arms[j]) for j in k.tied],
                    "weights": None if k.weights is None else [self.num.math(w) for w in k.weights],
                    "note": k.note, "frameworks": [],
                })
                continue
            lo, hi = k.interval
            factor, sign = next(((f, sgn) for f, sgn in k.local if any(e.has(f) for e in shown)),
                                k.local[0])
            rng = (lo, hi) if sign == 1 else (1 - hi, 1 - lo)
            value = None if k.chosen is None else (k.chosen if sign == 1 else 1 - k.chosen)
            out.append({
                "tie": False, "quantity": k.quantity, "function": k.function, "expr": _m(k.expr),
                "argument": _m(k.argument), "interval": [self.num.math(v) for v in rng],
                "chosen": None if value is None else self.num.math(value),
                "local": _m(factor), "note": k.note,
                "frameworks": [{"name": _FRAMEWORK_NAMES[f], "version": v, "call": call,
                                "value": self.num.math(t if sign == 1 else 1 - t)}
                               for f, v, call, t in k.frameworks],
            })
        return out

    def jumps(self) -> list[dict]:
        """The discontinuities the point lies on, and the parameters that lose their derivative."""
        if self.n is None:
            return []
        return [{"quantity": j.quantity, "function": j.function, "expr": _m(j.expr),
                 "argument": _m(j.argument), "params": [w for w in self.p.wrt if w in j.names]}
                for j in self.n.jumps]

    def places(self) -> list[dict]:
        """Every kink place, symbolically: where it is, its subdifferential, the gradient there."""
        t = self.d.weight
        out = []
        for place in self.d.places:
            grads = [{"lhs": _m(Leibniz(self.loss, _sym(o.param), partial=False)), "expr": _m(o.expr)}
                     for o in self.d.on_kink if o.place is place]
            if not grads:
                continue  # the gradient never meets this kink's factor
            lo, hi = place.interval
            out.append({
                "quantity": place.quantity, "function": place.function, "expr": _m(place.expr),
                "argument": _m(place.argument), "local": _m(place.factor), "weight": _m(t),
                "interval": [self.num.math(lo), self.num.math(hi)], "gradients": grads,
            })
        return out

    def adjoints(self) -> list[dict]:
        if self.n is None:
            return []
        return [{"name": _m(_sym(name)), "lhs": _m(Leibniz(self.loss, _sym(name))),
                 "value": None if v is None else self.num.math(v),
                 "missing": "none (jump)" if name in self.broken else "interval (kink)"}
                for name, v in self.n.adjoints]

    def backprop(self) -> list[dict]:
        """Node by node in reverse topological order: upstream gradient times local derivative."""
        p, n = self.p, self.n
        adjoint = dict(n.adjoints) if n is not None else {}
        locals_ = dict(n.locals) if n is not None else {}
        nodes = []
        for name in [q.name for q in reversed(p.quantities)] + list(p.inputs):
            sym = _sym(name)
            lhs = _m(Leibniz(self.loss, sym, partial=False))
            if name == p.loss:
                nodes.append({"name": _m(sym), "lhs": lhs, "seed": True, "locals": [], "line": None})
                continue
            parts = [x for x in self.d.partials if x.symbol == name
                     and (n is None or adjoint.get(x.quantity) != 0)]
            items, terms, pairs = [], [], []
            for part in parts:
                qsym = _sym(part.quantity)
                local = Leibniz(qsym, sym)
                lv = locals_.get((part.quantity, part.symbol))
                line = Chain(_mn(part.after))
                if lv is not None and self.num.math(lv).plain != line.first.plain:
                    line.add("=" if self.num.exact(lv) else "~", self.num.math(lv))
                items.append({"lhs": _m(local), "line": line})
                terms.append(sp.Mul(Leibniz(self.loss, qsym, partial=False), local, evaluate=False))
                up = adjoint.get(part.quantity)
                if up is not None and lv is not None:
                    pairs.append((up, lv))
            value = adjoint.get(name)
            # no consumer carries a gradient (each upstream one is 0 at the point): dL/dname = 0
            line = None if terms else Chain(_mn(sp.Integer(0)))
            if terms:
                line = Chain(_mn(sp.Add(*terms, evaluate=False)))
                if pairs and len(pairs) == len(terms):
                    line.add(*self._products(pairs, value))
                if value is not None:
                    exact = all(self.num.exact(v) for pair in pairs for v in pair)
                    line.add("=" if exact and self.num.exact(value) else "~", self.num.math(value))
            nodes.append({"name": _m(sym), "lhs": lhs, "seed": False, "locals": items, "line": line,
                          "block": None if line is None else Lazy(
                              lambda lm=lhs, li=line: li.block(lm.tex, self.width))})
        return nodes

    def _products(self, pairs, value) -> tuple[str, Math]:
        """``up*local + ...`` with the numbers shown at the precision that gives ``value``."""
        digits = self.num.digits
        exact = all(self.num.exact(v) for pair in pairs for v in pair)
        if value is not None and not exact:
            want = self.num.text(value)[1]
            for extra in range(5):
                total = sum(_decimal(self.num.text(a, digits + extra)[1])
                            * _decimal(self.num.text(b, digits + extra)[1]) for a, b in pairs)
                if _rounded(total, self.num.digits) == want:
                    digits += extra
                    break
        terms = [sp.Mul(self.num.shown(a, digits), self.num.shown(b, digits), evaluate=False)
                 for a, b in pairs]
        return ("=" if exact else "~"), _mn(sp.Add(*terms, evaluate=False))

    def verification(self) -> list[dict]:
        return [{"param": v.param, "param_m": _m(_sym(v.param)), "sympy": v.sympy,
                 "fd": v.finite_difference, "ok": v.sympy and v.finite_difference is not False,
                 "note": v.note} for v in self.d.verification]

    def build(self) -> dict:
        p, n = self.p, self.n
        # a gradient too long to write as one chain (symgrad.derivation.chain.MAX_CHAIN) is
        # read off the backward pass, node by node: the walkthrough stays linear in depth
        long = any(g.expr is None for g in self.d.gradients)
        style = "backprop" if long else p.style
        gradients = self.gradients(chains=style == "leibniz")
        if long:  # each gradient is read off its node in the backward pass
            for g in gradients:
                g["result"] = None
        trajectory = [{"step": t.step, "loss": self.num.math(t.loss),
                       "params": [self.num.math(v) for _, v in t.params]} for t in self.d.descent]
        comparison = [{"label": r.label,
                       "point": ", ".join(f"{k} = {self.num.text(v)[1]}" for k, v in r.values),
                       "loss": self.num.math(r.loss),
                       "gradient": [None if v is None else self.num.math(v) for _, v in r.gradient]}
                      for r in self.d.comparison]
        data = self.data()
        if data is not None:
            for g in gradients:
                g["descent"] = None  # the update comes from the whole dataset, shown there
        forward = self.forward()
        kinks = self.kinks()
        return {
            "title": p.title or f"The gradient of {p.reduction.total if p.reduction else p.loss} "
                                f"with respect to {', '.join(p.wrt)}",
            "symbolic": n is None,
            "quantities": [self._quantity(q) for q in p.quantities],
            "inputs": [{"name": _m(_sym(k)), "value": self.num.math(v)} for k, v in n.inputs] if n else [],
            "loss": _m(self.loss), "wrt": [_m(_sym(w)) for w in p.wrt],
            "lr": None if p.lr is None else self.num.math(p.lr),
            "convention": self.d.convention.value, "convention_text": CONVENTION_TEXT[self.d.convention],
            "subdifferential": self.d.convention is Convention.SUBDIFFERENTIAL,
            "forward": forward, "gradients": gradients, "kinks": kinks, "jumps": self.jumps(),
            "places": self.places() if n is None else [],
            "adjoints": self.adjoints(), "verification": self.verification(),
            "trajectory": trajectory, "wrt_names": list(p.wrt),
            "comparison": comparison, "closing": p.closing,
            "style": style, "backprop": self.backprop() if style == "backprop" else [],
            "data": data, "reduction": self.reduction(),
            "first_section": 2 if forward else 1,
        }


def build_context(d: Derivation, width: float = DEFAULT_WIDTH, detail: str = "normal") -> dict:
    """Everything a template needs, as plain data (strings, lists, dicts, lazily printed math).

    ``width`` is the widest displayed row, in characters of rendered math: longer equations
    are broken into rows (:mod:`symgrad.rendering.layout`).
    """
    builder = _Builder(d)
    builder.width = width
    builder.detail = detail
    return builder.build()
