"""`dco select`: which approved variant to serve to a customer, and why."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from dco.brand import Brand
from dco.cli.common import db_argument, key_values, queue_location
from dco.cli.output import console, events_option, print_json, stage_label
from dco.errors import SelectionError
from dco.i18n import _
from dco.models import Signals
from dco.review import ReviewQueue
from dco.serving.context import CONTEXT_KEYS, ContextRules, check_context
from dco.serving.selection import Objective, select


@click.command("select")
@db_argument
@click.option("--query", "-q", default="", help="The customer's search or intent text.")
@events_option
@click.option(
    "--context",
    "-c",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="The customer's situation, repeatable: weather=rain, time=2026-11-23T08:10+09:00, "
    "timezone=Asia/Seoul, region=KR-11, device=mobile, source=kakao.",
)
@click.option("--channel", required=True, help="The channel to serve in.")
@click.option("--locale", default="ko-KR", show_default=True)
@click.option("--campaign", help="Only this campaign's variants.")
@click.option(
    "--objective",
    type=click.Choice(["ctr", "cvr"]),
    default="ctr",
    show_default=True,
    help="Clicks per impression, or conversions per click.",
)
@click.option("--segment", help="The customer's audience segment, as outcomes record it.")
@click.option(
    "--brand",
    "brand_dir",
    metavar="DIR",
    help="Use this brand's context rules (DIR/context.yaml).",
)
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A context rules file (instead of the brand's).",
)
@click.option("--seed", type=int, help="Make the draw reproducible.")
@click.option(
    "--fallback",
    is_flag=True,
    help="When the customer's stage has no approved copy, serve the nearest stage's (and say so).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the selection as JSON.")
def select_command(
    db: str | None, query: str, events: tuple[str, ...], pairs: tuple[str, ...], channel: str,
    locale: str, campaign: str | None, objective: Objective, segment: str | None,
    brand_dir: str | None, rules: Path | None, seed: int | None, fallback: bool, as_json: bool,
) -> None:  # fmt: skip
    """Choose the approved variant in QUEUE to serve to one customer, and say why.

    The customer's signals give the stage; the context rules give tags that narrow the
    candidates; Thompson sampling on each candidate's outcomes (`dco outcomes import`) picks the
    winner, exploring new copy now and then.

    \b
    Examples:
      dco select review.db --query "하프 마라톤 코칭 가격" --channel google_rsa
      dco select review.db -q "주 3회 러닝" -c weather=rain -c time=2026-11-23T08:10+09:00 \\
          --channel kakao_friendtalk --brand runfit --seed 1
    """
    db = queue_location(db)
    context = key_values(pairs, "--context", keys=CONTEXT_KEYS)
    check_context(context)
    context_rules = ContextRules.load(rules) if rules else None
    if context_rules is None and brand_dir:
        context_rules = Brand.load(brand_dir).context_rules
    signals = Signals(text=query, events=events, context=context)
    with ReviewQueue(db, create=False) as queue:
        try:
            selection = select(
                signals, queue, channel=channel, locale=locale, campaign=campaign,
                objective=objective, segment=segment, context_rules=context_rules, seed=seed,
                fallback=fallback,
            )  # fmt: skip
        except SelectionError as e:
            if as_json:  # a machine reading the output gets JSON either way
                print_json({"ok": False, "error": str(e), "variant_id": None})
            raise
    if as_json:
        print_json(selection.to_dict())
        return
    out = console()
    copy = selection.winner.copy
    out.print(f"[bold]{escape(copy.headline)}[/]\n{escape(copy.body)}\n[cyan]{escape(copy.cta)}[/]")
    out.print(f"[dim]{escape(selection.variant_id)}[/] — {escape(selection.reason)}")
    cues = "; ".join(selection.stage.reasons) or _("no cue; the default stage")
    out.print(
        _("stage {stage} ({confidence}): {cues}").format(
            stage=stage_label(selection.stage.stage),
            confidence=f"{selection.stage.confidence:.2f}",
            cues=escape(cues),
        )
    )
    if selection.rules:
        matched, tags = ", ".join(selection.rules), ", ".join(selection.tags)
        out.print(
            _("context rules: {rules} → tags {tags}").format(rules=matched, tags=tags),
            markup=False,
        )
    table = Table(title=_("candidates"), title_justify="left")
    table.add_column(_("variant"))
    table.add_column(_("headline"))
    for column in (_("trials"), _("mean")):
        table.add_column(column, justify="right")
    table.add_column("95 %")
    table.add_column(_("draw"), justify="right")
    for candidate in selection.candidates[:10]:
        low, high = candidate.interval
        table.add_row(
            escape(candidate.variant_id), escape(candidate.copy.headline), f"{candidate.trials:,}",
            f"{candidate.mean:.2%}", f"{low:.2%}–{high:.2%}", f"{candidate.draw:.2%}",
        )  # fmt: skip
    out.print(table)
