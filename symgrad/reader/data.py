"""Data files: rows of exact numbers under named columns, read with bounded size."""

from __future__ import annotations

import csv
import io
import re
from array import array
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import sympy as sp

from symgrad.errors import ProblemError
from symgrad.reader.expression import parse_number
from symgrad.reader.files import read_limited
from symgrad.reader.schema import REDUCTIONS, UPDATES  # noqa: F401 - re-exported
from symgrad.records import field, record

#: Limits on what is read: file size, rows, columns.
MAX_BYTES = 4 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 100


@record
class Dataset:
    """Rows of exact numbers under named columns (the header names are input names)."""

    source: str
    columns: tuple[str, ...]
    rows: Sequence  # of tuples of exact numbers (ExactRows, or a tuple of tuples)
    #: the same cells as floats by column (``array('d')``), each the float nearest the exact
    #: value, for the compiled descent (read from the cell's text: faster than from the number)
    floats: tuple | None = field(default=None, compare=False, repr=False)

    def row(self, i: int) -> dict[str, sp.Rational]:
        return dict(zip(self.columns, self.rows[i]))


#: A plain decimal cell (``-1.25``, ``3e-2``): read exactly without the expression reader.
_DECIMAL = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d{1,2})?")


def _cell(text: str, where: str) -> tuple[str | sp.Rational, float]:
    """A cell checked, as its exact number (a plain decimal kept as its text, made exact when
    read: 100,000 rows read in a fraction of the time) and its nearest float (``float`` of a
    decimal text is correctly rounded); anything else (``1/3``, a bad cell) goes through the
    expression reader and its errors."""
    if _DECIMAL.fullmatch(text) and len(text) <= 40:
        return text, float(text)
    v = parse_number(text, where=where)
    return v, (v.p / v.q if isinstance(v, sp.Rational) else float(v))


def _exact(cell) -> sp.Rational:
    if isinstance(cell, str):
        f = Fraction(cell)
        return sp.Rational(f.numerator, f.denominator)
    return cell


class ExactRows(Sequence):
    """The rows as tuples of exact numbers, each row made when it is read (a run uses the
    first row for its worked example and floats for the rest)."""

    def __init__(self, cells: list[tuple]):
        self._cells = cells

    def __len__(self) -> int:
        return len(self._cells)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[k] for k in range(*i.indices(len(self))))
        return tuple(_exact(c) for c in self._cells[i])

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and tuple(self) == tuple(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"<{len(self)} exact rows>"


def read_csv(path: str | Path) -> Dataset:
    """Read a CSV file with a header row of names and numeric cells.

    Raises:
        ProblemError: an unreadable file, a bad header, a non-numeric cell (with its row
            and column), a ragged row, or a file over the limits.
    """
    p = Path(path)
    raw = read_limited(p, "data file", MAX_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProblemError(f"data file {str(p)!r} is not UTF-8 text") from None
    lines = sum(1 for line in text.splitlines() if line.strip())
    if lines - 1 > MAX_ROWS:  # counted before any cell is read
        raise ProblemError(f"data file {str(p)!r} has more than {MAX_ROWS} rows ({lines - 1})")
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ProblemError(f"data file {str(p)!r} is empty") from None
    except csv.Error as e:
        raise ProblemError(f"data file {str(p)!r}: {e}") from None
    if len(header) > MAX_COLUMNS or not all(h.isidentifier() for h in header):
        raise ProblemError(f"data file {str(p)!r}: the header must be names such as x,y")
    if len(set(header)) != len(header):
        raise ProblemError(f"data file {str(p)!r}: a column name appears twice")
    rows, floats = [], tuple(array("d") for _ in header)
    try:
        for line_no, cells in enumerate(reader, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise ProblemError(
                    f"data file {str(p)!r} line {line_no}: {len(cells)} cells, header has {len(header)}"
                )
            pairs = [_cell(c.strip(), f"data file {str(p)!r} line {line_no}, column {name}")
                     for c, name in zip(cells, header)]
            rows.append(tuple(v for v, _ in pairs))
            for column, (_, f) in zip(floats, pairs):
                column.append(f)
            if len(rows) > MAX_ROWS:
                raise ProblemError(f"data file {str(p)!r} has more than {MAX_ROWS} rows")
    except csv.Error as e:
        raise ProblemError(f"data file {str(p)!r}: {e}") from None
    if not rows:
        raise ProblemError(f"data file {str(p)!r} has a header but no rows")
    return Dataset(str(p), tuple(header), ExactRows(rows), floats)
