"""The long fuzz run (issue 11): random problems through every stage and renderer, random
documents through ``check``; every input must end in a result or a clear user error.

    python3 tests/fuzz/run.py --engine 100000 --check 20000 --jobs 2     # the long run
    python3 tests/fuzz/run.py --engine 2000 --check 1000 --seed 7        # a quick one

Each input is named by its seed (``--seed`` is the first); a failure prints the seed, the
input and the error, and ``--only SEED`` replays one. An input fails when it raises
anything but symgrad's own user errors (``SymgradError``: exit 2 on the command line), when
the derivation's own verification fails (exit 3 on the command line), or when it runs over
``--budget`` seconds. The totals are printed at the end (and written with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import signal
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import generators  # noqa: E402

FORMATS = ("text", "markdown", "latex", "html", "json")


class Overrun(BaseException):
    """The input ran over its time budget (a BaseException, so no library swallows it)."""


def _alarm(signum, frame):
    raise Overrun()


def engine_input(seed: int) -> dict:
    return generators.problem(random.Random(seed))


def check_input(seed: int) -> tuple[str, dict]:
    return generators.check_case(random.Random(10**9 + seed))


def run_engine(opts: dict) -> str:
    """'ok', 'user-error' or raises. Every stage, every renderer, the verification."""
    import symgrad
    from symgrad.errors import SymgradError
    from symgrad.rendering import render_many

    try:
        d = symgrad.derive(**opts)
        render_many(d, list(FORMATS))
        render_many(d, ["latex"], standalone=True)
    except SymgradError:
        return "user-error"
    bad = [f"{v.param}: {v.note}" for v in d.verification
           if not (v.sympy and v.finite_difference is not False)]
    if bad:
        raise AssertionError(f"verification failed: {'; '.join(bad)}")
    return "ok"


def run_check(case: tuple[str, dict]) -> str:
    import symgrad
    from symgrad.errors import SymgradError

    text, problem = case
    try:
        report = symgrad.check(text, **problem)
        report.render()
        report.to_dict()
    except SymgradError:
        return "user-error"
    return "ok"


def one(kind: str, seed: int, budget: float) -> tuple[str, int, str, str]:
    """(kind, seed, outcome, detail) for one input; outcome is ok, user-error, internal or
    overrun."""
    case = engine_input(seed) if kind == "engine" else check_input(seed)
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        outcome = run_engine(case) if kind == "engine" else run_check(case)
        detail = ""
    except Overrun:
        outcome, detail = "overrun", f"over {budget} s"
    except Exception as e:  # noqa: BLE001 - the point: anything else is a bug
        outcome = "internal"
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()[-600:]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return kind, seed, outcome, detail


def _one(args):
    return one(*args)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", type=int, default=2000, help="random problems (default 2000)")
    ap.add_argument("--check", type=int, default=1000, help="random documents (default 1000)")
    ap.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
    ap.add_argument("--budget", type=float, default=10.0, help="seconds per input (default 10)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--only", type=int, help="replay one seed (with --kind)")
    ap.add_argument("--kind", choices=("engine", "check"), default="engine")
    ap.add_argument("--json", metavar="FILE", help="write the totals and failures as JSON")
    a = ap.parse_args(argv)
    if a.only is not None:
        case = engine_input(a.only) if a.kind == "engine" else check_input(a.only)
        print(json.dumps(case, indent=1, ensure_ascii=False))
        print(one(a.kind, a.only, a.budget))
        return 0
    tasks = [("engine", a.seed + k, a.budget) for k in range(a.engine)]
    tasks += [("check", a.seed + k, a.budget) for k in range(a.check)]
    start = time.time()
    totals: dict = {}
    failures = []
    if a.jobs > 1:
        with multiprocessing.Pool(a.jobs, maxtasksperchild=500) as pool:
            results = pool.imap_unordered(_one, tasks, chunksize=20)
            for r in results:
                _count(r, totals, failures)
    else:
        for t in tasks:
            _count(_one(t), totals, failures)
    seconds = time.time() - start
    for kind in ("engine", "check"):
        counts = totals.get(kind, {})
        print(f"{kind}: {sum(counts.values())} inputs: " +
              ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"{len(failures)} failures in {seconds:.0f} s")
    for kind, seed, outcome, detail in failures[:50]:
        print(f"  {kind} seed {seed}: {outcome}: {detail.splitlines()[-1] if detail else ''}")
    if a.json:
        Path(a.json).write_text(json.dumps({"totals": totals, "seconds": round(seconds),
                                            "failures": failures}, indent=1))
    return 1 if failures else 0


def _count(r, totals, failures):
    kind, seed, outcome, detail = r
    totals.setdefault(kind, {}).setdefault(outcome, 0)
    totals[kind][outcome] += 1
    if outcome in ("internal", "overrun"):
        failures.append(r)
        print(f"FAIL {kind} seed {seed}: {outcome}: {detail[-300:]}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
