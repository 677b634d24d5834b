"""Printing generated variants: each field with its length against the channel's limit."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from dco.channels.catalog import get_channel
from dco.cli.output import console, error_console, stage_label
from dco.generation import GenerationResult
from dco.i18n import N_, _
from dco.models import Brief
from dco.providers import Provider, default_name

TASKS = {"copy": _("copy"), "stage opinions": _("stage opinions")}
"""What the fake provider gives instead of a model, by task."""
LEVELS = {"error": N_("error"), "warning": N_("warning"), "suggestion": N_("suggestion")}
"""Finding levels as a reader sees them."""


def provider_note(provider: Provider | str | None, *, task: str = "copy") -> None:
    """Say on stderr which provider answers, and how to switch when it is the offline fake.
    `task`: what the fake gives instead of a model ("copy", "stage opinions")."""
    name = provider if provider is None or isinstance(provider, str) else provider.name
    name = name or default_name()
    if name.split("/")[0] == "fake":
        note = _(
            "provider: fake — offline, deterministic {task}. Set OPENAI_API_KEY (and "
            "OPENAI_BASE_URL for another OpenAI-compatible server) to ask a real model."
        ).format(task=TASKS.get(task, task))
        error_console().print(f"[dim]{note}[/]")
    else:
        error_console().print(f"[dim]{_('provider: {name}').format(name=escape(name))}[/]")


def print_result(brief: Brief, result: GenerationResult, *, verbose: bool = False) -> None:
    """A table of the variants with per-field lengths and their warnings, then a line on what
    was discarded and why (with `verbose`, each discarded variant)."""
    channel = get_channel(brief.channel)
    stage = result.policy.stage if result.policy else None
    title = f"{escape(brief.product)} · {channel.id}"
    if stage is not None:
        title += f" · {stage_label(stage)}"
    if result.stage_result is not None:
        confidence = f"{result.stage_result.confidence:.2f}"
        title += f" [dim]({_('confidence {value}').format(value=confidence)})[/]"
    if result:
        table = Table(title=title, title_justify="left", show_lines=True)
        table.add_column("#", justify="right")
        # Folded, never cut: rich ends a cell's overflow with an ellipsis by default, and a
        # Korean word wider than the rest of a line would lose its last characters.
        table.add_column(_("copy"), overflow="fold")
        table.add_column(_("length / limit"), overflow="fold")
        for number, variant in enumerate(result, start=1):
            copy = variant.copy
            text = (
                f"[bold]{escape(copy.headline)}[/]\n{escape(copy.body)}\n"
                f"[cyan]{escape(copy.cta)}[/]"
            )
            for finding in variant.findings:  # what passed, but a reviewer should see
                colour = "yellow" if finding.level == "warning" else "dim"
                level = LEVELS.get(finding.level, finding.level)
                text += f"\n[{colour}]{_(level)}: {escape(finding.message)}[/]"
            lengths = []
            for m in channel.measure(copy):
                colour = "red" if m.over else "green"
                shown = "—" if m.length is None else str(m.length)
                lengths.append(f"{'+'.join(m.copy_fields)} [{colour}]{shown}[/]/{m.limit}")
            table.add_row(str(number), text, "\n".join(lengths) + f"\n[dim]{channel.unit}[/]")
        console().print(table)
    else:
        console().print(f"[bold]{title}[/]")
    summary = discard_summary(result, verbose=verbose)
    if summary:
        colour = "red" if not result else "yellow"
        console().print(f"[{colour}]{escape(summary)}[/]")
    if verbose:
        for discarded in result.discarded:
            what = escape(discarded.copy.headline) if discarded.copy else "(reply)"
            console().print(f"  [dim]{_('discarded:')}[/] {what} — {escape(discarded.reason)}")


def discard_summary(result: GenerationResult, *, verbose: bool = False) -> str:
    """One line: how many variants of those asked for, what was discarded, by reason, and how
    many the model never wrote. Without `verbose` (which lists each), it says how to see them."""
    asked = len(result) + result.shortfall
    if not result.discarded and not result.shortfall:
        return ""
    kinds: dict[str, int] = {}
    for discarded in result.discarded:
        kind = discarded.reason.split(":")[0].split(" of variant")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    line = _("{made} of {asked} variants").format(made=len(result), asked=asked)
    if kinds:
        reasons = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
        line += "; " + _("discarded {count}: {reasons}").format(
            count=len(result.discarded), reasons=reasons
        )
    if result.unwritten:
        line += "; " + _("the model wrote {count} fewer than asked").format(count=result.unwritten)
    if not result and result.discarded and not verbose:
        line += " " + _("(run with --verbose to see each)")
    return line
