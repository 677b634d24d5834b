"""Copy held to a channel: a field over its limit, or not encodable in the channel, as a finding.

`copy_findings` is the one check of copy in a channel that generation, the review queue and
app, export and lint share: the channel's limits, then the brand's rules.
"""

from __future__ import annotations

from dco.channels.catalog import Channel, get_channel
from dco.i18n import _
from dco.models import Copy, Finding, FunnelStage
from dco.protocols import Checker

LENGTH_RULE = "dco.Length"
ENCODING_RULE = "dco.Encoding"


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
    or not encodable in it, then `checker`'s findings (a brand's rules), if one is given."""
    spec = get_channel(channel) if isinstance(channel, str) else channel
    findings = length_findings(copy, spec) if spec is not None else []
    if checker is not None:
        findings += checker.check(copy, channel=spec.id if spec else None, stage=stage)
    return findings
