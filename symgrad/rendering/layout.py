"""Line breaking for displayed math: an equation too wide for the page becomes rows of an aligned block.

A :class:`Block` is ``lhs = a = b ≈ c`` laid out as rows ``lhs &= a \\\\ &= b ...``; items
are packed onto a row while they fit in ``width`` (an estimate in characters of rendered
math, default :data:`DEFAULT_WIDTH`), and an item wider than a row on its own is broken
at its top-level ``+``/``-`` terms and then between the factors of a product. The same
rows give LaTeX/Markdown (``aligned`` or ``align*`` rows) and MathML (one ``mtable``
whose first column is right-aligned, so every row lines up at its relation).
"""

from __future__ import annotations

import re

import sympy as sp

#: Characters of rendered math per displayed row (about 16 cm at 11 pt, or 760 px).
DEFAULT_WIDTH = 60

_ZERO = re.compile(r"\\(left|right|mathrm|operatorname|mathit|text|hat|bar|tilde|displaystyle)"
                   r"(?![A-Za-z])|\\[,;:! ]")
_COMMAND = re.compile(r"\\[A-Za-z]+")


def tex_width(tex: str) -> float:
    """A rough width of rendered LaTeX math, in characters (fractions count their wider part)."""
    tex = _ZERO.sub("", tex)
    total, i = 0.0, 0
    while i < len(tex):
        if tex.startswith(r"\frac", i):
            i += 5
            top, i = _group(tex, i)
            bottom, i = _group(tex, i)
            total += max(tex_width(top), tex_width(bottom)) + 0.6
            continue
        ch = tex[i]
        if ch in "_^":
            body, i = _group(tex, i + 1)
            total += 0.7 * tex_width(body)
            continue
        if ch == "\\":
            m = _COMMAND.match(tex, i)
            if m:
                i = m.end()
                total += 1.2 if m.group(0) in (r"\approx", r"\leftarrow", r"\in", r"\cdot") else 1.0
                continue
        if ch in "{} ":
            i += 1
            continue
        total += 1.8 if ch in "=+-<>" else 1.0
        i += 1
    return total


def _group(tex: str, i: int) -> tuple[str, int]:
    """The braced group (or single character) at ``tex[i]``, and the index after it."""
    if i >= len(tex):
        return "", i
    if tex[i] != "{":
        return tex[i], i + 1
    depth = 0
    for j in range(i, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[j], 0)
        if depth == 0:
            return tex[i + 1 : j], j + 1
    return tex[i + 1 :], len(tex)


def _pieces(item, width: float) -> list[str]:
    """``item`` (a Math) as pieces that each fit, joined by their leading operators."""
    tex = item.tex
    expr = getattr(item, "_expr", None)
    if tex_width(tex) <= width or expr is None:
        return [tex]
    from symgrad.rendering.printing import latex, numeric_latex

    show = numeric_latex if getattr(item, "_numeric", False) else latex
    return _split(expr, show, width, "")


def _split(expr, show, width: float, sign: str) -> list[str]:
    """Pieces of ``expr``: its terms (each with its sign), a too-wide term's factors."""
    if isinstance(expr, sp.Add):
        out: list[str] = []
        for k, term in enumerate(expr.args):
            if isinstance(term, sp.Mul) and term.args[0] == -1:
                rest = term.args[1:]
                part, lead = (rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)), "- "
            elif term.is_Number and term < 0:
                part, lead = -term, "- "
            else:
                part, lead = term, ("+ " if k else "")
            out.extend(_split(part, show, width, lead if k or lead else sign))
        return out
    tex = show(expr)
    if tex_width(tex) > width and isinstance(expr, sp.Mul) and not any(
            _divides(f) for f in expr.args):
        factors = list(expr.args)
        if factors[0] == -1:
            sign, factors = ("+ " if sign == "- " else "- "), factors[1:]
        out = []
        for k, f in enumerate(factors):
            lead = sign if k == 0 else r"\cdot "
            body = show(f)
            if isinstance(f, sp.Add) and tex_width(body) > width:
                # a wide bracketed sum spans rows: \bigl( and \bigr) need no partner on the row
                inner = _split(f, show, width, "")
                out.extend([lead + r"\bigl(" + inner[0], *inner[1:-1],
                            (inner[-1] if len(inner) > 1 else "") + r"\bigr)"])
                continue
            if isinstance(f, sp.Add):
                body = rf"\left({body}\right)"
            out.append(lead + body)
        return out
    if isinstance(expr, sp.Add):
        tex = rf"\left({tex}\right)"
    return [sign + tex]


