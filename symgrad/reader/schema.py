"""The problem file's schema: every key, its type, its range and its meaning, in one table.

A problem file (TOML) and the API's keyword options say the same things; :func:`validate`
checks either against :data:`KEYS` before anything is read or derived, so a wrong type is one
line naming the file, the key, what was expected and what was found (never a traceback from
deep inside). :func:`markdown_table` writes the README's table of keys from the same
declarations (a test keeps the README equal to it).
"""

from __future__ import annotations

import math

from symgrad.choices import CONVENTIONS, STYLES
from symgrad.errors import ProblemError
from symgrad.records import record

#: Bounds shared with :mod:`symgrad.reader.problem` and :mod:`symgrad.reader.data`.
MAX_QUANTITIES = 200
MAX_STEPS = 10_000
MAX_DIGITS = 30
MAX_TEXT = 100_000  # characters in one string value (the readers have their own, smaller limits)
REDUCTIONS = ("mean", "sum")
UPDATES = ("batch", "sgd")


@record
class Key:
    """One key: the kind of value it takes (``text``, ``texts`` (text or a list of texts),
    ``number``, ``whole``, ``point``, ``path``), its choices or bounds, and its meaning."""

    name: str
    kind: str
    meaning: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    exclusive_low: bool = False
    option: str = ""  # the command-line option it mirrors

    def expected(self) -> str:
        """What the key takes, in words (for errors and the README)."""
        base = {
            "text": "a string",
            "texts": "a string or a list of strings",
            "number": "a number or a string holding one (`\"1/10\"`)",
            "whole": "a whole number",
            "point": "a table of numbers (`{ x = 2, y = 10 }`) or a string (`\"x=2, y=10\"`)",
            "path": "a file path (a string)",
        }[self.kind]
        if self.kind == "number" and self.low == 0 and self.exclusive_low:
            return "a positive number, or a string holding one (`\"1/10\"`)"
        if self.choices:
            return f"one of {', '.join(self.choices)}"
        if self.name == "example":
            return "the name of a built-in example"
        if self.kind == "text" and self.high is not None:
            return f"a string of at most {_num(self.high)} characters"
        if self.kind == "texts" and self.high is not None:
            return f"a string or a list of at most {_num(self.high)} strings"
        if self.low is not None and self.high is not None:
            return f"{base} from {_num(self.low)} to {_num(self.high)}"
        if self.low is not None:
            return f"{base} {'above' if self.exclusive_low else 'at least'} {_num(self.low)}"
        if self.high is not None:
            return f"{base} of at most {_num(self.high)}"
        return base


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _examples() -> tuple[str, ...]:
    from symgrad.reader.examples import EXAMPLES

    return tuple(EXAMPLES)


# fmt: off
KEYS: tuple[Key, ...] = (
    Key("title", "text", "the heading of the output", high=200, option="--title"),
    Key("let", "texts", "the named quantities, in order (`NAME = EXPR`); the last is the loss",
        high=MAX_QUANTITIES, option="--let"),
    Key("loss", "text", "the quantity to differentiate, if not the last `let`", option="--loss"),
    Key("wrt", "texts", "the parameter(s) to differentiate by (`\"m,b\"` or `[\"m\", \"b\"]`)",
        option="--wrt"),
    Key("at", "point", "the point: a value for every input (and parameter); none for a "
        "symbolic derivation", option="--at"),
    Key("lr", "number", "the learning rate of the gradient-descent update", low=0,
        exclusive_low=True, option="--lr"),
    Key("steps", "whole", "the number of updates (needs `lr` and `at`)", low=1, high=MAX_STEPS,
        option="--steps"),
    Key("convention", "text", "the value picked at a kink (`symgrad list conventions`)",
        choices=CONVENTIONS, option="--convention"),
    Key("digits", "whole", "significant digits for decimals that are not exact", low=1,
        high=MAX_DIGITS, option="--digits"),
    Key("example", "text", "a built-in example to start from (`symgrad list examples`)",
        option="--example"),
    Key("style", "text", "the chain rule as Leibniz factors or node by node", choices=STYLES,
        option="--style"),
    Key("data", "path", "a CSV file of inputs, relative to the problem file", option="--data"),
    Key("reduce", "text", "how the rows' losses combine (with `data`)", choices=REDUCTIONS,
        option="--reduce"),
    Key("update", "text", "one update per step, or one per row (with `data`)", choices=UPDATES,
        option="--update"),
)
# fmt: on
BY_NAME = {k.name: k for k in KEYS}


