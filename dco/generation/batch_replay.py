"""Replaying a batch job's briefs on the replies kept for them, across worker processes.

Collecting is CPU work on files already on disk: each brief's generation runs again from its
first request, answered from the kept replies, through the same checks as direct generation.
Briefs do not depend on one another, so a large job is replayed in chunks by forked worker
processes (one per core), and the outcomes are handed back in brief order: the queue receives
the variants, and the callbacks hear of the briefs, in the order one process would give them.

Only a generation still waiting for an answer cannot cross processes (it is a paused
generator); its outcome carries the request it waits on, and the brief is replayed again where
its answer will be asked for.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import pickle
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dco.errors import ConfigError, DcoError, OptionError, ProviderError
from dco.generation.batch import BatchFailure
from dco.generation.batch_answers import Answers, request_digest
from dco.generation.pipeline import GenerationResult, pipeline
from dco.generation.plan import make_plan
from dco.i18n import _
from dco.models import Brief
from dco.models.values import DcoModel
from dco.providers.base import BatchProvider, ChatRequest, ChatResult

CHUNK = 250
"""Briefs a worker replays at a time: enough to make handing them over cheap, few enough that
the last chunks still keep every worker busy."""


@dataclass
class Waiting:
    """A brief's generation waiting for the answer to `request`; `direct` of its requests were
    answered directly so far. `steps` is the paused generation, or None when the brief was
    replayed in another process (replay it again to go on)."""

    brief: Brief
    request: ChatRequest
    steps: Generator[ChatRequest, ChatResult, GenerationResult] | None
    direct: int = 0


@dataclass
class Replayed:
    """What replaying one brief came to: its result, its failure, or the request it waits on."""

    index: int
    result: GenerationResult | None = None
    failure: BatchFailure | None = None
    waiting: Waiting | None = None


@dataclass(frozen=True)
class Replayer:
    """Replays a job's briefs on its kept replies, with the options it is collected with."""

    provider: BatchProvider
    options: Mapping[str, Any]
    answers: Answers
    rounds: int
    """Batch rounds whose replies are in `answers`."""
    briefs_file: Path
    """Where the briefs replayed are kept (named when one cannot be read)."""

    def __call__(self, index: int, line: str) -> Replayed:
        """The brief on this line of the job's briefs file, replayed."""
        try:
            brief = Brief.model_validate_json(line)
        except ValidationError as e:
            raise ConfigError(
                _(
                    "{path} line {line}: not a brief dco wrote ({why}); the job's files were "
                    "changed since it was sent: send the briefs again with `dco generate --batch`"
                ).format(
                    path=self.briefs_file,
                    line=index + 1,
                    why=e.errors()[0]["msg"] if e.errors() else e,
                )
            ) from None
        return guarded(index, brief, lambda: self.replay(index, brief))

    def replay(self, index: int, brief: Brief) -> GenerationResult | Waiting:
        """Run the brief's generation again from its first request, answering each request
        from the replies kept so far: each batch round's, then those got directly. Returns
        its result, or the request still to be answered."""
        steps = pipeline(make_plan(brief, provider=self.provider, **self.options))
        waiting = Waiting(brief, next(steps), steps)
        number = 1
        while True:
            in_batch = number <= self.rounds
            step = f"r{number}" if in_batch else f"d{waiting.direct + 1}"
            digest = request_digest(waiting.request)
            answer = self.answers.get(index, step, digest)
            if answer is None and self.answers.sent_otherwise(index, step, digest):
                raise OptionError(
                    _(
                        "its replies answer other requests than these options make: collect "
                        "with the options the batch was submitted with"
                    )
                )
            if in_batch:
                number += 1
            elif answer is None or answer.body is None:
                return waiting  # no direct reply kept for it (yet)
            else:
                waiting.direct += 1
            if answer is None or answer.body is None:
                if answer is None or answer.retry:
                    continue  # unanswered: the same request went into the next round
                raise ProviderError(
                    _("the batch refused the request ({why})").format(why=answer.error)
                )
            try:
                waiting.request = steps.send(
                    self.provider.batch_reply(answer.body, waiting.request)
                )
            except StopIteration as done:
                return done.value


