"""Renderers: a Derivation becomes a plain context, and a template in templates/ becomes text."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
import latex2mathml.converter
import sympy as sp

from symgrad.derivation.chain import Derivation
from symgrad.errors import UsageError
from symgrad.derivation.kinks import CONVENTION_TEXT, Convention
from symgrad.numbers.values import number_latex, number_text, substituted, to_float
from symgrad.expr.placeholders import Leibniz, Shown
from symgrad.rendering.printing import latex, numeric_latex, plain
from symgrad.derivation.rules import Rule, Step

_FRAMEWORK_NAMES = {"pytorch": "PyTorch", "jax": "JAX", "tensorflow": "TensorFlow"}
FORMATS = ("text", "markdown", "latex", "mathml", "html", "json")
_TEMPLATE_FOR = {
    "text": "derivation.txt.j2",
    "markdown": "derivation.md.j2",
    "latex": "derivation.tex.j2",
    "latex-standalone": "standalone.tex.j2",
    "html": "derivation.html.j2",
}


def template_dir() -> Path:
    """The templates: ``templates/`` in a checkout, ``symgrad/templates`` in an installed wheel."""
    packaged = resources.files("symgrad") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class Math:
    """One piece of math in two spellings: LaTeX and plain text."""

    tex: str
    plain: str


def _m(expr: sp.Basic) -> Math:
    return Math(latex(expr), plain(expr))


def _mn(expr: sp.Basic) -> Math:
    return Math(numeric_latex(expr), plain(expr))


def _num(v, digits: int) -> Math:
    return Math(number_latex(v, digits), number_text(v, digits)[0])


def _eq_sign(v, digits: int) -> str:
    return "=" if number_text(v, digits)[1] else r"\approx"


@lru_cache(maxsize=1)
def _sentences() -> dict:
    return tomllib.loads((template_dir() / "sentences.toml").read_text(encoding="utf-8"))


_PLAIN_TEX = [
    (r"\operatorname{sign}", "sign"), (r"\operatorname{relu}", "relu"), (r"\mathbb{I}", "1"),
    (r"\sigma", "σ"), (r"\tanh", "tanh"), (r"\log", "log"), (r"\neq", "≠"), (r"\cdot", "·"),
]


def tex_to_plain(tex: str) -> str:
    """Readable plain text for the simple LaTeX used in sentences."""
    for a, b in _PLAIN_TEX:
        tex = tex.replace(a, b)
    tex = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", tex)
    tex = re.sub(r"\\hat\{(\w+)\}", r"\1hat", tex).replace(r"\,", "")
    tex = re.sub(r"\^\{([^{}]*)\}", r"^(\1)", tex)
    tex = re.sub(r"\\left|\\right", "", tex)
    return tex.replace("{", "").replace("}", "").replace("\\", "")


def sentence(step: Step) -> str:
    """The justification for one step, math between ``$...$``."""
    data = _sentences()
    text = data["rules"][step.rule.value].replace("{var}", latex(step.var))
    if step.chain and step.rule not in (Rule.SUM, Rule.CONSTANT_MULTIPLE, Rule.PRODUCT, Rule.QUOTIENT):
        text += " " + data["chain"]["text"]
    return text


def _d_op(var: sp.Symbol, expr: sp.Basic) -> sp.Basic:
    return sp.Derivative(expr, var, evaluate=False)


def _with_kinks(expr: sp.Basic, kink_shown: dict) -> sp.Basic:
    with sp.evaluate(False):
        return expr.xreplace(kink_shown)


def _dedup(parts: list[Math]) -> list[Math]:
    out: list[Math] = []
    for m in parts:
        if not out or out[-1].tex != m.tex:
            out.append(m)
    return out


def _step_context(step: Step, value, point: dict, digits: int, kink_shown: dict) -> dict:
    parts = [_m(_d_op(step.var, step.before))]
    for e in (step.middle, step.filled, step.after):
        m = _mn(e)
        if m.tex != parts[-1].tex:
            parts.append(m)
    numeric = None
    if step.after.free_symbols and all(s in point for s in step.after.free_symbols):
        numeric = [_mn(substituted(step.after, point, digits))]
        if kink_shown:
            numeric.append(_mn(substituted(_with_kinks(step.after, kink_shown), point, digits)))
        if value is not None:
            numeric.append(_num(value, digits))
        numeric = _dedup(numeric)
    return {
        "rule": step.rule.value,
        "sentence": sentence(step),
        "parts": parts,
        "numeric": numeric,
    }


def _kink_factor_map(d: Derivation) -> tuple[dict, dict]:
    """Each kink's local factor mapped to a shown value (tex, plain) under the convention."""
    shown, note = {}, {}
    for k in d.kinks:
        lo, hi = k.interval
        for factor, sign in k.local:
            if k.chosen is None:
                a, b = (lo, hi) if sign == 1 else (1 - hi, 1 - lo)
                tex = rf"\left[{number_latex(a)}, {number_latex(b)}\right]"
                txt = f"[{number_text(a)[0]}, {number_text(b)[0]}]"
            else:
                v = k.chosen if sign == 1 else 1 - k.chosen
                tex, txt = number_latex(v), number_text(v)[0]
                if tex.startswith("-"):
                    tex, txt = rf"\left({tex}\right)", f"({txt})"
            shown[factor] = Shown(tex, txt)
    return shown, note


