"""Several reviewer processes at once, and a process killed mid-review, lose nothing."""

import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from dco.models import Brief, Copy, FunnelStage, Variant
from dco.review import ReviewQueue
from tests.conftest import REPO, start_postgres


def many_variants(count: int) -> list[Variant]:
    brief = Brief(product="하프 마라톤 코칭", channel="google_rsa", campaign="load")
    return [
        Variant(copy=Copy(headline=f"헤드라인 {i}", body="본문", cta="신청"), brief=brief,
                stage=FunnelStage.DECISION, channel="google_rsa")
        for i in range(count)
    ]  # fmt: skip


def reviewer(path, name, loop="claim"):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.review.worker", str(path), name, loop],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_reviewers_whose_clocks_differ_by_more_than_a_lease_never_share_a_variant(postgres_url):
    with ReviewQueue(postgres_url) as queue:
        queue.submit(many_variants(2))
    behind = subprocess.run(
        [sys.executable, "-m", "tests.review.skewed", postgres_url, "900"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    theirs, ahead = behind.stdout.split()
    assert 899 < float(ahead) < 901  # the server's clock, 15 minutes ahead of that machine's
    with ReviewQueue(postgres_url) as queue:  # this machine's clock is right
        assert queue.lease_seconds < 900  # by its own clock, theirs would have ended
        mine = queue.claim("on time")
        assert mine is not None and mine.variant.id != theirs
        assert queue.hold(theirs, "on time") == "behind"


@pytest.mark.parametrize("loop", ["claim", "claims"])
def test_concurrent_reviewers_never_share_a_variant_and_lose_no_decision(queue_location, loop):
    path = queue_location
    with ReviewQueue(path) as queue:
        queue.submit(many_variants(200))
    workers = [reviewer(path, f"reviewer-{i}", loop) for i in range(6)]
    acked = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        acked += [line.split()[1] for line in out.splitlines()]
    assert len(acked) == len(set(acked)) == 200
    with ReviewQueue(path) as queue:
        assert queue.stats()["approved"] == 200
        assert all(len(queue.history(i)) == 1 for i in acked)


@pytest.mark.parametrize("loop", ["claim", "claims"])
def test_a_killed_process_leaves_every_acknowledged_decision(queue_location, loop):
    path = queue_location
    with ReviewQueue(path) as queue:
        queue.submit(many_variants(2000))
    worker = reviewer(path, "minji", loop)
    acked = []
    for line in worker.stdout:
        acked.append(line.split()[1])
        if len(acked) == 50:
            os.kill(worker.pid, signal.SIGKILL)
            break
    worker.wait(timeout=30)
    if not path.startswith("postgresql://"):
        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.close()
    with ReviewQueue(path) as queue:
        assert all(queue.status(variant_id) == "approved" for variant_id in acked)
        assert queue.stats()["approved"] >= 50
        # The killed reviewer's lease is still live: another reviewer passes over that variant
        # and claims the next, never one already decided.
        other = queue.claim("jun")
        assert other is not None and queue.status(other.variant.id) == "pending"


def test_a_decision_after_a_claim_waits_for_the_disk_on_postgresql(postgres_url):
    # A claim commits without waiting for its write to reach the disk; the setting that lets it
    # must end with the claim's transaction, or every decision after it would be as fragile.
    with ReviewQueue(postgres_url) as queue:
        queue.submit(many_variants(2))
        claimed = queue.claim("reviewer")
        assert claimed is not None
        setting = queue.store.db.execute("SHOW synchronous_commit").fetchone()[0]  # type: ignore[attr-defined]
        assert setting == "on"
        queue.approve(claimed.variant.id, "reviewer")
        assert queue.stats()["approved"] == 1


def test_a_decision_after_one_that_claimed_the_next_waits_for_the_disk_on_postgresql(
    postgres_url,
):
    with ReviewQueue(postgres_url) as queue:
        queue.submit(many_variants(3))
        for claimed in queue.claims("reviewer"):
            queue.approve(claimed.variant.id, "reviewer")  # and the next claimed, lightly
            setting = queue.store.db.execute("SHOW synchronous_commit").fetchone()[0]  # type: ignore[attr-defined]
            assert setting == "on"
        assert queue.stats()["approved"] == 3


@pytest.mark.parametrize("loop", ["claim", "claims"])
def test_a_server_killed_mid_review_comes_back_with_every_acknowledged_decision(tmp_path, loop):
    # A server process killed outright makes PostgreSQL start again from what reached the disk
    # (crash recovery): a decision acknowledged but still in memory would be gone. A server of
    # its own, as every session on it is cut off.
    import psycopg

    server = start_postgres(tmp_path / "data")
    url = server.get_uri()
    with ReviewQueue(url) as queue:
        queue.submit(many_variants(2000))
    worker = reviewer(url, "minji", loop)
    acked = []
    assert worker.stdout is not None
    for line in worker.stdout:
        acked.append(line.split()[1])
        if len(acked) == 50:
            with psycopg.connect(url, autocommit=True) as admin:
                (backend,) = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' "
                    "AND pid <> pg_backend_pid()"
                ).fetchone()
            os.kill(backend, signal.SIGKILL)  # the reviewer's own server process
            break
    rest, _ = worker.communicate(timeout=60)  # what it acknowledged before the crash reached it
    acked += [line.split()[1] for line in rest.splitlines()]
    assert worker.returncode != 0  # it was told the server went
    with _once_back(url) as queue:
        assert [i for i in acked if queue.status(i) != "approved"] == []
        assert queue.stats()["approved"] >= len(acked)


def _once_back(url: str, seconds: float = 120.0) -> ReviewQueue:
    """The queue at `url` once its server has recovered from the crash: a moment, or much
    longer on a machine busy with other work (a failure then says why it did not come back)."""
    import time

    from dco.errors import StoreError

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return ReviewQueue(url)
        except StoreError:
            time.sleep(0.25)
    return ReviewQueue(url)
