import sqlite3
import threading
import time

import pytest

from dco.review import ReviewQueue
from dco.review.stores.base import SCHEMA_VERSION
from dco.review.stores.sqlite import MIGRATIONS, _statements
from tests.review.test_queue import variants


def make_version_1(path, batch):
    """A database as dco wrote it before schema 2, with one edit and one undone approval."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    for statement in _statements(MIGRATIONS[1]):
        db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for v in batch:
        db.execute(
            "INSERT INTO variants (id, campaign, stage, channel, locale, data, submitted_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 0)",
            (v.id, v.brief.campaign, v.stage.value, v.channel, v.locale, v.model_dump_json()),
        )
    edited = batch[0].copy.model_copy(update={"headline": batch[0].copy.headline + "!"})
    db.execute(
        "INSERT INTO decisions (variant_id, action, reviewer, at, edited) "
        "VALUES (?, 'edit', 'kim', '2026-01-01T00:00:00+00:00', ?)",
        (batch[0].id, edited.model_dump_json()),
    )
    db.execute("UPDATE variants SET status = 'edited' WHERE id = ?", (batch[0].id,))
    db.execute(
        "INSERT INTO decisions (variant_id, action, reviewer, at) VALUES (?, 'approve', 'kim', "
        "'2026-01-01T00:00:01+00:00')",
        (batch[1].id,),
    )
    db.execute(
        "INSERT INTO decisions (variant_id, action, reviewer, at, undoes) "
        "VALUES (?, 'undo', 'kim', '2026-01-01T00:00:02+00:00', 2)",
        (batch[1].id,),
    )
    db.close()


def test_opening_a_version_1_database_migrates_it_and_backfills_what_version_2_keeps(tmp_path):
    batch = variants(3)
    make_version_1(tmp_path / "old.db", batch)
    with ReviewQueue(tmp_path / "old.db") as queue:
        decided = queue.decided()
        assert [r.variant_id for r in decided] == [batch[0].id]  # the undone approval is pending
        headline = len(batch[0].copy.headline)
        assert decided[0].distance == pytest.approx(1 / (headline + 1 + len(batch[0].copy.body)
                                                         + len(batch[0].copy.cta)))  # fmt: skip
        assert queue.status(batch[1].id) == "pending"
    db = sqlite3.connect(tmp_path / "old.db")
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        str(SCHEMA_VERSION),
    )
    db.close()


def test_decided_lists_the_standing_decision_with_the_edit_size_and_reasons(tmp_path):
    batch = variants(3)
    with ReviewQueue(tmp_path / "review.db") as queue:
        queue.submit(batch)
        queue.approve(batch[0].id, "kim")
        queue.reject(batch[1].id, "kim", ["too-long", "wrong-tone"])
        queue.edit(batch[2].id, "lee", batch[2].copy.model_copy(update={"cta": "지금 시작"}))
        queue.undo("kim")  # the rejection no longer stands
        decided = {r.variant_id: r for r in queue.decided()}
        assert set(decided) == {batch[0].id, batch[2].id}
        assert decided[batch[0].id].action == "approve" and decided[batch[0].id].distance == 0
        edit = decided[batch[2].id]
        assert edit.final["cta"] == "지금 시작" and edit.copy["cta"] == batch[2].copy.cta
        assert 0 < edit.distance < 1
        queue.reject(batch[1].id, "kim", ["too-long"])
        assert queue.decided(stage="decision")[-1].reasons == ("too-long",)


def test_a_postgres_database_with_other_versions_of_the_functions_gets_this_dcos(postgres_url):
    import psycopg

    batch = variants(2)
    with ReviewQueue(postgres_url) as queue:
        queue.submit(batch)
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(
            "CREATE OR REPLACE FUNCTION dco_claim(p_reviewer TEXT, p_now DOUBLE PRECISION, "
            "p_expires DOUBLE PRECISION, p_campaign TEXT, p_stage TEXT, p_channel TEXT, "
            "p_locale TEXT) RETURNS TEXT LANGUAGE sql AS 'SELECT NULL::text'"
        )
        db.execute("UPDATE meta SET value = 'another' WHERE key = 'functions'")
    with ReviewQueue(postgres_url) as queue:
        assert queue.claim("kim").variant.id == batch[0].id
        assert queue.stats()["total"] == 2


def test_a_postgres_database_whose_hold_function_returned_less_gets_this_dcos(postgres_url):
    import psycopg

    batch = variants(2)
    with ReviewQueue(postgres_url) as queue:
        queue.submit(batch)
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("DROP FUNCTION dco_hold")  # as it was while it was being made
        db.execute(
            "CREATE FUNCTION dco_hold(p_variant TEXT, p_reviewer TEXT, p_now DOUBLE PRECISION, "
            "p_expires DOUBLE PRECISION, p_only BOOLEAN) RETURNS TEXT LANGUAGE sql "
            "AS 'SELECT NULL::text'"
        )
        db.execute("UPDATE meta SET value = 'another' WHERE key = 'functions'")
    with ReviewQueue(postgres_url) as queue:
        assert queue.take(batch[0].id, "kim") == (batch[0], None)
        assert queue.hold(batch[0].id, "lee") == "kim"


def test_a_role_that_may_not_replace_the_functions_still_reviews_with_those_there(
    postgres_server, postgres_url
):
    import psycopg

    batch = variants(2)
    with ReviewQueue(postgres_url) as queue:
        queue.submit(batch)
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE meta SET value = 'another' WHERE key = 'functions'")
        db.execute("DROP ROLE IF EXISTS reviewer_dml")
        db.execute("CREATE ROLE reviewer_dml LOGIN")
        db.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                   "TO reviewer_dml")  # fmt: skip
        db.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO reviewer_dml")
    try:
        url = postgres_url.replace("postgresql://postgres@", "postgresql://reviewer_dml@")
        with ReviewQueue(url) as queue:
            claimed = queue.claim("kim")
            assert claimed.variant.id == batch[0].id
            queue.approve(claimed.variant.id, "kim")
            assert queue.stats()["approved"] == 1
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as db:
            db.execute("DROP OWNED BY reviewer_dml")
            db.execute("DROP ROLE reviewer_dml")
    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'functions'").fetchone() == (
            "another",
        )


@pytest.mark.parametrize("isolation", ["repeatable read", "serializable"])
def test_a_database_defaulting_to_stricter_isolation_still_takes_decisions_that_waited(
    postgres_url, isolation
):
    """A DBA's default isolation for the database: a decision that waited for another
    session's write to the same variant goes on after it, instead of failing to serialize."""
    import psycopg

    batch = variants(1)
    database = postgres_url.split("/")[3].split("?")[0]
    with ReviewQueue(postgres_url) as queue, psycopg.connect(postgres_url) as other:
        queue.submit(batch)
        other.execute(f"ALTER DATABASE \"{database}\" SET default_transaction_isolation = "
                      f"'{isolation}'")  # fmt: skip
        other.commit()
    with ReviewQueue(postgres_url) as queue, psycopg.connect(postgres_url) as other:
        other.execute("UPDATE variants SET submitted_at = submitted_at WHERE id = %s",
                      (batch[0].id,))  # fmt: skip
        deciding = threading.Thread(target=queue.approve, args=(batch[0].id, "kim"))
        deciding.start()
        _wait_for_a_session_waiting_on_a_lock(postgres_url)
        other.commit()
        deciding.join()
        assert queue.stats()["approved"] == 1


