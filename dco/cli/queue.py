"""`dco queue`: the review queue itself — moving it between a file and a server."""

from __future__ import annotations

import click

from dco.cli.common import queue_location
from dco.cli.output import console, error_console, print_json
from dco.i18n import _
from dco.review.copying import copy_queue
from dco.review.stores import open_store


@click.group("queue")
def queue() -> None:
    """The review queue: a SQLite file, or a postgresql:// URL for a team's shared server."""


@queue.command("copy")
@click.argument("source", metavar="SRC")
@click.argument("target", metavar="DST")
@click.option(
    "--init",
    is_flag=True,
    help="Let dco add its tables to DST even though it holds another application's tables.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts and digests as JSON.")
def copy_command(source: str, target: str, init: bool, as_json: bool) -> None:
    """Copy every variant, decision and outcome from SRC into a new, empty DST, then prove the
    copy by counts and a digest of both sides. Leases are not copied: reviewers claim afresh.

    \b
    Examples:
      dco queue copy dco-review.db postgresql://kim@db.internal/dco
      DCO_QUEUE=postgresql://kim@db.internal/dco dco review --reviewer kim
    """
    source_store = open_store(queue_location(source), create=False)
    try:
        target_store = open_store(target, init=init)
        try:
            report = copy_queue(
                source_store, target_store,
                on_table=lambda table, rows: error_console().print(
                    _("copied {rows} {table}").format(rows=f"{rows:,}", table=table),
                    highlight=False, markup=False,
                ),
            )  # fmt: skip
        finally:
            target_store.close()
    finally:
        source_store.close()
    if any(report.arrived.values()):
        error_console().print(
            _(
                "note: {source} gained {variants} variants, {decisions} decisions and "
                "{outcomes} new or updated outcomes while it was copied; {target} holds "
                "{source} as it stood when the copy began. Stop reviewing and importing "
                "outcomes in {source}, then copy again into a new queue"
            ).format(
                source=source_store.location, target=target_store.location,
                variants=f"{report.arrived['variants']:,}",
                decisions=f"{report.arrived['decisions']:,}",
                outcomes=f"{report.arrived['outcomes']:,}",
            ),
            highlight=False, markup=False, soft_wrap=True,
        )  # fmt: skip
    if as_json:
        print_json(report.to_dict())
        return
    console().print(
        _(
            "{target} holds the same {variants} variants, {decisions} decisions and {outcomes} "
            "outcomes as {source} (digest {digest})"
        ).format(
            target=target_store.location, source=source_store.location,
            variants=f"{report.counts['variants']:,}",
            decisions=f"{report.counts['decisions']:,}",
            outcomes=f"{report.counts['outcomes']:,}", digest=report.source_digest[:16],
        ),
        markup=False,
    )  # fmt: skip
