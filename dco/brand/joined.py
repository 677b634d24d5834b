"""Searching many texts in one pass: for a pattern that cannot tell texts joined by a separator
from the same texts searched one by one, one `finditer` over the joined texts.

Setting up a search costs the regex engine about as much as scanning a field of copy, so a rule
due on a hundred texts pays for a hundred set-ups. Joined, it pays for one — when no match can
differ: the pattern never consumes the separator (so no match spans two texts), and every
assertion it makes at a text's edge gives the same answer with the separator beside it as with
nothing there. Both are read off the regex engine's own parse of the pattern.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, repeat
from re import _constants, _parser  # type: ignore[attr-defined]  # no stubs for the engine's own modules  # the engine's own parser: what a pattern means, exactly

SEPARATORS = ("\n", "\x00")
"""Candidates, in order of preference: a line break keeps `^` and `$` (multiline) meaning a
text's start and end; a NUL also suits patterns that match spaces, such as "무료\\s*배송"."""

_REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT}
_EDGE_FREE = {_constants.AT_BOUNDARY, _constants.AT_NON_BOUNDARY}
"""Assertions that see a separator (neither is a word character) as they see a text's edge."""
_LINE_EDGES = {_constants.AT_BEGINNING, _constants.AT_END}
"""`^` and `$`, which in multiline mode see a line break as they see a text's edge."""
_CATEGORY_HOLDS = {
    _constants.CATEGORY_SPACE: str.isspace,
    _constants.CATEGORY_NOT_SPACE: lambda char: not char.isspace(),
    _constants.CATEGORY_DIGIT: lambda char: False,  # neither separator is a digit ...
    _constants.CATEGORY_NOT_DIGIT: lambda char: True,
    _constants.CATEGORY_WORD: lambda char: False,  # ... nor a word character
    _constants.CATEGORY_NOT_WORD: lambda char: True,
}


@functools.lru_cache(maxsize=4096)
def separator_for(pattern: re.Pattern[str] | None) -> str | None:
    """A separator joined texts can be searched with for `pattern`, or None (search each)."""
    if pattern is None:
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError):
        return None
    flags = parsed.state.flags
    for separator in SEPARATORS:
        if _blind_to(separator, list(parsed), flags):
            return separator
    return None


def finditer_each(
    find: Callable[[str], Iterable[re.Match[str]]], texts: Sequence[str], separator: str | None
) -> Iterable[tuple[int, int, re.Match[str]]]:
    """(index of the text, offset of the text, match) for each match `find` finds (a pattern's
    `finditer`, or what finds the same) in each of `texts`, in order: the match's
    `start() - offset` is where it starts in its text.

    `separator`: what `separator_for(pattern)` gives (rules keep it with their pattern)."""
    if not texts:
        return []
    if len(texts) == 1:
        # In C, without a frame of its own: the common check of one text.
        return zip(_ZERO, _ZERO, find(texts[0]), strict=False)
    if separator is None:
        return [(index, 0, match) for index, text in enumerate(texts) for match in find(text)]
    starts = list(accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
    return [
        (index := bisect_right(starts, match.start()) - 1, starts[index], match)
        for match in find(separator.join(texts))
    ]


_ZERO = repeat(0)


def _blind_to(separator: str, items: list, flags: int) -> bool:
    """Whether the parsed pattern `items` neither consumes `separator` nor asserts anything
    about it that it would not about a text's edge."""
    code = ord(separator)
    for op, value in items:
        if op is _constants.LITERAL:
            if value == code:
                return False
        elif op is _constants.NOT_LITERAL:
            if value != code:
                return False
        elif op is _constants.ANY:
            if separator != "\n" or flags & re.DOTALL:
                return False  # "." matches anything but a line break (and that too, dotall)
        elif op is _constants.IN:
            if _class_holds(value, separator):
                return False
        elif op is _constants.AT:
            if value not in _EDGE_FREE and not (
                value in _LINE_EDGES and flags & re.MULTILINE and separator == "\n"
            ):
                return False  # \A, \Z, and ^ or $ outside multiline mode
        elif op in _REPEATS:
            if not _blind_to(separator, list(value[2]), flags):
                return False
        elif op is _constants.SUBPATTERN:
            _, add_flags, del_flags, inner = value
            if not _blind_to(separator, list(inner), (flags | add_flags) & ~del_flags):
                return False
        elif op is _constants.BRANCH:
            if not all(_blind_to(separator, list(branch), flags) for branch in value[1]):
                return False
        elif op in (_constants.ASSERT, _constants.ASSERT_NOT):
            # A lookaround at a text's edge finds nothing beside it, or a separator it
            # cannot match: either way the same answer.
            if not _blind_to(separator, list(value[1]), flags):
                return False
        elif op is _constants.ATOMIC_GROUP:
            if not _blind_to(separator, list(value), flags):
                return False
        elif op is _constants.GROUPREF_EXISTS:
            _, yes, no = value
            if not _blind_to(separator, list(yes), flags) or (
                no is not None and not _blind_to(separator, list(no), flags)
            ):
                return False
        elif op is not _constants.GROUPREF:
            return False  # anything else: not known to be safe
    return True


def _class_holds(items: list, separator: str) -> bool:
    """Whether the character class `items` matches `separator` (True when unsure)."""
    code, negated, held = ord(separator), False, False
    for op, value in items:
        if op is _constants.NEGATE:
            negated = True
        elif op is _constants.LITERAL:
            held |= value == code
        elif op is _constants.RANGE:
            held |= value[0] <= code <= value[1]
        elif op is _constants.CATEGORY and value in _CATEGORY_HOLDS:
            held |= _CATEGORY_HOLDS[value](separator)
        else:
            return True
    return held != negated
