"""`dco generate`: variants for one or more briefs, to the terminal, a JSONL file, or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pydantic
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dco import yamlfile
from dco.brand import Brand
from dco.cli.common import load_brand
from dco.cli.output import error_console, events_option, print_json
from dco.cli.variants import print_result, provider_note
from dco.errors import ConfigError
from dco.generation import generate_many
from dco.models import Brief, FunnelStage, Signals
from dco.prompts.templates import PromptSet
from dco.providers import get_provider
from dco.providers.cache import CachedProvider
from dco.review import ReviewQueue
from dco.tuning import PROFILE_NAME, TuningProfile


@click.command("generate")
@click.option(
    "--brief",
    "brief_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A brief in YAML or JSON: one mapping, or a list of them.",
)
@click.option("--query", help="The customer's search or intent text, to classify the stage.")
@events_option
@click.option(
    "--stage",
    type=click.Choice([s.value for s in FunnelStage]),
    help="Write for this stage instead of classifying signals.",
)
@click.option(
    "--channel", metavar="NAME", help="Override the brief's channel (see `dco channels`)."
)
@click.option(
    "--n", "n", default=5, show_default=True, type=click.IntRange(1, 50), help="Variants per brief."
)
@click.option(
    "--provider",
    metavar="NAME",
    help="fake, openai or openai/<model>. Default: openai when OPENAI_API_KEY is set, else fake.",
)
@click.option("--seed", type=int, help="Sampling seed, for reproducible output.")
@click.option("--temperature", default=0.8, show_default=True, type=click.FloatRange(0, 2))
@click.option(
    "--prompts",
    "prompts_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Your own prompts folder, overriding templates one by one.",
)
@click.option(
    "--concurrency",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Briefs generated at once.",
)
@click.option(
    "--brand",
    "brand_dir",
    metavar="DIR",
    help="Check (and repair) the variants against this brand folder, or a built-in brand's name.",
)
@click.option(
    "--profile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A tuning profile from `dco tune` [default: the brand folder's tuning.yaml, if any].",
)
@click.option(
    "--queue",
    "queue_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Submit the variants to this review queue (a SQLite file, created if new).",
)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Reuse replies to identical requests from this SQLite file (created if new).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append the variants to this JSONL file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the variants as JSON.")
def generate_command(
    brief_file: Path, query: str | None, events: tuple[str, ...], stage: str | None,
    channel: str | None, n: int, provider: str | None, seed: int | None, temperature: float,
    prompts_dir: Path | None, concurrency: int, brand_dir: str | None, profile: Path | None,
    queue_path: Path | None, cache: Path | None, out: Path | None, as_json: bool,
) -> None:  # fmt: skip
    """Write N headline / body / CTA variants for each brief, fitted to the customer's stage.

    Give the customer's signals (--query, --event) to classify their stage, or --stage.

    \b
    Examples:
      dco generate --brief brief.yaml --query "하프 마라톤 코칭 가격" --channel google_rsa
      dco generate --brief briefs.yaml --stage decision --n 10 --out variants.jsonl
      dco generate --brief brief.yaml --stage awareness --provider openai/gpt-4o-mini
    """
    briefs = _read_briefs(brief_file)
    if channel:
        briefs = [b.model_copy(update={"channel": channel}) for b in briefs]
    signals = Signals(text=query or "", events=events) if (query or events) else None
    if signals is None and stage is None:
        raise click.UsageError("give the customer's signals (--query/--event) or a --stage")
    llm = get_provider(provider)
    provider_note(llm)
    if cache is not None:
        llm = CachedProvider(llm, cache)
    brand = load_brand(brand_dir) if brand_dir else None
    profile = profile or _brand_profile(brand)
    options: dict[str, Any] = dict(
        signals=signals, stage=stage, n=n, provider=llm, seed=seed, temperature=temperature,
        prompts=PromptSet(prompts_dir) if prompts_dir else None, brand=brand,
        profile=TuningProfile.load(profile) if profile else None,
    )  # fmt: skip
    with _ProgressBar(len(briefs)) as on_progress:
        batch = generate_many(briefs, concurrency=concurrency, on_progress=on_progress, **options)
    if queue_path is not None:
        with ReviewQueue(queue_path) as queue:
            added = queue.submit(batch.variants)
            waiting = queue.stats()["pending"]
        error_console().print(
            f"submitted {added} new variants to {queue_path} ({waiting} waiting for review)"
        )
    if out is not None:
        with out.open("a", encoding="utf-8") as file:
            for variant in batch.variants:
                file.write(variant.model_dump_json(by_alias=True) + "\n")
        error_console().print(f"wrote {len(batch.variants)} variants to {out}")
    if as_json:
        print_json([v.model_dump(mode="json", by_alias=True) for v in batch.variants])
    else:
        for brief, result in zip(briefs, batch.results, strict=True):
            if result is not None:
                print_result(brief, result)
    for failure in batch.failures:
        error_console().print(
            f"[red]brief {failure.index + 1} ({failure.brief.product}) failed:[/] {failure.error}"
        )
    if batch.failures:
        raise SystemExit(1)


class _ProgressBar:
    """A progress bar on stderr for batches of more than one brief; nothing for a single one."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Progress | None = None

    def __enter__(self):
        if self.total < 2:
            return None
        self.bar = Progress(
            TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=error_console(), transient=True,
        )  # fmt: skip
        task = self.bar.add_task("briefs", total=self.total)
        self.bar.start()
        bar = self.bar
        return lambda done, total: bar.update(task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _read_briefs(path: Path) -> list[Brief]:
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from e
        document = yamlfile.Document(path, data, {})
    else:
        document = yamlfile.load(path)
    items = document.data if isinstance(document.data, list) else [document.data]
    briefs = []
    for index, item in enumerate(items):
        try:
            briefs.append(Brief.model_validate(item))
        except pydantic.ValidationError as e:
            at = (index,) if isinstance(document.data, list) else ()
            raise document.error_from(e, what="brief", at=at) from e
    if not briefs:
        raise ConfigError(f"{path}: no briefs in the file")
    return briefs


def _brand_profile(brand: Brand | None) -> Path | None:
    """The tuning profile in the brand's folder, said on stderr, if it has one."""
    if brand is None or brand.folder is None or not (brand.folder / PROFILE_NAME).is_file():
        return None
    profile = brand.folder / PROFILE_NAME
    error_console().print(f"[dim]prompts tuned by {profile} (--profile to choose another)[/]")
    return profile
