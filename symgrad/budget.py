"""Time budgets: a run that goes over its limit ends in a clear error, never hangs.

Sizes are refused before any work (each reader checks its own limits first); what remains is
symbolic work whose cost the input cannot bound in advance (equivalence, simplification,
evaluation, long descents). :func:`time_limit` bounds it as a whole: past the limit the run
stops with a :class:`BudgetError` naming the limit and the option that raises it. The
command line sets it with ``--time-limit SECONDS`` (default :data:`DEFAULT_SECONDS`, 0 for
none); from Python, ``with symgrad.time_limit(30): ...``.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager

from symgrad.errors import SymgradError

#: The command line's default limit, in seconds.
DEFAULT_SECONDS = 120.0


class BudgetError(SymgradError):
    """The run went over its time limit."""


class _Overrun(BaseException):
    """Raised by the timer. A BaseException, so no ``except Exception`` inside a library can
    swallow it; :func:`time_limit` turns it into a :class:`BudgetError` at its boundary."""


def _timers_work() -> bool:
    """A real-time timer can interrupt this code: the main thread of a POSIX process."""
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


@contextmanager
def _armed(seconds: float, overrun: type[BaseException]):
    """The body with the real-time timer set to raise ``overrun`` after ``seconds``; the
    timer is off and the previous handler back on the way out."""
    def _alarm(signum, frame):
        # again soon: an exception raised where Python ignores it (a gc callback, a __del__:
        # hypothesis installs one) would otherwise end the limit without stopping the run
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        raise overrun()

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def time_limit(seconds: float | None, option: str = "--time-limit"):
    """Stop the body after ``seconds`` (None or 0: no limit) with a :class:`BudgetError`.

    Uses the process's real-time timer, so it works in the main thread of a POSIX process;
    elsewhere (a worker thread, Windows) the body runs without a limit.
    """
    if not seconds or not _timers_work():
        yield
        return
    if seconds < 0:
        raise SymgradError(f"{option} must be 0 (no limit) or a positive number of seconds")
    try:
        with _armed(seconds, _Overrun):
            yield
    except _Overrun:
        raise BudgetError(f"the run went over its time limit of {seconds:g} s; raise it with "
                          f"{option} SECONDS (0 for no limit)") from None


class StepTimeout(SymgradError):
    """One bounded step (:func:`step_limit`) went over its own limit."""


class _StepOverrun(BaseException):
    """Raised by a step's timer (a BaseException, like :class:`_Overrun`)."""


@contextmanager
def step_limit(seconds: float, what: str):
    """Bound one step of SymPy work whose cost nothing bounds in advance (settling a
    condition, writing out a loss) with a :class:`StepTimeout` naming ``what``, while an
    enclosing :func:`time_limit` keeps running: its timer is restored, less the time spent,
    and when it would fire first the step is left to it.
    """
    if not _timers_work():
        yield
        return
    outer = signal.getitimer(signal.ITIMER_REAL)[0]
    if outer and outer <= seconds:
        yield
        return
    start = time.monotonic()
    try:
        with _armed(seconds, _StepOverrun):
            yield
    except _StepOverrun:
        raise StepTimeout(f"{what} took SymPy over {seconds:g} s") from None
    finally:
        if outer:  # the enclosing limit goes on, less the time this step took
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 0.001))
