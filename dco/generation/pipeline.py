"""The generation pipeline: brief + stage → N checked variants (render, call, check, repair).

The pipeline is written once, as a generator that yields the chat requests it needs answered and
receives the results; `generate` answers them with blocking calls and `agenerate` with awaited
ones, so the sync and async twins cannot drift apart.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dco.channels import Channel, get_channel
from dco.checks import Bigrams, Checker, bigrams, copy_key, is_near_duplicate, length_findings
from dco.context import ContextRules
from dco.errors import DcoError
from dco.funnel import default_classifier
from dco.models import (
    COPY_FIELDS,
    Brief,
    ContentIds,
    Copy,
    Finding,
    FunnelStage,
    Provenance,
    Signals,
    StagePolicy,
    StageResult,
    Variant,
)
from dco.policy import policy_for
from dco.prompts import PromptSet, default_prompts
from dco.providers import get_provider
from dco.providers.base import ChatRequest, ChatResult, Message, Provider
from dco.providers.retry import (
    DEFAULT_POLICY,
    RetryPolicy,
    acomplete_with_retries,
    complete_with_retries,
)
from dco.redact import redact
from dco.tuning.profile import Guidance, TuningProfile

VARIANTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "variants": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {name: {"type": "string"} for name in COPY_FIELDS},
                "required": list(COPY_FIELDS),
                "additionalProperties": False,
            },
        }
    },
    "required": ["variants"],
    "additionalProperties": False,
}

NEAR_DUPLICATE = 0.85
"""Two variants sharing this share of their character bigrams are one variant written twice."""

_LANGUAGES = {"ko": "Korean (한국어)", "en": "English"}
_UNIT_HELP = {
    "chars": "characters (spaces included)",
    "google_width": "Google Ads width: Hangul, CJK and full-width characters count 2, others 1",
    "cp949_bytes": "cp949 bytes for Korean SMS: Hangul 2, ASCII 1; emoji cannot be sent",
    "graphemes": "user-perceived characters",
}


@dataclass(frozen=True)
class Discarded:
    """A variant that still broke a rule when the repair rounds ran out, and why."""

    copy: Copy
    findings: tuple[Finding, ...]
    reason: str


class GenerationResult(list[Variant]):
    """The variants (a list, as `generate` promises) plus what was discarded and why."""

    def __init__(
        self,
        variants: Iterable[Variant],
        *,
        discarded: Sequence[Discarded] = (),
        shortfall: int = 0,
        stage_result: StageResult | None = None,
        policy: StagePolicy | None = None,
        prompt_version: str = "",
    ) -> None:
        super().__init__(variants)
        self.discarded = list(discarded)
        self.shortfall = shortfall
        """How many of the N asked for could not be produced."""
        self.stage_result = stage_result
        self.policy = policy
        self.prompt_version = prompt_version


@dataclass
class _Plan:
    """Everything fixed before the first call."""

    brief: Brief
    channel: Channel
    stage: FunnelStage
    stage_result: StageResult | None
    policy: StagePolicy
    prompts: PromptSet
    prompt_version: str
    n: int
    temperature: float
    seed: int | None
    max_tokens: int | None
    max_repairs: int
    checker: Checker | None
    redactions: int
    customer: dict[str, Any] | None
    brand_name: str | None
    voice: str | None
    provider_name: str
    model: str
    guidance: Guidance | None = None
    """What reviewers taught for this stage, channel and locale (a tuning profile's section)."""
    tags: tuple[str, ...] = ()
    """The tags of the context rules the customer's situation matched, carried by each variant."""
    required: list[dict[str, str]] = field(default_factory=list)
    """Text the brand's rules require word for word in this channel (e.g. the "(광고)" prefix)."""
    brief_data: dict[str, Any] = field(default_factory=dict)
    """The brief as JSON-mode data, computed once: it goes into every prompt and variant id."""
    variant_id: ContentIds = field(init=False)
    """The id of each variant this plan yields (see `ContentIds`)."""

    def __post_init__(self) -> None:
        self.brief_data = self.brief.model_dump(mode="json")
        self.variant_id = ContentIds(
            self.brief_data, self.stage, self.channel.id, self.brief.locale, self.prompt_version
        )

    def task(self, n: int, avoid: Sequence[str] = ()) -> dict[str, Any]:
        learned = self.guidance.avoid if self.guidance else ()
        return {
            "n": n,
            "language": self.brief.locale.split("-")[0],
            "stage": self.stage.value,
            "limits": {f: [limit, unit] for f, _, limit, unit in self.lengths()},
            "avoid": sorted({*avoid, *learned}),
            **({"required": self.required} if self.required else {}),
        }

    def lengths(self) -> list[tuple[str, int, int, str]]:
        """(field, target, limit, unit) as the prompt states them: the policy's, tightened to
        the share of the limit reviewers accepted where they found copy too long. The checks
        still hold copy to the channel's own limits."""
        shares = self.guidance.lengths if self.guidance else {}
        rows = []
        for name, length in self.policy.lengths.items():
            share = shares.get(name)
            if share is None:
                rows.append((name, length.target, length.limit, length.unit))
            else:
                limit = max(1, int(length.limit * share))
                rows.append((name, min(length.target, limit), limit, length.unit))
        return rows

    def first_messages(self) -> list[Message]:
        language = self.brief.locale.split("-")[0]
        guidance = self.guidance
        context = {
            "policy": self.policy,
            "brand_name": self.brand_name,
            "voice": self.voice,
            "language_name": _LANGUAGES.get(language, self.brief.locale),
            "tuning_notes": guidance.notes if guidance else [],
            "tuned": guidance is not None and not guidance.empty,
        }
        system = self.prompts.render_once(
            "generate.system.j2", (self.prompt_version, language), **context
        )
        units = frozenset(length.unit for length in self.policy.lengths.values())
        user = self.prompts.render(
            "generate.user.j2",
            n=self.n,
            stage=self.stage.value,
            channel_name=self.channel.name,
            channel_id=self.channel.id,
            stage_confidence=self.stage_result.confidence if self.stage_result else None,
            unit_help=self.prompts.memo(("unit_help", *sorted(units)), lambda: _unit_help(units)),
            lengths=self.lengths(),
            brief={k: v for k, v in self.brief_data.items() if v is not None},
            customer=self.customer,
            reviewers=guidance.prompt_data() if guidance and not guidance.empty else None,
            policy_data=self.prompts.memo(
                ("policy_data", self.prompt_version), lambda: self.policy.model_dump(mode="json")
            ),
            task=self.task(self.n),
        )
        return [Message("system", system), Message("user", user)]

    def request(self, messages: Sequence[Message]) -> ChatRequest:
        return ChatRequest(
            messages=tuple(messages),
            json_schema=VARIANTS_SCHEMA,
            schema_name="variants",
            temperature=self.temperature,
            seed=self.seed,
            max_tokens=self.max_tokens,
        )

    def check(self, copy: Copy) -> list[Finding]:
        findings = length_findings(copy, self.channel)
        if self.checker is not None:
            findings += self.checker.check(copy, channel=self.channel.id, stage=self.stage)
        return findings


@dataclass
class _Tally:
    """Accounting across the calls of one generation."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    retries: int = 0
    model: str = ""

    def add(self, result: ChatResult) -> None:
        self.prompt_tokens += result.usage.prompt_tokens
        self.completion_tokens += result.usage.completion_tokens
        self.latency_ms += result.latency_ms
        self.retries += result.attempts - 1
        self.model = result.model or self.model


@dataclass
class _Accepted:
    copy: Copy
    findings: list[Finding]
    rounds: int
    key: str = ""
    grams: Bigrams = field(default_factory=frozenset)


def _pipeline(plan: _Plan) -> Generator[ChatRequest, ChatResult, GenerationResult]:
    """Ask, check, and re-ask with the problems until N clean variants or the rounds run out."""
    messages = plan.first_messages()
    accepted: list[_Accepted] = []
    tally = _Tally()
    wanted = plan.n
    for round_number in range(1, plan.max_repairs + 2):
        result = yield plan.request(messages)
        tally.add(result)
        items, reply_problem = _parse_reply(result)
        failing: list[tuple[Copy, list[Finding]]] = []
        for item in items:
            copy, item_problem = _read_copy(item)
            if copy is None:
                reply_problem = reply_problem or item_problem
                continue
            key = copy_key(copy)
            grams = bigrams(key)
            seen = [(a.key, a.grams) for a in accepted]
            if is_near_duplicate(key, grams, seen, NEAR_DUPLICATE):
                continue
            findings = plan.check(copy)
            if any(f.level == "error" for f in findings):
                failing.append((copy, findings))
            elif len(accepted) < plan.n:
                accepted.append(_Accepted(copy, findings, round_number, key, grams))
        missing = plan.n - len(accepted) - len(failing)
        if (not failing and missing <= 0) or round_number > plan.max_repairs:
            break
        wanted = len(failing) + max(missing, 0)
        messages += [
            Message("assistant", result.text),
            Message(
                "user", _repair_prompt(plan, failing, accepted, missing, reply_problem, wanted)
            ),
        ]
    discarded = [
        Discarded(
            copy, tuple(findings), f"still broke a rule after {plan.max_repairs} repair rounds"
        )
        for copy, findings in failing
    ]
    now = datetime.now(timezone.utc)
    variants = [_variant(plan, a, tally, now) for a in accepted]
    return GenerationResult(
        variants,
        discarded=discarded,
        shortfall=plan.n - len(variants),
        stage_result=plan.stage_result,
        policy=plan.policy,
        prompt_version=plan.prompt_version,
    )


def _unit_help(units: frozenset[str]) -> str:
    return "; ".join(f"{u} = {_UNIT_HELP[u]}" for u in sorted(units)) or "characters"


def _parse_reply(result: ChatResult) -> tuple[list[Any], str | None]:
    data = result.data
    if data is None:
        text = result.text.strip()
        if text.startswith("```"):  # a fenced reply from a server without JSON mode
            text = text.strip("`").removeprefix("json").strip()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            return [], f"it was not valid JSON ({e.msg} at character {e.pos})"
    if not isinstance(data, Mapping) or not isinstance(data.get("variants"), list):
        return [], 'it was not a JSON object with a "variants" list'
    return list(data["variants"]), None


def _read_copy(item: Any) -> tuple[Copy | None, str | None]:
    if not isinstance(item, Mapping):
        return None, "a variant was not a JSON object"
    missing = [name for name in COPY_FIELDS if not isinstance(item.get(name), str)]
    if missing:
        return None, f"a variant had no {', '.join(missing)} (every variant needs all three)"
    fields = {name: item[name].strip() for name in COPY_FIELDS}
    if not any(fields.values()):
        return None, "a variant was empty"
    # The checks above are all Copy's validation does; building it unchecked saves a third.
    return Copy.trusted(**fields), None


def _repair_prompt(
    plan: _Plan,
    failing: list[tuple[Copy, list[Finding]]],
    accepted: list[_Accepted],
    missing: int,
    reply_problem: str | None,
    wanted: int,
) -> str:
    problems = [
        {
            "variant": copy.model_dump(),
            "problems": [_describe(f) for f in findings if f.level == "error"],
        }
        for copy, findings in failing
    ]
    avoid = [f.match for _, findings in failing for f in findings if f.match and not f.replacement]
    return plan.prompts.render(
        "repair.user.j2",
        problems=problems,
        keep=[a.copy.model_dump() for a in accepted],
        missing=max(missing, 0),
        reply_problem=reply_problem,
        task=plan.task(wanted, avoid),
    )


def _describe(finding: Finding) -> str:
    text = finding.message
    if finding.field and not text.startswith(finding.field):
        text = f"{finding.field}: {text}"
    if finding.replacement:
        text += f" (use {finding.replacement!r})"
    return f"{text} [{finding.rule}]"


def _variant(plan: _Plan, accepted: _Accepted, tally: _Tally, created_at: datetime) -> Variant:
    identity = plan.variant_id(accepted.copy)
    # Every value below is already validated (the copy, brief, policy and stage result are
    # models; the rest dco computed), so the models are built without validating them again:
    # a third of the pipeline's CPU went to re-checking what was known to be valid.
    provenance = Provenance.trusted(
        provider=plan.provider_name,
        model=tally.model or plan.model,
        prompt_version=plan.prompt_version,
        parameters={"temperature": plan.temperature, "max_tokens": plan.max_tokens, "n": plan.n},
        seed=plan.seed,
        usage={"prompt_tokens": tally.prompt_tokens, "completion_tokens": tally.completion_tokens},
        latency_ms=round(tally.latency_ms, 3),
        attempts=accepted.rounds,
        retries=tally.retries,
        redactions=plan.redactions,
    )
    return Variant.trusted(
        id=identity,
        copy=accepted.copy,
        brief=plan.brief,
        stage=plan.stage,
        stage_result=plan.stage_result,
        policy=plan.policy,
        channel=plan.channel.id,
        locale=plan.brief.locale,
        provenance=provenance,
        findings=tuple(accepted.findings),
        tags=plan.tags,
        # `trusted` takes every field as given: none is filled from a default.
        created_at=created_at,
    )


# ---------------------------------------------------------------------------------------------
# Planning: everything decided before the first call


def _plan(
    brief: Brief,
    *,
    signals: Signals | str | None,
    stage: FunnelStage | str | None,
    brand: Any,
    n: int,
    channel: str | None,
    provider: Provider,
    prompts: PromptSet | None,
    temperature: float,
    seed: int | None,
    max_tokens: int | None,
    max_repairs: int,
    profile: TuningProfile | str | Path | None,
    context_rules: ContextRules | None,
) -> _Plan:
    if not 1 <= n <= 50:
        raise DcoError(f"n must be between 1 and 50, not {n}")
    if max_repairs < 0:
        raise DcoError(f"max_repairs must be 0 or more, not {max_repairs}")
    if isinstance(signals, str):
        signals = Signals(text=signals)
    stage_result = default_classifier().classify(signals) if signals is not None else None
    if stage is not None:
        resolved = FunnelStage(stage)
    elif stage_result is not None:
        resolved = stage_result.stage
    else:
        raise DcoError("give the customer's signals or a stage to write for")
    spec = get_channel(channel or brief.channel)
    prompts = prompts or default_prompts()
    brand_name = getattr(brand, "name", None)
    voice = getattr(brand, "voice", None)
    formality = getattr(brand, "formality", None)
    language = brief.locale.split("-")[0]

    def make_policy() -> tuple[StagePolicy, str]:
        policy = policy_for(
            resolved, spec, prompts.policies, locale=brief.locale, formality=formality
        )
        return policy, prompts.version(policy.model_dump(mode="json"), brand_name, voice)

    policy, version = prompts.memo(
        ("policy", resolved, spec.id, language, formality, brand_name, voice), make_policy
    )
    guidance = None
    if profile is not None:
        if not isinstance(profile, TuningProfile):
            profile = TuningProfile.load(profile)
        guidance = profile.section(resolved.value, spec.id, brief.locale)
        if not guidance.empty:
            # What the profile adds to this prompt is part of its version: a new profile that
            # changes the prompt is a new version whose approval rate is tracked on its own.
            version = prompts.version(version, guidance.digest)
    safe_brief, redactions = _redact_brief(brief)
    customer = None
    tags: tuple[str, ...] = ()
    context_rules = context_rules or getattr(brand, "context_rules", None)
    if signals is not None:
        text = redact(signals.text)
        redactions += text.total
        customer = {
            "search_text": text.text,
            "events": [str(e) for e in signals.events],
            "context": signals.context,
        }
        if context_rules is not None:
            matched = context_rules.match(signals.context)
            tags = tuple(dict.fromkeys(t for rule in matched for t in rule.tags))
            angles = [rule.angle for rule in matched if rule.angle]
            if angles:
                customer["angles"] = angles
    return _Plan(
        brief=safe_brief.model_copy(update={"channel": spec.id}),
        channel=spec,
        stage=resolved,
        stage_result=stage_result,
        policy=policy,
        prompts=prompts,
        prompt_version=version,
        n=n,
        temperature=temperature,
        seed=seed,
        max_tokens=max_tokens,
        max_repairs=max_repairs,
        checker=brand if brand is not None and hasattr(brand, "check") else None,
        redactions=redactions,
        customer=customer,
        brand_name=brand_name,
        voice=voice,
        provider_name=provider.name,
        model=provider.model,
        guidance=guidance,
        tags=tags,
        required=brand.requirements(spec.id) if hasattr(brand, "requirements") else [],
    )


def _redact_brief(brief: Brief) -> tuple[Brief, int]:
    total = 0
    updates: dict[str, Any] = {}
    for name in ("product", "audience", "offer", "notes"):
        value = getattr(brief, name)
        if value:
            redaction = redact(value)
            total += redaction.total
            updates[name] = redaction.text
    benefits = [redact(b) for b in brief.benefits]
    total += sum(r.total for r in benefits)
    updates["benefits"] = tuple(r.text for r in benefits)
    return brief.model_copy(update=updates), total


# ---------------------------------------------------------------------------------------------
# The public entry points


def generate(
    brief: Brief,
    *,
    signals: Signals | str | None = None,
    stage: FunnelStage | str | None = None,
    brand: Any = None,
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
    context_rules: ContextRules | None = None,
) -> GenerationResult:
    """Write `n` variants of copy for `brief`, fitted to the customer's stage and the channel.

    Give the customer's `signals` (classified here) or a `stage`. `brand` is anything with a
    `check(copy, channel=, stage=)` method (a `dco.Brand`); its `name`, `voice` and `formality`
    shape the prompt when present. Variants that break a channel limit or an error-level rule are
    sent back with the problems, at most `max_repairs` times, and discarded if still wrong: the
    result lists them in `.discarded`. `profile` (a `dco.tuning.TuningProfile` or its file)
    adds what reviewers taught for this stage, channel and locale. The `context_rules` (default:
    the brand's) that the signals' context matches add their angles to the prompt and their tags
    to every variant. `provider` defaults to the
    OpenAI provider when `OPENAI_API_KEY` is set and to the offline fake otherwise.
    """
    provider = _provider(provider)
    steps = _pipeline(_plan(brief, provider=provider, **_options(locals())))
    request = next(steps)
    while True:
        result = complete_with_retries(provider.complete, request, retry)
        try:
            request = steps.send(result)
        except StopIteration as done:
            return done.value


async def agenerate(
    brief: Brief,
    *,
    signals: Signals | str | None = None,
    stage: FunnelStage | str | None = None,
    brand: Any = None,
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
    context_rules: ContextRules | None = None,
) -> GenerationResult:
    """The async twin of `generate`, with the same arguments and result."""
    provider = _provider(provider)
    steps = _pipeline(_plan(brief, provider=provider, **_options(locals())))
    return await _adrive(steps, provider.acomplete, retry)


async def _adrive(
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


_PLAN_OPTIONS = (
    "signals", "stage", "brand", "n", "channel", "prompts", "temperature", "seed", "max_tokens",
    "max_repairs", "profile", "context_rules",
)  # fmt: skip


def _options(arguments: dict[str, Any]) -> dict[str, Any]:
    """The planning options among `generate`'s or `agenerate`'s arguments (the twins share them)."""
    return {name: arguments[name] for name in _PLAN_OPTIONS}


def _provider(provider: Provider | str | None) -> Provider:
    if provider is None or isinstance(provider, str):
        return get_provider(provider)
    return provider


# ---------------------------------------------------------------------------------------------
# Batches


@dataclass(frozen=True)
class BatchFailure:
    """One brief of a batch that failed, and why."""

    index: int
    brief: Brief
    error: str


@dataclass
class BatchResult:
    """A batch's outcome: a result per brief (None where it failed) and the failures."""

    results: list[GenerationResult | None]
    failures: list[BatchFailure]

    @property
    def variants(self) -> list[Variant]:
        """Every variant of every brief that succeeded, in brief order."""
        return [v for result in self.results if result for v in result]


def generate_many(
    briefs: Sequence[Brief],
    *,
    concurrency: int = 4,
    on_progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> BatchResult:
    """`generate` for each brief, `concurrency` at a time; a failed brief does not stop the rest."""
    options["provider"] = _provider(options.get("provider"))
    results: list[GenerationResult | None] = [None] * len(briefs)
    failures: list[BatchFailure] = []
    done = 0

    def one(index: int) -> None:
        nonlocal done
        try:
            results[index] = generate(briefs[index], **options)
        except DcoError as e:
            failures.append(BatchFailure(index, briefs[index], str(e)))
        done += 1
        if on_progress:
            on_progress(done, len(briefs))

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        list(pool.map(one, range(len(briefs))))
    failures.sort(key=lambda f: f.index)
    return BatchResult(results, failures)


async def agenerate_many(
    briefs: Sequence[Brief],
    *,
    concurrency: int = 8,
    on_progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> BatchResult:
    """The async twin of `generate_many`: at most `concurrency` requests in flight at once.

    The bound is on provider calls, not on briefs: while `concurrency` requests wait on the
    server, the next briefs are planned and rendered and the last replies checked, so the
    client's own work fills the wait instead of adding to it. A brief backing off before a retry
    holds no slot. Twice `concurrency` workers take the briefs in order, so at most that many are
    under way, which bounds memory however long the batch.
    """
    provider = _provider(options.pop("provider", None))
    # Bound once for the batch as agenerate would bind them per brief: defaults, unknown names.
    arguments = inspect.signature(agenerate).bind(None, provider=provider, **options)
    arguments.apply_defaults()
    plan_options, retry = _options(arguments.arguments), arguments.arguments["retry"]
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
            try:
                steps = _pipeline(_plan(briefs[index], provider=provider, **plan_options))
                results[index] = await _adrive(steps, gated, retry)
            except DcoError as e:
                failures.append(BatchFailure(index, briefs[index], str(e)))
            done += 1
            if on_progress:
                on_progress(done, len(briefs))

    await asyncio.gather(*(worker(number) for number in range(workers)))
    failures.sort(key=lambda f: f.index)
    return BatchResult(results, failures)


async def _after_woken_tasks() -> None:
    """Return once every task woken during the event loop's current pass has run a step.

    A task woken now, by this task or by any other in this pass (a semaphore's waiter, say),
    runs in the loop's next pass; yielding twice resumes in the pass after that.
    """
    await asyncio.sleep(0)
    await asyncio.sleep(0)
