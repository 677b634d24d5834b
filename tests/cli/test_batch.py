"""`dco generate --batch` and `dco batch status|collect` as a user types them, against a local
mock of the Batch API reached through the real SDK (OPENAI_BASE_URL)."""

import json

import pytest

from dco.generation.cost import batch_share, price_of
from dco.generation.pipeline import Spend
from dco.review import ReviewQueue
from tests.batch_server import batch_server
from tests.conftest import run_dco
from tests.generation.test_batch_jobs import PRODUCTS, copywriter


@pytest.fixture
def campaign(tmp_path):
    path = tmp_path / "campaign.json"
    briefs = [{"product": p, "offer": "첫 주 무료", "channel": "google_rsa"} for p in PRODUCTS[:3]]
    path.write_text(json.dumps(briefs, ensure_ascii=False), encoding="utf-8")
    return path


def send(campaign, jobs, server, *extra):
    """`dco generate --batch` of the campaign through the mock, as a user types it: the
    environment it was given and what it printed."""
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.base_url}
    sent = run_dco("generate", "--brief", str(campaign), "--stage", "decision", "--n", "2",
                   "--seed", "7", "--provider", "openai/gpt-4o-mini", "--batch",
                   "--batch-dir", str(jobs), *extra, env=env)  # fmt: skip
    return env, sent


def test_a_campaign_sent_as_a_batch_is_collected_into_the_queue(tmp_path, campaign):
    jobs, queue = tmp_path / "jobs", tmp_path / "review.db"
    with batch_server(copywriter(refuse="수영 강습"), polls=2) as server:
        env, sent = send(campaign, jobs, server)
        assert sent.returncode == 0, sent.stderr
        batch_id = sent.stdout.strip()
        assert batch_id == server.created[0] and "dco batch collect" in sent.stderr
        status = run_dco("batch", "status", batch_id, "--batch-dir", str(jobs), env=env)
        assert status.returncode == 0 and "is in_progress" in status.stdout
        done = run_dco("batch", "collect", batch_id, "--batch-dir", str(jobs), "--queue",
                       str(queue), env=env)  # fmt: skip
        korean = run_dco("batch", "status", batch_id, "--batch-dir", str(jobs), "--lang", "ko",
                         env=env)  # fmt: skip
    assert f"배치 {batch_id} (요청 3건) 상태 completed, 3/3 응답; 수집 완료" in korean.stdout
    assert done.returncode == 1  # one brief failed, and says so
    assert "4 variants accepted, 0 discarded, 1 brief failed" in done.stdout
    assert (
        "brief 3 (수영 강습) failed: the batch refused the request (HTTP 400: content policy)"
        in (done.stderr)
    )
    assert "Batch API price" in done.stderr and "sent directly" in done.stderr
    with ReviewQueue(queue) as q:
        assert q.stats()["pending"] == 4


def test_batch_needs_a_provider_with_a_batch_api_and_collect_needs_somewhere_to_put_it(
    tmp_path, campaign
):
    jobs = tmp_path / "jobs"
    refused = run_dco("generate", "--brief", str(campaign), "--stage", "decision",
                      "--provider", "fake", "--batch", "--batch-dir", str(jobs))  # fmt: skip
    assert refused.returncode == 2 and "has no Batch API" in refused.stderr
    assert not jobs.exists()  # nothing half-made
    missing = run_dco("batch", "collect", "batch-9", "--batch-dir", str(tmp_path))
    assert missing.returncode == 2 and "no batch job of that id" in missing.stderr
    # An id no folder could be named (past the system's 255 bytes) is no job's, and is cut.
    too_long = run_dco("batch", "status", "b" * 5000, "--batch-dir", str(tmp_path))
    assert too_long.returncode == 2
    assert too_long.stderr.startswith("dco: error: " + "b" * 80 + "…: no batch job of that id")


def test_collect_checks_replies_in_workers_and_names_a_briefs_file_changed_since(
    tmp_path, campaign
):
    jobs, queue = tmp_path / "jobs", tmp_path / "review.db"
    with batch_server(copywriter(), polls=1) as server:
        env, sent = send(campaign, jobs, server)
        batch_id = sent.stdout.strip()
        (folder,) = jobs.iterdir()
        briefs_file = folder / "briefs.jsonl"
        kept = briefs_file.read_text(encoding="utf-8")
        lines = kept.splitlines()
        lines[2] = '{"product": 3}'  # the third brief, replayed by a worker
        briefs_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        collect = ("batch", "collect", batch_id, "--batch-dir", str(jobs), "--queue", str(queue))
        broken = run_dco(*collect, "--workers", "2", env=env)
        briefs_file.write_text(kept, encoding="utf-8")
        none = run_dco(*collect, "--workers", "0", env=env)
        done = run_dco(*collect, "--workers", "2", env=env)
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert f"{briefs_file} line 3: not a brief dco wrote" in broken.stderr
    assert none.returncode == 2 and "--workers" in none.stderr
    assert done.returncode == 0, done.stderr
    assert "6 variants accepted, 0 discarded" in done.stdout
    with ReviewQueue(queue) as q:
        assert q.stats()["pending"] == 6


