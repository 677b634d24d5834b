"""Markdown as Vale reads it: only the rendered text is copy, so markup and code are not.

`mask` blanks out with spaces (keeping every newline) what Vale never sees: front matter, code
blocks (fenced and indented), code spans, URLs, the brackets of links and images, HTML tags and
comments, the backslash of an escape or of a hard line break, the `*` / `_` delimiters of
emphasis, thematic breaks (`***`), setext underlines and the closing `#`s of a heading.
Positions in the masked text are therefore positions in the file. (A word emphasised in part,
`**무료**로`, reads as two words with spaces between, where Vale sees one.) It also reads the
blocks of copy: headings, ATX (`# 제목`) or setext (`제목` over `===`), and paragraphs.

Vale's comments switch checking off and on: `<!-- vale off -->`, `<!-- vale on -->`, and
`<!-- vale Style.Rule = NO -->` / `= YES` for one rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

_FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---\r?\n", re.DOTALL)
_FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)[^`\n].*?\1")
_URL = re.compile(r"\]\([^)\s]*\)|<https?://[^>\s]+>|https?://[^\s)>\]]+")
_LINK_MARKUP = re.compile(
    r"!?\[(?=[^\[\]\n]*\][(\[])"  # the opening of a link's or image's text: `[`, `![`
    r"|\]\[[^\]\n]*\]"  # a reference link's label: `][label]`
    r"|^ {0,3}\[[^\]\n]+\]:[^\n]*",  # a link reference definition, the whole line
    re.MULTILINE,
)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
"""A backslash and the ASCII punctuation it makes literal (`\\\\` is one, a literal backslash)."""
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]+|(?=[\r\n]|$))")
"""An ATX heading's marker and the space after it, at the start of a line ("#hashtag" is not)."""
_ATX_CLOSING = re.compile(r"(?<![^ \t])#+[ \t]*$")
"""An ATX heading's optional closing `#`s (`# Title ##`): after a space, or the whole text."""
_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
"""The line under a setext heading's text: `=====` or `-----`."""
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
"""A rule between blocks: `***`, `- - -`, `___`."""
_QUOTE = re.compile(r" {0,3}>")
_BACKSLASH_AT_LINE_END = re.compile(r"\\(?=\r?\n)")
_LIST_ITEM = re.compile(r" {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_SWITCH = re.compile(r"^\s*vale\s+(?:(off|on)|([\w.-]+)\s*=\s*(NO|YES))\s*$", re.IGNORECASE)

Blank = Callable[[int, int], None]


class Block(NamedTuple):
    """A block of copy, [start, end) in the text: a heading's text (without its marker), or a
    paragraph (a run of non-blank lines, such as a list). Emphasis never spans two blocks."""

    start: int
    end: int
    heading: bool


@dataclass
class Masked:
    """Markdown with its non-copy parts blanked, its blocks, and where checking is off."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    off: list[tuple[int, int]] = field(default_factory=list)
    """Spans where no rule applies (between `vale off` and `vale on`)."""
    rules_off: list[tuple[str, int, int]] = field(default_factory=list)
    """(rule id, start, end) spans where one rule is switched off."""

    def silenced(self, rule: str, position: int) -> bool:
        """Whether a finding of `rule` at `position` is switched off by a comment."""
        if any(start <= position < end for start, end in self.off):
            return True
        return any(r == rule and start <= position < end for r, start, end in self.rules_off)


def mask(source: str) -> Masked:
    """Blank out the parts of Markdown `source` that are not copy."""
    chars = list(source)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "

    for pattern in (_FRONT_MATTER, _FENCE, _CODE_SPAN, _URL, _LINK_MARKUP):
        for match in pattern.finditer(source):
            blank(*match.span())
    for start, end in _indented_code(source):
        blank(start, end)
    # Each pass reads what the passes before it left: a tag or a `*` inside code is not markup.
    for match in _HTML_TAG.finditer("".join(chars)):
        blank(*match.span())
    structure, markup = _blocks("".join(chars))
    for start, end in markup:
        blank(start, end)
    text = "".join(chars)
    escaped = [match.start() for match in _ESCAPE.finditer(text)]
    literal = {p + 1 for p in escaped}
    for position in _emphasis_delimiters(text, structure, literal):
        chars[position] = " "
    for position in [*escaped, *_hard_breaks(text, structure, literal)]:
        chars[position] = " "
    masked = Masked("".join(chars), structure)
    _switches(source, masked, blank)
    masked.text = "".join(chars)
    return masked


def _indented_code(source: str) -> Iterator[tuple[int, int]]:
    """Spans of indented code blocks: lines indented four spaces (or a tab) that do not
    continue a paragraph or a list item."""
    offset, previous_blank, in_list, in_code = 0, True, False, False
    for line in source.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        indented = content.startswith(("    ", "\t"))
        if not content.strip():
            previous_blank = True
        elif indented and (in_code or (previous_blank and not in_list)):
            in_code = True
            yield offset, offset + len(content)
        else:
            in_code = previous_blank = False
            if _LIST_ITEM.match(content):
                in_list = True
            elif not content.startswith((" ", "\t")):
                in_list = False  # a paragraph at the margin ends the list
        offset += len(line)


def _emphasis_delimiters(text: str, structure: list[Block], escaped: set[int]) -> list[int]:
    """Positions of the `*` and `_` that open or close emphasis (CommonMark's rules, block by
    block); a lone `*`, as a footnote mark, is text."""
    positions: list[int] = []
    for start, end, _ in structure:
        positions += _pair_delimiters(_delimiter_runs(text, start, end, escaped))
    return positions


def _hard_breaks(text: str, structure: list[Block], literal: set[int]) -> Iterator[int]:
    """Positions of the backslashes that break a line: at a line's end, not escaped, and not
    on the last line of its block (there a backslash is text)."""
    for start, end, _ in structure:
        for match in _BACKSLASH_AT_LINE_END.finditer(text, start, end):
            if match.start() not in literal and text.index("\n", match.end()) + 1 < end:
                yield match.start()


def _blocks(text: str) -> tuple[list[Block], list[tuple[int, int]]]:
    """The blocks of `text`, and the spans of block markup that is not copy: thematic breaks,
    setext underlines and ATX closing sequences (CommonMark's block rules, for copy: no
    nesting beyond telling a list or quote from a paragraph)."""
    found: list[Block] = []
    markup: list[tuple[int, int]] = []
    start: int | None = None
    """Where the open paragraph starts."""
    underlined = False
    """Whether a setext underline may close the open paragraph: not one of a list or quote,
    under which `---` is a thematic break and `===` more text."""
    offset = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        line_end = offset + len(content)
        heading = _HEADING.match(content)
        if start is not None and underlined and _SETEXT_UNDERLINE.match(content):
            found.append(Block(start, offset, True))
            markup.append((offset, line_end))
            start = None
        elif not content.strip() or heading or _THEMATIC_BREAK.match(content):
            if start is not None:
                found.append(Block(start, offset, False))
                start = None
            if heading:
                closing = _ATX_CLOSING.search(content, heading.end())
                text_end = line_end
                if closing:
                    text_end = offset + closing.start()
                    markup.append((text_end, line_end))
                found.append(Block(offset + heading.end(), text_end, True))
            elif content.strip():
                markup.append((offset, line_end))  # a thematic break
        elif start is None:
            start = offset
            underlined = not (_LIST_ITEM.match(content) or _QUOTE.match(content))
        offset += len(line)
    if start is not None:
        found.append(Block(start, offset, False))
    return found, markup


@dataclass
class _Run:
    """A run of one delimiter character; [lo, hi) is the part not yet matched (a closer is
    matched from its start, an opener from its end, as CommonMark does)."""

    char: str
    length: int
    can_open: bool
    can_close: bool
    lo: int
    hi: int


_RUN = re.compile(r"\*+|_+")


def _delimiter_runs(text: str, start: int, end: int, escaped: set[int]) -> list[_Run]:
    runs = []
    for match in _RUN.finditer(text, start, end):
        run_start, run_end = match.span()
        while run_start in escaped and run_start < run_end:
            run_start += 1  # `\*` is a literal asterisk, not a delimiter
        if run_start == run_end:
            continue
        before = text[run_start - 1] if run_start > start else " "
        after = text[run_end] if run_end < end else " "
        left_flanking = not after.isspace() and (
            not _punctuation(after) or before.isspace() or _punctuation(before)
        )
        right_flanking = not before.isspace() and (
            not _punctuation(before) or after.isspace() or _punctuation(after)
        )
        char = match.group()[0]
        if char == "_":  # `_` never opens or closes inside a word (snake_case)
            can_open = left_flanking and (not right_flanking or _punctuation(before))
            can_close = right_flanking and (not left_flanking or _punctuation(after))
        else:
            can_open, can_close = left_flanking, right_flanking
        runs.append(_Run(char, run_end - run_start, can_open, can_close, run_start, run_end))
    return runs


def _pair_delimiters(runs: list[_Run]) -> list[int]:
    """The positions of delimiters that pair up, matching each closer with the nearest
    opener of its character as CommonMark's "process emphasis" does."""
    used: list[int] = []
    openers: list[_Run] = []
    # Where the search for an opener may stop, by the kind of closer: openers below it were
    # already passed over by such a closer, and only ever the top of the stack is removed.
    bottom: dict[tuple[str, int, bool], int] = {}
    for closer in runs:
        kind = (closer.char, closer.length % 3, closer.can_open)
        while closer.can_close and closer.lo < closer.hi:
            floor = bottom.get(kind, 0)
            found = (
                i for i in range(len(openers) - 1, floor - 1, -1) if _pairs(openers[i], closer)
            )
            index = next(found, None)
            if index is None:
                bottom[kind] = len(openers)
                break
            opener = openers[index]
            take = 2 if opener.hi - opener.lo >= 2 and closer.hi - closer.lo >= 2 else 1
            used += range(opener.hi - take, opener.hi)
            used += range(closer.lo, closer.lo + take)
            opener.hi -= take
            closer.lo += take
            # Openers between the pair can no longer be matched; a spent opener is gone.
            del openers[index + (opener.lo < opener.hi) :]
            for passed in bottom:
                bottom[passed] = min(bottom[passed], len(openers))
        if closer.can_open and closer.lo < closer.hi:
            openers.append(closer)
    return used


def _pairs(opener: _Run, closer: _Run) -> bool:
    if opener.char != closer.char:
        return False
    # CommonMark's rule of three: `*foo**bar*` keeps its inner `**` as text.
    either_way = opener.can_close or closer.can_open
    total = opener.length + closer.length
    return not (either_way and total % 3 == 0 and (opener.length % 3 or closer.length % 3))


def _punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _switches(source: str, masked: Masked, blank: Blank) -> None:
    off_at: int | None = None
    rule_off: dict[str, int] = {}
    for match in _COMMENT.finditer(source):
        blank(*match.span())
        switch = _SWITCH.match(match.group(1))
        if not switch:
            continue
        if switch.group(1):
            if switch.group(1).lower() == "off" and off_at is None:
                off_at = match.end()
            elif switch.group(1).lower() == "on" and off_at is not None:
                masked.off.append((off_at, match.start()))
                off_at = None
        elif switch.group(3).upper() == "NO":
            rule_off.setdefault(switch.group(2), match.end())
        elif switch.group(2) in rule_off:
            masked.rules_off.append((switch.group(2), rule_off.pop(switch.group(2)), match.start()))
    end = len(source)
    if off_at is not None:
        masked.off.append((off_at, end))
    masked.rules_off += [(rule, start, end) for rule, start in rule_off.items()]
