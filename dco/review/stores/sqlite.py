"""The review store: SQLite (WAL, foreign keys, busy timeout), its schema and its migrations.

Variants keep their full provenance as JSON; decisions are an append-only log (an undo is a new
row pointing at the one it reverses, never a deletion); leases say who is working on what until
when. Every write is one transaction, committed before the call returns, so a crash loses no
decision that was acknowledged.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dco.errors import ConfigError
from dco.text.distance import copy_distance

SCHEMA_VERSION = 3

# Each migration takes the database from the version before it to its own number.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE variants (
        id TEXT PRIMARY KEY,
        campaign TEXT,
        stage TEXT NOT NULL,
        channel TEXT NOT NULL,
        locale TEXT NOT NULL,
        prompt_version TEXT,
        model TEXT,
        data TEXT NOT NULL,
        submitted_at REAL NOT NULL,
        -- The state the decision log implies, kept beside it so finding pending work is one
        -- indexed query; it changes only in the transaction that appends the decision.
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'approved', 'edited', 'rejected'))
    );
    -- Pending work in submission order; filters (campaign, stage, ...) are checked on the way,
    -- which costs less than keeping a second index up to date on every insert.
    CREATE INDEX variants_pending ON variants (status, submitted_at);
    CREATE TABLE decisions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        variant_id TEXT NOT NULL REFERENCES variants (id),
        action TEXT NOT NULL CHECK (action IN ('approve', 'edit', 'reject', 'skip', 'undo')),
        reviewer TEXT NOT NULL,
        at TEXT NOT NULL,
        edited TEXT,
        reasons TEXT,
        note TEXT,
        undoes INTEGER REFERENCES decisions (seq)
    );
    CREATE INDEX decisions_variant ON decisions (variant_id, seq);
    CREATE INDEX decisions_reviewer ON decisions (reviewer, seq);
    CREATE INDEX decisions_undoes ON decisions (undoes) WHERE undoes IS NOT NULL;
    CREATE TABLE leases (
        variant_id TEXT PRIMARY KEY REFERENCES variants (id),
        reviewer TEXT NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE INDEX leases_reviewer ON leases (reviewer);
    """,
    # Version 2 keeps what statistics and tuning read over and over beside the log: the decision
    # that stands for each variant, each edit's size, and the copy apart from the full record,
    # so none is recomputed or re-parsed per query.
    2: """
    ALTER TABLE variants ADD COLUMN decision_seq INTEGER REFERENCES decisions (seq);
    ALTER TABLE variants ADD COLUMN copy TEXT;
    ALTER TABLE decisions ADD COLUMN distance REAL;
    UPDATE variants SET copy = json_extract(data, '$.copy');
    -- Decided variants in log order with everything statistics and tuning read: a scan of this
    -- index answers them without sorting and without touching the full records, whose size
    -- (and the overflow pages it takes) would otherwise dominate the read.
    CREATE INDEX variants_decided ON variants (
        decision_seq, id, campaign, stage, channel, locale, prompt_version, model, copy
    ) WHERE decision_seq IS NOT NULL;
    UPDATE variants SET decision_seq = (
        SELECT d.seq FROM decisions d WHERE d.variant_id = variants.id
        AND d.action IN ('approve', 'edit', 'reject')
        AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq)
        ORDER BY d.seq DESC LIMIT 1
    ) WHERE status != 'pending';
    """,
    # Version 3: how served copy performed, per variant, audience segment and day. The key makes
    # re-importing a report replace its figures instead of adding them twice.
    3: """
    CREATE TABLE outcomes (
        variant_id TEXT NOT NULL REFERENCES variants (id),
        segment TEXT NOT NULL,
        period TEXT NOT NULL,
        impressions INTEGER NOT NULL CHECK (impressions >= 0),
        clicks INTEGER NOT NULL CHECK (clicks >= 0 AND clicks <= impressions),
        conversions INTEGER NOT NULL CHECK (conversions >= 0 AND conversions <= clicks),
        recorded_at REAL NOT NULL,
        PRIMARY KEY (variant_id, segment, period)
    ) WITHOUT ROWID;
    """,
}


def _backfill_distances(db: sqlite3.Connection) -> None:
    """Version 2: the size of each edit recorded before sizes were kept."""
    rows = db.execute(
        "SELECT d.seq, d.edited, v.data FROM decisions d JOIN variants v ON v.id = d.variant_id "
        "WHERE d.action = 'edit' AND d.distance IS NULL"
    ).fetchall()
    for row in rows:
        original = json.loads(row["data"])["copy"]
        db.execute(
            "UPDATE decisions SET distance = ? WHERE seq = ?",
            (copy_distance(original, json.loads(row["edited"])), row["seq"]),
        )


BACKFILLS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _backfill_distances}
"""Python steps a migration needs after its SQL."""


class Store:
    """A connection to one review database, with its schema brought up to date."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
        except sqlite3.Error as e:
            raise ConfigError(f"{self.path}: cannot open the review database ({e})") from e
        self.db.row_factory = sqlite3.Row
        try:
            self._configure()
            self._migrate()
        except sqlite3.DatabaseError as e:
            self.db.close()
            raise ConfigError(
                f"{self.path}: not a review queue dco can open ({e}); give a dco queue file, "
                "or a new path to create one"
            ) from e

    def _configure(self) -> None:
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 30000")
        # WAL + NORMAL: a commit survives the process being killed; only a power cut can take
        # back the last few, and the file stays consistent either way.
        self.db.execute("PRAGMA synchronous = NORMAL")
        # Checkpoints (the only fsyncs in this mode) every 32 MiB of log rather than SQLite's
        # 4 MiB: a batch of a thousand variants writes about 1 MiB, and at the default every
        # fourth batch paid for a sync. The log is cut back to 64 MiB after a checkpoint.
        self.db.execute("PRAGMA wal_autocheckpoint = 8192")
        self.db.execute("PRAGMA journal_size_limit = 67108864")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, begun at once (IMMEDIATE) so two writers queue, not deadlock."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")

    def _version(self) -> int:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:
            return 0  # a new file: no meta table yet
        return int(row["value"]) if row else 0

    def read(self, sql: str, parameters: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.db.execute(sql, parameters).fetchall()

    def _migrate(self) -> None:
        if self._version() == SCHEMA_VERSION:
            return  # the common case: no write lock needed just to open the file
        with self.write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            current = int(row["value"]) if row else 0
            if current > SCHEMA_VERSION:
                raise ConfigError(
                    f"{self.path}: review database schema {current} is newer than this dco "
                    f"understands ({SCHEMA_VERSION}); upgrade dco"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                # Statement by statement inside this transaction (executescript would commit
                # first), split where SQLite itself sees a statement end.
                for statement in _statements(MIGRATIONS[version]):
                    db.execute(statement)
                if version in BACKFILLS:
                    BACKFILLS[version](db)
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )


def _statements(script: str) -> list[str]:
    """The complete SQL statements of `script`, as SQLite splits them (comments and strings
    may hold semicolons)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements
