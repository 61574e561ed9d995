"""The render stage: a Derivation (with whatever layers it carries) -> text in one format.

Formats: ``text``, ``markdown``, ``latex`` (a fragment, or ``standalone`` for pdflatex),
``html`` (XHTML with MathML; ``mathml`` is the same) and ``json``. All but JSON come from
the Jinja2 templates in ``templates/`` (the built-in text also from ``plaintext``, the same
output without importing Jinja2); the context is built once per derivation and shared
by every format rendered from it (:func:`render_many`).

Modules: ``printing`` (the author-form LaTeX and plain printers), ``context`` (records to
template data), ``templates`` (the environment, filters and sentences), ``jsonout``.
"""

from __future__ import annotations

from symgrad.choices import FORMAT_ALIASES as ALIASES
from symgrad.choices import FORMATS
from symgrad.errors import UsageError
from symgrad.rendering.templates import template_dir

__all__ = ["ALIASES", "FORMATS", "format_name", "render", "render_many", "template_dir"]


def format_name(name: str) -> str:
    """The canonical format for a name or alias (``md`` -> ``markdown``)."""
    key = ALIASES.get(name, name)
    if key not in FORMATS:
        known = ", ".join(FORMATS) + " (or " + ", ".join(ALIASES) + ")"
        raise UsageError(f"unknown format {name!r} (known: {known})")
    return key


#: How derivatives are written (see :func:`render`).
NOTATIONS = ("leibniz", "prime")
#: Heading levels of the LaTeX fragment: the title's command (none: no title line).
HEADINGS = ("section", "subsection", "none")


def render(derivation, format: str = "text", *, standalone: bool = False,
           heading: str = "section", width: int | None = None, templates=None,
           template=None, detail: str = "normal", numbered: bool = False,
           graph: bool = False, notation: str = "leibniz") -> str:
    """Render a derivation.

    Args:
        derivation: the record from :func:`symgrad.derive`.
        format: one of ``text``, ``markdown``, ``latex``, ``mathml``/``html``, ``json``
            (or ``txt``, ``md``, ``tex``).
        standalone: for ``latex``, a whole ``article`` document instead of a fragment.
        heading: the LaTeX fragment's title level, ``section`` (its parts are then
            ``subsection``), ``subsection`` (parts ``subsubsection``) or ``none`` (no
            title; parts ``subsection``), to fit the document it is ``\\input`` into.
        width: the widest displayed equation row, in characters of rendered math (default
            64, about 16 cm at 11 pt); longer equations break into aligned rows.
        templates: a folder of templates named like the built-in ones, which they replace
            (:mod:`symgrad.rendering.usertemplates`).
        template: one template file replacing the built-in one of its format.
        detail: ``full`` (every rule step), ``normal`` (all but d/dx x = 1 and d/dx c = 0) or
            ``brief`` (only the rules beyond elementary calculus, and each factor's result).
        numbered: LaTeX only: every displayed equation numbered (``equation`` around
            ``aligned``), so the text can refer to them.
        graph: the computation graph after the problem (:mod:`symgrad.pictures`): TikZ in
            LaTeX (a fragment needs ``\\usepackage{graphicx,tikz}``), Mermaid in Markdown,
            SVG in HTML; text and JSON have none.
        notation: ``leibniz`` (``dL/dm``) or ``prime``: the derivatives of named quantities
            of one varying name written ``L'(m)``, ``a'(z)`` (:func:`~symgrad.rendering.printing.prime_pairs`);
            partial derivatives of functions of several names stay in Leibniz notation.
    """
    return render_many(derivation, [format], standalone=standalone, heading=heading,
                       width=width, templates=templates, template=template, detail=detail,
                       numbered=numbered, graph=graph, notation=notation)[0]


def render_many(derivation, formats, *, standalone: bool = False,
                heading: str = "section", width: int | None = None, templates=None,
                template=None, detail: str = "normal", numbered: bool = False,
                graph: bool = False, notation: str = "leibniz") -> list[str]:
    """Render one derivation in several formats, building the template context once."""
    from symgrad.rendering.printing import PRIME, prime_pairs

    if notation not in NOTATIONS:
        raise UsageError(f"unknown notation {notation!r} (known: {', '.join(NOTATIONS)})")
    token = PRIME.set(prime_pairs(derivation.problem) if notation == "prime" else frozenset())
    try:
        return _render_many(derivation, formats, standalone, heading, width, templates, template,
                            detail, numbered, graph)
    finally:
        PRIME.reset(token)


def _render_many(derivation, formats, standalone, heading, width, templates, template, detail,
                 numbered, graph) -> list[str]:
    from symgrad.derivation.rules import DETAILS
    from symgrad.rendering.usertemplates import BUILTIN, render_with, resolve

    keys = [format_name(f) for f in formats]
    user = resolve(templates, template, keys)
    if standalone and "latex" not in keys:
        raise UsageError("--standalone goes with the latex format")
    if heading not in HEADINGS:
        raise UsageError(f"unknown heading {heading!r} (known: {', '.join(HEADINGS)})")
    if width is not None and (isinstance(width, bool) or not isinstance(width, int)
                              or not 20 <= width <= 400):
        raise UsageError("--width must be a whole number from 20 to 400")
    if detail not in DETAILS:
        raise UsageError(f"unknown detail {detail!r} (known: {', '.join(DETAILS)})")
    if numbered and "latex" not in keys:
        raise UsageError("--numbered goes with the latex format")
    context = None
    out = []
    for key in keys:
        if key == "json":
            from symgrad.rendering.jsonout import to_json

            out.append(to_json(derivation))
            continue
        if context is None:
            from symgrad.rendering.context import build_context
            from symgrad.rendering.layout import DEFAULT_WIDTH

            context = build_context(derivation, width or DEFAULT_WIDTH, detail)
            context["heading"] = heading
            context["part"] = "subsubsection" if heading == "subsection" else "subsection"
            context["body_template"] = BUILTIN["latex"] if user is None else user.name_for("latex")
        name = "html" if key == "mathml" else key
        if name == "latex" and standalone:
            name = "latex-standalone"
        context["graph"] = _graph(derivation, name) if graph else None
        if user is None and name == "text":  # the same as the built-in template, without Jinja2
            from symgrad.rendering.plaintext import render_text

            text = render_text(context)
        elif user is None:
            from symgrad.rendering.templates import environment

            text = environment().get_template(BUILTIN[name]).render(**context)
        else:
            from symgrad.rendering.templates import environment

            env = environment(user.folder, user.html_names())
            text = render_with(env, user.name_for(name), context, user.folder)
        if numbered and name.startswith("latex"):
            from symgrad.rendering.layout import number_equations

            text = number_equations(text)
        out.append(text)
    return out


def _graph(derivation, name: str):
    """The computation graph in the picture language of a format (None for text)."""
    from symgrad.pictures import graph

    kind = {"latex": "tikz", "latex-standalone": "tikz", "markdown": "mermaid", "html": "svg"}
    if name not in kind:
        return None
    picture = graph(derivation, kind[name])
    if name == "html":  # symgrad's own SVG, inserted as markup
        from symgrad.rendering.templates import markupsafe_markup

        picture = markupsafe_markup(picture.split("?>", 1)[-1].lstrip())
    return picture
