"""A right side the reader cannot read, standing for the name it defines: a document that
says ``yprediction(x0,x1,...,xm−1)=w0x0+w1x1+...+wm−1xm−1`` (terms the problem lumps into one
name, an elided list) and later writes ``u=(yactual−(w0x0+w1x1+...+wm−1xm−1))`` uses the same
text for the same thing, so the later copy is read as ``yprediction``.

Only the exact text counts, only as a whole (alone in parentheses),
only below its definition, and only for a name of the problem; the text is replaced by the name
padded with spaces, so every column the reader reports stays where it was."""

from __future__ import annotations

import re

from symgrad.errors import ParseError

#: Definitions kept as stand-ins, at most (each is searched for in every later row).
MAX_STAND_INS = 20
#: ``name = right side`` or ``name(args) = right side``: one '=' in the row.
_DEFINITION = re.compile(r"\s*([A-Za-z][A-Za-z0-9]*)\s*(?:\([^()=]*\))?\s*=\s*([^=]+?)\s*$")
#: A right side worth standing for a name: an operator between terms, at least two terms.
_TERMS = re.compile(r"\S\s*[-+−]\s*\S")

#: Terms left out: ``w0x0+w1x1+...+wm−1xm−1``, ``\cdots``.
_ELIDED = re.compile(r"\.\.\.|…|\\[lcv]?dots")


def _problem_name(name: str, names) -> bool:
    """``yprediction`` for the problem's ``yprediction_1``, .. (one per example) or itself."""
    return any(n == name or n.startswith(name + "_") for n in names)


def stand_ins(doc: str, rows, scope) -> tuple[str, dict[int, str]]:
    """The document with each later copy of an unreadable defining text (one with names the
    problem does not have, or terms left out) replaced by its name, and the rows whose text was
    so used (their start, and the name)."""
    from symgrad.checking.handparse import read_row

    defined: list[tuple[int, str, str]] = []  # (start of the defining row, text, name)
    rows_defining: dict[int, str] = {}
    for row in rows:
        if row.kind not in ("math", "line") or row.error:
            continue
        text = doc[row.start : row.end]
        for start, rhs, name in defined:
            got = _replaced(text, rhs, name)
            if got != text:
                rows_defining[start] = name
                text = got
        if text != doc[row.start : row.end]:
            doc = doc[: row.start] + text + doc[row.end :]
            continue
        m = _DEFINITION.fullmatch(text)
        if not m or len(defined) >= MAX_STAND_INS or not _problem_name(m.group(1), scope.names) or not _TERMS.search(m.group(2)):
            continue
        rhs, name = m.group(2), m.group(1)
        if len(rhs) < len(name) + 2 or re.search(rf"\b{re.escape(name)}\b", rhs):
            continue
        a = row.start + m.start(2)
        try:
            read_row(doc, a, a + len(rhs), scope)
        except ParseError as e:
            if "unknown name" in str(e) or _ELIDED.search(rhs):
                defined.append((row.start, rhs, name))
        except Exception:  # noqa: BLE001 - a text read any other way is not a stand-in
            continue
    return doc, rows_defining


def _replaced(text: str, rhs: str, name: str) -> str:
    """``text`` with every whole copy of ``rhs`` (alone in parentheses) replaced by ``name``
    and spaces (a restated definition, ``name = rhs``, is left as it is)."""
    stand = name + " " * (len(rhs) - len(name))
    out, k = text, 0
    while True:
        k = out.find(rhs, k)
        if k < 0:
            return out
        before, after = out[:k].rstrip(), out[k + len(rhs) :]
        if before.endswith("(") and after.lstrip().startswith(")"):
            out = out[:k] + stand + after
        k += len(rhs)
