"""Exercise sheets: one problem, many points. :func:`make_sheet` reads the problem (options as
for :func:`symgrad.api.problem_from`, or a ready :class:`~symgrad.reader.problem.Problem`),
reads ``vary`` (:mod:`symgrad.exercises.varying`), picks ``count`` distinct points of the grid
with ``random.Random(seed)`` (off the kinks, on them too, or either), derives each with
:func:`symgrad.api.derive` and insists that every derivation passes its own verification.
The :class:`Sheet` renders the questions and the solutions (:mod:`symgrad.exercises.documents`)
and writes an answer key per variant: a TOML problem file for ``symgrad check --problem``.
"""

from __future__ import annotations

import inspect
import json
import random
import re

import sympy as sp

from symgrad.errors import ProblemError, SymgradError, UsageError
from symgrad.exercises.varying import KINK_MODES, Grid, choose, parse_vary
from symgrad.records import record, replace

#: Variants on one sheet at most.
MAX_COUNT = 200


class VariantNotVerified(RuntimeError):
    """A variant's derivation disagreed with sympy.diff or the central difference: a bug in
    symgrad (not the user's fault), so not a :class:`~symgrad.errors.SymgradError`."""


@record
class Exercise:
    """One variant: its number (from 1), its point (every input, in the problem's order),
    whether the point lies on a kink (or a jump), and its verified derivation."""

    number: int
    point: tuple[tuple[str, sp.Rational], ...]
    on_kink: bool
    derivation: object  # symgrad.derivation.record.Derivation

    @property
    def gradient(self) -> dict:
        return self.derivation.gradient

    @property
    def updated(self) -> dict:
        return self.derivation.updated


@record
class Sheet:
    """The variants of one problem, and what they render to.

    Attributes:
        problem: the problem without a point (and without comparison rows).
        lets: its definitions as written (``yhat = m*x + 4``), for the answer keys.
        grid: the varied names and their values.
        fixed: the values every variant shares, as ``(name, value)``.
        seed, kinks: how the points were chosen.
        exercises: the variants, numbered from 1.
    """

    problem: object
    lets: tuple[str, ...]
    grid: Grid
    fixed: tuple[tuple[str, sp.Rational], ...]
    seed: int
    kinks: str
    exercises: tuple[Exercise, ...]

    @property
    def title(self) -> str:
        p = self.problem
        return p.title or f"The gradient of {p.loss} with respect to {', '.join(p.wrt)}"

    def render(self, kind: str = "sheet", format: str = "latex", standalone: bool = False) -> str:
        """The questions (``kind="sheet"``) or every variant's derivation (``"solutions"``), as
        ``latex`` (``standalone``: a whole document for pdflatex) or ``markdown``."""
        from symgrad.exercises.documents import render_document

        return render_document(self, kind, format, standalone)

    def key_name(self, number: int) -> str:
        """The answer key's file name: ``variant-03.toml`` (two digits, three from 100)."""
        return f"variant-{number:0{max(2, len(str(len(self.exercises))))}d}.toml"

    def answer_keys(self) -> dict[str, str]:
        """``{file name: TOML text}``: per variant a problem file for ``symgrad check --problem``."""
        return {self.key_name(e.number): _key(self, e) for e in self.exercises}