def found(value) -> str:
    """A value's type in words, with the value when it is short: ``an integer (5)``."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})" if abs(value) < 10**12 else "an integer"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) <= 40 else "a long string"
    if isinstance(value, list):
        return f"a list ({value!r})" if len(repr(value)) <= 40 else f"a list of {len(value)} entries"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"  # TOML dates and times


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _fail(source: str, key: str, expected: str, value) -> ProblemError:
    expected = expected.replace("`", "")  # the README's code marks, not wanted on a terminal
    return ProblemError(f"{source}: key {key!r}: expected {expected}, found {found(value)}")


def _check_text(source: str, key: Key, value, name: str | None = None) -> None:
    name = name or key.name
    if not isinstance(value, str):
        raise _fail(source, name, "a string", value)
    if len(value) > MAX_TEXT:
        raise _fail(source, name, f"at most {MAX_TEXT} characters", value)


def _check(source: str, key: Key, value) -> None:
    if key.kind in ("text", "path"):
        if not isinstance(value, str):
            raise _fail(source, key.name, key.expected(), value)
        _check_text(source, key, value)
        if key.choices and value not in key.choices:
            raise _fail(source, key.name, key.expected(), value)
        if key.name == "example" and value not in _examples():
            raise _fail(source, key.name, f"one of {', '.join(_examples())}", value)
        if key.high is not None and len(value) > key.high:
            raise _fail(source, key.name, key.expected(), value)
    elif key.kind == "texts":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise _fail(source, key.name, "a string or a non-empty list of strings", value)
        for k, item in enumerate(items):
            _check_text(source, key, item, f"{key.name}[{k}]" if value is items else key.name)
        if key.high is not None and len(items) > key.high:
            raise _fail(source, key.name, key.expected(), value)
    elif key.kind == "number":
        if isinstance(value, str):
            _check_text(source, key, value)
            return  # read (exactly) by the expression reader, which names a bad number
        if not _is_number(value) or not math.isfinite(value):
            raise _fail(source, key.name, key.expected(), value)
        if key.low is not None and (value <= key.low if key.exclusive_low else value < key.low):
            raise _fail(source, key.name, key.expected(), value)
    elif key.kind == "whole":
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fail(source, key.name, key.expected(), value)
        if key.low is not None and value < key.low or key.high is not None and value > key.high:
            raise _fail(source, key.name, key.expected(), value)
    elif key.kind == "point":
        if isinstance(value, str):
            _check_text(source, key, value)
            return
        if not isinstance(value, dict):
            raise _fail(source, key.name, key.expected(), value)
        for name, v in value.items():
            if isinstance(v, str):
                _check_text(source, key, v, f"at.{name}")
            elif not _is_number(v) or not math.isfinite(v):
                raise _fail(source, f"at.{name}", "a finite number or a string holding one", v)


def validate(options: dict, source: str) -> None:
    """Check every key of ``options`` (a problem file's table, or the API's keyword options;
    None means "not given") against :data:`KEYS`.

    Raises:
        ProblemError: one line, ``SOURCE: key 'wrt': expected ..., found an integer (5)``;
            an unknown key is named with the known ones.
    """
    unknown = sorted(set(options) - set(BY_NAME))
    if unknown:
        raise ProblemError(f"{source}: unknown key(s) {', '.join(unknown)} "
                           f"(known: {', '.join(BY_NAME)})")
    for name, value in options.items():
        if value is not None:
            _check(source, BY_NAME[name], value)


def markdown_table() -> str:
    """The README's table of problem-file keys, written from :data:`KEYS`."""
    rows = ["| key | takes | meaning | option |", "| --- | --- | --- | --- |"]
    for k in KEYS:
        takes = k.expected().replace("|", "\\|")
        rows.append(f"| `{k.name}` | {takes} | {k.meaning} | `{k.option}` |")
    return "\n".join(rows) + "\n"
