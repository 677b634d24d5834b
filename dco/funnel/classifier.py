"""The funnel-stage classifier: signals (text, events) → awareness, consideration or decision.

It works offline from a lexicon and weight table in `dco/data/funnel.yaml` (read that file's header
for the scoring rules and the documented defaults); a brand can override any part of it.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

import pydantic
from pydantic import AfterValidator, Field, field_validator

from dco import events as event_vocabulary
from dco import resources, text, yamlfile
from dco.models import STAGES, DcoModel, Event, FunnelStage, Signals, StageResult
from dco.terms import TermMatcher

# ---------------------------------------------------------------------------------------------
# The lexicon file


class Cue(DcoModel):
    """A cue's weight and, for regular expressions, the label reasons show instead of the match."""

    weight: float = Field(ge=0)
    label: str | None = None


EventName = Annotated[str, AfterValidator(event_vocabulary.check_name)]


class EventWeights(DcoModel):
    """How events count: per-stage weights, recency half-life and the cap on repetition."""

    half_life_hours: float = Field(default=168, gt=0)
    max_repeat_factor: float = Field(default=3.0, ge=1)
    weights: dict[EventName, dict[FunnelStage, float]] = Field(default_factory=dict)


class Lexicon(DcoModel):
    """Everything the classifier knows: cues per stage, exceptions, event weights, defaults."""

    version: int = 1
    default_stage: FunnelStage = FunnelStage.AWARENESS
    temperature: float = Field(default=1.0, gt=0)
    low_confidence: float = Field(default=0.5, ge=0, le=1)
    text_weight: float = Field(default=1.0, ge=0)
    max_text_chars: int = Field(default=2000, ge=1)
    cues: dict[FunnelStage, dict[str, Cue]] = Field(default_factory=dict)
    exceptions: tuple[str, ...] = ()
    events: EventWeights = Field(default_factory=EventWeights)

    @field_validator("cues", mode="before")
    @classmethod
    def _bare_weights(cls, cues: Any) -> Any:
        # `추천: 1.2` is shorthand for `추천: {weight: 1.2}`.
        if not isinstance(cues, Mapping):
            return cues
        return {
            stage: (
                {
                    term: {"weight": v} if isinstance(v, int | float) else v
                    for term, v in terms.items()
                }
                if isinstance(terms, Mapping)
                else terms
            )
            for stage, terms in cues.items()
        }

    def merged(self, override: Mapping[str, Any]) -> Lexicon:
        """This lexicon with a brand's override applied (see the header of `funnel.yaml`)."""
        data = self.model_dump(mode="json")
        for key, value in override.items():
            if key == "cues" and isinstance(value, Mapping):
                for stage, terms in self._bare_weights(value).items():
                    stage_cues = data["cues"].setdefault(stage, {})
                    for term, cue in (terms or {}).items():
                        if isinstance(cue, Mapping) and cue.get("weight") == 0:
                            stage_cues.pop(term, None)
                        else:
                            stage_cues[term] = cue
            elif key == "exceptions" and isinstance(value, list):
                data["exceptions"] = [*data["exceptions"], *value]
            elif key == "events" and isinstance(value, Mapping):
                events = data["events"]
                for name, setting in value.items():
                    if name == "weights" and isinstance(setting, Mapping):
                        events["weights"].update(setting)
                    else:
                        events[name] = setting
            else:
                data[key] = value
        return Lexicon.model_validate(data)


def load_lexicon(override: str | Path | None = None) -> Lexicon:
    """The built-in lexicon, with the override file at `override` (a brand's) applied."""
    base = _builtin_lexicon()
    if override is None:
        return base
    document = yamlfile.load(override)
    if not isinstance(document.data, Mapping):
        raise resources.data_error(document, (), "expected a mapping like funnel.yaml's")
    try:
        return base.merged(document.data)
    except pydantic.ValidationError as e:
        raise document.error_from(e, what="funnel lexicon") from e


@functools.cache
def _builtin_lexicon() -> Lexicon:
    return resources.load_data("funnel.yaml").validate(Lexicon, what="funnel lexicon")


# ---------------------------------------------------------------------------------------------
# The classifier


