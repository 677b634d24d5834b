"""Generating for many briefs: `generate_many` on threads, `agenerate_many` on one event loop.

A failed brief does not stop the rest: whatever one brief raises (a provider's error, a reply
no code foresaw, a plugin's bug) is kept as that brief's failure, with the brief, and every
other brief's variants are returned. The exception is an error that would be the same for every
brief (the key refused, the server unreachable): it ends the batch, raised as it is. A brief
that ends with no variant at all is a failure too. `on_result` hears of each brief as it
completes, so that a caller can write what was paid for before the batch ends.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from dco.errors import DcoError, ProviderError
from dco.generation.pipeline import GenerationResult, Spend, pipeline
from dco.generation.plan import make_plan
from dco.generation.run import (
    adrive,
    agenerate,
    drive,
    generate,
    plan_options,
    resolve_provider,
)
from dco.models import (
    Brief,
    Variant,
)
from dco.providers.base import ChatRequest, ChatResult


@dataclass(frozen=True)
class BatchFailure:
    """One brief of a batch that failed, and why."""

    index: int
    brief: Brief
    error: str
    spend: Spend = field(default_factory=Spend)
    """What its replies cost before it failed: paid for all the same."""


OnResult = Callable[[int, "GenerationResult | None", "BatchFailure | None"], None]
"""Told of each brief as it completes: its index, its result (None when it raised) and its
failure (None when it has variants)."""


def raised(index: int, brief: Brief, error: Exception, spend: Spend | None = None) -> BatchFailure:
    """The brief's failure from what it raised (dco's own message, or the surprise named),
    with what its replies had cost (`spend`) until then."""
    why = str(error) if isinstance(error, DcoError) else f"{type(error).__name__}: {error}"
    return BatchFailure(index, brief, why, spend if spend is not None else Spend())


def came_to_nothing(index: int, brief: Brief, result: GenerationResult) -> BatchFailure | None:
    """The brief's failure when no variant of its result came through, with why."""
    if result:
        return None
    reasons = "; ".join(dict.fromkeys(d.reason for d in result.discarded)) or "none written"
    # Its spend is the result's, which the batch counts already.
    return BatchFailure(index, brief, f"no variant came through ({reasons})")


def _outcome(
    index: int, brief: Brief, attempt: Callable[[], GenerationResult], spend: Spend
) -> tuple[GenerationResult | None, BatchFailure | None]:
    """One brief's result and failure: what it raised (with `spend`, what the attempt's
    replies had cost until then), or that it ended with no variant."""
    try:
        result = attempt()
    except Exception as e:  # one brief's surprise must not lose the batch
        if isinstance(e, ProviderError) and e.stops_batch:
            raise  # the same for every brief: the batch ends here, with this one line
        return None, raised(index, brief, e, spend)
    return result, came_to_nothing(index, brief, result)


@dataclass
class BatchResult:
    """A batch's outcome: a result per brief (None where it failed) and the failures."""

    results: list[GenerationResult | None]
    failures: list[BatchFailure]

    @property
    def variants(self) -> list[Variant]:
        """Every variant of every brief that succeeded, in brief order."""
        return [v for result in self.results if result for v in result]

    def shared_prefix(self) -> float | None:
        """The share of a first prompt's characters that every brief's first prompt opens with
        (what a provider's prefix cache can reuse across the campaign); None below two briefs."""
        prompts = [r.first_prompt for r in self.results if r is not None and r.first_prompt]
        if len(prompts) < 2:
            return None
        return _common_prefix(prompts) / (sum(map(len, prompts)) / len(prompts))

    def spend(self) -> Spend:
        """What the batch cost, every brief's requests and tokens together (those of briefs
        that failed part way included)."""
        total = Spend()
        for result in self.results:
            if result is not None:
                total += result.spend
        for failure in self.failures:
            total += failure.spend
        return total


def generate_many(
    briefs: Sequence[Brief],
    *,
    concurrency: int = 4,
    on_progress: Callable[[int, int], None] | None = None,
    on_result: OnResult | None = None,
    **options: Any,
) -> BatchResult:
    """`generate` for each brief, `concurrency` at a time; a failed brief does not stop the
    rest. `on_result` is called in this thread as each brief completes."""
    provider = resolve_provider(options.pop("provider", None))
    # Bound once for the batch as generate would bind them per brief: defaults, unknown names.
    arguments = inspect.signature(generate).bind(None, provider=provider, **options)
    arguments.apply_defaults()
    planning, retry = plan_options(arguments.arguments), arguments.arguments["retry"]
    results: list[GenerationResult | None] = [None] * len(briefs)
    failures: list[BatchFailure] = []

    def one(index: int) -> tuple[GenerationResult | None, BatchFailure | None]:
        spend = Spend()

        def attempt() -> GenerationResult:
            steps = pipeline(make_plan(briefs[index], provider=provider, **planning), spend)
            return drive(steps, provider.complete, retry)

        return _outcome(index, briefs[index], attempt, spend)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        running = {pool.submit(one, index): index for index in range(len(briefs))}
        for done, future in enumerate(as_completed(running), 1):
            index = running[future]
            try:
                results[index], failure = future.result()
            except ProviderError:  # one that stops the batch: no brief not begun is sent
                for waiting in running:
                    waiting.cancel()
                raise
            if failure is not None:
                failures.append(failure)
            if on_result:
                on_result(index, results[index], failure)
            if on_progress:
                on_progress(done, len(briefs))
    failures.sort(key=lambda f: f.index)
    return BatchResult(results, failures)


