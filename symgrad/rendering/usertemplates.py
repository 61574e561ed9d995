"""Templates a user owns: a folder (``--templates DIR``) or one file (``--template FILE``) that
replaces a built-in template, ``symgrad templates export DIR`` to start from the built-in ones,
the documented context every template receives, and errors in a user's template reported by
its file and line (exit 2) instead of a traceback. User templates run in Jinja2's sandbox.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from symgrad.errors import UsageError
from symgrad.records import record

#: The built-in template of each format (``latex-standalone``: the whole pdflatex document,
#: which includes ``derivation.tex.j2``).
BUILTIN = {
    "text": "derivation.txt.j2",
    "markdown": "derivation.md.j2",
    "latex": "derivation.tex.j2",
    "latex-standalone": "standalone.tex.j2",
    "html": "derivation.html.j2",
}
#: A user template file's format, from how its name ends.
_SUFFIX_FORMAT = {".txt.j2": "text", ".md.j2": "markdown", ".tex.j2": "latex",
                  ".html.j2": "html", ".xhtml.j2": "html"}

#: Every name a template receives, with what it holds. Math values are objects with ``.tex``
#: (LaTeX), ``.plain`` (text), ``.eq`` (``=`` or ``\approx`` before a rounded number) and
#: ``.eq_plain``; a test keeps this table equal to what the renderer builds.
CONTEXT = {
    "title": "the heading (the problem's title, or 'The gradient of L with respect to m')",
    "symbolic": "true when there is no point: formulas only, no numbers",
    "quantities": "the named quantities in order: name (math), expr (math), text (as written), "
                  "block (aligned rows)",
    "inputs": "the point: name and value (math) for every input; empty when symbolic",
    "loss": "the quantity differentiated (math)",
    "wrt": "the parameters (math), in order; wrt_names has them as plain names",
    "wrt_names": "the parameters as plain names",
    "lr": "the learning rate (math) or none",
    "convention": "the subgradient convention's name (min-norm, subdifferential, ...)",
    "convention_text": "what that convention picks at a kink, in words",
    "subdifferential": "true when the convention reports the whole subdifferential",
    "forward": "the forward pass: name, line (the rows with numbers), block (aligned rows)",
    "gradients": "one per parameter: param (name), param_m (math), chain (the chain rule), "
                 "factors (each with its rule steps and sentences), result, value, interval, "
                 "update_block, symbolic_update, no_derivative, ...",
    "kinks": "kinks the point lies on: where, the subdifferential, the choice and its reason",
    "jumps": "discontinuities (sign, heaviside, where) the point lies on",
    "places": "symbolic mode: where the kinks lie, as equations, and the subgradient there",
    "adjoints": "backward pass: name, lhs (dL/dname), value, missing",
    "verification": "per parameter: sympy and fd (finite differences) results, ok, note",
    "trajectory": "gradient-descent steps (with --steps): step, loss, params",
    "comparison": "comparison rows (the built-in example's L1 vs L2): label, point, loss, gradient",
    "closing": "the example's closing remark, or empty",
    "style": "'leibniz' (chain rule per parameter) or 'backprop' (node by node)",
    "backprop": "backprop style: the nodes of the backward pass with their local rules",
    "data": "with --data: the dataset table and the reduced gradient, else none",
    "reduction": "a loss over examples (mean/sum): total, kind, index, per_example, "
                 "definition, gradients, numbers; else none",
    "first_section": "the number of the first gradient section (2 after a forward pass)",
    "heading": "LaTeX: the title's level, section, subsection or none",
    "part": "LaTeX: the parts' level (subsection or subsubsection)",
    "body_template": "the standalone LaTeX document's body: the latex template's name",
}


@record
class UserTemplates:
    """Where a user's templates are: ``folder`` first, then the built-in ones; ``files`` maps a
    format to a file in ``folder`` that replaces its built-in template whatever its name."""

    folder: str
    files: tuple[tuple[str, str], ...] = ()

    def name_for(self, key: str) -> str:
        """The template to render for a format key (``latex-standalone`` included)."""
        return dict(self.files).get(key, BUILTIN[key])

    def html_names(self) -> frozenset:
        return frozenset(name for fmt, name in self.files if fmt == "html")


def resolve(templates=None, template=None, formats=()) -> UserTemplates | None:
    """The user templates the options name, checked (a usage error names what is wrong).

    ``templates`` is a folder whose files named like the built-in ones replace them;
    ``template`` one file for one format: the format its name says (``mine.md.j2``) or else
    the only template format being rendered.
    """
    if templates is None and template is None:
        return None
    if templates is not None and template is not None:
        raise UsageError("give --templates DIR or --template FILE, not both")
    if templates is not None:
        folder = Path(templates)
        if not folder.is_dir():
            raise UsageError(f"--templates {str(templates)!r}: not a folder")
        return UserTemplates(str(folder.resolve()))
    path = Path(template)
    if not path.is_file():
        raise UsageError(f"--template {str(template)!r}: no such file")
    fmt = next((f for suffix, f in _SUFFIX_FORMAT.items() if path.name.endswith(suffix)), None)
    if fmt is None:
        rendered = sorted({"html" if f == "mathml" else f for f in formats} - {"json"})
        if len(rendered) != 1:
            raise UsageError(f"--template {str(template)!r}: name it NAME.md.j2, .tex.j2, "
                             ".html.j2 or .txt.j2 to say its format, or render one format")
        fmt = rendered[0]
    return UserTemplates(str(path.parent.resolve()), ((fmt, path.name),))


def render_with(env, name: str, context: dict, folder: str) -> str:
    """Render one template; an error in a user template is a usage error naming file and line."""
    import jinja2

    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise UsageError(f"template {_shown(e.filename or e.name, folder)}, line {e.lineno}: "
                         f"{e.message}") from None
    except jinja2.TemplateNotFound as e:
        raise UsageError(f"template {e.name!r} not found in {folder} or the built-in "
                         "templates") from None
    except Exception as e:  # noqa: BLE001 - the user's template failed while it ran
        where = _user_frame(e.__traceback__, folder)
        if where is None:
            raise
        kind = "not allowed" if isinstance(e, jinja2.exceptions.SecurityError) else type(e).__name__
        raise UsageError(f"template {where[0]}, line {where[1]}: {kind}: {e}") from None


def _shown(filename: str, folder: str) -> str:
    p = Path(filename)
    try:
        return str(p.relative_to(folder)) if p.is_absolute() else filename
    except ValueError:
        return filename


def _user_frame(tb, folder: str):
    """The innermost traceback frame in a file of the user's folder: (file, line) or None."""
    found = None
    prefix = str(Path(folder)) + "/"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(prefix):
            found = (_shown(filename, folder), tb.tb_lineno)
        tb = tb.tb_next
    return found


