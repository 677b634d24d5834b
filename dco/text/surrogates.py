"""Lone surrogates: the half of an emoji (a "\\ud83d" escape) or a byte that was not UTF-8.

Python lets a str hold one (argv and file names carry undecodable bytes as U+DC80..U+DCFF),
but no UTF-8 file, terminal or database can: text from outside either has them replaced, where
it is only read, or is refused, where it would be stored.
"""

from __future__ import annotations

import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """Whether `text` holds a code point no UTF-8 encoder will write."""
    return not text.isascii() and _LONE_SURROGATE.search(text) is not None


def without_lone_surrogates(text: str) -> str:
    """`text` with each lone surrogate made U+FFFD, the replacement character: no text."""
    return _LONE_SURROGATE.sub("\ufffd", text) if has_lone_surrogate(text) else text
