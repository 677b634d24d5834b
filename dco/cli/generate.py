"""`dco generate`: variants for one or more briefs, to the terminal, a JSONL file, or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
import pydantic
from rich.markup import escape

from dco import userfiles, yamlfile
from dco.brand import Brand
from dco.channels import get_channel
from dco.cli.common import DefaultFromData, load_brand
from dco.cli.output import ProgressBar, console, error_console, events_option, print_json
from dco.cli.sinks import Sinks, brief_key, briefs_done
from dco.cli.variants import print_result, provider_note
from dco.errors import ConfigError, UnknownNameError
from dco.generation import BatchResult, Discarded, generate_many
from dco.generation.batch_jobs import JOBS_FOLDER
from dco.generation.batch_rounds import batch_limits
from dco.generation.cost import spend_line
from dco.generation.plan import sent_brief
from dco.generation.run import first_request
from dco.i18n import _, counted
from dco.models import Brief, FunnelStage, Signals
from dco.prompts.templates import PromptSet
from dco.providers import get_provider
from dco.providers.base import ChatRequest, Provider
from dco.providers.cache import CachedProvider
from dco.tuning import PROFILE_NAME, TuningProfile
from dco.userfiles import read_text


@click.command("generate")
@click.option(
    "--brief",
    "brief_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A brief in YAML or JSON (one mapping, or a list of them), or a campaign in JSON "
    "Lines (.jsonl: a brief a line).",
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
    "-n",
    "--n",
    "n",
    default=5,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Variants per brief.",
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
    help="Briefs generated at once (a local server that answers one request at a time wants 1).",
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
    metavar="QUEUE",
    help="Submit the variants to this review queue: a SQLite file (created if new) or a "
    "postgresql:// URL [default: $DCO_QUEUE when set].",
)
@click.option(
    "--init",
    is_flag=True,
    help="Let dco add its tables to a queue database that holds another application's tables.",
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
@click.option(
    "--resume",
    is_flag=True,
    help="Skip the briefs whose variants --out already holds (after a crash or a stop).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds to wait for each reply [default: DCO_TIMEOUT, else 60]; a small local "
    "model may need minutes.",
)
@click.option("--verbose", "-v", is_flag=True, help="List each discarded variant and why.")
@click.option(
    "--batch",
    "use_batch",
    is_flag=True,
    help="Send every brief through the provider's Batch API (half the price, answered within "
    "24 h) and return at once with the batch's id; `dco batch collect ID` brings the variants "
    "in.",
)
@click.option(
    "--batch-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=JOBS_FOLDER,
    show_default=True,
    help="Where batch jobs keep their requests, replies and state.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    cls=DefaultFromData,
    shown=lambda: _("the Batch API's most, {most}").format(most=f"{batch_limits().requests:,}"),
    help="With --batch: requests in one batch at most; a larger campaign goes out as several. "
    "Lower it when the provider refuses batches for your organisation's limit on enqueued "
    "tokens.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print each brief's first request (prompts, schema, sampling) and send nothing.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON report: each brief's variants, what was discarded and why, failures.",
)
def generate_command(
    brief_file: Path, query: str | None, events: tuple[str, ...], stage: str | None,
    channel: str | None, n: int, provider: str | None, seed: int | None, temperature: float,
    prompts_dir: Path | None, concurrency: int, brand_dir: str | None, profile: Path | None,
    queue_path: str | None, init: bool, cache: Path | None, out: Path | None, resume: bool,
    timeout: float | None, verbose: bool, use_batch: bool, batch_dir: Path,
    batch_size: int | None, dry_run: bool, as_json: bool,
) -> None:  # fmt: skip
    """Write N headline / body / CTA variants for each brief, fitted to the customer's stage.

    Give the customer's signals (--query, --event) to classify their stage, or --stage.

    \b
    Examples:
      dco generate --brief brief.yaml --query "하프 마라톤 코칭 가격" --channel google_rsa
      dco generate --brief briefs.yaml --stage decision --n 10 --out variants.jsonl
      dco generate --brief brief.yaml --stage awareness --provider openai/gpt-4o-mini
      dco generate --brief campaign.yaml --stage decision --provider openai/gpt-4o-mini --batch
    """
    briefs = _read_briefs(brief_file, channels=channel is None)
    if channel:
        briefs = [b.model_copy(update={"channel": channel}) for b in briefs]
    if not (query or events) and stage is None:
        raise click.UsageError(_("give the customer's signals (--query/--event) or a --stage"))
    if resume and out is None:
        raise click.UsageError(_("--resume needs --out: the file whose briefs are done"))
    if batch_size is not None and not use_batch:
        raise click.UsageError(_("--batch-size goes with --batch"))
    llm = get_provider(provider, **({"timeout": timeout} if timeout else {}))
    provider_note(llm)
    if cache is not None:
        llm = CachedProvider(llm, cache)
    settings = {
        "provider": provider, "query": query, "events": list(events), "stage": stage, "n": n,
        "seed": seed, "temperature": temperature, "brand_dir": brand_dir,
        "prompts_dir": str(prompts_dir) if prompts_dir else None,
        "profile": str(profile) if profile else None,
        # A batch is collected later: its context is read at the moment it was sent.
        "time": datetime.now(timezone.utc).isoformat() if use_batch else None,
        "batch_size": batch_size,  # and its follow-up rounds are split the same way
    }  # fmt: skip
    options = generation_options(settings, llm)
    if dry_run:
        _print_requests(briefs, options, as_json)
        return
    if use_batch:
        from dco.cli.batch import submit_campaign

        submit_campaign(briefs, options, settings, batch_dir)
        return
    todo = list(range(len(briefs)))
    if resume and out is not None:
        done = briefs_done(out)
        todo = [i for i in todo if brief_key(sent_brief(briefs[i])) not in done]
        if len(todo) < len(briefs):
            error_console().print(
                _("resuming: {done} of {briefs} already in {path}").format(
                    done=len(briefs) - len(todo), briefs=counted(len(briefs), "brief"), path=out
                ),
                markup=False,
            )
    # Where the variants go is opened, and checked, before any request is paid for; each
    # brief's variants are written there as it completes, so a crash loses none of them.
    with Sinks(queue_path, out, init=init) as sinks:
        with ProgressBar(len(todo), _("generating")) as on_progress:
            batch = generate_many(
                [briefs[i] for i in todo], concurrency=concurrency, on_progress=on_progress,
                on_result=lambda index, result, failure: sinks.write(result),
                **options,
            )  # fmt: skip
        sinks.report()
    line = spend_line(batch.spend(), len(batch.variants), llm.model)
    shared = batch.shared_prefix()
    if shared is not None:
        line += "; " + _("{share} of a prompt is a prefix every brief shares").format(
            share=f"{shared:.0%}"
        )
    error_console().print(f"[dim]{line}[/]")
    chosen = [briefs[i] for i in todo]
    if as_json:
        print_json(_report(chosen, batch))
    else:
        for brief, result in zip(chosen, batch.results, strict=True):
            if result is not None:
                print_result(brief, result, verbose=verbose)
    for failure in batch.failures:
        number = todo[failure.index] + 1
        error_console().print(
            f"[red]brief {number} ({escape(failure.brief.product)}) failed:[/] "
            f"{escape(failure.error)}"
        )
    if concurrency > 1 and any("timed out" in f.error for f in batch.failures):
        # A server with one slot (llama.cpp, Ollama by default) queues the rest behind it.
        error_console().print(
            f"[yellow]requests timed out with {concurrency} at once: a local server often "
            "answers one at a time; try --concurrency 1, or a longer --timeout[/]"
        )
    if batch.failures:
        raise SystemExit(1)


def generation_options(settings: Mapping[str, Any], provider: Provider) -> dict[str, Any]:
    """`generate`'s options from the command's settings (kept with a batch job, so that
    `dco batch collect` rebuilds exactly the requests that were sent)."""
    query, events = settings.get("query"), tuple(settings.get("events") or ())
    signals = None
    if query or events:
        context = {"time": settings["time"]} if settings.get("time") else {}
        signals = Signals(text=query or "", events=events, context=context)
    brand = load_brand(settings["brand_dir"]) if settings.get("brand_dir") else None
    profile = settings.get("profile") or _brand_profile(brand)
    prompts_dir = settings.get("prompts_dir")
    return dict(
        signals=signals, stage=settings.get("stage"), n=settings.get("n", 5), provider=provider,
        seed=settings.get("seed"), temperature=settings.get("temperature", 0.8),
        prompts=PromptSet(Path(prompts_dir)) if prompts_dir else None, brand=brand,
        profile=TuningProfile.load(profile) if profile else None,
    )  # fmt: skip


def _print_requests(briefs: list[Brief], options: dict[str, Any], as_json: bool) -> None:
    """Each brief's first request, as it would be sent (nothing is)."""
    requests = [first_request(brief, **options) for brief in briefs]
    if as_json:
        print_json([_request_data(request) for request in requests])
        return
    for number, request in enumerate(requests, 1):
        console().rule(f"brief {number}: request (not sent)")
        for message in request.messages:
            console().print(f"[bold]{message.role}[/]")
            console().print(escape(message.content))
        settings = {k: v for k, v in _request_data(request).items() if k != "messages"}
        console().print(f"[dim]{escape(json.dumps(settings, ensure_ascii=False))}[/]")


