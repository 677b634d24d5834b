"""Printing generated variants: each field with its length against the channel's limit."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from dco.channels.catalog import get_channel
from dco.cli.output import console, error_console, stage_label
from dco.generation import GenerationResult
from dco.models import Brief
from dco.providers import Provider, default_name


def provider_note(provider: Provider | str | None) -> None:
    """Say on stderr which provider writes, and how to switch when it is the offline fake."""
    name = provider if provider is None or isinstance(provider, str) else provider.name
    name = name or default_name()
    if name.split("/")[0] == "fake":
        error_console().print(
            "[dim]provider: fake — offline, deterministic copy. Set OPENAI_API_KEY (and "
            "OPENAI_BASE_URL for another OpenAI-compatible server) to write with a real model.[/]"
        )
    else:
        error_console().print(f"[dim]provider: {escape(name)}[/]")


def print_result(brief: Brief, result: GenerationResult) -> None:
    """A table of the variants with per-field lengths, then anything discarded and why."""
    channel = get_channel(brief.channel)
    stage = result.policy.stage if result.policy else None
    title = f"{escape(brief.product)} · {channel.id}"
    if stage is not None:
        title += f" · {stage_label(stage)}"
    if result.stage_result is not None:
        title += f" [dim](confidence {result.stage_result.confidence:.2f})[/]"
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("copy")
    table.add_column("length / limit")
    for number, variant in enumerate(result, start=1):
        copy = variant.copy
        text = f"[bold]{escape(copy.headline)}[/]\n{escape(copy.body)}\n[cyan]{escape(copy.cta)}[/]"
        lengths = []
        for m in channel.measure(copy):
            colour = "red" if m.over else "green"
            shown = "—" if m.length is None else str(m.length)
            lengths.append(f"{'+'.join(m.copy_fields)} [{colour}]{shown}[/]/{m.limit}")
        table.add_row(str(number), text, "\n".join(lengths) + f"\n[dim]{channel.unit}[/]")
    console().print(table)
    for discarded in result.discarded:
        problems = "; ".join(f.message for f in discarded.findings if f.level == "error")
        console().print(
            f"[red]discarded:[/] {escape(discarded.copy.headline)} — {escape(discarded.reason)}: "
            f"{escape(problems)}"
        )
    if result.shortfall:
        console().print(f"[yellow]{result.shortfall} fewer variant(s) than asked for[/]")
