"""Copy held to a channel: a field over its limit, not encodable in the channel, or opening as a
spreadsheet formula, as a finding.

`copy_findings` is the one check of copy that generation, the review queue and app, export and
lint share: the channel's limits, what no export may carry, then the brand's rules.
"""

from __future__ import annotations

import re

from dco.channels.catalog import Channel, get_channel
from dco.i18n import _
from dco.models import COPY_FIELDS, Copy, Finding, FunnelStage
from dco.protocols import Checker

LENGTH_RULE = "dco.Length"
ENCODING_RULE = "dco.Encoding"
FORMULA_RULE = "dco.Formula"

_SPREADSHEET_START = re.compile(r"[\t\r]*([=@+-])")
"""What a spreadsheet reads as the start of a formula (after tabs and carriage returns, which
some drop first)."""
_OPENERS = frozenset("\t\r=@+-")
"""The characters `_SPREADSHEET_START` may begin with."""
_CALL_OR_COMMAND = re.compile(r"[\w.]\(|\|", re.ASCII)
"""A function call (HYPERLINK(, a name right before its parenthesis) or a command (cmd|): what
makes a + or - at the start more than a sign, as in "+1 이벤트" or "-30% 할인"."""


def formula_findings(copy: Copy) -> list[Finding]:
    """A finding for each field a spreadsheet would run as a formula when an export holding it
    is opened (CSV injection): one opening with = or @, or with + or - before a function call
    or a command. Copy steered by hostile text in a prompt could otherwise reach a marketer's
    spreadsheet as a formula."""
    findings = []
    for name in COPY_FIELDS:
        text = getattr(copy, name)
        if text[:1] not in _OPENERS:
            continue  # what almost all copy does, told without a match
        start = _SPREADSHEET_START.match(text)
        if start is None:
            continue
        if start[1] in "+-" and not _CALL_OR_COMMAND.search(text):
            continue
        message = _(
            "{field} opens as a spreadsheet formula ({start!r}): a spreadsheet opening an export "
            "would run it; reword its start"
        ).format(field=name, start=text[:20])
        findings.append(_finding(FORMULA_RULE, "error", name, message))
    return findings


def length_findings(copy: Copy, channel: Channel) -> list[Finding]:
    """A finding for each channel field the copy overflows or cannot be encoded in."""
    findings = []
    for m in channel.overflows(copy):
        field = m.copy_fields[0] if len(m.copy_fields) == 1 else "+".join(m.copy_fields)
        if m.length is None:
            findings.append(_finding(ENCODING_RULE, "error", field, m.problem or ""))
            continue
        level = "error" if m.kind == "hard" else "warning"
        message = (
            _("{field} is {length} {unit}; the {channel} {name} limit is {limit}")
            if m.kind == "hard"
            else _("{field} is {length} {unit}; the {channel} {name} recommended length is {limit}")
        ).format(
            field=field, length=m.length, unit=m.unit, channel=channel.id, name=m.field,
            limit=m.limit,
        )  # fmt: skip
        findings.append(_finding(LENGTH_RULE, level, field, message))
    return findings


def _finding(rule: str, level: str, field: str, message: str) -> Finding:
    """A channel's finding, every value known valid (built without validating: lint makes one
    for most lines of a file checked against a channel)."""
    return Finding.trusted(
        rule=rule, level=level, message=message, field=field, line=1, column=1, span=None,
        match=None, replacement=None, link=None,
    )  # fmt: skip


def copy_findings(
    copy: Copy,
    channel: Channel | str | None,
    checker: Checker | None = None,
    stage: FunnelStage | str | None = None,
) -> list[Finding]:
    """What holds `copy` back in `channel`: each field over the channel's limits (in its unit)
    or not encodable in it, each opening as a spreadsheet formula, then `checker`'s findings (a
    brand's rules), if one is given."""
    spec = get_channel(channel) if isinstance(channel, str) else channel
    findings = length_findings(copy, spec) if spec is not None else []
    findings += formula_findings(copy)
    if checker is not None:
        findings += checker.check(copy, channel=spec.id if spec else None, stage=stage)
    return findings
