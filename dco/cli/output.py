"""Printing for the command line: rich consoles, JSON, and stage colours."""

from __future__ import annotations

import functools
import json
from typing import Any

import click
from rich.console import Console

from dco.i18n import _
from dco.models import FunnelStage

STAGE_STYLE = {
    FunnelStage.AWARENESS: "cyan",
    FunnelStage.CONSIDERATION: "yellow",
    FunnelStage.DECISION: "green",
}


@functools.cache
def console() -> Console:
    """The console for results (stdout)."""
    return Console(highlight=False)


@functools.cache
def error_console() -> Console:
    """The console for errors and notes (stderr), so piped output stays clean."""
    return Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """Print `data` as JSON on stdout, keeping Korean readable (no \\u escapes)."""
    console().out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)


def counted(number: int, noun: str) -> str:
    """A count with its noun in the right number: "1 error", "2 errors"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def stage_label(stage: FunnelStage) -> str:
    """The stage name in its colour, as rich markup."""
    return f"[{STAGE_STYLE[stage]}]{stage_name(stage)}[/]"


def stage_name(stage: FunnelStage) -> str:
    """The stage's name in the language in use."""
    names = {"awareness": _("awareness"), "consideration": _("consideration"),
             "decision": _("decision")}  # fmt: skip
    return names[stage.value]


events_option = click.option(
    "--event",
    "-e",
    "events",
    multiple=True,
    metavar="EVENT",
    help="A behavioural event, repeatable: add_to_cart, return_visit*3, page_view:pricing@2h "
    "(`dco classify --list-events` lists them).",
)
"""The `--event` option shared by the commands that take a customer's signals."""
