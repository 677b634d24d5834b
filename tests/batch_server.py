"""A local mock of OpenAI's Files and Batches endpoints (and chat completions), on 127.0.0.1.

The real `openai` SDK talks to it over HTTP as it would to api.openai.com: uploads go up as
multipart, batches are created, polled and listed, output and error files come down. A batch
runs when it is polled `polls` times; `answer` writes each line's reply; lines past `expire_after`
are left unanswered, as when the completion window ends.
"""

from __future__ import annotations

import email.parser
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[dict], tuple[int, dict]]
"""A chat request's body → (HTTP status, the body to answer with)."""


@dataclass
class BatchServer:
    answer: Answer
    polls: int = 2
    """Retrieves before a batch is done: the first ones see it in progress."""
    expire_after: int | None = None
    """Lines answered before the batch expires (None: every line)."""
    cancel_after: int | None = None
    """Lines answered before someone cancels the batch (None: no one does)."""
    refuse: dict[int, str] = field(default_factory=dict)
    """Batches (by the order they are made, from 1) refused whole, with the error code."""
    files: dict[str, bytes] = field(default_factory=dict)
    file_names: dict[str, str] = field(default_factory=dict)
    """The name each uploaded file was given (the multipart part's filename)."""
    file_times: dict[str, int] = field(default_factory=dict)
    """When each file was made, in Unix seconds (now, unless set otherwise)."""
    batches: dict[str, dict] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    """Every batch id created, in order: a batch paid for twice shows here twice."""
    uploaded: list[str] = field(default_factory=list)
    """Every file id uploaded, in order: an input file uploaded twice shows here twice."""
    unavailable: int = 0
    """Batch creations answered 503 before one succeeds: the service down for a moment."""
    direct: int = 0
    """Chat completions answered one by one (not in a batch)."""
    list_pages: int = 0
    """Pages of the batch listing served: how far a search for a batch walked."""
    file_pages: int = 0
    """Pages of the file listing served: how far a search for an upload walked."""
    timed_out: set[int] = field(default_factory=set)
    """Lines (by number in their batch, from 0) whose model call timed out, the first time a
    batch holds them: answered in the error file with the code `request_timeout`."""
    broken_off: set[str] = field(default_factory=set)
    """Files whose download stops half-way, the connection closed: a network dropping."""
    port: int = 0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def new_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}-{next(self._ids)}"

    # -- endpoints -------------------------------------------------------------------------------

    def upload(self, headers, body: bytes) -> tuple[int, dict]:
        message = email.parser.BytesParser().parsebytes(
            f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body
        )
        part = next(
            part for part in message.get_payload()
            if part.get_param("name", header="content-disposition") == "file"
        )  # fmt: skip
        file_id = self.new_id("file")
        self.files[file_id] = part.get_payload(decode=True)
        self.file_names[file_id] = part.get_filename() or "upload"
        self.uploaded.append(file_id)
        return self.file(file_id)

    def file(self, file_id: str) -> tuple[int, dict]:
        """The file's description, as `files.retrieve` has it."""
        if file_id not in self.files:
            return 404, {"error": {"message": f"No such File object: {file_id}",
                                   "type": "invalid_request_error"}}  # fmt: skip
        uploaded = file_id in self.file_names
        return 200, {
            "id": file_id, "object": "file", "bytes": len(self.files[file_id]),
            "created_at": self.file_times.setdefault(file_id, int(time.time())),
            "filename": self.file_names.get(file_id, f"{file_id}.jsonl"),
            "purpose": "batch" if uploaded else "batch_output", "status": "processed",
        }  # fmt: skip

    def file_listing(self, query: str) -> tuple[int, dict]:
        """A page of files, newest first (`order=desc`, the default), of the `purpose` asked,
        as the API pages them (`limit`, `after`)."""
        asked = urllib.parse.parse_qs(query)
        described = [self.file(file_id)[1] for file_id in self.files]  # in the order made
        if "purpose" in asked:
            described = [f for f in described if f["purpose"] == asked["purpose"][0]]
        made = list(enumerate(described))
        descending = asked.get("order", ["desc"])[0] == "desc"
        ordered = [f for _, f in sorted(made, key=lambda nf: (nf[1]["created_at"], nf[0]),
                                        reverse=descending)]  # fmt: skip
        self.file_pages += 1
        return 200, _page(ordered, asked, default_limit=10_000)

    def create(self, request: dict) -> tuple[int, dict]:
        if self.unavailable:
            self.unavailable -= 1
            return 503, {"error": {"message": "The server is overloaded or not ready yet.",
                                   "type": "server_error"}}  # fmt: skip
        if request["input_file_id"] not in self.files:
            return 400, {"error": {"message": "no such file", "type": "invalid_request_error"}}
        batch_id = self.new_id("batch")
        self.created.append(batch_id)
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": request["endpoint"],
            "input_file_id": request["input_file_id"],
            "completion_window": request["completion_window"], "status": "validating",
            "created_at": int(time.time()), "metadata": request.get("metadata") or {},
            "output_file_id": None,
            "error_file_id": None, "errors": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0}, "_polls": 0,
        }  # fmt: skip
        if code := self.refuse.get(len(self.created)):
            message = ("Enqueued token limit reached for gpt-4o-mini. Please try again once some "
                       "in_progress batches have been completed." if code == "token_limit_exceeded"
                       else "The input file is not valid.")  # fmt: skip
            self.batches[batch_id].update(status="failed", errors={"object": "list", "data": [
                {"code": code, "line": None, "message": message, "param": None}]})  # fmt: skip
        return 200, self._public(self.batches[batch_id])

    def retrieve(self, batch_id: str) -> tuple[int, dict]:
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, {"error": {"message": f"no batch {batch_id}", "type": "not_found"}}
        batch["_polls"] += 1
        if batch["status"] in ("validating", "in_progress"):
            batch["status"] = "in_progress"
            if batch["_polls"] >= self.polls:
                self._run(batch)
        return 200, self._public(batch)

    def listing(self, query: str) -> tuple[int, dict]:
        """A page of batches, newest first, as the API pages them (`limit`, `after`)."""
        asked = urllib.parse.parse_qs(query)
        made = list(enumerate(self.batches.values()))  # in the order they were made
        newest_first = [b for _, b in sorted(made, key=lambda nb: (-nb[1]["created_at"], -nb[0]))]
        self.list_pages += 1
        return 200, _page([self._public(b) for b in newest_first], asked, default_limit=20)

    def add_old_files(self, count: int, days: float) -> None:
        """`count` input files of other work, uploaded `days` ago."""
        for number in range(count):
            file_id = self.new_id("file")
            self.files[file_id] = b"{}\n"
            self.file_names[file_id] = f"old-{number}.jsonl"
            self.file_times[file_id] = int(time.time() - days * 86400) - number

    def add_old_batches(self, count: int, days: float) -> None:
        """`count` finished batches of other work, started `days` ago."""
        for number in range(count):
            batch_id = self.new_id("batch")
            self.batches[batch_id] = {
                "id": batch_id, "object": "batch", "endpoint": "/v1/chat/completions",
                "input_file_id": "file-old", "completion_window": "24h", "status": "completed",
                "created_at": int(time.time() - days * 86400) - number, "metadata": {},
                "output_file_id": None, "error_file_id": None, "errors": None,
                "request_counts": {"total": 1, "completed": 1, "failed": 0}, "_polls": 0,
            }  # fmt: skip

    def chat(self, request: dict) -> tuple[int, dict]:
        self.direct += 1
        return self.answer(request)

    def _run(self, batch: dict) -> None:
        lines = [json.loads(line) for line in self.files[batch["input_file_id"]].splitlines()]
        output, errors = [], []
        for number, line in enumerate(lines):
            if unanswered := self._unanswered(number):
                code, message = unanswered
                error = {"code": code, "message": message}
                errors.append({"id": f"req-{number}", "custom_id": line["custom_id"],
                               "response": None, "error": error})  # fmt: skip
                continue
            status, body = self.answer(line["body"])
            record = {"id": f"req-{number}", "custom_id": line["custom_id"],
                      "response": {"status_code": status, "request_id": f"r{number}",
                                   "body": body}, "error": None}  # fmt: skip
            (output if status == 200 else errors).append(record)
        for kind, records in (("output_file_id", output), ("error_file_id", errors)):
            if records:
                file_id = self.new_id("file")
                self.files[file_id] = "".join(json.dumps(r) + "\n" for r in records).encode()
                batch[kind] = file_id
        batch["status"] = (
            "expired" if self.expire_after is not None
            else "cancelled" if self.cancel_after is not None
            else "completed"
        )  # fmt: skip
        batch["request_counts"] = {"total": len(lines), "completed": len(output),
                                   "failed": len(errors)}  # fmt: skip

    def _unanswered(self, number: int) -> tuple[str, str] | None:
        """Why line `number` of a batch goes unanswered (code, message), if it does."""
        if number in self.timed_out:
            self.timed_out.discard(number)
            return "request_timeout", "The underlying call to the model timed out."
        if self.expire_after is not None and number >= self.expire_after:
            return "batch_expired", (
                "This request could not be executed before the completion window expired."
            )
        if self.cancel_after is not None and number >= self.cancel_after:
            return "batch_cancelled", (
                "This request was not executed because the batch was cancelled."
            )
        return None

    @staticmethod
    def _public(batch: dict) -> dict:
        return {key: value for key, value in batch.items() if not key.startswith("_")}


