"""``symgrad exercises``: an exercise sheet, its solutions and an answer key per variant, from
one problem (a problem file, ``--example`` or ``--let``/``--wrt``/``--at``) and ``--vary``.
:func:`add_parser` adds the subcommand to the command line's subparsers and sets ``run``;
:func:`run` does the work and returns the exit code. Nothing heavy is imported until it runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from symgrad.commands import command_parser
from symgrad.commands.options import add_problem_options, problem_options

EPILOG = """\
examples:
  symgrad exercises --example l1 --vary 'x=1..5, y=-3..3' -o l1-sheet
      # l1-sheet/sheet.tex, solutions.tex and keys/variant-01.toml ... variant-10.toml
  symgrad exercises --example l1 --vary 'x=1..4, y=4..12, m={1, 1.5, 2}' --kinks include \\
                    --count 6 --seed 7 --format markdown -o l1-kinks
  symgrad exercises --let 'yhat = w*x + b' --let 'L = (y - yhat)^2' --wrt w,b \\
                    --at 'b=0' --lr 0.1 --vary 'x=-2..2, y={1, 3}, w=0..1 by 0.5'
  symgrad exercises problem.toml --vary 'x=1..5' --show solutions --format md
  symgrad check --problem l1-sheet/keys/variant-03.toml answer.md   # a student's answer

--vary: NAME=A..B (inclusive, step 1), NAME=A..B by S, NAME={v1, v2, ...} or NAME=v,
items separated by ',' or ';'; numbers are decimals or fractions (-3, 0.25, 1/3). Each name
is an input or parameter of the problem; the others keep the problem's value (--at).
The same --seed gives the same files, byte for byte.

--kinks: avoid (default; no variant on a kink), include (about a third of the variants
exactly on a kink, at least one), any.

exit codes: 0 success, 2 bad input or usage (one line on stderr), 3 a variant failed its
own verification (a bug in symgrad).
"""


def add_parser(subparsers) -> None:
    """Add ``exercises`` to the command line's subparsers (its ``run`` is :func:`run`)."""
    p = command_parser(
        subparsers, "exercises", "an exercise sheet: one problem at many points, with solutions and keys",
        "Make COUNT variants of one problem at distinct points of the --vary grid (chosen "
        "with --seed), derive and verify each, and write a sheet of questions, a document of "
        "solutions and, per variant, an answer key for 'symgrad check --problem'.",
        EPILOG, run)
    add_problem_options(p, ["example", "lets", "loss", "wrt", "at", "lr", "steps", "convention",
                            "digits", "title"], helps={
        "at": "values of the names that --vary leaves out (they are the same in every variant)",
        "lr": "learning rate: the sheet asks for the updated parameters",
        "title": "the sheet's title (default: the problem's)"})
    from symgrad.cli import _time_limit_option

    p.add_argument("--vary", required=True, metavar="'x=1..5, y=-3..3'",
                   help="the values of each varied name: A..B, A..B by S, {v1, v2, ...} or one number")
    p.add_argument("--count", type=int, default=10, metavar="N", help="number of variants, 1 to 200 (default 10)")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="the random seed (default 1)")
    p.add_argument("--kinks", choices=["avoid", "include", "any"], default="avoid",
                   help="avoid: no point on a kink (default); include: about a third on one; any")
    p.add_argument("--format", default="latex", metavar="F[,F...]",
                   help="latex (tex) or markdown (md), or both comma-separated with -o (default latex)")
    p.add_argument("--fragment", action="store_true",
                   help="LaTeX fragments to \\input instead of whole documents for pdflatex")
    p.add_argument("--show", choices=["sheet", "solutions", "keys"], default="sheet",
                   help="without -o: what to print (default sheet)")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="write DIR/sheet.tex, DIR/solutions.tex and DIR/keys/variant-NN.toml")
    _time_limit_option(p)


def _formats(text: str) -> list[str]:
    from symgrad.errors import UsageError
    from symgrad.exercises.documents import FORMATS

    out = []
    for name in text.split(","):
        key = FORMATS.get(name.strip())
        if key is None:
            raise UsageError(f"--format: exercise sheets are latex (tex) or markdown (md), not "
                             f"{name.strip()!r}")
        if key not in out:
            out.append(key)
    return out


def _options(args) -> dict:
    """The problem options, as ``symgrad derive`` reads them (a file, then the options given)."""
    from symgrad import api

    opts = problem_options(args)
    if args.problem_file:
        return api.problem_file_options(args.problem_file, **opts)
    return {k: v for k, v in opts.items() if v is not None and v != []}


def _write(path: Path, text: str) -> None:
    from symgrad.errors import UsageError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {str(path)!r}: {e.strerror}") from None


def run(args) -> int:
    """Make the sheet and write it (``-o DIR``) or print one document; the exit code."""
    from symgrad.budget import time_limit
    from symgrad.errors import UsageError
    from symgrad.exercises.sheet import VariantNotVerified, make_sheet

    formats = _formats(args.format)
    if args.output is None and len(formats) > 1:
        raise UsageError("several formats need a folder: give -o DIR")
    if args.output is not None and args.show != "sheet":
        raise UsageError("--show is for printing; with -o every document is written")
    with time_limit(args.time_limit):
        try:
            sheet = make_sheet(_options(args), args.vary, count=args.count, seed=args.seed,
                               kinks=args.kinks)
        except VariantNotVerified as e:
            print(f"symgrad: error: {e}", file=sys.stderr)
            return 3
        extension = {"latex": ".tex", "markdown": ".md"}
        files: list[tuple[str, str]] = []
        for fmt in formats:
            standalone = fmt == "latex" and not args.fragment
            for kind in ("sheet", "solutions"):
                if args.output is None and kind != args.show:
                    continue
                files.append((kind + extension[fmt], sheet.render(kind, fmt, standalone)))
        keys = sheet.answer_keys()
    if args.output is None:
        if args.show == "keys":
            sys.stdout.write("\n".join(f"# keys/{name}\n{text}" for name, text in keys.items()))
        else:
            sys.stdout.write(files[0][1])
        return 0
    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o {args.output}: not a folder")
    for name, text in files:
        _write(folder / name, text)
    for name, text in keys.items():
        _write(folder / "keys" / name, text)
    names = [name for name, _ in files]
    first, last = next(iter(keys)), list(keys)[-1]
    print(f"wrote {', '.join(str(folder / n) for n in names)} and {len(keys)} answer keys "
          f"({folder / 'keys' / first}{' ... ' + last if last != first else ''})")
    return 0
