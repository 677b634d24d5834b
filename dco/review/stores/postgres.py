"""The review store on a PostgreSQL server, shared by a whole team (the `postgres` extra).

The same tables and guarantees as the SQLite file. Where many reviewers work at once, claims
take the oldest free variant with `FOR UPDATE SKIP LOCKED` (no two reviewers wait on, or get,
the same row), every write that touches a variant's lease locks its row first, and a decision
notifies listeners (`LISTEN dco_decisions`) so other review apps drop it from their lists.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shlex
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from dco.errors import StoreError
from dco.i18n import _
from dco.models import Decision
from dco.review.stores.base import (
    FILTERS,
    INSERT_DECISION,
    OWN_TABLES,
    SCHEMA_VERSION,
    DecidedThenClaimed,
    Heard,
    Held,
    QueueCheckup,
    Refused,
    SqlStore,
    Transaction,
    VariantRow,
    closed_queue,
    decision_values,
    stored_version,
    tables_in_the_way,
)
from dco.review.stores.postgres_errors import explain, grants, may_not_create
from dco.review.stores.postgres_urls import password_of, safe_location

if TYPE_CHECKING:
    import psycopg

CHANNEL = "dco_decisions"
"""Where a decision is announced, with its variant id as the payload."""

LOCK_SECONDS = 30
"""How long a statement waits for another transaction's lock before giving up."""

_Result = TypeVar("_Result")

_SEARCH = """\
                SELECT v.id, v.data INTO v_id, v_data FROM variants v
                    WHERE status = 'pending' AND place >= v_frontier@FILTERS@
                    AND NOT (id = ANY (v_passed))
                    AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.variant_id = v.id
                        AND l.expires_at > p_now AND l.reviewer <> p_reviewer)
                    AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.reviewer = p_reviewer
                        AND d.variant_id = v.id AND d.action = 'skip'
                        AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq))
                    ORDER BY place LIMIT 1 FOR UPDATE SKIP LOCKED;"""
"""A claim's search for the oldest variant free to this reviewer (see dco_claim)."""

_FILTERS = """
                    AND (p_campaign IS NULL OR campaign = p_campaign)
                    AND (p_stage IS NULL OR stage = p_stage)
                    AND (p_channel IS NULL OR channel = p_channel)
                    AND (p_locale IS NULL OR locale = p_locale)"""

_BOUND_LOCK_WAITS = """\
    IF current_setting('lock_timeout') = '0' THEN
        PERFORM set_config('lock_timeout', '@LOCK_TIMEOUT@', true);
    END IF;"""
"""dco's lock timeout for the rest of the transaction where the session has none, first thing
in each function that waits for locks: behind a pooler in transaction mode, which takes no
session options, a claim or a decision would otherwise wait for a lock without end instead of
being told, as everywhere else, that another session held it too long. A timeout the session
has (dco's, or the user's own) stands. (Written out in each: a function called for it would
cost a decision a statement more.)"""

