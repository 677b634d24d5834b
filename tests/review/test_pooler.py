"""Through a connection pooler that takes no session options (PgBouncer, refusing or ignoring
them), the queue still works, with its lock timeout, and a review app looks for decisions made
elsewhere instead of waiting for announcements the pooler would not deliver. (Every test of
the queue also runs through one: the `queue_location` fixture.)"""

import threading

import psycopg
import pytest

from dco.errors import StoreError
from dco.review import ReviewQueue
from dco.review.stores import postgres as postgres_store
from tests.review.test_queue import variants


@pytest.mark.parametrize("options", ["refused", "refused_by_name", "ignored"])
def test_a_pooler_that_takes_no_session_options_still_serves_the_queue(through_a_pooler, options):
    with ReviewQueue(through_a_pooler(options)) as queue:
        batch = variants(3)
        queue.submit(batch)
        claimed = queue.claim("kim")
        assert claimed is not None and claimed.variant.id == batch[0].id
        queue.approve(claimed.variant.id, "kim")
        assert queue.stats()["approved"] == 1
        undone = queue.undo("kim")
        assert undone is not None and undone.variant_id == batch[0].id
        assert queue.stats()["pending"] == 3


@pytest.mark.parametrize("options", ["refused", "ignored"])
def test_through_a_pooler_a_lock_held_past_the_timeout_is_still_named(
    through_a_pooler, options, postgres_url, monkeypatch
):
    """dco's lock timeout cannot be a session setting there: each transaction sets it."""
    monkeypatch.setattr(postgres_store, "LOCK_SECONDS", 1)
    url = through_a_pooler(options)
    with ReviewQueue(url) as queue, psycopg.connect(postgres_url) as other:
        other.execute("LOCK TABLE variants IN ACCESS EXCLUSIVE MODE")
        letting_go = threading.Timer(5, other.rollback)  # without the timeout, the wait ends
        letting_go.start()
        try:
            with pytest.raises(StoreError) as error:
                queue.submit(variants(1))
        finally:
            letting_go.join()
    assert "another session has held the rows for over 1 s" in str(error.value)


@pytest.mark.parametrize("options", ["refused", "ignored"])
def test_through_a_pooler_a_decision_or_claim_kept_waiting_for_a_lock_is_told_so(
    through_a_pooler, options, postgres_url, monkeypatch
):
    """A decision or a claim is one call to a function on the server, with no transaction of
    dco's around it to set the timeout in: the function bounds its own waits."""
    monkeypatch.setattr(postgres_store, "LOCK_SECONDS", 1)
    with ReviewQueue(through_a_pooler(options)) as queue:
        batch = variants(2)
        queue.submit(batch)
        with psycopg.connect(postgres_url) as other:
            other.execute("LOCK TABLE variants IN ACCESS EXCLUSIVE MODE")
            letting_go = threading.Timer(10, other.rollback)  # without the bound, waits end
            letting_go.start()
            try:
                for attempt in (lambda: queue.approve(batch[0].id, "kim"),
                                lambda: queue.claim("kim"),
                                lambda: queue.hold(batch[1].id, "kim")):  # fmt: skip
                    with pytest.raises(StoreError) as error:
                        attempt()
                    assert "another session has held the rows for over 1 s" in str(error.value)
            finally:
                letting_go.cancel()
                other.rollback()
        assert queue.approve(batch[0].id, "kim").action == "approve"


@pytest.mark.parametrize("options", ["refused", "ignored"])
def test_through_a_pooler_a_review_app_looks_for_decisions_instead_of_listening(
    through_a_pooler, options, postgres_url
):
    """A pooler delivers no notifications: waiting is a look after the time given (no session
    listens), and what another reviewer decided meanwhile is found."""
    url = through_a_pooler(options)
    with ReviewQueue(url) as app, ReviewQueue(postgres_url) as elsewhere:
        batch = variants(2)
        app.submit(batch)
        seen = app.log_position()
        for _ in range(2):
            assert app.wait_for_decisions(0.2) == (True, None)  # a look due, not an announcement
        elsewhere.approve(batch[1].id, "lee")
        assert [d.variant_id for _, d in app.decisions_since(seen)] == [batch[1].id]
        with psycopg.connect(postgres_url) as watcher:
            listening = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%%' "
                "AND datname = current_database()"
            ).fetchone()
        assert listening == (0,)


@pytest.mark.parametrize("options", ["refused", "refused_by_name"])
def test_a_pooler_refusing_the_urls_own_options_says_to_set_them_for_the_user(
    through_a_pooler, options
):
    with pytest.raises(StoreError) as error:
        ReviewQueue(through_a_pooler(options) + "?options=-csearch_path%3Ddco")
    text = str(error.value)
    assert "a connection pooler such as PgBouncer, takes no options" in text
    assert "ALTER ROLE" in text and "\n" not in text


