"""The one retry layer: tenacity, with jittered backoff and Retry-After, within a deadline."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from dco.errors import ProviderError, RateLimitError
from dco.providers.base import ChatRequest, ChatResult


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, a total deadline, and the backoff between attempts."""

    max_attempts: int = 6
    deadline_s: float = 120.0
    """No attempt starts once waiting for it would pass this many seconds since the first."""
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 20.0
    max_retry_after_s: float = 60.0
    """A server's Retry-After is honoured up to this many seconds."""


DEFAULT_POLICY = RetryPolicy()


def _retriable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.retriable


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    backoff = wait_random_exponential(multiplier=policy.initial_backoff_s, max=policy.max_backoff_s)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return min(max(float(error.retry_after), 0.0), policy.max_retry_after_s)
        return backoff(state)

    return wait


@functools.lru_cache(maxsize=32)
def _settings(policy: RetryPolicy) -> dict:
    return {
        "stop": stop_after_attempt(policy.max_attempts) | stop_before_delay(policy.deadline_s),
        "wait": _wait(policy),
        "retry": retry_if_exception(_retriable),
        "reraise": True,
    }


def complete_with_retries(
    call: Callable[[ChatRequest], ChatResult],
    request: ChatRequest,
    policy: RetryPolicy = DEFAULT_POLICY,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> ChatResult:
    """`call(request)`, retried on retriable provider errors; the result counts the attempts."""
    started = time.perf_counter()
    # Most calls succeed at once: only a failure pays for tenacity's machinery.
    try:
        return _accounted(call(request), 1, started)
    except ProviderError as error:
        _give_up_unless_retriable(error, policy)
        first_error: list[ProviderError] = [error]
    attempts = 1

    def attempt() -> ChatResult:
        nonlocal attempts
        if first_error:  # replay the first failure so tenacity waits and counts as it should
            raise first_error.pop()
        attempts += 1
        return call(request)

    try:
        result = Retrying(sleep=sleep, **_settings(policy))(attempt)
    except ProviderError as e:
        _note_attempts(e, attempts)
        raise
    return _accounted(result, attempts, started)


async def acomplete_with_retries(
    call: Callable[[ChatRequest], Awaitable[ChatResult]],
    request: ChatRequest,
    policy: RetryPolicy = DEFAULT_POLICY,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> ChatResult:
    """The async twin of `complete_with_retries`."""
    started = time.perf_counter()
    try:
        return _accounted(await call(request), 1, started)
    except ProviderError as error:
        _give_up_unless_retriable(error, policy)
        first_error: list[ProviderError] = [error]
    attempts = 1

    async def attempt() -> ChatResult:
        nonlocal attempts
        if first_error:
            raise first_error.pop()
        attempts += 1
        return await call(request)

    try:
        result: ChatResult = await AsyncRetrying(sleep=sleep, **_settings(policy))(attempt)
    except ProviderError as e:
        _note_attempts(e, attempts)
        raise
    return _accounted(result, attempts, started)


def _give_up_unless_retriable(error: ProviderError, policy: RetryPolicy) -> None:
    if not error.retriable or policy.max_attempts <= 1:
        _note_attempts(error, 1)
        raise error


def _accounted(result: ChatResult, attempts: int, started: float) -> ChatResult:
    elapsed_ms = (time.perf_counter() - started) * 1000
    return dataclasses.replace(result, attempts=attempts, latency_ms=elapsed_ms)


def _note_attempts(error: ProviderError, attempts: int) -> None:
    error.attempts = attempts
    if attempts > 1:
        error.args = (f"{error.args[0]} (gave up after {attempts} attempts)", *error.args[1:])
