"""The review store's seam: what the queue asks of a database, and the SQL both engines share.

`QueueStore` is all the queue, statistics, tuning and selection need; `SqlStore` implements it
in the SQL SQLite and PostgreSQL agree on, and each engine's store fills in where they differ
(connecting, the schema, claiming under concurrency, bulk loading, reading JSON).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, NamedTuple, Protocol, TypeVar

import pydantic

from dco.errors import ReviewError, StoreError
from dco.i18n import _, shown_briefly
from dco.models import Decision
from dco.models.records import DecisionCount, OutcomeRow, Reviewed
from dco.text.surrogates import has_lone_surrogate

_Record = TypeVar("_Record")

SCHEMA_VERSION = 4
"""The version of the tables every engine's migrations bring a database to."""

OWN_TABLES = frozenset({"variants", "decisions", "leases", "frontiers", "outcomes"})
"""The tables dco makes in a queue's database, besides `meta`."""


def tables_in_the_way(where: str, tables: Iterable[str], schemas: bool) -> StoreError | None:
    """Why dco cannot add its tables (with --init) to a database whose own `tables` take the
    same names, if they do. `schemas`: the engine has schemas, a way around it."""
    taken = sorted(OWN_TABLES.intersection(tables))
    if not taken:
        return None
    way_around = (
        _("; or give dco a schema of its own: CREATE SCHEMA dco, then add "
          "?options=-csearch_path%3Ddco to the URL") if schemas else ""
    )  # fmt: skip
    return StoreError(
        _(
            "{where}: dco cannot add its tables here: the database has tables of its own named "
            "{tables}; give another database{way_around}"
        ).format(where=where, tables=", ".join(taken), way_around=way_around)
    )


FILTERS = ("campaign", "stage", "channel", "locale")
"""The variant columns a reader may filter by."""

STATUS_OF_ACTION = {"approve": "approved", "edit": "edited", "reject": "rejected"}

TABLES: dict[str, tuple[str, ...]] = {
    "variants": (
        "id", "campaign", "stage", "channel", "locale", "prompt_version", "model", "data",
        "submitted_at", "status", "decision_seq", "copy",
    ),
    "decisions": (
        "seq", "variant_id", "action", "reviewer", "at", "edited", "reasons", "note", "undoes",
        "distance",
    ),
    "outcomes": (
        "variant_id", "segment", "period", "impressions", "clicks", "conversions", "recorded_at",
    ),
}  # fmt: skip
"""The tables that hold a queue's record, with their columns in a fixed order: what `dco queue
copy` moves and digests. (Leases are a moment's state, not record: they are not copied.)"""

TABLE_KEYS = {"variants": "place", "decisions": "seq",
              "outcomes": "variant_id{c}, segment{c}, period{c}"}  # fmt: skip
"""The order a table is read in for copying and digests: variants in submission order (which a
copy keeps), the others by key, text compared byte by byte whatever the server's locale."""


def closed_queue(where: str) -> StoreError:
    """The error for a queue used after `close()`: it does not open itself again unasked (a
    script that closed it meant to be done), whichever backend holds it."""
    return StoreError(
        _("{where}: this queue was closed; open it again (ReviewQueue) to go on").format(
            where=where
        )
    )


class VariantRow(NamedTuple):
    """A variant as the `variants` table stores it."""

    id: str
    campaign: str | None
    stage: str
    channel: str
    locale: str
    prompt_version: str | None
    model: str | None
    data: str
    copy: str
    submitted_at: float


class DecisionRow(NamedTuple):
    """A row of the decision log."""

    seq: int
    variant_id: str
    action: str
    reviewer: str
    at: str
    edited: str | None
    reasons: str | None
    note: str | None
    undoes: int | None
    distance: float | None


class Refused(NamedTuple):
    """Why a store did not record a decision: no such variant (`missing`), another reviewer
    holds it (`held`, `detail` naming them), or it is decided already (`decided`, its status)."""

    reason: str
    detail: str | None = None


class Heard(NamedTuple):
    """What a wait for decisions made elsewhere heard."""

    look: bool
    """Whether decisions may have been made meanwhile: the log says which."""
    variants: frozenset[str] | None = None
    """The variants decided, where the server announced each one (PostgreSQL); None where it
    cannot say, and only the log can."""


