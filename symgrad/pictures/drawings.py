"""The graph model as text: a TikZ picture (a fragment, or a whole document for pdflatex),
a Mermaid flowchart, and an SVG drawn here without Graphviz.

All three read the same :class:`~symgrad.pictures.model.Graph` and the same box geometry
(:func:`boxes`: each layer a column as wide as its widest label, the nodes of a layer
stacked and centred on the tallest column), so the pictures agree. TikZ uses plain
``tikz`` only (absolute coordinates, the built-in ``->`` arrow). Mermaid labels are
quoted with its entity codes for ``"``, ``<``, ``>`` and ``#``; the SVG escapes every
label and attribute as XML. Nothing depends on the time, the hash seed or the fonts
installed: the same derivation always gives the same bytes.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from symgrad.pictures.model import Graph

#: Fill and border colour of each node kind (SVG and TikZ use the same RGB).
COLOURS = {
    "input": ("#f2f2f2", "#7f7f7f"),
    "parameter": ("#dcebfa", "#2a6db5"),
    "quantity": ("#fdf6d8", "#a08a2a"),
    "loss": ("#fbe0dc", "#b5412a"),
}
SVG_NS = "http://www.w3.org/2000/svg"
#: SVG geometry, in pixels: a monospace character's width, a line's height, paddings, gaps.
CHAR, LINE, PAD_X, PAD_Y, GAP_X, GAP_Y, MARGIN = 7.8, 18.0, 10.0, 8.0, 56.0, 22.0, 16.0
FONT = 13


def boxes(g: Graph, char: float = CHAR, line: float = LINE, gap_x: float = GAP_X,
          gap_y: float = GAP_Y, pad_x: float = PAD_X, pad_y: float = PAD_Y):
    """{name: (centre x, centre y, width, height, column left, column right)} and the
    picture's (width, height)."""
    size = {n.name: (max(len(t) for t in n.lines) * char + 2 * pad_x,
                     len(n.lines) * line + 2 * pad_y) for n in g.nodes}
    columns: dict[int, list] = {}
    for n in g.nodes:  # already in (layer, row) order
        columns.setdefault(n.layer, []).append(n.name)
    widths = {k: max(size[m][0] for m in col) for k, col in columns.items()}
    heights = {k: sum(size[m][1] for m in col) + gap_y * (len(col) - 1) for k, col in columns.items()}
    tallest = max(heights.values())
    out, x = {}, 0.0
    for k in sorted(columns):
        y = (tallest - heights[k]) / 2
        for m in columns[k]:
            w, h = size[m]
            out[m] = (x + widths[k] / 2, y + h / 2, w, h, x, x + widths[k])
            y += h + gap_y
        x += widths[k] + gap_x
    return out, (x - gap_x, tallest)


# ------------------------------------------------------------------------------ TikZ


def _tikz_colours() -> list[str]:
    out = []
    for kind, (fill, line) in COLOURS.items():
        for role, rgb in (("fill", fill), ("draw", line)):
            r, g, b = (int(rgb[i:i + 2], 16) for i in (1, 3, 5))
            out.append(rf"\definecolor{{symgrad{kind}{role}}}{{RGB}}{{{r},{g},{b}}}")
    return out


#: TikZ geometry, in cm (a character of the plain label stands for the LaTeX label's width).
TIKZ = dict(char=0.17, line=0.5, gap_x=1.1, gap_y=0.4, pad_x=0.15, pad_y=0.1)


def tikz(g: Graph) -> str:
    """A ``tikzpicture`` (needs only ``\\usepackage{tikz}``)."""
    geo, _ = boxes(g, **TIKZ)
    ids = {n.name: f"n{i}" for i, n in enumerate(g.nodes)}
    out = [r"\begin{tikzpicture}[x=1cm, y=-1cm, every node/.style={draw, rounded corners=2pt, "
           r"align=center, inner sep=3pt, font=\small}]"]
    out += ["  " + c for c in _tikz_colours()]
    for n in g.nodes:
        x, y = geo[n.name][:2]
        label = r" \\ ".join(f"${t}$" for t in n.tex)
        out.append(rf"  \node[fill=symgrad{n.kind}fill, draw=symgrad{n.kind}draw] ({ids[n.name]}) "
                   rf"at ({x:.2f}, {y:.2f}) {{{label}}};")
    for a, b in g.edges:
        out.append(rf"  \draw[->, thick, draw=black!60] ({ids[a]}.east) -- ({ids[b]}.west);")
    out.append(r"\end{tikzpicture}")
    return "\n".join(out) + "\n"


