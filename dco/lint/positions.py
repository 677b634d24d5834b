"""Where a record's copy sits in its file: each character of a CSV cell or a JSON string mapped
back to its offset in the file, so that a finding points at the file's own line and column."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Cell:
    """Where a value's characters are in the file: `start` is the offset of its first one, and
    `shifts` the decoded offsets after which the file has extra characters (a doubled quote, an
    escape), with how many, in order."""

    start: int
    shifts: list[tuple[int, int]] = field(default_factory=list)

    def offset(self, index: int) -> int:
        """The file offset of the value's character at `index`."""
        extra = 0
        for at, count in self.shifts:
            if at > index:
                break
            extra += count
        return self.start + index + extra


def csv_rows(source: str) -> Iterator[list[Cell]]:
    """The cells of each row of a CSV file (comma, double quotes doubled inside quotes), as
    Python's csv reader splits them, with where each starts. Blank lines hold no row."""
    position, length = 0, len(source)
    while position < length:
        if source[position] == "\n":
            position += 1
            continue
        row: list[Cell] = []
        while True:
            cell, position = _cell(source, position)
            row.append(cell)
            if position < length and source[position] == ",":
                position += 1
                continue
            if position < length and source[position] == "\r":
                position += 1
            if position < length and source[position] == "\n":
                position += 1
            break
        yield row


def _cell(source: str, position: int) -> tuple[Cell, int]:
    if position >= len(source) or source[position] != '"':
        end = position
        while end < len(source) and source[end] not in ",\r\n":
            end += 1
        return Cell(position), end
    cell = Cell(position + 1)
    index, cursor = 0, position + 1
    while cursor < len(source):
        char = source[cursor]
        if char == '"':
            if cursor + 1 < len(source) and source[cursor + 1] == '"':
                cell.shifts.append((index + 1, 1))  # "" stands for one "
                index, cursor = index + 1, cursor + 2
                continue
            cursor += 1
            break
        index, cursor = index + 1, cursor + 1
    # Text after the closing quote up to the delimiter joins the cell, as csv reads it.
    while cursor < len(source) and source[cursor] not in ",\r\n":
        cursor += 1
    return cell, cursor


def json_string(source: str, key: str, start: int = 0) -> Cell | None:
    """Where the string value of the first `"key": "..."` in `source` from `start` is, or None.

    An escape is one character of the value: `\\n` two characters of the file, `\\u00e9` six,
    and a surrogate pair (`\\ud83c\\udfc3`, one emoji) twelve.
    """
    match = _key_pattern(key).search(source, start)
    if match is None:
        return None
    cell = Cell(match.end())
    index, cursor = 0, match.end()
    while cursor < len(source) and source[cursor] != '"':
        if source[cursor] == "\\":
            width = 6 if source[cursor + 1 : cursor + 2] == "u" else 2
            if width == 6 and _HIGH.match(source, cursor) and _LOW.match(source, cursor + 6):
                width = 12
            cell.shifts.append((index + 1, width - 1))
            cursor += width
        else:
            cursor += 1
        index += 1
    return cell


_VARIANTS = re.compile(r'\A\s*\{\s*"variants"\s*:\s*\[|\A\s*\[')


def json_record_spans(source: str) -> list[tuple[int, int]]:
    """[start, end) of each record of a .json file (a list of records, or `{"variants": [...]}`
    with that key first), in order; [] when the file is shaped otherwise."""
    opening = _VARIANTS.match(source)
    if opening is None:
        return []
    decoder = json.JSONDecoder()
    spans: list[tuple[int, int]] = []
    position = opening.end()
    while True:
        position = _skip_space(source, position)
        if position >= len(source) or source[position] == "]":
            return spans
        try:
            _, end = decoder.raw_decode(source, position)
        except (json.JSONDecodeError, RecursionError):
            return []
        spans.append((position, end))
        position = _skip_space(source, end)
        if source[position : position + 1] == ",":
            position += 1


def _skip_space(source: str, position: int) -> int:
    while position < len(source) and source[position] in " \t\r\n":
        position += 1
    return position


@functools.lru_cache(maxsize=64)
def _key_pattern(key: str) -> re.Pattern[str]:
    """`"key": "`, compiled once per key: it is looked for once per finding."""
    return re.compile(rf'"{re.escape(key)}"\s*:\s*"')


_HIGH = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}")
_LOW = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
