"""A team's reviewers connect as PostgreSQL users of their own, which the database's owner has to
let in: what dco needs from the owner is said in a line the owner can run as it stands."""

from urllib.parse import quote

import psycopg
import pytest

from dco.errors import StoreError
from dco.review import ReviewQueue
from tests.conftest import run_dco
from tests.review.test_queue import variants


@pytest.fixture
def reviewer_role(postgres_url):
    """A login role of its own (named as SQL must quote it) and its URL to the test's database,
    with no rights on anything the owner makes."""
    role = f"Kim.Lee_{postgres_url.split('/')[3].split('?')[0]}"
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        owner.execute(f'DROP ROLE IF EXISTS "{role}"')
        owner.execute(f'CREATE ROLE "{role}" LOGIN')
    yield role, postgres_url.replace("postgresql://postgres@", f"postgresql://{role}@")
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        owner.execute(f'DROP OWNED BY "{role}"')
        owner.execute(f'DROP ROLE "{role}"')


def _statements_asked_of_the_owner(message: str) -> list[str]:
    """The SQL after "run: " in a message, one statement per `;`."""
    return [part.strip() for part in message.split(" run: ", 1)[1].split(";") if part.strip()]


def _queue_granted_to(role: str, url: str, batch: list) -> None:
    """A queue of `batch` made at `url` by the database's owner, who grants `role` its tables."""
    with ReviewQueue(url) as owners:
        owners.submit(batch)
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute(
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'
        )
        owner.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as db:
        return {name for (name,) in db.execute("SELECT tablename FROM pg_tables "
                                               "WHERE schemaname = 'public'")}  # fmt: skip


def test_a_reviewer_not_yet_granted_dcos_tables_is_told_the_grants_that_let_them_in(
    postgres_url, reviewer_role
):
    role, url = reviewer_role
    with ReviewQueue(postgres_url) as owners:  # the owner makes the queue and fills it
        owners.submit(variants(3))
    with pytest.raises(StoreError) as refused:
        ReviewQueue(url)
    message = str(refused.value)
    assert "\n" not in message
    assert f'"{role}" has no rights on dco\'s tables or functions' in message
    assert "permission denied for table meta" in message and "LINE 1" not in message
    # The owner runs what the message asks, as it stands; the reviewer then works in the queue.
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        for statement in _statements_asked_of_the_owner(message):
            owner.execute(statement)
    with ReviewQueue(url) as queue:
        first = queue.claim(role)
        assert first is not None
        queue.approve(first.variant.id, role)
        second = queue.claim(role)
        assert second is not None
        queue.skip(second.variant.id, role)
        assert queue.undo(role) is not None
        assert queue.stats()["approved"] == 1 and queue.pending_count() == 2


def test_where_functions_are_not_everyones_to_run_the_grants_asked_for_cover_them(
    postgres_url, reviewer_role
):
    role, url = reviewer_role
    _queue_granted_to(role, postgres_url, variants(2))
    with psycopg.connect(postgres_url, autocommit=True) as owner:  # a hardened database
        owner.execute("REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA public FROM PUBLIC")
    checked = run_dco("doctor", "--queue", url)  # before anyone starts: what is missing
    assert checked.returncode == 1
    told = " ".join(checked.stdout.split())
    assert "lacking: EXECUTE on dco_advance_frontier, EXECUTE on dco_claim" in told
    assert f'GRANT EXECUTE ON ALL ROUTINES IN SCHEMA public TO "{role}"' in told
    with ReviewQueue(url) as queue:
        with pytest.raises(StoreError) as refused:
            queue.claim(role)
        message = str(refused.value)
        assert "permission denied for function dco_claim" in message
        with psycopg.connect(postgres_url, autocommit=True) as owner:
            for statement in _statements_asked_of_the_owner(message):
                owner.execute(statement)
        for claimed in queue.claims(role):
            queue.approve(claimed.variant.id, role)
        assert queue.stats()["approved"] == 2
    checked = run_dco("doctor", "--queue", url)
    assert checked.returncode == 0 and "enough to generate into it and to review" in checked.stdout


def test_a_user_who_may_not_make_tables_is_told_what_the_owner_can_do(postgres_url, reviewer_role):
    role, url = reviewer_role
    with pytest.raises(StoreError) as refused:
        ReviewQueue(url)
    message = str(refused.value)
    assert "\n" not in message
    assert f'"{role}" may not make dco\'s tables in schema public' in message
    assert "make the queue once as the database's owner" in message
    assert _tables(postgres_url) == set()  # nothing half-made
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        for statement in _statements_asked_of_the_owner(message):
            owner.execute(statement)
    with ReviewQueue(url) as queue:
        assert queue.submit(variants(1)) == 1


def test_a_search_path_naming_no_schema_that_exists_is_named(postgres_url):
    url = postgres_url + "&options=-csearch_path%3Ddco"
    with pytest.raises(StoreError) as refused:
        ReviewQueue(url)
    assert "no schema on the search path (dco) exists" in str(refused.value)
    assert "CREATE SCHEMA" in str(refused.value)


@pytest.mark.parametrize("command", [["stats"], ["export"], ["tune", "--dry-run"]])
def test_a_command_that_reads_a_queue_does_not_make_one_in_an_empty_database(postgres_url, command):
    done = run_dco(*command, postgres_url)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "no review queue in this database yet" in done.stderr
    assert f"(dco generate --queue '{postgres_url}' makes one" in done.stderr  # as typed again
    assert _tables(postgres_url) == set()


