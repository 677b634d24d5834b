"""`dco doctor` as a user types it, against a local OpenAI-compatible server."""

import json

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


def test_the_offline_fake_is_ready():
    done = run_dco("doctor", "--provider", "fake")
    assert done.returncode == 0 and "ready to generate" in done.stdout