_FUNCTIONS = """
-- A claim and a decision each run on the server in one round trip: with a team deciding
-- thousands of variants a minute, the statements between them are what costs. They do what
-- SqlStore.claim/decide and _advance_frontier do on SQLite, statement for statement.

CREATE OR REPLACE FUNCTION dco_advance_frontier(p_reviewer TEXT) RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
    v_frontier BIGINT;
    v_moved BIGINT;
BEGIN
    -- Shared with other reviewers' advances, exclusive of an undo (which reopens a variant that
    -- may lie behind this frontier): one waits for the other, so neither misses the other.
    PERFORM pg_advisory_xact_lock_shared(6513519);
    SELECT place INTO v_frontier FROM frontiers WHERE reviewer = p_reviewer FOR UPDATE;
    v_frontier := COALESCE(v_frontier, 0);
    -- Nothing to do (and nothing to write) unless the first pending variant from the frontier
    -- on is one the reviewer skipped.
    IF NOT EXISTS (SELECT 1 FROM (SELECT id FROM variants WHERE status = 'pending'
            AND place >= v_frontier ORDER BY place LIMIT 1) first
            WHERE EXISTS (SELECT 1 FROM decisions d WHERE d.reviewer = p_reviewer
            AND d.variant_id = first.id AND d.action = 'skip'
            AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq))) THEN
        RETURN v_frontier;
    END IF;
    SELECT place INTO v_moved FROM variants v WHERE status = 'pending' AND place >= v_frontier
        AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.reviewer = p_reviewer
            AND d.variant_id = v.id AND d.action = 'skip'
            AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq))
        ORDER BY place LIMIT 1;
    IF v_moved IS NULL THEN
        SELECT MAX(place) + 1 INTO v_moved FROM variants WHERE status = 'pending';
        v_moved := COALESCE(v_moved, v_frontier);
    END IF;
    IF v_moved <> v_frontier THEN
        INSERT INTO frontiers (reviewer, place) VALUES (p_reviewer, v_moved)
            ON CONFLICT (reviewer) DO UPDATE SET place = excluded.place;
    END IF;
    RETURN v_moved;
END $$;

CREATE OR REPLACE FUNCTION dco_claim(
    p_reviewer TEXT, p_now DOUBLE PRECISION, p_expires DOUBLE PRECISION,
    p_campaign TEXT, p_stage TEXT, p_channel TEXT, p_locale TEXT
) RETURNS TEXT
LANGUAGE plpgsql
-- Every decision deletes a lease, and until vacuum its entry stays in leases_reviewer. A bitmap
-- scan (which the planner picks for the held lease below) reads every such entry on every claim,
-- so claims grew slower with each decision; an index scan marks them dead as it passes, and
-- the next insert on their page removes them, so the index stays as small as the live leases.
SET enable_bitmapscan = off
AS $$
DECLARE
    v_id TEXT;
    v_data TEXT;
    v_frontier BIGINT;
    v_passed TEXT[] := '{}';
BEGIN
@BOUND_LOCK_WAITS@
    SELECT v.id, v.data INTO v_id, v_data FROM leases l JOIN variants v ON v.id = l.variant_id
        WHERE l.reviewer = p_reviewer AND l.expires_at > p_now AND v.status = 'pending'
        LIMIT 1 FOR UPDATE OF v;
    IF v_id IS NULL THEN
        SELECT place INTO v_frontier FROM frontiers WHERE reviewer = p_reviewer;
        v_frontier := COALESCE(v_frontier, 0);
        LOOP
            -- The same search twice, without filters and with them. Written once, with
            -- `p_campaign IS NULL OR …`, its cached plan can never be generic: the planner
            -- takes the four guesses for rows matching to mean almost none, and sorts them
            -- instead of walking the queue in order. So every claim was planned afresh, which
            -- cost more than the search. Unfiltered (the usual claim), the plan is made once.
            IF p_campaign IS NULL AND p_stage IS NULL AND p_channel IS NULL
                    AND p_locale IS NULL THEN
@SEARCH@
            ELSE
@FILTERED_SEARCH@
            END IF;
            IF v_id IS NULL THEN
                RETURN NULL;
            END IF;
            -- The search saw leases as they were when it began; the row is ours now, so look
            -- again: a reviewer who claimed it just before has committed.
            EXIT WHEN NOT EXISTS (SELECT 1 FROM leases WHERE variant_id = v_id
                AND expires_at > p_now AND reviewer <> p_reviewer);
            v_passed := v_passed || v_id;
            v_id := NULL;
        END LOOP;
    END IF;
    INSERT INTO leases (variant_id, reviewer, expires_at) VALUES (v_id, p_reviewer, p_expires)
        ON CONFLICT (variant_id) DO UPDATE SET reviewer = excluded.reviewer,
        expires_at = excluded.expires_at;
    RETURN v_data;
END $$;

-- The lease of one variant, as SqlStore.hold takes it, in one round trip instead of six (a
-- review app takes one on every move, from wherever its reviewer is), with the variant's
-- record: NULLs for a variant there is not; else the other reviewer who holds it, or NULL once
-- it is this reviewer's. With p_only, the reviewer's other leases go.
-- Dropped first: it returned the holder alone while it was being made, and CREATE OR REPLACE
-- cannot change what a function returns. No dco calls that one.
DROP FUNCTION IF EXISTS dco_hold(TEXT, TEXT, DOUBLE PRECISION, DOUBLE PRECISION, BOOLEAN);
CREATE FUNCTION dco_hold(
    p_variant TEXT, p_reviewer TEXT, p_now DOUBLE PRECISION, p_expires DOUBLE PRECISION,
    p_only BOOLEAN, OUT found_record TEXT, OUT held_by TEXT
)
LANGUAGE plpgsql AS $$
BEGIN
@BOUND_LOCK_WAITS@
    SELECT v.data INTO found_record FROM variants v WHERE v.id = p_variant FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT l.reviewer INTO held_by FROM leases l WHERE l.variant_id = p_variant
        AND l.expires_at > p_now;
    IF p_only THEN
        DELETE FROM leases l WHERE l.reviewer = p_reviewer AND l.variant_id <> p_variant;
    END IF;
    IF held_by IS NOT NULL AND held_by <> p_reviewer THEN
        RETURN;
    END IF;
    held_by := NULL;
    INSERT INTO leases (variant_id, reviewer, expires_at) VALUES (p_variant, p_reviewer,
        p_expires) ON CONFLICT (variant_id) DO UPDATE SET reviewer = excluded.reviewer,
        expires_at = excluded.expires_at;
END $$;

-- Returns the decision's number, or NULL with the refusal: ('missing' | 'held' | 'decided',
-- detail). It announces nothing: see dco_decide_and_announce.
CREATE OR REPLACE FUNCTION dco_record_decision(
    p_variant TEXT, p_action TEXT, p_reviewer TEXT, p_at TEXT, p_edited TEXT, p_reasons TEXT,
    p_note TEXT, p_distance DOUBLE PRECISION, p_now DOUBLE PRECISION, p_override BOOLEAN,
    OUT seq BIGINT, OUT refused TEXT, OUT detail TEXT
)
LANGUAGE plpgsql AS $$
DECLARE
    v_status TEXT;
    v_holder TEXT;
BEGIN
@BOUND_LOCK_WAITS@
    SELECT status INTO v_status FROM variants WHERE id = p_variant FOR UPDATE;
    IF NOT FOUND THEN
        refused := 'missing';
        RETURN;
    END IF;
    SELECT reviewer INTO v_holder FROM leases WHERE variant_id = p_variant
        AND expires_at > p_now;
    IF NOT p_override AND v_holder IS NOT NULL AND v_holder <> p_reviewer THEN
        refused := 'held';
        detail := v_holder;
        RETURN;
    END IF;
    IF NOT p_override AND v_status <> 'pending' AND p_action <> 'skip' THEN
        refused := 'decided';
        detail := v_status;
        RETURN;
    END IF;
    INSERT INTO decisions (variant_id, action, reviewer, at, edited, reasons, note, distance)
        VALUES (p_variant, p_action, p_reviewer, p_at, p_edited, p_reasons, p_note, p_distance)
        RETURNING decisions.seq INTO seq;
    -- The decision just made is the one that stands (a skip leaves the standing one as it
    -- was): no need to look it up in the log, as an undo must.
    IF p_action <> 'skip' THEN
        UPDATE variants SET
            status = CASE p_action WHEN 'approve' THEN 'approved'
                WHEN 'edit' THEN 'edited' ELSE 'rejected' END,
            decision_seq = seq
            WHERE id = p_variant;
    END IF;
    DELETE FROM leases WHERE variant_id = p_variant;
    IF p_action = 'skip' THEN
        PERFORM dco_advance_frontier(p_reviewer);
    END IF;
END $$;

-- A decision, committed, then announced in a transaction of its own. NOTIFY takes one lock for
-- the whole database as its transaction starts to commit, and holds it to the end: announced
-- in the decision's own transaction, whose commit waits for the disk, every reviewer's decision
-- waited in line behind every other's write. The announcement's commit waits for no disk:
-- nothing in it has to outlive a crash.
CREATE OR REPLACE PROCEDURE dco_decide_and_announce(
    p_variant TEXT, p_action TEXT, p_reviewer TEXT, p_at TEXT, p_edited TEXT, p_reasons TEXT,
    p_note TEXT, p_distance DOUBLE PRECISION, p_now DOUBLE PRECISION, p_override BOOLEAN,
    INOUT seq BIGINT, INOUT refused TEXT, INOUT detail TEXT
)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT d.seq, d.refused, d.detail INTO seq, refused, detail FROM dco_record_decision(
        p_variant, p_action, p_reviewer, p_at, p_edited, p_reasons, p_note, p_distance, p_now,
        p_override) d;
    COMMIT;
    IF seq IS NOT NULL THEN
        PERFORM set_config('synchronous_commit', 'off', true);
        PERFORM pg_notify('dco_decisions', p_variant);
    END IF;
END $$;

-- An undo, as SqlStore.undo makes it, in one round trip instead of ten: of decision p_seq, or
-- of the reviewer's last one standing when p_seq is NULL. `undone` is its variant, or NULL when
-- there is none to undo. Announced in a transaction of its own, as a decision is (see
-- dco_decide_and_announce).
CREATE OR REPLACE PROCEDURE dco_undo_and_announce(
    p_reviewer TEXT, p_at TEXT, p_seq BIGINT, INOUT undone TEXT
)
LANGUAGE plpgsql AS $$
DECLARE
    v_seq BIGINT;
    v_action TEXT;
    v_standing BIGINT;
BEGIN
@BOUND_LOCK_WAITS@
    SELECT d.seq, d.variant_id INTO v_seq, undone FROM decisions d
        WHERE d.reviewer = p_reviewer AND (p_seq IS NULL OR d.seq = p_seq)
        AND d.action <> 'undo' AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq)
        ORDER BY d.seq DESC LIMIT 1;
    IF undone IS NULL THEN
        RETURN;
    END IF;
    -- Exclusive of frontiers being advanced (see dco_advance_frontier).
    PERFORM pg_advisory_xact_lock(6513519);
    PERFORM 1 FROM variants WHERE id = undone FOR UPDATE;
    INSERT INTO decisions (variant_id, action, reviewer, at, edited, reasons, note, undoes,
        distance) VALUES (undone, 'undo', p_reviewer, p_at, NULL, NULL, NULL, v_seq, NULL);
    -- The decision that stands now: the latest approve, edit or reject not undone.
    SELECT d.action, d.seq INTO v_action, v_standing FROM decisions d
        WHERE d.variant_id = undone AND d.action IN ('approve', 'edit', 'reject')
        AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq)
        ORDER BY d.seq DESC LIMIT 1;
    UPDATE variants SET status = CASE v_action WHEN 'approve' THEN 'approved'
            WHEN 'edit' THEN 'edited' WHEN 'reject' THEN 'rejected' ELSE 'pending' END,
        decision_seq = v_standing
        WHERE id = undone;
    -- The variant may be open again, to everyone and to the reviewer who skipped it: no
    -- reviewer's frontier may stay past it.
    UPDATE frontiers SET place = (SELECT place FROM variants WHERE id = undone)
        WHERE place > (SELECT place FROM variants WHERE id = undone);
    COMMIT;
    PERFORM set_config('synchronous_commit', 'off', true);
    PERFORM pg_notify('dco_decisions', undone);
END $$;

-- A decision as dco_decide_and_announce makes it, and the reviewer's next claim, in one round
-- trip: what a reviewer working through the queue (ReviewQueue.claims) sends. `claim_made` is
-- false when the claim failed: the decision stands all the same, and the reviewer's loop
-- claims again on its own, meeting the error (if it lasts) there. The claim is made in the
-- decision's transaction, whose commit waits for the disk anyway: one commit fewer a decision
-- cost the server a twentieth of its CPU with sixteen reviewers. Its lease is then held while
-- that commit waits, which costs no one: other claims pass over a locked variant.
CREATE OR REPLACE PROCEDURE dco_decide_and_claim(
    p_variant TEXT, p_action TEXT, p_reviewer TEXT, p_at TEXT, p_edited TEXT, p_reasons TEXT,
    p_note TEXT, p_distance DOUBLE PRECISION, p_now DOUBLE PRECISION, p_override BOOLEAN,
    p_expires DOUBLE PRECISION, p_campaign TEXT, p_stage TEXT, p_channel TEXT, p_locale TEXT,
    INOUT seq BIGINT, INOUT refused TEXT, INOUT detail TEXT, INOUT claimed TEXT,
    INOUT claim_made BOOLEAN
)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT d.seq, d.refused, d.detail INTO seq, refused, detail FROM dco_record_decision(
        p_variant, p_action, p_reviewer, p_at, p_edited, p_reasons, p_note, p_distance, p_now,
        p_override) d;
    BEGIN
        claimed := dco_claim(p_reviewer, p_now, p_expires, p_campaign, p_stage, p_channel,
            p_locale);
        claim_made := true;
    -- Only the claim is undone. query_canceled too: a statement_timeout counts from the CALL's
    -- start, which may have waited for the variant's lock before the decision was made.
    EXCEPTION WHEN query_canceled OR OTHERS THEN
        claim_made := false;
    END;
    COMMIT;
    IF seq IS NOT NULL THEN  -- announced as dco_decide_and_announce does, and for its reason
        PERFORM set_config('synchronous_commit', 'off', true);
        PERFORM pg_notify('dco_decisions', p_variant);
    END IF;
END $$;

-- What a dco before dco_decide_and_announce calls, on a database it shares with a newer one:
-- the decision, announced in its own transaction.
CREATE OR REPLACE FUNCTION dco_decide(
    p_variant TEXT, p_action TEXT, p_reviewer TEXT, p_at TEXT, p_edited TEXT, p_reasons TEXT,
    p_note TEXT, p_distance DOUBLE PRECISION, p_now DOUBLE PRECISION, p_override BOOLEAN,
    OUT seq BIGINT, OUT refused TEXT, OUT detail TEXT
)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT d.seq, d.refused, d.detail INTO seq, refused, detail FROM dco_record_decision(
        p_variant, p_action, p_reviewer, p_at, p_edited, p_reasons, p_note, p_distance, p_now,
        p_override) d;
    IF seq IS NOT NULL THEN
        PERFORM pg_notify('dco_decisions', p_variant);
    END IF;
END $$;
"""


