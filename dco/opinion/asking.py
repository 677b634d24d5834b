"""Asking a language model for its opinion on a customer's funnel stage.

The model is asked through the provider interface like every other request: a JSON schema for
the reply, retries on rate limits and server errors, and the reply cache when the provider is
wrapped in one. The customer reaches the prompt redacted (e-mails, phone numbers and the like
become placeholders) and as data inside a `<customer>` tag, never as template code. A reply that
does not follow the schema leaves the offline answer in place and says so in the reasons; a
provider that cannot be reached or refuses the key stops with its error, since every further
question would fail the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dco.errors import ProviderError
from dco.generation.redact import redact, redact_values
from dco.models import STAGES, FunnelStage, Signals, StageResult
from dco.prompts.templates import PromptSet, default_prompts
from dco.providers.base import ChatRequest, Message, Provider
from dco.providers.retry import DEFAULT_POLICY, RetryPolicy, complete_with_retries

REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "stage": {"type": "string", "enum": [stage.value for stage in STAGES]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "reasons": {
            "type": "array",
            "items": {"type": "string", "maxLength": 200},
            "maxItems": 3,
        },
    },
    "required": ["stage", "confidence", "reasons"],
    "additionalProperties": False,
}
MAX_REPLY_TOKENS = 300
"""A stage, a number and three short reasons: a longer reply is a model that lost its way."""


@dataclass(frozen=True)
class SecondOpinion:
    """When and whom to ask: a provider, asked when the offline confidence is below `below`
    (or `always`)."""

    provider: Provider
    below: float = 0.6
    always: bool = False
    retry: RetryPolicy = DEFAULT_POLICY
    prompts: PromptSet = field(default_factory=default_prompts)

    def wanted(self, offline: StageResult) -> bool:
        """Whether to ask about a customer the offline classifier answered `offline` for."""
        return self.always or offline.confidence < self.below

    def request(self, signals: Signals, offline: StageResult) -> ChatRequest:
        """The question for the model: the customer (redacted), and the offline answer."""
        customer: dict[str, Any] = {"search_text": redact(signals.text).text}
        if signals.events:
            customer["events"] = [str(event) for event in signals.events]
        if signals.locale:
            customer["locale"] = signals.locale
        if signals.context:
            customer["context"] = redact_values(signals.context)[0]
        offline_note = {"stage": offline.stage.value, "confidence": offline.confidence}
        return ChatRequest(
            messages=(
                Message("system", self.prompts.render("classify.system.j2")),
                Message(
                    "user",
                    self.prompts.render(
                        "classify.user.j2",
                        customer=customer,
                        offline=None if offline.defaulted else offline_note,
                    ),
                ),
            ),
            json_schema=REPLY_SCHEMA,
            schema_name="funnel_stage",
            temperature=0.0,
            seed=0,
            max_tokens=MAX_REPLY_TOKENS,
        )

    def ask(self, signals: Signals, offline: StageResult) -> StageResult:
        """The model's answer, or `offline` with a note when its reply is not usable."""
        request = self.request(signals, offline)
        try:
            result = complete_with_retries(self.provider.complete, request, self.retry)
        except ProviderError as e:
            if e.stops_batch:  # a refused key or no server: every other question would fail too
                raise
            return _with_note(offline, f"second opinion not used: {_first_line(e)}")
        answer = _answer(result.data)
        if isinstance(answer, str):
            return _with_note(offline, f"second opinion not used: {answer}")
        stage, confidence, reasons = answer
        # A model that names a stage is at least as sure of it as of each other one.
        confidence = max(confidence, 1 / len(STAGES))
        model = result.model or self.provider.model
        offline_said = (
            "no offline cue"
            if offline.defaulted
            else f"offline {offline.stage.value} {offline.confidence:.2f}"
        )
        rest = (1 - confidence) / (len(STAGES) - 1)
        return StageResult(
            stage=stage,
            confidence=round(confidence, 4),
            scores={s: round(confidence if s is stage else rest, 4) for s in STAGES},
            reasons=(
                *offline.reasons,
                f"second opinion from {model}: {stage.value} {confidence:.2f} ({offline_said})",
                *(f"{model}: {reason}" for reason in reasons),
            ),
            defaulted=False,
            decided_by="provider",
        )


def _answer(data: Any) -> tuple[FunnelStage, float, list[str]] | str:
    """The stage, confidence and reasons of a reply, or what is wrong with it."""
    if not isinstance(data, dict):
        return "the reply was not a JSON object"
    try:
        stage = FunnelStage(data.get("stage"))
    except ValueError:
        return f"the reply's stage {data.get('stage')!r} is not a funnel stage"
    confidence = data.get("confidence")
    if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        return f"the reply's confidence {confidence!r} is not a number from 0 to 1"
    reasons = data.get("reasons") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        return "the reply's reasons are not a list of texts"
    tidy = [" ".join(r.split())[:200] for r in reasons[:3]]
    return stage, float(confidence), list(dict.fromkeys(r for r in tidy if r))


def _with_note(result: StageResult, note: str) -> StageResult:
    return result.model_copy(update={"reasons": (*result.reasons, note)})


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
