"""Reading the user's files: one place that bounds their size and words the errors."""

from __future__ import annotations

from pathlib import Path

from symgrad.errors import ProblemError


def read_limited(path: str | Path, what: str, limit: int) -> bytes:
    """The bytes of ``path``, refused (ProblemError naming ``what``) if unreadable or over ``limit``."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise ProblemError(f"cannot read {what} {str(p)!r}: {e.strerror}") from None
    if len(raw) > limit:
        raise ProblemError(f"{what} {str(p)!r} is larger than {limit} bytes")
    return raw
