"""`dco review`: the terminal review app over a queue."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from dco.brand import Brand
from dco.errors import ConfigError
from dco.review import ReviewQueue
from dco.review.app import create_app
from dco.review.queue import FILTERS


@click.command("review")
@click.argument("db", default="dco-review.db", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--reviewer",
    default=lambda: getpass.getuser(),
    show_default="your login name",
    help="Who is deciding: recorded with every decision.",
)
@click.option(
    "--brand",
    "brand_dir",
    metavar="DIR",
    help="Check variants (and edits, live) against this brand; e.g. runfit.",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="KEY=VALUE",
    help=f"Only variants with this {', '.join(FILTERS)}; repeatable.",
)
def review_command(
    db: Path, reviewer: str, brand_dir: str | None, filters: tuple[str, ...]
) -> None:
    """Review the variants in DB by keyboard: a approve, e edit, r reject, s skip, u undo,
    j/k move, / filter, ? help, q quit. Every decision is saved the moment it is made."""
    if not db.exists():
        raise ConfigError(f"{db}: no review database here (dco generate --queue {db} makes one)")
    parsed = {}
    for item in filters:
        key, _, value = item.partition("=")
        if key not in FILTERS or not value:
            raise ConfigError(
                f"--filter {item!r}: write KEY=VALUE with KEY one of {', '.join(FILTERS)}"
            )
        parsed[key] = value
    checker = Brand.load(brand_dir) if brand_dir else None
    with ReviewQueue(db, checker=checker) as queue:
        create_app(queue, reviewer, checker=checker, filters=parsed).run()
