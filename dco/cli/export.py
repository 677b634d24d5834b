"""`dco export`: approved copy from a review queue, as CSV or JSONL ready for upload."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

import click
from rich.markup import escape

from dco.channels.limits import copy_findings
from dco.cli.common import db_argument, load_brand, queue_location
from dco.cli.output import error_console
from dco.errors import ConfigError
from dco.i18n import _, counted
from dco.review import ReviewQueue, naver_ads
from dco.review.export import ExportRow, to_csv, to_jsonl
from dco.review.google_ads import (
    LAYOUTS,
    Layout,
    layout_ads,
    require_final_url,
    rsa_format,
    short_ads,
    to_google_ads_csv,
)


@click.command("export")
@db_argument
@click.option(
    "--format",
    "output",
    default="csv",
    show_default=True,
    type=click.Choice(["csv", "jsonl"]),
    help="Plain rows, one per approved variant.",
)
@click.option(
    "--channel",
    metavar="NAME",
    help="Only this channel; google_rsa also writes Google Ads Editor's RSA columns.",
)
@click.option("--campaign", help="Only this campaign.")
@click.option(
    "--brand",
    "brand_dir",
    metavar="DIR",
    help="Leave out copy that breaks this brand's error-level rules (see --force).",
)
@click.option("--force", is_flag=True, help="Export copy even if it breaks error-level rules.")
@click.option(
    "--final-url",
    default="",
    help="The page the ads lead to: the Final URL of Google Ads rows (required with "
    "--channel google_rsa).",
)
@click.option(
    "--naver-adgroup",
    default="",
    metavar="ID",
    help="The Naver ad group (nccAdgroupId) the ads go in: with --channel naver_powerlink, "
    "writes the Search Ad API's ad bodies beside --out.",
)
@click.option(
    "--google-ads-layout",
    "layout",
    type=click.Choice(LAYOUTS),
    default="per-variant",
    show_default=True,
    help="per-variant: one ad for each variant, its headline and body pinned, its id in the "
    "ad's label, so the report joins back to it; pooled: the stage's texts shared over as few "
    "ads as possible (figures cannot be told apart by variant).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output (the Google Ads file goes beside it).",
)
def export_command(
    db: str | None, output: str, channel: str | None, campaign: str | None, brand_dir: str | None,
    force: bool, final_url: str, naver_adgroup: str, layout: str, out: Path | None,
) -> None:  # fmt: skip
    """Write the approved and edited copy in QUEUE as CSV (default) or JSONL.

    \b
    Examples:
      dco export review.db --brand runfit --out approved.csv
      dco export review.db --channel google_rsa --brand runfit --out ads.csv \\
          --final-url https://runfit.example/half
      dco export review.db --channel naver_powerlink --out ads.csv \\
          --final-url https://runfit.example/half --naver-adgroup grp-a001-01-000000000000000
    """
    db = queue_location(db)
    # The platforms' options are checked before any work.
    if channel in ("google_rsa", "naver_powerlink") and out is not None:
        require_final_url(final_url)
    if channel == "naver_powerlink" and out is not None:
        naver_ads.check_options(final_url=final_url, adgroup=naver_adgroup)
    brand = load_brand(brand_dir) if brand_dir else None
    with ReviewQueue(db, create=False) as queue:
        approved = queue.approved(channel=channel, campaign=campaign)
    rows, held_back = [], 0
    for variant, copy, decision in approved:
        if not force:
            findings = copy_findings(copy, variant.channel, brand, variant.stage)
            if any(f.level == "error" for f in findings):
                held_back += 1
                continue
        rows.append(ExportRow(variant, copy, decision))
    text = to_csv(rows) if output == "csv" else to_jsonl(rows)
    if out is None:
        sys.stdout.write(text)
    else:
        _write(out, text, "utf-8-sig" if output == "csv" else "utf-8")
        if channel == "google_rsa":
            ads = out.with_name(out.stem + ".google-ads.csv")
            _write_google_ads(rows, ads, cast(Layout, layout), final_url)
        if channel == "naver_powerlink":
            naver = out.with_name(out.stem + ".naver-ads.jsonl")
            _write(
                naver,
                naver_ads.to_naver_ads_jsonl(rows, final_url=final_url, adgroup=naver_adgroup),
                "utf-8",
            )
            error_console().print(
                _("wrote {n} Naver text ads (Search Ad API bodies) to {path}").format(
                    n=len(rows), path=naver
                ),
                markup=False,
            )
        error_console().print(
            _("wrote {variants} to {path}").format(
                variants=counted(len(rows), "approved variant"), path=out
            ),
            markup=False,
        )
    if held_back:
        left_out = counted(held_back, "approved variant")
        if brand is not None:
            note = _(
                "left out {variants} over its channel's limits, opening as a spreadsheet "
                "formula, or breaking {brand}'s error-level rules (fix them, or pass --force)"
            ).format(variants=left_out, brand=brand.name)
        else:
            note = _(
                "left out {variants} over its channel's limits or opening as a spreadsheet "
                "formula (fix them, or pass --force)"
            ).format(variants=left_out)
        error_console().print(f"[yellow]{escape(note)}[/]")
    if brand is None and not force:
        error_console().print(f"[dim]{_('not checked against a brand: give --brand DIR')}[/]")


def _write(path: Path, text: str, encoding: str) -> None:
    """`text` written to `path`; one line saying why when it cannot be (no such folder, no
    right to write there, a full disk)."""
    try:
        path.write_text(text, encoding=encoding)
    except OSError as e:
        raise ConfigError(
            _(
                "{file}: cannot write there ({why}); give --out a file in a folder you may write to"
            ).format(file=path, why=e.strerror)
        ) from None


def _write_google_ads(rows: list[ExportRow], path: Path, layout: Layout, final_url: str) -> None:
    ads = layout_ads(rows, layout)
    _write(path, to_google_ads_csv(ads, final_url=final_url), rsa_format().encoding)
    error_console().print(
        _("wrote {ads} to {path}").format(ads=counted(len(ads), "responsive search ad"), path=path),
        markup=False,
    )
    short = short_ads(ads)
    if short:
        spec = rsa_format()
        groups = ", ".join(sorted({ad.ad_group for ad in short}))
        note = _(
            "{ads} ({groups}) have fewer than {headlines} headlines or {descriptions} "
            "descriptions: approve more copy for those stages, or add texts in Google Ads "
            "Editor before posting"
        ).format(
            ads=counted(len(short), "ad"),
            groups=groups,
            headlines=spec.headlines.fewest,
            descriptions=spec.descriptions.fewest,
        )
        error_console().print(f"[yellow]{escape(note)}[/]")
