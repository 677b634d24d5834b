"""Markdown as Vale reads it: front matter, code blocks, code spans, URLs and comments are not copy.

`mask` blanks them out with spaces (keeping every newline), so positions in the masked text are
positions in the file. Vale's comments switch checking off and on: `<!-- vale off -->`,
`<!-- vale on -->`, and `<!-- vale Style.Rule = NO -->` / `= YES` for one rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---\r?\n", re.DOTALL)
_FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)[^`\n].*?\1")
_URL = re.compile(r"\]\([^)\s]*\)|<https?://[^>\s]+>|https?://[^\s)>\]]+")
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_SWITCH = re.compile(r"^\s*vale\s+(?:(off|on)|([\w.-]+)\s*=\s*(NO|YES))\s*$", re.IGNORECASE)


@dataclass
class Masked:
    """Markdown with its non-copy parts blanked, and where checking is switched off."""

    text: str
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

    for pattern in (_FRONT_MATTER, _FENCE, _CODE_SPAN, _URL):
        for match in pattern.finditer(source):
            blank(*match.span())
    masked = Masked("".join(chars))
    _switches(source, masked, blank)
    masked.text = "".join(chars)
    return masked


def _switches(source: str, masked: Masked, blank) -> None:
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
