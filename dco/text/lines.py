"""Lines of a text: where each starts, and the line and column of an offset (both 1-based)."""

from __future__ import annotations

import re
from bisect import bisect_right

LINE_BREAK = re.compile(r"\r\n?|\n")
"""A line break as CommonMark and Vale read one: CRLF, LF, or a lone CR (classic Mac OS)."""


def line_offsets(text: str) -> list[int]:
    """The offset at which each line of `text` starts; found once, then bisected per position."""
    if "\r" not in text:  # most files: a search for one character, done in C
        starts = [0]
        index = text.find("\n")
        while index != -1:
            starts.append(index + 1)
            index = text.find("\n", index + 1)
        return starts
    return [0, *(match.end() for match in LINE_BREAK.finditer(text))]


def line_and_column(line_starts: list[int], offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of `offset`, given the text's line starts."""
    line = bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1


def line_end(text: str, line_starts: list[int], line: int) -> int:
    """The offset just past the last character of 1-based `line` (before its line break)."""
    if line >= len(line_starts):
        return len(text)
    end = line_starts[line] - 1
    if text[end] == "\n" and end > 0 and text[end - 1] == "\r":
        end -= 1
    return end
