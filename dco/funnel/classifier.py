"""The funnel-stage classifier: signals (text, events) → awareness, consideration or decision.

It works offline, in two steps. `observe` reads the signals with the lexicon and weight table
in `dco/data/funnel.yaml` (read that file's header for the scoring rules, the context a cue may
need, and the documented defaults; a brand can override any part of it), and lists the words it
did not count. `decide` weighs that evidence: with the learned layer (`dco.funnel.learned`, the
built-in model unless told otherwise) or, without one, by the lexicon's own softmax. Every
answer says why, and which part decided.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Iterable
from typing import Literal, NamedTuple

from dco.funnel.features import describe, text_features
from dco.funnel.learned import LearnedLayer, builtin_model, softmax
from dco.funnel.lexicon import Lexicon, builtin_lexicon
from dco.funnel.terms import TermMatch, TermMatcher
from dco.i18n import _
from dco.models import STAGES, Event, FunnelStage, Signals, StageResult
from dco.text import units as text


class Observation(NamedTuple):
    """What the classifier read in one customer's signals, before deciding: the lexicon's evidence
    per stage (from the text and from the events), its reasons, and the learned layer's features.
    Training and classifying both start here, so they cannot see the signals differently."""

    text_evidence: dict[FunnelStage, float]
    event_evidence: dict[FunnelStage, float]
    reasons: list[str]
    features: list[str]

    def evidence(self) -> list[float]:
        """The lexicon's evidence in the learned layer's order (`learned.EVIDENCE`): text then
        events, each per stage in funnel order."""
        text, events = self.text_evidence, self.event_evidence
        a, c, d = STAGES
        return [text[a], text[c], text[d], events[a], events[c], events[d]]


_BUILTIN: Literal["builtin"] = "builtin"


class Classifier:
    """A compiled lexicon and, unless told otherwise, the learned layer over it.

    Build once, classify many times. `Classifier()` is the built-in lexicon with the built-in
    model; `Classifier(lexicon, model=None)` the lexicon alone; `model=load_model(path)` a
    team's own (`dco classify --train`).
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        *,
        model: LearnedLayer | Literal["builtin"] | None = _BUILTIN,
    ) -> None:
        self.lexicon = lexicon or builtin_lexicon()
        self.model: LearnedLayer | None = builtin_model() if isinstance(model, str) else model
        terms: list[str] = []
        self._say = _Wording.in_use()
        self._cue_info: list[_CueInfo] = []
        for stage, cues in self.lexicon.cues.items():
            what = self._say.cue.format(stage=self._say.stages[stage])
            for term, cue in cues.items():
                terms.append(term)
                label = _(cue.label) if cue.label else None
                self._cue_info.append(
                    _CueInfo(stage, what, cue.weight, label, cue.needs, cue.unless)
                )
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
        return self.decide(self.observe(signals))

    def classify_many(self, items: Iterable[Signals | str]) -> list[StageResult]:
        """Classify a batch."""
        return [self.classify(item) for item in items]

    def decide(self, observation: Observation) -> StageResult:
        """The stage for what `observe` read: by the learned layer if there is one."""
        if self.model is None:
            return self._by_lexicon(observation)
        return self._by_model(self.model, observation)

    def observe(self, signals: Signals | str, *, with_features: bool | None = None) -> Observation:
        """Read the signals: the lexicon's evidence and reasons, and the text's features (when
        there is a learned layer to weigh them, or `with_features`, as training asks)."""
        if with_features is None:
            with_features = self.model is not None
        raw_text, events = (
            (signals, ()) if isinstance(signals, str) else (signals.text, signals.events)
        )
        text_evidence = dict.fromkeys(STAGES, 0.0)
        event_evidence = dict.fromkeys(STAGES, 0.0)
        reasons: list[str] = []
        features: list[str] = []
        if raw_text:
            folded = text.fold(_clean(text.truncate(raw_text, self.lexicon.max_text_chars)))
            counted = self._score_text(folded, text_evidence, reasons)
            if with_features:
                # The learned layer reads the words the lexicon did not count: a cue's weight is
                # the lexicon's to give, once (the layer weighs the evidence as a whole).
                features = text_features(_blank(folded, counted))

        for event in events:
            self._score_event(event, event_evidence, reasons)
        return Observation(text_evidence, event_evidence, reasons, features)

    def _score_text(
        self, folded: str, raw: dict[FunnelStage, float], reasons: list[str]
    ) -> list[TermMatch]:
        """Add the text's cues to `raw`; the cues that counted."""
        counted: list[TermMatch] = []
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
                    label = _(self.lexicon.contexts[self._context_of_term[blocker.term]].label)
                    reasons.append(
                        self._say.blocked.format(
                            cue=cue, blocker=repr(blocker.text.strip()), context=label
                        )
                    )
                    continue
                if info.needs:
                    support = _context_match(contexts, info.needs, match, self._context_of_term)
                    if support is None:
                        labels = [_(self.lexicon.contexts[n].label) for n in info.needs]
                        wanted = self._say.either.join(
                            filter(None, (", ".join(labels[:-1]), labels[-1]))
                        )
                        reasons.append(self._say.wanting.format(cue=cue, wanted=wanted))
                        continue
                    context_note = self._say.beside.format(context=repr(support.text.strip()))
            raw[info.stage] += weight
            counted.append(match)
            reasons.append(f"{cue}{context_note} → {info.what} (+{weight:.1f})")
        return counted

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
            reasons.append(
                self._say.event.format(event=event, stage=self._say.stages[stage], added=added)
            )

    def _by_lexicon(self, observation: Observation) -> StageResult:
        """The lexicon decides: evidence summed per stage, a softmax at its temperature."""
        text, events = observation.text_evidence, observation.event_evidence
        raw = [text[s] + events[s] for s in STAGES]
        reasons = list(observation.reasons)
        if not any(raw):
            return self._default(reasons)
        lexicon = self.lexicon
        probabilities = softmax([score / lexicon.temperature for score in raw])
        # Ties go to the earliest stage (see funnel.yaml): STAGES is in funnel order.
        first = raw.index(max(raw))
        if probabilities[first] < lexicon.low_confidence:
            scored = zip(STAGES, raw, strict=True)
            names = self._say.stages
            rivals = ", ".join(f"{names[s]} {score:.1f}" for s, score in scored if score > 0)
            reasons.append(self._say.weak.format(rivals=rivals))
        return _result(first, probabilities, reasons, "lexicon")

    def _by_model(self, model: LearnedLayer, observation: Observation) -> StageResult:
        """The learned layer decides, weighing the lexicon's evidence and the text's features."""
        evidence = observation.evidence()
        reasons = list(observation.reasons)
        logits, known = model.weigh(observation.features, evidence)
        if not known and not any(evidence):
            return self._default(reasons)
        probabilities = softmax(logits)
        first, second = _top_two(probabilities)
        stage, rival = STAGES[first], STAGES[second]
        leaning = model.leaning(known, first, second)
        if leaning:
            words = ", ".join(f"{describe(name)} +{push:.1f}" for name, push in leaning)
            names = self._say.stages
            reasons.append(
                self._say.learned.format(
                    words=words, first=names[STAGES[first]], second=names[STAGES[second]]
                )
            )
        confidence = probabilities[first]
        if not any(evidence):
            # No cue and no event: the words alone decide only when they lean clearly.
            if confidence < self.lexicon.low_confidence:
                return self._default(reasons)
            reasons.append(self._say.words_alone)
        if confidence < self.lexicon.low_confidence:
            names = self._say.stages
            reasons.append(
                self._say.close.format(
                    stage=names[stage],
                    confidence=confidence,
                    rival=names[rival],
                    second=probabilities[second],
                )
            )
        return _result(first, probabilities, reasons, "learned")

    def _default(self, reasons: list[str]) -> StageResult:
        stage = self.lexicon.default_stage
        even = round(1 / len(STAGES), 4)
        return StageResult.trusted(
            stage=stage,
            confidence=even,
            scores=dict.fromkeys(STAGES, even),
            reasons=(
                *reasons,  # the cues that did not count, and why
                self._say.default.format(stage=self._say.stages[stage]),
            ),
            defaulted=True,
            decided_by="default",
        )


