"""Templates: where they live, the Jinja2 environment and its filters, and the rule sentences.

Jinja2, tomllib and latex2mathml are imported on first use, so a run that renders nothing
(``symgrad list``, ``--help``) or only JSON never pays for them.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from symgrad.derivation.rules import Rule, Step
from symgrad.rendering.printing import latex


def template_dir() -> Path:
    """The templates: ``templates/`` in a checkout, ``symgrad/templates`` in an installed wheel."""
    package = Path(__file__).resolve().parents[1]  # the installed symgrad/ folder
    packaged = package / "templates"
    if packaged.is_dir():
        return packaged
    return package.parent / "templates"


@lru_cache(maxsize=1)
def _sentences() -> dict:
    """``sentences.toml`` as a table. Importing tomllib and parsing costs more than the rest
    of a text run's rendering, so the table is kept in the cache folder next to the compiled
    templates, with the text it was read from: a changed file is read again."""
    import marshal
    import sys

    text = (template_dir() / "sentences.toml").read_text(encoding="utf-8")
    folder = cache_folder(f"sentences-py{sys.version_info[0]}.{sys.version_info[1]}")
    kept = None if folder is None else os.path.join(folder, "sentences.marshal")
    if kept is not None:
        try:
            with open(kept, "rb") as f:
                source, table = marshal.load(f)
            if source == text and isinstance(table, dict):
                return table
        except (OSError, TypeError, ValueError, EOFError):  # none yet, or unreadable
            pass
    import tomllib

    table = tomllib.loads(text)
    if kept is not None:
        try:  # written whole, then renamed: a run reading at the same time sees all or nothing
            partial = f"{kept}.{os.getpid()}"
            with open(partial, "wb") as f:
                marshal.dump((text, table), f)
            os.replace(partial, kept)
        except OSError:
            pass
    return table


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


def _mathml(tex: str, display: bool = True) -> str:
    import latex2mathml.converter  # loaded only for HTML output (it is slow to import)

    from symgrad.rendering.layout import tidy_mathml

    return tidy_mathml(latex2mathml.converter.convert(tex, display="block" if display else "inline"))


def _inline_html(text: str) -> str:
    """A sentence with ``$...$`` math: the math as inline MathML, the rest escaped."""
    import markupsafe

    pieces = re.split(r"(\$[^$]+\$)", text)
    out = []
    for piece in pieces:
        if piece.startswith("$") and piece.endswith("$") and len(piece) > 1:
            out.append(_mathml(piece[1:-1], display=False))
        else:
            out.append(str(markupsafe.escape(piece)))
    return "".join(out)


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def latex_text(text: str) -> str:
    """Plain text made safe for LaTeX text mode (specials escaped, non-ASCII spelled out)."""
    out = "".join(_LATEX_SPECIAL.get(c, c) for c in str(text))
    return out.encode("ascii", "replace").decode("ascii") if not out.isascii() else out


_MARKDOWN_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def markdown_text(text: str) -> str:
    """Plain text made safe for Markdown: no raw HTML, no accidental emphasis or links."""
    out = "".join(_MARKDOWN_SPECIAL.get(c, c) for c in str(text))
    return re.sub(r"([\\`*_\[\]#|$])", r"\\\1", out)


def _latex_sentence(text: str) -> str:
    """A sentence whose math is in ``$...$``: the prose escaped, the math kept."""
    pieces = re.split(r"(\$[^$]+\$)", text)
    return "".join(p if p.startswith("$") and p.endswith("$") and len(p) > 1 else latex_text(p)
                   for p in pieces)


def sentence_plain(text: str) -> str:
    """A sentence with its `$...$` math in plain text (the `plain_sentence` filter)."""
    return re.sub(r"\$([^$]+)\$", lambda m: tex_to_plain(m.group(1)), text)


#: Change when the environment's options change (it names the template cache folder).
_ENVIRONMENT_KEY = "env2"


def markupsafe_markup(text: str):
    import markupsafe

    return markupsafe.Markup(text)


def mathml_table(blocks):
    from symgrad.rendering.layout import mathml_table as table

    return table(blocks)


def _bytecode_cache(jinja2, variant: str = ""):
    """Compiled templates kept between runs (Jinja2 recompiles when a template changes).

    Compiling the templates costs more than deriving the built-in example, so they are
    cached in ``$SYMGRAD_CACHE`` or the user's cache folder; when no folder is writable
    symgrad simply compiles them each time. ``SYMGRAD_CACHE=off`` turns the cache off.
    """
    # Jinja2 keys its cache by template source only; compiled code also depends on the
    # environment's options (autoescape, ...) and on the Jinja2 version, so they name the folder
    where = cache_folder(f"{_ENVIRONMENT_KEY}{variant}-jinja{jinja2.__version__}")
    return None if where is None else jinja2.FileSystemBytecodeCache(where)


def cache_folder(name: str) -> str | None:
    """The writable folder ``name`` in symgrad's cache (``$SYMGRAD_CACHE``, else the user's
    cache folder), made if needed; None when the cache is off or nothing there is writable."""
    where = os.environ.get("SYMGRAD_CACHE")
    if where == "off":
        return None
    if not where:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        where = os.path.join(base, "symgrad", "templates")
    where = os.path.join(where, name)
    try:
        os.makedirs(where, exist_ok=True)
        if not os.access(where, os.W_OK):
            return None
    except OSError:
        return None
    return where


def _variant(user_dir, html_names) -> str:
    """The cache folder's suffix for a user environment: its compiled code differs (sandbox,
    escaping), and Jinja2 keys cached code by template name and source only."""
    if user_dir is None:
        return ""
    import hashlib

    key = "\0".join([user_dir, *sorted(html_names)]).encode("utf-8", "surrogateescape")
    return "-user-" + hashlib.sha256(key).hexdigest()[:16]


@lru_cache(maxsize=8)
def environment(user_dir: str | None = None, html_names: frozenset = frozenset()):
    """The Jinja2 environment over the templates, with symgrad's filters (built once per folder).

    With ``user_dir`` (:mod:`symgrad.rendering.usertemplates`), templates there come first,
    the built-in ones stay reachable as ``builtin/NAME``, and the environment is sandboxed.
    ``html_names`` are user templates that render HTML (escaped like the built-in one).
    """
    import jinja2

    builtin = jinja2.FileSystemLoader(str(template_dir()))
    loader = builtin
    cls = jinja2.Environment
    if user_dir is not None:
        from jinja2.sandbox import SandboxedEnvironment

        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(user_dir), builtin,
                                      jinja2.PrefixLoader({"builtin": builtin})])
        cls = SandboxedEnvironment
    html = jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False)
    env = cls(
        loader=loader,
        bytecode_cache=_bytecode_cache(jinja2, _variant(user_dir, html_names)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=lambda name: name in html_names or html(name),
    )
    env.filters["mathml"] = lambda tex, display=True: jinja2.utils.markupsafe.Markup(_mathml(tex, display))
    env.filters["inline_html"] = lambda text: jinja2.utils.markupsafe.Markup(_inline_html(text))
    env.filters["plain_sentence"] = sentence_plain
    env.filters["latex_text"] = latex_text
    env.filters["md_text"] = markdown_text
    env.filters["mtable"] = lambda blocks: markupsafe_markup(mathml_table(list(blocks)))
    env.filters["md_code"] = lambda text: str(text).replace("`", "'")
    env.filters["latex_sentence"] = _latex_sentence
    env.filters["join_tex"] = lambda parts: " = ".join(p.tex for p in parts)
    env.filters["join_plain"] = lambda parts: " = ".join(p.plain for p in parts)
    return env