def test_collect_says_which_kept_reply_file_it_downloaded_again(tmp_path, campaign):
    jobs, queue = tmp_path / "jobs", tmp_path / "review.db"
    with batch_server(copywriter(), polls=1) as server:
        env, sent = send(campaign, jobs, server)
        collect = ("batch", "collect", sent.stdout.strip(), "--batch-dir", str(jobs), "--queue",
                   str(queue))  # fmt: skip
        first = run_dco(*collect, env=env)
        assert first.returncode == 0
        (replies,) = jobs.glob("*/round-1.output.jsonl")
        assert f"downloading {replies} from the provider" in first.stderr
        replies.write_bytes(replies.read_bytes()[:100])
        text = run_dco(*collect, env=env)
        replies.unlink()
        as_json = run_dco(*collect, "--json", env=env)
        again = run_dco(*collect, env=env)
    assert text.returncode == 0 and "6 variants accepted" in text.stdout
    assert f"{replies} was removed or changed since it was downloaded; it was downloaded again" in (
        text.stderr
    )
    assert json.loads(as_json.stdout)["downloaded_again"] == ["round-1.output.jsonl"]
    assert "downloading" not in again.stderr  # kept as downloaded: read, not fetched
    assert len(server.created) == 1 and server.direct == 0
    with ReviewQueue(queue) as q:
        assert q.stats()["total"] == 6


def test_batch_size_splits_a_campaign_and_its_repairs_into_batches_of_that_many(tmp_path, campaign):
    jobs, queue = tmp_path / "jobs", tmp_path / "review.db"
    with batch_server(copywriter(long_first_round=True), polls=1) as server:
        env, sent = send(campaign, jobs, server, "--batch-size", "2")
        assert sent.returncode == 0, sent.stderr
        assert "sent 3 briefs in 2 batches as batch" in sent.stderr
        batch_id = sent.stdout.strip()
        collect = ("batch", "collect", batch_id, "--batch-dir", str(jobs), "--queue", str(queue))
        first = run_dco(*collect, "--json", env=env)  # every brief asks for a repair
        assert len(json.loads(first.stdout)["batches"]) == 2  # the repairs: split the same way
        spend = json.loads(first.stdout)["spend"]  # the first round's, paid though none is done
        direct = price_of("gpt-4o-mini").of(Spend(prompt_tokens=30, completion_tokens=30))
        counts = (spend["requests"], spend["prompt_tokens"], spend["completion_tokens"])
        assert counts == (3, 30, 30)
        assert spend["usd_sent_directly"] == pytest.approx(direct) and direct > 0
        assert spend["usd"] == pytest.approx(direct * batch_share())
        done = run_dco(*collect, env=env)
        assert done.returncode == 0, done.stderr
    assert len(server.created) == 4
    with ReviewQueue(queue) as q:
        assert q.stats()["pending"] == 6
    alone = run_dco("generate", "--brief", str(campaign), "--stage", "decision",
                    "--batch-size", "2")  # fmt: skip
    assert alone.returncode == 2 and "--batch-size goes with --batch" in alone.stderr


def test_batch_size_help_shows_the_limit_the_data_file_sets(monkeypatch):
    from click.testing import CliRunner

    from dco.cli import cli
    from dco.cli import generate as command
    from dco.generation.batch_rounds import BatchLimits

    monkeypatch.setattr(command, "batch_limits", lambda: BatchLimits(1234, 10**6))
    shown = CliRunner().invoke(cli, ["generate", "--help"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "[default: (the Batch API's most, 1,234); x>=1]" in shown.output


def test_the_providers_words_are_printed_as_it_sent_them_even_when_they_look_like_markup(
    tmp_path, campaign
):
    jobs = tmp_path / "jobs"
    said = "line 2: [/INST] is not allowed in [messages]"
    with batch_server(copywriter(), refuse={1: "invalid_file"}) as server:
        env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.base_url}
        sent = run_dco("generate", "--brief", str(campaign), "--stage", "decision",
                       "--provider", "openai/gpt-4o-mini", "--batch", "--batch-dir", str(jobs),
                       env=env)  # fmt: skip
        batch_id = sent.stdout.strip()
        server.batches[batch_id]["errors"]["data"][0]["message"] = said
        status = run_dco("batch", "status", batch_id, "--batch-dir", str(jobs), env=env)
    assert status.returncode == 0, status.stderr
    assert f"the provider says: {said}" in " ".join(status.stdout.split())
