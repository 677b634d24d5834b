"""`dco config`: the settings every command starts from, and where each came from."""

from __future__ import annotations

import click
from rich import box
from rich.markup import escape
from rich.table import Table

from dco.cli.output import console, print_json
from dco.cli.settings import CONFIG_FILE, catalogue, effective
from dco.i18n import _
from dco.review.stores import describe


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
def config_command(as_json: bool) -> None:
    """The effective settings and their sources: a DCO_* variable, dco.toml (or [tool.dco] in
    pyproject.toml) in this folder, or not set. An option on the command line overrides both.

    \b
    A dco.toml:
      brand = "brand_guidelines/runfit"
      queue = "postgresql://kim@db.internal/dco"
      reviewer = "kim"
      channel = "google_rsa"
      provider = "openai"
      model = "gpt-4o-mini"
      fail_level = "warning"
    """
    settings = effective()
    shown = {
        name: (describe(e.value) if name == "queue" and e.value else e.value, e.source)
        for name, e in settings.items()
    }
    if as_json:
        print_json({name: {"value": value, "from": source}
                    for name, (value, source) in shown.items()})  # fmt: skip
        return
    title = _("settings (from {file} and DCO_* variables)").format(file=CONFIG_FILE)
    table = Table(box=box.SIMPLE_HEAD, title=escape(title), title_justify="left")
    for column in (_("setting"), _("value"), _("from"), _("what it sets")):
        table.add_column(column)
    helps = catalogue()
    for name, (value, source) in shown.items():
        table.add_row(name, escape(value) if value else "[dim]—[/]",
                      _("not set") if value is None else escape(source),
                      f"[dim]{escape(_(helps[name].help))} ({helps[name].env})[/]")  # fmt: skip
    console().print(table)
