#!/usr/bin/env python3
"""Coverage-guided fuzzing with atheris (libFuzzer): the reader and engine, or the checker.

Unlike ``run.py`` (random inputs from a grammar), libFuzzer mutates the inputs that reached
new lines of symgrad, starting from real material: the README's definitions for ``reader``,
the real derivations of ``tests/real/`` and the planted-mistake corpus for ``check``.
Every input must end in a result or a :class:`~symgrad.errors.SymgradError` (a clear user
error) within ``SYMGRAD_FUZZ_BUDGET`` seconds (default 10); anything else, a failed
self-check included, is a crash that libFuzzer saves and reports.

    pip install atheris
    python3 tests/fuzz/guided.py reader -runs=20000        # lines of --let, derived, rendered
    python3 tests/fuzz/guided.py check -max_total_time=600 # documents checked against l1

Any libFuzzer option may follow the target (``-runs``, ``-max_total_time``, ``-seed``); the
seed corpus is written to a temporary folder each run, so nothing in the checkout changes.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

BUDGET = float(os.environ.get("SYMGRAD_FUZZ_BUDGET", "10"))
TARGETS = ("reader", "check")


class Overrun(BaseException):
    """An input ran over its budget (a BaseException, so no library swallows it)."""


def _alarm(signum, frame):
    raise Overrun(f"over {BUDGET} s")


def seeds(target: str) -> list[bytes]:
    """Real material to start from."""
    if target == "check":
        files = sorted((ROOT / "tests" / "real").glob("0*")) + sorted((ROOT / "tests" / "corpus").glob("*"))
        return [f.read_bytes()[:20000] for f in files if f.is_file()]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lets = re.findall(r"--let '([^']+)'", readme)
    out, group = [], []
    for text in lets:  # consecutive definitions as one problem, one per line
        group.append(text)
        if text.split("=")[0].strip() in ("L", "J", "E"):
            out.append("\n".join(group).encode())
            group = []
    return out or [b"yhat = m*x + 4\nL = abs(y - yhat)"]


def reader(data: bytes) -> None:
    """Up to six lines of --let, by m (or the first name defined), at a point if one parses."""
    import symgrad
    from symgrad.errors import SymgradError
    from symgrad.rendering import render_many

    text = data.decode("utf-8", "replace")
    lines = [x for x in text.split("\n") if x.strip()][:6]
    if not lines:
        return
    try:
        problem = symgrad.read(lets=lines, wrt="m")
        d = symgrad.derive(problem)
        render_many(d, ["text", "markdown", "latex", "html", "json"])
        at = ", ".join(f"{n}={1.5 + k / 4}" for k, n in enumerate(problem.inputs))
        d = symgrad.derive(lets=lines, wrt="m", at=at)
        render_many(d, ["text", "latex"])
    except SymgradError:
        return
    bad = [f"{v.param}: {v.note}" for v in d.verification
           if not (v.sympy and v.finite_difference is not False)]
    if bad:
        raise AssertionError(f"verification failed: {'; '.join(bad)}")


def check(data: bytes) -> None:
    """The bytes as a document, checked against the built-in L1 problem."""
    import symgrad
    from symgrad.errors import SymgradError

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # the command line refuses non-UTF-8 input before reading it
    try:
        report = symgrad.check(text, example="l1")
        report.render()
        report.to_dict()
    except SymgradError:
        return


def main() -> None:
    import atheris

    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: guided.py {'|'.join(TARGETS)} [libFuzzer options]")
    target = sys.argv[1]
    with atheris.instrument_imports(include=["symgrad"]):
        import pkgutil

        import symgrad

        for module in pkgutil.walk_packages(symgrad.__path__, "symgrad."):  # every module now:
            if not module.name.endswith("__main__"):  # symgrad imports most of them lazily
                __import__(module.name)
    body = reader if target == "reader" else check

    def one(data: bytes) -> None:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, BUDGET)
        try:
            body(data)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    corpus = Path(tempfile.mkdtemp(prefix=f"symgrad-{target}-"))
    for i, s in enumerate(seeds(target)):
        (corpus / f"seed-{i:03d}").write_bytes(s)
    options = sys.argv[2:]
    if not any(o.startswith("-max_len=") for o in options):
        options.append("-max_len=4096")
    argv = [sys.argv[0], *options, str(corpus)]
    atheris.Setup(argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
