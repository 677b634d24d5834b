"""The review store in a SQLite file (WAL, foreign keys, busy timeout): its schema and migrations.

The embedded default: one file, no server. Variants keep their full provenance as JSON;
decisions are an append-only log (an undo is a new row pointing at the one it reverses, never a
deletion); leases say who is working on what until when. Every write is one transaction,
committed before the call returns, so a crash loses no decision that was acknowledged.
"""

from __future__ import annotations

import json
import os
import shlex
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from dco.errors import StoreError
from dco.i18n import _
from dco.review.stores.base import (
    INSERT_DECISION,
    SCHEMA_VERSION,
    QueueCheckup,
    SqlStore,
    Transaction,
    VariantRow,
    closed_queue,
    conditions,
    stored_version,
    tables_in_the_way,
)
from dco.text.distance import copy_distance

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
    # Version 4: each variant's place in the queue, numbered by dco (a rowid may change when the
    # file is vacuumed), and each reviewer's frontier: the place before which every pending
    # variant is one they skipped, so a claim starts there instead of walking past them.
    4: """
    ALTER TABLE variants ADD COLUMN place INTEGER;
    UPDATE variants SET place = rowid;
    CREATE INDEX variants_open ON variants (status, place);
    DROP INDEX variants_pending;
    CREATE TABLE frontiers (reviewer TEXT PRIMARY KEY, place INTEGER NOT NULL) WITHOUT ROWID;
    INSERT OR REPLACE INTO meta (key, value)
        SELECT 'next_place', COALESCE(MAX(place), 0) + 1 FROM variants;
    """,
}


def _backfill_distances(db: sqlite3.Connection) -> None:
    """Version 2: the size of each edit recorded before sizes were kept."""
    rows = db.execute(
        "SELECT d.seq, d.edited, v.data FROM decisions d JOIN variants v ON v.id = d.variant_id "
        "WHERE d.action = 'edit' AND d.distance IS NULL"
    ).fetchall()
    for seq, edited, data in rows:
        original = json.loads(data)["copy"]
        db.execute(
            "UPDATE decisions SET distance = ? WHERE seq = ?",
            (copy_distance(original, json.loads(edited)), seq),
        )


BACKFILLS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _backfill_distances}
"""Python steps a migration needs after its SQL."""


BUSY_SECONDS = 30.0
"""How long a write waits for another process's transaction before giving up."""


