"""A real OpenAI-compatible chat-completions server on 127.0.0.1, for CLI tests that run dco as a
user does (a subprocess, so an in-process mock transport cannot reach it)."""

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[dict], tuple[int, dict]]
"""A request's JSON body → (HTTP status, the JSON body to answer with)."""


def completion(content: str, tokens: int = 10) -> dict:
    """A chat completion whose message is `content`."""
    return {
        "model": "local",
        "usage": {"prompt_tokens": tokens, "completion_tokens": tokens},
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
    }  # fmt: skip


_NOT_SERVED = (404, {"detail": "Not Found"})
"""What a chat-only server (vLLM's FastAPI app) answers on any other path."""


@contextmanager
def chat_server(answer: Answer) -> Iterator[int]:
    """Serve `answer` for chat completions on a free port, yielded, until the block ends; any
    other path is not found, as on a server that offers only chat."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # the name http.server calls
            sent = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not self.path.endswith("/chat/completions"):
                self._reply(*_NOT_SERVED)
                return
            self._reply(*answer(json.loads(sent)))

        def do_GET(self):  # the name http.server calls
            self._reply(*_NOT_SERVED)

        def _reply(self, status: int, reply: dict) -> None:
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
