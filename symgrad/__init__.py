"""symgrad: step-by-step, verified gradient derivations rendered as LaTeX, Markdown, MathML and JSON.

The pipeline (each stage a function from one immutable record to the next)::

    read -> Problem -> derive -> Derivation -> evaluate -> Numbers -> render
                                     |                       |
                                   check                descend, verify

Names are imported on first use, so ``import symgrad`` (and ``symgrad --help``) stays
cheap: SymPy, Jinja2 and latex2mathml load only when a stage needs them.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    "read": "symgrad.api", "derive": "symgrad.api", "evaluate": "symgrad.api",
    "verify": "symgrad.api", "problem_from": "symgrad.api", "load_problem_file": "symgrad.api",
    "render": "symgrad.rendering", "check": "symgrad.checking",
    "CheckReport": "symgrad.checking.report", "Derivation": "symgrad.derivation.record",
    "Problem": "symgrad.reader.problem", "build_problem": "symgrad.reader.problem",
    "ParseError": "symgrad.errors", "ProblemError": "symgrad.errors",
    "SymgradError": "symgrad.errors", "UsageError": "symgrad.errors",
    "time_limit": "symgrad.budget", "BudgetError": "symgrad.budget",
}
__all__ = sorted(_EXPORTS)


#: the stage packages, importable as attributes (symgrad.derivation.derive, ...)
_PACKAGES = ("reader", "derivation", "numbers", "rendering", "checking", "expr")


def __getattr__(name: str):
    if name in _PACKAGES:
        return importlib.import_module(f"symgrad.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'symgrad' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
