"""``symgrad draw``: the computation graph or a plot of a derivation, written to a file.

The problem options are those of ``symgrad derive`` (a problem file, ``--example``,
``--let``, ``--wrt``, ``--at``, ``--lr``, ``--steps``, ...), read by the same API
functions; the picture comes from :mod:`symgrad.pictures`. The format is ``--format`` or
the extension of ``-o`` (``.svg``, ``.png``, ``.tex`` for a whole TikZ document, ``.mmd``
for Mermaid, ``.md`` for Mermaid in a fenced block). Nothing heavy is imported until the
command runs, so ``symgrad --help`` stays cheap.
"""

from __future__ import annotations

import sys
from pathlib import Path

from symgrad.commands import command_parser
from symgrad.commands.options import add_problem_options, problem_of

WHAT = ("graph", "loss", "comparison", "trajectory")
FORMATS = ("tikz", "tikz-standalone", "mermaid", "svg", "png")
#: The format each output extension means.
EXTENSIONS = {".svg": "svg", ".png": "png", ".tex": "tikz-standalone", ".mmd": "mermaid",
              ".mermaid": "mermaid", ".md": "mermaid"}


EPILOG = """\
what:
  graph        the named quantities and the edges between them; with --at each box
               shows the value and the adjoint (yhat = 7, dL/dyhat = -1)
  loss         the loss along one input (--param, default the first --wrt) around the
               point, the gradient's tangent, and on a kink the fan of subgradients
  comparison   L1 against L2 (the comparison rows of the built-in l1 example)
  trajectory   gradient descent: the loss per step and the parameter's path (--steps N)

plots (loss, comparison, trajectory) need matplotlib: pip install 'symgrad[plot]'

examples:
  symgrad draw graph -o l1.svg                              # the built-in L1 example
  symgrad draw graph --example network -o net.tex && pdflatex net.tex
  symgrad draw graph --let 'yhat = m*x + b' --let 'L = (y - yhat)^2' --wrt m,b \\
               --format mermaid                             # symbolic: names and formulas
  symgrad draw loss --at 'x=2, y=7, m=1.5' -o kink.png      # on the kink: the fan
  symgrad draw comparison -o l1-vs-l2.svg
  symgrad draw trajectory --example l1 --lr 0.1 --steps 10 -o descent.png
"""


def add_parser(subparsers) -> None:
    """Add ``draw`` to the CLI's subparsers (its ``run`` is set as the parser's default)."""
    p = command_parser(
        subparsers, "draw", "draw the computation graph (TikZ, Mermaid, SVG) or plot the loss",
        "Draw a derivation: its computation graph as TikZ, Mermaid or SVG, or a plot (SVG "
        "or PNG) of the loss around the point, L1 against L2, or a descent trajectory. The "
        "problem is given as for 'symgrad derive'.",
        EPILOG, run)
    from symgrad.cli import _time_limit_option

    p.add_argument("what", choices=WHAT, metavar="WHAT", help="what to draw: " + ", ".join(WHAT))
    add_problem_options(p, helps={
        "at": "the point: with it the graph shows values and adjoints (plots need it)",
        "lr": "learning rate (trajectory)", "steps": "descent steps (trajectory: N > 1)",
        "symbolic": "ignore an example's or a file's point: a graph of names and formulas"})
    p.add_argument("--param", metavar="NAME",
                   help="the input the loss plot runs along (default: the first --wrt)")
    p.add_argument("--format", choices=FORMATS,
                   help="graph: tikz (a fragment), tikz-standalone, mermaid, svg; plots: svg, "
                   "png (default: from -o's extension, else svg)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="the file to write (.svg .png .tex .mmd .md); default standard output")
    _time_limit_option(p)


def output_format(what: str, fmt: str | None, output: str | None) -> str:
    """The format asked for, or the one ``-o``'s extension means; checked against ``what``."""
    from symgrad.errors import UsageError

    if fmt is None and output:
        ext = Path(output).suffix.lower()
        if ext not in EXTENSIONS:
            raise UsageError(f"-o {output}: cannot tell the format from {ext or 'no extension'!r}; "
                             f"give --format ({', '.join(FORMATS)})")
        fmt = EXTENSIONS[ext]
    fmt = fmt or "svg"
    if what == "graph" and fmt == "png":
        raise UsageError("the graph is drawn as tikz, tikz-standalone, mermaid or svg "
                         "(png is for the plots)")
    if what != "graph" and fmt not in ("svg", "png"):
        raise UsageError(f"a {what} plot is svg or png, not {fmt}")
    if fmt == "png" and not output:
        raise UsageError("png is binary: give -o FILE.png")
    return fmt


def derivation_from(args):
    """The derivation the options describe (as ``symgrad derive`` builds it)."""
    from symgrad import api

    return api.derive(problem_of(args))


def run(args) -> int:
    """Draw what ``args`` asks for; returns the exit code (errors raise ``SymgradError``)."""
    from symgrad import pictures
    from symgrad.budget import time_limit
    from symgrad.errors import UsageError

    fmt = output_format(args.what, args.format, args.output)
    if args.param is not None and args.what == "graph":
        raise UsageError("--param goes with the plots (loss, comparison, trajectory)")
    with time_limit(args.time_limit):
        d = derivation_from(args)
        if args.what == "graph":
            picture = pictures.graph(d, fmt)
        else:
            picture = pictures.plot(d, args.what, fmt, args.param)
    if args.output and Path(args.output).suffix.lower() == ".md" and fmt == "mermaid":
        picture = f"```mermaid\n{picture}```\n"
    if not args.output:
        sys.stdout.write(picture)
        return 0
    try:
        if isinstance(picture, bytes):
            Path(args.output).write_bytes(picture)
        else:
            Path(args.output).write_text(picture, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {args.output!r}: {e.strerror}") from None
    return 0
