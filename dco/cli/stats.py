"""`dco stats`: how reviewers decided, by stage, channel, locale, prompt version and model."""

from __future__ import annotations

import shlex

import click
from rich.markup import escape
from rich.table import Table

from dco.cli.common import db_argument, queue_location
from dco.cli.output import console, print_json
from dco.i18n import N_, _
from dco.models import FunnelStage
from dco.review import ReviewQueue
from dco.tuning.stats import (
    DIMENSIONS,
    Group,
    Performance,
    Rate,
    compare,
    summarise,
    summarise_outcomes,
)

DEFAULT_DIMENSIONS = ("stage", "channel", "locale", "prompt_version", "model")
OUTCOME_TABLES = ("stage", "prompt_version", "tag")
_DIMENSION_LABELS = {
    "stage": N_("stage"), "channel": N_("channel"), "locale": N_("locale"),
    "prompt_version": N_("prompt version"), "model": N_("model"), "campaign": N_("campaign"),
    "reviewer": N_("reviewer"), "tag": N_("tag"),
}  # fmt: skip
"""Each grouping as a table's title and first column name it (--by and JSON take the key)."""
_STAGES = frozenset(stage.value for stage in FunnelStage)


@click.command("stats")
@db_argument
@click.option(
    "--by",
    "dimensions",
    multiple=True,
    type=click.Choice(DIMENSIONS),
    help="Group by this, repeatable (default: a table each for stage, channel, locale, prompt "
    "version and model).",
)
@click.option(
    "--compare",
    "versions",
    nargs=2,
    metavar="VERSION_A VERSION_B",
    help="Whether B's approval rate differs from A's beyond chance (two-proportion z-test).",
)
@click.option("--campaign", help="Only this campaign's variants.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def stats_command(
    db: str | None,
    dimensions: tuple[str, ...],
    versions: tuple[str, str] | None,
    campaign: str | None,
    as_json: bool,
) -> None:
    """Approval, edit and rejection rates in QUEUE, with Wilson 95 % intervals (dim, in %);
    and, once outcomes are imported, CTR and CVR by stage, prompt version and tag.

    Rates are shares of decided variants: approved as written, edited, rejected. The edit
    distance is the mean share of characters reviewers changed in the copy they edited.

    \b
    Examples:
      dco stats review.db
      dco stats review.db --by prompt_version --json
      dco stats review.db --compare p_1a2b3c4d5e6f p_9f8e7d6c5b4a
    """
    db = queue_location(db)
    with ReviewQueue(db, create=False) as queue:
        where = queue.store.location
        records = queue.decision_counts(campaign=campaign)
        served = [r for r in queue.outcome_rows() if campaign is None or r.campaign == campaign]
    if versions:
        result = compare(records, *versions)
        if as_json:
            print_json(result.to_dict())
        else:
            _print_groups([result.a, result.b], "prompt_version", titled=False)
            console().print(result.verdict, markup=False)
        return
    overall = summarise(records)
    dimensions = dimensions or DEFAULT_DIMENSIONS
    tables = {d: summarise(records, (d,)) for d in dimensions}
    performance = {d: summarise_outcomes(served, (d,)) for d in OUTCOME_TABLES}
    if as_json:
        print_json(
            {
                "overall": overall[0].to_dict() if overall else None,
                "by": {d: [g.to_dict() for g in groups] for d, groups in tables.items()},
                "outcomes": {
                    "overall": next((g.to_dict() for g in summarise_outcomes(served)), None),
                    "by": {d: [g.to_dict() for g in gs] for d, gs in performance.items()},
                },
            }
        )
        return
    if not overall:
        console().print(
            _("no decisions in {where} yet: open it with `dco review {queue}`").format(
                where=where, queue=shlex.quote(where)
            ),
            markup=False,
        )
        return
    _print_groups(overall)
    for dimension, groups in tables.items():
        _print_groups(groups, dimension)
    if served:
        for dimension, performances in performance.items():
            _print_performance(performances, dimension)
    else:
        note = _("no outcomes yet: `dco outcomes import REPORT.csv` adds CTR and CVR")
        console().print(f"[dim]{escape(note)}[/]")


def _print_performance(groups: list[Performance], dimension: str) -> None:
    name = _(_DIMENSION_LABELS[dimension])
    title = _("served copy by {dimension}").format(dimension=name)
    table = Table(title=title, title_justify="left")
    table.add_column(name, no_wrap=True)
    for column in (_("variants"), _("impressions"), _("clicks"), "CTR", _("conv."), "CVR"):
        table.add_column(column, justify="right", no_wrap=True)
    for group in groups:
        table.add_row(
            _group_name(group.key, dimension), str(group.variants),
            f"{group.impressions:,}", f"{group.clicks:,}", _rate(group.ctr, 1),
            f"{group.conversions:,}", _rate(group.cvr, 1),
        )  # fmt: skip
    console().print(table)


def _print_groups(groups: list[Group], dimension: str | None = None, titled: bool = True) -> None:
    """A table of decision rates: over all decisions, or a row for each group of `dimension`
    (titled by it, unless the rows say enough: a comparison's two versions)."""
    name = None if dimension is None else _(_DIMENSION_LABELS[dimension])
    if name is None:
        title: str | None = _("all")
    else:
        title = _("by {dimension}").format(dimension=name) if titled else None
    table = Table(title=title, title_justify="left")
    if name is not None:
        table.add_column(name, no_wrap=True)
    table.add_column(_("decided"), justify="right")
    for column in (_("approved"), _("edited"), _("rejected")):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column(_("edit dist."), justify="right")
    table.add_column(_("rejection reasons"))
    for group in groups:
        cells = [_group_name(group.key, dimension)] if dimension is not None else []
        cells.append(str(group.decided))
        cells += [_rate(rate) for rate in (group.approval, group.edit, group.rejection)]
        distance = group.edit_distance
        cells.append("—" if distance is None else f"{distance:.2f}")
        cells.append(escape(", ".join(f"{r} {n}" for r, n in group.reasons.most_common(3)) or "—"))
        table.add_row(*cells)
    console().print(table)


def _group_name(key: dict, dimension: str) -> str:
    """A group's value as its row shows it: a stage in the reader's language, the rest as
    recorded."""
    value = key.get(dimension)
    if dimension == "stage" and value in _STAGES:
        return escape(FunnelStage(value).label)
    return escape(str(value or "—"))


def _rate(rate: Rate, digits: int = 0) -> str:
    low, high = rate.interval
    return f"{rate.value:.{digits}%} [dim]{low * 100:.{digits}f}–{high * 100:.{digits}f}[/]"
