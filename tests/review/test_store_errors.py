"""A queue location dco cannot use gets one line saying why and what to do, on both engines."""

import re
import sqlite3
import ssl
import threading
import time
from contextlib import suppress
from pathlib import Path

import psycopg
import pytest

from dco.errors import StoreError
from dco.review import ReviewQueue
from dco.review.stores import postgres as postgres_store
from dco.review.stores import postgres_errors
from dco.review.stores import sqlite as sqlite_store
from tests.conftest import run_dco
from tests.review.refusing_server import answering_server, refusing_server, welcome
from tests.review.test_queue import variants

CERTIFICATE = Path(__file__).parent.parent / "data" / "tls" / "db.internal.crt"
"""A self-signed certificate for db.internal (its key beside it), made for these tests."""


def one_line(error: pytest.ExceptionInfo) -> str:
    text = str(error.value)
    assert "\n" not in text
    return text


def test_a_file_that_is_not_a_database_is_named_as_such(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("메모: 봄 캠페인 카피 정리\n" * 100, encoding="utf-8")
    with pytest.raises(StoreError) as error:
        ReviewQueue(path)
    assert "not a SQLite database" in one_line(error)


def test_another_applications_sqlite_file_gets_dcos_tables_only_with_init(tmp_path):
    path = tmp_path / "crm.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    db.close()
    with pytest.raises(StoreError) as error:
        ReviewQueue(path)
    assert "another application (tables customers)" in one_line(error)
    assert "--init" in str(error.value)
    db = sqlite3.connect(path)
    assert [name for (name,) in db.execute("SELECT name FROM sqlite_master")] == ["customers"]
    db.close()
    with ReviewQueue(path, init=True) as queue:
        assert queue.submit(variants(1)) == 1


def test_another_applications_postgres_database_gets_dcos_tables_only_with_init(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("CREATE TABLE orders (id INT PRIMARY KEY)")
    with pytest.raises(StoreError) as error:
        ReviewQueue(postgres_url)
    assert "another application (tables orders)" in one_line(error)
    with ReviewQueue(postgres_url, init=True) as queue:
        assert queue.submit(variants(1)) == 1


def test_init_beside_another_applications_table_of_the_same_name_says_what_is_in_the_way(
    tmp_path,
):
    path = tmp_path / "crm.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE outcomes (quarter TEXT, revenue REAL)")
    db.close()
    with pytest.raises(StoreError) as error:
        ReviewQueue(path, init=True)
    assert "the database has tables of its own named outcomes; give another database" in (
        one_line(error)
    )
    db = sqlite3.connect(path)
    assert [name for (name,) in db.execute("SELECT name FROM sqlite_master")] == ["outcomes"]
    db.close()


def test_init_beside_a_postgres_table_of_the_same_name_points_to_a_schema_of_dcos_own(
    postgres_url,
):
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("CREATE TABLE variants (sku TEXT PRIMARY KEY, colour TEXT)")
        db.execute("CREATE SCHEMA dco")
    with pytest.raises(StoreError) as error:
        ReviewQueue(postgres_url, init=True)
    text = one_line(error)
    assert "has tables of its own named variants" in text and "search_path" in text
    with ReviewQueue(f"{postgres_url}&options=-csearch_path%3Ddco") as queue:  # as it advises
        assert queue.submit(variants(1)) == 1
    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT count(*) FROM dco.variants").fetchone() == (1,)


def test_a_corrupt_file_is_named_with_a_way_to_rescue_it(tmp_path):
    path = tmp_path / "review.db"
    with ReviewQueue(path) as queue:
        queue.submit(variants(30))
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # the second page: part of a table's b-tree
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as error, ReviewQueue(path) as queue:
        queue.pending()
    assert "corrupt" in one_line(error) and ".recover" in str(error.value)


def test_a_sqlite_queue_locked_past_the_timeout_says_so(tmp_path, monkeypatch):
    path = tmp_path / "review.db"
    monkeypatch.setattr(sqlite_store, "BUSY_SECONDS", 0.2)
    with ReviewQueue(path) as queue:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError) as error:
            queue.submit(variants(1))
        other.execute("ROLLBACK")
        other.close()
        assert "another process has held the database" in one_line(error)
        assert queue.submit(variants(1)) == 1  # nothing was left half-done


