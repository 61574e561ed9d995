"""The derive stage: Problem -> Derivation (rule steps, the chain, kinks as places; no numbers).

Modules: ``rules`` (one function per differentiation rule, in a table keyed by expression
type), ``kinks`` (where kinked functions are not differentiable), ``chain`` (the local
partials chained through the named quantities), ``record`` (the Derivation record).
"""

from symgrad.derivation.chain import derive
from symgrad.derivation.record import Derivation, Gradient, OnKink, Partial

__all__ = ["Derivation", "Gradient", "OnKink", "Partial", "derive"]
