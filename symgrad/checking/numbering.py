"""A vector numbered from 1 where the problem numbers it from 0 (or the other way round).

``scores_1 .. scores_3`` in a display whose problem has ``scores_0 .. scores_2``: the author
counts from the other end ("fixed the indexing to start at 1 here"). Which entry each name
means is then unclear: that row is unreadable (with the reason) and the rows after it in the
display that name the vector are skipped with it, never read with a guessed shift.
"""

from __future__ import annotations

import re

_NAMED = re.compile(r"(?<![A-Za-z0-9\\])([A-Za-z][A-Za-z0-9]*)_(?:\{(\d+)\}|(\d+))")


def other_numbering(source: str, scope) -> tuple[str, str] | None:
    """(the vector's name, the name written) for a name one past the end of a vector the
    problem numbers 0..n-1 (``scores_3``), or before the start of one it numbers 1..n."""
    named = [(m.group(1), int(m.group(2) or m.group(3)), m.group(0))
             for m in _NAMED.finditer(source)]
    for base, k, written in named:
        fam = scope.family(base)
        keys = sorted(fam)
        if len(keys) < 2 or k in fam or keys != list(range(keys[0], keys[-1] + 1)):
            continue
        other_end = keys[0] if k > keys[-1] else keys[-1]  # scores_0 with scores_3: no shift
        if any(b == base and j == other_end for b, j, _ in named):
            continue
        if keys[0] == 0 and k == keys[-1] + 1 or keys[0] == 1 and k == 0:
            return base, written
    return None


def names_vector(source: str, base: str) -> bool:
    """Does the row name an entry of the vector ``base``?"""
    return any(m.group(1) == base for m in _NAMED.finditer(source))


def why_skipped(base: str, written: str, scope) -> str:
    """The reason: which name, and the two numberings."""
    keys = sorted(scope.family(base))
    return (f"{written}: this display numbers {base} from {1 - keys[0]}, the problem from "
            f"{keys[0]}; which entry is meant is unclear: not checked")