def test_a_postgres_queue_locked_past_the_timeout_says_so(postgres_url, monkeypatch):
    monkeypatch.setattr(postgres_store, "LOCK_SECONDS", 1)
    with ReviewQueue(postgres_url) as queue, psycopg.connect(postgres_url) as other:
        other.execute("LOCK TABLE variants IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreError) as error:
            queue.submit(variants(1))
        other.rollback()
        assert "another session has held the rows" in one_line(error)
        assert queue.submit(variants(1)) == 1


def test_a_lock_held_while_a_queue_is_opened_is_named_not_taken_for_a_lost_connection(
    postgres_url, monkeypatch
):
    monkeypatch.setattr(postgres_store, "LOCK_SECONDS", 1)
    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (postgres_store._MIGRATION_LOCK,))
        with pytest.raises(StoreError) as error:
            ReviewQueue(postgres_url)
    text = one_line(error)
    assert "another session has held the rows for over 1 s" in text
    assert "connection to the server was lost" not in text


def test_the_servers_statement_timeout_is_named_with_how_to_allow_dco_longer(postgres_url):
    """A DBA's statement_timeout for every session stops a submission waiting on a lock; the
    setting the message gives, added to the URL, lets the same wait through."""
    database = postgres_url.split("/")[3].split("?")[0]
    with ReviewQueue(postgres_url), psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database}" SET statement_timeout = 200')

    def submit_while_locked(url: str, held_for: float) -> None:
        with ReviewQueue(url) as queue, psycopg.connect(postgres_url) as other:
            other.execute("LOCK TABLE variants IN ACCESS EXCLUSIVE MODE")
            letting_go = threading.Timer(held_for, other.rollback)
            letting_go.start()
            try:
                queue.submit(variants(1))
            finally:
                letting_go.join()

    with pytest.raises(StoreError) as error:
        submit_while_locked(postgres_url, 1.0)
    text = one_line(error)
    assert "the server stopped a statement before it finished" in text
    assert "statement timeout" in text and "another session has held" not in text
    advised = re.search(r"add (options=\S+) to the URL", text)
    assert advised is not None
    submit_while_locked(f"{postgres_url}&{advised[1]}", 1.0)


def test_a_read_only_postgres_database_is_named_as_such(postgres_url):
    with ReviewQueue(postgres_url):
        pass  # the tables exist
    database = postgres_url.split("/")[3].split("?")[0]
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
    with pytest.raises(StoreError) as error, ReviewQueue(postgres_url) as queue:
        queue.submit(variants(1))
    assert "refuses writes" in one_line(error)


def test_an_unreachable_server_is_named_with_what_to_check():
    with pytest.raises(StoreError) as error:
        ReviewQueue("postgresql://dco:s3cret-pw@127.0.0.1:9/queue")
    text = one_line(error)
    assert "cannot reach the PostgreSQL server" in text and "s3cret-pw" not in text
    assert text.startswith("postgresql://dco@127.0.0.1:9/queue:")
    # libpq's two lines read as two sentences, not run together
    assert "Connection refused. Is the server running on that host" in text


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://dco:s3cret-pw@[::1/queue",  # an IPv6 host never closed
        "postgresql://dco:s3cret%2Dpw@[::1/queue",  # the same, its password spelt as URLs may
        "postgresql://dco@127.0.0.1/queue?password=s3cret-pw&sslmod=require",  # a misspelling
    ],
)
def test_a_url_libpq_cannot_read_is_named_without_its_password(url):
    with pytest.raises(StoreError) as error:
        ReviewQueue(url)
    text = one_line(error)
    assert "not a server address PostgreSQL can read" in text
    assert "s3cret" not in text and "postgresql://USER@HOST:PORT/DATABASE" in text


