"""A round of a batch job as the batches that carry it: split at what one batch may hold.

The Batch API takes at most so many requests, and so many bytes, in one batch
(`dco/data/batch_api.yaml`); a larger round goes out as several batches, its parts. A part's
files are named after its round and number, the first part keeping the names rounds had before
they were split; a round's status is its parts' statuses taken together, and a part the
provider refused whole is told apart from the rest.
"""

from __future__ import annotations

import functools
import itertools
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from dco.errors import OptionError
from dco.generation.batch_answers import parse_custom_id, peek_custom_id
from dco.i18n import _
from dco.providers.base import BatchStatus
from dco.resources import data_error, load_data
from dco.userfiles import onto_disk, sync_folder


@dataclass(frozen=True)
class BatchLimits:
    """What one batch may hold."""

    requests: int
    bytes: int


@functools.cache
def batch_limits() -> BatchLimits:
    """The Batch API's limits on one batch, from `dco/data/batch_api.yaml`."""
    document = load_data("batch_api.yaml")
    data = document.data if isinstance(document.data, dict) else {}
    values = []
    for key in ("most_requests", "most_bytes"):
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise data_error(document, (key,), "give a whole number above 0")
        values.append(value)
    return BatchLimits(*values)


def limits_for(batch_size: int | None) -> BatchLimits:
    """The Batch API's limits, with at most `batch_size` requests in a batch when given (an
    organisation whose queue of enqueued tokens is small needs smaller batches)."""
    limits = batch_limits()
    if batch_size is None:
        return limits
    if not 1 <= batch_size <= limits.requests:
        raise OptionError(
            _("a batch holds from 1 to {most} requests; {size} is not").format(
                most=f"{limits.requests:,}", size=f"{batch_size:,}"
            )
        )
    return BatchLimits(batch_size, limits.bytes)


def part_name(number: int, part: int, kind: str) -> str:
    """The file holding part `part` (from 1) of round `number`: its `input`, `output` or
    `errors`."""
    return f"round-{number}{'' if part == 1 else f'-{part}'}.{kind}.jsonl"


class WholeFile:
    """A file written whole or not at all: a `.part` file, on the disk and renamed when the block
    ends well, removed when it does not."""

    def __init__(self, path: Path) -> None:
        self.path, self.partial = path, path.with_name(path.name + ".part")

    def __enter__(self) -> IO[str]:
        self.file = self.partial.open("w", encoding="utf-8")
        return self.file

    def __exit__(self, kind: object, *rest: object) -> None:
        whole = kind is None
        try:
            if whole:
                onto_disk(self.file)  # a full disk may be told only now
        except BaseException:
            whole = False
            raise
        finally:
            self.file.close()
            if whole:
                self.partial.replace(self.path)
                sync_folder(self.path.parent)
            else:
                self.partial.unlink(missing_ok=True)


class RoundWriter:
    """A round's requests, a line each, into input files of at most `limits` each, written
    whole or not at all: when the block ends well `parts` says how many there are; when it
    does not, none is left behind."""

    def __init__(self, folder: Path, number: int, limits: BatchLimits) -> None:
        self.folder, self.number, self.limits = folder, number, limits
        self.parts = 0
        self._files = ExitStack()  # every part stays a .part file until the round is whole
        self._file: IO[str] | None = None
        self._lines = self._bytes = 0

    def __enter__(self) -> RoundWriter:
        return self

    def write(self, line: str) -> None:
        size = len(line.encode("utf-8"))
        full = self._lines >= self.limits.requests or self._bytes + size > self.limits.bytes
        if self._file is None or (full and self._lines):  # a line is never split from itself
            self.parts += 1
            part = WholeFile(self.folder / part_name(self.number, self.parts, "input"))
            self._file = self._files.enter_context(part)
            self._lines = self._bytes = 0
        self._file.write(line)
        self._lines += 1
        self._bytes += size

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.parts = 0
        self._files.__exit__(kind, error, trace)
        if kind is None:
            self._remove_earlier_attempts()

    def _remove_earlier_attempts(self) -> None:
        """Remove the parts beyond this round's last that an interrupted attempt at the same
        round wrote (the manifest never named them, so nothing would ever send them): collected
        again with --direct, or into fewer parts, they were left in the job's folder for ever."""
        for part in itertools.count(self.parts + 1):
            stale = self.folder / part_name(self.number, part, "input")
            if not stale.exists():
                return
            stale.unlink()


_ENDED_WORST_FIRST = ("failed", "cancelled", "expired")
"""How a round whose parts have all ended is said to have ended: the first of these that any
part did, else completed."""


def combined(statuses: list[BatchStatus]) -> BatchStatus:
    """A round's parts' statuses as one: unfinished while any part is (as the first of those
    stands); once all are, failed, cancelled or expired if any part was, else completed. The
    counts are summed; the id is the first part's (the one the round is known by)."""
    assert statuses, "a round that was started has a batch"
    if len(statuses) == 1:
        return statuses[0]
    unfinished = [s.status for s in statuses if not s.finished]
    ended = {s.status for s in statuses}
    state = (
        unfinished[0]
        if unfinished
        else next((name for name in _ENDED_WORST_FIRST if name in ended), "completed")
    )
    return BatchStatus(
        id=statuses[0].id,
        status=state,
        total=sum(s.total for s in statuses),
        completed=sum(s.completed for s in statuses),
        failed=sum(s.failed for s in statuses),
        errors=tuple(error for s in statuses for error in s.errors),
    )


def refused_whole(status: BatchStatus) -> bool:
    """Whether the batch failed before answering anything (no replies, no errors by line)."""
    return status.status == "failed" and not status.output_file and not status.error_file


def refusal(status: BatchStatus) -> str:
    """What the provider said refusing a whole batch, and what to do when it said "later"."""
    said = "; ".join(status.errors) or _("the provider gave no reason")
    line = _("batch {batch} was refused before answering anything: {said}").format(
        batch=status.id, said=said
    )
    if status.retry_later:
        line += _(
            "; it is sent again when the job is next collected: wait for your other batches to "
            "finish first, or send the campaign again with a smaller --batch-size (a refused "
            "batch costs nothing)"
        )
    return line


def briefs_in(folder: Path, number: int, part: int) -> set[int]:
    """The briefs whose requests are in part `part` of round `number` of the job in `folder`."""
    briefs = set()
    with (folder / part_name(number, part, "input")).open("rb") as lines:
        for raw in lines:
            found = peek_custom_id(raw)
            parsed = parse_custom_id(found) if found else None
            if parsed is not None:
                briefs.add(parsed[0])
    return briefs
