"""Copy held to a channel: a field over its limit, or not encodable in the channel, as a finding."""

from __future__ import annotations

from dco.channels.catalog import Channel
from dco.models import Copy, Finding

LENGTH_RULE = "dco.Length"
ENCODING_RULE = "dco.Encoding"


def length_findings(copy: Copy, channel: Channel) -> list[Finding]:
    """A finding for each channel field the copy overflows or cannot be encoded in."""
    findings = []
    for m in channel.overflows(copy):
        field = m.copy_fields[0] if len(m.copy_fields) == 1 else "+".join(m.copy_fields)
        if m.length is None:
            findings.append(
                Finding(rule=ENCODING_RULE, level="error", field=field, message=m.problem or "")
            )
            continue
        level = "error" if m.kind == "hard" else "warning"
        findings.append(
            Finding(
                rule=LENGTH_RULE,
                level=level,
                field=field,
                message=(
                    f"{field} is {m.length} {m.unit}; the {channel.id} {m.field} "
                    f"{'limit' if m.kind == 'hard' else 'recommended length'} is {m.limit}"
                ),
            )
        )
    return findings
