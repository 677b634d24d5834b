"""Where a batch job's replies sit on disk, by brief and step, and what each one says.

A request's custom id is `b<brief>-<step>-<digest>`: the brief's number in the job, the step
(`r2`: the second batch round; `d1`: the first direct request) and a digest of the request, so
a reply is matched to exactly the request it answers, and collecting with other options than
were sent is caught.

The replies stay in the downloaded files; memory holds only where each one starts, in arrays of
22 bytes a brief for each step, so collecting a campaign of any size reads its replies
without holding them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dco.providers.base import MOST_BATCH_LINE_BYTES, MOST_REPLY_BYTES, ChatRequest
from dco.resources import data_error, load_data


def request_digest(request: ChatRequest) -> str:
    """What a custom id says of its request. (The prompts carry the options: stage, channel,
    brand, N; the digest reads them with the sampling, not the whole schema.)"""
    first, *rest = request.messages
    digest = _digest_from(first.content).copy()
    for message in rest:
        digest.update(message.content.encode())
        digest.update(b"\x00")
    digest.update(repr((request.model, request.seed, request.temperature, request.max_tokens,
                        request.schema_name)).encode())  # fmt: skip
    return digest.hexdigest()


@functools.lru_cache(maxsize=32)
def _digest_from(first: str) -> hashlib.blake2b:
    """The digest begun with a request's first message: its system prompt, the same kilobytes
    in every request of a campaign's stage and channel. Begun once, and copied for each
    request, it spares each brief encoding and hashing them again."""
    digest = hashlib.blake2b(digest_size=6)
    digest.update(first.encode())
    digest.update(b"\x00")
    return digest


def custom_id(brief: int, step: str, digest: str) -> str:
    """The custom id of the brief's request at `step` (see the module's docstring)."""
    return f"b{brief}-{step}-{digest}"


def parse_custom_id(text: str) -> tuple[int, str, int] | None:
    """(brief, step, digest as a number) of a custom id dco wrote; None for any other."""
    brief, _dash, rest = text.partition("-")
    step, _dash, digest = rest.partition("-")
    if not (brief[:1] == "b" and brief[1:].isdecimal() and step and len(digest) == 12):
        return None
    try:
        return int(brief[1:]), step, int(digest, 16)
    except ValueError:
        return None


@dataclass(frozen=True)
class Answer:
    """A request's reply from a batch: its body, or why there is none."""

    body: Any = None
    error: str | None = None
    retry: bool = False
    """No reply, but asking again may bring one (expired, rate-limited, the server's fault)."""
    refused: bool = True
    """With an error: the provider refused the request (False: it answered with what cannot be
    read)."""


def read_answer(line: Mapping[str, Any]) -> Answer:
    """Read one line of a batch's output or error file (or of the direct log)."""
    error = line.get("error")
    response = line.get("response") or {}
    status = response.get("status_code")
    body = response.get("body")
    if status == 200 and body is not None:
        return Answer(body=body)
    if isinstance(error, dict):
        code = str(error.get("code") or "")
        return Answer(error=f"{code}: {error.get('message')}".strip(": "),
                      retry=code in ask_again_codes())  # fmt: skip
    message = ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = str(body["error"].get("message") or "")
    retry = isinstance(status, int) and (status in (408, 429) or status >= 500)
    return Answer(error=f"HTTP {status}: {message or 'no reason given'}", retry=retry)


@functools.cache
def ask_again_codes() -> frozenset[str]:
    """The error codes of a batch's reply that mean "not answered, ask again" rather than
    "refused", from `dco/data/batch_api.yaml`."""
    document = load_data("batch_api.yaml")
    codes = document.data.get("ask_again") if isinstance(document.data, dict) else None
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise data_error(document, ("ask_again",), "give a list of error codes")
    return frozenset(codes)


def peek_custom_id(raw: bytes) -> str | None:
    """The custom id of a raw line, without parsing the rest of it."""
    marker = raw.find(b'"custom_id"')
    if marker < 0:
        return None
    start = raw.find(b'"', raw.find(b":", marker) + 1) + 1
    end = raw.find(b'"', start)
    # Not UTF-8 is not an id dco wrote: replaced, it matches none.
    return raw[start:end].decode(errors="replace") if start > 0 and end > start else None