def _request_data(request: ChatRequest) -> dict[str, Any]:
    return {
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        "json_schema": request.json_schema,
        "temperature": request.temperature,
        "seed": request.seed,
        "max_tokens": request.max_tokens,
    }


def _report(briefs: list[Brief], batch: BatchResult) -> dict[str, Any]:
    """The batch as JSON: each brief's variants and discards, and the failures."""
    failed = {f.index: f.error for f in batch.failures}
    rows: list[dict[str, Any]] = []
    for index, (brief, result) in enumerate(zip(briefs, batch.results, strict=True)):
        rows.append({
            "brief": index + 1,
            "product": brief.product,
            "variants": [v.model_dump(mode="json", by_alias=True) for v in result or []],
            "discarded": [_discarded(d) for d in result.discarded] if result is not None else [],
            "shortfall": result.shortfall if result is not None else None,
            "unwritten": result.unwritten if result is not None else None,
            "error": failed.get(index),
        })  # fmt: skip
    return {
        "ok": not batch.failures,
        "briefs": rows,
        "variants": len(batch.variants),
        "failures": len(batch.failures),
    }


def _discarded(discarded: Discarded) -> dict[str, Any]:
    return {
        "reason": discarded.reason,
        "copy": discarded.copy.model_dump(mode="json") if discarded.copy else None,
        "findings": [f.model_dump(mode="json") for f in discarded.findings],
    }


