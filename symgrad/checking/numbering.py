"""A vector numbered from 1 where the problem numbers it from 0 (or the other way round).

``scores_1 .. scores_3`` in a display whose problem has ``scores_0 .. scores_2``: the author
counts from the other end. When the sentence before the display says so ("fixed the
indexing to start at 1 here"), the display is read with the author's numbering: scores_1 is
the problem's scores_0. Otherwise which entry each name means is unclear: that row is
unreadable (with the reason) and the rows after it in the display that name the vector are
skipped with it, never read with a guessed shift.
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


#: The author saying a display counts from 1: "indexing to start at 1", "indices from 1",
#: "1-based", "one-based", "numbered from 1".
_FROM_ONE = re.compile(r"(?:index\w*|subscripts?|number\w*|count\w*)[^.\n$]{0,30}?"
                       r"\b(?:start\w*|begin\w*|from)\s+(?:at\s+|with\s+)?(?:1|one)\b"
                       r"|\b(?:1|one)-based\b", re.I)


def stated_shift(doc: str, rows, block: int, scope) -> tuple[str, int] | None:
    """(the vector, -1) when the display at ``block`` numbers a vector of the problem from 1
    (it names one past the problem's last entry, never its first) and the text just before
    the display says the indexing starts at 1."""
    if block < 0 or not _FROM_ONE.search(doc[max(0, block - 200) : block]):
        return None
    text = " ".join(doc[r.start : r.end] for r in rows if r.block == block)
    found = other_numbering(text, scope)
    if found is None or sorted(scope.family(found[0]))[0] != 0:
        return None
    return found[0], -1


def shifted(doc: str, start: int, end: int, base: str, delta: int) -> str:
    """``doc`` with the one-digit entries of ``base`` in doc[start:end] renumbered by
    ``delta`` (``scores_3`` -> ``scores_2``); offsets are kept."""
    def one(m):
        k = int(m.group(2) or m.group(3))
        if m.group(1) != base or not 0 <= k + delta <= 9 or k > 9:
            return m.group(0)
        return m.group(0)[: -2 if m.group(2) else -1] + str(k + delta) + ("}" if m.group(2) else "")
    return doc[:start] + _NAMED.sub(one, doc[start:end]) + doc[end:]


def past_the_end(base: str, suffix: str, scope) -> bool:
    """Is ``base_suffix`` one past the last entry of a vector the problem numbers without gaps
    (``scores_3`` with ``scores_0 .. scores_2``)? Then it is no part of the model the problem
    leaves out but an entry it does not have: a typo or another numbering, never skipped."""
    keys = sorted(scope.family(base))
    return suffix.isdigit() and len(keys) >= 2 and keys == list(range(keys[0], keys[-1] + 1)) \
        and int(suffix) == keys[-1] + 1

