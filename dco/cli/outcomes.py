"""`dco outcomes import`: performance reports from ad platforms into the review database."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from dco.cli.common import db_argument, key_values, queue_location
from dco.cli.output import console, error_console, print_json
from dco.i18n import _, counted
from dco.outcomes.reports import COLUMNS, PLATFORMS, read_report
from dco.review import ReviewQueue


@click.group("outcomes")
def outcomes() -> None:
    """How served copy performed: impressions, clicks and conversions per variant."""


@outcomes.command("import")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_argument
@click.option(
    "--column",
    "mapping",
    multiple=True,
    metavar="NAME=HEADER",
    help=f"Read dco's NAME ({', '.join(COLUMNS)}) from your column HEADER; repeatable.",
)
@click.option(
    "--from",
    "platform",
    type=click.Choice(PLATFORMS),
    default="dco",
    show_default=True,
    help="The report's layout: dco's own columns, or a platform's report as it comes (google: "
    "the ads report with the Labels column dco export filled; naver: the Search Ad API's AD "
    "report, with --master).",
)
@click.option(
    "--master",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --from naver: the Ad master report (MasterReport item Ad), which ties Naver's "
    "ad ids to dco's variants through the landing URLs dco export wrote.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def import_command(
    report: Path,
    db: str | None,
    mapping: tuple[str, ...],
    platform: str,
    master: Path | None,
    as_json: bool,
) -> None:
    """Import REPORT into QUEUE; importing the same report again changes nothing.

    Columns: variant_id, date, impressions, clicks, and optionally conversions and segment;
    --from google reads Google Ads' ads report as downloaded (English or Korean headers, the
    title and total rows left aside) and finds each variant by its dco:ID label; --from naver
    reads the Search Ad API's AD performance report with --master, the Ad master report, whose
    landing URLs carry the variant ids dco export put there. Rows of one variant and day (per
    keyword, medium or device) are added up.
    Each (variant, segment, day) is kept once, so a re-imported or overlapping report replaces
    its figures instead of adding them twice. Bad rows are listed with their line numbers; the
    good rows still land (exit status 1 when any row was bad).

    \b
    Examples:
      dco outcomes import report.csv review.db
      dco outcomes import "Ad report.csv" review.db --from google
      dco outcomes import AD_20261201.tsv review.db --from naver --master Ad_master.tsv
      dco outcomes import naver.csv review.db --column variant_id="소재 ID" --column date=날짜 \\
          --column impressions=노출수 --column clicks=클릭수 --column conversions=전환수
    """
    db = queue_location(db)
    columns = key_values(mapping, "--column", shape="NAME=HEADER")
    read = read_report(report, columns, platform=platform, master=master)
    with ReviewQueue(db, create=False) as queue:
        known = queue.known_variants(o.variant_id for o in read.outcomes)
        good = [(line, o) for line, o in read.rows if o.variant_id in known]
        problems = read.problems + [
            (
                line,
                _("no variant {id!r} in {queue}").format(
                    id=o.variant_id, queue=queue.store.location
                ),
            )
            for line, o in read.rows
            if o.variant_id not in known
        ]
        queue.record_outcomes(o for _, o in good)
        where = queue.store.location
    problems.sort()
    if as_json:
        print_json(
            {
                "imported": len(good),
                "problems": [{"line": line, "problem": text} for line, text in problems],
            }
        )
    else:
        console().print(
            _("imported {rows} from {report} into {queue}").format(
                rows=counted(len(good), "row"), report=escape(str(report)), queue=escape(where)
            )
        )
        for line, text in problems:
            error_console().print(f"[red]{escape(str(report))}:{line}:[/] {escape(text)}")
        if problems:
            error_console().print(
                _("{rows} not imported; fix them and re-import").format(
                    rows=counted(len(problems), "row")
                )
            )
    if problems:
        raise SystemExit(1)
