"""The provider interface: a chat request in, a result out, and the errors a provider may raise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


MOST_REPLY_BYTES = 4 * 2**20
"""The most of one reply dco reads, direct or in a batch's output: a thousand times the largest
reply it asks for (`max_tokens` bounds each). More is a server gone wrong, or a hostile one."""

MOST_BATCH_LINE_BYTES = MOST_REPLY_BYTES + 2**16
"""The most of one line of a batch's reply file read: a reply and the line's own fields."""


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """What dco asks of a model: messages, the JSON schema the reply must follow, and sampling."""

    messages: tuple[Message, ...]
    json_schema: Mapping[str, Any] | None = None
    """When given, the reply must be a JSON object following this schema."""
    schema_name: str = "reply"
    temperature: float = 0.8
    seed: int | None = None
    max_tokens: int | None = None
    request_id: str | None = None
    model: str | None = None
    """Overrides the provider's default model for this request."""

    def cache_key(self) -> dict[str, Any]:
        """Everything that determines the reply, as plain data (the request id does not)."""
        return {
            "messages": [[m.role, m.content] for m in self.messages],
            "json_schema": self.json_schema,
            "schema_name": self.schema_name,
            "temperature": self.temperature,
            "seed": self.seed,
            "max_tokens": self.max_tokens,
            "model": self.model,
        }


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens spent on one call."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class ChatResult:
    """A model's reply: its text, its JSON when a schema was asked for, and the accounting."""

    text: str
    data: Any = None
    """The reply parsed as JSON when the request had a schema and the reply parsed; else None."""
    model: str = ""
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    latency_ms: float = 0.0
    attempts: int = 1


@runtime_checkable
class Provider(Protocol):
    """Anything that answers chat requests, synchronously and asynchronously."""

    name: str
    model: str

    def complete(self, request: ChatRequest) -> ChatResult:
        """Answer `request`, blocking."""
        ...

    async def acomplete(self, request: ChatRequest) -> ChatResult:
        """Answer `request` without blocking the event loop."""
        ...


@runtime_checkable
class ServerProvider(Protocol):
    """A provider that talks to a server, and can say where and how it holds replies to a
    schema (what `dco doctor` reports; the fake and plugins need not)."""

    @property
    def server(self) -> str:
        """The server's base URL, without credentials."""
        ...

    @property
    def structured_output(self) -> str:
        """The schema mode in use: json_schema, json_schema_unbounded, json_object or none."""
        ...


BATCH_FINISHED = frozenset({"completed", "failed", "expired", "cancelled"})
"""Batch states after which nothing more will be answered."""


@dataclass(frozen=True, slots=True)
class BatchStatus:
    """Where a batch of requests stands on the provider's side."""

    id: str
    status: str
    """validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled."""
    total: int = 0
    completed: int = 0
    failed: int = 0
    output_file: str | None = None
    """The answered requests, one JSON line each, once there are any."""
    error_file: str | None = None
    """The requests that failed or were never answered, one JSON line each."""
    errors: tuple[str, ...] = ()
    """Why the provider refused the whole batch (a malformed input file, ...)."""
    retry_later: bool = False
    """Refused for now, not for what it holds (the organisation's queue of enqueued tokens was
    full): the same requests may be taken once other batches are done."""

    @property
    def finished(self) -> bool:
        return self.status in BATCH_FINISHED


@runtime_checkable
class BatchProvider(Provider, Protocol):
    """A provider that also answers requests in bulk, later and at a lower price (OpenAI's
    Batch API): a file of requests goes up, a file of replies comes back."""

    def batch_line(self, request: ChatRequest, custom_id: str) -> dict[str, Any]:
        """`request` as one line of the batch's input file."""
        ...

    def batch_reply(self, body: Any, request: ChatRequest) -> ChatResult:
        """A reply's body from the batch's output file, read as `complete` reads a reply."""
        ...

    def upload_batch_input(self, path: Any, name: str) -> str:
        """Upload the input file at `path` as `name` (a name no other upload has: what finds
        it again if its id never came back); returns the provider's id for it."""
        ...

    def find_file(self, name: str, size: int, since: float | None = None) -> str | None:
        """The id of a file the provider keeps, uploaded as `name` with `size` bytes, if it
        has one (how an upload whose answer was lost is found again, instead of left in the
        provider's storage and made twice). Files uploaded before `since` (a Unix time) are
        not looked at."""
        ...

    def has_file(self, file_id: str) -> bool:
        """Whether the provider still keeps the file (one uploaded before an interruption is
        used again, not uploaded twice, unless it was deleted or has expired meanwhile)."""
        ...

    def start_batch(self, input_file: str, metadata: Mapping[str, str]) -> str:
        """Start a batch of the uploaded input file `input_file`; returns the batch's id."""
        ...

    def find_batch(self, metadata: Mapping[str, str], since: float | None = None) -> str | None:
        """The id of a batch started with this metadata, if the provider has one (how a start
        interrupted before its id was kept is found again, instead of paid for twice). Batches
        started before `since` (a Unix time) are not looked at."""
        ...

    def batch_status(self, batch_id: str) -> BatchStatus: ...

    def download(self, file_id: str, path: Any, *, most_lines: int) -> None:
        """Write the file's content to `path`, whole or not at all. A batch's reply file has a
        line for each request at most: one of more than `most_lines` lines, or of more bytes
        than that many lines may hold (`MOST_BATCH_LINE_BYTES` each), is refused with a
        `ProviderError` before it fills the disk."""
        ...
