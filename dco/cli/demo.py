"""`dco demo`: the loop on built-in examples, offline."""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from pydantic import Field
from rich import box
from rich.markup import escape
from rich.table import Table

from dco import resources
from dco.brand import Brand
from dco.channels.catalog import FieldMeasure, get_channel
from dco.cli.output import console, print_json, stage_label
from dco.cli.variants import LEVELS, print_result, provider_note
from dco.funnel import classify_many
from dco.generation import GenerationResult, generate
from dco.i18n import _
from dco.models import Brief, Copy, DcoModel, Finding, Signals, StageResult
from dco.providers import get_provider
from dco.review import ReviewQueue
from dco.review.stores import default_location, describe
from dco.simulation import simulate

_LEVEL_STYLE = {"error": "bold red", "warning": "yellow", "suggestion": "cyan"}


class _DemoBrief(DcoModel):
    signals: Signals
    brief: Brief


class _DemoScript(DcoModel):
    """The shape of `dco/data/demo.yaml`."""

    version: int = 1
    customers: tuple[Signals, ...]
    copy_examples: tuple[Copy, ...] = Field(default=(), alias="copy")
    channels: tuple[str, ...] = ()
    briefs: tuple[_DemoBrief, ...] = ()
    brand: str = "runfit"
    checks: tuple[str, ...] = ()


@click.command()
@click.option(
    "--provider",
    metavar="NAME",
    help="fake or openai/<model>. Default: openai when OPENAI_API_KEY is set, else fake.",
)
@click.option(
    "--queue",
    "queue_path",
    metavar="QUEUE",
    help="The review queue the variants are submitted to: a SQLite file or a postgresql:// URL "
    "[default: $DCO_QUEUE, else dco-review.db; with --rounds, a temporary one].",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 20),
    help="Instead: simulate N rounds of generate → review → tune with the fake provider and a "
    "rule-following reviewer, printing the approval rate and edit distance per round.",
)
@click.option(
    "--locale",
    type=click.Choice(["ko", "en"]),
    default="ko",
    show_default=True,
    help="With --rounds: the Korean or the English scenario.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def demo(
    provider: str | None, queue_path: str | None, rounds: int | None, locale: str, as_json: bool
) -> None:
    """Run dco on built-in examples: no set-up, and offline unless OPENAI_API_KEY is set.

    Classifies Korean and English customers into funnel stages with the reasons, measures copy
    against channel limits in each channel's own unit, and writes variants for a Korean and an
    English brief.

    With --rounds N, shows the feedback loop instead: each round generates copy, a simulated
    reviewer (its policy is in dco/data/simulation.yaml) approves, edits or rejects it, and
    `dco tune` learns from the decisions for the next round.
    """
    if rounds is not None:
        run_rounds(rounds, locale, queue_path, as_json)
        return
    run = _run(provider, queue_path or default_location())
    if as_json:
        print_json(run.to_dict())
    else:
        _print_run(run)


@dataclass
class _DemoRun:
    """What the demo did: the customers classified, copy measured, written and checked."""

    script: _DemoScript
    brand: Brand
    queue_path: str
    waiting: int
    results: list[StageResult]
    measured: list[tuple[Copy, str, list[FieldMeasure]]]
    generated: list[tuple[Brief, GenerationResult]]
    checked: list[tuple[str, list[Finding]]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "customers": [
                {"signals": s.model_dump(mode="json"), "result": r.model_dump(mode="json")}
                for s, r in zip(self.script.customers, self.results, strict=True)
            ],
            "queue": {"path": describe(self.queue_path), "pending": self.waiting},
            "checks": [
                {"text": text, "findings": [f.model_dump(mode="json") for f in findings]}
                for text, findings in self.checked
            ],
            "generated": [
                [v.model_dump(mode="json", by_alias=True) for v in result]
                for _brief, result in self.generated
            ],
            "measures": [
                {"copy": c.model_dump(), "channel": ch, "fields": [m.to_dict() for m in ms]}
                for c, ch, ms in self.measured
            ],
        }


def _run(provider: str | None, queue_path: str) -> _DemoRun:
    script = _load_script()
    llm = get_provider(provider)
    provider_note(llm)
    brand = Brand.load(script.brand)
    generated = [
        (
            item.brief,
            generate(item.brief, signals=item.signals, n=3, provider=llm, seed=7, brand=brand),
        )
        for item in script.briefs
    ]
    checked = [(text, brand.check(text)) for text in script.checks]
    with ReviewQueue(queue_path, checker=brand) as queue:
        queue.submit(v for _brief, result in generated for v in result)
        waiting = queue.stats()["pending"]
    results = classify_many(script.customers)
    measured = [
        (copy, channel, get_channel(channel).measure(copy))
        for copy in script.copy_examples
        for channel in script.channels
    ]
    return _DemoRun(script, brand, queue_path, waiting, results, measured, generated, checked)


