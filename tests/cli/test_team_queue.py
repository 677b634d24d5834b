"""The commands that read a queue, pointed at a team's PostgreSQL server as a user would: by URL
or through DCO_QUEUE."""

import csv
import io
import json

from dco.models import Copy
from dco.review import ReviewQueue
from tests.conftest import run_dco
from tests.review.test_queue import variants


def test_every_reading_command_works_on_a_server_queue_named_by_dco_queue(postgres_url):
    with ReviewQueue(postgres_url) as queue:
        batch = variants(3)
        queue.submit(batch)
        queue.approve(batch[0].id, "kim")
        queue.edit(batch[1].id, "lee", Copy(headline="봄 러닝 코칭", body="함께 달려요.",
                                            cta="신청하기"))  # fmt: skip
        queue.reject(batch[2].id, "kim", ["too-long"])
    env = {"DCO_QUEUE": postgres_url}
    stats = run_dco("stats", "--json", env=env)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["overall"]["decided"] == 3
    exported = run_dco("export", env=env)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout.lstrip("\ufeff"))))
    assert sorted(r["decision"] for r in rows) == ["approve", "edit"]
    tuned = run_dco("tune", "--dry-run", "--json", env=env)
    assert tuned.returncode == 0, tuned.stderr
    review = run_dco("review", "--reviewer", "kim", env=env)  # no terminal here
    assert review.returncode == 2 and "dco review needs a terminal" in review.stderr


def test_generate_submits_to_the_queue_dco_queue_names(postgres_url, tmp_path):
    brief = tmp_path / "brief.yaml"
    brief.write_text("product: 하프 마라톤 코칭\noffer: 첫 주 무료\nchannel: google_rsa\n",
                     encoding="utf-8")  # fmt: skip
    done = run_dco("generate", "--brief", str(brief), "--stage", "decision", "--n", "2",
                   "--provider", "fake", env={"DCO_QUEUE": postgres_url})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "submitted 2 new variants to postgresql://postgres@" in done.stderr
    with ReviewQueue(postgres_url) as queue:
        assert queue.stats()["pending"] == 2


def test_a_filter_given_in_bytes_that_are_not_utf8_is_one_line_not_a_traceback(tmp_path):
    queue = tmp_path / "review.db"
    with ReviewQueue(queue) as q:
        q.submit(variants(1))
    # "\udcff" reaches the command as the byte 0xff, as a shell passes a Latin-1 argument.
    for args in (["stats", str(queue), "--campaign", "\udcff"],
                 ["select", str(queue), "-q", "러닝화", "--channel", "\udcff"]):  # fmt: skip
        done = run_dco(*args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "holds a lone surrogate" in done.stderr


def test_review_refuses_a_blank_reviewer_before_it_opens_the_queue(tmp_path):
    done = run_dco("review", str(tmp_path / "none.db"), "--reviewer", " ")
    assert done.returncode == 2
    assert done.stderr == (
        "dco: error: a decision needs the reviewer's name: give one that is not blank\n"
    )