class Block:
    """Rows of one displayed equation: ``(left cell, right cell)``, the right starting with a
    relation; continuation rows have an empty left cell."""

    def __init__(self, lhs: str, links: list[tuple[str, object]], width: float = DEFAULT_WIDTH):
        self.rows: list[tuple[str, str]] = []
        left, row, used = lhs, "", 0.0
        room = max(width - tex_width(lhs), width / 2)
        for rel, item in links:
            pieces = _pieces(item, room - 3)
            first = f"{rel} {pieces[0]}"
            w = tex_width(first)
            if row and used + w > room:
                self.rows.append((left, row))
                left, row, used = "", "", 0.0
            row, used = (f"{row} {first}" if row else first), used + w
            for piece in pieces[1:]:
                w = tex_width(piece)
                if used + w > room:
                    self.rows.append((left, row))
                    left, row, used = "", r"\quad " + piece, 2 + w
                else:
                    row, used = f"{row} {piece}", used + w
        if row or not self.rows:
            self.rows.append((left, row))

    @property
    def aligned(self) -> str:
        """The rows for ``aligned``/``align*``: ``lhs &= a \\\\ &= b``."""
        return " \\\\\n".join(f"{left} &{right}" for left, right in self.rows)

    @property
    def display_md(self) -> str:
        """The body of a Markdown ``$$`` display: one row as is, several as ``aligned``."""
        if len(self.rows) == 1:
            return self.inline
        return "\\begin{aligned}\n" + self.aligned + "\n\\end{aligned}"

    @property
    def display_tex(self) -> str:
        """A LaTeX display: ``\\[...\\]`` for one row, ``align*`` for several."""
        if len(self.rows) == 1:
            return "\\[\n" + self.inline + "\n\\]"
        return "\\begin{align*}\n" + self.aligned + "\n\\end{align*}"

    @property
    def inline(self) -> str:
        """All on one line (for text-mode math)."""
        return " ".join(f"{left} {right}".strip() for left, right in self.rows)


_OPERATOR_NAME = re.compile(r"<mo>([A-Za-z]{2,})</mo>")
_FENCE = re.compile(r'<mo stretchy="true" fence="true" form="(prefix|postfix)">')
_TALL_OVER = re.compile(r'<mover(?! accent="true")')  # a hat is not tall; an over-brace is
# a minus right after an opening bracket or a relation is a sign, not a binary operator
_UNARY = re.compile(r'((?:form="prefix"[^>]*>[^<]*|<mo>(?:=|&#x0003D;|&#x02248;|&#x02190;))</mo>)<mo>&#x02212;</mo>')


def tidy_mathml(mathml: str) -> str:
    """latex2mathml's output spaced as KaTeX spaces it: operator names (``sign``, ``relu``) are
    identifiers, not operators with operator spacing; fences hug what they enclose."""
    mathml = _OPERATOR_NAME.sub(r"<mi>\1</mi>", mathml)
    # a fence around flat content is an ordinary-size bracket (Chromium pads stretched ones)
    out, stack, pos = [], [], 0
    for m in _FENCE.finditer(mathml):
        out.append(mathml[pos : m.start()])
        out.append((m.group(1), True))  # (form, stretchy), decided when the pair is known
        if m.group(1) == "prefix":
            stack.append((len(out) - 1, m.end()))
        elif stack:
            opening, start = stack.pop()
            inside = mathml[start : m.start()]
            tall = "<mfrac" in inside or "<munder" in inside or bool(_TALL_OVER.search(inside))
            out[opening], out[-1] = ("prefix", tall), ("postfix", tall)
        pos = m.end()
    out.append(mathml[pos:])
    mathml = "".join(piece if isinstance(piece, str) else
                     f'<mo stretchy="{str(piece[1]).lower()}" fence="true" form="{piece[0]}" '
                     'lspace="0em" rspace="0em">' for piece in out)
    return _UNARY.sub(r'\1<mo form="prefix" lspace="0em" rspace="0em">&#x02212;</mo>', mathml)


def mathml_table(blocks: list[Block]) -> str:
    """One MathML ``mtable`` for several blocks: the left cells right-aligned, the right cells
    left-aligned, so the relations of every row line up (MathML Core, no TeX left over)."""
    import latex2mathml.converter

    def cell(tex: str) -> str:
        if not tex.strip():
            return "<mtd></mtd>"
        mathml = tidy_mathml(latex2mathml.converter.convert(tex))
        inner = mathml[mathml.index(">") + 1 : mathml.rindex("</math>")]
        return f"<mtd>{inner}</mtd>"

    rows = []
    for block in blocks:
        for left, right in block.rows:
            rows.append(f"<mtr>{cell(left)}{cell(right)}</mtr>")
    return ('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">'
            '<mtable class="aligned" columnalign="right left" columnspacing="0">' + "".join(rows)
            + "</mtable></math>")


def number_equations(tex: str) -> str:
    """symgrad's LaTeX with every display numbered: ``\\[ x \\]`` and ``align*`` rows become
    one ``equation`` each (an ``aligned`` block inside when there are several rows)."""
    tex = tex.replace("\\begin{align*}", "\\begin{equation}\n\\begin{aligned}")
    tex = tex.replace("\\end{align*}", "\\end{aligned}\n\\end{equation}")
    tex = re.sub(r"(?m)^(\s*)\\\[\s*$", r"\1\\begin{equation}", tex)
    return re.sub(r"(?m)^(\s*)\\\]\s*$", r"\1\\end{equation}", tex)


def _divides(factor: sp.Basic) -> bool:
    """A factor that is a division (a power with a negative exponent). SymPy's assumption
    query can itself fail on a piecewise exponent holding zoo (TypeError, fuzz seed
    9,006,752): then the factor is not broken out, as if it divided."""
    if not factor.is_Pow:
        return False
    try:
        return factor.exp.is_negative is True
    except (TypeError, ValueError, RecursionError):
        return True
