"""Splitting copy into sentences, for rules that count or judge sentence by sentence."""

from __future__ import annotations

import re


def sentence_breaks(marks: str) -> re.Pattern[str]:
    """Where sentences end: a run of `marks` (with closing quotes) before a space or the end,
    or line breaks — `[marks]+["')]*(?=\\s|$) | \\n+` in effect, written to open with one
    character class so that the engine skips in C to where an end could start."""
    m = re.escape(marks)
    return re.compile(rf"[{m}\n](?:(?<=\n)\n*|(?<=[{m}])[{m}]*[\"'”’)]*(?=\s|$))")


_SENTENCE_END = sentence_breaks(".!?。！？")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of `text` (split at ., !, ? and line breaks), spaces trimmed."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def sentence_count(text: str) -> int:
    """How many sentences `sentences(text)` finds, without building their spans."""
    count, start = 0, 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        # A piece ends in its break, so it is never empty: it counts unless all space.
        if not text[start:end].isspace():
            count += 1
        start = end
    return count + (not text[start:].isspace() and start < len(text))
