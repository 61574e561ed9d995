"""The Python API: every CLI feature is a function here that takes and returns values.

The stages, each usable alone::

    problem = symgrad.read(lets=[...], wrt="m", at="x=2, y=10, m=1.5")   # -> Problem
    d = symgrad.derivation.chain(problem)                              # -> Derivation (symbolic)
    numbers = symgrad.evaluate(d)                                       # -> Numbers at the point
    checks = symgrad.verify(d, numbers)                                 # -> Verification per parameter

and :func:`derive`, which runs every stage the problem asks for and returns one
:class:`~symgrad.derivation.record.Derivation` carrying them all (``d.render("latex")``).
"""

from __future__ import annotations

from pathlib import Path

from symgrad.errors import ProblemError, UsageError
from symgrad.numbers.values import DEFAULT_DIGITS
from symgrad.reader.examples import DEFAULT_EXAMPLE
from symgrad.reader.examples import example as _example
from symgrad.reader.expression import parse_assignment, parse_values
from symgrad.reader.problem import Problem, Quantity, Reduction, Variant, build_problem
from symgrad.records import replace

#: Largest problem file read, in bytes.
MAX_PROBLEM_FILE = 64 * 1024
#: The API's option for each problem-file key (the file says ``let``, the API ``lets``).
_OPTION = {"let": "lets"}


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
    symbolic: bool = False,
) -> Problem:
    """The read stage: a :class:`Problem` from options; with no ``lets`` it starts from an example.

    With neither ``lets`` nor ``example`` the built-in L1 example is used. Options given
    override the example's: ``at`` is merged into its values. Without ``at`` (and for an
    example, with ``symbolic=True``) the problem has no point and derives symbolically.
    ``data`` is a CSV file whose header names inputs; its first row supplies those inputs'
    values for the worked example, and every row enters the reduced gradient.
    """
    from symgrad.reader.schema import validate

    validate({"example": example, "let": lets or None, "wrt": wrt or None, "at": at, "loss": loss, "lr": lr,
              "steps": steps, "convention": convention, "digits": digits, "title": title,
              "style": style, "data": data, "reduce": reduce, "update": update}, "option")
    opts = dict(example=example, lets=lets, wrt=wrt, loss=loss, lr=lr, steps=steps,
                convention=convention, digits=digits, title=title, style=style)
    ds = first = None
    if data is not None:
        from symgrad.reader.data import read_csv

        ds = read_csv(data)
        # the first row is the worked example's point; its columns name inputs (x, or x_i
        # for a sum over i), which are known once the problem has been read
        shape = _problem_from(**{**opts, "steps": None}, at=None, symbolic=True, first_row=None)
        names = _column_inputs(ds.columns, shape.inputs, shape.reduction)
        first = {names[c]: v for c, v in ds.row(0).items()}
    problem = _problem_from(**opts, at=at, symbolic=symbolic, first_row=first)
    if ds is None:
        if reduce or update:
            raise UsageError("--reduce and --update go with --data")
        return problem
    return _attach_data(problem, ds, reduce, update or "batch")


#: ``read`` is the stage's name: text and options in, a Problem out.
read = problem_from


def _column_inputs(columns, inputs, reduction) -> dict[str, str]:
    """Each data column's input name: itself, or ``x_i`` for a column ``x`` of a sum over i."""
    out = {}
    for c in columns:
        if c in inputs:
            out[c] = c
        elif reduction is not None and f"{c}_{reduction.index}" in inputs:
            out[c] = f"{c}_{reduction.index}"
        else:
            out[c] = c
    return out


def _attach_data(problem: Problem, ds, reduce: str | None, update: str) -> Problem:
    from symgrad.reader.data import REDUCTIONS, UPDATES, Dataset

    if reduce is not None and reduce not in REDUCTIONS:
        raise UsageError(f"--reduce must be one of {', '.join(REDUCTIONS)}")
    if update not in UPDATES:
        raise UsageError(f"--update must be one of {', '.join(UPDATES)}")
    red = problem.reduction
    if red is not None and reduce is not None and reduce != red.kind:
        raise UsageError(f"--reduce {reduce} contradicts {red.total} = {red.text}")
    names = _column_inputs(ds.columns, problem.inputs, red)
    for c, name in names.items():
        if name in problem.wrt:
            raise ProblemError(f"data column {c!r} is a parameter (--wrt); parameters come from --at")
        if name not in problem.inputs:
            raise ProblemError(f"data column {c!r} is not an input of the problem ({', '.join(problem.inputs)})")
    ds = Dataset(ds.source, tuple(names[c] for c in ds.columns), ds.rows, ds.floats)
    if red is None:
        total = "J" if "J" not in problem.names and "J" not in problem.inputs else "J_data"
        red = Reduction(reduce or "mean", "i", total, problem.loss, False)
    return replace(problem, data=ds, reduce=red.kind, update=update, reduction=red)


def _problem_from(*, example, lets, wrt, at, loss, lr, steps, convention, digits, title, style,
                  symbolic, first_row) -> Problem:
    common = dict(loss=loss, steps=1 if steps is None else steps,
                  convention=convention or "min-norm",
                  digits=DEFAULT_DIGITS if digits is None else digits, style=style or "leibniz")
    if lets:
        if example:
            raise UsageError("give either an example or --let definitions, not both")
        values = _values(at, first_row, {})
        return build_problem(list(lets), wrt=wrt, at=None if symbolic else values, lr=lr,
                             title=title or "", **common)
    ex = _example(example or DEFAULT_EXAMPLE)
    values = _values(at, first_row, parse_values(ex.at))
    variants = []
    for label, loss_text, var_at in ex.variants:
        q = None
        if loss_text:
            name, expr = parse_assignment(loss_text)
            q = Quantity(name, expr, loss_text.split("=", 1)[1].strip())
        variants.append(Variant(label, q, tuple(parse_values(var_at).items()) if var_at else ()))
    return build_problem(
        list(ex.lets), wrt=wrt or ex.wrt, at=None if symbolic else values,
        lr=lr if lr is not None else ex.lr, title=title if title is not None else ex.title,
        variants=tuple(variants), closing=ex.closing, **common,
    )


