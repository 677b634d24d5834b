"""Printing for the command line: rich consoles, JSON, and stage colours."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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


class ProgressBar:
    """A progress bar on stderr for work of more than one item; nothing for a single one.

    Entering gives the `on_progress(done, total)` callback to hand to the work. The bar is
    drawn from the first call (work that waits first shows no empty bar) and redrawn from the
    callback, at most ten times a second, rather than by a thread of rich's own: collecting a
    batch forks worker processes, and a fork must not catch another thread holding a lock.
    """

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label = total, label
        self.bar: Progress | None = None
        self.drawn = 0.0

    def __enter__(self) -> Callable[[int, int], None] | None:
        # Drawn for a person at a terminal; a pipe or a CI log gets nothing, not a blank line.
        return self.update if self.total >= 2 and error_console().is_terminal else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = Progress(
                TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=error_console(), transient=True, auto_refresh=False,
            )  # fmt: skip
            self.bar.add_task(self.label, total=total)
            self.bar.start()
        self.bar.update(self.bar.task_ids[0], completed=done, total=total)
        now = time.monotonic()
        if now - self.drawn >= 0.1 or done >= total:
            self.bar.refresh()
            self.drawn = now

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def print_json(data: Any) -> None:
    """Print `data` as JSON on stdout, keeping Korean readable (no \\u escapes)."""
    console().out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)


def stage_label(stage: FunnelStage) -> str:
    """The stage name in its colour, as rich markup."""
    return f"[{STAGE_STYLE[stage]}]{stage.label}[/]"


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
