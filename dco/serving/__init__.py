"""Serve: context rules and Thompson sampling choose which approved copy a customer sees."""

from dco.serving.context import ContextRules
from dco.serving.selection import Selection, Selector, select

__all__ = ["ContextRules", "Selection", "Selector", "select"]