def _values(at, first_row, base: dict) -> dict:
    """The point: an example's values, then the data's first row, then ``at``."""
    values = dict(base)
    if first_row is not None:
        values.update(first_row)
    if at:
        values.update(at if isinstance(at, dict) else parse_values(at, where="--at"))
    return values


def load_problem_file(path: str | Path, **overrides) -> Problem:
    """A problem from a TOML file (see :func:`problem_file_options` for the keys); an error in
    what the file says (an unknown parameter, a bad expression) names the file."""
    from symgrad.errors import SymgradError

    options = problem_file_options(path, **overrides)
    try:
        return problem_from(**options)
    except SymgradError as e:
        raise ProblemError(f"problem file {str(path)!r}: {e.one_line()}") from None


def problem_file_options(path: str | Path, **overrides) -> dict:
    """The options a TOML problem file gives, checked against its schema
    (:data:`symgrad.reader.schema.KEYS`: title, let, loss, wrt, at, lr, steps, convention,
    digits, example, style, data, reduce, update).

    Options in ``overrides`` that are not None win over the file's. A relative ``data``
    path is read relative to the TOML file. A UTF-8 byte-order mark is allowed.

    Raises:
        ProblemError: the file cannot be read or parsed, or a key is unknown or has a value
            of the wrong type or range (one line naming the file and the key).
    """
    import tomllib

    from symgrad.reader.files import read_limited

    p = Path(path)
    raw = read_limited(p, "problem file", MAX_PROBLEM_FILE)
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise ProblemError(f"problem file {str(p)!r} is not UTF-8 text (byte {e.start + 1})") from None
    except tomllib.TOMLDecodeError as e:
        raise ProblemError(f"problem file {str(p)!r}: {e}") from None
    return table_options(data, f"problem file {str(p)!r}", p.parent, **overrides)


def table_options(table: dict, source: str, base: Path, /, **overrides) -> dict:
    """The options of a problem table (a TOML file's, or an article block's), checked against
    the schema; ``source`` starts its errors, a relative ``data`` path is read from ``base``."""
    from symgrad.reader.schema import KEYS, validate

    validate(table, source)
    opts = {_OPTION.get(k.name, k.name): table.get(k.name) for k in KEYS}
    if isinstance(opts["data"], str) and not Path(opts["data"]).is_absolute():
        opts["data"] = str(base / opts["data"])
    if isinstance(opts["lets"], str):
        opts["lets"] = [opts["lets"]]
    for k, v in overrides.items():
        if v is not None and v != [] and v is not False:
            opts[k] = v
    return opts


def derive(problem: Problem | None = None, **options):
    """Derive a gradient and return the :class:`~symgrad.derivation.record.Derivation` record.

    Runs every stage the problem asks for: the symbolic derivation always; with a point,
    the numbers, the update and the comparison rows; with ``steps`` > 1 the trajectory;
    with data the dataset run; and verification against sympy.diff and finite differences.

    Args:
        problem: a ready :class:`Problem`; or leave it out and pass the options of
            :func:`problem_from` (``lets``, ``wrt``, ``at``, ``loss``, ``lr``, ``steps``,
            ``convention``, ``digits``, ``example``, ``title``, ``data``, ...).

    Example:
        >>> d = derive(lets=["yhat = m*x + 4", "L = abs(y - yhat)"], wrt="m",
        ...            at="x=2, y=10, m=1.5", lr=0.1)
        >>> d.gradient["m"]
        -2
        >>> print(derive(lets=["yhat = m*x + 4", "L = abs(y - yhat)"], wrt="m").gradients[0].expr)
        -x*sign(y - yhat)
    """
    from symgrad.derivation.chain import derive as derive_symbolic
    from symgrad.numbers.comparison import compare
    from symgrad.numbers.oracles import verify as verify_derivation
    from symgrad.numbers.point import evaluate as evaluate_numbers

    if problem is None:
        problem = problem_from(**options)
    elif options:
        raise UsageError("give a Problem or options, not both")
    d = derive_symbolic(problem)
    layers: dict = {}
    if problem.has_point:
        numbers = evaluate_numbers(d)
        layers["numbers"] = numbers
        if problem.data is not None:
            from symgrad.numbers.descent import data_run

            layers["data_run"] = data_run(d)
        elif problem.steps > 1:
            from symgrad.numbers.descent import trajectory

            layers["descent"] = trajectory(d, numbers)
        layers["comparison"] = compare(problem)
    layers["verification"] = verify_derivation(d, layers.get("numbers"))
    return d.with_layers(**layers)


def evaluate(derivation, at=None, convention=None):
    """The evaluate stage: a derivation's numbers at a point (see :mod:`symgrad.numbers.point`)."""
    from symgrad.numbers.point import evaluate as evaluate_numbers

    if isinstance(at, str):
        at = parse_values(at, where="--at")
    return evaluate_numbers(derivation, at, convention)


def verify(derivation, numbers=None):
    """The verify stage: check a derivation against sympy.diff and finite differences."""
    from symgrad.numbers.oracles import verify as verify_derivation

    return verify_derivation(derivation, numbers)
