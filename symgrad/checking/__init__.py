"""The check stage: read a hand derivation, judge every line against the true derivative, name the mistake.

A derivation is a chain ``LHS = e1 = e2 = ...``; a row starting with ``=`` continues the
previous left-hand side. The left side is a Leibniz derivative
(``\\frac{\\partial L}{\\partial m}``, ``dL/dm``), a named quantity (a forward-pass line) or a parameter with ``\\leftarrow`` (an update).
Each right side must equal the truth as a function of the inputs (decided on seeded sample points
that include negative values and both sides of every kink), or, for a line with numbers
substituted, the true value at the point.

Modules: ``handlex`` (splitting a document into rows), ``handcommands``, ``handsums`` and ``handparse``
(reading hand LaTeX and plain math), ``truth`` (the true derivatives and sample points),
``judge`` (verdicts and diagnoses), ``report`` (the result).
"""

from __future__ import annotations

from collections import OrderedDict

from symgrad.checking.report import CheckReport, Diagnosis, LineResult
from symgrad.checking.truth import Truth
from symgrad.errors import UsageError
from symgrad.reader.problem import Problem

__all__ = ["CheckReport", "Diagnosis", "LineResult", "check", "truth_for"]
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 16


def truth_for(problem: Problem, examples: int | None = None) -> Truth:
    """The (cached) truth of a problem: derived once, shared by every derivation checked."""
    key = (problem, examples)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    t = Truth(problem, examples)
    _CACHE[key] = t
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return t


def check(text: str, problem: Problem | None = None, *, name: str = "",
          examples: int | None = None, **options) -> CheckReport:
    """Check a hand derivation against a problem.

    Args:
        text: the derivation: LaTeX (``align*``, ``aligned``, ``equation``, ``$$``, a whole
            ``.tex`` file), Markdown with ``$...$`` and ``$$`` math, or plain lines such as
            ``dL/dm = -sign(y - yhat) * x``.
        problem: the problem; or leave it out and pass the options of
            :func:`symgrad.api.problem_from` (``lets``, ``wrt``, ``at``, ``example``, ...).
            With ``lets``, a loss over examples (``mean(...)``, ``sum(...)``) is checked on
            numbered copies of its per-example names, and ``at`` may give some inputs only.
        name: a label for the report (a file name).

    Returns:
        A :class:`CheckReport`; unreadable lines are reported in it, not raised.

    Raises:
        ParseError: a document that is too large, binary, or uses a forbidden command.
    """
    if not isinstance(text, str):
        raise UsageError(f"expected text, got {type(text).__name__}")
    given = {k: v for k, v in options.items() if v not in (None, [], "", ())}
    notes: tuple[str, ...] = ()
    if problem is None and not (given.keys() & {"lets", "example"}):
        from symgrad.checking.fromdoc import problem_from_document

        problem, found = problem_from_document(text, convention=given.get("convention"),
                                               lr=given.get("lr"))
        notes = tuple(found)
    elif problem is None:
        problem, examples = problem_for_check(**options)
    elif options:
        raise UsageError("give a Problem or options, not both")
    from symgrad.checking.judge import Checker

    truth = truth_for(problem, examples)
    checker = Checker(text, truth, from_document=bool(notes))
    lines = tuple(checker.run())
    return CheckReport(lines, name, notes or tuple(dict.fromkeys(checker.used)),
                       "document" if notes else "given")


def problem_for_check(*, lets=None, wrt=None, at=None, loss=None, lr=None, convention=None,
                      example=None, **rest) -> tuple[Problem, int | None]:
    """The problem from check's options: ``lets`` (sums over examples allowed anywhere, a
    partial point allowed), or an example. Returns the problem and the number of examples
    a loss over examples is checked on (None for other problems)."""
    from symgrad.reader.schema import validate

    validate({"let": lets or None, "wrt": wrt or None, "at": at, "loss": loss, "lr": lr,
              "convention": convention, "example": example}, "option")
    rest = {k: v for k, v in rest.items() if v is not None and v != []}
    if lets and not example and not rest:
        from symgrad.checking.setting import check_problem

        return check_problem(lets, wrt=wrt, at=at, loss=loss, lr=lr, convention=convention)
    from symgrad.api import problem_from

    return problem_from(example=example, lets=lets, wrt=wrt, at=at, loss=loss, lr=lr,
                        convention=convention, **rest), None