async def agenerate_many(
    briefs: Sequence[Brief],
    *,
    concurrency: int = 8,
    on_progress: Callable[[int, int], None] | None = None,
    on_result: OnResult | None = None,
    **options: Any,
) -> BatchResult:
    """The async twin of `generate_many`: at most `concurrency` requests in flight at once.

    The bound is on provider calls, not on briefs: while `concurrency` requests wait on the
    server, the next briefs are planned and rendered and the last replies checked, so the
    client's own work fills the wait instead of adding to it. A brief backing off before a retry
    holds no slot. Twice `concurrency` workers take the briefs in order, so at most that many are
    under way, which bounds memory however long the batch.
    """
    # One function, not several: the gate, the workers and their turns share the batch's
    # state (results, failures, the slot semaphore, the brief iterator), and the comments
    # below explain the order of their steps, which is the point of this function.
    provider = resolve_provider(options.pop("provider", None))
    # Bound once for the batch as agenerate would bind them per brief: defaults, unknown names.
    arguments = inspect.signature(agenerate).bind(None, provider=provider, **options)
    arguments.apply_defaults()
    planning, retry = plan_options(arguments.arguments), arguments.arguments["retry"]
    results: list[GenerationResult | None] = [None] * len(briefs)
    failures: list[BatchFailure] = []
    in_flight = asyncio.Semaphore(max(1, concurrency))
    next_brief = iter(range(len(briefs)))
    done = 0

    async def gated(request: ChatRequest) -> ChatResult:
        async with in_flight:
            result = await provider.acomplete(request)
        # The requests waiting for slots go out before this reply is checked, so the server
        # works on them meanwhile. Replies arrive in bursts: checking a whole burst before
        # sending again would send the next requests late and together, and their replies
        # would come back together too, leaving the client idle in between.
        await _after_woken_tasks()
        return result

    # A few long-lived workers rather than a task per brief, so a batch of a million briefs
    # costs no more memory than one of a hundred. They start one per pass of the event loop:
    # started together, every worker would plan its brief before the first request could
    # leave, and the whole first wave would reach the server late.
    loop = asyncio.get_running_loop()
    workers = min(len(briefs), 2 * max(1, concurrency))
    turns = [loop.create_future() for _ in range(workers)]
    if turns:
        turns[0].set_result(None)

    async def worker(number: int) -> None:
        nonlocal done
        await turns[number]
        if number + 1 < workers:
            # Through call_soon: the next worker's first step may still be due in this pass,
            # and would find its turn already come.
            loop.call_soon(turns[number + 1].set_result, None)
        for index in next_brief:
            spend = Spend()
            try:
                steps = pipeline(make_plan(briefs[index], provider=provider, **planning), spend)
                result = await adrive(steps, gated, retry)
                outcome = _outcome(index, briefs[index], _done(result), spend)
            except Exception as e:  # one brief's surprise must not lose the batch
                if isinstance(e, ProviderError) and e.stops_batch:
                    raise  # the same for every brief: gather ends the batch with it
                outcome = None, raised(index, briefs[index], e, spend)
            results[index], failure = outcome
            if failure is not None:
                failures.append(failure)
            if on_result:
                on_result(index, results[index], failure)
            done += 1
            if on_progress:
                on_progress(done, len(briefs))

    await asyncio.gather(*(worker(number) for number in range(workers)))
    failures.sort(key=lambda f: f.index)
    return BatchResult(results, failures)


def _common_prefix(texts: list[str]) -> int:
    """How many characters every one of `texts` opens with (the shortest and the longest in
    sort order share the prefix all do)."""
    low, high = min(texts), max(texts)
    for index, (a, b) in enumerate(zip(low, high, strict=False)):
        if a != b:
            return index
    return len(low)


def _done(result: GenerationResult) -> Callable[[], GenerationResult]:
    return lambda: result


async def _after_woken_tasks() -> None:
    """Return once every task woken during the event loop's current pass has run a step.

    A task woken now, by this task or by any other in this pass (a semaphore's waiter, say),
    runs in the loop's next pass; yielding twice resumes in the pass after that.
    """
    await asyncio.sleep(0)
    await asyncio.sleep(0)
