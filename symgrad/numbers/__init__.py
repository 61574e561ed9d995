"""The numeric stages, layered on a symbolic Derivation.

Modules: ``values`` (evaluation at a point: exact or 30-digit floats, each node once; number
text), ``conventions`` and ``frameworks`` (the value picked on a kink), ``point`` (the
evaluate stage: Numbers), ``descent`` (trajectories and dataset runs), ``oracles`` (the
verify stage), ``comparison`` (side-by-side rows), ``floats`` (fast sampling in floats).
"""

import importlib

_EXPORTS = {"Numbers": "point", "evaluate": "point", "compare": "comparison",
            "data_run": "descent", "trajectory": "descent", "verify": "oracles"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):  # imported on first use: the modules import each other's records
    if name not in _EXPORTS:
        raise AttributeError(f"module 'symgrad.numbers' has no attribute {name!r}")
    return getattr(importlib.import_module(f"symgrad.numbers.{_EXPORTS[name]}"), name)
