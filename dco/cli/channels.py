"""`dco channels`: the channel catalog and its counting units."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from dco.channels.catalog import Channel, load_catalog
from dco.cli.output import console, print_json
from dco.i18n import _, unknown_name


@click.command()
@click.argument("name", required=False)
@click.option(
    "--catalog",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A channel catalog file of your own, added to (or replacing) the built-in channels.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON.")
def channels(name: str | None, catalog: Path | None, as_json: bool) -> None:
    """List channels with each field's limit and the unit it is counted in.

    \b
    Units:
      chars         code points after NFC normalisation
      google_width  Google Ads: Hangul, CJK, full-width and emoji count 2
      cp949_bytes   Korean SMS/LMS bytes (Hangul 2, ASCII 1; no emoji)
      graphemes     user-perceived characters

    Give a NAME (e.g. sms) to see one channel with its source and notes.
    """
    known = load_catalog(catalog)
    if name and name not in known:
        raise unknown_name("channel", name, list(known))
    selected = [known[name]] if name else list(known.values())
    if as_json:
        print_json(
            {c.id: c.model_dump(mode="json", by_alias=True, exclude={"id"}) for c in selected}
        )
        return
    table = Table(title=_("Channels"), title_justify="left", show_lines=bool(name))
    table.add_column(_("channel"), style="bold")
    table.add_column(_("field"))
    table.add_column(_("limit"), justify="right")
    table.add_column(_("unit"))
    table.add_column(_("bounds copy"))
    for channel in selected:
        _add_rows(table, channel)
    console().print(table)
    if name:
        channel = selected[0]
        console().print(
            f"[bold]{escape(_(channel.name))}[/]\n[dim]{_('source:')}[/] {escape(channel.source)}"
        )
        if channel.notes:
            console().print(f"[dim]{_('notes:')}[/] {escape(_(channel.notes))}")


def _add_rows(table: Table, channel: Channel) -> None:
    for index, (field_name, spec) in enumerate(channel.fields.items()):
        if spec.compose:
            bounds = _("{fields} (together)").format(fields=" + ".join(spec.compose))
        else:
            bounds = ", ".join(spec.copy_fields) or "—"
        limit = f"{spec.limit:,}" + ("" if spec.kind == "hard" else f" [dim]{_('(rec.)')}[/]")
        table.add_row(
            channel.id if index == 0 else "",
            f"{field_name} [dim]{escape(_(spec.label))}[/]"
            if spec.label != field_name
            else field_name,
            limit,
            channel.unit_of(field_name),
            bounds,
        )