def test_the_cli_names_a_url_it_cannot_read_in_one_line_without_its_password():
    done = run_dco("stats", "postgresql://dco:s3cret-pw@[::1/queue")
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "s3cret" not in done.stderr
    assert "not a server address PostgreSQL can read" in done.stderr


def test_a_wrong_password_is_refused_without_printing_it(postgres_server, postgres_url):
    """The session's server trusts local logins; one role is made to need a password."""
    hba = postgres_server.pgdata / "pg_hba.conf"
    rules = hba.read_text()
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS reviewer_pw")
        admin.execute("CREATE ROLE reviewer_pw LOGIN PASSWORD 'right-one'")
        hba.write_text("local all reviewer_pw scram-sha-256\n" + rules)
        admin.execute("SELECT pg_reload_conf()")
        try:
            url = postgres_url.replace(
                "postgresql://postgres@", "postgresql://reviewer_pw:w0ng-pw@"
            )
            _wait_until_refused(url)  # the server reloads its rules in its own time
            with pytest.raises(StoreError) as error:
                ReviewQueue(url)
            done = run_dco("stats", url)
        finally:
            hba.write_text(rules)
            admin.execute("SELECT pg_reload_conf()")
    assert "refused the password" in one_line(error) and "w0ng-pw" not in str(error.value)
    assert done.returncode == 2 and "w0ng-pw" not in done.stderr + done.stdout
    assert "refused the password" in done.stderr.splitlines()[0]


def test_a_korean_servers_refusal_of_the_password_is_named_and_readable():
    """A Korean Windows server words the refusal in Korean and sends it in CP949."""
    refusal = '사용자 "reviewer"의 password 인증을 실패했습니다'
    with refusing_server("치명적오류", refusal, "cp949") as port:
        url = f"postgresql://reviewer:w0ng-pw@127.0.0.1:{port}/queue"
        with pytest.raises(StoreError) as error:
            ReviewQueue(url)
        done = run_dco("stats", url)
    text = one_line(error)
    assert "turned the login down after the password was sent" in text
    assert refusal in text and "\ufffd" not in text and "w0ng-pw" not in text
    assert done.returncode == 2 and "w0ng-pw" not in done.stderr + done.stdout
    assert refusal in done.stderr.splitlines()[0]


def test_a_korean_servers_refusal_of_a_login_says_it_was_reached_not_out_of_reach():
    missing = '"queue" 데이터베이스 없음'
    with (
        refusing_server("치명적오류", missing, "cp949", ask_password=False) as port,
        pytest.raises(StoreError) as error,
    ):
        ReviewQueue(f"postgresql://reviewer@127.0.0.1:{port}/queue")
    text = one_line(error)
    assert "the server turned the connection down" in text and missing in text
    assert "cannot reach" not in text


def _wait_until_refused(url: str) -> None:
    # Up to 30 s: a server busy with a whole test run has been seen taking over 5 s to reload
    # its rules. The wait ends as soon as the refusal comes.
    for _ in range(600):
        try:
            psycopg.connect(url).close()
        except psycopg.OperationalError as e:
            if "password authentication failed" in str(e):
                return
        time.sleep(0.05)
    raise AssertionError("the server never started asking for the password")


def test_a_database_from_a_newer_dco_is_refused(queue_location):
    with ReviewQueue(queue_location):
        pass
    if queue_location.startswith("postgresql://"):
        with psycopg.connect(queue_location, autocommit=True) as db:
            db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    else:
        db = sqlite3.connect(queue_location, isolation_level=None)
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        db.close()
    with pytest.raises(StoreError) as error:
        ReviewQueue(queue_location)
    assert "schema 99 is newer than this dco understands" in one_line(error)


