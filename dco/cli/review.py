"""`dco review`: the terminal review app over a queue."""

from __future__ import annotations

import getpass
import sys

import click

from dco.cli.common import db_argument, key_values, load_brand, queue_location
from dco.cli.output import error_console
from dco.errors import OptionError
from dco.i18n import _
from dco.review import ReviewQueue
from dco.review.app import create_app
from dco.review.queue import checked_reviewer
from dco.review.stores.base import FILTERS


@click.command("review")
@db_argument
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
    db: str | None, reviewer: str, brand_dir: str | None, filters: tuple[str, ...]
) -> None:
    """Review the variants in QUEUE by keyboard: a approve, e edit, r reject, s skip, u undo,
    j/k move, / filter, ? help, q quit. Every decision is saved the moment it is made."""
    checked_reviewer(reviewer)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise OptionError(
            _(
                "dco review needs a terminal (it is an interactive app); run it in one, or script "
                "decisions with dco.ReviewQueue"
            )
        )
    db = queue_location(db)
    parsed = key_values(filters, "--filter", keys=FILTERS)
    checker = load_brand(brand_dir) if brand_dir else None
    with ReviewQueue(db, checker=checker, create=False) as queue:
        app = create_app(queue, reviewer, checker=checker, filters=parsed)
        app.run()
    error_console().print(app.summary(), highlight=False, markup=False)
