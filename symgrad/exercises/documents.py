"""An exercise sheet's documents, in LaTeX and Markdown. The sheet states the model and the
loss as the derivation prints them (the same aligned block), what to find (each gradient, and
the updated parameters when the problem has a learning rate), the values every variant shares
and a table of each variant's own values, exact (``1/3`` is a fraction, never ``0.333333``).
The solutions are each variant's whole derivation from :func:`symgrad.rendering.render`
(heading level ``subsection`` in LaTeX). ``standalone`` LaTeX wraps either in an ``article``
document with the preamble of symgrad's own standalone output.
"""

from __future__ import annotations

import sympy as sp

#: The preamble of a standalone document (that of templates/standalone.tex.j2).
PREAMBLE = ("\\documentclass[11pt]{article}\n\\usepackage{amsmath,amssymb}\n"
            "\\usepackage[margin=2.5cm]{geometry}\n\\allowdisplaybreaks\n\\begin{document}\n")
#: Rows of one LaTeX table of variants (a long sheet continues in the next table).
ROWS_PER_TABLE = 25
KINDS = ("sheet", "solutions")
FORMATS = {"latex": "latex", "tex": "latex", "markdown": "markdown", "md": "markdown"}


def render_document(sheet, kind: str, format: str, standalone: bool) -> str:
    """The sheet's questions or its solutions in ``latex`` or ``markdown``."""
    from symgrad.errors import UsageError

    if kind not in KINDS:
        raise UsageError(f"unknown document {kind!r} (known: {', '.join(KINDS)})")
    fmt = FORMATS.get(format)
    if fmt is None:
        raise UsageError(f"exercise sheets are written as latex or markdown, not {format!r}")
    if standalone and fmt != "latex":
        raise UsageError("--standalone goes with the latex format")
    body = (_questions if kind == "sheet" else _solutions)(sheet, fmt)
    return PREAMBLE + body + "\\end{document}\n" if standalone else body


def value_tex(v) -> str:
    """An exact value in LaTeX: ``-1.5``, ``1/3`` (a slash keeps table rows and text even)."""
    from symgrad.exercises.sheet import exact_text

    return exact_text(v)


def _tables(sheet) -> list[str]:
    """The variants' values as LaTeX tables of :data:`ROWS_PER_TABLE` rows, side by side when
    they are narrow (a long sheet continues in the next row of tables, on the next page)."""
    names = sheet.grid.names
    across = 3 if len(names) <= 3 else 2 if len(names) <= 6 else 1
    head = ["Variant & " + " & ".join(f"${_symbol(x)}$" for x in names) + " \\\\ \\hline"]
    tables = []
    for start in range(0, len(sheet.exercises), ROWS_PER_TABLE):
        rows = []
        for e in sheet.exercises[start:start + ROWS_PER_TABLE]:
            point = dict(e.point)
            rows.append(f"{e.number} & " + " & ".join(f"${value_tex(point[x])}$" for x in names)
                        + " \\\\")
        tables.append("\n".join([f"\\begin{{tabular}}[t]{{r{'c' * len(names)}}}", *head, *rows,
                                 "\\end{tabular}"]))
    out = []
    for start in range(0, len(tables), across):
        out += ["", "\\begin{center}", "\n\\qquad\n".join(tables[start:start + across]),
                "\\end{center}"]
    return out


def _symbol(name: str) -> str:
    from symgrad.rendering.printing import latex

    return latex(sp.Symbol(name, real=True))


def _derivative(loss: str, param: str) -> str:
    from symgrad.expr.placeholders import Leibniz
    from symgrad.rendering.printing import latex

    return latex(Leibniz(sp.Symbol(loss, real=True), sp.Symbol(param, real=True), partial=False))


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _sentences(sheet) -> list[str]:
    """The instructions, with their math in ``$...$`` (the same text in both formats)."""
    p = sheet.problem
    grads = _and([f"${_derivative(p.loss, w)}$" for w in p.wrt])
    task = f"For each variant below, find {grads} at the variant's point"
    if p.lr is not None:
        steps = "one gradient-descent step" if p.steps == 1 else f"{p.steps} gradient-descent steps"
        w = p.wrt[0]
        rule = f"${_symbol(w)} \\leftarrow {_symbol(w)} - \\eta\\, {_derivative(p.loss, w)}$"
        whose = "value of " if len(p.wrt) == 1 else "values of "
        task += (f", and the updated {whose}{_and([f'${_symbol(w)}$' for w in p.wrt])} after "
                 f"{steps} ({rule}{', and likewise for each parameter' if len(p.wrt) > 1 else ''}) "
                 f"with learning rate $\\eta = {value_tex(p.lr)}$")
    out = [task + "."]
    if sheet.fixed:
        shared = _and([f"${_symbol(n)} = {value_tex(v)}$" for n, v in sheet.fixed])
        out.append(f"Every variant has {shared}.")
    if any(e.on_kink for e in sheet.exercises):
        out.append("Some points lie exactly on a kink, where the derivative does not exist: "
                   "there give the subdifferential and the subgradient that the "
                   f"{p.convention.value} convention picks.")
    return out


def _model(sheet):
    """The model and the loss as the first variant's derivation prints them (aligned rows)."""
    from symgrad.rendering.context import build_context

    context = build_context(sheet.exercises[0].derivation)
    return [q["block"].aligned for q in context["quantities"]]


def _questions(sheet, fmt: str) -> str:
    from symgrad.rendering.templates import latex_text, markdown_text

    rows = _model(sheet)
    names = sheet.grid.names
    n = len(sheet.exercises)
    intro = (f"{n} variant{'s' * (n != 1)} of one problem. The model and the loss, as named "
             "quantities in order:")
    if fmt == "latex":
        out = [f"\\section*{{{latex_text(sheet.title)}: exercises}}", "", intro,
               "\\begin{align*}", " \\\\\n".join(rows), "\\end{align*}", *_sentences(sheet)]
        out += _tables(sheet)
        return "\n".join(out) + "\n"
    out = [f"# {markdown_text(sheet.title)}: exercises", "", intro, "", "$$", "\\begin{aligned}",
           " \\\\\n".join(rows), "\\end{aligned}", "$$", ""]
    out += [s + "\n" for s in _sentences(sheet)]
    out.append("| variant | " + " | ".join(f"${_symbol(x)}$" for x in names) + " |")
    out.append("|---:|" + "---:|" * len(names))
    for e in sheet.exercises:
        point = dict(e.point)
        out.append(f"| {e.number} | " + " | ".join(f"${value_tex(point[x])}$" for x in names) + " |")
    return "\n".join(out) + "\n"


def _solutions(sheet, fmt: str) -> str:
    from symgrad.rendering import render
    from symgrad.rendering.templates import latex_text, markdown_text

    away = " and, away from kinks," if any(e.on_kink for e in sheet.exercises) else " and"
    intro = (f"Each variant's derivation, step by step, verified against sympy.diff{away} a "
             f"central finite difference (seed {sheet.seed}).")

    if fmt == "latex":
        parts = [f"\\section*{{{latex_text(sheet.title)}: solutions}}\n\n{intro}\n"]
        parts += [render(e.derivation, "latex", heading="subsection") for e in sheet.exercises]
    else:
        parts = [f"# {markdown_text(sheet.title)}: solutions\n\n{intro}\n"]
        parts += [render(e.derivation, "markdown") for e in sheet.exercises]
    return "\n".join(parts)