def _wait_for_a_session_waiting_on_a_lock(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as watcher:
        waiting = ("SELECT count(*) FROM pg_stat_activity "
                   "WHERE wait_event_type = 'Lock' AND datname = current_database()")  # fmt: skip
        for _ in range(1500):  # up to 30 s on a loaded machine; over as soon as it waits
            if watcher.execute(waiting).fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the decision never waited for the other session's lock")


def test_a_postgres_claim_reads_the_live_leases_not_every_one_decided_since_vacuum(postgres_url):
    import psycopg

    batch = [
        variant.model_copy(update={"id": f"v_{number:04d}"})
        for number, variant in enumerate(variants(1) * 401)
    ]
    with ReviewQueue(postgres_url) as queue:
        queue.submit(batch)
        for _ in range(400):
            queue.approve(queue.claim("kim").variant.id, "kim")

        def reviewer_index_reads() -> int:
            queue.store.db.execute("SELECT pg_stat_force_next_flush()")
            queue.store.db.execute("SELECT 1")  # its end flushes this connection's counts
            with psycopg.connect(postgres_url, autocommit=True) as db:
                return db.execute(
                    "SELECT idx_tup_read FROM pg_stat_user_indexes "
                    "WHERE indexrelname = 'leases_reviewer'"
                ).fetchone()[0]

        before = reviewer_index_reads()
        queue.approve(queue.claim("kim").variant.id, "kim")
        # Each of the 400 decisions left a dead lease entry; a claim must not read them all.
        # It reads a few (1 to 11 seen): those of the last decisions, not marked dead yet.
        assert reviewer_index_reads() - before < 40


def test_a_postgres_decision_is_announced_once_another_reviewer_can_read_it(postgres_url):
    batch = variants(2)
    with ReviewQueue(postgres_url) as deciding, ReviewQueue(postgres_url) as watching:
        deciding.submit(batch)
        assert watching.store.wait_for_decisions(0) == (True, None)  # listening from now on
        deciding.approve(batch[0].id, "kim")
        assert watching.store.wait_for_decisions(30) == (True, {batch[0].id})  # and which
        assert watching.status(batch[0].id) == "approved"
        deciding.skip(batch[1].id, "kim")  # a skip decides nothing, and says so all the same
        assert watching.store.wait_for_decisions(30) == (True, {batch[1].id})
        assert [d.action for d in watching.history(batch[1].id)] == ["skip"]
        deciding.approve(batch[1].id, "kim")
        deciding.undo("kim")
        time.sleep(0.2)  # both announced by now: heard together
        assert watching.store.wait_for_decisions(30) == (True, {batch[1].id})
        assert watching.store.wait_for_decisions(0.1) == (False, None)


def test_a_table_read_left_part_way_leaves_the_queue_working(queue_location):
    # Rows are streamed in chunks; a reader that stops early (a copy that failed, a digest
    # abandoned) must not leave the connection busy with the rest.
    with ReviewQueue(queue_location) as queue:
        batch = variants(12)
        queue.submit(batch)
        rows = queue.store.table_rows("variants")
        assert [next(rows)[0] for _ in range(3)] == [v.id for v in batch[:3]]
        rows.close()
        claimed = queue.claim("minji")
        assert claimed is not None and claimed.variant.id == batch[0].id
        queue.approve(claimed.variant.id, "minji")
        assert queue.stats()["approved"] == 1
        assert sum(1 for _ in queue.store.table_rows("variants")) == 12


def test_a_postgres_connection_gone_silent_is_found_dead_in_seconds_not_minutes(postgres_url):
    """A network that drops a connection without a word is found out by TCP keepalives and
    tcp_user_timeout: a statement sent into the silence fails after 30 s, and a listening app
    hears of it within a minute, instead of both waiting out the outage."""
    with ReviewQueue(postgres_url) as queue:
        made = queue.store.db.info.get_parameters()
    assert made["keepalives"] == "1" and made["tcp_user_timeout"] == "30000"
    assert (made["keepalives_idle"], made["keepalives_interval"], made["keepalives_count"]) == (
        "30", "10", "3")  # fmt: skip
    own = f"{postgres_url}{'&' if '?' in postgres_url else '?'}keepalives_idle=5"
    with ReviewQueue(own) as queue:  # the URL's own settings win
        assert queue.store.db.info.get_parameters()["keepalives_idle"] == "5"
