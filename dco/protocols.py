"""The seams between the loop's stages, named: what one stage needs of another, and no more.

    generation ──▶ BrandLike        name, voice, formality, context rules, requirements, check
               ──▶ SituationRules   the context rules a customer's situation matches
    review app ──▶ Checker          findings for copy in a channel at a stage
    tuning     ──▶ DecisionLog      the standing decisions, and outcomes per variant
    serving    ──▶ ApprovedLog      the approved copy, and outcomes per variant
    batch jobs ──▶ VariantSink      where collected variants go for review

`dco.Brand` is a `BrandLike` (and so a `Checker`); `dco.ReviewQueue` is both logs and a sink. A
script or a test may hand in anything of the same shape: a stand-in brand, or a list of decision
records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from dco.models import (
        Copy,
        Decision,
        Finding,
        Formality,
        FunnelStage,
        Signals,
        StageResult,
        Variant,
    )
    from dco.models.records import Reviewed
    from dco.outcomes.values import Totals


class StageClassifier(Protocol):
    """Anything that places a customer in the funnel, such as `dco.Classifier`."""

    def classify(self, signals: Signals | str) -> StageResult:
        """The stage for `signals`, with confidence and reasons."""
        ...


class Checker(Protocol):
    """Anything that finds problems in copy, such as a brand's guidelines."""

    def check(
        self, copy: Copy, *, channel: str | None = None, stage: FunnelStage | str | None = None
    ) -> list[Finding]:
        """Findings for `copy` in `channel` at `stage`."""
        ...


class SituationRule(Protocol):
    """A context rule the customer's situation matched, as generation reads it."""

    @property
    def tags(self) -> Sequence[str]:
        """The tags every variant written for the situation carries."""
        ...

    @property
    def angle(self) -> str:
        """The creative angle for the situation, or "" for none."""
        ...


class SituationRules(Protocol):
    """Context rules as generation reads them (`dco.ContextRules`)."""

    def match(
        self, context: Mapping[str, Any], *, now: datetime | None = None
    ) -> Sequence[SituationRule]:
        """The rules whose every condition holds for `context`."""
        ...


class BrandLike(Checker, Protocol):
    """The brand as generation and tuning see it (a `dco.Brand`, or a stand-in)."""

    @property
    def name(self) -> str:
        """The brand's name, as the prompt gives it."""
        ...

    @property
    def voice(self) -> str | None:
        """How the brand sounds, in a few words for the prompt."""
        ...

    @property
    def formality(self) -> Formality | None:
        """The one Korean register copy must keep, or None when any will do."""
        ...

    @property
    def context_rules(self) -> SituationRules | None:
        """The rules mapping a customer's situation to tags and an angle."""
        ...

    def requirements(self, channel: str | None) -> list[dict[str, str]]:
        """Text the brand's rules require word for word in `channel` (the "(광고)" prefix)."""
        ...

    @property
    def classifier(self) -> StageClassifier | None:
        """How the brand places its customers in the funnel, or None for the built-in classifier."""
        ...


@runtime_checkable
class DecisionLog(Protocol):
    """The decision log as tuning reads it: standing decisions, and outcomes per variant."""

    def decided(self, **filters: str | None) -> list[Reviewed]:
        """Every decided variant with the decision standing for it, in decision order."""
        ...

    def outcome_totals(self) -> dict[str, dict[str, Totals]]:
        """Each variant's figures summed over days, per segment."""
        ...


class ApprovedLog(Protocol):
    """The decision log as selection reads it: approved copy, and outcomes per variant."""

    def approved(self, **filters: str | None) -> list[tuple[Variant, Copy, Decision]]:
        """Approved and edited variants with their final copy and the deciding decision."""
        ...

    def outcome_totals(self) -> dict[str, dict[str, Totals]]:
        """Each variant's figures summed over days, per segment."""
        ...


class VariantSink(Protocol):
    """Where generated variants go: `submit` stores them (each once) and says how many were new."""

    def submit(self, variants: Sequence[Variant]) -> int: ...
