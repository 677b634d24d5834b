"""Where rendered text sits in its file: each character's offset, kept as runs, and found by a
search that only moves forward (so placing a whole document stays linear in its length)."""

from __future__ import annotations

import re
from bisect import bisect_right

from dco.text.lines import line_offsets

_SPACE = re.compile(r"[ \t\r\n]")
_SEARCH_WINDOW = 256
"""How far past the last placed character a rendered character that is not found verbatim
(a line's container markers, an entity) is looked for: placing stays linear in the file."""


class Positions:
    """Where each character of a rendered text sits in the file, kept as runs of characters
    that sit one after another (most of a block is one run), so that memory grows with the
    markup, not with the text."""

    __slots__ = ("length", "origins", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        """The index in the text where each run starts ..."""
        self.origins: list[int] = []
        """... and the file offset of its first character."""
        self.length = 0

    def add(self, origin: int, count: int = 1) -> None:
        """The next `count` characters sit one after another from file offset `origin`."""
        if count <= 0:
            return
        if not self.starts or self.origins[-1] + self.length - self.starts[-1] != origin:
            self.starts.append(self.length)
            self.origins.append(origin)
        self.length += count

    def extend(self, other: Positions) -> None:
        """The characters `other` places come next."""
        if not other.starts:
            return
        ends = [*other.starts[1:], other.length]
        for start, end, origin in zip(other.starts, ends, other.origins, strict=True):
            self.add(origin, end - start)

    def at(self, index: int) -> int:
        """The file offset of the character at `index`."""
        run = bisect_right(self.starts, index) - 1
        return self.origins[run] + index - self.starts[run]

    def last(self) -> int:
        return self.at(self.length - 1) if self.length else 0

    def sliced(self, start: int, end: int) -> Positions:
        """The positions of the characters [start, end)."""
        part = Positions()
        run = max(0, bisect_right(self.starts, start) - 1)
        while start < end and run < len(self.starts):
            run_end = self.starts[run + 1] if run + 1 < len(self.starts) else self.length
            stop = min(end, run_end)
            part.add(self.origins[run] + start - self.starts[run], stop - start)
            start, run = stop, run + 1
        return part

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The file offsets [start, end) of the rendered characters [start, end)."""
        if not self.length:
            return 0, 0
        first = self.at(min(start, self.length - 1))
        if end <= start:
            return first, first
        return first, self.at(min(end, self.length) - 1) + 1


class Placer:
    """Finds where rendered text sits in the file, moving forward only."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = line_offsets(source)
        self.cursor = 0
        self.limit = len(source)

    def start_line(self, first: int, last: int) -> None:
        """Place what follows within lines [first, last) of the file (0-based)."""
        self.cursor = max(self.cursor, self.lines[min(first, len(self.lines) - 1)])
        self.limit = self.lines[last] if last < len(self.lines) else len(self.source)

    def place(self, text: str, source_text: str | None = None) -> Positions:
        """Where the characters of `text` sit, found at or after the cursor (as `source_text`,
        when the file spells it otherwise: an escape, an entity)."""
        positions = Positions()
        if source_text == text:
            source_text = None  # a backslash before a letter: text as written
        wanted = source_text if source_text is not None else text
        found = self.source.find(wanted, self.cursor, self.limit) if wanted else -1
        if found >= 0:
            self.cursor = found + len(wanted)
            if source_text is None:
                positions.add(found, len(text))
            else:  # an escape stands at its character, an entity at its start
                at = found + len(wanted) - 1 if wanted.startswith("\\") else found
                for _ in text:
                    positions.add(at)
            return positions
        return self._each(text, positions)

    def place_code(self, text: str) -> Positions:
        """Where an inline code span's characters sit: a character at a time, as a line break
        inside the span reads as a space (found whole, that space could be one further on)."""
        return self._each(text, Positions())

    def _each(self, text: str, positions: Positions) -> Positions:
        for char in text:  # a character at a time: past container markers and line breaks
            end = min(self.limit, self.cursor + _SEARCH_WINDOW)
            if char == " ":  # in a code span, a line break reads as a space
                space = _SPACE.search(self.source, self.cursor, end)
                at = space.start() if space else -1
            else:
                at = self.source.find(char, self.cursor, end)
            if at < 0:
                at = min(self.cursor, max(0, len(self.source) - 1))
            else:
                self.cursor = at + 1
            positions.add(at)
        return positions