def _top_two(values: list[float]) -> tuple[int, int]:
    """The indexes of the largest and second largest of three values; of equal values the earlier
    comes first (an earlier funnel stage, as in the lexicon's ties)."""
    a, c, d = values
    if a >= c:
        return (0, 1 if c >= d else 2) if a >= d else (2, 0)
    return (1, 0 if a >= d else 2) if c >= d else (2, 1)


def _result(
    first: int, probabilities: list[float], reasons: list[str], decided_by: str
) -> StageResult:
    """The result for stage `first` (its index in funnel order)."""
    a, c, d = (round(p, 4) for p in probabilities)
    # Built from values computed above, which are valid by construction: skipping validation
    # here is a third of the classifier's time.
    return StageResult.trusted(
        stage=STAGES[first],
        confidence=(a, c, d)[first],
        scores={STAGES[0]: a, STAGES[1]: c, STAGES[2]: d},
        reasons=tuple(reasons),
        defaulted=False,
        decided_by=decided_by,
    )


class _Wording(NamedTuple):
    """The reasons' words in the language in use, looked up once per classifier (a reason is
    written for most cues of every customer)."""

    stages: dict[FunnelStage, str]
    cue: str
    blocked: str
    wanting: str
    either: str
    beside: str
    event: str
    weak: str
    learned: str
    words_alone: str
    close: str
    default: str

    @classmethod
    def in_use(cls) -> _Wording:
        return cls(
            stages={stage: stage.label for stage in STAGES},
            cue=_("{stage} cue"),
            blocked=_("{cue} not counted: {blocker} makes it {context}"),
            wanting=_("{cue} not counted: it needs {wanted} with it"),
            either=_(" or "),
            beside=_(" with {context}"),
            event=_("event {event} → {stage} (+{added:.1f})"),
            weak=_("low confidence: the signals disagree or are weak ({rivals})"),
            learned=_("learned: {words} → {first} over {second}"),
            words_alone=_("no stage cue in the text: the learned layer read its words alone"),
            close=_("low confidence: {stage} {confidence:.2f} against {rival} {second:.2f}"),
            default=_(
                "low confidence: no stage cue in the text and no telling events, so the "
                "default stage {stage} (the lexicon's default_stage)"
            ),
        )


