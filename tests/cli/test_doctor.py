"""`dco doctor` as a user types it, against a local OpenAI-compatible server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tests.conftest import run_dco


class _Completions(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions with `reply` (or `status` with an error)."""

    reply: ClassVar[dict] = {"ok": True}
    status = 200

    def do_POST(self):  # the name http.server calls
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self.status != 200:
            body = {"error": {"message": "no such model"}}
        else:
            body = {
                "model": "local-model",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": json.dumps(self.reply)}}],
                "usage": {"prompt_tokens": 30, "completion_tokens": 5},
            }  # fmt: skip
        data = json.dumps(body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(request):
    handler = type("Handler", (_Completions,), dict(getattr(request, "param", {})))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://user:secret@127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


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