def guarded(index: int, brief: Brief, work: Callable[[], GenerationResult | Waiting]) -> Replayed:
    """What `work` on the brief came to. A surprise in one brief is its failure, while options
    that do not fit the job (`OptionError`) are an error for the whole."""
    try:
        outcome = work()
    except OptionError:
        raise
    except DcoError as e:
        return Replayed(index, failure=BatchFailure(index, brief, str(e)))
    except Exception as e:  # one brief's surprise must not lose the batch
        return Replayed(index, failure=BatchFailure(index, brief, f"{type(e).__name__}: {e}"))
    if isinstance(outcome, Waiting):
        return Replayed(index, waiting=outcome)
    if not outcome:
        reasons = "; ".join(dict.fromkeys(d.reason for d in outcome.discarded))
        failure = BatchFailure(index, brief, f"no variant came through ({reasons})")
        return Replayed(index, result=outcome, failure=failure)
    return Replayed(index, result=outcome)


def default_workers(briefs: int) -> int:
    """Processes to replay `briefs` with: one per core this process may run on, for a job
    of two chunks or more (a smaller one is done before workers would have started)."""
    if briefs < 2 * CHUNK:
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def replay_all(
    lines: Iterable[str], replayer: Replayer, *, workers: int, chunk: int | None = None
) -> Iterator[Replayed]:
    """Each line's brief replayed, in order: by `workers` forked processes, handed `chunk`
    briefs at a time, or in this one when `workers` is 1 or processes cannot be forked here."""
    numbered = enumerate(lines)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for index, line in numbered:
            yield replayer(index, line)
        return
    # The first brief is replayed here: that loads what every replay reads (the classifier,
    # the templates, the channels) once, for the workers to inherit instead of each loading it.
    for index, line in islice(numbered, 1):
        yield replayer(index, line)
    with _heap_frozen():
        yield from _in_workers(numbered, replayer, workers, chunk or CHUNK)


@contextmanager
def _heap_frozen() -> Iterator[None]:
    """The objects that exist now left out of the collector's passes until the block ends.

    Unpickling the workers' outcomes makes objects fast enough to set off full collections,
    each of which walks every object of the program (its modules, templates, the caller's
    data); frozen, a full pass walks only what collecting made. A program that freezes its
    own heap (a pre-fork server) is left to do so.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _in_workers(
    numbered: Iterator[tuple[int, str]], replayer: Replayer, workers: int, chunk: int
) -> Iterator[Replayed]:
    # Forked, the workers inherit the replayer (its provider, options, brand and templates)
    # as it is, without pickling it; what crosses back is each chunk's outcomes.
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or text still buffered here would be written again by each worker
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_adopt,
        initargs=(replayer,),
    )  # fmt: skip
    chunks = _chunks(numbered, chunk)
    pending: deque[Future[bytes]] = deque()
    try:
        for start, part in islice(chunks, 3 * workers):
            pending.append(pool.submit(_replay_chunk, start, part))
        while pending:
            try:
                outcomes = pickle.loads(pending.popleft().result())
            except BrokenProcessPool as e:
                raise ProviderError(
                    _(
                        "a process replaying the replies stopped ({why}); nothing is lost, "
                        "collect again"
                    ).format(why=e)
                ) from None
            for start, part in islice(chunks, 1):
                pending.append(pool.submit(_replay_chunk, start, part))
            yield from outcomes
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chunks(numbered: Iterator[tuple[int, str]], size: int) -> Iterator[tuple[int, list[str]]]:
    """(index of the first, lines) of each run of `size` numbered lines."""
    while part := list(islice(numbered, size)):
        yield part[0][0], [line for _, line in part]


_replayer: Replayer | None = None
"""The replayer of this worker process, set as it starts."""


def _adopt(replayer: Replayer) -> None:
    global _replayer
    _replayer = replayer
    # What the worker inherited lives as long as it does: left out of the collector's
    # passes, which otherwise walk every module, template and plan on each full one.
    gc.freeze()


def _replay_chunk(start: int, lines: list[str]) -> bytes:
    assert _replayer is not None, "a worker replays only after _adopt"
    outcomes = [_replayer(start + offset, line) for offset, line in enumerate(lines)]
    for outcome in outcomes:
        if outcome.waiting is not None:
            outcome.waiting.steps = None  # a paused generator cannot cross processes
    buffer = io.BytesIO()
    _ModelPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(outcomes)
    return buffer.getvalue()


class _ModelPickler(pickle.Pickler):
    """Pickles dco's models as their values, rebuilt without validation (they were valid when
    pickled): pydantic's own pickling costs a worker as much as a brief's checks."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, DcoModel):
            return _restored, (type(obj), obj.__dict__, obj.model_fields_set)
        return NotImplemented


def _restored(kind: type[DcoModel], values: dict[str, Any], fields_set: set[str]) -> DcoModel:
    return kind.restored(values, fields_set)