class Held(NamedTuple):
    """What taking a variant's lease found."""

    record: str | None
    """The variant's record; None when there is no such variant (and nothing was held)."""
    held_by: str | None
    """The other reviewer who holds it; None when it is this reviewer's now."""


class QueueCheckup(NamedTuple):
    """What `dco doctor --queue` reports of a queue opened by this user."""

    server: str
    """What holds the queue: "SQLite 3.45.1", "PostgreSQL 15.18, schema public"."""
    missing: tuple[str, ...]
    """Rights this user lacks that reviewing or generating needs ("INSERT on leases")."""
    fix: str
    """What gives them ("" when none is missing)."""
    announced: bool
    """Whether review apps hear of other reviewers' decisions at once, or look every 2 s."""
    older_functions: bool
    """Whether the queue's functions are an older dco's, which this user may not replace."""
    clock_ahead: float = 0.0
    """Seconds the server's clock is ahead of this machine's (behind, below 0): dco times
    leases by the server's, so reviewers whose clocks differ agree when one ends."""


class DecidedThenClaimed(NamedTuple):
    """A decision and the deciding reviewer's next claim, made together (`decide_then_claim`)."""

    recorded: int | Refused
    """The decision's number, or why it was refused."""
    claim_made: bool
    """Whether the claim was made: it can fail once the decision is committed, which then
    stands all the same."""
    record: str | None
    """The variant claimed next; None when none was left (or no claim was made)."""


class QueueStore(Protocol):
    """A review database: the operations of the queue, each one transaction."""

    location: str
    """Where the database is, for messages (never with a password)."""
    clock_offset: float
    """Seconds the database's clock is ahead of this machine's: 0 for a SQLite file (this
    machine's own); a server's, measured on connecting."""

    def close(self) -> None: ...

    def add_variants(self, rows: Sequence[VariantRow]) -> int: ...
    def pending_records(self, filters: Mapping[str, str], limit: int | None) -> list[str]: ...
    def pending_count(self, filters: Mapping[str, str]) -> int: ...
    def pending_rows(self, filters: Mapping[str, str]) -> list[tuple[str, str, str, str]]: ...
    def variant_record(self, variant_id: str) -> str | None: ...
    def variant_status(self, variant_id: str) -> str | None: ...

    def claim(
        self, reviewer: str, filters: Mapping[str, str], now: float, expires: float
    ) -> str | None: ...
    def hold(
        self, variant_id: str, reviewer: str, now: float, expires: float, only: bool
    ) -> Held: ...
    def release(self, variant_id: str, reviewer: str) -> None: ...

    def decide(
        self, decision: Decision, now: float, distance: float | None, override: bool
    ) -> int | Refused: ...
    def decide_then_claim(
        self,
        decision: Decision,
        now: float,
        distance: float | None,
        override: bool,
        filters: Mapping[str, str],
        expires: float,
    ) -> DecidedThenClaimed: ...
    def undo(self, reviewer: str, at: datetime, seq: int | None) -> str | None: ...
    def decisions_since(self, seq: int) -> list[DecisionRow]: ...
    def log_position(self) -> int: ...
    def wait_for_decisions(self, timeout: float, stop: threading.Event | None = None) -> Heard: ...

    def history(self, variant_id: str) -> list[DecisionRow]: ...
    def counts(self) -> tuple[dict[str, int], dict[str, int]]: ...
    def decision_counts(self, filters: Mapping[str, str]) -> list[DecisionCount]: ...
    def approved(self, filters: Mapping[str, str]) -> list[tuple[str, DecisionRow]]: ...
    def decided(self, filters: Mapping[str, str]) -> list[Reviewed]: ...

    def known_variants(self, ids: Sequence[str]) -> set[str]: ...
    def upsert_outcomes(self, rows: Sequence[tuple], now: float) -> int: ...
    def outcome_sums(self) -> list[tuple[str, str, int, int, int]]: ...
    def outcome_rows(self) -> list[OutcomeRow]: ...

    def snapshot(self) -> AbstractContextManager[None]: ...
    def checkup(self) -> QueueCheckup: ...
    def table_rows(self, table: str) -> Iterator[tuple]: ...
    def load_rows(self, table: str, rows: Iterable[tuple]) -> int: ...
    def is_empty(self) -> bool: ...


