"""Telling copy written twice apart from copy that differs: folded keys and character bigrams."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from dco.models import Copy
from dco.text.units import fold

_NOT_WORD = re.compile(r"[\W_]+")


def copy_key(copy: Copy) -> str:
    """The copy's text folded and stripped of spaces and punctuation, for duplicate tests."""
    return _NOT_WORD.sub("", fold(f"{copy.headline} {copy.body} {copy.cta}"))


Bigrams = frozenset[tuple[str, str] | str]
"""A copy key's character bigrams (the key itself when it is shorter than two characters)."""


def bigrams(key: str) -> Bigrams:
    """Character bigrams of a copy key."""
    # Pairs of characters rather than two-character strings: pairwise builds them in C.
    return frozenset(pairwise(key)) or frozenset({key})


def is_near_duplicate(
    key: str, grams: Bigrams, seen: Iterable[tuple[str, Bigrams]], threshold: float
) -> bool:
    """True when `key` equals a seen key or shares `threshold` of its bigrams with one (Jaccard)."""
    for other_key, other_grams in seen:
        if key == other_key:
            return True
        shared = len(grams & other_grams)
        union = len(grams) + len(other_grams) - shared
        if union and shared / union >= threshold:
            return True
    return False