def test_a_folder_given_for_a_queue_is_named_as_one(tmp_path):
    with pytest.raises(StoreError, match=r"is a folder; give a queue file in it, such as .*dco"
                       r"-review\.db"):  # fmt: skip
        ReviewQueue(tmp_path)


@pytest.mark.parametrize("kind", ["device", "pipe"])
def test_a_device_or_a_pipe_given_for_a_queue_is_named_as_one(tmp_path, kind):
    import os

    path = "/dev/null"
    if kind == "pipe":
        path = tmp_path / "queue.db"
        os.mkfifo(path)
    with pytest.raises(StoreError, match=r"is not a file \(a device or a pipe\)"):
        ReviewQueue(path)


def test_the_cli_gives_one_line_and_exit_2_for_a_queue_it_cannot_use(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database", encoding="utf-8")
    done = run_dco("stats", str(path))
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == (
        f"dco: error: {path}: not a SQLite database; give a dco queue file, or a new path to "
        "create one"
    )


def end_sessions(url):
    """What a server restart does to every session on the database: ends it, saying so."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(params=["server", "through Pgpool-II"])
def reached(request, postgres_url):
    """The queue's URL, on the server itself or behind a stand-in for Pgpool-II, which words a
    session's end its own way (see tests/review/pooler.py); sessions are ended on the server."""
    return request.getfixturevalue("pgpool_url") if request.param != "server" else postgres_url


def test_a_postgres_queue_carries_on_after_the_server_ends_its_session(reached, postgres_url):
    batch = variants(2)
    with ReviewQueue(reached) as queue:
        queue.submit(batch)
        end_sessions(postgres_url)
        assert queue.claim("minji").variant.id == batch[0].id
        end_sessions(postgres_url)
        queue.approve(batch[0].id, "minji")
        end_sessions(postgres_url)
        queue.skip(batch[1].id, "minji")  # a write transaction
        end_sessions(postgres_url)
        assert queue.stats()["approved"] == 1
        assert [d.action for d in queue.history(batch[1].id)] == ["skip"]


def test_a_postgres_queue_is_copied_after_the_server_ends_its_session(
    reached, postgres_url, tmp_path
):
    from dco.review.copying import copy_queue
    from dco.review.stores import open_store

    with ReviewQueue(reached) as queue:
        queue.submit(variants(3))
    source, target = open_store(reached), open_store(str(tmp_path / "copy.db"))
    try:
        end_sessions(postgres_url)
        report = copy_queue(source, target)
    finally:
        source.close()
        target.close()
    assert report.ok and report.counts["variants"] == 3


def test_a_postgres_queue_lost_while_it_is_copied_is_named_in_one_line(postgres_url, tmp_path):
    from dco.review.stores import open_store

    with ReviewQueue(postgres_url) as queue:
        queue.submit(variants(3))
    source = open_store(postgres_url)
    try:
        rows = source.table_rows("variants")
        next(rows)
        end_sessions(postgres_url)
        with pytest.raises(StoreError) as error:
            list(rows)
    finally:
        source.close()
    assert one_line(error).startswith(postgres_store.safe_location(postgres_url))


def test_a_lost_postgres_connection_is_named_and_the_next_call_connects_again(postgres_url):
    import os
    import socket

    batch = variants(1)
    with ReviewQueue(postgres_url) as queue:
        queue.submit(batch)
        # The network between dropping: no farewell from the server, the socket just ends.
        socket.socket(fileno=os.dup(queue.store.db.fileno())).shutdown(socket.SHUT_RDWR)
        with pytest.raises(StoreError, match="the connection to the server was lost") as lost:
            queue.approve(batch[0].id, "minji")
        assert "Traceback" not in str(lost.value) and "\n" not in str(lost.value)
        queue.approve(batch[0].id, "minji")
        assert queue.status(batch[0].id) == "approved"


def test_a_postgres_database_that_cannot_hold_all_korean_text_is_refused(postgres_url):
    from psycopg.conninfo import conninfo_to_dict

    database = conninfo_to_dict(postgres_url)["dbname"]
    euc_kr = f"{database}_euckr"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{euc_kr}"')
        admin.execute(f'CREATE DATABASE "{euc_kr}" ENCODING \'EUC_KR\' LC_COLLATE \'C\' '
                      "LC_CTYPE 'C' TEMPLATE template0")  # fmt: skip
    url = postgres_url.replace(f"/{database}?", f"/{euc_kr}?")
    with pytest.raises(StoreError, match=r"encoding is EUC_KR.*ENCODING 'UTF8'") as refused:
        ReviewQueue(url)
    assert "\n" not in str(refused.value)
    with psycopg.connect(url) as db:  # nothing of dco's was added to it
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        assert db.execute(tables).fetchone() == (0,)


def test_a_server_before_postgresql_11_is_named_as_too_old():
    parameters = {"server_version": "10.23", "server_encoding": "UTF8", "client_encoding": "UTF8"}
    with (
        answering_server(welcome(parameters), ask_password=False) as port,
        pytest.raises(StoreError) as refused,
    ):
        ReviewQueue(f"postgresql://kim@127.0.0.1:{port}/dco")
    assert str(refused.value) == (
        f"postgresql://kim@127.0.0.1:{port}/dco: the server is PostgreSQL 10.23, and a review "
        "queue needs 11 or newer; upgrade it, or keep the queue in a SQLite file"
    )


def test_a_korean_desktops_client_encoding_does_not_reach_the_queue(postgres_url, monkeypatch):
    monkeypatch.setenv("PGCLIENTENCODING", "EUC_KR")  # as set for older Korean tools
    batch = variants(1)
    variant = batch[0].model_copy(
        update={"copy": batch[0].copy.model_copy(update={"headline": "똠방각하 완주 🏃"})}
    )
    with ReviewQueue(postgres_url) as queue:
        queue.submit([variant])
        assert queue.get(variant.id).copy.headline == "똠방각하 완주 🏃"


def by_hand(queue_location: str, sql: str) -> None:
    """Change a queue as another program or a person with a SQL prompt might."""
    if queue_location.startswith("postgresql"):
        with psycopg.connect(queue_location, autocommit=True) as db:
            db.execute(sql)
    else:
        with sqlite3.connect(queue_location) as db:
            db.execute(sql)


def test_a_schema_version_no_dco_wrote_is_named_not_a_value_error(queue_location):
    with ReviewQueue(queue_location):
        pass
    by_hand(queue_location, "UPDATE meta SET value = 'four' WHERE key = 'schema_version'")
    with pytest.raises(StoreError) as error:
        ReviewQueue(queue_location)
    assert "its schema_version is 'four', which no dco writes" in one_line(error)


@pytest.mark.parametrize(
    ("sql", "why", "readers"),
    [
        ("UPDATE decisions SET reasons = 'too long'", "Expecting value", ("decided", "history")),
        # Statistics read no decision's time: only the full decision does.
        ("UPDATE decisions SET at = 'yesterday'", "Invalid isoformat string", ("history",)),
    ],
)
def test_a_decision_changed_by_hand_is_named_with_its_queue_and_number(
    queue_location, sql, why, readers
):
    batch = variants(1)
    with ReviewQueue(queue_location) as queue:
        queue.submit(batch)
        queue.reject(batch[0].id, "minji", ["too-long"])
    by_hand(queue_location, sql)
    with ReviewQueue(queue_location) as queue:
        for reader in readers:
            with pytest.raises(StoreError) as error:
                queue.history(batch[0].id) if reader == "history" else queue.decided()
            text = one_line(error)
            assert text.startswith(f"{queue.store.location}: decision 1 (on {batch[0].id}) is "
                                   "not one this dco can read (")  # fmt: skip
            assert why in text


def test_a_stored_variant_this_dco_cannot_read_is_named_with_its_queue(queue_location):
    batch = variants(2)
    with ReviewQueue(queue_location) as queue:
        queue.submit(batch)
    # As a newer dco might write it: a field this one does not know.
    by_hand(
        queue_location,
        'UPDATE variants SET data = replace(data, \'"id":\', \'"novelty": 1, "id":\')',
    )
    with ReviewQueue(queue_location) as queue:
        for read in (queue.pending, lambda: queue.claim("minji"), lambda: queue.get(batch[0].id)):
            with pytest.raises(StoreError) as error:
                read()
            text = one_line(error)
            assert batch[0].id in text and "novelty" in text and "not one this dco can read" in text
        queue.approve(batch[1].id, "minji")  # a decision needs no more than the variant's id
    done = run_dco("export", queue_location)
    assert done.returncode == 2 and batch[1].id in done.stderr.splitlines()[0]


def test_pgoptions_reach_the_session_after_dcos_own_settings(monkeypatch):
    monkeypatch.setenv("PGOPTIONS", "-c statement_timeout=5000")
    options = postgres_store._session_options("postgresql://reviewer@db.example/queue")
    isolation = r"-c default_transaction_isolation=read\ committed"
    ours = "-c dco.session_options=kept -c lock_timeout=30000"
    assert options == f"{ours} -c statement_timeout=5000 {isolation}"
    in_the_url = "postgresql://reviewer@db.example/queue?options=-csearch_path%3Ddco"
    options = postgres_store._session_options(in_the_url)
    assert options == f"{ours} -csearch_path=dco {isolation}"


def test_a_nul_character_postgres_cannot_store_is_named_with_its_variant(postgres_url):
    batch = variants(3)
    brief = batch[1].brief.model_copy(update={"campaign": "봄\x00세일"})
    broken = batch[1].model_copy(update={"brief": brief})  # the copy is JSON, its NUL escaped
    with ReviewQueue(postgres_url) as queue:
        with pytest.raises(StoreError) as error:
            queue.submit([batch[0], broken, batch[2]])
        assert f"variant {broken.id} cannot be stored here" in one_line(error)
        assert queue.pending() == []  # nothing of the batch went in
        queue.submit([batch[0]])
        with pytest.raises(StoreError, match=r"cannot store the NUL character \(0x00\)"):
            queue.reject(batch[0].id, "kim", ["off-brand"], note="too\x00 loud")
        assert queue.status(batch[0].id) == "pending"


def test_a_server_without_ssl_where_the_url_insists_on_it_is_named_as_such():
    with refusing_server("FATAL", "never reached", "utf-8") as port:
        url = f"postgresql://reviewer@127.0.0.1:{port}/queue?sslmode=require"
        with pytest.raises(StoreError) as error:
            ReviewQueue(url)
    text = one_line(error)
    assert "the server takes no encrypted (SSL) connections" in text
    assert "does not speak PostgreSQL" not in text


@pytest.mark.parametrize(
    "settings",
    [
        "sslmode=verify-full&sslrootcert=system",  # signed by no authority the system trusts
        f"sslmode=verify-full&sslrootcert={CERTIFICATE}",  # for db.internal, not 127.0.0.1
        "sslmode=verify-ca&sslrootcert=missing-root.crt",  # no such file
    ],
)
def test_a_certificate_libpq_does_not_accept_is_named_with_what_to_check(settings):
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(CERTIFICATE, CERTIFICATE.with_suffix(".key"))
    with refusing_server("FATAL", "never reached", "utf-8", tls=tls) as port:
        url = f"postgresql://reviewer@127.0.0.1:{port}/queue?{settings}"
        with pytest.raises(StoreError) as error:
            ReviewQueue(url)
    text = one_line(error)
    assert "the server's certificate was not accepted" in text and "sslrootcert=" in text
    assert "does not speak PostgreSQL" not in text


def test_a_transaction_the_server_took_back_is_named_as_a_conflict_to_retry(postgres_url):
    """A serialization failure (as a deadlock is) is the server undoing one of two sessions'
    transactions, not a server out of reach."""
    with psycopg.connect(postgres_url, autocommit=True) as setup:
        setup.execute("CREATE TABLE counters (n INT)")
        setup.execute("INSERT INTO counters VALUES (0)")
    with psycopg.connect(postgres_url) as first, psycopg.connect(postgres_url) as second:
        for session in (first, second):
            session.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            session.execute("SELECT n FROM counters").fetchall()  # both take their snapshots
        first.execute("UPDATE counters SET n = n + 1")
        first.commit()
        with pytest.raises(psycopg.errors.SerializationFailure) as failed:
            second.execute("UPDATE counters SET n = n + 1")
        explained = postgres_errors.explain(
            failed.value, where="the queue", secret=None, lock_seconds=30, connection=second
        )
    assert "took the transaction back to settle a conflict" in str(explained)
    assert "try again" in str(explained) and "cannot reach" not in str(explained)


def test_a_server_with_no_connection_to_spare_says_so_not_to_check_the_login(postgres_url):
    role = f"one_at_a_time_{postgres_url.split('/')[3].split('?')[0]}"
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        owner.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1")
    url = postgres_url.replace("postgresql://postgres@", f"postgresql://{role}@")
    try:
        with psycopg.connect(url), pytest.raises(StoreError) as error:
            ReviewQueue(url)
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as owner:
            owner.execute(f"DROP ROLE {role}")
    text = one_line(error)
    assert "the server has no connection to spare" in text and "CONNECTION LIMIT" in text
    assert "pg_hba.conf" not in text


def test_a_location_keeps_a_urls_settings_but_neither_password():
    url = ("postgresql://kim:pw-1@db.internal:6432/dco?sslmode=verify-full&sslpassword=pw-2"
           "&options=-csearch_path%3Ddco")  # fmt: skip
    shown = postgres_store.safe_location(url)
    assert shown == (  # the settings in libpq's order
        "postgresql://kim@db.internal:6432/dco?options=-csearch_path%3Ddco&sslmode=verify-full"
    )


def test_a_port_where_something_else_closes_at_once_is_named_as_not_postgresql():
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def close_each() -> None:  # a service that is no PostgreSQL, hanging up on every client
        listener.settimeout(0.1)
        while not stop.is_set():
            with suppress(TimeoutError):
                listener.accept()[0].close()

    closer = threading.Thread(target=close_each, daemon=True)
    closer.start()
    try:
        with pytest.raises(StoreError) as error:
            ReviewQueue(f"postgresql://reviewer@127.0.0.1:{listener.getsockname()[1]}/queue")
    finally:
        stop.set()
        closer.join()
        listener.close()
    assert "the server there does not speak PostgreSQL" in one_line(error)


def test_an_address_closed_at_connect_that_nothing_answers_is_named_as_out_of_reach():
    """What psycopg reports for a machine on the local network that is off (libpq's words for
    a server hanging up): the address is tried again, and found out of reach, not taken for a
    server that is no PostgreSQL."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as gone:  # a port nothing listens on after
        port = gone.getsockname()[1]
    said = psycopg.OperationalError(
        f'connection failed: connection to server at "127.0.0.1", port {port} failed: server '
        "closed the connection unexpectedly\n\tThis probably means the server terminated "
        "abnormally\n\tbefore or while processing the request."
    )
    text = str(postgres_errors.explain(said, where="postgresql://kim@127.0.0.1/queue",
                                       secret=None, lock_seconds=30, connection=None))  # fmt: skip
    assert "cannot reach the PostgreSQL server" in text
    assert f"127.0.0.1, port {port}: Connection refused" in text