def stored_version(row: Sequence[Any] | None, where: str) -> int:
    """The schema version a `meta` row records (0 with none); a `StoreError` for a value no dco
    wrote, rather than a ValueError from deep in opening the queue."""
    if row is None:
        return 0
    try:
        return int(row[0])
    except (TypeError, ValueError):
        raise StoreError(
            _(
                "{where}: its schema_version is {value!r}, which no dco writes; the database was "
                "changed by hand or by another program: restore it from a backup"
            ).format(where=where, value=row[0])
        ) from None


def damaged(where: str, what: str, error: Exception) -> StoreError:
    """The one line for a stored row this dco cannot read back: changed by hand or by another
    program, or written by a newer dco."""
    return StoreError(
        _(
            "{where}: {what} is not one this dco can read ({why}); if a newer dco wrote it, use "
            "that one, else fix or restore the row"
        ).format(where=where, what=what, why=_first_problem(error))
    )


def _first_problem(error: Exception) -> str:
    """What is wrong, in one short line: a validation error's first problem, else the error."""
    if isinstance(error, pydantic.ValidationError):
        return str(error.errors(include_url=False)[0]["msg"])
    return " ".join(str(error).split())[:200]


def check_filters(filters: Mapping[str, str | None]) -> dict[str, str]:
    """The filters given (None is no filter), each a column a reader may filter by."""
    unknown = [k for k in filters if k not in FILTERS]
    if unknown:
        raise ReviewError(
            _("unknown filter {name!r}; filter by {known}").format(
                name=unknown[0], known=", ".join(FILTERS)
            )
        )
    return {k: storable(str(v), k) for k, v in filters.items() if v is not None}


def storable(text: str, what: str) -> str:
    """`text`, given as `what` to store or to look up; a `ReviewError` when no queue could hold
    it: a lone surrogate, from bytes that were not UTF-8 (in a command's arguments) or half an
    emoji, makes every database's driver fail as it sends the text."""
    if has_lone_surrogate(text):
        raise ReviewError(
            _(
                "{what} {text!r} holds a lone surrogate (a byte that is not UTF-8, or half an "
                "emoji), which no queue can hold: give it as UTF-8 text"
            ).format(what=what, text=shown_briefly(text))
        )
    return text


def conditions(filters: Mapping[str, str], prefix: str = "") -> str:
    """` AND column = :column` for each (checked) filter."""
    return "".join(f" AND {prefix}{k} = :{k}" for k in filters)


