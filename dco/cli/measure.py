"""`dco measure`: a text's length in every unit, or against a channel's fields."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from dco.channels.catalog import get_channel
from dco.cli.output import console, print_json
from dco.errors import UnencodableTextError
from dco.i18n import _
from dco.models import Copy
from dco.text import units as text_units


@click.command()
@click.argument("text")
@click.option(
    "--unit",
    type=click.Choice(text_units.UNITS),
    help="Print only the length in this unit.",
)
@click.option(
    "--channel",
    metavar="NAME",
    help="Measure TEXT as a headline against a channel's limits (see `dco channels`).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the lengths as JSON.")
def measure(text: str, unit: str | None, channel: str | None, as_json: bool) -> None:
    """Print the length of TEXT in each counting unit.

    \b
    Examples:
      dco measure "하프 마라톤 10주 완성"
      dco measure "(광고) 첫 주 무료" --unit cp949_bytes
      dco measure "하프 마라톤 10주 완성 프로그램" --channel google_rsa
    """
    if unit:
        length: int | None = text_units.measure(text, unit)
        if as_json:
            print_json({unit: length})
        else:
            console().print(str(length))
        return
    if channel:
        _against_channel(text, channel, as_json)
        return
    lengths: dict[str, int | None] = {}
    problems: dict[str, str] = {}
    for name in text_units.UNITS:
        try:
            lengths[name] = text_units.measure(text, name)
        except UnencodableTextError as e:
            lengths[name], problems[name] = None, str(e)
    if as_json:
        print_json({"lengths": lengths, "problems": problems})
        return
    table = Table(show_header=True)
    table.add_column(_("unit"))
    table.add_column(_("length"), justify="right")
    for name, length in lengths.items():
        table.add_row(name, f"[red]{_('cannot encode')}[/]" if length is None else str(length))
    console().print(table)
    for name, problem in problems.items():
        console().print(f"[red]{name}:[/] {escape(problem)}")


def _against_channel(text: str, channel_name: str, as_json: bool) -> None:
    channel = get_channel(channel_name)
    measures = [m for m in channel.measure(Copy(headline=text)) if "headline" in m.copy_fields]
    if as_json:
        print_json([m.to_dict() for m in measures])
        return
    for m in measures:
        colour = "red" if m.over else "green"
        shown = "?" if m.length is None else str(m.length)
        console().print(
            f"{channel.id} {m.field}: [{colour}]{shown}[/] / {m.limit} {m.unit}"
            + (f"  [red]{escape(m.problem)}[/]" if m.problem else "")
        )
