"""`dco doctor`: is the provider set up? One small request checks key, server, model and
structured output, and says what to fix. With --queue: is the review queue?"""

from __future__ import annotations

import time

import click
from rich.cells import cell_len
from rich.console import Console
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
from dco.i18n import N_, _
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
    "json_schema": N_("strict JSON schema (best: replies follow the schema)"),
    "json_schema_unbounded": N_("strict JSON schema without length bounds"),
    "json_object": N_("JSON mode only (replies are checked and repaired by dco)"),
    "none": N_("none: the schema is in the prompt alone (expect repair rounds)"),
}
_LABELS = {
    "provider": N_("provider"), "model": N_("model"), "server": N_("server"),
    "request": N_("request"), "structured": N_("structured"), "reply": N_("reply"),
    "to fix": N_("to fix"), "queue": N_("queue"), "variants": N_("variants"),
    "rights": N_("rights"), "updates": N_("updates"), "clock": N_("clock"),
    "functions": N_("functions"),
}  # fmt: skip
"""What each line of the report is about, as its first column says it."""


def _say(out: Console, label: str, text: str, style: str = "") -> None:
    """One line of the report: its label, padded to the widest label in the language in use
    (by the columns a terminal gives it), then `text` (rich markup), in `style` when given."""
    shown = _(_LABELS[label])
    width = max(cell_len(_(name)) for name in _LABELS.values())
    head = f"[bold]{escape(shown)}[/]" if label == "to fix" else escape(shown)
    line = f"{head}{' ' * (width - cell_len(shown) + 1)}{text}"
    out.print(f"[{style}]{line}[/]" if style else line)


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
    _say(out, "provider", escape(llm.name))
    _say(out, "model", escape(llm.model))
    if isinstance(llm, ServerProvider):
        _say(out, "server", escape(llm.server))
    started = time.perf_counter()
    try:
        result = llm.complete(_PROBE)
    except DcoError as e:
        _say(out, "request", escape(_("failed: {why}").format(why=e)), "red")
        _say(out, "to fix", escape(_fix(e)))
        raise SystemExit(1) from None
    seconds = time.perf_counter() - started
    answered = _(
        "answered in {seconds} s, {prompt} prompt + {completion} completion tokens"
    ).format(
        seconds=f"{seconds:.1f}", prompt=result.usage.prompt_tokens,
        completion=result.usage.completion_tokens,
    )  # fmt: skip
    _say(out, "request", escape(answered))
    if isinstance(llm, ServerProvider):
        mode = llm.structured_output
        _say(out, "structured", escape(_(_MODES[mode]) if mode in _MODES else mode))
    if isinstance(result.data, dict) and result.data.get("ok") is True:
        _say(out, "reply", escape(_("the JSON asked for: ready to generate")), "green")
        return
    wrote = _("not the JSON asked for: {text}").format(text=repr(result.text[:120]))
    _say(out, "reply", escape(wrote), "yellow")
    _say(
        out, "to fix",
        escape(_("nothing to set: dco reads what it can and repairs the rest, but expect repair "
                 "rounds; a larger model follows instructions better")),
    )  # fmt: skip


def _check_queue(location: str) -> None:
    out = console()
    try:
        with ReviewQueue(location, create=False) as queue:
            checkup = queue.checkup()
            try:
                counts = queue.stats()
                variants = escape(
                    _("{pending} pending of {total}").format(
                        pending=f"{counts['pending']:,}", total=f"{counts['total']:,}"
                    )
                )
            except DcoError as e:  # a right missing, say: the rights below say which
                unread = _("cannot be read: {why}").format(why=e)
                variants = f"[red]{escape(unread)}[/]"
    except DcoError as e:
        _say(out, "queue", escape(str(e)), "red")
        raise SystemExit(1) from None
    _say(out, "queue", escape(queue.store.location))
    _say(out, "server", escape(checkup.server))
    _say(out, "variants", variants)
    if checkup.missing:
        lacking = _("lacking: {rights}").format(rights=", ".join(checkup.missing))
        _say(out, "rights", escape(lacking), "red")
    else:
        _say(out, "rights", escape(_("enough to generate into it and to review")), "green")
    if checkup.announced:
        _say(out, "updates", escape(_("review apps hear of other reviewers' decisions at once")))
    else:
        every = _("review apps look for other reviewers' decisions every {seconds} s")
        _say(out, "updates", escape(every.format(seconds=2)))
    if abs(checkup.clock_ahead) >= CLOCKS_AGREE_WITHIN:
        seconds = f"{abs(checkup.clock_ahead):,.0f}"
        clock = (
            _("this machine's is {seconds} s behind the server's; leases are timed by the "
              "server's, so reviews are not affected")
            if checkup.clock_ahead > 0
            else _("this machine's is {seconds} s ahead of the server's; leases are timed by "
                   "the server's, so reviews are not affected")
        ).format(seconds=seconds)  # fmt: skip
        _say(out, "clock", escape(clock))
    if checkup.older_functions:
        older = _(
            "an older dco's, which this user may not replace: decisions take a little longer "
            "until the owner connects with this dco"
        )
        _say(out, "functions", escape(older))
    if checkup.missing:
        _say(out, "to fix", escape(checkup.fix))
        raise SystemExit(1)


CLOCKS_AGREE_WITHIN = 1.0
"""Seconds of difference between this machine's clock and the server's not worth a line."""


def _fix(error: DcoError) -> str:
    if isinstance(error, AuthenticationError):
        return _("set OPENAI_API_KEY to a key the server accepts")
    if isinstance(error, InvalidRequestError) and error.status == 404:
        return _("set DCO_MODEL (or --provider openai/<model>) to a model the server serves")
    if isinstance(error, TransientError):
        return _(
            "check OPENAI_BASE_URL and that the server is running; a slow local server needs "
            "--timeout or DCO_TIMEOUT"
        )
    if isinstance(error, ProviderError):
        return _("read the server's message above; --provider fake works offline meanwhile")
    return _("see the message above")
