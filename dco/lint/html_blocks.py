"""The copy in a Markdown file's HTML blocks, read as Vale reads HTML: each block element's text
under its scope (a table cell, a caption, a list item, a heading, a paragraph), and nothing of
scripts, styles, code or what the brand skips or ignores."""

from __future__ import annotations

from html.parser import HTMLParser

from dco.lint.placing import Placer, Positions

_SCOPES = {
    "td": "table.cell", "th": "table.header", "caption": "table.caption", "li": "list",
    "blockquote": "blockquote", "p": "paragraph", "div": "paragraph",
    **{f"h{n}": f"heading.h{n}" for n in range(1, 7)},
}  # fmt: skip
"""Block elements whose text is a piece of copy, and its scope."""


def html_pieces(
    html: str, placer: Placer, skipped: frozenset[str], classes: frozenset[str]
) -> list[tuple[str, str, Positions]]:
    """(scope, text, positions) of each block of copy in `html`, placed in the file by
    `placer` (which the block's lines were given to)."""
    reader = _Reader(placer, skipped, classes)
    reader.feed(html)
    reader.close()
    reader.flush()
    return reader.pieces


class _Reader(HTMLParser):
    def __init__(self, placer: Placer, skipped: frozenset[str], classes: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.placer, self.skipped, self.classes = placer, skipped, classes
        self.pieces: list[tuple[str, str, Positions]] = []
        self.scope = "paragraph"
        self.parts: list[str] = []
        self.positions = Positions()
        self.skipping: list[str] = []
        """Open elements whose text is not read (skipped tags, ignored classes)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = set((dict(attrs).get("class") or "").split())
        if self.skipping or tag in self.skipped or not self.classes.isdisjoint(names):
            self.skipping.append(tag)
            return
        if tag in _SCOPES:
            self.flush()
            self.scope = _SCOPES[tag]

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag in _SCOPES:
            self.flush()
            self.scope = "paragraph"

    def handle_data(self, data: str) -> None:
        if self.skipping or not data.strip():
            return
        text = " ".join(data.split())
        placed = self.placer.place(text)
        if self.parts:  # the space that joins two texts of a block stands where the next starts
            self.parts.append(" ")
            self.positions.add(placed.at(0) if placed.length else self.positions.last())
        self.parts.append(text)
        self.positions.extend(placed)

    def flush(self) -> None:
        text = "".join(self.parts)
        if text.strip():
            self.pieces.append((self.scope, text, self.positions))
        self.parts, self.positions = [], Positions()
