"""The generation pipeline: brief + stage → N checked variants (render, call, check, repair).

The pipeline is written once, as a generator that yields the chat requests it needs answered and
receives the results; `generate` answers them with blocking calls and `agenerate` with awaited
ones, so the sync and async twins cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from dco.generation.junk import junk_reason
from dco.generation.plan import Plan
from dco.generation.replies import excerpt, read_reply
from dco.models import (
    COPY_FIELDS,
    Copy,
    Finding,
    Provenance,
    StagePolicy,
    StageResult,
    Variant,
)
from dco.providers.base import ChatRequest, ChatResult, Message
from dco.text.duplicates import Bigrams, bigrams, copy_key, is_near_duplicate

NEAR_DUPLICATE = 0.85
"""Two variants sharing this share of their character bigrams are one variant written twice."""


@dataclass(frozen=True)
class Discarded:
    """A variant (or a reply) that was not returned, and why: still breaking a rule when the
    repair rounds ran out, a near-duplicate, junk, a variant missing a field, or a reply no
    variant could be read from (then `copy` is None and the reason quotes the reply)."""

    copy: Copy | None
    findings: tuple[Finding, ...]
    reason: str


@dataclass
class Spend:
    """What one generation (or a batch) cost: requests, tokens, and repair rounds."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    repairs: int = 0
    """Requests after the first of a brief: rounds that re-asked for broken or missing copy."""
    retries: int = 0
    """Requests the provider sent again after a transient error (429, 5xx, timeout)."""
    seconds: float = 0.0

    def count(self, result: ChatResult) -> None:
        """Add one answered request of a brief's generation (after its first, a repair)."""
        self.requests += 1
        self.repairs = self.requests - 1
        self.prompt_tokens += result.usage.prompt_tokens
        self.completion_tokens += result.usage.completion_tokens
        self.retries += result.attempts - 1
        self.seconds += result.latency_ms / 1000

    def __iadd__(self, other: Spend) -> Spend:
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.repairs += other.repairs
        self.retries += other.retries
        self.seconds += other.seconds
        return self

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class GenerationResult(list[Variant]):
    """The variants (a list, as `generate` promises) plus what was discarded and why, and
    what it cost."""

    def __init__(
        self,
        variants: Iterable[Variant],
        *,
        discarded: Sequence[Discarded] = (),
        shortfall: int = 0,
        unwritten: int = 0,
        stage_result: StageResult | None = None,
        policy: StagePolicy | None = None,
        prompt_version: str = "",
        spend: Spend | None = None,
        first_prompt: str = "",
    ) -> None:
        super().__init__(variants)
        self.spend = spend or Spend()
        self.first_prompt = first_prompt
        """The first request's messages, joined: what a provider's prefix cache compares."""
        self.discarded = list(discarded)
        self.shortfall = shortfall
        """How many of the N asked for could not be produced."""
        self.unwritten = unwritten
        """How many variants the model's last reply left out of those asked for: never
        written, so in no discard (part of the shortfall, which says it was short)."""
        self.stage_result = stage_result
        self.policy = policy
        self.prompt_version = prompt_version


@dataclass
class _Tally:
    """Accounting across the calls of one generation: its spend, and the model that answered."""

    spend: Spend = field(default_factory=Spend)
    model: str = ""

    def add(self, result: ChatResult) -> None:
        self.spend.count(result)
        self.model = result.model or self.model


@dataclass
class _Accepted:
    copy: Copy
    findings: list[Finding]
    rounds: int
    key: str = ""
    grams: Bigrams = field(default_factory=frozenset)


def pipeline(
    plan: Plan, spend: Spend | None = None
) -> Generator[ChatRequest, ChatResult, GenerationResult]:
    """Ask, check, and re-ask with the problems until N clean variants or the rounds run out.
    Every variant not returned is in the result's `discarded`, with its reason.

    Each reply is counted into `spend` (the result's) as it arrives: a caller that keeps it
    knows what a generation that failed part way had already paid for."""
    messages = plan.first_messages()
    first_prompt = "".join(m.content for m in messages)
    accepted: list[_Accepted] = []
    discarded: list[Discarded] = []
    tally = _Tally(spend if spend is not None else Spend())
    wanted = plan.n
    failing: list[tuple[Copy, list[Finding]]] = []
    for round_number in range(1, plan.max_repairs + 2):
        result = yield plan.request(messages, wanted=wanted, round_number=round_number)
        tally.add(result)
        reply = read_reply(result)
        reply_problem = reply.problem
        if reply.problem and not reply.items:  # an empty list is fewer variants, not a loss
            discarded.append(Discarded(None, (), f"unreadable reply: {reply.problem}"))
            unwritten = 0  # written, perhaps, but not readably: the discard says so
        else:
            unwritten = max(0, wanted - len(reply.items))
        failing = []
        for item in reply.items:
            copy, item_problem = read_copy(item)
            if copy is None:
                reply_problem = reply_problem or item_problem
                discarded.append(Discarded(None, (), f"{item_problem} ({excerpt(str(item))})"))
                continue
            if junk := junk_reason(
                copy, locale=plan.brief.locale, hints=plan.hints, instructions=plan.instructions
            ):
                discarded.append(Discarded(copy, (), f"junk: {junk}"))
                continue
            key = copy_key(copy)
            grams = bigrams(key)
            twin = _twin(key, grams, accepted)
            if twin is not None:
                discarded.append(Discarded(copy, (), f"a near-duplicate of variant {twin}"))
                continue
            findings = plan.check(copy)
            if any(f.level == "error" for f in findings):
                failing.append((copy, findings))
            elif len(accepted) < plan.n:
                accepted.append(_Accepted(copy, findings, round_number, key, grams))
            else:
                discarded.append(Discarded(copy, tuple(findings), f"beyond the {plan.n} asked for"))
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
    discarded += [
        Discarded(copy, tuple(findings), _still_failing(findings, plan.max_repairs))
        for copy, findings in failing
    ]
    now = datetime.now(timezone.utc)
    variants = [_variant(plan, a, tally, now) for a in accepted]
    return GenerationResult(
        variants,
        discarded=discarded,
        shortfall=plan.n - len(variants),
        unwritten=unwritten,
        stage_result=plan.stage_result,
        policy=plan.policy,
        prompt_version=plan.prompt_version,
        spend=tally.spend,
        first_prompt=first_prompt,
    )


def _twin(key: str, grams: Bigrams, accepted: list[_Accepted]) -> int | None:
    """The number (from 1) of the accepted variant that `key` nearly duplicates, if any."""
    for number, earlier in enumerate(accepted, 1):
        if is_near_duplicate(key, grams, [(earlier.key, earlier.grams)], NEAR_DUPLICATE):
            return number
    return None


def _still_failing(findings: list[Finding], rounds: int) -> str:
    """Why a variant was dropped when the repair rounds ran out: the errors it still had."""
    errors = [f for f in findings if f.level == "error"]
    named = "; ".join(_describe(f) for f in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    if rounds == 0:
        return f"broke a rule: {named}{more}"
    return f"still broke a rule after {rounds} repair rounds: {named}{more}"


def read_copy(item: Any) -> tuple[Copy | None, str | None]:
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
    plan: Plan,
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


def _variant(plan: Plan, accepted: _Accepted, tally: _Tally, created_at: datetime) -> Variant:
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
        usage={
            "prompt_tokens": tally.spend.prompt_tokens,
            "completion_tokens": tally.spend.completion_tokens,
        },
        latency_ms=round(tally.spend.seconds * 1000, 3),
        attempts=accepted.rounds,
        retries=tally.spend.retries,
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
