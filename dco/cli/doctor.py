"""`dco doctor`: is the provider set up? One small request checks key, server, model and
structured output, and says what to fix."""

from __future__ import annotations

import time

import click
from rich.markup import escape

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
def doctor(provider: str | None, timeout: float | None) -> None:
    """Check the provider: the key, the server, the model and structured output, in one small
    request; print what was found and what to fix. Exit 1 when the check fails.

    \b
    Examples:
      dco doctor
      OPENAI_BASE_URL=http://127.0.0.1:8090/v1 dco doctor --provider openai/gemma-3-270m
    """
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
