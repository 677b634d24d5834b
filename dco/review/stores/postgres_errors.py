"""What a PostgreSQL error means for a review queue: one line, saying what to do.

The server's English texts name the common refusals; where the server speaks another language,
what libpq recorded about a failed connection attempt tells them apart instead, and a refusal
sent in the server's own encoding (CP949 from a Korean Windows server) is read in it.
"""

from __future__ import annotations

import itertools
import re
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from dco.errors import StoreError
from dco.i18n import _

if TYPE_CHECKING:
    import psycopg
    from psycopg.pq.abc import PGconn


def explain(
    error: Exception,
    *,
    where: str,
    secret: str | None,
    lock_seconds: int,
    connection: psycopg.Connection[Any] | None,
    user: str | None = None,
    schema: str = "public",
) -> StoreError:
    """One line saying what went wrong at the queue `where` (on `connection`, the one that
    failed, if any, logged in as `user`; dco's tables are in `schema`) and what to do, with the
    password (`secret`) taken out."""
    import psycopg

    errors = psycopg.errors
    attempt = _failed_attempt(error)
    said = _server_words(error, attempt)
    text = scrubbed(_one_line(said), secret)
    if (
        isinstance(error, psycopg.OperationalError)
        and attempt is None
        and connection is not None
        and connection.closed
    ):
        return StoreError(
            _(
                "{where}: the connection to the server was lost ({why}); what was recorded "
                "before is kept, and the next try connects again"
            ).format(where=where, why=text)
        )
    if "password authentication failed" in text:
        return StoreError(
            _(
                "{where}: the server refused the password; check it (in PGPASSWORD or "
                "~/.pgpass rather than the URL, where it ends up in shell history)"
            ).format(where=where)
        )
    if "no password supplied" in text or (attempt is not None and attempt.needs_password):
        return StoreError(
            _("{where}: the server wants a password; put it in PGPASSWORD or ~/.pgpass").format(
                where=where
            )
        )
    if "does not exist" in text and ("database" in text or "role" in text):
        missing = text.split("FATAL:")[-1].strip()
        return StoreError(
            _("{where}: {missing}; create it first").format(where=where, missing=missing)
        )
    if _NO_CONNECTION_TO_SPARE.search(text):
        return StoreError(
            _(
                "{where}: the server has no connection to spare ({why}); each open queue takes "
                "one (a review app two), so close some, or have the administrator raise "
                "max_connections, or the user's or database's CONNECTION LIMIT"
            ).format(where=where, why=text)
        )
    if attempt is not None and attempt.used_password:
        # The server speaks another language than English (the texts above are its English
        # ones), but libpq knows it asked for the password and was sent one.
        return StoreError(
            _(
                "{where}: the server turned the login down after the password was sent "
                "({why}); check the password (in PGPASSWORD or ~/.pgpass), the user name and "
                "the database name"
            ).format(where=where, why=text)
        )
    if attempt is not None and _SERVER_ANSWERED.search(said):
        # Reached, and answered in another language than English (see above).
        return StoreError(
            _(
                "{where}: the server turned the connection down ({why}); check the user "
                "name and the database name, and that the server lets this user connect "
                "from here (pg_hba.conf)"
            ).format(where=where, why=text)
        )
    if connection is None and type(error) is psycopg.ProgrammingError and not error.sqlstate:
        # libpq could not read the URL: nothing was sent anywhere.
        return StoreError(
            _(
                "{where}: not a server address PostgreSQL can read ({why}); write it as "
                "postgresql://USER@HOST:PORT/DATABASE"
            ).format(where=where, why=text)
        )
    if isinstance(error, psycopg.DataError) and "NUL" in text:
        # psycopg's own words (never the server's): text PostgreSQL cannot hold.
        return StoreError(
            _(
                "{where}: PostgreSQL cannot store the NUL character (0x00) this text holds; "
                "take it out and try again"
            ).format(where=where)
        )
    if isinstance(error, errors.InsufficientPrivilege):
        return StoreError(
            _(
                "{where}: {user} has no rights on dco's tables or functions ({why}); have the "
                "database's owner run: {grants}"
            ).format(
                **_refused_rights(error, where, secret, user, schema),
                grants=grants(user, schema),
            )
        )
    if isinstance(error, errors.ReadOnlySqlTransaction):
        return StoreError(
            _(
                "{where}: the database refuses writes ({why}); dco records every decision, "
                "so connect as a user who may write, to the primary server"
            ).format(where=where, why=text)
        )
    if isinstance(error, psycopg.Error) and (error.sqlstate or "").startswith("40"):
        # Class 40, transaction rollback: a deadlock or a serialization failure, the server
        # undoing this transaction (psycopg gives each its own class, not one they share).
        return StoreError(
            _(
                "{where}: the server took the transaction back to settle a conflict with "
                "another session ({why}); nothing of it was recorded: try again"
            ).format(where=where, why=_primary_words(error, secret))
        )
    if isinstance(error, errors.LockNotAvailable):
        return StoreError(
            _(
                "{where}: another session has held the rows for over {seconds} s; let it "
                "finish (or end it) and try again"
            ).format(where=where, seconds=lock_seconds)
        )
    if isinstance(error, errors.QueryCanceled):
        # The server's statement_timeout (a DBA's setting for every session), or someone
        # cancelling the statement: nothing of it was recorded either way.
        return StoreError(
            _(
                "{where}: the server stopped a statement before it finished ({why}); what "
                "it was writing was not recorded. If the server's statement_timeout stopped "
                "it, allow dco longer: add options=-cstatement_timeout%3D60s to the URL, or "
                "have the administrator ALTER ROLE that user SET statement_timeout = '60s'"
            ).format(where=where, why=_primary_words(error, secret))
        )
    if isinstance(error, errors.DataCorrupted | errors.IndexCorrupted):
        return StoreError(
            _(
                "{where}: the database reports corrupt data ({why}); ask its administrator "
                "to restore it"
            ).format(where=where, why=text)
        )
    if isinstance(error, psycopg.OperationalError):
        # libpq's own words (in English whatever the server speaks) for the two ways an
        # encrypted connection that the URL's sslmode asks for can fail at a real server.
        if "does not support SSL" in text:
            return StoreError(
                _(
                    "{where}: the server takes no encrypted (SSL) connections, and the URL's "
                    "sslmode insists on one ({why}); have SSL turned on at the server, or "
                    "connect with sslmode=prefer only on a network you trust"
                ).format(where=where, why=text)
            )
        if "certificate" in text:
            return StoreError(
                _(
                    "{where}: the server's certificate was not accepted ({why}); name the "
                    "authority that signed it in sslrootcert= (sslrootcert=system for a public "
                    "one), and connect by the host name the certificate is for"
                ).format(where=where, why=text)
            )
        unreachable = _unreachable_behind(text)
        if unreachable is None and (
            "SSL" in text or "invalid response" in text or "unexpected" in text
        ):
            return StoreError(
                _("{where}: the server there does not speak PostgreSQL ({why})").format(
                    where=where, why=text
                )
            )
        if unreachable:
            text = unreachable  # libpq's words would say the server closed the connection
        return StoreError(
            _(
                "{where}: cannot reach the PostgreSQL server ({why}); check the host and "
                "port, and that the server is running"
            ).format(where=where, why=text)
        )
    return StoreError(
        _("{where}: the review database failed ({why})").format(where=where, why=text)
    )