def build_context(d: Derivation) -> dict:
    """Everything a template needs, as plain data (strings, lists, dicts)."""
    p = d.problem
    digits = p.digits
    point = {sp.Symbol(k, real=True): v for k, v in d.inputs}
    point.update({sp.Symbol(f.name, real=True): f.value for f in d.forward})
    loss = sp.Symbol(p.loss, real=True)
    forward = []
    for f in d.forward:
        line = [_m(f.expr), _mn(substituted(f.expr, point, digits))]
        forward.append({"name": _m(sp.Symbol(f.name, real=True)), "parts": line,
                        "value": _num(f.value, digits), "rel": _eq_sign(f.value, digits)})
    kink_shown, _ = _kink_factor_map(d)
    gradients = []
    for g in d.gradients:
        psym = sp.Symbol(g.param, real=True)
        lhs = Leibniz(loss, psym, partial=False)
        chain_terms = [sp.Mul(*[Leibniz(sp.Symbol(q, real=True), sp.Symbol(s, real=True)) for q, s in path],
                              evaluate=False) for path in g.paths]
        chain = sp.Add(*chain_terms, evaluate=False) if len(chain_terms) > 1 else chain_terms[0]
        factors = []
        seen = set()
        for path in g.paths:
            for key in path:
                if key in seen:
                    continue
                seen.add(key)
                part = d.partial(*key)
                steps = [_step_context(s, v, point, digits, kink_shown)
                         for s, v in zip(part.step.walk(), part.step_values) if not s.minor]
                factors.append({
                    "name": _m(Leibniz(sp.Symbol(key[0], real=True), sp.Symbol(key[1], real=True))),
                    "steps": steps,
                    "result": _m(part.after),
                })
        numbers = [_mn(substituted(g.expr, point, digits))]
        if kink_shown:
            numbers.append(_mn(substituted(_with_kinks(g.expr, kink_shown), point, digits)))
        numbers = _dedup(numbers)
        value = None if g.value is None else _num(g.value, digits)
        interval = None if g.interval is None else [_num(v, digits) for v in g.interval]
        update = None
        if g.updated is not None:
            eta, theta = sp.Symbol("eta", real=True), psym
            rule = sp.Add(theta, sp.Mul(-1, eta, lhs, evaluate=False), evaluate=False)
            nums = substituted(rule, {theta: point[psym], eta: p.lr, lhs: g.value}, digits)
            update = {"rule": _m(rule), "numbers": _mn(nums), "value": _num(g.updated, digits),
                      "rel": _eq_sign(g.updated, digits)}
        gradients.append({
            "param": g.param, "param_m": _m(psym), "lhs": _m(lhs), "chain": _mn(chain),
            "factors": factors, "result": _m(g.expr), "numbers": numbers,
            "value": value, "rel": "=" if g.value is None else _eq_sign(g.value, digits),
            "interval": interval, "descent": update,
        })
    kinks = []
    for k in d.kinks:
        kinks.append({
            "quantity": k.quantity, "function": k.function, "expr": _m(k.expr),
            "argument": _m(k.argument), "interval": [_num(v, digits) for v in k.interval],
            "chosen": None if k.chosen is None else _num(k.chosen, digits),
            "local": _m(k.local[0][0]), "note": k.note,
            "frameworks": [{"name": _FRAMEWORK_NAMES[f], "version": v, "call": call,
                            "value": _num(t, digits)} for f, v, call, t in k.frameworks],
        })
    adjoints = []
    for name, v in d.adjoints:
        adjoints.append({"name": _m(sp.Symbol(name, real=True)), "lhs": _m(Leibniz(loss, sp.Symbol(name, real=True))),
                         "value": None if v is None else _num(v, digits)})
    backprop = _backprop_context(d, loss, digits) if p.style == "backprop" else []
    data = _data_context(d, digits) if d.data_run is not None else None
    if data is not None:
        for g in gradients:
            g["descent"] = None  # the update comes from the whole dataset, shown there
    trajectory = [{"step": t.step, "loss": _num(t.loss, digits),
                   "params": [_num(v, digits) for _, v in t.params]} for t in d.trajectory]
    comparison = [{"label": r.label,
                   "point": ", ".join(f"{k} = {number_text(v, digits)[0]}" for k, v in r.values),
                   "loss": _num(r.loss, digits),
                   "gradient": [None if v is None else _num(v, digits) for _, v in r.gradient]}
                  for r in d.comparison]
    return {
        "title": p.title or f"The gradient of {p.loss} with respect to {', '.join(p.wrt)}",
        "quantities": [{"name": _m(q.symbol), "expr": _m(q.expr), "text": q.text} for q in p.quantities],
        "inputs": [{"name": _m(sp.Symbol(k, real=True)), "value": _num(v, digits)} for k, v in d.inputs],
        "loss": _m(loss), "wrt": [_m(sp.Symbol(w, real=True)) for w in p.wrt],
        "lr": None if p.lr is None else _num(p.lr, digits),
        "convention": p.convention.value, "convention_text": CONVENTION_TEXT[p.convention],
        "subdifferential": p.convention is Convention.SUBDIFFERENTIAL,
        "forward": forward, "gradients": gradients, "kinks": kinks, "adjoints": adjoints,
        "verification": [{"param": v.param, "param_m": _m(sp.Symbol(v.param, real=True)), "sympy": v.sympy, "fd": v.finite_difference, "note": v.note}
                         for v in d.verification],
        "trajectory": trajectory, "wrt_names": list(p.wrt),
        "comparison": comparison, "closing": p.closing,
        "style": p.style, "backprop": backprop, "data": data,
    }


