"""How far an edit moved copy: Levenshtein distance, normalised to 0 (untouched) … 1 (rewritten).

>>> levenshtein("저렴한 가격", "합리적인 가격")
4
>>> round(copy_distance({"headline": "cheap plan"}, {"headline": "affordable plan"}), 3)
0.6
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def levenshtein(a: str, b: str) -> int:
    """The fewest insertions, deletions and substitutions (of characters) turning `a` into `b`."""
    if a == b:
        return 0
    # Strip the shared ends first: edits to copy are usually a word or two in the middle.
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def copy_distance(original: Mapping[Any, str], edited: Mapping[Any, str]) -> float:
    """The edit's size over every field: total distance / total length of the longer versions.

    Both are field → text mappings (a `Copy.fields()`, or copy read back from JSON).
    """
    distance = longest = 0
    for name in original.keys() | edited.keys():
        before, after = original.get(name, ""), edited.get(name, "")
        distance += levenshtein(before, after)
        longest += max(len(before), len(after))
    return distance / longest if longest else 0.0
