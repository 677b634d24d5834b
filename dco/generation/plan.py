"""Planning a generation: everything fixed before the first call.

The stage (given, or classified from the customer's signals), the channel, the stage policy and
the prompt version it hashes to, what reviewers taught (a tuning profile's section), the brief and
the customer with personal data redacted, and the context rules the customer's situation matched.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dco._once import once
from dco.channels.catalog import Channel, get_channel
from dco.channels.limits import copy_findings
from dco.errors import OptionError
from dco.funnel import default_classifier
from dco.generation.offers import OfferCheck
from dco.generation.redact import redact, redact_values
from dco.i18n import _
from dco.models import (
    COPY_FIELDS,
    Brief,
    Copy,
    Finding,
    FunnelStage,
    Signals,
    StagePolicy,
    StageResult,
)
from dco.models.ids import ContentIds
from dco.prompts.policy import policy_for
from dco.prompts.templates import EncodedData, PromptSet, default_prompts
from dco.protocols import BrandLike, Checker, SituationRules, StageClassifier
from dco.providers.base import ChatRequest, Message, Provider
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

_LANGUAGES = {"ko": "Korean (한국어)", "en": "English"}
_UNIT_HELP = {
    "chars": "characters (spaces included)",
    "google_width": "Google Ads width: Hangul, CJK and full-width characters count 2, others 1",
    "cp949_bytes": "cp949 bytes for Korean SMS: Hangul 2, ASCII 1; emoji cannot be sent",
    "graphemes": "user-perceived characters",
}


@dataclass
class Plan:
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

    def __post_init__(self) -> None:
        self.brief_data = self.brief.model_dump(mode="json")

    @once
    def variant_id(self) -> ContentIds:
        """The id of each variant this plan yields (see `ContentIds`). Found when the first
        variant is: a batch's requests are written long before any variant exists."""
        return ContentIds(
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

    def lengths(self) -> list[tuple[str, int, int | None, str]]:
        """(field, target, limit, unit) as the prompt states them: the policy's, tightened to
        the share of the limit reviewers accepted where they found copy too long. The checks
        still hold copy to the channel's own limits."""
        return list(self._lengths)

    @once
    def _lengths(self) -> tuple[tuple[str, int, int | None, str], ...]:
        # Found once: the prompt, its task and the reply's bounds each read them.
        shares = self.guidance.lengths if self.guidance else {}
        rows: list[tuple[str, int, int | None, str]] = []
        for name, length in self.policy.lengths.items():
            share = shares.get(name)
            if share is None or length.limit is None:
                rows.append((name, length.target, length.limit, length.unit))
            else:
                limit = max(1, int(length.limit * share))
                rows.append((name, min(length.target, limit), limit, length.unit))
        return tuple(rows)

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
                ("policy_data", self.prompt_version),
                lambda: EncodedData(self.policy.model_dump(mode="json")),
            ),
            task=self.task(self.n),
        )
        return [Message("system", system), Message("user", user)]

    def request(
        self, messages: Sequence[Message], *, wanted: int | None = None, round_number: int = 1
    ) -> ChatRequest:
        """The request for a round that wants `wanted` variants (N by default). Each repair
        round has a seed of its own: a deterministic server asked again with the same seed
        repeats the reply that needed repairing. The reply is bounded: at most `wanted`
        variants, each field at most its limit, and `max_tokens` fitted to them."""
        wanted = self.n if wanted is None else wanted
        seed = self.seed
        if round_number > 1:
            seed = (self.seed or 0) + round_number - 1
        return ChatRequest(
            messages=tuple(messages),
            json_schema=variants_schema(wanted, self.field_limits),
            schema_name="variants",
            temperature=self.temperature,
            seed=seed,
            max_tokens=self.max_tokens or reply_budget(wanted, self.field_limits),
            # The same id on every retry of this request (X-Request-ID), so that a server
            # that deduplicates by it does not do, or bill, the work twice.
            request_id=secrets.token_hex(16),
        )

    @once
    def field_limits(self) -> dict[str, int]:
        """The most characters each copy field may hold (a limit in width or bytes is never
        fewer characters), for bounding the reply. (Found once per plan, as `hints`: every
        round's request and every variant read them.)"""
        limits = {name: limit for name, _, limit, _ in self.lengths() if limit is not None}
        return {name: limits.get(name, _UNBOUNDED_FIELD) for name in COPY_FIELDS}

    @once
    def hints(self) -> tuple[str, ...]:
        """Text of the prompt a model may echo into copy, which copy never holds: the
        language's name, the policy's tone and CTA style (a phrase of either), its register,
        the channel's id."""
        name = _LANGUAGES.get(self.brief.locale.split("-")[0], "")
        policy = self.policy
        return _hints(name, policy.tone, policy.cta_style, policy.formality, self.channel.id)

    @once
    def instructions(self) -> str:
        """What the prompt says of how copy should sound, casefolded with single spaces, which
        no field of copy is a piece of (see `junk_reason`). (Found once per plan, as `hints`
        is.)"""
        texts = (self.voice or "", self.policy.tone, self.policy.cta_style)
        return "\n".join(" ".join(text.casefold().split()) for text in texts if text)

    def check(self, copy: Copy) -> list[Finding]:
        """What holds `copy` back in this plan's channel (limits, the brand's rules), and what
        it promises beyond its brief (see `dco.generation.offers`)."""
        return copy_findings(copy, self.channel, self.checker, self.stage) + self.offers(copy)

    @once
    def offers(self) -> OfferCheck:
        """The offers and figures copy may repeat: the brief's own, and what the channel
        requires word for word (an SMS's free opt-out number). Read once for all the plan's
        copy, as `hints` is."""
        brief = self.brief
        given = [brief.product, brief.audience, brief.offer or "", brief.notes or ""]
        return OfferCheck((*given, *brief.benefits, *(item["text"] for item in self.required)))