def _shown(v, digits: int) -> Shown:
    tex, txt = number_latex(v, digits), number_text(v, digits)[0]
    if tex.startswith("-"):
        tex, txt = rf"\left({tex}\right)", f"({txt})"
    return Shown(tex, txt)


#: Rows and trajectory steps shown in documents (JSON has them all).
SHOWN_ROWS = 10
SHOWN_STEPS = 12


def _float(v: float, digits: int) -> Math:
    text = f"{v:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        return Math(rf"{mant} \times 10^{{{int(exp)}}}", text)
    return Math(text, text)


def _sampled(items: list, keep: int) -> list:
    """At most ``keep`` items: the first ones, then evenly spaced, always the last."""
    if len(items) <= keep:
        return items
    stride = (len(items) - 1) / (keep - 1)
    return [items[round(i * stride)] for i in range(keep)]


def _data_context(d: Derivation, digits: int) -> dict:
    run, p = d.data_run, d.problem
    n = len(run.dataset.rows)
    rows = [{"index": r.index + 1, "cells": [_float(v, digits) for v in r.values],
             "loss": _float(r.loss, digits), "gradient": [_float(g, digits) for g in r.gradient]}
            for r in run.rows[:SHOWN_ROWS]]
    steps = [{"step": k, "loss": _float(lv, digits), "params": [_float(v, digits) for v in th]}
             for k, lv, th in _sampled(list(run.trajectory), SHOWN_STEPS)]
    return {
        "source": run.dataset.source, "n": n, "columns": list(run.dataset.columns),
        "columns_m": [_m(sp.Symbol(c, real=True)) for c in run.dataset.columns],
        "reduce": run.reduce, "method": run.update, "rows": rows, "more_rows": n - len(rows),
        "loss": _float(run.loss, digits),
        "gradient": [_float(g, digits) for g in run.gradient],
        "updated": None if run.updated is None else [_float(v, digits) for v in run.updated],
        "trajectory": steps, "steps_total": len(run.trajectory) - 1,
        "params": [{"name": _m(sp.Symbol(w, real=True)), "value": _num(v, digits)}
                   for w, v in d.inputs if w in p.wrt],
    }