class Classifier:
    """A compiled lexicon. Build once (`Classifier(lexicon)`), classify many times."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or _builtin_lexicon()
        terms: list[str] = []
        self._cue_info: list[tuple[FunnelStage, float, str | None]] = []
        for stage, cues in self.lexicon.cues.items():
            for term, cue in cues.items():
                terms.append(term)
                self._cue_info.append((stage, cue.weight, cue.label))
        self._matcher = TermMatcher(terms, self.lexicon.exceptions)
        self._event_weights = self.lexicon.events.weights

    def classify(self, signals: Signals | str) -> StageResult:
        """Classify one customer's signals (or a bare search text)."""
        if isinstance(signals, str):
            return self._classify(signals, ())
        return self._classify(signals.text, signals.events)

    def classify_many(self, items: Iterable[Signals | str]) -> list[StageResult]:
        """Classify a batch."""
        return [self.classify(item) for item in items]

    def _classify(self, raw_text: str, events: Iterable[Event]) -> StageResult:
        raw = dict.fromkeys(STAGES, 0.0)
        reasons: list[str] = []
        if raw_text:
            self._score_text(raw_text, raw, reasons)
        for event in events:
            self._score_event(event, raw, reasons)
        return self._result(raw, reasons)

    def _score_text(self, raw_text: str, raw: dict[FunnelStage, float], reasons: list[str]) -> None:
        folded = text.fold(_clean(text.truncate(raw_text, self.lexicon.max_text_chars)))
        seen: set[int] = set()
        text_weight = self.lexicon.text_weight
        for match in self._matcher.finditer(folded):
            if match.term in seen:
                # A repeated cue counts once: "할인 할인 할인" is not three times the intent.
                continue
            seen.add(match.term)
            stage, weight, label = self._cue_info[match.term]
            weight *= text_weight
            if weight <= 0:
                continue
            raw[stage] += weight
            cue = label or repr(match.text.strip())
            reasons.append(f"{cue} → {stage.value} cue (+{weight:.1f})")

    def _score_event(self, event: Event, raw: dict[FunnelStage, float], reasons: list[str]) -> None:
        weights = self._event_weights.get(event.name)
        if not weights:
            return
        factor = min(1 + math.log2(event.count), self.lexicon.events.max_repeat_factor)
        if event.age_hours is not None:
            factor *= 0.5 ** (event.age_hours / self.lexicon.events.half_life_hours)
        for stage, weight in weights.items():
            added = weight * factor
            if added <= 0:
                continue
            raw[stage] += added
            reasons.append(f"event {event} → {stage.value} (+{added:.1f})")

    def _result(self, raw: dict[FunnelStage, float], reasons: list[str]) -> StageResult:
        lexicon = self.lexicon
        if not any(raw.values()):
            return StageResult(
                stage=lexicon.default_stage,
                confidence=round(1 / len(STAGES), 4),
                scores={stage: round(1 / len(STAGES), 4) for stage in STAGES},
                reasons=(
                    f"no stage cue in the text and no telling events: "
                    f"default stage {lexicon.default_stage}",
                ),
                defaulted=True,
            )
        top = max(raw.values())
        exps = {
            stage: math.exp((score - top) / lexicon.temperature) for stage, score in raw.items()
        }
        total = sum(exps.values())
        probabilities = {stage: value / total for stage, value in exps.items()}
        # Ties go to the earliest stage (see funnel.yaml): STAGES is in funnel order.
        stage = next(s for s in STAGES if raw[s] == top)
        confidence = probabilities[stage]
        if confidence < lexicon.low_confidence:
            rivals = ", ".join(f"{s} {raw[s]:.1f}" for s in STAGES if raw[s] > 0)
            reasons.append(f"low confidence: the signals disagree or are weak ({rivals})")
        # Built from values computed above, which are valid by construction: skipping validation
        # here is a third of the classifier's time.
        return StageResult.trusted(
            stage=stage,
            confidence=round(confidence, 4),
            scores={s: round(p, 4) for s, p in probabilities.items()},
            reasons=tuple(reasons),
            defaulted=False,
        )


def _clean(raw_text: str) -> str:
    # Control and format characters become spaces so they neither crash nor glue words together.
    if raw_text.isprintable():
        return raw_text
    return "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") else char
        for char in raw_text
    )


@functools.cache
def default_classifier() -> Classifier:
    """The classifier on the built-in lexicon, compiled once per process."""
    return Classifier()


def classify(signals: Signals | str, *, lexicon: Lexicon | None = None) -> StageResult:
    """Classify a customer's signals, or a bare search text, into a funnel stage.

    With a custom `lexicon`, each call compiles it; to classify many, build a `Classifier` once.

    >>> classify("하프 마라톤 목표 설정 방법").stage
    <FunnelStage.AWARENESS: 'awareness'>
    """
    classifier = default_classifier() if lexicon is None else Classifier(lexicon)
    return classifier.classify(signals)


def classify_many(
    items: Iterable[Signals | str], *, lexicon: Lexicon | None = None
) -> list[StageResult]:
    """Classify a batch of signals or texts, compiling the lexicon once."""
    classifier = default_classifier() if lexicon is None else Classifier(lexicon)
    return classifier.classify_many(items)
