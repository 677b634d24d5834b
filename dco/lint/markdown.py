"""Markdown as Vale reads it: the rendered text of each block, its scope, and where it sits.

Vale renders Markdown (CommonMark with GitHub's tables and strikethrough) and checks the text
of each block under a scope: a heading's under `heading.h1` … `heading.h6`, a list item's under
`list`, a quote's under `blockquote`, a table cell's under `table.header` / `table.cell`, any
other paragraph under `paragraph` (and its sentences under `sentence`). The text of bold,
italic and link text, and of code spans, is checked a second time under `strong`, `emphasis`,
`link` and `code`; an image's description under `alt`; the whole file under `raw`; and the
prose of the document together under `summary`, where readability is judged.

What is rendered is what a reader sees: markup is gone (no runs of spaces where `**` stood),
escapes and entities are the characters they stand for, and a code span reads as `*`s of its
length, so that prose rules do not judge code. Front matter, code blocks and HTML tags are
not copy; the text of an HTML block is, element by element (a table cell, a list item, ...),
as Vale reads HTML (see `dco.lint.html_blocks`). Each character of a piece keeps its
position in the file, so a finding points at the file's own line and column.

As in Vale, only the first paragraph of a list item or quote is read under `list` or
`blockquote` (the rest are paragraphs), and Vale's comments switch checking off and on:
`<!-- vale off -->`, `<!-- vale on -->`, and `<!-- vale Style.Rule = NO -->` / `= YES`.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dco.brand.loader import MarkdownReading
from dco.brand.sentences import sentences as sentence_spans
from dco.lint.html_blocks import html_pieces
from dco.lint.placing import Placer, Positions

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@functools.cache
def _parser() -> MarkdownIt:
    """CommonMark with GitHub's tables and strikethrough, built on first use (a run that
    reads no Markdown does not pay for importing the parser)."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # Keep escapes and entities apart from the text around them: their source is longer than
    # what they render, and each needs placing on its own.
    return parser.disable("text_join")


_FRONT_MATTER = re.compile(
    r"\A(?:---|\+\+\+)\r?\n.*?\r?\n(?:---|\+\+\+)[ \t]*(?=\r?\n|\Z)", re.DOTALL
)
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_SWITCH = re.compile(r"^\s*vale\s+(?:(off|on)|([\w.-]+)\s*=\s*(NO|YES))\s*$", re.IGNORECASE)

_CONTAINERS = {"li": "list", "blockquote": "blockquote", "th": "table.header", "td": "table.cell"}
"""Blocks whose first paragraph Vale reads under a scope of their own."""
_INLINE = {"strong_open": "strong", "em_open": "emphasis", "link_open": "link"}
"""Inline markup whose text Vale reads again under a scope of its own."""
_PROSE = ("paragraph", "list", "blockquote")
"""The pieces that make up the document's summary."""
_PLACEHOLDER = "\ufffc"
"""Stands in the parsed text for each character of a span the brand ignores (read as `*`)."""
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)([^>]*)>")
_CLASS = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""")
_BARE_URL = re.compile(r"https?://[^\s<]*[^\s<?!.,:*_~'\")\]]")
"""A URL GitHub's Markdown links by itself; Vale reads a link whose text is its URL as `*`s."""


@dataclass(slots=True)
class Piece:
    """A stretch of copy as Vale reads it: its scope, its rendered text, and where each of its
    characters sits in the file."""

    scope: str
    text: str
    positions: Positions


@dataclass
class Document:
    """A Markdown file read as Vale reads it: its pieces, and where checking is off."""

    pieces: list[Piece] = field(default_factory=list)
    off: list[tuple[int, int]] = field(default_factory=list)
    """Spans where no rule applies (between `vale off` and `vale on`)."""
    rules_off: list[tuple[str, int, int]] = field(default_factory=list)
    """(rule id, start, end) spans where one rule is switched off."""
    structure: Counter[str] = field(default_factory=Counter)
    """How many blocks of each scope the document holds, code blocks as `pre`."""

    def silenced(self, rule: str, position: int) -> bool:
        """Whether a finding of `rule` at `position` is switched off by a comment."""
        if any(start <= position < end for start, end in self.off):
            return True
        return any(r == rule and start <= position < end for r, start, end in self.rules_off)

    def summary(self) -> Piece:
        """The document's prose (paragraphs, list items, quotes) as one piece, a blank line
        between blocks: what Vale judges readability on. A judgement on the whole of it is
        reported, as Vale reports it, at the file's start."""
        texts: list[str] = []
        joined = Positions()
        for piece in self.pieces:
            if piece.scope in _PROSE:
                if texts:
                    texts.append("\n\n")
                    joined.add(joined.last())
                    joined.add(joined.last())
                texts.append(piece.text)
                joined.extend(piece.positions)
        positions = Positions()
        if joined.length:
            positions.add(0)  # where a judgement on the whole is reported
            positions.extend(joined.sliced(1, joined.length))
        return Piece("summary", "".join(texts), positions)


