"""The `dco` command: thin click commands that parse, call the library and print."""

from __future__ import annotations

import importlib
import io
import os
import sys
from typing import NoReturn

import click
import pydantic
from rich.markup import escape

import dco
from dco.cli.language import choose, translate
from dco.cli.output import error_console
from dco.errors import DcoError
from dco.i18n import _

DEBUG_VARIABLE = "DCO_DEBUG"
QUEUE_HELP = (
    "QUEUE is the review queue: a SQLite file, or a postgresql:// URL for a team's shared "
    "server (pip install 'dco-loop[postgres]'); by default $DCO_QUEUE, else ./dco-review.db."
)

COMMANDS = {
    "demo": "demo:demo",
    "classify": "classify:classify",
    "generate": "generate:generate_command",
    "lint": "lint:lint_command",
    "review": "review:review_command",
    "export": "export:export_command",
    "stats": "stats:stats_command",
    "tune": "tune:tune_command",
    "outcomes": "outcomes:outcomes",
    "select": "select:select_command",
    "queue": "queue:queue",
    "batch": "batch:batch",
    "channels": "channels:channels",
    "measure": "measure:measure",
    "doctor": "doctor:doctor",
    "config": "config:config_command",
}
"""Each command and where it lives: a command's module is imported only when it runs (or when
--help lists them all), so `dco lint` in CI does not pay for the review app or numpy."""


class DcoGroup(click.Group):
    """Turns dco's own errors into one line on stderr and exit status 2, never a traceback;
    loads each command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        command = getattr(importlib.import_module(f"dco.cli.{module}"), attribute)
        if any(param.name == "db" for param in command.params) and not command.epilog:
            command.epilog = QUEUE_HELP
        return translate(command)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (DcoError, pydantic.ValidationError) as e:
            if _debugging():
                raise
            _fail(_one_line(e))


def _debugging() -> bool:
    """Whether DCO_DEBUG asks for tracebacks: set to anything but nothing, 0, false, no or off."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() not in ("", "0", "false", "no", "off")


def _speak_any_text(stream: object) -> None:
    """Have `stream` write what its encoding cannot as escapes (\\uc5c5) instead of ending the
    command in UnicodeEncodeError: a terminal or pipe set to ASCII (PYTHONIOENCODING=ascii, an
    old locale) would otherwise fail on the first Hangul or dash dco prints."""
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        stream.reconfigure(errors="backslashreplace")


def _fail(message: str) -> NoReturn:
    """One line on stderr and exit status 2: how every error the user can act on ends
    (DCO_DEBUG=1 shows the traceback instead, as `--help` says)."""
    error_console().print(
        f"[bold red]{_('dco: error:')}[/] {escape(message)}", highlight=False, soft_wrap=True
    )
    sys.exit(2)


def _one_line(error: Exception) -> str:
    if isinstance(error, pydantic.ValidationError):
        problem = error.errors(include_url=False)[0]
        where = ".".join(str(k) for k in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        return f"{error.title}: {where + ': ' if where else ''}{message}"
    return " ".join(str(error).split())


@click.group(cls=DcoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(dco.__version__, "-V", "--version", prog_name="dco")
@click.option(
    "--lang",
    metavar="LANG",
    expose_value=False,
    help="The language dco speaks, en or ko, after any command (default: $DCO_LANG, dco.toml, "
    "else the locale's).",
)
def cli() -> None:
    """Funnel-aware marketing copy with a human in the loop.

    \b
    Start here:
      dco demo                         the loop on built-in examples, offline
      dco classify "러닝화 최저가"      where a customer stands in the funnel
      dco generate --brief brief.yaml --query "러닝화 최저가"   copy variants for a brief
      dco lint copy/ --brand runfit    brand-guideline findings, a CI gate
      dco review review.db             approve, edit and reject in the terminal
      dco tune review.db --brand DIR   learn from reviewers' decisions for the next prompts
      dco stats review.db              approval rates by stage, channel and prompt version
      dco demo --rounds 3              the feedback loop, simulated offline
      dco outcomes import report.csv   ad platforms' figures for the copy served
      dco select review.db -q "..." --channel C   the approved variant to serve, and why
      dco channels                     each channel's limits and how it counts
      dco measure "하프 마라톤"         a text's length in every counting unit
      dco doctor                       check the model provider's key, server and model
      dco config                       the settings from dco.toml and DCO_* variables

    Every command takes --help; commands that print data take --json. Errors are one line
    on stderr with exit status 2 (DCO_DEBUG=1 shows the traceback).
    """


def main() -> None:
    """Console-script entry point: the settings (dco.toml, DCO_* variables) become the commands'
    defaults, then the command runs."""
    from dco.cli.settings import apply_model, default_map, effective

    for stream in (sys.stdout, sys.stderr):
        _speak_any_text(stream)
    try:
        settings = effective()
        args = choose(sys.argv[1:], settings["lang"].value)
        apply_model(settings)
        defaults = default_map(settings)
    except DcoError as e:
        _fail(_one_line(e))
    translate(cli)
    try:
        code = cli.main(args, prog_name="dco", default_map=defaults, standalone_mode=False)
    except click.UsageError as e:
        # click's own usage errors end the same way as dco's: one line, and where to look.
        command = e.ctx.command_path if e.ctx is not None else "dco"
        _fail(
            _("{problem} (see {command} --help)").format(
                problem=e.format_message(), command=command
            )
        )
    except click.exceptions.Abort:
        error_console().print(_("aborted"))
        sys.exit(130)
    except click.ClickException as e:
        _fail(e.format_message())
    if isinstance(code, int) and code:  # a context exited with a status (click's Exit)
        sys.exit(code)
