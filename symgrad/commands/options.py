"""The problem options every command that derives shares (``derive``, ``draw``,
``exercises``): one table of flags, added to a parser with per-command help where it says
more, and read back into the options of :func:`symgrad.api.problem_from`.
"""

from __future__ import annotations

from symgrad.choices import CONVENTIONS, STYLES
from symgrad.reader.examples import EXAMPLES
from symgrad.reader.schema import KEYS

#: (option name in the API, flags, argparse keywords); ``help`` is the default wording.
PROBLEM_OPTIONS = (
    ("example", ("--example",), dict(metavar="NAME", help=f"a built-in example ({', '.join(EXAMPLES)})")),
    ("lets", ("--let",), dict(dest="lets", action="append", default=[], metavar="'NAME = EXPR'",
                              help="a named quantity; repeat, in order; later ones may use "
                              "earlier names")),
    ("loss", ("--loss",), dict(metavar="NAME", help="the quantity to differentiate (default: the "
                                                    "last --let)")),
    ("wrt", ("--wrt",), dict(action="append", metavar="P[,P...]",
                             help="parameter(s) to differentiate by")),
    ("at", ("--at",), dict(metavar="'k=v, k=v'", help="the point: a value for every input")),
    ("lr", ("--lr",), dict(metavar="ETA", help="learning rate for gradient-descent updates")),
    ("steps", ("--steps",), dict(type=int, metavar="N", help="number of updates (default 1; "
                                                             "needs --lr)")),
    ("convention", ("--convention",), dict(metavar="NAME", help="value picked at a kink: "
                                           f"{', '.join(CONVENTIONS)} (default min-norm)")),
    ("digits", ("--digits",), dict(type=int, metavar="N", help="significant digits for inexact "
                                                               "decimals (default 6)")),
    ("data", ("--data",), dict(metavar="FILE.csv", help="rows of inputs (header names are input "
                                                        "names); the loss is per example")),
    ("reduce", ("--reduce",), dict(choices=["mean", "sum"], help="how per-row losses combine "
                                                                 "(default mean)")),
    ("update", ("--update",), dict(choices=["batch", "sgd"], help="batch: one update per step; "
                                   "sgd: one update per row in file order (default batch)")),
    ("style", ("--style",), dict(choices=list(STYLES), help="chain rule as Leibniz factors "
                                 "(default) or backpropagation node by node")),
    ("symbolic", ("--symbolic",), dict(action="store_true", help="ignore the point of an example "
                                       "or problem file: formulas only")),
    ("title", ("--title",), dict(metavar="TEXT", help="the heading of the output (default: the "
                                 "example's, or 'The gradient of L with respect to ...')")),
)


def add_problem_options(parser, names=None, helps: dict | None = None, file: bool = True) -> None:
    """A ``PROBLEM.toml`` argument (with ``file``) and the problem flags (``names``: which,
    default all; ``helps``: a command's own wording for some)."""
    helps = helps or {}
    if file:
        parser.add_argument("problem_file", nargs="?", metavar="PROBLEM.toml",
                            help=f"a problem file in TOML (keys: {', '.join(k.name for k in KEYS)};"
                            " see the README's table); options given here override it")
    for name, flags, kwargs in PROBLEM_OPTIONS:
        if names is None or name in names:
            parser.add_argument(*flags, **{**kwargs, "help": helps.get(name, kwargs["help"])})


def problem_options(args) -> dict:
    """The API options the parsed flags give (flags a command does not offer are left out)."""
    return {name: getattr(args, name) for name, _, _ in PROBLEM_OPTIONS if hasattr(args, name)}


def problem_of(args):
    """The :class:`~symgrad.reader.problem.Problem` the arguments describe: the problem file
    (if any) with the flags given overriding it."""
    from symgrad import api

    opts = problem_options(args)
    if getattr(args, "problem_file", None):
        return api.load_problem_file(args.problem_file, **opts)
    return api.problem_from(**opts)