def tikz_document(g: Graph) -> str:
    """A whole document for pdflatex: a page the picture's size (shrunk to it if wider)."""
    _, (w, h) = boxes(g, **TIKZ)
    return "\n".join([
        r"\documentclass{article}",
        rf"\usepackage[paperwidth={max(w + 3, 8):.1f}cm, paperheight={max(h + 3, 5):.1f}cm, "
        r"margin=1cm]{geometry}",
        r"\usepackage{tikz}",
        r"\usepackage{graphicx}",
        r"\pagestyle{empty}",
        r"\begin{document}",
        r"\noindent\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
        tikz(g).rstrip("\n") + "%",
        "}",
        r"\end{document}",
    ]) + "\n"


# ------------------------------------------------------------------------------ Mermaid


def _mermaid_text(text: str) -> str:
    for a, b in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(a, b)
    return text


def mermaid(g: Graph) -> str:
    """A ``flowchart LR`` for a Markdown ```` ```mermaid ```` block."""
    ids = {n.name: f"n{i}" for i, n in enumerate(g.nodes)}
    out = ["flowchart LR"]
    for n in g.nodes:
        label = "<br/>".join(_mermaid_text(t) for t in n.lines)
        out.append(f'  {ids[n.name]}["{label}"]')
    for a, b in g.edges:
        out.append(f"  {ids[a]} --> {ids[b]}")
    for kind, (fill, line) in COLOURS.items():
        members = [ids[n.name] for n in g.nodes if n.kind == kind]
        if members:
            out.append(f"  classDef {kind} fill:{fill},stroke:{line},color:#000")
            out.append(f"  class {','.join(members)} {kind}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ SVG


def _num(v: float) -> str:
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def svg(g: Graph) -> str:
    """A standalone SVG document (UTF-8 text) of the graph."""
    geo, (width, height) = boxes(g)
    W, H = width + 2 * MARGIN, height + 2 * MARGIN
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="{SVG_NS}" width="{_num(W)}" height="{_num(H)}" '
        f'viewBox="0 0 {_num(W)} {_num(H)}" font-family="DejaVu Sans Mono, Menlo, Consolas, '
        f'monospace" font-size="{FONT}">',
        f"<title>{escape('computation graph of ' + g.loss)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#555555"/></marker></defs>',
        f'<rect width="{_num(W)}" height="{_num(H)}" fill="#ffffff"/>',
    ]
    for a, b in g.edges:  # straight out to the column's edge, a curve, straight in
        xa, ya, wa, _, _, ra = geo[a]
        xb, yb, wb, _, lb, _ = geo[b]
        x0, xe = xa + wa / 2 + MARGIN, xb - wb / 2 + MARGIN
        x1, y1, x2, y2 = ra + MARGIN, ya + MARGIN, lb + MARGIN, yb + MARGIN
        bend = (x2 - x1) / 2
        out.append(f'<path class="edge" d="M {_num(x0)} {_num(y1)} H {_num(x1)} C {_num(x1 + bend)} '
                   f'{_num(y1)} {_num(x2 - bend)} {_num(y2)} {_num(x2)} {_num(y2)} H {_num(xe)}" '
                   f'fill="none" stroke="#555555" stroke-width="1.3" marker-end="url(#arrow)">'
                   f"<title>{escape(a + ' → ' + b)}</title></path>")
    for n in g.nodes:
        x, y, w, h = geo[n.name][:4]
        fill, line = COLOURS[n.kind]
        left, top = x - w / 2 + MARGIN, y - h / 2 + MARGIN
        out.append(f'<g class="node {n.kind}" id={quoteattr("node-" + n.name)}>')
        out.append(f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(w)}" height="{_num(h)}" '
                   f'rx="5" fill="{fill}" stroke="{line}" stroke-width="{2 if n.kind == "loss" else 1.2}"/>')
        for i, text in enumerate(n.lines):
            ty = top + PAD_Y + LINE * i + LINE * 0.72
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append(f'<text x="{_num(x + MARGIN)}" y="{_num(ty)}" text-anchor="middle"'
                       f"{weight}>{escape(text)}</text>")
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
