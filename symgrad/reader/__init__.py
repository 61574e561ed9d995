"""The read stage: text, TOML and CSV -> Problem, never through eval.

Modules: ``tokens`` and ``expression`` (the safe expression reader: grammar, whitelist,
limits), ``problem`` (the Problem record and its checks), ``losses`` (losses usable by
name), ``examples`` (the built-in problems), ``data`` (CSV), ``files`` (bounded reading).
"""