def export(dest, force: bool = False) -> list[Path]:
    """Copy the built-in templates (and a CONTEXT.md describing what they receive) to ``dest``.

    Existing files are kept unless ``force``: a usage error lists them.
    """
    from symgrad.rendering.templates import template_dir

    out = Path(dest)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{str(dest)!r} exists and is not a folder")
    names = sorted(set(BUILTIN.values()))
    targets = [out / n for n in names] + [out / "CONTEXT.md"]
    clash = [t.name for t in targets if t.exists()]
    if clash and not force:
        raise UsageError(f"{str(dest)!r} already has {', '.join(clash)}; give --force to overwrite")
    try:
        out.mkdir(parents=True, exist_ok=True)
        for n in names:
            shutil.copyfile(template_dir() / n, out / n)
        (out / "CONTEXT.md").write_text(context_markdown(), encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write to {str(dest)!r}: {e.strerror}") from None
    return targets


def context_markdown() -> str:
    """The template context as a Markdown document (written by export, shown in the README)."""
    lines = ["# What a symgrad template receives", "",
             "Each format has one template; a file of the same name in your folder replaces it,",
             "and `{% include \"builtin/derivation.md.j2\" %}` puts the built-in output inside yours.",
             "Math values have `.tex`, `.plain`, `.eq` and `.eq_plain`. Filters: `md_text`,",
             "`latex_text`, `latex_sentence`, `mathml`, `inline_html`, `plain_sentence`,",
             "`md_code`, `join_tex`, `join_plain`, `mtable`.", "",
             "| name | what it holds |", "| --- | --- |"]
    lines += [f"| `{k}` | {v} |" for k, v in CONTEXT.items()]
    lines += ["", "Built-in templates: " + ", ".join(f"`{v}` ({k})" for k, v in BUILTIN.items()), ""]
    return "\n".join(lines)
