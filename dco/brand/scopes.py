"""Vale scopes and which texts they cover.

A Vale rule's `scope` names the parts of a document it reads: `text`, `heading`, `paragraph`,
`sentence`, `raw`, `list`, `table.cell`, ... optionally narrowed (`heading.h2`), negated
(`~blockquote`) and combined (`heading & ~heading.h1`); a list of scopes means any of them.

What a rule checks is named in one of two ways:

- A piece of a document (see `dco.lint.markdown`) is named by its own scope (markup by its
  scope and its block's: `strong in heading.h2`), and Vale's selector rules apply: a scope
  covers a piece when each of its sections is one of the piece's (`heading.h2` covers
  `heading.h2`; `heading` covers every heading; `text` covers every block of prose, but not
  the text of bold, link or code markup, which Vale reads under `strong`, `link` and `code`
  alone, nor `raw`, `summary` or `sentence`); a negated scope covers what is not in the
  block it names, markup included, but never the whole document (`raw`, `summary`).
- A field of copy (`headline`, `body`, `cta`, or `text`, a line of a text file) is what dco's
  records hold. The prose scopes (`text`, `raw`, `paragraph`, `sentence`, `list`,
  `blockquote`, `table`, `summary`, `alt`) cover every field; `heading` and `title` the
  headline; dco's own `headline`, `body` and `cta` their field. Scopes for markup
  (`code`, `strong`, `link`, ...) cover no field, and neither does a heading of a given level:
  a headline has no level. Negated, each covers what it does not.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from dco.i18n import _, did_you_mean

PROSE = frozenset(
    ["text", "raw", "paragraph", "sentence", "list", "blockquote", "table", "summary", "alt"]
)
HEADINGS = frozenset(["heading", "title"])
FIELDS = frozenset(["headline", "body", "cta"])
MARKUP = frozenset(["code", "comment", "strong", "emphasis", "link", "attr"])
KNOWN = sorted(PROSE | HEADINGS | FIELDS | MARKUP)

_PIECE_SECTIONS = {
    "paragraph": ("text", "paragraph", "body"),
    "list": ("text", "list", "body"),
    "blockquote": ("text", "blockquote", "body"),
    "table.header": ("text", "table", "header", "body"),
    "table.cell": ("text", "table", "cell", "body"),
    "table.caption": ("text", "table", "caption", "body"),
    "alt": ("text", "attr", "alt"),
    **{f"heading.h{n}": ("text", "heading", "title", "headline", f"h{n}") for n in range(1, 7)},
    **{name: (name,) for name in ("strong", "emphasis", "link", "code", "raw", "summary",
                                  "sentence")},
}  # fmt: skip
"""The sections of each piece of a document, as Vale names its blocks (`text.heading.h2`),
with the copy field it stands for, so that dco's own `headline` and `body` scopes apply."""

Parsed = tuple[tuple[tuple[bool, str], ...], ...]


def parse(scope: str | Sequence[str]) -> Parsed:
    """A scope as alternatives of (negated, selector) conjunctions; an unknown scope name is a
    ValueError naming the nearest known one."""
    alternatives = [scope] if isinstance(scope, str) else list(scope)
    parsed = []
    for alternative in alternatives:
        selectors = []
        for part in str(alternative).split("&"):
            selector = part.strip()
            negated = selector.startswith("~")
            selector = selector.lstrip("~").strip()
            name = selector.split(".", 1)[0]
            if name not in KNOWN:
                raise ValueError(
                    _("unknown scope {selector!r}.{hint} Scopes: {known}.").format(
                        selector=selector, hint=did_you_mean(name, KNOWN), known=", ".join(KNOWN)
                    )
                )
            selectors.append((negated, selector))
        parsed.append(tuple(selectors))
    return tuple(parsed)


def copy_field(name: str) -> str:
    """The copy field a text named `name` stands for: a document's heading is a headline, its
    paragraphs, list items, quotes and table cells are bodies; anything else (a field of copy,
    or a piece such as `raw` or `strong` that is no block of copy) is itself."""
    return COPY_FIELD_OF.get(name, name)


COPY_FIELD_OF = {
    name: "headline" if "headline" in sections else "body"
    for name, sections in _PIECE_SECTIONS.items()
    if "headline" in sections or "body" in sections
}
"""`copy_field` as a table, for checks that run on every field (a dict lookup, no call)."""


@functools.lru_cache(maxsize=1024)
def covers(scope: Parsed, field: str) -> bool:
    """Whether the parsed `scope` covers the text named `field` (a piece or a copy field)."""
    own, _in, parent = field.partition(" in ")
    sections = _PIECE_SECTIONS.get(own)
    if sections is not None:
        outer = _PIECE_SECTIONS.get(parent, sections)
        return any(_piece_covered(alternative, sections, outer) for alternative in scope)
    return any(all(_covers(selector, field) != negated for negated, selector in alternative)
               for alternative in scope)  # fmt: skip


def _piece_covered(
    alternative: tuple[tuple[bool, str], ...], sections: tuple[str, ...], outer: tuple[str, ...]
) -> bool:
    """Vale's rule: each selector of `alternative` holds for a piece with `sections` inside a
    block with `outer` sections (its own, for a block). A selector holds when each of its
    sections is one of the piece's; a negated one, when not all of them are the block's, and
    the piece is not the document as a whole (`raw`, `summary`), which no negation selects."""
    for negated, selector in alternative:
        parts = selector.split(".")
        if negated:
            if all(part in outer for part in parts) or sections[0] in ("raw", "summary"):
                return False
        elif not all(part in sections for part in parts):
            return False
    return True


def _covers(selector: str, field: str) -> bool:
    name, _dot, detail = selector.partition(".")
    if name in PROSE:
        return True
    if name in HEADINGS:
        # A headline has no level: `heading.h1` names headings a headline cannot be known to be.
        return field == "headline" and not detail
    if name in FIELDS:
        return field == name
    return False
