"""The cases a hand derivation's rows assume: "If $i = j$" and the chains each row continues.
A mixin of :class:`symgrad.checking.judge.Checker`."""

from __future__ import annotations

import re

from symgrad.checking.claims import _INDEX_RELATION
from symgrad.checking.document import Row
from symgrad.checking.handbase import Reading


class Cases:
    """``self.case``, ``self.targets`` and the row handling that depends on them."""

    def drop_stale_targets(self) -> None:
        """A row that starts a new chain for some values of its indices ends the chain before
        it for the others: "If $i = k$" after a row for every i and k (057) continues only the
        i = k chains."""
        touched = self.targets.touched
        if touched:
            for k in [k for k in self.targets if k not in touched]:
                del self.targets[k]
                self.prev_ok.pop(k, None)

    def index_condition(self, row: Row, source: str):
        """``If $i = j$, this gives:``, ``Case 2: \\(i \\neq j\\)``: a condition on the indices that
        the rows after it assume (until the next sentence that is not part of it)."""
        m = _INDEX_RELATION.match(source)
        if m is None or m.group(1) in self.scope.names or m.group(3) in self.scope.names:
            return None
        op = "=" if m.group(2) == "=" else "!="
        before = self.doc[self.doc.rfind("\n", 0, row.start) + 1 : row.start].lower()
        if re.search(r"\b(if|when|case\s*\d*\s*:?|for)\s*[$\\(]*\s*$", before):
            self.case = (m.group(1), op, m.group(3), row.line)
        return op

    def case_holds(self, reading: Reading | dict) -> bool:
        a, op, b, _ = self.case
        bind = reading if isinstance(reading, dict) else reading.binding
        if a not in bind or b not in bind:
            return True
        return (bind[a] == bind[b]) == (op == "=")

    def case_ends(self, row: Row) -> None:
        """A sentence on a later line, after some math, ends the case ("Together these give")."""
        if self.case is not None and row.kind == "prose" and row.line > self.case[3] + 1 and \
                self.case_math and len(self.doc[row.start : row.end].split()) >= 3:
            self.case = None
