"""The tags that fence data in a prompt: the templates write them, readers of prompts find them.

The brief, the customer, what reviewers taught, the stage policy and the task each enter a
prompt as JSON inside a tag of its own (`<brief>{...}</brief>`). The system prompt tells the
model that what the tags hold is data, never instructions; the offline copywriter
(`dco.providers.copywriter`) reads the prompt as a model would, by these same names.
"""

from __future__ import annotations

import re

BRIEF = "brief"
CUSTOMER = "customer"
REVIEWERS = "reviewers"
POLICY = "policy"
TASK = "task"

TAGS = (BRIEF, CUSTOMER, REVIEWERS, POLICY, TASK)
"""Every tag, in the order the user prompt gives them."""


def fenced(*names: str) -> re.Pattern[str]:
    """A pattern for the data fenced by any of the tags `names`: groups `tag` and `body`."""
    unknown = [name for name in names if name not in TAGS]
    if unknown:
        raise ValueError(f"no prompt tag {unknown[0]!r}; the tags are {', '.join(TAGS)}")
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"<(?P<tag>{alternatives})>\s*(?P<body>.*?)\s*</(?P=tag)>", re.DOTALL)