@functools.lru_cache(maxsize=256)
def _hints(
    language_name: str, tone: str, cta_style: str, formality: str | None, channel_id: str
) -> tuple[str, ...]:
    # Found once for each stage, channel and language of a campaign, not once per brief.
    phrases = [language_name] if "(" in language_name else []
    for instruction in (tone, cta_style):
        # A phrase long enough not to be copy by chance: "a soft invitation to learn more",
        # and its opening four words, which a model echoes with a new ending.
        for phrase in (p.strip() for p in _CLAUSES.split(instruction)):
            if len(phrase) >= 16:
                phrases.append(phrase)
                words = phrase.split()
                if len(words) >= 5 and len(" ".join(words[:4])) >= 16:
                    phrases.append(" ".join(words[:4]))
    if formality:
        phrases.append(formality)
    if "_" in channel_id:  # google_rsa: an id no copy spells
        phrases.append(channel_id)
    return tuple(phrases)


_CLAUSES = re.compile(r"[,;:()/—]|\s-\s")
"""Where an instruction's phrases part: a model echoes a phrase of it, not the whole."""
_UNBOUNDED_FIELD = 500
"""A copy field's length where the channel sets none: no ad copy field runs longer."""
_TOKENS_PER_VARIANT = 40
"""The JSON around one variant's three fields, in tokens, with room to spare."""


def variants_schema(wanted: int, limits: dict[str, int]) -> dict[str, Any]:
    """`VARIANTS_SCHEMA` bounded: at most `wanted` variants, each field at most its limit in
    characters. A server that refuses the bounds is asked with the plain schema (see the
    OpenAI provider)."""
    item = VARIANTS_SCHEMA["properties"]["variants"]["items"]
    fields = {name: {"type": "string", "maxLength": limits[name]} for name in COPY_FIELDS}
    variants = {
        "type": "array",
        "items": {**item, "properties": fields},
        "minItems": 1,
        "maxItems": max(1, wanted),
    }
    return {**VARIANTS_SCHEMA, "properties": {"variants": variants}}


def reply_budget(wanted: int, limits: dict[str, int]) -> int:
    """`max_tokens` for a reply of `wanted` variants: each field at its limit at a token per
    character (Korean takes about that in small models' vocabularies), the JSON around them,
    and half again as margin. Without it a looping model ran for minutes."""
    per_variant = sum(limits.values()) + _TOKENS_PER_VARIANT
    return int(max(1, wanted) * per_variant * 1.5) + 64


def _unit_help(units: frozenset[str]) -> str:
    return "; ".join(f"{u} = {_UNIT_HELP[u]}" for u in sorted(units)) or "characters"


# ---
def make_plan(
    brief: Brief,
    *,
    signals: Signals | str | None,
    stage: FunnelStage | str | None,
    brand: BrandLike | None,
    n: int,
    channel: str | None,
    provider: Provider,
    prompts: PromptSet | None,
    temperature: float,
    seed: int | None,
    max_tokens: int | None,
    max_repairs: int,
    profile: TuningProfile | str | Path | None,
    context_rules: SituationRules | None,
) -> Plan:
    _check_counts(n, max_repairs)
    if isinstance(signals, str):
        signals = Signals(text=signals)
    classifier = brand.classifier if brand is not None else None
    resolved, stage_result = _stage(signals, stage, classifier or default_classifier())
    spec = get_channel(channel or brief.channel)
    prompts = prompts or default_prompts()
    policy, version = _policy(prompts, resolved, spec, brief.locale, brand)
    guidance = None
    if profile is not None:
        guidance, version = _guidance(profile, prompts, version, resolved, spec, brief.locale)
    safe_brief, redactions = _redact_brief(brief)
    customer: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()
    if signals is not None:
        rules = context_rules or (brand.context_rules if brand is not None else None)
        customer, tags, found = _customer(signals, rules)
        redactions += found
    return Plan(
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
        checker=brand,
        redactions=redactions,
        customer=customer,
        brand_name=brand.name if brand is not None else None,
        voice=brand.voice if brand is not None else None,
        provider_name=provider.name,
        model=provider.model,
        guidance=guidance,
        tags=tags,
        required=brand.requirements(spec.id) if brand is not None else [],
    )


