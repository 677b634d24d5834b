"""Rich text for the app: a variant's fields with length meters, and findings with their spans.

Copy is a model's words, and an edit or a filter a reviewer's: all of it goes into `Text`
objects, never into markup, where `[/b]` would stop the app and `[@click=…]` would be a link.
"""

from __future__ import annotations

from rich.text import Text

from dco.channels.catalog import get_channel
from dco.errors import UnknownNameError
from dco.i18n import _
from dco.models import Copy, Finding, Variant

LEVEL_STYLE = {"error": "bold red", "warning": "yellow", "suggestion": "cyan"}


def meters(copy: Copy, channel_id: str) -> Text:
    """Each channel field's length against its limit, red when over."""
    text = Text()
    try:
        channel = get_channel(channel_id)
    except UnknownNameError:
        return text
    for m in channel.measure(copy):
        shown = "?" if m.length is None else str(m.length)
        style = "bold red" if m.over else "green"
        text.append(f"{'+'.join(m.copy_fields)} ", style="dim")
        text.append(f"{shown}/{m.limit}", style=style)
        text.append(f" {m.unit}   ", style="dim")
    return text


def field_text(label: str, value: str, findings: list[Finding]) -> Text:
    """A copy field with the spans of its findings highlighted."""
    text = Text(f"{label:<9}", style="bold")
    body = Text(value)
    for finding in findings:
        if finding.span is not None:
            body.stylize(
                f"reverse {LEVEL_STYLE[finding.level]}", finding.span.start, finding.span.end
            )
    text.append_text(body)
    return text


def detail(variant: Variant, findings: list[Finding], held_by: str | None = None) -> Text:
    """Everything a reviewer needs about one variant."""
    text = Text()
    brief = variant.brief
    text.append(f"{brief.product}", style="bold")
    text.append(f"  {variant.channel} · {variant.locale} · {brief.campaign or '—'}\n", style="dim")
    if held_by:
        text.append(_("being reviewed by {reviewer}").format(reviewer=held_by) + "\n",
                    style="bold yellow")  # fmt: skip
    text.append(
        _("stage {stage}").format(stage=variant.stage.label),
        style="bold magenta",
    )
    if variant.stage_result is not None:
        confidence = _("confidence {value}").format(value=f"{variant.stage_result.confidence:.2f}")
        text.append(f"  {confidence}\n", style="dim")
        for reason in variant.stage_result.reasons[:4]:
            text.append(f"  · {reason}\n", style="dim")
    else:
        text.append("\n")
    text.append("\n")
    for name, value in variant.copy.fields().items():
        text.append_text(field_text(name, value, [f for f in findings if f.field == name]))
        text.append("\n")
    text.append("\n")
    text.append_text(meters(variant.copy, variant.channel))
    text.append("\n\n")
    if findings:
        for finding in findings:
            text.append(f"{finding.level} ", style=LEVEL_STYLE[finding.level])
            text.append(f"{finding.rule} ", style="dim")
            text.append(f"{finding.message}\n")
    else:
        text.append(_("no findings") + "\n", style="green")
    return text


def findings_lines(findings: list[Finding]) -> Text:
    """Each finding on a line, its level coloured (the edit dialog's live check)."""
    text = Text()
    for number, finding in enumerate(findings):
        if number:
            text.append("\n")
        text.append(finding.level, style=LEVEL_STYLE[finding.level])
        text.append(f" {finding.field}: {finding.message}")
    return text if findings else Text(_("no findings"), style="green")
