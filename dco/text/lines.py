"""Lines of a text: where each starts, and the line and column of an offset (both 1-based)."""

from __future__ import annotations

from bisect import bisect_right


def line_offsets(text: str) -> list[int]:
    """The offset at which each line of `text` starts; found once, then bisected per position."""
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def line_and_column(line_starts: list[int], offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of `offset`, given the text's line starts."""
    line = bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1


def line_end(text: str, line_starts: list[int], line: int) -> int:
    """The offset just past the last character of 1-based `line` (before its line break)."""
    return line_starts[line] - 1 if line < len(line_starts) else len(text)