def grants(user: str | None, schema: str) -> str:
    """The statements a database's owner runs to let `user` (USER when not known) review and
    generate in the queue in `schema`, the names spelt as SQL needs."""
    return (
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {user}; "
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {user}; "
        "GRANT EXECUTE ON ALL ROUTINES IN SCHEMA {schema} TO {user}"
    ).format(user=identifier(user) if user else "USER", schema=identifier(schema))


def may_not_create(
    error: psycopg.Error, *, where: str, secret: str | None, schema: str, user: str | None
) -> StoreError:
    """The server refused to let `user` make dco's tables in `schema`: what the owner can do."""
    return StoreError(
        _(
            "{where}: {user} may not make dco's tables in schema {schema} ({why}); make the "
            "queue once as the database's owner (then grant reviewers its tables), or have the "
            "owner run: GRANT CREATE ON SCHEMA {schema} TO {user}"
        ).format(**_refused_rights(error, where, secret, user, schema))
    )


def _refused_rights(
    error: psycopg.Error, where: str, secret: str | None, user: str | None, schema: str
) -> dict[str, str]:
    """What a message about rights the owner can grant names: the user and the schema as a
    GRANT spells them, and the server's words."""
    return {
        "where": where,
        "user": identifier(user) if user else "USER",
        "schema": identifier(schema),
        "why": _primary_words(error, secret),
    }


