"""``symgrad render SOURCE``: expand the symgrad blocks of a Markdown or LaTeX article in place
(or into ``-o FILE``); ``--check`` only reports stale expansions (exit 1), for CI on a blog or
course repository. The work is :mod:`symgrad.rendering.article`."""

from __future__ import annotations

import sys

from symgrad.commands import command_parser

EPILOG = """\
a block in Markdown (the derivation is written after it, between two markers):

  ```symgrad
  let = ["yhat = m*x + b", "L = (y - yhat)^2"]
  wrt = "m,b"
  at = { x = 2, y = 10, m = 1.5, b = 4 }
  heading = "subsection"        # ### title; "none" drops it
  ```

in LaTeX the same lines as comments: % ```symgrad / % example = "l1" / % ```

block keys: the problem-file keys (symgrad derive --help) and format (markdown: markdown,
html or text; latex: latex), heading (section, subsection, none), detail (full, normal,
brief), notation (leibniz, prime), numbered (latex), graph (true: the computation graph),
math (dollars, or myst for MyST without dollarmath), width, symbolic (true: formulas only).

examples:
  symgrad render post.md                 # expand every block in place
  symgrad render notes.tex -o notes.out.tex
  symgrad render post.md --check         # exit 1 if an expansion is stale

exit codes: 0 written (or up to date), 1 stale (--check), 2 bad input (one line on stderr).
"""


def add_parser(subparsers) -> None:
    from symgrad.cli import _time_limit_option

    p = command_parser(
        subparsers, "render", "expand ```symgrad blocks of a Markdown or LaTeX article in place",
        "Expand each ```symgrad block (a problem in TOML) of a Markdown or LaTeX source into "
        "its derivation, written right after the block. The block stays, so a re-run gives "
        "the same bytes and --check can tell when an expansion is stale.",
        EPILOG, run)
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="a .md or .tex file")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if any expansion is missing or stale")
    p.add_argument("-o", "--output", metavar="FILE", help="write the expanded source here "
                   "instead of in place (one SOURCE only)")
    p.add_argument("--kind", choices=["markdown", "latex"],
                   help="the source's language when its extension does not say")
    p.add_argument("--templates", metavar="DIR", help="your own templates (see symgrad templates)")
    _time_limit_option(p)


def run(args) -> int:
    from pathlib import Path

    from symgrad.budget import time_limit
    from symgrad.errors import UsageError
    from symgrad.reader.files import read_limited
    from symgrad.rendering.article import MAX_SOURCE, expand, source_kind, stale

    if args.output and (len(args.sources) > 1 or args.check):
        raise UsageError("-o goes with one SOURCE and without --check")
    results = []
    with time_limit(args.time_limit):
        for source in args.sources:
            kind = source_kind(source, args.kind)
            raw = read_limited(source, "source", MAX_SOURCE)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise UsageError(f"{source!r} is not UTF-8 text (byte {e.start + 1})") from None
            options = dict(name=source, base=Path(source).parent, templates=args.templates)
            if args.check:
                results.append((source, stale(text, kind, **options)))
            else:
                results.append((source, expand(text, kind, **options), text))
    if args.check:
        bad = [(s, lines) for s, lines in results if lines]
        for s, lines in bad:
            where = ", ".join(str(n) for n in lines)
            print(f"{s}: stale symgrad block(s) at line {where}; run 'symgrad render {s}'",
                  file=sys.stderr)
        if not bad:
            print(f"{len(results)} source(s) up to date")
        return 1 if bad else 0
    for source, new, old in results:
        target = args.output or source
        if target == source and new == old:
            print(f"{source}: up to date")
            continue
        try:
            Path(target).write_text(new, encoding="utf-8", newline="")
        except OSError as e:
            raise UsageError(f"cannot write {target!r}: {e.strerror}") from None
        print(f"{source}: expanded" + (f" into {target}" if target != source else ""))
    return 0
