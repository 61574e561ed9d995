#!/usr/bin/env python3
"""Mistakes planted in the real derivations that ``check`` judges correct: does it see them?

The 30 real mistakes in tests/real/ are few. For every correct document that ``check`` judges
right (with the header's problem), every row it calls correct is changed on the right of its
last ``=``, one change at a time: its first and its last digit go up by one (``2`` to ``3``,
``9`` to ``0``), and its first and its last sign flip (``-`` to ``+``, ``+`` to ``-``). The
changed document is checked again, and the row's verdict is one of:

- caught: the row (or an earlier one) is now wrong;
- not judged: the row is now unreadable or skipped, and the document does not pass (exit 1
  or 2);
- passed unjudged: the row is now skipped and the rest is right, so the document passes
  (exit 0) with the planted mistake in it: a false accept for a grader, unless the change
  makes the row about something else the problem leaves out;
- survived: the row is still correct. A survivor is either a false accept or a change that
  does not change the mathematics (``65 - 0`` to ``65 + 0``), or one within the tolerance of
  a rounded number (the last place of ``0.4502``: half a unit there plus the 0.05% a rounded
  number may carry from earlier lines); each survivor is printed with its row so it can be
  told apart by hand.

    python3 tests/real/mutants.py            # the totals and every survivor
    python3 tests/real/mutants.py 035 052    # some documents only
    python3 tests/real/mutants.py --from-document   # the problem read from each document
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import score  # noqa: E402
import verify_truths  # noqa: E402

from symgrad.checking import check  # noqa: E402
from symgrad.checking.document import read_document  # noqa: E402
from symgrad.errors import SymgradError  # noqa: E402

#: Commands and environment names whose letters and digits are not the mathematics.
_COMMAND = re.compile(r"\\tag\{[^}]*\}|\\[A-Za-z]+|\\begin\{[^}]*\}|\\end\{[^}]*\}")


def _rhs_start(row: str) -> int | None:
    """Where the right side of the row's last ``=`` starts (None without one)."""
    k = row.rfind("=")
    return None if k < 0 else k + 1


def _mutants(row: str):
    """(kind, mutated row) pairs: the first digit on the right side up by one, its first sign
    flipped. Digits and signs inside command names and equation tags are left alone."""
    start = _rhs_start(row)
    if start is None:
        return
    masked = _COMMAND.sub(lambda m: "\0" * len(m.group(0)), row[start:])
    digits = [start + m.start() for m in re.finditer(r"\d", masked)]
    signs = [start + m.start() for m in re.finditer(r"[-+−–]", masked)]
    for where, ks in (("first", digits[:1]), ("last", digits[1:][-1:])):
        for k in ks:
            kind = f"{where} digit"
            if re.search(r"\.\d\d+$", row[:k + 1]) and not row[k + 1 : k + 2].isdigit():
                kind += " (the last place of a rounded number)"
            yield kind, row[:k] + str((int(row[k]) + 1) % 10) + row[k + 1 :]
    for where, ks in (("first", signs[:1]), ("last", signs[1:][-1:])):
        for k in ks:
            yield f"{where} sign", row[:k] + ("+" if row[k] != "+" else "-") + row[k + 1 :]


def _verdicts(text: str, options: dict, line: int) -> tuple[str, int | None]:
    """The worst verdict of the rows on ``line`` and the report's first error. With the
    problem read from the document (no options), a changed definition changes the problem,
    so the change is caught when any later line is found wrong."""
    try:
        report = check(text, **options)
    except SymgradError:
        return "error", None
    here = [r.verdict for r in report.lines if r.line == line]
    if report.first_error is not None and (report.first_error <= line or not options):
        return "wrong", report.first_error
    if "correct" in here and not any(v in ("unreadable", "skipped") for v in here):
        return "correct", report.first_error
    if report.exit_code == 0:  # the changed row skipped, and the document passes
        return "passed unjudged", report.first_error
    return "not judged", report.first_error


def study(paths: list[Path], from_document: bool = False) -> dict:
    out = {"documents": 0, "mutants": 0, "caught": 0, "not judged": 0, "survived": [],
           "passed unjudged": []}
    for path in paths:
        header, text = score.author_text(path)
        if header["verdict"] != "correct":
            continue
        options = {} if from_document else {
            "lets": header["let"], "wrt": ",".join(header["wrt"]),
            "at": ", ".join(f"{k}={v}" for k, v in header.get("at", {}).items()) or None}
        try:
            base = check(text, name=path.name, **options)
        except SymgradError:
            continue
        if base.exit_code != 0:
            continue  # only documents judged right
        out["documents"] += 1
        correct = {r.line for r in base.lines if r.verdict == "correct"}
        for row in read_document(text).rows:
            if row.kind not in ("math", "line") or row.line not in correct:
                continue
            source = text[row.start : row.end]
            for kind, changed in _mutants(source):
                mutated = text[: row.start] + changed + text[row.end :]
                verdict, _ = _verdicts(mutated, options, row.line)
                out["mutants"] += 1
                if verdict == "wrong":
                    out["caught"] += 1
                elif verdict == "correct":
                    out["survived"].append((path.name, row.line, kind, source.strip(),
                                            changed.strip()))
                elif verdict == "passed unjudged":
                    out["passed unjudged"].append((path.name, row.line, kind, source.strip(),
                                                   changed.strip()))
                else:
                    out["not judged"] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("only", nargs="*", help="document numbers (e.g. 035) to study")
    ap.add_argument("--from-document", action="store_true",
                    help="give no problem: symgrad reads it from the document")
    args = ap.parse_args(argv)
    files = verify_truths.corpus_files()
    if args.only:
        files = [p for p in files if p.name[:3] in args.only]
    r = study(files, args.from_document)
    for name, line, kind, before, after in r["survived"]:
        print(f"SURVIVED {name}:{line} ({kind})\n    was: {before}\n    now: {after}")
    for name, line, kind, before, after in r["passed unjudged"]:
        print(f"PASSED UNJUDGED {name}:{line} ({kind})\n    was: {before}\n    now: {after}")
    print(f"\n{r['mutants']} mutants of the correct rows of {r['documents']} correct documents: "
          f"{r['caught']} caught, {r['not judged']} no longer judged (the document not "
          f"passed), {len(r['passed unjudged'])} no longer judged with the document passed, "
          f"{len(r['survived'])} still called correct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
