"""Review stores: where a queue's variants, decisions, leases and outcomes are kept.

A location is a SQLite file path (the embedded default) or a `postgresql://` URL (a team's
shared server, with the `postgres` extra installed). Both give the same `QueueStore`.
"""

from __future__ import annotations

import os
from pathlib import Path

from dco.review.stores.base import SCHEMA_VERSION, QueueStore
from dco.review.stores.postgres_urls import is_postgres_url, safe_location

DEFAULT_LOCATION = "dco-review.db"
QUEUE_VARIABLE = "DCO_QUEUE"
"""The environment variable that names the queue when a command is given none."""


def default_location() -> str:
    """`$DCO_QUEUE` when set, else ./dco-review.db."""
    return os.environ.get(QUEUE_VARIABLE) or DEFAULT_LOCATION


def open_store(location: str | Path, *, init: bool = False, create: bool = True) -> QueueStore:
    """The store at `location`: a `postgresql://` URL or a SQLite file.

    `create` makes the queue where there is none yet (a new file, an empty database); without
    it, a queue that is not there is an error saying how to make one. `init` lets dco add its
    tables to a database that already holds other tables.
    """
    if isinstance(location, str) and is_postgres_url(location):
        from dco.review.stores.postgres import PostgresStore

        return PostgresStore(location, init=init, create=create)
    from dco.review.stores.sqlite import SqliteStore

    return SqliteStore(location, init=init, create=create)


def describe(location: str | Path) -> str:
    """A location as messages may show it (a server URL without its password)."""
    text = str(location)
    return safe_location(text) if is_postgres_url(text) else text


__all__ = [
    "DEFAULT_LOCATION", "QUEUE_VARIABLE", "SCHEMA_VERSION", "QueueStore", "default_location",
    "describe", "open_store",
]  # fmt: skip