def read(
    source: str,
    reading: MarkdownReading | None = None,
    *,
    inline: bool = True,
    sentences: bool = False,
    raw: bool = False,
    summary: bool = False,
) -> Document:
    """The pieces of Markdown `source`, read with the brand's `reading` settings: its blocks;
    with `inline` the text of its bold, italic, link and code markup and image descriptions;
    with `sentences`, each paragraph's sentences; with `raw`, the whole file; with `summary`,
    the document's prose as one."""
    reading = reading or MarkdownReading()
    document = Document()
    _switches(source, document)
    parsed = _prepared(source, reading)
    placer = Placer(parsed)
    skipped = frozenset(reading.skipped_scopes)
    ignored = _Ignored(frozenset(reading.ignored_scopes), frozenset(reading.ignored_classes))
    pending: list[str] = []
    """Containers opened since the last block was read (Vale's tag history)."""
    heading: str | None = None
    skipping = 0
    """How deep inside a block of a skipped scope the walk is (0: outside any)."""
    for token in _parser().parse(parsed):
        if skipping or (token.nesting == 1 and token.tag in skipped):
            skipping += token.nesting
            continue
        if token.nesting == 1 and token.tag in _CONTAINERS:
            pending.append(_CONTAINERS[token.tag])
        elif token.type == "heading_open":
            heading = f"heading.{token.tag}"
        elif token.type == "heading_close":
            heading = None
        elif token.type in ("fence", "code_block"):
            document.structure["pre"] += 1
        elif token.type == "html_block" and token.map is not None:
            placer.start_line(token.map[0], token.map[1])
            pending.clear()
            for scope, text, positions in html_pieces(
                token.content, placer, skipped, ignored.classes
            ):
                document.pieces.append(Piece(scope, text, positions))
                document.structure[scope] += 1
        elif token.type == "inline" and token.map is not None:
            placer.start_line(token.map[0], token.map[1])
            scope = pending[0] if pending else heading or "paragraph"
            pending.clear()
            block, extra = _render(token.children or [], placer, ignored, inline, scope)
            text = block.text
            if text.strip():
                document.pieces.append(_trimmed(Piece(scope, text, block.positions)))
                document.structure[scope] += 1
            document.pieces += extra
    if sentences:
        document.pieces += list(_sentences(document.pieces))
    if summary:
        document.pieces.append(document.summary())
    if raw:
        whole = Positions()
        whole.add(0, len(source))
        document.pieces.append(Piece("raw", source, whole))
    return document


def _trimmed(piece: Piece) -> Piece:
    """`piece` without the spaces that markup left at its ends (an image's, a tag's)."""
    start = len(piece.text) - len(piece.text.lstrip())
    end = len(piece.text.rstrip())
    if start == 0 and end == len(piece.text):
        return piece
    return Piece(piece.scope, piece.text[start:end], piece.positions.sliced(start, end))


def _prepared(source: str, reading: MarkdownReading) -> str:
    """`source` as the parser reads it, every character where it was: front matter and the
    brand's ignored blocks blanked (line breaks kept), its ignored spans made placeholders."""
    parsed = source
    front = _FRONT_MATTER.match(source)
    if front:
        parsed = _blank(front.group()) + source[front.end() :]
    for pattern in reading.block_ignores:
        parsed = re.sub(pattern, lambda m: _blank(m.group()), parsed)
    for pattern in reading.token_ignores:
        parsed = re.sub(pattern, lambda m: _PLACEHOLDER * len(m.group()), parsed)
    return parsed


def _blank(text: str) -> str:
    return re.sub(r"[^\r\n]", " ", text)


@dataclass(frozen=True, slots=True)
class _Ignored:
    """Inline markup read as `*`s: by HTML tag, and for inline HTML by class."""

    tags: frozenset[str]
    classes: frozenset[str]

    def opens(self, html: str) -> str | None:
        """The tag an inline HTML opening tag starts ignoring, if it does."""
        tag = _HTML_TAG.match(html)
        if tag is None or tag.group(1):
            return None
        name = tag.group(2).lower()
        classes = _CLASS.search(tag.group(3) or "")
        if name in self.tags or (classes and not self.classes.isdisjoint(classes.group(1).split())):
            return name
        return None


