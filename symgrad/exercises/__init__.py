"""Exercise sheets: ten variants of one exercise without writing them by hand. The same problem
at distinct points of a grid of values (``x=1..5, y=-3..3``), chosen with a seed, off the kinks
or on them as asked; each variant derived and verified; rendered as a sheet of questions and a
separate document of solutions (LaTeX or Markdown), with an answer key per variant that
``symgrad check --problem`` reads. ``make_sheet`` and ``Sheet`` load lazily (this package is
imported by the command line's help, which must not load SymPy).
"""

from __future__ import annotations

__all__ = ["Exercise", "Sheet", "VariantNotVerified", "make_sheet", "parse_vary"]


def __getattr__(name: str):
    if name in ("Exercise", "Sheet", "VariantNotVerified", "make_sheet"):
        from symgrad.exercises import sheet as _sheet

        return getattr(_sheet, name)
    if name == "parse_vary":
        from symgrad.exercises.varying import parse_vary

        return parse_vary
    raise AttributeError(f"module 'symgrad.exercises' has no attribute {name!r}")
