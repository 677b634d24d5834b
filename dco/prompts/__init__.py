"""Prompts: the sandboxed templates, the stage policies they state, and prompt versions."""

from dco.prompts.policy import policy_for
from dco.prompts.templates import PromptSet, default_prompts

__all__ = ["PromptSet", "default_prompts", "policy_for"]