def make_sheet(problem_options, vary: str, count: int = 10, seed: int = 1,
               kinks: str = "avoid") -> Sheet:
    """Make ``count`` variants of one problem at distinct points of the ``vary`` grid.

    Args:
        problem_options: a :class:`~symgrad.reader.problem.Problem`, or the options of
            :func:`symgrad.api.problem_from` (``lets``, ``wrt``, ``at``, ``lr``, ``example``,
            ...). ``at`` may leave out the names ``vary`` gives.
        vary: e.g. ``"x=1..5, y=-3..3"`` (see :mod:`symgrad.exercises.varying`).
        count: the number of variants, 1 to :data:`MAX_COUNT`.
        seed: the seed of ``random.Random``; the same seed gives the same sheet, byte for byte.
        kinks: ``avoid`` (no point on a kink), ``include`` (about a third on one) or ``any``.

    Raises:
        UsageError: bad options, an unknown name in ``vary``, too few points.
        ProblemError, ParseError: the problem itself cannot be read.
        VariantNotVerified: a derivation failed its own verification (a bug in symgrad).
    """
    from symgrad import api
    from symgrad.derivation.chain import derive as derive_symbolic
    from symgrad.numbers.point import evaluate

    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise UsageError(f"--count must be a whole number from 1 to {MAX_COUNT}, found {count!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UsageError(f"--seed must be a whole number, found {seed!r}")
    if kinks not in KINK_MODES:
        raise UsageError(f"--kinks must be one of {', '.join(KINK_MODES)}, found {kinks!r}")
    grid = parse_vary(vary)
    problem, values = _base(problem_options)
    inputs = problem.inputs
    for name in grid.names:
        if name in problem.names:
            raise UsageError(f"--vary: {name} is a named quantity, computed from its definition; "
                             f"vary inputs or parameters ({', '.join(inputs)})")
        if name not in inputs:
            raise UsageError(f"--vary: unknown name {name!r} (inputs and parameters: "
                             f"{', '.join(inputs)})")
    missing = [n for n in inputs if n not in values and n not in grid.names]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)}: vary it (--vary '{missing[0]}=1..5') "
                         f"or give it with --at '{missing[0]}=...'")
    symbolic = derive_symbolic(problem)

    def classify(point: dict) -> str:
        try:
            numbers = evaluate(symbolic, {n: point.get(n, values.get(n)) for n in inputs})
        except SymgradError:
            return "undefined"
        return "kink" if numbers.kinks or numbers.jumps else "smooth"

    rng = random.Random(seed)
    exercises = []
    picked = choose(grid, classify, count, rng, kinks, _kink_hint(symbolic))
    for number, (index, on_kink) in enumerate(picked, 1):
        varied = grid.point(index)
        point = tuple((n, varied.get(n, values.get(n))) for n in inputs)
        d = api.derive(replace(problem, values=point, title=f"Variant {number}"))
        failed = [f"{v.param}: {v.note}" for v in d.verification
                  if not (v.sympy and v.finite_difference is not False)]
        if failed:
            shown = ", ".join(f"{n}={exact_text(v)}" for n, v in point)
            raise VariantNotVerified(f"variant {number} ({shown}): verification failed "
                                     f"({'; '.join(failed)}); this is a bug in symgrad, please "
                                     "report this input")
        exercises.append(Exercise(number, point, on_kink, d))
    fixed = tuple((n, values[n]) for n in inputs if n not in grid.names)
    lets = tuple(f"{q.name} = {q.text}" for q in problem.quantities)
    return Sheet(problem, lets, grid, fixed, seed, kinks, tuple(exercises))


def _kink_hint(symbolic) -> str:
    """Where the problem's kinks lie, in words: ``choose values where y - yhat = 0``."""
    from symgrad.rendering.printing import plain

    places = [plain(p.argument) for p in (*symbolic.places, *symbolic.jumps)]
    if not places:
        return "the problem has no kink (no |u|, relu, max, min, sign, ...)"
    unique = list(dict.fromkeys(places))
    return f"its kinks lie where {' = 0 or '.join(unique)} = 0"


def _base(options) -> tuple:
    """The problem without a point, and the values it gives (an example's, then ``at``)."""
    from symgrad import api
    from symgrad.reader.examples import DEFAULT_EXAMPLE, example
    from symgrad.reader.expression import parse_values
    from symgrad.reader.problem import Problem

    if isinstance(options, Problem):
        problem, values = options, dict(options.values)
    elif isinstance(options, dict):
        known = set(inspect.signature(api.problem_from).parameters)
        unknown = sorted(set(options) - known)
        if unknown:
            raise UsageError(f"unknown problem option(s) {', '.join(unknown)} "
                             f"(known: {', '.join(sorted(known))})")
        opts = {k: v for k, v in options.items() if k not in ("at", "symbolic")}
        if opts.get("data") is not None:
            raise UsageError("exercise sheets vary one point; a problem with data is not supported")
        problem = api.problem_from(**opts, at=None, symbolic=True)
        values = {}
        if not opts.get("lets") and not options.get("symbolic"):
            values.update(parse_values(example(opts.get("example") or DEFAULT_EXAMPLE).at))
        values.update(_at_values(options.get("at")))
    else:
        raise UsageError("make_sheet needs a Problem or a dict of problem options, found "
                         f"{type(options).__name__}")
    if problem.data is not None or problem.reduction is not None:
        raise UsageError("exercise sheets vary one point; a loss over examples (mean, sum, "
                         "data) is not supported")
    for name in values:
        if name in problem.names:
            raise ProblemError(f"--at: {name} is a named quantity, computed from its definition; "
                               "remove it")
        if name not in problem.inputs:
            raise ProblemError(f"--at: unknown name {name!r} (inputs: {', '.join(problem.inputs)})")
    return replace(problem, values=(), variants=(), closing=""), values


