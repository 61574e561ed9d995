#!/usr/bin/env python3
"""How well ``symgrad check`` reads and judges the real derivations in tests/real/.

For every document: the problem is the header's ``let``/``wrt``/``at`` (as a grader would
give it with --let), or with ``--from-document`` none at all (symgrad reads the problem from
the document's own definitions). The author's text is checked with the header blanked out
(line numbers kept). A document is judged right when the exit code is what it should be
(0 for a correct derivation, 1 for a wrong one) and, for a wrong one, the first error
reported is the header's ``first_wrong_line``. A false accept is a wrong document that exits 0.

    python3 tests/real/score.py                 # the table and the totals
    python3 tests/real/score.py -v 012 029      # the reports of some documents
    python3 tests/real/score.py --json          # the totals as JSON (the tests read these)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import verify_truths  # noqa: E402

from symgrad.checking import check  # noqa: E402
from symgrad.errors import SymgradError  # noqa: E402


def author_text(path: Path) -> tuple[dict, str]:
    """The header and the document with its header lines blanked (line numbers kept)."""
    header, nheader, lines = verify_truths.read_header(path)
    return header, "\n".join([""] * nheader + lines[nheader:])


def score_one(path: Path, from_document: bool = False) -> dict:
    header, text = author_text(path)
    expected_exit = 0 if header["verdict"] == "correct" else 1
    out = {"file": path.name, "verdict": header["verdict"], "expected_exit": expected_exit,
           "first_wrong_line": header.get("first_wrong_line")}
    options = {} if from_document else {
        "lets": header["let"], "wrt": ",".join(header["wrt"]),
        "at": ", ".join(f"{k}={v}" for k, v in header.get("at", {}).items()) or None,
    }
    try:
        report = check(text, name=path.name, **options)
    except SymgradError as e:
        out.update(exit=2, first_error=None, rows=0, read=0, error=e.one_line(), report=None)
        return out
    math_rows = [r for r in report.lines if r.verdict != "skipped"]
    read = [r for r in math_rows if r.verdict != "unreadable"]
    out.update(exit=report.exit_code, first_error=report.first_error, rows=len(math_rows),
               read=len(read), error=None, report=report)
    return out


def judged_right(r: dict) -> bool:
    if r["exit"] != r["expected_exit"]:
        return False
    return r["expected_exit"] == 0 or r["first_error"] == r["first_wrong_line"]


def totals(results: list[dict]) -> dict:
    rows = sum(r["rows"] for r in results)
    read = sum(r["read"] for r in results)
    return {
        "documents": len(results),
        "judged_right": sum(judged_right(r) for r in results),
        "rows": rows,
        "rows_read": read,
        "false_accepts": sum(r["verdict"] == "wrong" and r["exit"] == 0 for r in results),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("only", nargs="*", help="document numbers (e.g. 012) to show in full")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each report")
    ap.add_argument("--from-document", action="store_true",
                    help="give no problem: symgrad reads it from the document")
    ap.add_argument("--json", action="store_true", help="print the totals as JSON")
    args = ap.parse_args(argv)
    files = verify_truths.corpus_files()
    if args.only:
        files = [p for p in files if p.name[:3] in args.only]
    results = [score_one(p, args.from_document) for p in files]
    t = totals(results)
    if args.json:
        print(json.dumps(t))
        return 0
    for r in results:
        mark = "ok  " if judged_right(r) else "MISS"
        want = f"exit {r['expected_exit']}" + (
            f" at {r['first_wrong_line']}" if r["expected_exit"] else "")
        got = f"exit {r['exit']}" + (f" at {r['first_error']}" if r["first_error"] else "")
        print(f"{mark} {r['file']:<48} want {want:<12} got {got:<12} "
              f"read {r['read']}/{r['rows']}" + (f"  {r['error']}" if r["error"] else ""))
        if args.verbose and r["report"] is not None:
            print(r["report"].render("text"))
    docs = t["documents"]
    print(f"\n{t['judged_right']} of {docs} documents judged right "
          f"({100 * t['judged_right'] / max(docs, 1):.0f}%); "
          f"{t['rows_read']} of {t['rows']} math rows read "
          f"({100 * t['rows_read'] / max(t['rows'], 1):.0f}%); "
          f"{t['false_accepts']} false accepts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