def test_a_pooler_ignoring_the_urls_own_options_says_so_before_the_queue_is_made_elsewhere(
    through_a_pooler, postgres_url
):
    """The URL's search_path never reached the server: a queue made all the same would be in
    another schema than the one asked for."""
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        owner.execute("CREATE SCHEMA dco")
    with pytest.raises(StoreError) as error:
        ReviewQueue(through_a_pooler("ignored") + "?options=-csearch_path%3Ddco")
    text = str(error.value)
    assert "a connection pooler such as PgBouncer, ignores the options" in text
    assert "ALTER ROLE" in text and "\n" not in text
    with psycopg.connect(postgres_url) as owner:
        tables = owner.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('public', 'dco')"
        ).fetchone()
    assert tables == (0,)


def _prepared_everywhere_then_lost(queue: ReviewQueue) -> None:
    """Lose the statements the queue's session prepared, as a pooler in transaction mode does
    when it sends the next transaction to another server session."""
    queue.store.db.pgconn.exec_(b"DEALLOCATE ALL")


def _review(queue: ReviewQueue, times: int) -> None:
    """Claim and approve `times` variants: past psycopg's threshold (5), each statement would
    be prepared."""
    for _ in range(times):
        claimed = queue.claim("kim")
        assert claimed is not None
        queue.approve(claimed.variant.id, "kim")


def test_a_pooler_that_took_the_options_is_found_out_by_a_lost_statement_and_claims_go_on(
    postgres_url,
):
    """Some poolers take a session's options and still run each transaction on any server
    session: a claim whose prepared statement is not there runs again, unprepared."""
    with ReviewQueue(postgres_url) as queue:
        queue.submit(variants(8))
        _review(queue, 6)  # claims and decisions are prepared
        _prepared_everywhere_then_lost(queue)
        _review(queue, 1)
        assert queue.stats()["approved"] == 7


def test_a_pooler_that_took_the_options_is_found_out_by_another_clients_statement(
    postgres_url,
):
    """Through a pooler in transaction mode, the server session may hold a statement another
    client prepared, under the name psycopg gives the one it prepares next: the claim runs
    again, unprepared, and nothing is prepared from then on."""
    with ReviewQueue(postgres_url) as queue:
        queue.submit(variants(8))
        queue.store.db.pgconn.exec_(b"PREPARE _pg3_0 AS SELECT 1")  # another client's
        _review(queue, 7)
        assert queue.stats()["approved"] == 7
        assert queue.store.db.prepare_threshold is None


def test_behind_a_pooler_that_passes_the_options_on_nothing_is_prepared_from_the_start(
    through_a_pooler,
):
    """A pooler that gives out its own cancel keys is found out by them, options or not: dco
    prepares nothing there, so none of its statements meets another client's of the same
    name on a shared server session, not even the first."""
    with ReviewQueue(through_a_pooler("passed")) as queue:
        queue.submit(variants(8))
        _review(queue, 7)
        session = queue.store.db
        assert session.execute("SELECT count(*) FROM pg_prepared_statements").fetchone() == (0,)
        assert queue.stats()["approved"] == 7


def test_behind_a_pooler_that_passes_the_options_on_a_review_app_listens_and_looks(
    through_a_pooler, postgres_url
):
    """Whether such a pooler keeps the listening session's server session, dco cannot see: a
    decision announced is heard at once, and each wait that heard none ends in a look all the
    same, which finds one made where no announcement reaches."""
    with (
        ReviewQueue(through_a_pooler("passed")) as app,
        ReviewQueue(postgres_url) as elsewhere,
    ):
        batch = variants(3)
        app.submit(batch)
        assert app.wait_for_decisions(0.2) == (True, None)  # listening from now on
        elsewhere.approve(batch[0].id, "lee")
        assert app.wait_for_decisions(5) == (True, frozenset({batch[0].id}))
        assert app.wait_for_decisions(0.2) == (True, None)
        assert not app.checkup().announced
    with ReviewQueue(postgres_url) as on_the_server:
        assert on_the_server.wait_for_decisions(0.2) == (True, None)
        assert on_the_server.wait_for_decisions(0.2) == (False, None)
        assert on_the_server.checkup().announced


def test_on_the_server_itself_the_statements_a_reviewer_repeats_are_prepared(postgres_url):
    with ReviewQueue(postgres_url) as queue:
        queue.submit(variants(8))
        _review(queue, 7)
        session = queue.store.db
        assert session.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0] >= 2


def test_a_write_whose_statement_was_lost_says_to_try_again_and_the_next_one_is_recorded(
    postgres_url,
):
    with ReviewQueue(postgres_url) as queue:
        batch = variants(2)
        queue.submit(batch)
        for _ in range(6):  # a lease taken and given back: prepared past the threshold
            assert queue.hold(batch[0].id, "kim") is None
            queue.release(batch[0].id, "kim")
        assert queue.hold(batch[0].id, "kim") is None
        _prepared_everywhere_then_lost(queue)
        with pytest.raises(StoreError) as error:
            queue.release(batch[0].id, "kim")
        assert "nothing of it was recorded" in str(error.value)
        assert "try again" in str(error.value)
        assert queue.hold(batch[0].id, "jun") == "kim"  # the failed release gave nothing back
        queue.release(batch[0].id, "kim")
        assert queue.hold(batch[0].id, "jun") is None  # the try that went through did
