"""`dco batch`: campaigns sent through the provider's Batch API — where they stand, and
bringing their variants in (`dco generate --batch` sends them)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from dco.cli.output import ProgressBar, console, error_console, print_json
from dco.cli.sinks import Sinks
from dco.errors import OptionError
from dco.generation.batch_jobs import (
    JOBS_FOLDER,
    BatchJob,
    Collected,
    batch_status,
    collect_batch,
    open_job,
    submit_batch,
)
from dco.generation.batch_rounds import limits_for
from dco.generation.cost import spend_data, spend_line
from dco.i18n import _, counted
from dco.models import Brief
from dco.providers import get_provider
from dco.providers.base import BatchProvider, BatchStatus

batch_dir_option = click.option(
    "--batch-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=JOBS_FOLDER,
    show_default=True,
    help="Where `dco generate --batch` kept the job.",
)


def submit_campaign(
    briefs: Sequence[Brief], options: dict[str, Any], settings: dict[str, Any], folder: Path
) -> None:
    """`dco generate --batch`: write, upload and start the batch; say how to collect it."""
    provider = options.pop("provider")
    if not isinstance(provider, BatchProvider):
        raise OptionError(
            _(
                "the {provider} provider has no Batch API; use --provider openai/<model>, or "
                "generate without --batch"
            ).format(provider=provider.name)
        )
    with ProgressBar(len(briefs), _("preparing")) as on_progress:
        job = submit_batch(
            briefs, provider=provider, folder=folder, settings=settings,
            limits=limits_for(settings.get("batch_size")),
            on_progress=(lambda done: on_progress(done, len(briefs))) if on_progress else None,
            **options,
        )  # fmt: skip
    console().print(job.batch_id, highlight=False, markup=False)
    sent = _in_batches(counted(len(briefs), "brief"), job)
    error_console().print(
        _(
            "sent {briefs} as batch {batch} (job kept in {folder}); `dco batch status {batch}` "
            "says where it stands, `dco batch collect {batch} --queue QUEUE` brings the variants "
            "in once it is done"
        ).format(briefs=sent, batch=job.batch_id, folder=job.folder),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


@click.group("batch")
def batch() -> None:
    """Campaigns sent with `dco generate --batch`: where they stand, and collecting them."""


@batch.command("status")
@click.argument("job_id", metavar="ID")
@batch_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status_command(job_id: str, batch_dir: Path, as_json: bool) -> None:
    """Where batch ID (or its job) stands on the provider's side.

    \b
    Examples:
      dco batch status batch_abc123
    """
    job = open_job(job_id, batch_dir)
    status = batch_status(job, _provider(job))
    if as_json:
        print_json(_status_data(job, status))
        return
    console().print(_status_line(job, status), highlight=False, markup=False)


@batch.command("collect")
@click.argument("job_id", metavar="ID")
@batch_dir_option
@click.option(
    "--queue",
    "queue_path",
    metavar="QUEUE",
    help="Submit the accepted variants to this review queue (a SQLite file or a postgresql:// "
    "URL) [default: $DCO_QUEUE].",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Append the variants here."
)
@click.option(
    "--direct",
    is_flag=True,
    help="Ask for repairs (and requests the batch left unanswered) straight away, at the "
    "direct price, instead of as a follow-up batch.",
)
@click.option("--wait", is_flag=True, help="Poll until the batch is done, then collect.")
@click.option(
    "--poll",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="Seconds between polls with --wait.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes that check the replies [default: on Linux, one per core (at most 8) for a "
    "job of 500 briefs or more; elsewhere 1]. 1 checks them in this process.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the collection as JSON.")
def collect_command(
    job_id: str, batch_dir: Path, queue_path: str | None, out: Path | None, direct: bool,
    wait: bool, poll: float, workers: int | None, as_json: bool,
) -> None:  # fmt: skip
    """Bring in the variants of batch ID once the provider has answered it: download the
    replies (kept in the job's folder), run the same checks as direct generation, and submit
    the accepted variants to the queue. Replies that need repair go out as a follow-up batch
    (collect that one the same way), or straight away with --direct. Safe to run again.

    \b
    Examples:
      dco batch collect batch_abc123 --queue dco-review.db
      dco batch collect batch_abc123 --queue postgresql://kim@db.internal/dco --wait
    """
    from dco.cli.generate import generation_options

    job = open_job(job_id, batch_dir)
    provider = _provider(job)
    if queue_path is None and out is None:
        raise OptionError(_("give --queue (or set DCO_QUEUE) or --out: where the variants go"))
    options = generation_options(job.settings, provider)
    options.pop("provider")
    with Sinks(queue_path, out) as sinks, ProgressBar(job.briefs, _("checking")) as on_progress:
        while True:
            collected = collect_batch(job, provider=provider, sink=sinks, direct=direct,
                                      workers=workers, on_progress=on_progress,
                                      on_download=_say_downloading,
                                      limits=limits_for(job.settings.get("batch_size")),
                                      **options)  # fmt: skip
            if collected.status.finished or not wait:
                break
            error_console().print(
                _status_line(job, collected.status), highlight=False, markup=False
            )
            time.sleep(poll)
        if collected.status.finished:
            sinks.report()
    _report(collected, as_json)
    if collected.failures:
        raise SystemExit(1)


def _say_downloading(path: Path) -> None:
    error_console().print(
        _("downloading {path} from the provider").format(path=path), highlight=False, markup=False
    )


def _provider(job: BatchJob) -> BatchProvider:
    provider = get_provider(job.provider)
    if not isinstance(provider, BatchProvider):
        raise OptionError(
            _("the {provider} provider has no Batch API to ask about this job").format(
                provider=provider.name
            )
        )
    return provider


def _in_batches(requests: str, job: BatchJob) -> str:
    """`requests`, with how many batches carry them when the round was more than one may hold."""
    if job.current.parts == 1:
        return requests
    return _("{requests} in {parts} batches").format(requests=requests, parts=job.current.parts)


def _status_line(job: BatchJob, status: BatchStatus) -> str:
    requests = _in_batches(counted(job.current.requests, "request"), job)
    if len(job.rounds) > 1:
        requests = _("round {number}, {requests}").format(
            number=job.current.number, requests=requests
        )
    line = _("{job}: batch {batch} ({requests}) is {status}").format(
        job=job.job_id, batch=status.id, requests=requests, status=status.status
    )
    if status.total:
        line += _(", {done}/{total} answered").format(
            done=status.completed + status.failed, total=status.total
        )
    if status.errors:
        line += _("; the provider says: {errors}").format(errors="; ".join(status.errors[:3]))
    if status.finished and not job.finished:
        line += _("; collect it: {command}").format(
            command=f"dco batch collect {status.id} --queue QUEUE"
        )
    elif job.finished:
        line += _("; collected")
    return line


def _status_data(job: BatchJob, status: BatchStatus) -> dict[str, Any]:
    return {
        "job": job.job_id, "batch": status.id, "batches": job.current.batch_ids,
        "round": job.current.number,
        "status": status.status, "total": status.total, "completed": status.completed,
        "failed": status.failed, "errors": list(status.errors), "collected": job.finished,
    }  # fmt: skip


def _report(collected: Collected, as_json: bool) -> None:
    job, status = collected.job, collected.status
    if as_json:
        print_json({
            **_status_data(job, status), "done": collected.done,
            "accepted": collected.accepted, "discarded": collected.discarded,
            "next_batch": collected.next_batch, "downloaded_again": collected.downloaded_again,
            "spend": spend_data(collected.spend, job.model, batch=True),
            "failures": [{"brief": f.index + 1, "product": f.brief.product, "error": f.error}
                         for f in collected.failures],
        })  # fmt: skip
        return
    if not status.finished:
        console().print(
            _status_line(job, status) + _("; run this again later, or with --wait"),
            highlight=False,
            markup=False,
        )
        return
    summary = _("batch {batch}: {variants} accepted, {discarded} discarded, {briefs} failed")
    summary = summary.format(
        batch=status.id, variants=counted(collected.accepted, "variant"),
        discarded=collected.discarded, briefs=counted(len(collected.failures), "brief"),
    )  # fmt: skip
    if collected.next_batch:
        summary += _(
            "; the rest went out as batch {batch}: collect it the same way once it is done"
        ).format(batch=collected.next_batch)
    console().print(summary, highlight=False, markup=False)
    for name in collected.downloaded_again:
        note = _(
            "{path} was removed or changed since it was downloaded; it was downloaded again "
            "from the provider"
        ).format(path=job.path(name))
        error_console().print(f"[yellow]{escape(note)}[/]")
    error_console().print(
        f"[dim]{escape(spend_line(collected.spend, collected.accepted, job.model, batch=True))}[/]"
    )
    for failure in collected.failures:
        heading = _("brief {number} ({product}) failed:").format(
            number=failure.index + 1, product=failure.brief.product
        )
        error_console().print(f"[red]{escape(heading)}[/] {escape(failure.error)}")