class _Places:
    """One step's replies: for each brief, the file, offset and length of its reply and the
    digest of the request it answers (offset -1: none)."""

    def __init__(self, briefs: int) -> None:
        self.offset = array("q", [-1]) * briefs
        self.length = array("I", [0]) * briefs
        self.file = array("H", [0]) * briefs
        self.digest = array("Q", [0]) * briefs


class Answers:
    """Every reply of a job so far, found by brief, step and request digest, read on demand.

    A reply is read by its offset and length alone (`os.pread`), not by moving a file's
    position: a forked process reading through the same descriptors reads its own replies.
    """

    def __init__(self, briefs: int, paths: list[Path]) -> None:
        self._briefs = briefs
        self._steps: dict[str, _Places] = {}
        self._files: list[IO[bytes]] = []
        for path in paths:
            if path.exists():
                self._index(path)

    def _index(self, path: Path) -> None:
        handle = path.open("rb")
        self._files.append(handle)
        number = len(self._files) - 1
        offset = 0
        for raw, length in _bounded_lines(handle):
            start, offset = offset, offset + length
            found = peek_custom_id(raw)
            parts = parse_custom_id(found) if found else None
            if parts is None or not 0 <= parts[0] < self._briefs:
                continue  # not a reply to any request of this job
            brief, step, digest = parts
            places = self._steps.get(step)
            if places is None:
                places = self._steps[step] = _Places(self._briefs)
            if places.offset[brief] < 0:  # the first reply to a request is the one kept
                kept = length if length == len(raw) else _TOO_LONG
                places.offset[brief], places.length[brief] = start, kept
                places.file[brief], places.digest[brief] = number, digest

    def get(self, brief: int, step: str, digest: str) -> Answer | None:
        """The reply to the brief's request at `step`, if that request (by its digest) has
        one."""
        places = self._places(brief, step)
        if places is None or places.digest[brief] != int(digest, 16):
            return None
        if places.length[brief] == _TOO_LONG:
            return Answer(
                error=f"it was larger than {MOST_REPLY_BYTES // 2**20} MB, which no request of "
                "dco's asks for; nothing of it was read",
                refused=False,
            )
        handle = self._files[places.file[brief]]
        raw = _read_at(handle, places.offset[brief], places.length[brief])
        # The provider's line, checked as kept copies are when read.
        try:
            line = json.loads(raw)
        except ValueError as e:
            return Answer(error=f"the line holding it is not JSON ({e})", refused=False)
        except RecursionError:
            return Answer(error="the line holding it is JSON nested too deeply", refused=False)
        if not isinstance(line, dict):
            return Answer(error="the line holding it is not a JSON object", refused=False)
        return read_answer(line)

    def sent_otherwise(self, brief: int, step: str, digest: str) -> bool:
        """Whether the brief's request at `step` was answered for another request than this
        one (other options made it)."""
        places = self._places(brief, step)
        return places is not None and places.digest[brief] != int(digest, 16)

    def _places(self, brief: int, step: str) -> _Places | None:
        """The step's index, if it holds a reply for the brief."""
        places = self._steps.get(step)
        if places is None or not 0 <= brief < self._briefs or places.offset[brief] < 0:
            return None
        return places

    def __enter__(self) -> Answers:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._files:
            handle.close()


_TOO_LONG = 0
"""The length kept for a reply whose line was longer than `MOST_BATCH_LINE_BYTES` (a line is
never empty)."""


def _bounded_lines(handle: IO[bytes]) -> Iterator[tuple[bytes, int]]:
    """Each line of `handle` with its length, read whole up to `MOST_BATCH_LINE_BYTES`; of a longer
    line, only that much (enough for its custom id) is held, and the rest is passed over in
    pieces: a line without end costs its reading, never the memory to hold it."""
    while raw := handle.readline(MOST_BATCH_LINE_BYTES):
        length = len(raw)
        if raw.endswith(b"\n") or length < MOST_BATCH_LINE_BYTES:
            yield raw, length
            continue
        while (rest := handle.readline(MOST_BATCH_LINE_BYTES)) and not rest.endswith(b"\n"):
            length += len(rest)
        yield raw, length + len(rest)


def _read_at(handle: IO[bytes], offset: int, length: int) -> bytes:
    if _pread is None:  # Windows, where no worker is forked to share the handle's position
        handle.seek(offset)
        return handle.read(length)
    return _pread(handle.fileno(), length, offset)


_pread = getattr(os, "pread", None)