class ServerFunctions(NamedTuple):
    """The server-side functions, installed in every dco database (see `_install_functions`)."""

    text: str
    digest: str
    """Which version of the functions a database has (meta key 'functions')."""


@functools.cache
def server_functions(lock_seconds: float) -> ServerFunctions:
    """The functions, bounding lock waits at `lock_seconds` where a session has no bound."""
    text = (
        _FUNCTIONS.replace("@BOUND_LOCK_WAITS@", _BOUND_LOCK_WAITS)
        .replace("@SEARCH@", _SEARCH.replace("@FILTERS@", ""))
        .replace("@FILTERED_SEARCH@", _SEARCH.replace("@FILTERS@", _FILTERS))
        .replace("@LOCK_TIMEOUT@", f"{round(lock_seconds * 1000)}")
    )
    return ServerFunctions(text, hashlib.sha256(text.encode()).hexdigest()[:16])


MIGRATIONS: dict[int, str] = {
    # PostgreSQL support began at schema 4: a new database gets the whole schema at once.
    4: """
    CREATE TABLE variants (
        id TEXT PRIMARY KEY,
        campaign TEXT,
        stage TEXT NOT NULL,
        channel TEXT NOT NULL,
        locale TEXT NOT NULL,
        prompt_version TEXT,
        model TEXT,
        data TEXT NOT NULL,
        submitted_at DOUBLE PRECISION NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'approved', 'edited', 'rejected')),
        decision_seq BIGINT,
        copy TEXT,
        -- The variant's place in the queue. Submissions are serialised, so a new variant is
        -- placed after every one already committed.
        place BIGINT GENERATED ALWAYS AS IDENTITY
    );
    CREATE INDEX variants_open ON variants (place) WHERE status = 'pending';
    CREATE INDEX variants_decided ON variants (decision_seq) WHERE decision_seq IS NOT NULL;
    CREATE TABLE decisions (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        variant_id TEXT NOT NULL REFERENCES variants (id),
        action TEXT NOT NULL CHECK (action IN ('approve', 'edit', 'reject', 'skip', 'undo')),
        reviewer TEXT NOT NULL,
        at TEXT NOT NULL,
        edited TEXT,
        reasons TEXT,
        note TEXT,
        undoes BIGINT REFERENCES decisions (seq),
        distance DOUBLE PRECISION
    );
    ALTER TABLE variants ADD FOREIGN KEY (decision_seq) REFERENCES decisions (seq);
    CREATE INDEX decisions_variant ON decisions (variant_id, seq);
    CREATE INDEX decisions_reviewer ON decisions (reviewer, seq);
    CREATE INDEX decisions_undoes ON decisions (undoes) WHERE undoes IS NOT NULL;
    CREATE INDEX decisions_skips ON decisions (reviewer, variant_id) WHERE action = 'skip';
    CREATE TABLE leases (
        variant_id TEXT PRIMARY KEY REFERENCES variants (id),
        reviewer TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX leases_reviewer ON leases (reviewer);
    -- Each reviewer's frontier: the place before which every pending variant is one they
    -- skipped, so a claim starts there instead of walking past them.
    CREATE TABLE frontiers (reviewer TEXT PRIMARY KEY, place BIGINT NOT NULL);
    CREATE TABLE outcomes (
        variant_id TEXT NOT NULL REFERENCES variants (id),
        segment TEXT NOT NULL,
        period TEXT NOT NULL,
        impressions BIGINT NOT NULL CHECK (impressions >= 0),
        clicks BIGINT NOT NULL CHECK (clicks >= 0 AND clicks <= impressions),
        conversions BIGINT NOT NULL CHECK (conversions >= 0 AND conversions <= clicks),
        recorded_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (variant_id, segment, period)
    );
    """,
}