def _backprop_context(d: Derivation, loss: sp.Symbol, digits: int) -> list[dict]:
    """Node by node in reverse topological order: upstream gradient times local derivative."""
    p = d.problem
    adjoint = dict(d.adjoints)
    nodes = []
    for name in [q.name for q in reversed(p.quantities)] + list(p.inputs):
        sym = sp.Symbol(name, real=True)
        if name == p.loss:
            nodes.append({"name": _m(sym), "lhs": _m(Leibniz(loss, sym, partial=False)),
                          "seed": True, "locals": [], "sum": None, "numbers": None,
                          "value": _num(adjoint[name], digits)})
            continue
        parts = [x for x in d.partials if x.symbol == name and adjoint.get(x.quantity) != 0]
        locals_, terms, nums = [], [], []
        for part in parts:
            qsym = sp.Symbol(part.quantity, real=True)
            local = Leibniz(qsym, sym)
            locals_.append({"lhs": _m(local), "expr": _mn(part.after),
                            "value": None if part.value is None else _num(part.value, digits)})
            terms.append(sp.Mul(Leibniz(loss, qsym, partial=False), local, evaluate=False))
            up, lv = adjoint[part.quantity], part.value
            if up is not None and lv is not None:
                nums.append(sp.Mul(_shown(up, digits), _shown(lv, digits), evaluate=False))
        value = adjoint[name]
        nodes.append({
            "name": _m(sym), "lhs": _m(Leibniz(loss, sym, partial=False)), "seed": False,
            "locals": locals_,
            "sum": _mn(sp.Add(*terms, evaluate=False)) if terms else None,
            "numbers": _mn(sp.Add(*nums, evaluate=False)) if nums and len(nums) == len(terms) else None,
            "value": None if value is None else _num(value, digits),
        })
    return nodes


def _mathml(tex: str, display: bool = True) -> str:
    out = latex2mathml.converter.convert(tex, display="block" if display else "inline")
    return out


def _inline_html(text: str) -> str:
    """A sentence with ``$...$`` math: the math as inline MathML, the rest escaped."""
    pieces = re.split(r"(\$[^$]+\$)", text)
    out = []
    for piece in pieces:
        if piece.startswith("$") and piece.endswith("$") and len(piece) > 1:
            out.append(_mathml(piece[1:-1], display=False))
        else:
            out.append(str(jinja2.utils.markupsafe.escape(piece)))
    return "".join(out)


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def latex_text(text: str) -> str:
    """Plain text made safe for LaTeX text mode (specials escaped, non-ASCII spelled out)."""
    out = "".join(_LATEX_SPECIAL.get(c, c) for c in str(text))
    return out.encode("ascii", "replace").decode("ascii") if not out.isascii() else out


def _latex_sentence(text: str) -> str:
    """A sentence whose math is in ``$...$``: the prose escaped, the math kept."""
    pieces = re.split(r"(\$[^$]+\$)", text)
    return "".join(p if p.startswith("$") and p.endswith("$") and len(p) > 1 else latex_text(p)
                   for p in pieces)


def _sentence_plain(text: str) -> str:
    return re.sub(r"\$([^$]+)\$", lambda m: tex_to_plain(m.group(1)), text)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
    )
    env.filters["mathml"] = lambda tex, display=True: jinja2.utils.markupsafe.Markup(_mathml(tex, display))
    env.filters["inline_html"] = lambda text: jinja2.utils.markupsafe.Markup(_inline_html(text))
    env.filters["plain_sentence"] = _sentence_plain
    env.filters["latex_text"] = latex_text
    env.filters["latex_sentence"] = _latex_sentence
    env.filters["join_tex"] = lambda parts: " = ".join(p.tex for p in parts)
    env.filters["join_plain"] = lambda parts: " = ".join(p.plain for p in parts)
    return env