def _check_counts(n: int, max_repairs: int) -> None:
    if not 1 <= n <= 50:
        raise OptionError(_("n must be between 1 and 50, not {n}").format(n=n))
    if max_repairs < 0:
        raise OptionError(_("max_repairs must be 0 or more, not {count}").format(count=max_repairs))


def _stage(
    signals: Signals | None, stage: FunnelStage | str | None, classifier: StageClassifier
) -> tuple[FunnelStage, StageResult | None]:
    """The stage to write for: the one given, else the one the signals are classified at."""
    stage_result = classifier.classify(signals) if signals is not None else None
    if stage is not None:
        return FunnelStage(stage), stage_result
    if stage_result is not None:
        return stage_result.stage, stage_result
    raise OptionError(_("give the customer's signals or a stage to write for"))


def _policy(
    prompts: PromptSet,
    stage: FunnelStage,
    channel: Channel,
    locale: str,
    brand: BrandLike | None,
) -> tuple[StagePolicy, str]:
    """The stage policy for this channel and brand, and the prompt version it hashes to."""
    brand_name = brand.name if brand is not None else None
    voice = brand.voice if brand is not None else None
    formality = brand.formality if brand is not None else None

    def make_policy() -> tuple[StagePolicy, str]:
        policy = policy_for(stage, channel, prompts.policies, locale=locale, formality=formality)
        return policy, prompts.version(policy.model_dump(mode="json"), brand_name, voice)

    language = locale.split("-")[0]
    key = ("policy", stage, channel.id, language, formality, brand_name, voice)
    return prompts.memo(key, make_policy)


def _guidance(
    profile: TuningProfile | str | Path,
    prompts: PromptSet,
    version: str,
    stage: FunnelStage,
    channel: Channel,
    locale: str,
) -> tuple[Guidance, str]:
    """What reviewers taught for this stage, channel and locale, and the version it makes."""
    if not isinstance(profile, TuningProfile):
        profile = TuningProfile.load(profile)
    guidance = profile.section(stage.value, channel.id, locale)
    if not guidance.empty:
        # What the profile adds to this prompt is part of its version: a new profile that
        # changes the prompt is a new version whose approval rate is tracked on its own.
        version = prompts.version(version, guidance.digest)
    return guidance, version


def _customer(
    signals: Signals, context_rules: SituationRules | None
) -> tuple[dict[str, Any], tuple[str, ...], int]:
    """The customer as the prompt shows them (redacted), the context rules' tags, and how many
    pieces of personal data were redacted."""
    text = redact(signals.text)
    context, found = redact_values(signals.context)
    customer: dict[str, Any] = {
        "search_text": text.text,
        "events": [str(e) for e in signals.events],
        "context": context,
    }
    tags: tuple[str, ...] = ()
    if context_rules is not None:
        matched = context_rules.match(signals.context)
        tags = tuple(dict.fromkeys(t for rule in matched for t in rule.tags))
        angles = [rule.angle for rule in matched if rule.angle]
        if angles:
            customer["angles"] = angles
    return customer, tags, text.total + found


def sent_brief(brief: Brief, channel: str | None = None) -> Brief:
    """The brief as variants carry it: redacted, with the channel it was written for. (What
    `dco generate --resume` compares a brief with to know it is done.)"""
    safe, _redacted = _redact_brief(brief)
    return safe.model_copy(update={"channel": get_channel(channel or brief.channel).id})


def _redact_brief(brief: Brief) -> tuple[Brief, int]:
    total = 0
    updates: dict[str, Any] = {}
    for name in ("product", "audience", "offer", "notes", "campaign"):
        value = getattr(brief, name)
        if value:
            redaction = redact(value)
            total += redaction.total
            updates[name] = redaction.text
    benefits = [redact(b) for b in brief.benefits]
    total += sum(r.total for r in benefits)
    if not total:
        return brief, 0  # nothing personal: the brief as it is (most are; a copy costs)
    updates["benefits"] = tuple(r.text for r in benefits)
    return brief.model_copy(update=updates), total
