"""``symgrad templates``: copy the built-in templates out to start your own from
(``export DIR``), or print what every template receives (``context``)."""

from __future__ import annotations

import sys

from symgrad.commands import command_parser

EPILOG = """\
examples:
  symgrad templates export my-templates         # copy the built-in templates and CONTEXT.md
  symgrad derive --templates my-templates --format md     # your edited derivation.md.j2
  symgrad derive --template notes.md.j2 --format md        # one file for one format
  symgrad templates context                     # the names every template receives
"""


def add_parser(subparsers) -> None:
    p = command_parser(
        subparsers, "templates", "export the built-in templates to change them; show their context",
        "Templates you own: export the built-in ones to a folder, edit them, and render with "
        "'symgrad derive --templates DIR'. A file named like a built-in template replaces it; "
        "others stay built in and are reachable as builtin/NAME.",
        EPILOG, run)
    p.add_argument("action", choices=["export", "context"],
                   help="export: copy the templates and CONTEXT.md to DIR; context: print CONTEXT.md")
    p.add_argument("dir", nargs="?", metavar="DIR", help="with export: the folder to write")
    p.add_argument("--force", action="store_true", help="with export: overwrite existing files")


def run(args) -> int:
    from symgrad.errors import UsageError
    from symgrad.rendering.usertemplates import context_markdown, export

    if args.action == "context":
        sys.stdout.write(context_markdown())
        return 0
    if not args.dir:
        raise UsageError("templates export needs a folder: symgrad templates export DIR")
    for path in export(args.dir, force=args.force):
        print(f"wrote {path}")
    return 0
