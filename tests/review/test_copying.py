"""`dco queue copy` moves a queue between a file and a server with nothing lost."""

import json

import pytest

from dco.errors import StoreError
from dco.models import Copy
from dco.review import ReviewQueue
from dco.review.copying import copy_queue, digest
from tests.conftest import run_dco
from tests.review.test_queue import variants


def fill(queue: ReviewQueue) -> list[str]:
    """A queue with every kind of record: decisions of each kind, an undo, an edit, outcomes."""
    batch = variants(3, campaign="spring") + variants(3, campaign="fall", channel="sms")
    queue.submit(batch)
    ids = [v.id for v in batch]
    queue.approve(ids[0], "minji")
    queue.edit(ids[1], "jun", Copy(headline="봄 러닝 코칭", body="함께 달려요", cta="신청"))
    queue.reject(ids[2], "minji", ["too-long", "off-brand"], note="길어요")
    queue.skip(ids[3], "jun")
    queue.approve(ids[4], "seo")
    queue.undo("seo")
    queue.record_outcome(ids[0], impressions=1200, clicks=31, conversions=2, at="2026-11-23")
    queue.record_outcome(ids[1], impressions=800, clicks=9, segment="mobile", at="2026-11-24")
    return ids


def test_a_file_copied_to_a_server_and_back_keeps_every_record(tmp_path, postgres_url):
    with ReviewQueue(tmp_path / "a.db") as source:
        ids = fill(source)
        before = (source.stats(), source.decided(), source.outcome_totals(), source.pending())
        with ReviewQueue(postgres_url) as server:
            report = copy_queue(source.store, server.store)
            assert report.ok and report.counts == {"variants": 6, "decisions": 6, "outcomes": 2}
            assert (server.stats(), server.decided(), server.outcome_totals(),
                    server.pending()) == before  # fmt: skip
            assert [d.action for d in server.history(ids[4])] == ["approve", "undo"]
            # The log goes on after the copied decisions, and undo still finds what it undoes.
            server.approve(ids[5], "seo")
            assert server.undo("seo").variant_id == ids[5]
            assert server.claim("jun").variant.id == ids[4]  # ids[3] was skipped by jun
            with ReviewQueue(tmp_path / "back.db") as back:
                copy_queue(server.store, back.store)
                assert digest(back.store) == digest(server.store)


def test_copying_into_a_queue_that_holds_variants_is_refused(tmp_path):
    with ReviewQueue(tmp_path / "a.db") as a, ReviewQueue(tmp_path / "b.db") as b:
        fill(a)
        b.submit(variants(1))
        with pytest.raises(StoreError, match="already holds variants"):
            copy_queue(a.store, b.store)
        assert b.stats()["total"] == 1


def test_the_copy_command_reports_counts_and_the_digest(tmp_path, postgres_url):
    with ReviewQueue(tmp_path / "a.db") as source:
        fill(source)
        expected, _ = digest(source.store)
    done = run_dco("queue", "copy", str(tmp_path / "a.db"), postgres_url, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["target_digest"] == report["source_digest"] == expected
    assert "copied 6 decisions" in done.stderr
    again = run_dco("queue", "copy", str(tmp_path / "a.db"), postgres_url)
    assert again.returncode == 2 and "already holds variants" in again.stderr


def test_a_queue_still_in_use_is_copied_as_it_stood_when_the_copy_began(tmp_path, queue_location):
    """Reviewers go on deciding (and a generator submitting) while the queue is copied: the
    copy is of the queue at the copy's start, its tables agreeing with each other and with the
    digest, and what arrived since is counted, not lost without a word."""
    with ReviewQueue(queue_location) as source, ReviewQueue(queue_location) as reviewers:
        ids = fill(source)
        newcomers = variants(4, campaign="winter")

        def meanwhile(table: str, rows: int) -> None:
            if table == "variants":  # between copying the variants and their decisions
                reviewers.submit(newcomers)
                claimed = reviewers.claim("hana", campaign="winter")
                assert claimed is not None
                reviewers.approve(claimed.variant.id, "hana")
                # A platform's later figures for a day already recorded (updated in place, so
                # no count grows), and a new day's.
                reviewers.record_outcome(ids[0], impressions=1500, clicks=40, conversions=3,
                                         at="2026-11-23")  # fmt: skip
                reviewers.record_outcome(ids[0], impressions=300, clicks=5, at="2026-11-25")

        with ReviewQueue(tmp_path / "copy.db") as target:
            report = copy_queue(source.store, target.store, on_table=meanwhile)
            assert report.ok and report.counts == {"variants": 6, "decisions": 6, "outcomes": 2}
            assert report.arrived == {"variants": 4, "decisions": 1, "outcomes": 2}
            assert target.stats()["total"] == 6
        assert source.stats()["total"] == 10
