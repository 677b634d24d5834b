"""OpenAI's Batch API for `OpenAIProvider`: a file of requests up, a file of replies back.

Half the price of direct requests, answered within the completion window (24 h) on the
provider's side. Through the official SDK's `files` and `batches` endpoints, so a server that
implements them as OpenAI does serves (OpenAI, a local mock in the tests). Azure OpenAI's
deployments name the endpoint `/chat/completions`, without the `/v1`, in the batch and in each
line: not tried here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TypeVar

import httpx2
import openai

from dco.errors import ProviderError, TransientError
from dco.i18n import _
from dco.providers.base import MOST_BATCH_LINE_BYTES, BatchStatus, ChatRequest, ChatResult
from dco.userfiles import onto_disk, sync_folder

ENDPOINT: Final[Literal["/v1/chat/completions"]] = "/v1/chat/completions"
WINDOW: Final[Literal["24h"]] = "24h"
QUEUE_FULL: Final = "token_limit_exceeded"
"""The code of a batch refused because the organisation's enqueued tokens reached its limit."""


class _Made(Protocol):
    """A file or batch as the API lists it: when it was made, in Unix seconds."""

    @property
    def created_at(self) -> int: ...


_Listed = TypeVar("_Listed", bound=_Made)


def _made_since(listing: Iterable[_Listed], since: float | None) -> Iterator[_Listed]:
    """A newest-first listing's items up to the first made before `since` (all of them when
    None). The SDK fetches the next page only as the listing is walked on, so an account's
    older history is never read."""
    for item in listing:
        if since is not None and item.created_at < since:
            return
        yield item


class BatchEndpoints:
    """The `BatchProvider` half of `OpenAIProvider` (which supplies what is declared here)."""

    if TYPE_CHECKING:

        @property
        def server(self) -> str: ...
        def _sync(self) -> openai.OpenAI: ...
        def _translate(self, error: openai.OpenAIError) -> ProviderError: ...
        def request_body(self, request: ChatRequest) -> dict[str, Any]: ...
        def reply_from(
            self, payload: Any, request: ChatRequest, latency_ms: float = 0.0
        ) -> ChatResult: ...

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """SDK errors raised in the block as dco's (see `OpenAIProvider._translate`)."""
        try:
            yield
        except openai.OpenAIError as e:
            raise self._translate(e) from None

    def batch_line(self, request: ChatRequest, custom_id: str) -> dict[str, Any]:
        return {"custom_id": custom_id, "method": "POST", "url": ENDPOINT,
                "body": self.request_body(request)}  # fmt: skip

    def batch_reply(self, body: Any, request: ChatRequest) -> ChatResult:
        return self.reply_from(body, request)

    def upload_batch_input(self, path: Any, name: str) -> str:
        with self._translated(), Path(path).open("rb") as file:
            return self._sync().files.create(file=(name, file), purpose="batch").id

    def find_file(self, name: str, size: int, since: float | None = None) -> str | None:
        with self._translated():
            # A page of 100 at a time: the default page is 10,000 files.
            files = self._sync().files.list(purpose="batch", order="desc", limit=100)
            for file in _made_since(files, since):
                if file.filename == name and file.bytes == size and file.status != "error":
                    return file.id
        return None

    def has_file(self, file_id: str) -> bool:
        with self._translated():
            try:
                self._sync().files.retrieve(file_id)
            except openai.NotFoundError:
                return False
        return True

    def start_batch(self, input_file: str, metadata: Mapping[str, str]) -> str:
        with self._translated():
            batch = self._sync().batches.create(
                input_file_id=input_file, endpoint=ENDPOINT, completion_window=WINDOW,
                metadata=dict(metadata),
            )  # fmt: skip
        return batch.id

    def find_batch(self, metadata: Mapping[str, str], since: float | None = None) -> str | None:
        with self._translated():
            for batch in _made_since(self._sync().batches.list(limit=100), since):
                if batch.status == "failed":
                    continue  # refused, so never started: sent again, not picked up
                found = batch.metadata or {}
                if all(found.get(key) == value for key, value in metadata.items()):
                    return batch.id
        return None

    def batch_status(self, batch_id: str) -> BatchStatus:
        with self._translated():
            batch = self._sync().batches.retrieve(batch_id)
        counts = batch.request_counts
        found = batch.errors.data or [] if batch.errors else []
        errors = tuple(
            f"{e.line}: {e.message}" if e.line is not None else str(e.message) for e in found
        )
        return BatchStatus(
            id=batch.id, status=batch.status, total=counts.total if counts else 0,
            completed=counts.completed if counts else 0, failed=counts.failed if counts else 0,
            output_file=batch.output_file_id, error_file=batch.error_file_id, errors=errors,
            retry_later=bool(found) and all(e.code == QUEUE_FULL for e in found),
        )  # fmt: skip

    def download(self, file_id: str, path: Any, *, most_lines: int) -> None:
        """Stream the file to `path`, whole or not at all. Streamed: a campaign's replies can
        be gigabytes, and `files.content` would hold them in memory twice over. Bounded: a
        server that sends more than a batch's replies (a line per request) is stopped there,
        before it fills the disk."""
        target = Path(path)
        partial = target.with_name(target.name + ".part")
        try:
            with (
                self._sync().files.with_streaming_response.content(file_id) as response,
                partial.open("wb") as file,
            ):
                bound = _ReplyFileBound(most_lines, file_id, self.server)
                for piece in response.iter_bytes():
                    bound.count(piece)
                    file.write(piece)
                onto_disk(file)
        except BaseException as e:  # whatever stopped it, no half file is left behind
            partial.unlink(missing_ok=True)
            if isinstance(e, openai.OpenAIError):
                raise self._translate(e) from None
            if isinstance(e, httpx2.TransportError):  # broken off, which the SDK leaves as is
                raise TransientError(
                    _(
                        "the download of {file} from {server} broke off ({why}); collect again"
                    ).format(file=file_id, server=self.server, why=e)
                ) from None
            raise
        partial.replace(target)  # a crash leaves no half file where the replies belong
        sync_folder(target.parent)


class _ReplyFileBound:
    """How much of a batch's reply file may arrive: a line per request at most (and one final
    empty line), each within `MOST_BATCH_LINE_BYTES`."""

    def __init__(self, requests: int, file_id: str, server: str) -> None:
        self.requests, self.file_id, self.server = requests, file_id, server
        self.most_lines = requests + 1
        self.most_bytes = max(requests, 1) * MOST_BATCH_LINE_BYTES
        self.lines = self.bytes = 0

    def count(self, piece: bytes) -> None:
        """Count the piece in; a `ProviderError` once the file has run past the bound."""
        self.lines += piece.count(b"\n")
        self.bytes += len(piece)
        if self.lines > self.most_lines:
            passed = _("{lines} lines").format(lines=f"{self.most_lines:,}")
        elif self.bytes > self.most_bytes:
            passed = _("{size} MB").format(size=f"{self.most_bytes // 2**20:,}")
        else:
            return
        raise ProviderError(
            _(
                "the reply file {file} from {server} ran past {passed}: more than replies to "
                "the batch's {requests} requests take. dco kept none of it; ask the provider "
                "about the batch"
            ).format(
                file=self.file_id,
                server=self.server,
                passed=passed,
                requests=f"{self.requests:,}",
            )
        )
