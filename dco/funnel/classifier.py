"""The funnel-stage classifier: signals (text, events) → awareness, consideration or decision.

It works offline from a lexicon and weight table in `dco/data/funnel.yaml` (read that file's header
for the scoring rules and the documented defaults); a brand can override any part of it.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from dco.funnel.lexicon import Lexicon, builtin_lexicon
from dco.funnel.terms import TermMatch, TermMatcher
from dco.models import STAGES, Event, FunnelStage, Signals, StageResult
from dco.text import units as text


class Classifier:
    """A compiled lexicon. Build once (`Classifier(lexicon)`), classify many times."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or builtin_lexicon()
        terms: list[str] = []
        self._cue_info: list[_CueInfo] = []
        for stage, cues in self.lexicon.cues.items():
            for term, cue in cues.items():
                terms.append(term)
                self._cue_info.append(_CueInfo(stage, cue.weight, cue.label, cue.needs, cue.unless))
        self._matcher = TermMatcher(terms, self.lexicon.exceptions)
        context_terms: list[str] = []
        self._context_of_term: list[str] = []
        for name, context in self.lexicon.contexts.items():
            context_terms.extend(context.terms)
            self._context_of_term.extend([name] * len(context.terms))
        self._context_matcher = (
            TermMatcher(context_terms, self.lexicon.exceptions) if context_terms else None
        )
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
        contexts: list[TermMatch] | None = None  # found on the first cue that asks
        for match in self._matcher.finditer(folded):
            if match.term in seen:
                # A repeated cue counts once: "할인 할인 할인" is not three times the intent.
                continue
            seen.add(match.term)
            info = self._cue_info[match.term]
            weight = info.weight * text_weight
            if weight <= 0:
                continue
            cue = info.label or repr(match.text.strip())
            context_note = ""
            if info.needs or info.unless:
                if contexts is None:
                    contexts = self._contexts(folded)
                blocker = _context_match(contexts, info.unless, match, self._context_of_term)
                if blocker is not None:
                    label = self.lexicon.contexts[self._context_of_term[blocker.term]].label
                    reasons.append(
                        f"{cue} not counted: {blocker.text.strip()!r} makes it {label}"
                    )
                    continue
                if info.needs:
                    support = _context_match(contexts, info.needs, match, self._context_of_term)
                    if support is None:
                        labels = [self.lexicon.contexts[n].label for n in info.needs]
                        wanted = " or ".join(filter(None, (", ".join(labels[:-1]), labels[-1])))
                        reasons.append(f"{cue} not counted: it needs {wanted} with it")
                        continue
                    context_note = f" with {support.text.strip()!r}"
            raw[info.stage] += weight
            reasons.append(f"{cue}{context_note} → {info.stage.value} cue (+{weight:.1f})")

    def _contexts(self, folded: str) -> list[TermMatch]:
        if self._context_matcher is None:
            return []
        return list(self._context_matcher.finditer(folded))

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
                    *reasons,  # the cues that did not count, and why
                    f"low confidence: no stage cue in the text and no telling events, so the "
                    f"default stage {lexicon.default_stage.value} (the lexicon's default_stage)",
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


class _CueInfo(NamedTuple):
    stage: FunnelStage
    weight: float
    label: str | None
    needs: tuple[str, ...]
    unless: tuple[str, ...]


def _context_match(
    contexts: list[TermMatch], names: tuple[str, ...], cue: TermMatch, context_of: list[str]
) -> TermMatch | None:
    """The first context term of one of the groups `names` that is not the cue itself."""
    for found in contexts:
        if context_of[found.term] in names and (found.end <= cue.start or cue.end <= found.start):
            return found
    return None


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