class SqliteStore(SqlStore):
    """A review queue in one SQLite file, its schema brought up to date on opening.

    A file that holds another application's tables is refused unless `init` is given: dco adds
    its tables only to an empty database or one it made.
    """

    def __init__(self, path: str | Path, *, init: bool = False, create: bool = True) -> None:
        super().__init__()
        self.path = Path(path)
        self.location = str(path)
        if self.path.is_dir():
            raise StoreError(
                _("{where} is a folder; give a queue file in it, such as {example}").format(
                    where=self.location, example=self.path / "dco-review.db"
                )
            )
        if self.path.exists() and not self.path.is_file():
            # SQLite would open a device or a pipe and fail later, in words about transactions.
            raise StoreError(
                _("{where} is not a file (a device or a pipe); give a queue file").format(
                    where=self.location
                )
            )
        if not create and not self.path.exists():
            raise StoreError(
                _(
                    "{where}: no review queue here (dco generate --queue {queue} makes one; a "
                    "team's queue is a postgresql:// URL, or set DCO_QUEUE)"
                ).format(where=self.location, queue=shlex.quote(self.location))
            )
        try:
            self.db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS
            )
        except sqlite3.Error as e:
            raise StoreError(
                _("{where}: cannot open the review database ({why})").format(
                    where=self.location, why=e
                )
            ) from e
        try:
            self._configure()
            self._migrate(init)
        except sqlite3.Error as e:
            self.db.close()
            raise self._explain(e) from e
        except BaseException:
            self.db.close()
            raise

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        # WAL + NORMAL: a commit survives the process being killed; only a power cut can take
        # back the last few, and the file stays consistent either way.
        self.db.execute("PRAGMA synchronous = NORMAL")
        # Checkpoints (the only fsyncs in this mode) every 32 MiB of log rather than SQLite's
        # 4 MiB: a batch of a thousand variants writes about 1 MiB, and at the default every
        # fourth batch paid for a sync. The log is cut back to 64 MiB after a checkpoint.
        self.db.execute("PRAGMA wal_autocheckpoint = 8192")
        self.db.execute("PRAGMA journal_size_limit = 67108864")

    def _explain(self, error: sqlite3.Error) -> StoreError:
        """One line saying what is wrong with the file and what to do."""
        text = str(error)
        where = self.location
        if isinstance(error, sqlite3.ProgrammingError) and "closed database" in text:
            return closed_queue(where)
        if "not a database" in text:
            return StoreError(
                _(
                    "{where}: not a SQLite database; give a dco queue file, or a new path to "
                    "create one"
                ).format(where=where)
            )
        if "malformed" in text or "corrupt" in text:
            return StoreError(
                _(
                    "{where}: the database file is corrupt ({why}); restore it from a backup, or "
                    "rescue what is readable with: sqlite3 {where} .recover"
                ).format(where=where, why=text)
            )
        if "readonly" in text or "read-only" in text:
            return StoreError(
                _(
                    "{where}: the review database is read-only; dco records every decision in "
                    "it, so give a file you may write (check its permissions and its folder's)"
                ).format(where=where)
            )
        if "locked" in text or "busy" in text:
            return StoreError(
                _(
                    "{where}: another process has held the database for over {seconds} s; let "
                    "it finish (or stop it) and try again"
                ).format(where=where, seconds=f"{BUSY_SECONDS:.0f}")
            )
        if "unable to open" in text:
            return StoreError(
                _(
                    "{where}: cannot open the review database ({why}); check that its folder "
                    "exists and may be written"
                ).format(where=where, why=text)
            )
        return StoreError(
            _("{where}: the review database failed ({why})").format(where=where, why=text)
        )

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[Transaction]:
        """One write transaction, begun at once (IMMEDIATE) so two writers queue, not deadlock."""
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise self._explain(e) from e
            try:
                yield self.db
            except sqlite3.Error as e:
                self.db.execute("ROLLBACK")
                raise self._explain(e) from e
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                try:
                    self.db.execute("COMMIT")
                except sqlite3.Error as e:
                    self.db.execute("ROLLBACK")
                    raise self._explain(e) from e

    def checkup(self) -> QueueCheckup:
        # SQLite writes the file, and its journal files beside it in the same folder.
        wanted = {_("writing the file"): self.path,
                  _("writing in its folder"): self.path.absolute().parent}  # fmt: skip
        missing = () if self.location == ":memory:" else tuple(
            what for what, path in wanted.items() if not os.access(path, os.W_OK)
        )  # fmt: skip
        fix = _("give this user the right to write {path} and its folder")
        return QueueCheckup(
            server=f"SQLite {sqlite3.sqlite_version}",
            missing=missing,
            fix=fix.format(path=self.location) if missing else "",
            announced=False,
            older_functions=False,
        )

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        # A read transaction: in WAL mode its first read fixes what every later one sees,
        # while other processes go on writing.
        with self._lock:
            try:
                self.db.execute("BEGIN")
            except sqlite3.Error as e:
                raise self._explain(e) from e
            try:
                self.db.execute("SELECT COUNT(*) FROM meta").fetchall()
            except sqlite3.Error as e:
                self.db.execute("ROLLBACK")
                raise self._explain(e) from e
            try:
                yield
            finally:
                self.db.execute("COMMIT")  # it wrote nothing: this only ends the snapshot

    def _read(self, sql: str, parameters: Sequence | Mapping = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.db.execute(sql, parameters).fetchall()
            except sqlite3.Error as e:
                raise self._explain(e) from e

    def _stream(self, sql: str) -> Iterator[tuple]:
        # A cursor of its own: the rows come a page at a time while other reads go on.
        cursor = self.db.execute(sql)
        while page := cursor.fetchmany(5000):
            yield from page

    def _version(self) -> int:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:
            return 0  # a new file: no meta table yet
        return stored_version(row, self.location)

    def _migrate(self, init: bool) -> None:
        if self._version() == SCHEMA_VERSION:
            return  # the common case: no write lock needed just to open the file
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            current = stored_version(row, self.location)
            if current > SCHEMA_VERSION:
                raise StoreError(
                    _(
                        "{where}: review database schema {found} is newer than this dco "
                        "understands ({known}); upgrade dco"
                    ).format(where=self.location, found=current, known=SCHEMA_VERSION)
                )
            if current == 0:
                others = [
                    name for (name,) in db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT IN ('meta') AND name NOT LIKE 'sqlite_%' ORDER BY name"
                    )
                ]  # fmt: skip
                if others and not init:
                    raise StoreError(
                        _(
                            "{where}: a database of another application (tables {tables}); dco "
                            "adds its tables only to an empty database: give another path, or "
                            "pass --init to add them here"
                        ).format(where=self.location, tables=", ".join(others[:5]))
                    )
                if in_the_way := tables_in_the_way(self.location, others, False):
                    raise in_the_way
            for version in range(current + 1, SCHEMA_VERSION + 1):
                # Statement by statement inside this transaction (executescript would commit
                # first), split where SQLite itself sees a statement end.
                for statement in _statements(MIGRATIONS[version]):
                    db.execute(statement)
                if version in BACKFILLS:
                    BACKFILLS[version](self.db)
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    # -- where SQLite differs ----------------------------------------------------------------------

    decided_index = " INDEXED BY variants_decided"
    # Look a variant's skips up by the variant: by the reviewer, SQLite would read every
    # decision they ever made for each variant it checks.
    _skipped_by_reviewer = SqlStore._skipped_by_reviewer.replace(
        "FROM decisions d WHERE", "FROM decisions d INDEXED BY decisions_variant WHERE"
    )

    def _lock_variant(self, tx: Transaction, variant_id: str) -> tuple | None:
        # A write transaction here already excludes every other writer.
        return tx.execute("SELECT status FROM variants WHERE id = ?", (variant_id,)).fetchone()

    def _insert_decision(self, tx: Transaction, row: tuple) -> int:
        return int(tx.execute(INSERT_DECISION, row).lastrowid)

    def _places(self, tx: Transaction, count: int) -> range:
        start = int(tx.execute("SELECT value FROM meta WHERE key = 'next_place'").fetchone()[0])
        tx.execute("UPDATE meta SET value = ? WHERE key = 'next_place'", (start + count,))
        return range(start, start + count)

    def add_variants(self, rows: Sequence[VariantRow]) -> int:
        with self._write() as tx:
            places = self._places(tx, len(rows))
            before = self.db.total_changes
            tx.executemany(  # type: ignore[attr-defined]
                "INSERT OR IGNORE INTO variants (id, campaign, stage, channel, locale, "
                "prompt_version, model, data, copy, submitted_at, place) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row, place) for row, place in zip(rows, places, strict=True)],
            )
            return self.db.total_changes - before

    def claim(
        self, reviewer: str, filters: Mapping[str, str], now: float, expires: float
    ) -> str | None:
        with self._write() as tx:
            held = tx.execute(
                # CROSS JOIN: start from the (few) leases, then fetch their variants by key.
                "SELECT v.id, v.data FROM leases l CROSS JOIN variants v ON v.id = l.variant_id "
                "WHERE l.reviewer = ? AND l.expires_at > ? AND v.status = 'pending' LIMIT 1",
                (reviewer, now),
            ).fetchone()
            if held is None:
                held = tx.execute(
                    # INDEXED BY keeps the plan fixed as the tables grow: walk pending variants
                    # in queue order from the reviewer's frontier, looking up only each one's
                    # own leases and skips.
                    "SELECT id, data FROM variants v INDEXED BY variants_open "
                    "WHERE status = 'pending' AND place >= COALESCE((SELECT place FROM "
                    f"frontiers WHERE reviewer = :reviewer), 0){conditions(filters)} "
                    "AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.variant_id = v.id "
                    "AND l.expires_at > :now AND l.reviewer != :reviewer) "
                    f"AND NOT {self._skipped_by_reviewer} ORDER BY place LIMIT 1",
                    {**filters, "now": now, "reviewer": reviewer},
                ).fetchone()
            row = held
            if row is None:
                return None
            self._put_lease(tx, row[0], reviewer, expires)
        return str(row[1])


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
