"""Shared test helpers: running the real `dco` command as a user would, and fixed moments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
WEDNESDAY_NOON_SEOUL = "2026-10-14T12:00+09:00"
"""A moment none of the example brand's context rules names. A context without a time is read
at the current time, which on a weekday morning or in winter matches the commute or winter rule,
so tests that expect no time-based tag give this one."""


def run_dco(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    """Run `python -m dco ARGS` in a subprocess and return the completed process (text mode)."""
    return subprocess.run(
        [sys.executable, "-m", "dco", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})},
        timeout=120,
    )


@pytest.fixture
def dco_cli():
    """The `run_dco` helper, as a fixture."""
    return run_dco
