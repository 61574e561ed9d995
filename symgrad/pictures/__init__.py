"""Pictures drawn from a derivation record: its computation graph and plots of its loss.

Two functions, each reading one :class:`~symgrad.derivation.record.Derivation` and
recomputing nothing it holds::

    import symgrad, symgrad.pictures as pictures

    d = symgrad.derive()                      # the built-in L1 example at x=2, y=10, m=1.5
    pictures.graph(d, "svg")                  # str: nodes yhat = 7 / dL/dyhat = -1, ...
    pictures.graph(d, "tikz")                 # a tikzpicture (\\usepackage{tikz})
    pictures.graph(d, "tikz-standalone")      # a whole document for pdflatex
    pictures.graph(d, "mermaid")              # flowchart LR, for a ```mermaid block
    pictures.plot(d, "loss")                  # str: SVG of L over m around the point
    pictures.plot(d, "comparison", "png")     # bytes: L1 against L2 over m
    pictures.plot(symgrad.derive(steps=10), "trajectory", param="m")

``graph`` draws the named quantities (inputs, parameters, every ``let``, the loss) with an
edge from each name an expression uses; with a point each node shows its forward value
and its adjoint dL/dnode, without one its expression. ``plot`` needs matplotlib
(``pip install 'symgrad[plot]'``); its kinds are ``loss`` (the loss along one parameter,
others held at the point, with the gradient's tangent, and on a kink the fan of
subgradients), ``comparison`` (the comparison rows' losses, e.g. L1 against L2) and
``trajectory`` (gradient descent with ``steps`` > 1). Output is deterministic: the same
derivation gives the same bytes. Errors are one-line :class:`~symgrad.errors.UsageError`.
"""

from __future__ import annotations

from symgrad.errors import UsageError

#: The formats of :func:`graph`.
GRAPH_FORMATS = ("tikz", "tikz-standalone", "mermaid", "svg")
#: The kinds and formats of :func:`plot`.
PLOT_KINDS = ("loss", "comparison", "trajectory")
PLOT_FORMATS = ("svg", "png")


def graph(derivation, format: str = "svg") -> str:
    """The computation graph of ``derivation`` as TikZ, a TikZ document, Mermaid or SVG."""
    from symgrad.pictures import drawings
    from symgrad.pictures.model import build_graph

    writers = {"tikz": drawings.tikz, "tikz-standalone": drawings.tikz_document,
               "mermaid": drawings.mermaid, "svg": drawings.svg}
    if format not in writers:
        raise UsageError(f"unknown graph format {format!r} (known: {', '.join(GRAPH_FORMATS)})")
    return writers[format](build_graph(derivation))


def plot(derivation, kind: str = "loss", format: str = "svg", param: str | None = None):
    """A plot of ``derivation``: SVG text (``format="svg"``) or PNG bytes (``"png"``).

    Args:
        kind: ``loss``, ``comparison`` or ``trajectory``.
        param: the parameter along which the loss is drawn (default: the first ``wrt``).

    Raises:
        UsageError: an unknown kind or format, matplotlib missing, or a derivation that
            lacks what the kind draws (no point, no comparison rows, no trajectory).
    """
    if kind not in PLOT_KINDS:
        raise UsageError(f"unknown plot kind {kind!r} (known: {', '.join(PLOT_KINDS)})")
    if format not in PLOT_FORMATS:
        raise UsageError(f"unknown plot format {format!r} (known: {', '.join(PLOT_FORMATS)})")
    from symgrad.pictures import plotting

    return plotting.draw(derivation, kind, format, param)