def _at_values(at) -> dict:
    """The values of ``at`` (``"x=2, y=10"`` or a mapping), exact; a partial point is fine."""
    from symgrad.reader.expression import parse_number, parse_values

    if at is None or at == "":
        return {}
    if isinstance(at, str):
        return parse_values(at, where="--at")
    if not isinstance(at, dict):
        raise UsageError(f"--at must be text such as 'x=2, y=10' or a mapping, found {type(at).__name__}")
    out = {}
    for name, v in at.items():
        if isinstance(v, sp.Rational):
            out[str(name)] = v
        elif isinstance(v, int) and not isinstance(v, bool):
            out[str(name)] = sp.Integer(v)
        elif isinstance(v, (float, str)) and not isinstance(v, bool):
            out[str(name)] = parse_number(v if isinstance(v, str) else repr(v), where=f"--at {name}")
        else:
            raise UsageError(f"--at {name}: expected a number, found {v!r}")
    return out


def exact_text(v) -> str:
    """An exact value as text that reads back exactly: ``2``, ``-1.5``, ``1/3``."""
    p, q = int(sp.Rational(v).p), int(sp.Rational(v).q)
    if q == 1:
        return str(p)
    rest, twos, fives = q, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1 or max(twos, fives) > 30:
        return f"{p}/{q}"
    places = max(twos, fives)
    digits = str(abs(p) * 10**places // q).rjust(places + 1, "0")
    return f"{'-' * (p < 0)}{digits[:-places]}.{digits[-places:]}".rstrip("0")


def _toml(value) -> str:
    """A TOML value: a string (JSON's escapes are TOML's) or a list of strings."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


def _key(sheet: Sheet, e: Exercise) -> str:
    """One variant's answer key: a problem file with the keys of symgrad/reader/schema.py."""
    from symgrad.numbers.values import DEFAULT_DIGITS, number_text

    p, d = sheet.problem, e.derivation
    name, suffix = sheet.key_name(e.number), f" (variant {e.number})"
    answers = [f"d{p.loss}/d{w} = " + ("none (no derivative at this point)" if d.gradient.get(w) is None
                                       else number_text(d.gradient[w], p.digits)[0]) for w in p.wrt]
    answers += [f"updated {w} = {number_text(v, p.digits)[0]}" for w, v in d.updated.items()]
    point = ", ".join(f"{n if re.fullmatch(r'[A-Za-z0-9_-]+', n) else _toml(n)} = {_toml(exact_text(v)) if int(v.q) != 1 else int(v.p)}"
                      for n, v in e.point)
    lines = [f"# Answer key for variant {e.number} of {len(sheet.exercises)} "
             f"(symgrad exercises, seed {sheet.seed}).",
             f"# Check a submission: symgrad check --problem {name} ANSWER.md",
             f"# Answers: {'; '.join(answers)}" + (" (on a kink)" if e.on_kink else ""),
             f"title = {_toml(sheet.title[:200 - len(suffix)] + suffix)}",
             f"let = {_toml(list(sheet.lets))}",
             f"loss = {_toml(p.loss)}",
             f"wrt = {_toml(list(p.wrt))}",
             f"at = {{ {point} }}"]
    if p.lr is not None:
        lines.append(f"lr = {_toml(exact_text(p.lr))}")
    if p.steps != 1:
        lines.append(f"steps = {p.steps}")
    lines.append(f"convention = {_toml(p.convention.value)}")
    if p.digits != DEFAULT_DIGITS:
        lines.append(f"digits = {p.digits}")
    return "\n".join(lines) + "\n"