def _print_run(run: _DemoRun) -> None:
    out = console()
    _print_customers(run.script.customers, run.results)
    out.print(f"[bold]{_('2. The same copy counted the way each channel counts')}[/]")
    for copy in run.script.copy_examples:
        _print_copy_measures(copy, [(ch, ms) for c, ch, ms in run.measured if c is copy])
    heading = _(
        "3. Variants written for each customer's stage, within the channel limits, checked "
        "against the {brand} brand"
    ).format(brand=escape(run.brand.name))
    out.print(f"[bold]{heading}[/]")
    for brief, result in run.generated:
        print_result(brief, result)
    heading = _("4. Copy checked against {brand}'s guidelines").format(brand=escape(run.brand.name))
    out.print(f"[bold]{heading}[/]")
    for text, findings in run.checked:
        out.print(f"  {escape(text)}")
        for finding in findings:
            out.print(
                f"    [{_LEVEL_STYLE[finding.level]}]{_(LEVELS[finding.level])}[/] "
                f"[dim]{escape(finding.rule)}[/] {escape(finding.message)}"
            )
        if not findings:
            out.print(f"    [green]{_('clean')}[/]")
    path = escape(describe(run.queue_path))
    waiting = _("5. {n} variants wait for review in {queue}").format(n=run.waiting, queue=path)
    command = escape(f"dco review {shlex.quote(describe(run.queue_path))}")
    out.print(f"[bold]{waiting}[/]: {command} --brand {escape(run.script.brand)}")
    out.print(
        f"[dim]{_('Try your own:')}[/] dco generate --brief examples/brief.yaml --query "
        "'러닝 코칭 가격'   [dim]·[/] dco lint copy.txt --brand runfit"
        "   [dim]·[/] dco demo --rounds 3"
    )


def _print_customers(customers: Sequence[Signals], results: Sequence[StageResult]) -> None:
    table = Table(title=_("1. Where each customer stands in the funnel"), title_justify="left")
    # Folded, never cut: a Korean word wider than what is left of a line moves whole to the
    # next one (rich cuts a cell's overflow with an ellipsis by default).
    table.add_column(_("signals"), overflow="fold")
    table.add_column(_("stage"), no_wrap=True)
    table.add_column(_("conf."), justify="right", no_wrap=True)
    table.add_column(_("why"), overflow="fold")
    for signals, result in zip(customers, results, strict=True):
        shown = escape(signals.text) if signals.text else f"[dim]{_('(no text)')}[/]"
        if signals.events:
            shown += "\n[dim]" + " ".join(str(e) for e in signals.events) + "[/]"
        table.add_row(
            shown,
            stage_label(result.stage),
            f"{result.confidence:.2f}",
            escape("\n".join(result.reasons)),
        )
    console().print(table)


def run_rounds(rounds: int, locale: str, queue_path: str | None, as_json: bool) -> None:
    """The closed-loop simulation, printed round by round."""
    brand = Brand.load(_load_script().brand)
    table = Table(
        title=_("The feedback loop, simulated ({locale}): generate → review → tune").format(
            locale=locale
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in (_("round"), _("approved"), _("edited"), _("rejected"), _("edit dist.")):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column(_("the round's prompt learned from"))
    with tempfile.TemporaryDirectory() as temp:
        path = queue_path or str(Path(temp) / "simulation.db")
        with ReviewQueue(path, checker=brand) as queue:
            results = simulate(queue, rounds=rounds, brand=brand, locale=locale)
    if as_json:
        print_json([r.to_dict() for r in results])
        return
    for r in results:
        learned = r.learned
        table.add_row(
            str(r.round), f"{r.approval_rate:.0%} [dim]{r.approved}/{r.decided}[/]",
            str(r.edited), str(r.rejected), f"{r.edit_distance:.3f}",
            _("nothing yet") if not any(learned.values()) else
            _("{examples} examples, {preferences} preferences, {avoid} words to avoid, "
              "{notes} notes").format(**learned),
        )  # fmt: skip
    console().print(table)
    note = _(
        "The fake provider does what its prompt says, so this proves the decisions reach the "
        "prompt and are used. With a real model and real reviewers, measure the gain with "
        "`dco stats --compare`."
    )
    console().print(f"[dim]{note}[/]")
    if queue_path is not None:
        where = escape(describe(queue_path))
        console().print(_("decisions kept in {queue}").format(queue=where) + f": dco stats {where}")


def _print_copy_measures(copy: Copy, measured: list[tuple[str, list[FieldMeasure]]]) -> None:
    table = Table(
        title=escape(f"{copy.headline} / {copy.body} / {copy.cta}"),
        title_justify="left",
        title_style="",
    )
    for column in (_("channel"), _("field"), _("from"), _("length / limit")):
        table.add_column(column, overflow="fold")  # never cut with an ellipsis
    for channel, measures in measured:
        for index, m in enumerate(measures):
            colour = "red" if m.over else "green"
            shown = "—" if m.length is None else str(m.length)
            verdict = f"[{colour}]{shown}[/] / {m.limit} {m.unit}"
            if m.problem:
                verdict += f" [red]{_('(cannot encode)')}[/]"
            table.add_row(channel if index == 0 else "", m.field, "+".join(m.copy_fields), verdict)
    console().print(table)


def _load_script() -> _DemoScript:
    return resources.load_data("demo.yaml").validate(_DemoScript, what="demo script")
