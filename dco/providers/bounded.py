"""A chat completion's body read within a size and a time, whatever the server sends.

A reply is bounded by the request (`max_tokens`): a few kilobytes. A server gone wrong, or a
hostile one, may send more, or never stop: read whole, such a body grew the process by hundreds
of megabytes a second, and since every read brought bytes, the timeout was never reached. The
SDK's HTTP clients dco makes get `response_hooks`, which wrap a completion's body as it arrives
so that reading it past `MOST_REPLY_BYTES`, or for longer than the provider's timeout, raises
`ReplyOutOfBounds`. Only chat completions are bounded here: a batch's reply file is large by
right, and is streamed to disk within a bound of its own, a line per request (`download`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import httpx2

from dco.providers.base import MOST_REPLY_BYTES

_BOUNDED_PATH = "/chat/completions"


class ReplyOutOfBounds(Exception):
    """A completion's body went past its size or its time (`too_large` says which). It leaves
    the SDK as it is raised, and the provider words its own error from it; it never reaches a
    caller."""

    def __init__(self, *, too_large: bool) -> None:
        super().__init__("larger than allowed" if too_large else "slower than allowed")
        self.too_large = too_large


def response_hooks(seconds: float) -> dict[str, list[Callable[[httpx2.Response], None]]]:
    """The `event_hooks` of a blocking client whose completions are read within bounds."""

    def bound(response: httpx2.Response) -> None:
        stream = response.stream
        if response.request.url.path.endswith(_BOUNDED_PATH) and isinstance(
            stream, httpx2.SyncByteStream
        ):
            response.stream = _Bounded(stream, seconds)

    return {"response": [bound]}


def async_response_hooks(
    seconds: float,
) -> dict[str, list[Callable[[httpx2.Response], Awaitable[None]]]]:
    """The `event_hooks` of an async client whose completions are read within bounds."""

    async def bound(response: httpx2.Response) -> None:
        stream = response.stream
        if response.request.url.path.endswith(_BOUNDED_PATH) and isinstance(
            stream, httpx2.AsyncByteStream
        ):
            response.stream = _AsyncBounded(stream, seconds)

    return {"response": [bound]}


class _Limit:
    """What has been read of one body, and until when it may go on."""

    def __init__(self, seconds: float) -> None:
        self.read = 0
        self.until = time.monotonic() + seconds

    def count(self, chunk: bytes) -> bytes:
        self.read += len(chunk)
        if self.read > MOST_REPLY_BYTES:
            raise ReplyOutOfBounds(too_large=True)
        if time.monotonic() > self.until:
            raise ReplyOutOfBounds(too_large=False)
        return chunk


class _Bounded(httpx2.SyncByteStream):
    def __init__(self, stream: httpx2.SyncByteStream, seconds: float) -> None:
        self._stream, self._seconds = stream, seconds

    def __iter__(self) -> Iterator[bytes]:
        limit = _Limit(self._seconds)
        for chunk in self._stream:
            yield limit.count(chunk)

    def close(self) -> None:
        self._stream.close()


class _AsyncBounded(httpx2.AsyncByteStream):
    def __init__(self, stream: httpx2.AsyncByteStream, seconds: float) -> None:
        self._stream, self._seconds = stream, seconds

    async def __aiter__(self) -> AsyncIterator[bytes]:
        limit = _Limit(self._seconds)
        async for chunk in self._stream:
            yield limit.count(chunk)

    async def aclose(self) -> None:
        await self._stream.aclose()
