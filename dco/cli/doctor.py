"""`dco doctor`: is the provider set up? One small request checks key, server, model and
structured output, and says what to fix. With --queue: is the review queue?"""

from __future__ import annotations

import time

import click
from rich.markup import escape

from dco.cli.common import queue_location
from dco.cli.output import console
from dco.errors import (
    AuthenticationError,
    DcoError,
    InvalidRequestError,
    ProviderError,
    TransientError,
)
from dco.providers import get_provider
from dco.providers.base import ChatRequest, Message, ServerProvider
from dco.review import ReviewQueue

_PROBE_SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}
_PROBE = ChatRequest(
    messages=(
        Message("system", "You check that a connection works."),
        Message("user", 'Reply with the JSON object {"ok": true} and nothing else.'),
    ),
    json_schema=_PROBE_SCHEMA,
    schema_name="probe",
    temperature=0.0,
    max_tokens=20,
)
_MODES = {
    "json_schema": "strict JSON schema (best: replies follow the schema)",
    "json_schema_unbounded": "strict JSON schema without length bounds",
    "json_object": "JSON mode only (replies are checked and repaired by dco)",
    "none": "none: the schema is in the prompt alone (expect repair rounds)",
}


@click.command("doctor")
@click.option(
    "--provider",
    metavar="NAME",
    help="fake, openai or openai/<model>. Default: openai when OPENAI_API_KEY is set, else fake.",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds to wait.")
@click.option(
    "--queue",
    is_flag=False,
    flag_value="",
    metavar="[QUEUE]",
    help="Check the review queue instead (a SQLite file or a postgresql:// URL; alone, "
    "$DCO_QUEUE or ./dco-review.db): what holds it, the rights this user lacks, and whether "
    "review apps hear of decisions at once.",
)
def doctor(provider: str | None, timeout: float | None, queue: str | None) -> None:
    """Check the provider: the key, the server, the model and structured output, in one small
    request; print what was found and what to fix. Exit 1 when the check fails.

    With --queue, check a review queue as the user who will work in it: before a team's
    reviewers start, each runs it with their own URL.

    \b
    Examples:
      dco doctor
      OPENAI_BASE_URL=http://127.0.0.1:8090/v1 dco doctor --provider openai/gemma-3-270m
      dco doctor --queue postgresql://kim@db.internal/dco
    """
    if queue is not None:
        _check_queue(queue_location(queue or None))
        return
    llm = get_provider(provider, **({"timeout": timeout} if timeout else {}))
    out = console()
    out.print(f"provider   {escape(llm.name)}")
    out.print(f"model      {escape(llm.model)}")
    if isinstance(llm, ServerProvider):
        out.print(f"server     {escape(llm.server)}")
    started = time.perf_counter()
    try:
        result = llm.complete(_PROBE)
    except DcoError as e:
        out.print(f"[red]request    failed: {escape(str(e))}[/]")
        out.print(f"[bold]to fix[/]     {escape(_fix(e))}")
        raise SystemExit(1) from None
    seconds = time.perf_counter() - started
    out.print(f"request    answered in {seconds:.1f} s, {result.usage.prompt_tokens} prompt + "
              f"{result.usage.completion_tokens} completion tokens")  # fmt: skip
    if isinstance(llm, ServerProvider):
        mode = llm.structured_output
        out.print(f"structured {escape(_MODES.get(mode, mode))}")
    if isinstance(result.data, dict) and result.data.get("ok") is True:
        out.print("[green]reply      the JSON asked for: ready to generate[/]")
        return
    out.print(f"[yellow]reply      not the JSON asked for: {escape(result.text[:120])!r}[/]")
    out.print("[bold]to fix[/]     nothing to set: dco reads what it can and repairs the rest, "
              "but expect repair rounds; a larger model follows instructions better")  # fmt: skip


def _check_queue(location: str) -> None:
    out = console()
    try:
        with ReviewQueue(location, create=False) as queue:
            checkup = queue.checkup()
            try:
                counts = queue.stats()
                variants = f"{counts['pending']:,} pending of {counts['total']:,}"
            except DcoError as e:  # a right missing, say: the rights below say which
                variants = f"[red]cannot be read: {escape(str(e))}[/]"
    except DcoError as e:
        out.print(f"[red]queue      {escape(str(e))}[/]")
        raise SystemExit(1) from None
    out.print(f"queue      {escape(queue.store.location)}")
    out.print(f"server     {escape(checkup.server)}")
    out.print(f"variants   {variants}")
    if checkup.missing:
        out.print(f"[red]rights     lacking: {escape(', '.join(checkup.missing))}[/]")
    else:
        out.print("[green]rights     enough to generate into it and to review[/]")
    if checkup.announced:
        out.print("updates    review apps hear of other reviewers' decisions at once")
    else:
        out.print("updates    review apps look for other reviewers' decisions every 2 s")
    if abs(checkup.clock_ahead) >= CLOCKS_AGREE_WITHIN:
        side = "behind" if checkup.clock_ahead > 0 else "ahead of"
        seconds = f"{abs(checkup.clock_ahead):,.0f} s"
        out.print(f"clock      this machine's is {seconds} {side} the server's; leases are "
                  "timed by the server's, so reviews are not affected")  # fmt: skip
    if checkup.older_functions:
        out.print("functions  an older dco's, which this user may not replace: decisions take "
                  "a little longer until the owner connects with this dco")  # fmt: skip
    if checkup.missing:
        out.print(f"[bold]to fix[/]     {escape(checkup.fix)}")
        raise SystemExit(1)


CLOCKS_AGREE_WITHIN = 1.0
"""Seconds of difference between this machine's clock and the server's not worth a line."""


def _fix(error: DcoError) -> str:
    if isinstance(error, AuthenticationError):
        return "set OPENAI_API_KEY to a key the server accepts"
    if isinstance(error, InvalidRequestError) and error.status == 404:
        return "set DCO_MODEL (or --provider openai/<model>) to a model the server serves"
    if isinstance(error, TransientError):
        return ("check OPENAI_BASE_URL and that the server is running; a slow local server "
                "needs --timeout or DCO_TIMEOUT")  # fmt: skip
    if isinstance(error, ProviderError):
        return "read the server's message above; --provider fake works offline meanwhile"
    return "see the message above"