def render(derivation: Derivation, format: str = "text", *, standalone: bool = False) -> str:
    """Render a derivation.

    Args:
        derivation: the record from :func:`symgrad.derive`.
        format: one of ``text``, ``markdown``, ``latex``, ``mathml``/``html``, ``json``.
        standalone: for ``latex``, a whole ``article`` document instead of a fragment.
    """
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r} (known: {', '.join(FORMATS)})")
    if format == "json":
        return to_json(derivation)
    key = "html" if format == "mathml" else format
    if key == "latex" and standalone:
        key = "latex-standalone"
    return _environment().get_template(_TEMPLATE_FOR[key]).render(**build_context(derivation))


def _jnum(v):
    return None if v is None else to_float(v)


def _exact(v):
    return None if v is None else str(v)


def _flat_steps(d: Derivation) -> list[dict]:
    out = []
    for part in d.partials:
        for s in part.step.walk():
            out.append({
                "quantity": part.quantity, "by": str(s.var), "rule": s.rule.value,
                "minor": s.minor, "chain": s.chain,
                "before": latex(s.before), "after": latex(s.after),
                "latex": " = ".join(dict.fromkeys(
                    [latex(_d_op(s.var, s.before)), latex(s.middle), latex(s.after)])),
                "justification": sentence(s),
            })
    return out


def to_json(d: Derivation) -> str:
    """The machine-readable record (the contract in the brief), byte-stable."""
    p = d.problem
    values = {k: to_float(v) for k, v in d.inputs}
    values.update({f.name: to_float(f.value) for f in d.forward})
    doc = {
        "problem": {
            "quantities": [{"name": q.name, "expr": q.text, "latex": latex(q.expr)} for q in p.quantities],
            "loss": p.loss, "wrt": list(p.wrt), "lr": _jnum(p.lr), "steps": p.steps,
        },
        "values": values,
        "values_exact": {k: str(v) for k, v in list(d.inputs) + [(f.name, f.value) for f in d.forward]},
        "gradient": {g.param: _jnum(g.value) for g in d.gradients},
        "gradient_exact": {g.param: _exact(g.value) for g in d.gradients},
        "gradient_latex": {g.param: latex(g.expr) for g in d.gradients},
        "adjoints": {n: _jnum(v) for n, v in d.adjoints},
        "steps": _flat_steps(d),
        "kinks": [{"quantity": k.quantity, "function": k.function, "expr": latex(k.expr),
                   "argument": latex(k.argument),
                   "subdifferential": [to_float(v) for v in k.interval],
                   "chosen": _jnum(k.chosen), "note": k.note,
                   "frameworks": [{"framework": f, "version": v, "call": call, "value": to_float(t)}
                                  for f, v, call, t in k.frameworks]} for k in d.kinks],
        "convention": p.convention.value,
        "verified": {
            "sympy": all(v.sympy for v in d.verification),
            "finite_difference": (None if any(v.finite_difference is None for v in d.verification)
                                  else all(v.finite_difference for v in d.verification)),
            "notes": {v.param: v.note for v in d.verification},
        },
    }
    if d.kinks:
        doc["subgradient_interval"] = {
            g.param: ([to_float(v) for v in g.interval] if g.interval else [to_float(g.value)] * 2)
            for g in d.gradients
        }
    if p.lr is not None:
        doc["update"] = {g.param: _jnum(g.updated) for g in d.gradients}
    if d.trajectory:
        doc["trajectory"] = [{"step": t.step, "loss": to_float(t.loss),
                              "params": {k: to_float(v) for k, v in t.params}} for t in d.trajectory]
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
        doc["comparison"] = [{"label": r.label, "values": {k: to_float(v) for k, v in r.values},
                              "loss": to_float(r.loss),
                              "gradient": {k: _jnum(v) for k, v in r.gradient}} for r in d.comparison]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