def test_copying_from_an_empty_database_refuses_instead_of_copying_nothing(postgres_url, tmp_path):
    done = run_dco("queue", "copy", postgres_url, str(tmp_path / "copy.db"))
    assert done.returncode == 2 and "no review queue in this database yet" in done.stderr
    assert _tables(postgres_url) == set() and not (tmp_path / "copy.db").exists()


def test_a_library_reader_may_ask_not_to_make_a_queue(tmp_path, postgres_url):
    for location in (str(tmp_path / "missing.db"), postgres_url):
        with pytest.raises(StoreError, match="no review queue"):
            ReviewQueue(location, create=False)
    assert not (tmp_path / "missing.db").exists() and _tables(postgres_url) == set()


def test_the_location_dco_shows_reaches_the_same_queue_with_every_setting_but_the_password(
    postgres_url,
):
    """A queue in a schema of its own (named in the URL's options) in a database named in
    Hangul with a space: the location in messages keeps the schema and the name readable, and
    given back to dco, as the hints say to, opens that same queue."""
    own = postgres_url.split("/")[3].split("?")[0]
    database = f"검수 큐 {own}"
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        owner.execute(f'CREATE DATABASE "{database}"')
    try:
        base = postgres_url.replace(f"/{own}?", f"/{quote(database)}?")
        with psycopg.connect(base, autocommit=True) as owner:
            owner.execute("CREATE SCHEMA dco")
        url = base + "&options=-csearch_path%3Ddco"
        with ReviewQueue(url) as queue:
            queue.submit(variants(2))
            shown = queue.store.location
        assert "검수%20큐" in shown and "options=-csearch_path%3Ddco" in shown
        with ReviewQueue(shown) as again:
            assert again.pending_count() == 2
        done = run_dco("stats", url)
        hint = done.stdout.replace("\n", "").split("open it with `")[1].split("`")[0]
        assert hint == f"dco review '{shown}'"  # quoted for the shell: it holds & and ?
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as owner:
            owner.execute(f'DROP DATABASE "{database}" WITH (FORCE)')


def test_a_reviewer_decides_where_an_older_dco_left_functions_they_may_not_replace(
    postgres_url, reviewer_role
):
    role, url = reviewer_role
    _queue_granted_to(role, postgres_url, variants(2))
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        # As a dco from before decisions were announced apart from them left the database.
        owner.execute("DROP PROCEDURE dco_decide_and_claim")
        owner.execute("DROP PROCEDURE dco_decide_and_announce")
        owner.execute("UPDATE meta SET value = 'older' WHERE key = 'functions'")
    with ReviewQueue(url) as queue, psycopg.connect(postgres_url, autocommit=True) as listener:
        listener.execute("LISTEN dco_decisions")
        claimed = queue.claim(role)
        assert claimed is not None
        queue.approve(claimed.variant.id, role)
        announced = [n.payload for n in listener.notifies(timeout=30, stop_after=1)]
        assert announced == [claimed.variant.id]
        for claimed in queue.claims(role):  # deciding and claiming the next, as two calls
            queue.approve(claimed.variant.id, role)
        announced = [n.payload for n in listener.notifies(timeout=30, stop_after=1)]
        assert announced == [claimed.variant.id]
        assert queue.stats()["approved"] == 2
    with psycopg.connect(postgres_url) as owner:  # the reviewer replaced nothing
        assert owner.execute("SELECT value FROM meta WHERE key = 'functions'").fetchone() == (
            "older",
        )


def test_a_reviewer_holds_variants_where_an_older_dco_left_no_function_for_it(
    postgres_url, reviewer_role
):
    role, url = reviewer_role
    first, second = variants(2)
    _queue_granted_to(role, postgres_url, [first, second])
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        owner.execute("DROP FUNCTION dco_hold")  # as a dco from before it left the database
        owner.execute("UPDATE meta SET value = 'older' WHERE key = 'functions'")
    with ReviewQueue(url) as queue, ReviewQueue(url) as other:  # neither may replace it
        assert queue.hold(first.id, role) is None
        assert other.hold(first.id, "lee") == role
        assert queue.take(second.id, role) == (second, None)  # the first given back
        assert other.hold(first.id, "lee") is None
        assert queue.checkup().older_functions


def test_a_reviewer_undoes_where_an_older_dco_left_no_procedure_for_it(postgres_url, reviewer_role):
    role, url = reviewer_role
    first, second = variants(2)
    _queue_granted_to(role, postgres_url, [first, second])
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        owner.execute("DROP PROCEDURE dco_undo_and_announce")
        owner.execute("UPDATE meta SET value = 'older' WHERE key = 'functions'")
    with ReviewQueue(url) as queue:
        queue.approve(first.id, role)
        queue.skip(second.id, role)
        assert queue.undo(role).variant_id == second.id
        assert queue.undo(role).variant_id == first.id
        assert queue.status(first.id) == "pending"
        assert queue.claim(role).variant.id == first.id


def test_a_decision_stands_when_the_claim_sent_with_it_fails(postgres_url, reviewer_role):
    role, url = reviewer_role
    _queue_granted_to(role, postgres_url, variants(2))
    with ReviewQueue(url) as queue:
        loop = queue.claims(role)
        first = next(loop)
        with psycopg.connect(postgres_url, autocommit=True) as owner:
            owner.execute(f'REVOKE INSERT ON leases FROM "{role}"')  # no claim from now on
        assert queue.approve(first.variant.id, role).action == "approve"
        assert queue.status(first.variant.id) == "approved"
        with pytest.raises(StoreError, match="permission denied for table leases"):
            next(loop)  # the loop's own claim meets the refusal