def _page(items: list[dict], asked: dict[str, list[str]], *, default_limit: int) -> dict:
    """One page of a listing, as the API pages them: `limit` items after the id `after`."""
    limit = int(asked.get("limit", [str(default_limit)])[0])
    ids = [item["id"] for item in items]
    start = ids.index(asked["after"][0]) + 1 if "after" in asked else 0
    data = items[start : start + limit]
    return {"object": "list", "data": data, "has_more": start + limit < len(ids),
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None}  # fmt: skip


@contextmanager
def batch_server(answer: Answer, **settings) -> Iterator[BatchServer]:
    """Serve a `BatchServer` until the block ends."""
    server = BatchServer(answer, **settings)

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/v1/files":
                self._reply(*server.upload(self.headers, body))
            elif self.path == "/v1/batches":
                self._reply(*server.create(json.loads(body)))
            elif self.path == "/v1/chat/completions":
                self._reply(*server.chat(json.loads(body)))
            else:
                self._reply(404, {"error": {"message": self.path}})

        def do_GET(self):  # the name http.server calls
            if match := re.fullmatch(r"/v1/files/([\w-]+)/content", self.path):
                content = server.files.get(match[1])
                if content is None:
                    self._reply(404, {})
                elif match[1] in server.broken_off:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content[: len(content) // 2])
                    self.close_connection = True
                else:
                    self._reply(200, content)
            elif match := re.fullmatch(r"/v1/files/([\w-]+)", self.path):
                self._reply(*server.file(match[1]))
            elif self.path == "/v1/files" or self.path.startswith("/v1/files?"):
                self._reply(*server.file_listing(urllib.parse.urlsplit(self.path).query))
            elif match := re.fullmatch(r"/v1/batches/([\w-]+)", self.path):
                self._reply(*server.retrieve(match[1]))
            elif self.path.startswith("/v1/batches"):
                self._reply(*server.listing(urllib.parse.urlsplit(self.path).query))
            else:
                self._reply(404, {"error": {"message": self.path}})

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        httpd.shutdown()
