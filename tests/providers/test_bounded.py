"""A server that sends a reply without end, or too slowly, costs a bounded read, not the process:
the real `openai` client, on the HTTP clients dco makes, against a local server."""

import asyncio
import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dco.errors import InvalidReplyError
from dco.providers.base import ChatRequest, Message
from dco.providers.openai import OpenAIProvider

REQUEST = ChatRequest(messages=(Message("user", "write"),), max_tokens=300)


@contextmanager
def sending_server(pieces: int, size: int, pause: float = 0.0) -> Iterator[str]:
    """A server whose every completion is a JSON reply with `pieces` pieces of `size` bytes of
    text, `pause` seconds apart (unless the client hangs up first); yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # no length: the body ends when the server says so

        def do_POST(self):  # the name http.server calls
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                self.wfile.write(b'{"choices": [{"message": {"content": "')
                for _ in range(pieces):
                    self.wfile.write(b"x" * size)
                    self.wfile.flush()
                    time.sleep(pause)
                self.wfile.write(b'"}, "finish_reason": "stop"}]}')
            except OSError:
                pass  # the client hung up

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_huge_reply_is_refused_once_larger_than_any_reply_and_nothing_is_kept():
    before = peak_mb()
    with sending_server(pieces=1024, size=64 * 1024) as url:  # 64 MB, as if it had no end
        llm = OpenAIProvider(model="m", api_key="sk-test", base_url=url, timeout=30)
        with pytest.raises(InvalidReplyError, match="sent a reply larger than 4 MB"):
            llm.complete(REQUEST)
        llm.close()
    assert peak_mb() - before < 32  # read whole, a reply's body is held two or three times


def test_a_huge_async_reply_is_refused_the_same_way():
    async def run():
        llm = OpenAIProvider(model="m", api_key="sk-test", base_url=url, timeout=30)
        try:
            await llm.acomplete(REQUEST)
        finally:
            await llm.aclose()

    with (
        sending_server(pieces=1024, size=64 * 1024) as url,
        pytest.raises(InvalidReplyError, match="larger than"),
    ):
        asyncio.run(run())


def test_a_reply_still_coming_after_the_timeout_is_refused_though_bytes_keep_arriving():
    # A piece every 0.05 s never lets the 0.5 s timeout between reads run out; the whole
    # reply takes 3 s, so only a bound on the whole refuses it.
    with sending_server(pieces=60, size=16, pause=0.05) as url:
        llm = OpenAIProvider(model="m", api_key="sk-test", base_url=url, timeout=0.5)
        with pytest.raises(InvalidReplyError, match=r"still sending its reply after 0\.5 s"):
            llm.complete(REQUEST)
        llm.close()
