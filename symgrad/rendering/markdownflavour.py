"""Markdown for the site generators authors use: the derivation's heading levels moved to fit
the article (``section``: ``##``, ``subsection``: ``###``, ``none``: no title line), and the
math written for MyST without its dollarmath extension (```` ```{math} ```` blocks and
``{math}`` roles). Both read symgrad's own Markdown, whose prose escapes ``$``, ``#`` and
backticks, so the only ``$`` signs and headings in it are the ones the templates wrote.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^(#{1,6}) ")
_INLINE = re.compile(r"(?<!\\)\$([^$\n]+?)(?<!\\)\$")


def _outside_math(lines: list[str]):
    """(index, line, inside) for each line, ``inside`` true within a ``$$`` display or a fence."""
    display = fence = False
    for i, line in enumerate(lines):
        s = line.strip()
        if not display and s.startswith("```"):
            fence = not fence
            yield i, line, True
            continue
        if not fence and s == "$$":
            display = not display
            yield i, line, True
            continue
        yield i, line, display or fence


def shift_headings(md: str, heading: str) -> str:
    """The title and part headings one level down (``subsection``) or the title dropped."""
    if heading == "section":
        return md
    lines = md.split("\n")
    out = []
    title_dropped = False
    for _, line, inside in _outside_math(lines):
        m = None if inside else _HEADING.match(line)
        if m and heading == "none" and not title_dropped:
            title_dropped = True
            continue
        if m and heading == "subsection":
            line = "#" + line
        out.append(line)
    text = "\n".join(out)
    return text.lstrip("\n") if heading == "none" else text


def myst_math(md: str) -> str:
    """``$$ ... $$`` displays as ```` ```{math} ```` fences and ``$x$`` as ``{math}`x```."""
    lines = md.split("\n")
    out = []
    display = fence = False
    for line in lines:
        s = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if not display and s.startswith("```"):
            fence = not fence
        elif not fence and s == "$$":
            out.append(indent + ("```" if display else "```{math}"))
            display = not display
            continue
        if display or fence:
            out.append(line)
            continue
        out.append(_INLINE.sub(lambda m: "{math}`" + m.group(1) + "`", line))
    return "\n".join(out)
