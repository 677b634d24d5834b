"""`generate` and `agenerate`: plan, then drive the pipeline's requests through a provider.

The pipeline is a generator that yields the chat requests it needs answered; `generate` answers
them with blocking calls and `agenerate` with awaited ones, so the twins cannot drift apart.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator
from pathlib import Path
from typing import Any

from dco.errors import OptionError
from dco.generation.pipeline import GenerationResult, pipeline
from dco.generation.plan import make_plan
from dco.i18n import _
from dco.models import (
    Brief,
    FunnelStage,
    Signals,
)
from dco.prompts.templates import PromptSet
from dco.protocols import BrandLike, SituationRules
from dco.providers import get_provider
from dco.providers.base import ChatRequest, ChatResult, Provider
from dco.providers.retry import (
    DEFAULT_POLICY,
    RetryPolicy,
    acomplete_with_retries,
    complete_with_retries,
)
from dco.tuning.profile import TuningProfile


def generate(
    brief: Brief,
    *,
    signals: Signals | str | None = None,
    stage: FunnelStage | str | None = None,
    brand: BrandLike | None = None,
    n: int = 5,
    channel: str | None = None,
    provider: Provider | str | None = None,
    prompts: PromptSet | None = None,
    temperature: float = 0.8,
    seed: int | None = None,
    max_tokens: int | None = None,
    max_repairs: int = 2,
    retry: RetryPolicy = DEFAULT_POLICY,
    profile: TuningProfile | str | Path | None = None,
    context_rules: SituationRules | None = None,
) -> GenerationResult:
    """Write `n` variants of copy for `brief`, fitted to the customer's stage and the channel.

    Give the customer's `signals` (classified here) or a `stage`. `brand` is a `dco.Brand` (or
    any `dco.protocols.BrandLike`): its `name`, `voice` and `formality` shape the prompt, and its
    rules check every variant. Variants that break a channel limit or an error-level rule are
    sent back with the problems, at most `max_repairs` times, and discarded if still wrong: the
    result lists them in `.discarded`. `profile` (a `dco.tuning.TuningProfile` or its file)
    adds what reviewers taught for this stage, channel and locale. The `context_rules` (default:
    the brand's) that the signals' context matches add their angles to the prompt and their tags
    to every variant. `provider` defaults to the
    OpenAI provider when `OPENAI_API_KEY` is set and to the offline fake otherwise.
    """
    provider = resolve_provider(provider)
    steps = pipeline(make_plan(brief, provider=provider, **plan_options(locals())))
    return drive(steps, provider.complete, retry)


async def agenerate(
    brief: Brief,
    *,
    signals: Signals | str | None = None,
    stage: FunnelStage | str | None = None,
    brand: BrandLike | None = None,
    n: int = 5,
    channel: str | None = None,
    provider: Provider | str | None = None,
    prompts: PromptSet | None = None,
    temperature: float = 0.8,
    seed: int | None = None,
    max_tokens: int | None = None,
    max_repairs: int = 2,
    retry: RetryPolicy = DEFAULT_POLICY,
    profile: TuningProfile | str | Path | None = None,
    context_rules: SituationRules | None = None,
) -> GenerationResult:
    """The async twin of `generate`, with the same arguments and result."""
    provider = resolve_provider(provider)
    steps = pipeline(make_plan(brief, provider=provider, **plan_options(locals())))
    return await adrive(steps, provider.acomplete, retry)


def drive(
    steps: Generator[ChatRequest, ChatResult, GenerationResult],
    complete: Callable[[ChatRequest], ChatResult],
    retry: RetryPolicy,
) -> GenerationResult:
    """Run a generation's steps, answering each request it yields through `complete`."""
    request = next(steps)
    while True:
        result = complete_with_retries(complete, request, retry)
        try:
            request = steps.send(result)
        except StopIteration as done:
            return done.value


async def adrive(
    steps: Generator[ChatRequest, ChatResult, GenerationResult],
    acomplete: Callable[[ChatRequest], Awaitable[ChatResult]],
    retry: RetryPolicy,
) -> GenerationResult:
    """Run a generation's steps, answering each request it yields through `acomplete`."""
    request = next(steps)
    while True:
        result = await acomplete_with_retries(acomplete, request, retry)
        try:
            request = steps.send(result)
        except StopIteration as done:
            return done.value


def first_request(
    brief: Brief, *, provider: Provider | str | None = None, **options: Any
) -> ChatRequest:
    """The request `generate` would send first for `brief` with these options, built but not
    sent: the rendered prompts, the schema and the sampling (what `--dry-run` prints)."""
    provider = resolve_provider(provider)
    plan = make_plan(brief, provider=provider, **planning(options))
    return next(pipeline(plan))


def planning(options: dict[str, Any]) -> dict[str, Any]:
    """`generate`'s planning options from keyword `options`, its own defaults filling the rest;
    an option `generate` does not take is an error naming it."""
    arguments = inspect.signature(generate).bind_partial(**options)
    unknown = sorted(set(options) - set(_PLAN_OPTIONS) - {"provider", "retry"})
    if unknown:
        raise OptionError(
            _("unknown option {name!r}; generate takes {options}").format(
                name=unknown[0], options=", ".join(_PLAN_OPTIONS)
            )
        )
    arguments.apply_defaults()
    return plan_options(arguments.arguments)


_PLAN_OPTIONS = (
    "signals", "stage", "brand", "n", "channel", "prompts", "temperature", "seed", "max_tokens",
    "max_repairs", "profile", "context_rules",
)  # fmt: skip


def plan_options(arguments: dict[str, Any]) -> dict[str, Any]:
    """The planning options among `generate`'s or `agenerate`'s arguments (the twins share them)."""
    return {name: arguments[name] for name in _PLAN_OPTIONS}


def resolve_provider(provider: Provider | str | None) -> Provider:
    if provider is None or isinstance(provider, str):
        return get_provider(provider)
    return provider