@dataclass(slots=True)
class _Rendered:
    """A block's text as it is rendered, a part at a time (joined once: adding to a string in
    an attribute copies it each time), and where each character sits."""

    parts: list[str] = field(default_factory=list)
    positions: Positions = field(default_factory=Positions)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _render(
    children: list[Token], placer: Placer, ignored: _Ignored, inline: bool, scope: str
) -> tuple[_Rendered, list[Piece]]:
    """A block's text with where each character sits, and the pieces of its markup (named
    `strong in paragraph`: a scope that excludes a block excludes the markup in it)."""
    block = _Rendered()
    extra: list[Piece] = []
    inline_scope: str | None = None
    """The scope of the markup just opened: Vale reads the text right after it again."""
    open_tags: list[str] = []
    ignored_open = 0
    """How many of `open_tags` the brand ignores: counted as they open and close, not looked
    for in the list at each text, which nested markup makes as long as the file."""
    html_ignoring: list[str] = []
    """Inline HTML tags open that the brand ignores (by tag or class)."""
    autolink = False
    for child in children:
        kind = child.type
        if kind.endswith("_open"):
            inline_scope = _INLINE.get(kind)
            autolink = child.markup == "autolink"
            open_tags.append(child.tag)
            ignored_open += child.tag in ignored.tags
        elif kind in ("text", "text_special"):
            source_text = child.markup if kind == "text_special" and child.markup else None
            positions = placer.place(child.content, source_text)
            text = child.content.replace(_PLACEHOLDER, "*")
            if autolink or html_ignoring or ignored_open:
                text = "*" * len(text)  # a bare URL, or markup the brand ignores, is not prose
            else:
                text = _BARE_URL.sub(lambda m: "*" * len(m.group()), text)
            if inline and inline_scope and text.strip():
                extra.append(Piece(f"{inline_scope} in {scope}", child.content, positions))
            inline_scope = None
            block.parts.append(text)
            block.positions.extend(positions)
        elif kind in ("softbreak", "hardbreak"):
            block.parts.append("\n")
            block.positions.extend(placer.place("\n"))
        elif kind == "code_inline":
            positions = placer.place_code(child.content)
            if inline:
                extra.append(Piece(f"code in {scope}", child.content, positions))
            code = "code" in ignored.tags or html_ignoring
            block.parts.append("*" * len(child.content) if code else child.content)
            block.positions.extend(positions)
        elif kind == "image":
            alt = child.content
            if alt.strip():
                positions = placer.place(alt)
                if inline:
                    extra.append(Piece("alt", alt, positions))
        elif kind == "html_inline":
            placer.place(child.content)
            if (name := ignored.opens(child.content)) is not None:
                html_ignoring.append(name)
            elif html_ignoring and child.content.lower().startswith(f"</{html_ignoring[-1]}"):
                html_ignoring.pop()
        elif kind.endswith("_close"):
            inline_scope = None
            autolink = False
            if open_tags:
                ignored_open -= open_tags.pop() in ignored.tags
    return block, extra


def _sentences(pieces: Iterable[Piece]) -> Iterator[Piece]:
    """Each sentence of the document's paragraphs, as a piece of its own."""
    for piece in [p for p in pieces if p.scope == "paragraph"]:
        for start, end in sentence_spans(piece.text):
            yield Piece("sentence", piece.text[start:end], piece.positions.sliced(start, end))


def _switches(source: str, document: Document) -> None:
    off_at: int | None = None
    rule_off: dict[str, int] = {}
    for match in _COMMENT.finditer(source):
        switch = _SWITCH.match(match.group(1))
        if not switch:
            continue
        if switch.group(1):
            if switch.group(1).lower() == "off" and off_at is None:
                off_at = match.end()
            elif switch.group(1).lower() == "on" and off_at is not None:
                document.off.append((off_at, match.start()))
                off_at = None
        elif switch.group(3).upper() == "NO":
            rule_off.setdefault(switch.group(2), match.end())
        elif switch.group(2) in rule_off:
            rule = switch.group(2)
            document.rules_off.append((rule, rule_off.pop(rule), match.start()))
    end = len(source)
    if off_at is not None:
        document.off.append((off_at, end))
    document.rules_off += [(rule, start, end) for rule, start in rule_off.items()]