def _read_briefs(path: Path, *, channels: bool = True) -> list[Brief]:
    """The briefs in a YAML, JSON or JSON Lines file, each checked (and, with `channels`, its
    channel known), or a one-line error at the file, line and key at fault."""
    briefs = []
    for item, document, at in _brief_items(path):
        try:
            brief = Brief.model_validate(item)
        except pydantic.ValidationError as e:
            raise document.error_from(e, what="brief", at=at) from e
        try:  # a channel dco does not know fails here, before any request is paid for
            if channels:
                get_channel(brief.channel)
        except UnknownNameError as e:
            raise ConfigError(
                _("{where}: brief: {why}").format(where=document.where((*at, "channel")), why=e)
            ) from e
        briefs.append(brief)
    if not briefs:
        raise ConfigError(_("{path}: no briefs in the file").format(path=path))
    return briefs


def _brief_items(path: Path) -> Iterator[tuple[Any, yamlfile.Document, tuple[int, ...]]]:
    """Each brief in the file, unchecked, with the document holding it and where in it: a YAML
    or JSON file holds one brief or a list; a JSON Lines file (`.jsonl`, as a data warehouse
    exports a campaign) a brief a line, each a document of its own that knows its line."""
    if path.suffix == ".jsonl":
        for number, line in enumerate(read_text(path).splitlines(), 1):
            if line.strip():
                data = _json(line, path, number)
                yield data, yamlfile.Document(path, data, {(): (number, 1)}), ()
        return
    if path.suffix == ".json":
        document = yamlfile.Document(path, _json(read_text(path), path), {})
    else:
        document = yamlfile.load(path)
    if isinstance(document.data, list):
        yield from ((item, document, (index,)) for index, item in enumerate(document.data))
    else:
        yield document.data, document, ()


def _json(text: str, path: Path, first_line: int = 1) -> Any:
    try:
        return userfiles.loads(text)
    except userfiles.KeyGivenTwice as e:
        where = f"{path}:{first_line}" if path.suffix == ".jsonl" else path
        raise userfiles.key_twice(where, e) from None
    except json.JSONDecodeError as e:
        raise ConfigError(
            _("{file}:{line}:{column}: invalid JSON: {why}").format(
                file=path, line=first_line + e.lineno - 1, column=e.colno, why=e.msg
            )
        ) from None


def _brand_profile(brand: Brand | None) -> Path | None:
    """The tuning profile in the brand's folder, said on stderr, if it has one."""
    if brand is None or brand.folder is None or not (brand.folder / PROFILE_NAME).is_file():
        return None
    profile = brand.folder / PROFILE_NAME
    tuned = _("prompts tuned by {profile} (--profile to choose another)").format(profile=profile)
    error_console().print(f"[dim]{escape(tuned)}[/]")
    return profile
