"""Reading the user's files: one place that bounds their size and words the errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from symgrad.errors import ProblemError


def read_limited(path: str | Path, what: str, limit: int) -> bytes:
    """The bytes of ``path``, refused (ProblemError naming ``what``) if unreadable, not a
    regular file (a device such as /dev/zero, a directory, a pipe), or over ``limit``.

    The size is checked before reading and the read stops after ``limit`` bytes, so a huge
    file or a device is refused at once.
    """
    p = Path(path)
    try:
        with open(p, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ProblemError(f"{what} {str(p)!r} is not a regular file")
            if st.st_size > limit:
                raise ProblemError(f"{what} {str(p)!r} is larger than {limit} bytes "
                                   f"({st.st_size} bytes)")
            raw = f.read(limit + 1)
    except OSError as e:
        raise ProblemError(f"cannot read {what} {str(p)!r}: {e.strerror}") from None
    if len(raw) > limit:
        raise ProblemError(f"{what} {str(p)!r} is larger than {limit} bytes")
    return raw
