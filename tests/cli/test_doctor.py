"""`dco doctor` as a user types it, against a local OpenAI-compatible server."""

import json
import os

import pytest

from tests.chat_server import chat_server, completion
from tests.conftest import run_dco


@pytest.fixture
def server(request):
    """A server answering `{"ok": true}`, or with the status its parameter names."""
    status = getattr(request, "param", {}).get("status", 200)

    def answer(body):
        if status != 200:
            return status, {"error": {"message": "no such model"}}
        return 200, completion(json.dumps({"ok": True}))

    with chat_server(answer) as port:
        yield f"http://user:secret@127.0.0.1:{port}/v1"


def doctor(base_url):
    env = {"OPENAI_API_KEY": "sk-local", "OPENAI_BASE_URL": base_url}
    return run_dco("doctor", "--provider", "openai/local-model", env=env)


def test_a_working_server_is_ready_and_its_schema_mode_is_named(server):
    done = doctor(server)
    assert done.returncode == 0, done.stderr
    assert "strict JSON schema" in done.stdout and "ready to generate" in done.stdout
    assert "secret" not in done.stdout + done.stderr  # credentials in the URL are never shown


@pytest.mark.parametrize("server", [{"status": 404}], indirect=True)
def test_a_missing_model_says_what_to_set(server):
    done = doctor(server)
    assert done.returncode == 1
    assert "set DCO_MODEL" in done.stdout


def test_no_server_says_to_check_the_base_url():
    done = doctor("http://127.0.0.1:9/v1")
    assert done.returncode == 1 and "check OPENAI_BASE_URL" in done.stdout


@pytest.mark.parametrize("server", [{"status": 404}], indirect=True)
def test_the_report_and_its_fix_speak_korean_in_columns_that_line_up(server):
    env = {"OPENAI_API_KEY": "sk-local", "OPENAI_BASE_URL": server}
    done = run_dco("--lang", "ko", "doctor", "--provider", "openai/local-model", env=env)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("제공자      openai") and lines[1].startswith("모델        ")
    assert any(line.startswith("고칠 점     DCO_MODEL(또는 --provider") for line in lines)


def test_the_offline_fake_is_ready():
    done = run_dco("doctor", "--provider", "fake")
    assert done.returncode == 0 and "ready to generate" in done.stdout


def test_a_queue_is_checked_as_its_user_would_use_it(queue_location, request):
    from dco.review import ReviewQueue
    from tests.review.test_queue import variants

    with ReviewQueue(queue_location) as queue:
        queue.submit(variants(3))
    done = run_dco("doctor", "--queue", queue_location)
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "variants 3 pending of 3" in out
    assert "rights enough to generate into it and to review" in out
    where = request.node.callspec.params["queue_location"]
    assert f"server {'SQLite' if where == 'sqlite' else 'PostgreSQL'}" in out
    # Notifications reach an app on PostgreSQL, unless through a pooler, which drops them.
    heard_at_once = where == "postgresql"
    assert ("at once" in out) == heard_at_once and ("every 2 s" in out) != heard_at_once
    assert "clock" not in out  # this machine's clock and the server's agree


def test_a_machine_whose_clock_is_off_hears_that_leases_follow_the_servers(postgres_url):
    import subprocess
    import sys

    from dco.review import ReviewQueue

    ReviewQueue(postgres_url).close()  # a queue to check
    behind = ("import sys, time; true_time = time.time; time.time = lambda: true_time() - 300; "
              "from dco.cli import main; main()")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", behind, "doctor", "--queue", postgres_url],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "clock this machine's is 300 s behind the server's" in out
    assert "leases are timed by the server's" in out


def test_a_queue_that_is_not_there_is_named_and_fails_the_check(tmp_path):
    done = run_dco("doctor", "--queue", str(tmp_path / "none.db"))
    assert done.returncode == 1
    assert "no review queue here" in done.stdout
    assert not (tmp_path / "none.db").exists()  # the check made none