class Transaction(Protocol):
    """A cursor-like handle on one open transaction (sqlite3 and psycopg connections both are)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


_NAMED = re.compile(r"(?<![:\w]):([a-z_]+)\b")


class SqlStore:
    """The operations in SQL both engines run; subclasses connect and say where they differ.

    Statements are written with SQLite's `?` and `:name` parameters; `_sql` rewrites them once
    for a driver that wants `%s` and `%(name)s`.
    """

    location: str
    clock_offset = 0.0
    paramstyle = "qmark"
    for_update = ""
    """What locks a row read in a write transaction, where writers do not already exclude each
    other."""
    decided_index = ""
    """An index hint for reading decided variants in log order, where the engine takes one."""
    tags_of_data = "json_extract(v.data, '$.tags')"
    bytewise = ""
    """The collation that orders text by its bytes (SQLite's default)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._translated: dict[str, str] = {}

    # -- what each engine provides -----------------------------------------------------------------

    def _write(self) -> AbstractContextManager[Transaction]:
        raise NotImplementedError

    def _read(self, sql: str, parameters: Sequence | Mapping = ()) -> list[tuple]:
        raise NotImplementedError

    def _stream(self, sql: str) -> Iterator[tuple]:
        """The rows of a long read, fetched a page at a time rather than held whole."""
        raise NotImplementedError

    def _read_back(
        self, rows: list[tuple], make: Callable[[tuple], _Record], which: Callable[[tuple], str]
    ) -> list[_Record]:
        """Each row made into its record by `make`; a `StoreError` naming the first that cannot
        be (`which` says which it is), rather than a ValueError from json or int()."""
        try:
            return [make(row) for row in rows]
        except (ValueError, TypeError):
            for row in rows:  # the first that fails, to name it
                try:
                    make(row)
                except (ValueError, TypeError) as e:
                    raise damaged(self.location, which(row), e) from None
            raise

    def snapshot(self) -> AbstractContextManager[None]:
        """Reads in the block see the queue as it stood when it began, whatever other
        connections write meanwhile: what a copy of a queue still in use reads, so that its
        tables agree with each other and with its digest. (Not for writing through.)"""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _lock_variant(self, tx: Transaction, variant_id: str) -> tuple | None:
        """The variant's (status,), locked against other writers until the transaction ends."""
        raise NotImplementedError

    def _insert_decision(self, tx: Transaction, row: tuple) -> int:
        """Append a decision (columns after `seq`) and return its number."""
        raise NotImplementedError

    def _before_reopening(self, tx: Transaction) -> None:
        """Whatever keeps an undo from crossing a frontier being moved at the same moment
        (nothing where writers already exclude each other)."""

    def claim(
        self, reviewer: str, filters: Mapping[str, str], now: float, expires: float
    ) -> str | None:
        raise NotImplementedError

    def add_variants(self, rows: Sequence[VariantRow]) -> int:
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        if self.paramstyle == "qmark":
            return sql
        translated = self._translated.get(sql)
        if translated is None:
            translated = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%")).replace("?", "%s")
            self._translated[sql] = translated
        return translated

    def _one(self, tx: Transaction, sql: str, parameters: Sequence | Mapping = ()) -> Any:
        return tx.execute(self._sql(sql), parameters).fetchone()

    def _run(self, tx: Transaction, sql: str, parameters: Sequence | Mapping = ()) -> int:
        return tx.execute(self._sql(sql), parameters).rowcount

    # -- variants ----------------------------------------------------------------------------------

    def pending_records(self, filters: Mapping[str, str], limit: int | None) -> list[str]:
        sql = (
            f"SELECT data FROM variants WHERE status = 'pending'{conditions(filters)} "
            "ORDER BY place"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [row[0] for row in self._read(sql, filters)]

    def pending_rows(self, filters: Mapping[str, str]) -> list[tuple[str, str, str, str]]:
        """(id, stage, channel, copy JSON) of every pending variant, in queue order."""
        sql = (
            f"SELECT id, stage, channel, copy FROM variants WHERE status = 'pending'"
            f"{conditions(filters)} ORDER BY place"
        )
        return [(row[0], row[1], row[2], row[3]) for row in self._read(sql, filters)]

    def pending_count(self, filters: Mapping[str, str]) -> int:
        sql = f"SELECT COUNT(*) FROM variants WHERE status = 'pending'{conditions(filters)}"
        return int(self._read(sql, filters)[0][0])

    def variant_record(self, variant_id: str) -> str | None:
        rows = self._read("SELECT data FROM variants WHERE id = ?", (variant_id,))
        return rows[0][0] if rows else None

    def variant_status(self, variant_id: str) -> str | None:
        rows = self._read("SELECT status FROM variants WHERE id = ?", (variant_id,))
        return rows[0][0] if rows else None

    def is_empty(self) -> bool:
        return not self._read("SELECT 1 FROM variants LIMIT 1")

    # -- leases ------------------------------------------------------------------------------------

    def hold(self, variant_id: str, reviewer: str, now: float, expires: float, only: bool) -> Held:
        with self._write() as tx:
            found = self._one(
                tx, f"SELECT data FROM variants WHERE id = ?{self.for_update}", (variant_id,)
            )
            if found is None:
                return Held(None, None)
            lease = self._one(
                tx, "SELECT reviewer FROM leases WHERE variant_id = ? AND expires_at > ?",
                (variant_id, now),
            )  # fmt: skip
            if only:
                self._run(
                    tx, "DELETE FROM leases WHERE reviewer = ? AND variant_id != ?",
                    (reviewer, variant_id),
                )  # fmt: skip
            if lease is not None and lease[0] != reviewer:
                return Held(found[0], str(lease[0]))
            self._put_lease(tx, variant_id, reviewer, expires)
        return Held(found[0], None)

    def _put_lease(self, tx: Transaction, variant_id: str, reviewer: str, expires: float) -> None:
        self._run(
            tx,
            "INSERT INTO leases (variant_id, reviewer, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (variant_id) DO UPDATE SET reviewer = excluded.reviewer, "
            "expires_at = excluded.expires_at",
            (variant_id, reviewer, expires),
        )

    def release(self, variant_id: str, reviewer: str) -> None:
        with self._write() as tx:
            self._run(
                tx, "DELETE FROM leases WHERE variant_id = ? AND reviewer = ?",
                (variant_id, reviewer),
            )  # fmt: skip

    # -- decisions ---------------------------------------------------------------------------------

    def decide(
        self, decision: Decision, now: float, distance: float | None, override: bool
    ) -> int | Refused:
        """Append a decision in one transaction, unless another reviewer's live lease or a
        standing decision forbids it (skips, and `override`, pass both)."""
        with self._write() as tx:
            row = self._lock_variant(tx, decision.variant_id)
            if row is None:
                return Refused("missing")
            lease = self._one(
                tx, "SELECT reviewer FROM leases WHERE variant_id = ? AND expires_at > ?",
                (decision.variant_id, now),
            )  # fmt: skip
            if not override and lease is not None and lease[0] != decision.reviewer:
                return Refused("held", str(lease[0]))
            if not override and row[0] != "pending" and decision.action != "skip":
                return Refused("decided", str(row[0]))
            seq = self._insert_decision(tx, decision_values(decision, None, distance))
            if decision.action != "skip":
                # The decision just made is the one that stands (a skip leaves the standing
                # one as it was): no need to look it up in the log, as an undo must.
                self._run(
                    tx, "UPDATE variants SET status = ?, decision_seq = ? WHERE id = ?",
                    (STATUS_OF_ACTION[decision.action], seq, decision.variant_id),
                )  # fmt: skip
            self._run(tx, "DELETE FROM leases WHERE variant_id = ?", (decision.variant_id,))
            if decision.action == "skip":
                self._advance_frontier(tx, decision.reviewer)
        return seq

    def decide_then_claim(
        self,
        decision: Decision,
        now: float,
        distance: float | None,
        override: bool,
        filters: Mapping[str, str],
        expires: float,
    ) -> DecidedThenClaimed:
        """`decide`, then the deciding reviewer's next `claim` (made whether or not the decision
        was refused, as a reviewer would): a server can do both in one round trip."""
        recorded = self.decide(decision, now, distance, override)
        try:
            record = self.claim(decision.reviewer, filters, now, expires)
        except StoreError:  # the decision stands; a claim made again meets this if it lasts
            return DecidedThenClaimed(recorded, False, None)
        return DecidedThenClaimed(recorded, True, record)

    def undo(self, reviewer: str, at: datetime, seq: int | None) -> str | None:
        """Undo decision `seq` (or the reviewer's last one standing); returns its variant."""
        with self._write() as tx:
            mine = "seq = :seq" if seq is not None else "TRUE"
            last = self._one(
                tx,
                f"SELECT seq, variant_id FROM decisions d WHERE reviewer = :reviewer AND {mine} "
                "AND action != 'undo' AND NOT EXISTS (SELECT 1 FROM decisions u "
                "WHERE u.undoes = d.seq) ORDER BY seq DESC LIMIT 1",
                {"reviewer": reviewer, "seq": seq},
            )
            if last is None:
                return None
            variant_id = str(last[1])
            self._before_reopening(tx)
            self._lock_variant(tx, variant_id)
            undo = Decision(variant_id=variant_id, action="undo", reviewer=reviewer, at=at)
            self._insert_decision(tx, decision_values(undo, int(last[0]), None))
            self._refresh_status(tx, variant_id)
            # The variant may be open again, to everyone and to the reviewer who skipped it:
            # no reviewer's frontier may stay past it.
            self._run(
                tx, "UPDATE frontiers SET place = (SELECT place FROM variants WHERE id = :id) "
                "WHERE place > (SELECT place FROM variants WHERE id = :id)", {"id": variant_id},
            )  # fmt: skip
        return variant_id

    def _advance_frontier(self, tx: Transaction, reviewer: str) -> None:
        """Move the reviewer's frontier past the pending variants they skipped (after a skip).

        The frontier is a place in the queue before which every pending variant was skipped by
        that reviewer, so their claims start there instead of walking past their skips each
        time. It moves only over skips (never over a variant someone else holds, which may come
        back), and an undo moves every frontier back to the variant it reopens. Submissions are
        placed after everything already committed, so none lands behind a frontier.
        """
        row = self._one(
            tx, f"SELECT place FROM frontiers WHERE reviewer = ?{self.for_update}", (reviewer,)
        )
        frontier = int(row[0]) if row else 0
        # Nothing to do (and nothing to write) unless the first pending variant from the
        # frontier on is one the reviewer skipped.
        at_frontier = self._one(
            tx, "SELECT id FROM variants WHERE status = 'pending' AND place >= ? "
            "ORDER BY place LIMIT 1", (frontier,),
        )  # fmt: skip
        if at_frontier is None or not self._one(
            tx, f"SELECT {self._skipped_by_reviewer.replace('v.id', ':id')}",
            {"id": at_frontier[0], "reviewer": reviewer},
        )[0]:  # fmt: skip
            return
        first = self._one(
            tx,
            "SELECT place FROM variants v WHERE status = 'pending' AND place >= :frontier "
            f"AND NOT {self._skipped_by_reviewer} ORDER BY place LIMIT 1",
            {"frontier": frontier, "reviewer": reviewer},
        )
        if first is not None:
            moved = int(first[0])
        else:  # every pending variant from the frontier on was skipped by this reviewer
            last = self._one(tx, "SELECT MAX(place) FROM variants WHERE status = 'pending'")
            moved = int(last[0]) + 1 if last and last[0] is not None else frontier
        if moved != frontier:
            self._run(
                tx, "INSERT INTO frontiers (reviewer, place) VALUES (?, ?) ON CONFLICT (reviewer) "
                "DO UPDATE SET place = excluded.place", (reviewer, moved),
            )  # fmt: skip

    _skipped_by_reviewer = (
        "EXISTS (SELECT 1 FROM decisions d WHERE d.variant_id = v.id AND d.reviewer = :reviewer "
        "AND d.action = 'skip' AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq))"
    )
    """Whether variant `v` was passed over by the reviewer, and that skip not undone."""

    def _refresh_status(self, tx: Transaction, variant_id: str) -> None:
        """Set the variant's status from the decision that stands for it: its latest approve,
        edit or reject not undone."""
        row = self._one(
            tx,
            "SELECT action, seq FROM decisions d WHERE variant_id = ? "
            "AND action IN ('approve', 'edit', 'reject') AND NOT EXISTS "
            "(SELECT 1 FROM decisions u WHERE u.undoes = d.seq) ORDER BY seq DESC LIMIT 1",
            (variant_id,),
        )
        status = STATUS_OF_ACTION[row[0]] if row else "pending"
        self._run(
            tx, "UPDATE variants SET status = ?, decision_seq = ? WHERE id = ?",
            (status, row[1] if row else None, variant_id),
        )  # fmt: skip

    def log_position(self) -> int:
        """The number of the latest decision (0 for an empty log)."""
        return int(self._read("SELECT COALESCE(MAX(seq), 0) FROM decisions")[0][0])

    def wait_for_decisions(self, timeout: float, stop: threading.Event | None = None) -> Heard:
        """Wait up to `timeout` seconds (or until `stop` is set) for decisions made elsewhere.

        Here: wait, then say "look" (a look is one indexed read). A server that can announce
        decisions says so only when one was made, and which.
        """
        return Heard(look=not (stop or threading.Event()).wait(timeout))

    def decisions_since(self, seq: int) -> list[DecisionRow]:
        rows = self._read(
            f"SELECT {', '.join(TABLES['decisions'])} FROM decisions WHERE seq > ? ORDER BY seq",
            (seq,),
        )
        return [DecisionRow._make(row) for row in rows]

    # -- the log's read side -----------------------------------------------------------------------

    def history(self, variant_id: str) -> list[DecisionRow]:
        rows = self._read(
            f"SELECT {', '.join(TABLES['decisions'])} FROM decisions WHERE variant_id = ? "
            "ORDER BY seq",
            (variant_id,),
        )
        return [DecisionRow._make(row) for row in rows]

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        statuses = self._read("SELECT status, COUNT(*) FROM variants GROUP BY status")
        actions = self._read("SELECT action, COUNT(*) FROM decisions GROUP BY action")
        return {s: int(n) for s, n in statuses}, {a: int(n) for a, n in actions}

    def decision_counts(self, filters: Mapping[str, str]) -> list[DecisionCount]:
        rows = self._read(
            "SELECT v.stage, v.channel, v.locale, v.prompt_version, v.model, v.campaign, "
            "d.reviewer, d.action, d.reasons, COUNT(*), COALESCE(SUM(d.distance), 0.0) "
            f"FROM variants v{self.decided_index} JOIN decisions d ON d.seq = v.decision_seq "
            f"WHERE v.decision_seq IS NOT NULL{conditions(filters, 'v.')} "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
            filters,
        )

        def count(row: tuple) -> DecisionCount:
            return DecisionCount._make((
                *row[:8], tuple(json.loads(row[8])) if row[8] else (), int(row[9]),
                float(row[10]),
            ))  # fmt: skip

        def which(row: tuple) -> str:
            return _("a decision by {reviewer} ({action})").format(reviewer=row[6], action=row[7])

        return self._read_back(rows, count, which)

    def approved(self, filters: Mapping[str, str]) -> list[tuple[str, DecisionRow]]:
        columns = ", ".join(f"d.{c}" for c in TABLES["decisions"])
        rows = self._read(
            f"SELECT v.data, {columns} FROM variants v JOIN decisions d ON d.seq = v.decision_seq "
            f"WHERE v.status IN ('approved', 'edited'){conditions(filters, 'v.')} "
            "ORDER BY v.place",
            filters,
        )
        return [(row[0], DecisionRow._make(row[1:])) for row in rows]

    def decided(self, filters: Mapping[str, str]) -> list[Reviewed]:
        rows = self._read(
            "SELECT v.id, v.campaign, v.stage, v.channel, v.locale, v.prompt_version, v.model, "
            "v.copy, d.seq, d.action, d.reviewer, d.at, d.edited, d.reasons, d.distance "
            f"FROM variants v{self.decided_index} JOIN decisions d ON d.seq = v.decision_seq "
            f"WHERE v.decision_seq IS NOT NULL{conditions(filters, 'v.')} "
            "ORDER BY v.decision_seq",
            filters,
        )
        loads = json.loads

        def reviewed(row: tuple) -> Reviewed:
            return Reviewed._make((
                *row[:7], loads(row[7]), *row[8:12], loads(row[12]) if row[12] else None,
                tuple(loads(row[13])) if row[13] else (), row[14] or 0.0,
            ))  # fmt: skip

        def which(row: tuple) -> str:
            return _("decision {seq} (on {variant})").format(seq=row[8], variant=row[0])

        return self._read_back(rows, reviewed, which)

    # -- outcomes ----------------------------------------------------------------------------------

    def known_variants(self, ids: Sequence[str]) -> set[str]:
        known: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._read(f"SELECT id FROM variants WHERE id IN ({marks})", tuple(chunk))
            known |= {row[0] for row in rows}
        return known

    def upsert_outcomes(self, rows: Sequence[tuple], now: float) -> int:
        """Write outcome figures, replacing those of any (variant, segment, day) already there."""
        with self._write() as tx:
            tx.executemany(  # type: ignore[attr-defined]
                self._sql(
                    "INSERT INTO outcomes (variant_id, segment, period, impressions, clicks, "
                    "conversions, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (variant_id, segment, period) DO UPDATE SET "
                    "impressions = excluded.impressions, clicks = excluded.clicks, "
                    "conversions = excluded.conversions, recorded_at = excluded.recorded_at"
                ),
                [(*row, now) for row in rows],
            )
        return len(rows)

    def outcome_sums(self) -> list[tuple[str, str, int, int, int]]:
        rows = self._read(
            "SELECT variant_id, segment, SUM(impressions), SUM(clicks), SUM(conversions) "
            "FROM outcomes GROUP BY variant_id, segment"
        )
        return [(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]

    def outcome_rows(self) -> list[OutcomeRow]:
        rows = self._read(
            "SELECT v.stage, v.channel, v.locale, v.prompt_version, v.model, v.campaign, "
            f"{self.tags_of_data}, SUM(o.impressions), SUM(o.clicks), SUM(o.conversions) "
            "FROM outcomes o JOIN variants v ON v.id = o.variant_id "
            "GROUP BY v.id, v.stage, v.channel, v.locale, v.prompt_version, v.model, v.campaign, "
            "v.data"
        )

        def outcome(row: tuple) -> OutcomeRow:
            return OutcomeRow._make((
                *row[:6], tuple(json.loads(row[6])) if row[6] else (),
                *(int(n) for n in row[7:]),
            ))  # fmt: skip

        return self._read_back(rows, outcome, lambda row: _("a variant's outcomes"))

    # -- copying between engines -------------------------------------------------------------------

    def table_rows(self, table: str) -> Iterator[tuple]:
        """Every row of a record table, in the same order on every engine."""
        columns = ", ".join(TABLES[table])
        order = TABLE_KEYS[table].format(c=self.bytewise)
        yield from self._stream(f"SELECT {columns} FROM {table} ORDER BY {order}")

    def load_rows(self, table: str, rows: Iterable[tuple]) -> int:
        """Add copied rows to an empty table (variants first, then decisions, then outcomes)."""
        columns = TABLES[table]
        loaded = 0
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                loaded += self._load_batch(table, columns, batch)
                batch = []
        if batch:
            loaded += self._load_batch(table, columns, batch)
        if table == "decisions":
            with self._write() as tx:
                self._run(
                    tx,
                    "UPDATE variants SET decision_seq = (SELECT d.seq FROM decisions d "
                    "WHERE d.variant_id = variants.id AND d.action IN ('approve', 'edit', "
                    "'reject') AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq) "
                    "ORDER BY d.seq DESC LIMIT 1) WHERE status != 'pending'",
                )
                self._after_copying_decisions(tx)
        return loaded

    def _after_copying_decisions(self, tx: Transaction) -> None:
        """Whatever the engine needs once decisions arrive with their numbers."""

    def _load_batch(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> int:
        with self._write() as tx:
            if table == "variants":
                # A variant's standing decision is set once the decisions are in (each table
                # refers to the other); its place follows those copied before it.
                index = columns.index("decision_seq")
                rows = [(*row[:index], None, *row[index + 1 :]) for row in rows]
                places = self._places(tx, len(rows))
                if places is not None:
                    columns = (*columns, "place")
                    rows = [(*row, place) for row, place in zip(rows, places, strict=True)]
            marks = ", ".join("?" * len(columns))
            tx.executemany(  # type: ignore[attr-defined]
                self._sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"), rows
            )
        return len(rows)

    def _places(self, tx: Transaction, count: int) -> range | None:
        """Places for `count` new variants after every one committed, where the engine does not
        number them itself."""
        return None


INSERT_DECISION = (
    "INSERT INTO decisions (variant_id, action, reviewer, at, edited, reasons, note, undoes, "
    "distance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
"""Appending to the log, with `decision_values` as the parameters."""


def decision_values(decision: Decision, undoes: int | None, distance: float | None) -> tuple:
    """A decision's columns after `seq`, as the log stores them."""
    return (
        decision.variant_id, decision.action, decision.reviewer, decision.at.isoformat(),
        decision.edited.model_dump_json() if decision.edited else None,
        json.dumps(list(decision.reasons)) if decision.reasons else None,
        decision.note, undoes, distance,
    )  # fmt: skip
