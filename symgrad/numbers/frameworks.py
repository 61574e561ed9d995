"""What PyTorch, JAX and TensorFlow return at kinks, read from the measured table in data/kinks/.

The JSON files were measured in float64 on CPU (see ``data/kinks/*.json``: each names
its framework version). Each kinked function maps to one measured case; the
measured gradient is read as a weight inside the function's subdifferential.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sympy as sp

from symgrad.records import record

#: The measured files, one per framework.
FILES = {
    "pytorch": "pytorch-2.13.0.json",
    "jax": "jax-0.10.2.json",
    "tensorflow": "tensorflow-2.21.0.json",
}

#: function -> (case key in the table, input whose gradient is read)
CASES = {
    "abs": ("abs@0", "x"),
    "relu": ("relu@0", "x"),
    "max": ("maximum_tie", "x"),
    "min": ("minimum_tie", "x"),
    "leaky_relu": ("leaky_relu@0", "x"),
    "clamp": ("clamp@hi", "x"),
    "hardtanh": ("hardtanh@1", "x"),
}


@record
class Measured:
    """One framework's measured gradient for one kinked function."""

    framework: str
    version: str
    call: str  # the exact API call and input, e.g. "torch.abs(x), x=0"
    gradient: sp.Rational  # the measured gradient of the first argument (rounded to float32 noise)


@lru_cache(maxsize=None)
def _table(framework: str) -> dict:
    import json  # only when a framework's convention is asked for (json costs the start-up)

    path = Path(__file__).resolve().parents[1] / "data" / "kinks" / FILES[framework]
    return json.loads(path.read_text(encoding="utf-8"))


def version(framework: str) -> str:
    """The framework version the table was measured on."""
    return _table(framework)["version"]


def measured(function: str, framework: str) -> Measured | None:
    """What ``framework`` returns for ``function`` at its kink (None if not measured)."""
    if function not in CASES:
        return None
    key, arg = CASES[function]
    data = _table(framework)
    row = next((r for r in data["rows"] if r["key"] == key), None)
    if row is None or arg not in row["grads"]:
        return None
    # float32 measurements (0.009999999776482582) are read back as the short decimal meant
    value = sp.Rational(repr(round(float(row["grads"][arg]), 6)))
    return Measured(framework, data["version"], row["desc"], value)


def all_measured(function: str) -> list[Measured]:
    """Every framework's measurement for ``function``, in a fixed order."""
    return [m for m in (measured(function, f) for f in FILES) if m is not None]