_DECIDE = "CALL dco_decide_and_announce(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, NULL, NULL)"
_DECIDE_AND_CLAIM = (
    "CALL dco_decide_and_claim(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    "NULL, NULL, NULL, NULL, NULL)"
)
_DECIDE_THE_OLD_WAY = "SELECT * FROM dco_decide(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
"""A decision where the database's functions predate dco_decide_and_announce and this user
may not replace them: announced in the decision's transaction, which is slower for a team."""

_NEWER_FUNCTIONS = (
    "dco_decide_and_announce", "dco_decide_and_claim", "dco_hold", "dco_undo_and_announce",
)  # fmt: skip
"""Functions a database made by an older dco may lack: each has a slower way round it."""

_STREAM_CHUNK = 5000
"""Rows a stream holds at a time, where libpq can chunk them (17 or newer)."""

_MIGRATION_LOCK = 0x64636F  # 'dco': one process migrates while the others wait
_SUBMISSION_LOCK = 0x64636F01
_FRONTIER_LOCK = 6513519  # taken shared by dco_advance_frontier


class PostgresStore(SqlStore):
    """A review queue in a PostgreSQL database, its schema brought up to date on connecting."""

    paramstyle = "format"
    for_update = " FOR UPDATE"
    tags_of_data = "(v.data::jsonb -> 'tags')::text"
    bytewise = ' COLLATE "C"'

    def __init__(self, url: str, *, init: bool = False, create: bool = True) -> None:
        super().__init__()
        try:
            import psycopg
        except ImportError as e:
            raise StoreError(
                _("a PostgreSQL queue needs the postgres extra: pip install 'dco-loop[postgres]'")
            ) from e
        self._psycopg = psycopg
        self.location = safe_location(url)
        self._secret = password_of(url)
        self._url = url
        self._options = _session_options(url)
        self._target = _with_liveness(url, psycopg.pq.version())
        """What is connected to: the URL, with the `LIVENESS` settings it does not make."""
        self._pooled = False
        """Whether the server is a connection pooler in transaction mode (PgBouncer), found by
        its refusing session options (see `_connect`) or dropping them (`_settle_in`)."""
        self._keys_given_between = False
        """Whether a pooler gave out its own cancel keys (see `_settle_in`)."""
        self._listener: psycopg.Connection[Any] | None = None
        self._calls: psycopg.Cursor[Any] | None = None
        self._missing_functions: frozenset[str] = frozenset()
        """The functions this dco calls that the database lacks (it has an older dco's, and
        this user may not replace them: see `_install_functions`): done statement by
        statement instead, as on SQLite."""
        self._schema = "public"  # until the connection says which it uses
        self._closed = False
        self._user: str | None = None
        # What the server sends when it ends a session (a restart, `pg_terminate_backend`, an
        # idle-session timeout): read as the answer to the next thing sent, which never ran.
        self._ended = (psycopg.errors.AdminShutdown, psycopg.errors.CrashShutdown,
                       psycopg.errors.IdleSessionTimeout)  # fmt: skip
        # What a server session shared with other clients answers a prepared statement: not
        # there (prepared on another session), or there already (another client's, named as
        # psycopg names its own). Either way nothing ran: see `_again_if_ended`.
        self._mixed_sessions = (psycopg.errors.InvalidSqlStatementName,
                                psycopg.errors.DuplicatePreparedStatement)  # fmt: skip
        try:
            self.db: psycopg.Connection[Any] = self._connect()
        except psycopg.Error as e:
            raise self._explain(e) from None
        self._user = self.db.info.user  # what a GRANT the owner is asked for names
        try:
            self._refuse_an_old_server()
            self._refuse_a_narrow_encoding()
            self._settle_in()
            self._migrate(init, create)
        except psycopg.Error as e:
            explained = self._explain(e)  # first: a closed connection reads as one lost
            self.db.close()
            raise explained from None
        except BaseException:
            self.db.close()
            raise

    def _refuse_an_old_server(self) -> None:
        """Refuse a server before PostgreSQL 11, which has no procedures: a decision is one."""
        if 0 < self.db.info.server_version < 110000:
            raise StoreError(
                _(
                    "{where}: the server is PostgreSQL {version}, and a review queue needs 11 or "
                    "newer; upgrade it, or keep the queue in a SQLite file"
                ).format(
                    where=self.location,
                    version=self.db.info.parameter_status("server_version") or "",
                )
            )

    def _refuse_a_narrow_encoding(self) -> None:
        """Refuse a database that cannot hold every character copy may have. EUC_KR (a Korean
        team's older default) lacks most Hangul syllables (똠, 햏) and every emoji: such a queue
        would fail on variants part-way through a campaign, so it is refused before any."""
        encoding = self.db.info.parameter_status("server_encoding")
        if encoding is not None and encoding.upper() not in ("UTF8", "UTF-8"):
            raise StoreError(
                _(
                    "{where}: the database's encoding is {encoding}, which cannot hold all "
                    "Korean text or emoji; create one with ENCODING 'UTF8' for the queue"
                ).format(where=self.location, encoding=encoding)
            )

    def _connect(self) -> psycopg.Connection[Any]:
        # UTF8 whatever PGCLIENTENCODING says (EUC_KR or UHC on a Korean desktop): text goes
        # over the wire as it is stored, and no Hangul syllable or emoji fails to encode.
        if not self._pooled:
            try:
                return self._psycopg.connect(
                    self._target, autocommit=True, connect_timeout=10, client_encoding="UTF8",
                    options=self._options,
                )  # fmt: skip
            except self._psycopg.OperationalError as e:
                refused = _REFUSES_OPTIONS.search(str(e))
                if refused is None:
                    raise
                if _options_given(self._url):  # dropped, they would open another queue
                    raise StoreError(
                        _(
                            "{where}: the server, a connection pooler such as PgBouncer, takes "
                            "no options when connecting ({why}); set what the URL's options "
                            "(or PGOPTIONS) set for the user instead (ALTER ROLE … SET "
                            "search_path = …), and take them out"
                        ).format(where=self.location, why=refused[0])
                    ) from None
                self._pooled = True
        db = self._psycopg.connect(
            self._target, autocommit=True, connect_timeout=10, client_encoding="UTF8"
        )
        self._suit_to_a_pooler(db)
        return db

    def _suit_to_a_pooler(self, db: psycopg.Connection[Any]) -> None:
        """Through a pooler in transaction mode, each transaction may run on another server
        session: nothing is prepared (a statement prepared on one is unknown to the next), and
        dco's settings are made in each transaction (here, and in `_write`) rather than for
        the session."""
        db.prepare_threshold = None
        db.isolation_level = self._psycopg.IsolationLevel.READ_COMMITTED

    def _live(self) -> psycopg.Connection[Any]:
        """The connection, made again if the last one was lost: a review app open all day
        outlives a server restart. Not once the store was closed."""
        if self._closed:
            raise closed_queue(self.location)
        if self.db.closed:
            self.db = self._connect()
            try:
                self._settle_in()
            except BaseException:
                self.db.close()  # or the next call would take it for one settled in
                raise
        return self.db

    def _settle_in(self) -> None:
        """Take a new session's first look (`_first_look`): its clock, whether its options
        were kept, and whether a pooler gave out its keys. Options dropped on the way mean a
        pooler that ignores them (PgBouncer), and dco works as through one that refuses them.
        Behind any pooler, which may run a transaction on a server session where another
        client prepared statements under the names psycopg gives its own (and run theirs for
        it, unnoticed, when the parameters fit), nothing is prepared."""
        look = _first_look(self.db)
        self.clock_offset = look.clock_offset
        self._keys_given_between = look.keys_given_between
        if not (self._pooled or look.options_kept):
            if _options_given(self._url):  # dropped, they would open another queue
                raise StoreError(
                    _(
                        "{where}: the server, a connection pooler such as PgBouncer, ignores "
                        "the options given when connecting; set what the URL's options (or "
                        "PGOPTIONS) set for the user instead (ALTER ROLE … SET search_path = "
                        "…), and take them out"
                    ).format(where=self.location)
                )
            self._as_pooled()
        elif look.keys_given_between:
            self.db.prepare_threshold = None

    def _again_if_ended(self, run: Callable[[psycopg.Connection[Any]], _Result]) -> _Result:
        """`run` on the connection, and once more on a new one if the server had ended the
        session. Ended while idle, its farewell answered the first thing `run` sent, which
        never ran; ended during `run`, the transaction was rolled back. (In the instant after
        a commit, an approval, edit or rejection tried again is refused as already made; a skip
        is recorded, and counted, twice.)"""
        try:
            return run(self._live())
        except self._ended:
            return run(self._live())
        except self._psycopg.errors.InternalError_ as e:
            # Pgpool-II, when the server ended the session behind it, answers with its own
            # fatal error ("unable to read data from DB node 0", XX000) in place of the
            # server's farewell, and closes the connection: the session ended all the same.
            # The severity in English whatever the server's language (a Korean one says 치명적).
            severity = e.diag.severity_nonlocalized or e.diag.severity
            if not (severity == "FATAL" and self.db.closed):
                raise
            return run(self._live())
        except self._mixed_sessions:
            if self._pooled:
                raise
            # A statement prepared on one server session was sent to another, or the session
            # holds another client's under the name of the one being prepared: a pooler in
            # transaction mode that took dco's options all the same. Nothing ran; from now on
            # nothing is prepared (see `_connect`).
            self._as_pooled()
            return run(self._live())

    def _as_pooled(self) -> None:
        """Work as through a pooler in transaction mode from now on (see `_connect`), on the
        connection already made; the listener, whose notifications would not come, goes."""
        self._pooled = True
        self._suit_to_a_pooler(self.db)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _explain(
        self, error: Exception, connection: psycopg.Connection[Any] | None = None
    ) -> StoreError:
        """One line saying what went wrong on `connection` (by default the store's) and what
        to do, with any password taken out."""
        return explain(
            error, where=self.location, secret=self._secret, lock_seconds=LOCK_SECONDS,
            connection=connection or getattr(self, "db", None), user=self._user,
            schema=self._schema,
        )  # fmt: skip

    def close(self) -> None:
        self._closed = True
        self.db.close()
        if self._listener is not None:
            self._listener.close()

    def wait_for_decisions(self, timeout: float, stop: threading.Event | None = None) -> Heard:
        """Wait up to `timeout` seconds for a decision to be announced (LISTEN), looking at
        `stop` every tenth of a second; the variants announced come with it. Through a pooler
        in transaction mode, which delivers no notifications, every `timeout` is a look, as on
        a SQLite file; behind a pooler that passed the options on, which may or may not keep
        this session's server session, it listens and looks."""
        if self._pooled:
            return super().wait_for_decisions(timeout, stop)
        if self._closed:
            raise closed_queue(self.location)
        try:
            if self._listener is None or self._listener.closed:
                listener = self._connect()
                try:
                    listener.execute(f"LISTEN {CHANNEL}")
                except BaseException:
                    listener.close()  # or it would pass for one that listens
                    raise
                self._listener = listener
                return Heard(look=True)  # what was decided before it listened was not announced
            deadline = time.monotonic() + timeout
            while not (stop is not None and stop.is_set()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return Heard(look=self._keys_given_between)
                first = [n.payload for n in self._listener.notifies(timeout=min(left, 0.1),
                                                                    stop_after=1)]  # fmt: skip
                if first:  # and any others already here, without waiting for more
                    rest = [n.payload for n in self._listener.notifies(timeout=0)]
                    return Heard(look=True, variants=frozenset(first + rest))
            return Heard(look=False)
        except self._psycopg.Error as e:
            raise self._explain(e, self._listener) from None

    @contextmanager
    def _write(self) -> Iterator[Transaction]:
        with self._lock:
            try:
                with ExitStack() as stack:
                    self._again_if_ended(lambda db: stack.enter_context(db.transaction()))
                    tx = stack.enter_context(self.db.cursor())
                    if self._pooled:  # no session settings there: see `_connect`
                        tx.execute("SELECT set_config('lock_timeout', %s, true)",
                                   (str(LOCK_SECONDS * 1000),))  # fmt: skip
                    yield tx
            except self._mixed_sessions as e:
                if self._pooled:
                    raise self._explain(e) from None
                self._as_pooled()  # see `_again_if_ended`; the transaction was rolled back
                raise StoreError(
                    _(
                        "{where}: the server ran this transaction on a session shared with "
                        "other clients (a connection pooler in transaction mode), so nothing "
                        "of it was recorded; dco now works as that needs: try again"
                    ).format(where=self.location)
                ) from None
            except self._psycopg.Error as e:
                raise self._explain(e) from None

    def _read(self, sql: str, parameters: Sequence | Mapping = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._again_if_ended(
                    lambda db: db.execute(self._sql(sql), parameters or None).fetchall()
                )
            except self._psycopg.Error as e:
                raise self._explain(e) from None

    def _stream(self, sql: str) -> Iterator[tuple]:
        # Rows arrive in chunks (libpq's chunked rows mode, from libpq 17; one by one before),
        # never all at once. Not through a named server-side cursor: Pgpool-II closes the
        # connection when a client describes a portal that DECLARE made ("unable to execute
        # Describe ... unable to get the bind message"), and psycopg describes its cursors so.
        with self._lock:
            try:
                with ExitStack() as stack:
                    self._again_if_ended(lambda db: stack.enter_context(db.transaction()))
                    chunk = _STREAM_CHUNK if self._psycopg.capabilities.has_stream_chunked() else 1
                    yield from self.db.cursor().stream(self._sql(sql), size=chunk)
            except self._psycopg.Error as e:
                raise self._explain(e) from None

    def checkup(self) -> QueueCheckup:
        schema = self._schema
        missing = [
            row[0]
            for row in self._read(
                # What the queue's user must be able to do, as the catalogue says: nothing is
                # written to find out. (Written for `_read`: ? for a value, % as it is.)
                "SELECT p || ' on ' || t FROM unnest(?::text[]) t, "
                "unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p "
                "WHERE NOT has_table_privilege(format('%I.%I', ?::text, t), p) "
                "UNION ALL SELECT 'USAGE on ' || c.relname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? "
                # (CASE: the server may test the right before the kind, and a table has none.)
                "AND CASE WHEN c.relkind = 'S' THEN NOT has_sequence_privilege(c.oid, 'USAGE') END "
                "UNION ALL SELECT 'EXECUTE on ' || f.proname FROM pg_proc f "
                "JOIN pg_namespace n ON n.oid = f.pronamespace WHERE n.nspname = ? "
                r"AND f.proname LIKE 'dco\_%' AND NOT has_function_privilege(f.oid, 'EXECUTE')",
                (sorted(OWN_TABLES | {"meta"}), schema, schema, schema),
            )
        ]
        version = self.db.info.parameter_status("server_version") or ""
        return QueueCheckup(
            server=f"PostgreSQL {version}, schema {schema}",
            missing=tuple(missing),
            fix=_("have the database's owner run: {grants}").format(
                grants=grants(self._user, schema)
            ) if missing else "",
            announced=not (self._pooled or self._keys_given_between),
            older_functions=bool(self._missing_functions),
            clock_ahead=self.clock_offset,
        )  # fmt: skip

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        # One repeatable-read transaction: every read in it (each in a savepoint of its own)
        # sees the database as its first did.
        with self._lock:
            try:
                with ExitStack() as stack:
                    self._again_if_ended(lambda db: stack.enter_context(db.transaction()))
                    self.db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    yield
            except self._psycopg.Error as e:
                raise self._explain(e) from None

    def _migrate(self, init: bool, create: bool) -> None:
        with self.db.transaction(), self.db.cursor() as tx:
            tx.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            schema, search_path = tx.execute(
                "SELECT current_schema(), current_setting('search_path')"
            ).fetchone() or (None, "")
            if schema is None:
                raise StoreError(
                    _(
                        "{where}: no schema on the search path ({path}) exists; create it "
                        "first (CREATE SCHEMA), or name another in the URL's options"
                    ).format(where=self.location, path=search_path)
                )
            self._schema = schema
            # From the catalogue, not information_schema, which shows a user only the tables
            # they have rights on: a reviewer not yet granted dco's tables would take the
            # database for an empty one and try to make them.
            tables = {
                name for (name,) in tx.execute(
                    "SELECT c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')", (schema,)
                )
            }  # fmt: skip
            current = 0
            if "meta" in tables:
                row = tx.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                current = stored_version(row, self.location)
            if current > SCHEMA_VERSION:
                raise StoreError(
                    _(
                        "{where}: review database schema {found} is newer than this dco "
                        "understands ({known}); upgrade dco"
                    ).format(where=self.location, found=current, known=SCHEMA_VERSION)
                )
            if current == 0 and not tables and not create:
                raise StoreError(
                    _(
                        "{where}: no review queue in this database yet (dco generate --queue "
                        "{queue} makes one, and dco queue copy moves one here)"
                    ).format(where=self.location, queue=shlex.quote(self.location))
                )
            if current == 0 and tables and not init:
                raise StoreError(
                    _(
                        "{where}: a database of another application (tables {tables}); dco "
                        "adds its tables only to an empty database: give another one, or pass "
                        "--init to add them here"
                    ).format(where=self.location, tables=", ".join(sorted(tables)[:5]))
                )
            if current == 0 and (in_the_way := tables_in_the_way(self.location, tables, True)):
                raise in_the_way
            if current < SCHEMA_VERSION:
                try:
                    tx.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                    for version in range(max(current + 1, min(MIGRATIONS)), SCHEMA_VERSION + 1):
                        tx.execute(MIGRATIONS[version])
                    _set_meta(tx, "schema_version", str(SCHEMA_VERSION))
                except self._psycopg.errors.InsufficientPrivilege as e:
                    raise may_not_create(
                        e, where=self.location, secret=self._secret, schema=schema,
                        user=self._user,
                    ) from None  # fmt: skip
            self._install_functions(tx)

    def _install_functions(self, tx: Transaction) -> None:
        """(Re)create the server-side functions when the database has other versions of them.

        They are code, not schema: a dco that claims or decides more cheaply replaces them
        in a database of the same schema, and their names, arguments and results never change
        without a new schema version, so an older dco on the same database still works.
        """
        functions = server_functions(LOCK_SECONDS)
        row = tx.execute("SELECT value FROM meta WHERE key = 'functions'").fetchone()
        if row is not None and row[0] == functions.digest:
            return
        errors = self._psycopg.errors
        try:
            with self.db.transaction():  # a savepoint: a refusal leaves the rest standing
                tx.execute(functions.text)
                _set_meta(tx, "functions", functions.digest)
        except (errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction):
            # A reviewer's role may write decisions but not replace its owner's functions,
            # and a standby takes none: the versions there answer the same. The next
            # connection that may replace them does.
            missing = tx.execute(
                "SELECT name FROM unnest(%s::text[]) name WHERE to_regproc(name) IS NULL",
                (list(_NEWER_FUNCTIONS),),
            ).fetchall()
            self._missing_functions = frozenset(name for (name,) in missing)

    # -- where PostgreSQL differs ------------------------------------------------------------------

    def _lock_variant(self, tx: Transaction, variant_id: str) -> tuple | None:
        return tx.execute(
            "SELECT status FROM variants WHERE id = %s FOR UPDATE", (variant_id,)
        ).fetchone()

    def _insert_decision(self, tx: Transaction, row: tuple) -> int:
        seq = tx.execute(self._sql(INSERT_DECISION) + " RETURNING seq", row).fetchone()[0]
        # Delivered when the transaction commits, and only then.
        tx.execute("SELECT pg_notify(%s, %s)", (CHANNEL, row[0]))
        return int(seq)

    def add_variants(self, rows: Sequence[VariantRow]) -> int:
        columns = ", ".join(VariantRow._fields)
        with self._write() as tx:
            self._serialise_submissions(tx)
            # COPY into a scratch table, then one INSERT that keeps the first of any id.
            tx.execute(
                "CREATE TEMP TABLE incoming (id TEXT, campaign TEXT, stage TEXT, channel TEXT, "
                "locale TEXT, prompt_version TEXT, model TEXT, data TEXT, copy TEXT, "
                "submitted_at DOUBLE PRECISION, ord BIGINT) ON COMMIT DROP"
            )
            with tx.copy(f"COPY incoming ({columns}, ord) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for number, row in enumerate(rows):
                    try:
                        copy.write_row((*row, number))
                    except self._psycopg.DataError as e:  # nothing of the batch is kept
                        raise StoreError(
                            _(
                                "{where}: variant {variant} cannot be stored here ({why}); take "
                                "it out, or fix its text, and submit the batch again"
                            ).format(where=self.location, variant=row.id, why=e)
                        ) from None
            return int(
                tx.execute(
                    f"INSERT INTO variants ({columns}) SELECT {columns} FROM incoming "
                    "ORDER BY ord ON CONFLICT (id) DO NOTHING"
                ).rowcount
            )

    def _serialise_submissions(self, tx: Transaction) -> None:
        """Submissions one at a time (until commit), so places follow commit order: a variant
        committed later never lands behind one a reviewer's frontier has passed."""
        tx.execute("SELECT pg_advisory_xact_lock(%s)", (_SUBMISSION_LOCK,))

    def _places(self, tx: Transaction, count: int) -> None:
        self._serialise_submissions(tx)  # the identity column numbers them

    def claim(
        self, reviewer: str, filters: Mapping[str, str], now: float, expires: float
    ) -> str | None:
        by = [filters.get(name) for name in FILTERS]
        # A claim commits without waiting for its write to reach the disk: a lease is a
        # reservation that lapses in minutes anyway, so a server crash that lost the last
        # instant's leases would only offer those variants again, and a decision is still
        # checked against the variant under its row lock and committed durably. Waiting for
        # the disk on every claim would halve how many decisions a team's server can take.
        row = self._call(
            "SELECT dco_claim(%s, %s, %s, %s, %s, %s, %s), "
            "set_config('synchronous_commit', 'off', true)",
            (reviewer, now, expires, *by),
        )
        return row[0] if row else None

    def hold(self, variant_id: str, reviewer: str, now: float, expires: float, only: bool) -> Held:
        if self._lacks("dco_hold"):
            return super().hold(variant_id, reviewer, now, expires, only)
        # Without waiting for the disk, as a claim's lease (see `claim`).
        record, held_by, _off = self._call(
            "SELECT h.found_record, h.held_by, set_config('synchronous_commit', 'off', true) "
            "FROM dco_hold(%s, %s, %s, %s, %s) h",
            (variant_id, reviewer, now, expires, only),
        )
        return Held(record, held_by)

    def _lacks(self, function: str) -> bool:
        """Whether the database lacks `function` (see `_missing_functions`)."""
        return function in self._missing_functions

    def decide(
        self, decision: Decision, now: float, distance: float | None, override: bool
    ) -> int | Refused:
        values = decision_values(decision, None, distance)
        sql = _DECIDE_THE_OLD_WAY if self._lacks("dco_decide_and_announce") else _DECIDE
        seq, refused, detail = self._call(sql, (*values[:7], distance, now, override))
        return Refused(refused, detail) if refused else int(seq)

    def decide_then_claim(
        self,
        decision: Decision,
        now: float,
        distance: float | None,
        override: bool,
        filters: Mapping[str, str],
        expires: float,
    ) -> DecidedThenClaimed:
        if self._lacks("dco_decide_and_claim"):
            return super().decide_then_claim(decision, now, distance, override, filters, expires)
        values = decision_values(decision, None, distance)
        by = [filters.get(name) for name in FILTERS]
        seq, refused, detail, claimed, claim_made = self._call(
            _DECIDE_AND_CLAIM, (*values[:7], distance, now, override, expires, *by)
        )
        recorded = Refused(refused, detail) if refused else int(seq)
        return DecidedThenClaimed(recorded, bool(claim_made), claimed)

    def _call(self, sql: str, parameters: Sequence) -> Any:
        """One statement, committed when it returns: a function that does a whole claim (or a
        procedure, a whole decision) needs no BEGIN and COMMIT round trips around it."""
        with self._lock:
            try:
                return self._again_if_ended(
                    lambda db: self._cursor_on(db).execute(sql, parameters).fetchone()
                )
            except self._psycopg.Error as e:
                raise self._explain(e) from None

    def _cursor_on(self, db: psycopg.Connection[Any]) -> psycopg.Cursor[Any]:
        """The cursor kept for `_call` on `db`, made again after the connection was. A cursor
        made for every claim and decision cost a sixth of a reviewer's CPU."""
        if self._calls is None or self._calls.connection is not db or self._calls.closed:
            self._calls = db.cursor()
        return self._calls

    def undo(self, reviewer: str, at: datetime, seq: int | None) -> str | None:
        if self._lacks("dco_undo_and_announce"):
            return super().undo(reviewer, at, seq)
        (undone,) = self._call(
            "CALL dco_undo_and_announce(%s, %s, %s, NULL)", (reviewer, at.isoformat(), seq)
        )
        return undone

    def _before_reopening(self, tx: Transaction) -> None:
        tx.execute("SELECT pg_advisory_xact_lock(%s)", (_FRONTIER_LOCK,))

    def _after_copying_decisions(self, tx: Transaction) -> None:
        # Decisions arrive with their numbers; new ones must be numbered after them.
        tx.execute(
            "SELECT setval(pg_get_serial_sequence('decisions', 'seq'), "
            "COALESCE((SELECT MAX(seq) FROM decisions), 0) + 1, false)"
        )


class _FirstLook(NamedTuple):
    """What a new session is, read in one round trip as it begins."""

    clock_offset: float
    """Seconds the server's clock is ahead of this machine's, to within half a round trip.
    Leases are times: reviewers whose machines' clocks differ by more than a lease would each
    take the other's as ended, and review the same variants."""
    keys_given_between: bool
    """Whether the session's cancel keys are not its server process's: a program in between
    (a connection pooler, PgBouncer say) gave out its own."""
    options_kept: bool
    """Whether the session has the options it was opened with (see `_KEPT`)."""


def _first_look(db: psycopg.Connection[Any]) -> _FirstLook:
    before = time.time()
    row = db.execute(
        "SELECT extract(epoch FROM clock_timestamp())::float8, pg_backend_pid(), "
        "current_setting('dco.session_options', true)"
    ).fetchone()
    after = time.time()
    if row is None:
        return _FirstLook(0.0, False, False)
    return _FirstLook(
        float(row[0]) - (before + after) / 2, row[1] != db.info.backend_pid, row[2] == "kept"
    )


def _set_meta(tx: Transaction, key: str, value: str) -> None:
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (%s, %s) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _session_options(url: str) -> str:
    """The settings each session starts with: a mark that they were kept (`_KEPT`), dco's lock
    timeout, then the URL's own `options` (or PGOPTIONS), which an `options` argument would
    otherwise replace: a team's `-csearch_path=dco` keeps the queue in a schema of its own,
    and theirs win where both set one. Last, read committed isolation, whatever the server,
    database, role or URL default to: claims skip rows other reviewers hold and look again at
    what committed meanwhile, which repeatable read and serializable transactions refuse
    (`could not serialize access`) as soon as two reviewers claim at once."""
    given = _options_given(url)
    return " ".join(
        part
        for part in (_KEPT, f"-c lock_timeout={LOCK_SECONDS * 1000}", given, _READ_COMMITTED)
        if part
    )


def _options_given(url: str) -> str:
    """The session options the user gave: the URL's `options`, else PGOPTIONS."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        return str(conninfo_to_dict(url).get("options") or os.environ.get("PGOPTIONS", ""))
    except Exception:  # a URL libpq cannot read is refused when connecting, and explained
        return ""


LIVENESS = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
            "keepalives_count": 3, "tcp_user_timeout": 30_000}  # fmt: skip
"""How a connection whose server went silent is found dead (libpq's settings; a URL's own
win). A network that drops a connection without a word (a NAT's idle timeout, a VPN or Wi-Fi
changing, the server's machine gone) would otherwise leave a decision waiting for the system's
TCP retransmissions, about 15 minutes on Linux, and a review app's listener deaf all day:
sent data unacknowledged for 30 s, or an idle connection unanswered for a minute, ends it, and
the next try connects again."""


def _with_liveness(url: str, libpq: int) -> str:
    """The URL with the `LIVENESS` settings it does not make itself (tcp_user_timeout from
    libpq 12), as a connection string."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        given = conninfo_to_dict(url)
    except Exception:  # a URL libpq cannot read is refused when connecting, and explained
        return url
    added = {
        name: value for name, value in LIVENESS.items()
        if name not in given and (name != "tcp_user_timeout" or libpq >= 120000)
    }  # fmt: skip
    return make_conninfo(url, **added)


_REFUSES_OPTIONS = re.compile(r"unsupported startup parameter(?:: options| in options: [\w.]+)")
"""PgBouncer's refusal of a session's options (it pools sessions, so holds none of their own):
of them all before 1.20; from 1.20 on, of the first setting in them it does not track (Neon's
and Supabase's poolers say the same)."""

_KEPT = "-c dco.session_options=kept"
"""A setting of dco's own among the session options, read back as a session begins
(`_first_look`): a pooler set to ignore options it would refuse (PgBouncer's
`ignore_startup_parameters`) drops them without a word, lock timeout, isolation and the URL's
own `search_path` with them."""


_READ_COMMITTED = r"-c default_transaction_isolation=read\ committed"
"""(A space in a setting's value is escaped in `options`.)"""