_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*")


def identifier(name: str) -> str:
    """`name` as SQL must spell it: in double quotes unless lower-case letters, digits and
    underscores (a user `Kim` or `kim.lee` is a different user unquoted)."""
    return name if _PLAIN_IDENTIFIER.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def _one_line(said: str) -> str:
    """A message of libpq's, which breaks lines between sentences ("Connection refused\n\tIs the
    server running …?"), as one line that still reads as sentences."""
    lines = [words for line in said.splitlines() if (words := " ".join(line.split()))]
    pieces = lines[:1]
    for before, line in itertools.pairwise(lines):
        pieces += [" " if before[-1] in ".?!:;,(" else ". ", line]
    return "".join(pieces)


def _primary_words(error: psycopg.Error, secret: str | None) -> str:
    """The server's own sentence, without the statement it quotes after it (LINE 1: …)."""
    said = error.diag.message_primary or str(error)
    return scrubbed(" ".join(said.split()), secret)


_URL_PASSWORD = re.compile(r"(\w+://[^\s:/@\"']*:)[^\s@\"']*@")
"""A password in a URL a message quotes (libpq quotes a URL it cannot read whole)."""
_PASSWORD_SETTING = re.compile(r"(password\s*=\s*)(?:'[^']*'|[^\s&'\"]+)", re.IGNORECASE)
"""A password as a connection setting (`password=…`, in a URL's query or a conninfo)."""


def scrubbed(text: str, secret: str | None) -> str:
    """`text` without the password: `secret` as given and as a URL spells it, and whatever a
    URL or a `password=` setting in the text holds, which is there even when the URL was too
    malformed to find its password in."""
    if secret:
        for spelling in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(spelling, "***")
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _PASSWORD_SETTING.sub(r"\1***", text)


def _failed_attempt(error: Exception) -> PGconn | None:
    """libpq's side of a connection attempt that failed (psycopg keeps it on the error), or
    None when the error came from a connection that had been made."""
    attempt = getattr(error, "pgconn", None)
    return attempt if attempt is not None and attempt.backend_pid == 0 else None


_NO_CONNECTION_TO_SPARE = re.compile(
    r"too many clients|too many connections for|remaining connection slots are reserved"
)
"""The server's words (SQLSTATE 53300, which a refused login does not carry) for a login turned
down because its connections, a user's or a database's, are all taken."""

_SERVER_ANSWERED = re.compile(r"failed: [^:\n]{1,40}:  \S")
"""How libpq quotes a server's answer to a connection attempt: its severity, in the server's
language (FATAL, 치명적오류), a colon and two spaces. Its own failures (no route, refused, timed
out) are worded otherwise."""


def _server_words(error: Exception, attempt: PGconn | None) -> str:
    """The error's text, with a refused login's words readable. A server turning a login down
    has not yet learnt the client's encoding and words it in its own: a Korean Windows server
    sends CP949, which psycopg reads as UTF-8 into replacement characters; read as CP949."""
    text = str(error)
    if attempt is not None and "\ufffd" in text:
        with suppress(UnicodeDecodeError):  # neither: the replacement characters stand
            text = attempt.error_message.decode("cp949")
    return text


_CLOSED_AT_CONNECT = re.compile(
    r'connection to server at "(?P<host>[^"]*)"(?: \((?P<address>[^)]*)\))?, port (?P<port>\d+) '
    r"failed: server closed the connection unexpectedly"
)


def _unreachable_behind(text: str) -> str | None:
    """Where a connection attempt was "closed unexpectedly", and why, if that address cannot be
    reached at all ("10.0.0.5, port 5432: No route to host"). libpq says the same of a server
    that is no PostgreSQL and closes at once, and (through psycopg) of a machine on the local
    network that is off, whose address no one answers: a TCP connection of its own, made only
    then, tells them apart. None where it connects, or the text names no such attempt."""
    import socket

    found = _CLOSED_AT_CONNECT.search(text)
    if found is None:
        return None
    host, port = found["address"] or found["host"], int(found["port"])
    try:
        with socket.create_connection((host, port), timeout=_PROBE_SECONDS):
            return None
    except OSError as e:
        return f"{host}, port {port}: {e.strerror or e}"


_PROBE_SECONDS = 5.0
"""How long `_unreachable_behind` waits for its connection: longer than a local network takes
to give up on an address no machine answers (three ARP requests, a second apart)."""
