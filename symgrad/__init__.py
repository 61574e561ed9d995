"""symgrad: step-by-step, verified gradient derivations rendered as LaTeX, Markdown, MathML and JSON."""

from symgrad.api import derive, load_problem_file, problem_from
from symgrad.checking import CheckReport, check
from symgrad.derivation.chain import Derivation
from symgrad.errors import ParseError, ProblemError, SymgradError, UsageError
from symgrad.reader.problem import Problem, build_problem
from symgrad.rendering import render

__all__ = [
    "CheckReport", "Derivation", "ParseError", "Problem", "ProblemError", "SymgradError",
    "UsageError", "build_problem", "check", "derive", "load_problem_file", "problem_from", "render",
]
__version__ = "0.1.0"
