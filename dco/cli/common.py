"""Arguments and checks the commands share: the review database, KEY=VALUE options, brands,
and options whose default a data file sets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from dco.cli.output import error_console
from dco.errors import ConfigError
from dco.i18n import _

if TYPE_CHECKING:
    from dco.brand import Brand

db_argument = click.argument("db", required=False, metavar="[QUEUE]")
"""The review queue a command reads: a SQLite file or a postgresql:// URL (default $DCO_QUEUE,
else ./dco-review.db, which `dco demo` fills)."""


class DefaultFromData(click.Option):
    """An option whose default a data file sets: `--help` shows it as `shown()` reads it then,
    so the help never names a figure the file no longer holds, and commands that do not show
    help never read the file."""

    def __init__(self, *args: object, shown: Callable[[], str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._shown = shown

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        try:
            self.show_default = self._shown()
        except ConfigError:  # the command itself says what is wrong with the file
            self.show_default = False
        return super().get_help_record(ctx)


def queue_location(db: str | None) -> str:
    """The queue a command was given (`db`), else the default one. Commands that read a queue
    open it with `create=False`: one that is not there is an error saying how to make it."""
    from dco.review.stores import default_location

    return db or default_location()


def key_values(
    items: Iterable[str],
    option: str,
    *,
    shape: str = "KEY=VALUE",
    keys: Iterable[str] | None = None,
) -> dict[str, str]:
    """`option`'s repeated KEY=VALUE items as a mapping; an item without both halves (or with a
    key not among `keys`) is an error naming the option and the shape it wants."""
    allowed = tuple(keys) if keys is not None else None
    parsed = {}
    for item in items:
        key, separator, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not separator or not key or not value or (allowed and key not in allowed):
            name = shape.split("=")[0]
            among = (
                _(" with {name} one of {known}").format(name=name, known=", ".join(allowed))
                if allowed
                else ""
            )
            raise ConfigError(
                _("{option} {item!r}: write {shape}{among}").format(
                    option=option, item=item, shape=shape, among=among
                )
            )
        parsed[key] = value
    return parsed


def load_brand(path: str | Path) -> Brand:
    """The brand at `path`, with a note on stderr for each rule file dco does not run."""
    from dco.brand import Brand  # on demand: most commands need no brand

    brand = Brand.load(path)
    for skipped in brand.skipped:
        error_console().print(f"[yellow]{_('note:')}[/] {escape(skipped.reason)}", soft_wrap=True)
    return brand
