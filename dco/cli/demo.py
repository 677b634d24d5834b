"""`dco demo`: the loop on built-in examples, offline."""

from __future__ import annotations

import click
from pydantic import Field
from rich.markup import escape
from rich.table import Table

from dco import resources
from dco.channels import FieldMeasure, get_channel
from dco.cli.output import console, print_json, stage_label
from dco.funnel import classify_many
from dco.models import Copy, DcoModel, Signals


class _DemoScript(DcoModel):
    """The shape of `dco/data/demo.yaml`."""

    version: int = 1
    customers: tuple[Signals, ...]
    copy_examples: tuple[Copy, ...] = Field(default=(), alias="copy")
    channels: tuple[str, ...] = ()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def demo(as_json: bool) -> None:
    """Run dco on built-in examples: no API key, no network, no set-up.

    Classifies Korean and English customers into funnel stages with the reasons, then measures
    example copy against channel limits in each channel's own unit.
    """
    script = _load_script()
    results = classify_many(script.customers)
    measured = [
        (copy, channel, get_channel(channel).measure(copy))
        for copy in script.copy_examples
        for channel in script.channels
    ]
    if as_json:
        print_json(
            {
                "customers": [
                    {"signals": s.model_dump(mode="json"), "result": r.model_dump(mode="json")}
                    for s, r in zip(script.customers, results, strict=True)
                ],
                "measures": [
                    {
                        "copy": c.model_dump(),
                        "channel": ch,
                        "fields": [m.model_dump(mode="json") | {"over": m.over} for m in ms],
                    }
                    for c, ch, ms in measured
                ],
            }
        )
        return
    out = console()
    table = Table(title="1. Where each customer stands in the funnel", title_justify="left")
    table.add_column("signals")
    table.add_column("stage")
    table.add_column("conf.", justify="right")
    table.add_column("why")
    for signals, result in zip(script.customers, results, strict=True):
        shown = escape(signals.text) if signals.text else "[dim](no text)[/]"
        if signals.events:
            shown += "\n[dim]" + " ".join(str(e) for e in signals.events) + "[/]"
        table.add_row(
            shown,
            stage_label(result.stage),
            f"{result.confidence:.2f}",
            escape("\n".join(result.reasons)),
        )
    out.print(table)
    out.print("[bold]2. The same copy counted the way each channel counts[/]")
    for copy in script.copy_examples:
        _print_copy_measures(copy, [(ch, ms) for c, ch, ms in measured if c is copy])
    out.print(
        '[dim]Try your own:[/] dco classify "러닝화 최저가" --event add_to_cart   '
        '[dim]·[/] dco channels   [dim]·[/] dco measure "하프 마라톤"'
    )


def _print_copy_measures(copy: Copy, measured: list[tuple[str, list[FieldMeasure]]]) -> None:
    table = Table(
        title=escape(f"{copy.headline} / {copy.body} / {copy.cta}"),
        title_justify="left",
        title_style="",
    )
    for column in ("channel", "field", "from", "length / limit"):
        table.add_column(column)
    for channel, measures in measured:
        for index, m in enumerate(measures):
            colour = "red" if m.over else "green"
            shown = "—" if m.length is None else str(m.length)
            verdict = f"[{colour}]{shown}[/] / {m.limit} {m.unit}"
            if m.problem:
                verdict += " [red](cannot encode)[/]"
            table.add_row(channel if index == 0 else "", m.field, "+".join(m.copy_fields), verdict)
    console().print(table)


def _load_script() -> _DemoScript:
    return resources.load_data("demo.yaml").validate(_DemoScript, what="demo script")
