"""The Python API: every CLI feature is a function here that takes and returns values."""

from __future__ import annotations

import tomllib
from pathlib import Path

from symgrad.derivation.chain import Derivation
from symgrad.derivation.chain import derive as _derive
from symgrad.errors import ProblemError, UsageError
from symgrad.reader.files import read_limited
from symgrad.reader.examples import DEFAULT_EXAMPLE
from symgrad.reader.examples import example as _example
from symgrad.numbers.values import DEFAULT_DIGITS
from symgrad.reader.expression import parse_assignment, parse_values
from symgrad.reader.problem import Problem, Variant, build_problem

#: Largest problem file read, in bytes.
MAX_PROBLEM_FILE = 64 * 1024
_TOML_KEYS = {"title", "let", "loss", "wrt", "at", "lr", "steps", "convention", "digits", "example",
              "style", "data", "reduce", "update"}


def problem_from(
    *,
    example: str | None = None,
    lets: list[str] | None = None,
    wrt=None,
    at=None,
    loss: str | None = None,
    lr=None,
    steps: int | None = None,
    convention: str | None = None,
    digits: int | None = None,
    title: str | None = None,
    style: str | None = None,
    data: str | None = None,
    reduce: str | None = None,
    update: str | None = None,
) -> Problem:
    """A :class:`Problem` from options; with no ``lets`` it starts from an example.

    With neither ``lets`` nor ``example`` the built-in L1 example is used. Options
    given override the example's: ``at`` is merged into its values. ``data`` is a CSV
    file whose header names inputs; its first row supplies those inputs' values for
    the worked example, and every row enters the reduced gradient.
    """
    problem = _problem_from(
        example=example, lets=lets, wrt=wrt, at=_with_first_row(at, data), loss=loss, lr=lr,
        steps=steps, convention=convention, digits=digits, title=title, style=style,
    )
    if data is None:
        if reduce or update:
            raise UsageError("--reduce and --update go with --data")
        return problem
    return _attach_data(problem, data, reduce or "mean", update or "batch")


def _with_first_row(at, data):
    if data is None:
        return at
    from symgrad.numbers.descend import read_csv

    values = dict(at) if isinstance(at, dict) else (parse_values(at, where="--at") if at else {})
    first = read_csv(data).row(0)
    return {**values, **{k: v for k, v in first.items()}}


def _attach_data(problem: Problem, path: str, reduce: str, update: str) -> Problem:
    from dataclasses import replace

    from symgrad.numbers.descend import REDUCTIONS, UPDATES, read_csv

    if reduce not in REDUCTIONS:
        raise UsageError(f"--reduce must be one of {', '.join(REDUCTIONS)}")
    if update not in UPDATES:
        raise UsageError(f"--update must be one of {', '.join(UPDATES)}")
    ds = read_csv(path)
    for c in ds.columns:
        if c in problem.wrt:
            raise ProblemError(f"data column {c!r} is a parameter (--wrt); parameters come from --at")
        if c not in problem.inputs:
            raise ProblemError(f"data column {c!r} is not an input of the problem ({', '.join(problem.inputs)})")
    return replace(problem, data=ds, reduce=reduce, update=update)


def _problem_from(
    *,
    example: str | None = None,
    lets: list[str] | None = None,
    wrt=None,
    at=None,
    loss: str | None = None,
    lr=None,
    steps: int | None = None,
    convention: str | None = None,
    digits: int | None = None,
    title: str | None = None,
    style: str | None = None,
) -> Problem:
    if lets:
        if example:
            raise UsageError("give either an example or --let definitions, not both")
        return build_problem(
            list(lets), wrt=wrt, at=at, loss=loss, lr=lr, steps=1 if steps is None else steps,
            convention=convention or "min-norm",
            digits=DEFAULT_DIGITS if digits is None else digits, title=title or "",
            style=style or "leibniz",
        )
    ex = _example(example or DEFAULT_EXAMPLE)
    values = parse_values(ex.at)
    if at:
        values.update(at if isinstance(at, dict) else parse_values(at, where="--at"))
    variants = []
    for label, loss_text, var_at in ex.variants:
        q = None
        if loss_text:
            name, expr = parse_assignment(loss_text)
            from symgrad.reader.problem import Quantity

            q = Quantity(name, expr, loss_text.split("=", 1)[1].strip())
        variants.append(Variant(label, q, tuple(parse_values(var_at).items()) if var_at else ()))
    return build_problem(
        list(ex.lets), wrt=wrt or ex.wrt, at=values, loss=loss, lr=lr if lr is not None else ex.lr,
        steps=1 if steps is None else steps, convention=convention or "min-norm",
        digits=DEFAULT_DIGITS if digits is None else digits, title=title if title is not None else ex.title, variants=tuple(variants), closing=ex.closing,
        style=style or "leibniz",
    )


def load_problem_file(path: str | Path, **overrides) -> Problem:
    """A problem from a TOML file (keys: title, let, loss, wrt, at, lr, steps, convention, digits, example).

    Options in ``overrides`` that are not None win over the file's.
    """
    p = Path(path)
    raw = read_limited(p, "problem file", MAX_PROBLEM_FILE)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ProblemError(f"problem file {str(p)!r}: {e}") from None
    unknown = set(data) - _TOML_KEYS
    if unknown:
        raise ProblemError(f"problem file {str(p)!r}: unknown key(s) {', '.join(sorted(unknown))}")
    opts = {
        "example": data.get("example"), "lets": data.get("let"), "wrt": data.get("wrt"),
        "at": data.get("at"), "loss": data.get("loss"), "lr": data.get("lr"),
        "steps": data.get("steps"), "convention": data.get("convention"),
        "digits": data.get("digits"), "title": data.get("title"), "style": data.get("style"),
        "data": data.get("data"), "reduce": data.get("reduce"), "update": data.get("update"),
    }
    if isinstance(opts["lets"], str):
        opts["lets"] = [opts["lets"]]
    for k, v in overrides.items():
        if v is not None and v != []:
            opts[k] = v
    return problem_from(**opts)


def derive(problem: Problem | None = None, **options) -> Derivation:
    """Derive a gradient and return the :class:`Derivation` record.

    Args:
        problem: a ready :class:`Problem`; or leave it out and pass the options of
            :func:`problem_from` (``lets``, ``wrt``, ``at``, ``loss``, ``lr``, ``steps``,
            ``convention``, ``digits``, ``example``, ``title``).

    Example:
        >>> d = derive(lets=["yhat = m*x + 4", "L = abs(y - yhat)"], wrt="m",
        ...            at="x=2, y=10, m=1.5", lr=0.1)
        >>> float(d.gradients[0].value)
        -2.0
    """
    if problem is None:
        problem = problem_from(**options)
    elif options:
        raise UsageError("give a Problem or options, not both")
    return _derive(problem)
