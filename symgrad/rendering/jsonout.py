"""JSON: the machine-readable record (the contract in the brief), straight from the records."""

from __future__ import annotations

import json

import sympy as sp

from symgrad.derivation.record import Derivation
from symgrad.rendering.printing import latex, plain
from symgrad.rendering.templates import sentence


def _f(v):
    return None if v is None else float(v)


def _exact(v):
    """The exact form of a value as a string (``17/10``), or None for a rounded float."""
    return str(v) if isinstance(v, sp.Rational) else None


def _steps(d: Derivation) -> list[dict]:
    out = []
    for part in d.partials:
        for s in part.step.walk():
            lhs = latex(sp.Derivative(s.before, s.var, evaluate=False))
            out.append({
                "quantity": part.quantity, "by": str(s.var), "rule": s.rule.value,
                "minor": s.minor, "chain": s.chain,
                "before": latex(s.before), "after": latex(s.after),
                "latex": " = ".join(dict.fromkeys([lhs, latex(s.middle), latex(s.after)])),
                "justification": sentence(s),
            })
    return out


#: The version of the JSON record; ``symgrad/data/derivation.schema.json`` describes it.
SCHEMA_VERSION = "2.0"


def _math(expr) -> dict:
    return {"latex": latex(expr), "text": plain(expr)}


def _tree(step) -> dict:
    """One rule step and its sub-steps, nested as recorded."""
    return {
        "rule": step.rule.value, "by": str(step.var), "minor": step.minor, "chain": step.chain,
        "before": _math(step.before), "middle": _math(step.middle), "after": _math(step.after),
        "justification": sentence(step), "substeps": [_tree(s) for s in step.substeps],
    }


def _partials(d: Derivation) -> list[dict]:
    n = d.numbers
    out = []
    for part in d.partials:
        item = {"quantity": part.quantity, "by": part.symbol, "result": _math(part.after),
                "step": _tree(part.step)}
        if n is not None:
            item["value"] = _f(n.local(part.quantity, part.symbol))
        out.append(item)
    return out


def _places(d: Derivation) -> list[dict]:
    out = []
    for place in d.places:
        grads = {o.param: {"latex": latex(o.expr), "text": plain(o.expr)}
                 for o in d.on_kink if o.place is place}
        if not grads:
            continue
        out.append({"quantity": place.quantity, "function": place.function,
                    "expr": latex(place.expr), "where": latex(place.argument) + " = 0",
                    "local_factor": latex(place.factor), "weight": str(d.weight),
                    "weight_interval": [_f(v) for v in place.interval], "gradient": grads})
    return out


def to_json(d: Derivation) -> str:
    """The record as JSON, byte-stable (numbers as JSON numbers, exact forms alongside)."""
    p, n = d.problem, d.numbers
    doc: dict = {
        "schema": SCHEMA_VERSION,
        "problem": {
            "title": p.title,
            "quantities": [{"name": q.name, "expr": q.text, "latex": latex(q.expr),
                            "text": plain(q.expr)} for q in p.quantities],
            "loss": p.loss, "wrt": list(p.wrt), "lr": _f(p.lr), "steps": p.steps,
        },
        "symbolic": n is None,
        "gradient_latex": {g.param: None if g.expr is None else latex(g.expr) for g in d.gradients},
        "gradient_text": {g.param: None if g.expr is None else plain(g.expr) for g in d.gradients},
        "steps": _steps(d),
        "partials": _partials(d),
        "places": _places(d),
        "convention": d.convention.value,
    }
    if n is not None:
        values = dict(n.inputs)
        values.update(dict(n.values))
        doc["values"] = {k: float(v) for k, v in values.items()}
        doc["values_exact"] = {k: _exact(v) for k, v in values.items() if _exact(v) is not None}
        doc["gradient"] = {w: _f(v) for w, v in n.gradient}
        doc["gradient_exact"] = {w: _exact(v) for w, v in n.gradient if _exact(v) is not None}
        doc["adjoints"] = {k: _f(v) for k, v in n.adjoints}
        doc["jumps"] = [{"quantity": j.quantity, "function": j.function, "expr": latex(j.expr),
                         "argument": latex(j.argument), "no_derivative": list(j.names)}
                        for j in n.jumps]
        doc["kinks"] = [{"quantity": k.quantity, "function": k.function, "expr": latex(k.expr),
                         "argument": latex(k.argument),
                         "subdifferential": [float(v) for v in k.interval],
                         "chosen": _f(k.chosen), "note": k.note,
                         **({"tied": [latex(k.place.arms[j]) for j in k.tied],
                             "weights": None if k.weights is None else [float(w) for w in k.weights]}
                            if k.is_tie else {}),
                         "frameworks": [{"framework": f, "version": v, "call": call, "value": float(t)}
                                        for f, v, call, t in k.frameworks]} for k in n.kinks]
        if n.kinks:
            intervals = dict(n.intervals)
            doc["subgradient_interval"] = {
                w: ([float(x) for x in intervals[w]] if intervals[w] else [_f(v)] * 2)
                for w, v in n.gradient}
        if p.lr is not None:
            updated = dict(n.updated) if n.updated is not None else {}
            doc["update"] = {w: _f(updated.get(w)) for w in p.wrt}
    else:
        doc["gradient"] = {w: None for w in p.wrt}
        doc["kinks"] = []
    doc["verified"] = {
        "sympy": all(v.sympy for v in d.verification),
        "finite_difference": (None if any(v.finite_difference is None for v in d.verification)
                              else all(v.finite_difference for v in d.verification)),
        "notes": {v.param: v.note for v in d.verification},
    }
    if d.descent:
        doc["trajectory"] = [{"step": t.step, "loss": float(t.loss),
                              "params": {k: float(v) for k, v in t.params}} for t in d.descent]
    if d.reduced:
        red = p.reduction
        doc["reduction"] = {"kind": red.kind, "index": red.index, "total": red.total,
                            "per_example": red.per_example,
                            "gradient_latex": {w: latex(s.after) for w, s in d.reduced},
                            "gradient_text": {w: plain(s.after) for w, s in d.reduced}}
    if d.data_run is not None:
        run = d.data_run
        doc["example_gradient"] = doc["gradient"]
        doc["gradient"] = dict(zip(p.wrt, run.gradient))
        doc.pop("gradient_exact", None)
        if run.updated is not None:
            doc["update"] = dict(zip(p.wrt, run.updated))
        doc["dataset"] = {
            "source": run.dataset.source, "columns": list(run.dataset.columns),
            "reduce": run.reduce, "update": run.update, "loss": run.loss,
            "rows": [{"row": r.index + 1, "values": dict(zip(run.dataset.columns, r.values)),
                      "loss": r.loss, "gradient": dict(zip(p.wrt, r.gradient))} for r in run.rows],
        }
        if len(run.trajectory) > 1:
            doc["trajectory"] = [{"step": k, "loss": lv, "params": dict(zip(p.wrt, th))}
                                 for k, lv, th in run.trajectory]
    if d.comparison:
        doc["comparison"] = [{"label": r.label, "values": {k: float(v) for k, v in r.values},
                              "loss": float(r.loss),
                              "gradient": {k: _f(v) for k, v in r.gradient}} for r in d.comparison]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