class _CueInfo(NamedTuple):
    stage: FunnelStage
    what: str  # "decision cue", as reasons name it
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


def _blank(folded: str, matches: list[TermMatch]) -> str:
    """`folded` with the matched spans as spaces."""
    if not matches:
        return folded
    parts, position = [], 0
    for match in sorted(matches, key=lambda m: m.start):
        parts.append(folded[position : match.start])
        parts.append(" ")
        position = max(position, match.end)
    parts.append(folded[position:])
    return "".join(parts)


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
    """Classify a customer's signals, or a bare search text, into a funnel stage, offline.

    With a custom `lexicon`, each call compiles it; to classify many, build a `Classifier` once.
    (`dco.classify` adds a language model's second opinion: see `dco.opinion`.)

    >>> classify("하프 마라톤 목표 설정 방법").stage
    <FunnelStage.AWARENESS: 'awareness'>
    """
    classifier = default_classifier() if lexicon is None else Classifier(lexicon)
    return classifier.classify(signals)


def classify_many(
    items: Iterable[Signals | str], *, lexicon: Lexicon | None = None
) -> list[StageResult]:
    """Classify a batch of signals or texts offline, compiling the lexicon once."""
    classifier = default_classifier() if lexicon is None else Classifier(lexicon)
    return classifier.classify_many(items)
