"""What a lint run finds and where: findings located in their files, snippets, the totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from dco.brand.scopes import copy_field
from dco.channels.catalog import Channel
from dco.channels.limits import ENCODING_RULE, FORMULA_RULE, LENGTH_RULE, copy_findings
from dco.lint.placing import Positions
from dco.models import Copy, Finding

LEVELS = {"suggestion": 0, "warning": 1, "error": 2}
MAX_SHOWN_PER_ASSET = 100
"""Findings listed for one piece of copy; the rest are counted (a pasted page of banned words
would otherwise list thousands, and hold them all in memory)."""
CHANNEL_RULES = {
    LENGTH_RULE: "A field is longer than the channel allows, counted in the channel's unit.",
    ENCODING_RULE: "A field holds a character the channel cannot send (emoji in a cp949 SMS).",
    FORMULA_RULE: "A field a spreadsheet would run as a formula when an export is opened.",
}


class Snippet(NamedTuple):
    """The text around a finding, clipped: the match lies at `start`…`end` of `text`, and
    `lead`/`trail` say whether the line or field goes on before or after what is shown.

    (Named tuples, this and `Located`: a large file makes one of each per finding, and a
    frozen dataclass costs several times as much to build.)"""

    text: str
    start: int
    end: int
    lead: bool = False
    trail: bool = False


def snippet(text: str, start: int, end: int, around: int = 40) -> Snippet:
    """`around` characters each side of `text[start:end]` (and at most `2 * around` of the
    match): what a finding shows, so output grows with the findings, not the line's length."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    end = max(start, min(end, start + 2 * around))
    low, high = max(0, start - around), min(len(text), end + around)
    return Snippet(text[low:high], start - low, end - low, low > 0, high < len(text))


class Located(NamedTuple):
    """A finding and where it is: file, 1-based line and column, and the record for data files."""

    path: str
    line: int
    column: int
    end_column: int
    finding: Finding
    record: str | None = None
    snippet: Snippet | None = None


@dataclass
class LintResult:
    """Everything one lint run found."""

    findings: list[Located] = field(default_factory=list)
    silenced: int = 0
    files: int = 0
    assets: int = 0
    fixed: int = 0
    skipped_rules: list[str] = field(default_factory=list)
    """Ids of the brand's rules of kinds dco does not run (see `Brand.skipped`)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """How long each file took to check, by path (for JUnit's time attributes)."""
    not_shown: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    """Findings past `MAX_SHOWN_PER_ASSET` in one piece of copy, by level: counted, not listed."""
    descriptions: dict[str, str] = field(default_factory=dict)
    """What each rule checks, by id: its description, else its message (for SARIF)."""

    def counts(self) -> dict[str, int]:
        """How many findings there are of each level, those not shown included."""
        counts = dict(self.not_shown)
        for located in self.findings:
            counts[located.finding.level] += 1
        return counts

    def failed(self, fail_level: str) -> bool:
        """True when a finding at or above `fail_level` exists (shown or not)."""
        threshold = LEVELS[fail_level]
        return any(n for level, n in self.counts().items() if LEVELS[level] >= threshold)


@dataclass
class Asset:
    fields: dict[str, str]
    offsets: dict[str, int | Positions]
    """Where each field sits in the file (text files; absent for records): the offset it
    starts at, or the offset of each of its characters (a piece of Markdown)."""
    line: int = 1
    record: str | None = None
    channel: Channel | None = None
    ignore: frozenset[str] = frozenset()


def channel_findings(asset: Asset, channel: Channel | None) -> list[Finding]:
    """The copy's fields held to the channel's limits, in the channel's unit, and to what no
    export may carry (a spreadsheet formula): the same check every generated variant gets. A
    line of a text file is a whole message: a body."""
    if channel is None:
        return []
    fields = {copy_field(name): text for name, text in asset.fields.items()}
    copy = Copy.trusted(
        headline=fields.get("headline", ""),
        body=fields.get("body", fields.get("text", "")),
        cta=fields.get("cta", ""),
    )
    located = []
    for finding in copy_findings(copy, channel):  # no brand here: lint checks its rules itself
        # A field the channel composes of several ("headline+body+cta" in an SMS) is reported
        # at the first of them the asset has; a line of a text file, under its own name.
        parts = (finding.field or "").split("+")
        present = ["text"] if "text" in fields else [p for p in parts if p in fields]
        if present:
            named = next(n for n in asset.fields if copy_field(n) == present[0])
            # Built as is, but for its field: a copy through pydantic cost as much again.
            located.append(Finding.trusted(**{**finding.__dict__, "field": named}))
    return located
