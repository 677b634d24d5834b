"""Serve: context rules and Thompson sampling choose which approved copy a customer sees.

The names load on first use: the brand loads its context rules from here, and should not pay
for numpy and the bandit when it only checks copy.
"""

from typing import TYPE_CHECKING

from dco._lazy import lazy_face

if TYPE_CHECKING:
    from dco.serving.context import ContextRules
    from dco.serving.selection import Selection, Selector, select

__all__ = ["ContextRules", "Selection", "Selector", "select"]

__getattr__, __dir__ = lazy_face(
    __name__,
    {
        "dco.serving.context": ["ContextRules"],
        "dco.serving.selection": ["Selection", "Selector", "select"],
    },
)
