"""Vale scopes and which copy fields they cover.

A Vale rule's `scope` names the parts of a document it reads: `text`, `heading`, `paragraph`,
`sentence`, `raw`, `list`, `table.cell`, ... optionally narrowed (`heading.h2`), negated
(`~blockquote`) and combined (`heading & ~heading.h1`); a list of scopes means any of them.
dco checks copy fields, so each scope comes down to the fields it covers:

- the prose scopes (`text`, `raw`, `paragraph`, `sentence`, `list`, `blockquote`, `table`,
  `summary`, `alt`) cover every field;
- `heading` and `title` cover the headline, and dco's own `headline`, `body` and `cta` their
  field;
- scopes for markup copy fields do not have (`code`, `comment`, `strong`, `emphasis`, `link`,
  `attr`) cover none, and so does a heading of a given level (`heading.h1`): a headline has no
  level. Negated, each covers what it does not.
"""

from __future__ import annotations

from collections.abc import Sequence

from dco.errors import did_you_mean

PROSE = frozenset(
    ["text", "raw", "paragraph", "sentence", "list", "blockquote", "table", "summary", "alt"]
)
HEADINGS = frozenset(["heading", "title"])
FIELDS = frozenset(["headline", "body", "cta"])
MARKUP = frozenset(["code", "comment", "strong", "emphasis", "link", "attr"])
KNOWN = sorted(PROSE | HEADINGS | FIELDS | MARKUP)


def parse(scope: str | Sequence[str]) -> tuple[tuple[tuple[bool, str], ...], ...]:
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
                    f"unknown scope {selector!r}.{did_you_mean(name, KNOWN)} "
                    f"Scopes: {', '.join(KNOWN)}."
                )
            selectors.append((negated, selector))
        parsed.append(tuple(selectors))
    return tuple(parsed)


def covers(scope: tuple[tuple[tuple[bool, str], ...], ...], field: str) -> bool:
    """Whether the parsed `scope` covers the copy field `field`."""
    return any(all(_covers(selector, field) != negated for negated, selector in alternative)
               for alternative in scope)  # fmt: skip


def _covers(selector: str, field: str) -> bool:
    name, _, detail = selector.partition(".")
    if name in PROSE:
        return True
    if name in HEADINGS:
        # A headline has no level: `heading.h1` names headings a headline cannot be known to be.
        return field == "headline" and not detail
    if name in FIELDS:
        return field == name
    return False
