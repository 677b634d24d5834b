"""Work spread over forked worker processes, its results handed back in order.

A batch job's requests are rendered, and its replies checked, one brief at a time, with no
brief depending on another: CPU work that one process does on one core. `in_workers` runs such
a task over a stream of items in forked processes, one per core, a chunk of items at a time,
and yields the results in the items' order, so what a caller writes or submits comes out as
one process would give it. Workers are forked, so they inherit the task (its provider, options,
brand and templates) as it is, without pickling it; only the items and the results cross.
"""

from __future__ import annotations

import copyreg
import ctypes
import gc
import io
import multiprocessing
import os
import pickle
import signal
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any, TypeVar

from dco.errors import WorkerError
from dco.i18n import _
from dco.models.values import DcoModel

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK = 250
"""Items a worker takes at a time: enough to make handing them over cheap, few enough that
the last chunks still keep every worker busy."""
MOST_WORKERS = 8
"""The most workers started unless asked for more: past about six, this process's own share
(taking the results back, writing or submitting them) is what limits a batch, and each worker
holds its own copy of the plans and templates."""


def can_fork() -> bool:
    """Whether workers are forked here: on Linux. Windows cannot fork, and on macOS a process
    that has touched the system's frameworks (an HTTP client reading the proxy settings does)
    may crash its forked children, which is why Python itself stopped forking there."""
    return sys.platform == "linux"


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(items: int) -> int:
    """Workers for `items` items (counted up to two chunks): one per core up to
    `MOST_WORKERS` for two chunks or more; fewer are done before workers would have started."""
    return min(cores(), MOST_WORKERS) if items >= 2 * CHUNK else 1


def in_workers(
    task: Callable[[int, Item], Result],
    items: Iterable[Item],
    *,
    workers: int | None = None,
    stopped: str,
) -> Generator[Result, None, None]:
    """`task(index, item)` for each item, in the items' order, by `workers` forked processes
    (by default one per core up to `MOST_WORKERS`, once there are two chunks of items or more);
    in this process when there are fewer, when `workers` is 1, or off Linux (see `can_fork`).

    `stopped` ends the message of the error raised if a worker dies (killed, out of memory):
    what the caller should do about it. Close the generator (`contextlib.closing`) if the
    loop over it may end early: that is when the workers are stopped.
    """
    numbered: Iterator[tuple[int, Item]] = enumerate(items)
    if workers is None:
        first = list(islice(numbered, 2 * CHUNK))
        workers = default_workers(len(first))
        numbered = chain(first, numbered)
    if workers <= 1 or not can_fork():
        for index, item in numbered:
            yield task(index, item)
        return
    # The first item is done here: that loads what every task reads (the classifier, the
    # templates, the channels) once, for the workers to inherit instead of each loading it.
    for index, item in islice(numbered, 1):
        yield task(index, item)
    with _heap_frozen():
        yield from _spread(task, numbered, workers, stopped)


def _spread(
    task: Callable[[int, Item], Result],
    numbered: Iterator[tuple[int, Item]],
    workers: int,
    stopped: str,
) -> Iterator[Result]:
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or text still buffered here would be written again by each worker
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_adopt,
        initargs=(task, os.getpid()),
    )  # fmt: skip
    chunks = _chunks(numbered)
    pending: deque[Future[bytes]] = deque()
    try:
        # A few chunks ahead per worker: enough to keep each busy, never the whole stream.
        for start, part in islice(chunks, 3 * workers):
            pending.append(pool.submit(_run_chunk, start, part))
        while pending:
            try:
                results = pickle.loads(pending.popleft().result())
            except BrokenProcessPool as e:
                raise WorkerError(
                    _("a worker process stopped ({why}); {what_to_do}").format(
                        why=e, what_to_do=stopped
                    )
                ) from None
            for start, part in islice(chunks, 1):
                pending.append(pool.submit(_run_chunk, start, part))
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chunks(numbered: Iterator[tuple[int, Item]]) -> Iterator[tuple[int, list[Item]]]:
    """(index of the first, items) of each run of `CHUNK` numbered items."""
    while part := list(islice(numbered, CHUNK)):
        yield part[0][0], [item for _, item in part]


@contextmanager
def _heap_frozen() -> Iterator[None]:
    """The objects that exist now left out of the collector's passes until the block ends.

    Unpickling the workers' results makes objects fast enough to set off full collections,
    each of which walks every object of the program (its modules, templates, the caller's
    data); frozen, a full pass walks only what the work made. A program that freezes its own
    heap (a pre-fork server) is left to do so.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


_task: Callable[[int, Any], Any] | None = None
"""The task of this worker process, set as it starts."""


def _adopt(task: Callable[[int, Any], Any], parent: int) -> None:
    global _task
    _task = task
    _die_with(parent)
    # Ctrl-C reaches every process of the terminal's group; it is the parent's to act on (it
    # stops handing out chunks and shuts the workers down), where a worker would only print
    # a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the worker inherited lives as long as it does: left out of the collector's
    # passes, which otherwise walk every module, template and plan on each full one.
    gc.freeze()


_PR_SET_PDEATHSIG = 1
"""prctl's option: the signal this process gets when the thread that forked it ends."""


def _die_with(parent: int) -> None:
    """Have Linux kill this worker when its parent dies. Killed with -9 (or by the out-of-memory
    killer), a parent shuts nothing down, and its workers would wait for chunks for ever."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # no C library to ask: the worker lives on as before
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _run_chunk(start: int, items: list[Any]) -> bytes:
    assert _task is not None, "a worker runs chunks only after _adopt"
    results = [_task(start + offset, item) for offset, item in enumerate(items)]
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _model_reducers()
    pickler.dump(results)
    return buffer.getvalue()


def _model_reducers() -> dict[type, Callable[[Any], Any]]:
    """The pickling table for a worker's results: dco's models go as their values, rebuilt
    without validation (they were valid when pickled); pydantic's own pickling cost a worker as
    much as a brief's checks.

    A table by class, not `reducer_override`: pickle calls that back for every object it
    writes, each string and number too, which was two thirds of what pickling a brief's result
    cost. Made for each chunk, so a model class defined since is in it too."""
    table: dict[type, Callable[[Any], Any]] = dict(copyreg.dispatch_table)
    kinds = [DcoModel]
    while kinds:
        kind = kinds.pop()
        table[kind] = _as_values
        kinds += kind.__subclasses__()
    return table


def _as_values(model: DcoModel) -> tuple[Callable[..., DcoModel], tuple[Any, ...]]:
    return _restored, (type(model), model.__dict__, model.model_fields_set)


def _restored(kind: type[DcoModel], values: dict[str, Any], fields_set: set[str]) -> DcoModel:
    return kind.restored(values, fields_set)
