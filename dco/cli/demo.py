"""`dco demo`: the loop on built-in examples, offline."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from pydantic import Field
from rich import box
from rich.markup import escape
from rich.table import Table

from dco import resources
from dco.brand import Brand
from dco.channels.catalog import FieldMeasure, get_channel
from dco.cli.output import console, print_json, stage_label
from dco.cli.variants import print_result, provider_note
from dco.funnel import classify_many
from dco.generation import generate
from dco.models import Brief, Copy, DcoModel, Signals
from dco.providers import get_provider
from dco.review import ReviewQueue
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
    type=click.Path(dir_okay=False, path_type=Path),
    help="The review queue the variants are submitted to [default: dco-review.db; with "
    "--rounds, a temporary one].",
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
    provider: str | None, queue_path: Path | None, rounds: int | None, locale: str, as_json: bool
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
    queue_path = queue_path or Path("dco-review.db")
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
        queue.submit(v for _, result in generated for v in result)
        waiting = queue.stats()["pending"]
    results = classify_many(script.customers)
    measured = [
        (copy, channel, get_channel(channel).measure(copy))
        for copy in script.copy_examples
        for channel in script.channels
    ]
    if as_json:
        print_json(
            {
                "customers": [
                    {"signals": s.model_dump(mode="json"), "result": r.model_dump(mode="json")}
                    for s, r in zip(script.customers, results, strict=True)
                ],
                "queue": {"path": str(queue_path), "pending": waiting},
                "checks": [
                    {"text": text, "findings": [f.model_dump(mode="json") for f in findings]}
                    for text, findings in checked
                ],
                "generated": [
                    [v.model_dump(mode="json", by_alias=True) for v in result]
                    for _, result in generated
                ],
                "measures": [
                    {
                        "copy": c.model_dump(),
                        "channel": ch,
                        "fields": [m.to_dict() for m in ms],
                    }
                    for c, ch, ms in measured
                ],
            }
        )
        return
    out = console()
    table = Table(title="1. Where each customer stands in the funnel", title_justify="left")
    table.add_column("signals")
    table.add_column("stage")
    table.add_column("conf.", justify="right")
    table.add_column("why")
    for signals, result in zip(script.customers, results, strict=True):
        shown = escape(signals.text) if signals.text else "[dim](no text)[/]"
        if signals.events:
            shown += "\n[dim]" + " ".join(str(e) for e in signals.events) + "[/]"
        table.add_row(
            shown,
            stage_label(result.stage),
            f"{result.confidence:.2f}",
            escape("\n".join(result.reasons)),
        )
    out.print(table)
    out.print("[bold]2. The same copy counted the way each channel counts[/]")
    for copy in script.copy_examples:
        _print_copy_measures(copy, [(ch, ms) for c, ch, ms in measured if c is copy])
    out.print(
        f"[bold]3. Variants written for each customer's stage, within the channel limits, "
        f"checked against the {escape(brand.name)} brand[/]"
    )
    for brief, result in generated:
        print_result(brief, result)
    out.print(f"[bold]4. Copy checked against {escape(brand.name)}'s guidelines[/]")
    for text, findings in checked:
        out.print(f"  {escape(text)}")
        for finding in findings:
            out.print(
                f"    [{_LEVEL_STYLE[finding.level]}]{finding.level}[/] "
                f"[dim]{escape(finding.rule)}[/] {escape(finding.message)}"
            )
        if not findings:
            out.print("    [green]clean[/]")
    out.print(
        f"[bold]5. {waiting} variants wait for review in {escape(str(queue_path))}[/]: "
        f"dco review {escape(str(queue_path))} --brand {escape(script.brand)}"
    )
    out.print(
        "[dim]Try your own:[/] dco generate --brief examples/brief.yaml --query '러닝 코칭 가격'"
        "   [dim]·[/] dco lint copy.txt --brand runfit   [dim]·[/] dco demo --rounds 3"
    )


def run_rounds(rounds: int, locale: str, queue_path: Path | None, as_json: bool) -> None:
    """The closed-loop simulation, printed round by round."""
    brand = Brand.load(_load_script().brand)
    table = Table(
        title=f"The feedback loop, simulated ({locale}): generate → review → tune",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in ("round", "approved", "edited", "rejected", "edit dist."):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("the round's prompt learned from")
    with tempfile.TemporaryDirectory() as temp:
        path = queue_path or Path(temp) / "simulation.db"
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
            "nothing yet" if not any(learned.values()) else
            f"{learned['examples']} examples, {learned['preferences']} preferences, "
            f"{learned['avoid']} words to avoid, {learned['notes']} notes",
        )  # fmt: skip
    console().print(table)
    console().print(
        "[dim]The fake provider does what its prompt says, so this proves the decisions reach "
        "the prompt and are used. With a real model and real reviewers, measure the gain with "
        "`dco stats --compare`.[/]"
    )
    if queue_path is not None:
        console().print(f"decisions kept in {escape(str(queue_path))}: dco stats {queue_path}")


def _print_copy_measures(copy: Copy, measured: list[tuple[str, list[FieldMeasure]]]) -> None:
    table = Table(
        title=escape(f"{copy.headline} / {copy.body} / {copy.cta}"),
        title_justify="left",
        title_style="",
    )
    for column in ("channel", "field", "from", "length / limit"):
        table.add_column(column)
    for channel, measures in measured:
        for index, m in enumerate(measures):
            colour = "red" if m.over else "green"
            shown = "—" if m.length is None else str(m.length)
            verdict = f"[{colour}]{shown}[/] / {m.limit} {m.unit}"
            if m.problem:
                verdict += " [red](cannot encode)[/]"
            table.add_row(channel if index == 0 else "", m.field, "+".join(m.copy_fields), verdict)
    console().print(table)


def _load_script() -> _DemoScript:
    return resources.load_data("demo.yaml").validate(_DemoScript, what="demo script")
