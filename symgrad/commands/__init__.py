"""The commands beyond derive, check and list, each a module with ``add_parser(subparsers)``
(which sets ``run`` for its parser) and ``run(args) -> exit code``. They import their work
lazily, so ``symgrad --help`` stays cheap.
"""

from __future__ import annotations

import importlib

#: The modules, in the order ``symgrad --help`` lists their commands.
MODULES = ("symgrad.commands.article", "symgrad.pictures.command", "symgrad.exercises.command",
           "symgrad.commands.templating")


def add_commands(subparsers) -> None:
    """Register every command module's subcommand on the CLI's subparsers."""
    for name in MODULES:
        importlib.import_module(name).add_parser(subparsers)


def command_parser(subparsers, name: str, summary: str, description: str, epilog: str, run):
    """A subcommand's parser: ``summary`` for ``symgrad --help``, ``description`` wrapped,
    ``epilog`` (examples) as written, and ``run`` as what the command line calls."""
    import argparse
    import textwrap

    p = subparsers.add_parser(name, help=summary, description=textwrap.fill(description, 78),
                              epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(run=run)
    return p
