"""The closed loop, simulated: generate → review (by a documented policy) → tune → generate again.

Deterministic end to end (the fake provider, a rule-following reviewer, seeded rounds), so it
proves that reviewers' decisions reach the prompt and are used: over the rounds the approval
rate rises and reviewers change less of what they accept. The size of the gain with a real model
and real reviewers is a different question, answered by `dco stats` on their decisions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from dco import resources
from dco.brand import Brand
from dco.channels.catalog import get_channel
from dco.errors import UnencodableTextError, UnknownNameError
from dco.generation import generate
from dco.i18n import _
from dco.models import Brief, Copy, Variant
from dco.providers.fake import FakeProvider
from dco.review.queue import ReviewQueue
from dco.tuning import TuningProfile, tune


@functools.cache
def _data() -> dict[str, Any]:
    return resources.load_data("simulation.yaml").data


@dataclass(frozen=True)
class SimulatedReviewer:
    """A reviewer who follows a written policy (see `dco/data/simulation.yaml`)."""

    name: str
    max_fill: float
    off_tone: tuple[str, ...]
    prefer: dict[str, str] = field(default_factory=dict)
    """Rejected word → preferred word: what this reviewer edits."""

    @classmethod
    def for_brand(cls, brand: Brand | None = None) -> SimulatedReviewer:
        """The documented reviewer, editing `brand`'s rejected vocabulary to its preferred terms."""
        policy = _data()["reviewer"]
        prefer = dict(brand.spec.vocabulary.prefer) if brand is not None else {}
        return cls(policy["name"], policy["max_fill"], tuple(policy["off_tone"]), prefer)

    def decide(self, variant: Variant) -> tuple[str, Copy | None, tuple[str, ...]]:
        """(action, edited copy, reject reasons) for `variant`."""
        if self._too_long(variant):
            return "reject", None, ("too-long",)
        text = " ".join(variant.copy.fields().values()).casefold()
        if any(word.casefold() in text for word in self.off_tone):
            return "reject", None, ("wrong-tone",)
        edited = {name: self._edit(value) for name, value in variant.copy.fields().items()}
        if edited != variant.copy.fields():
            return "edit", Copy(**edited), ()
        return "approve", None, ()

    def _too_long(self, variant: Variant) -> bool:
        channel = get_channel(variant.channel)
        for name, text in variant.copy.fields().items():
            try:
                share = channel.fill(name, text)
            except UnencodableTextError:
                return True
            if share is not None and share > self.max_fill:
                return True
        return False

    def _edit(self, text: str) -> str:
        for avoid, use in self.prefer.items():
            flags = re.IGNORECASE if avoid.isascii() else 0
            text = re.sub(re.escape(avoid), lambda _, use=use: use, text, flags=flags)
        return text


@dataclass(frozen=True)
class Round:
    """What one round of generate → review → tune produced."""

    round: int
    decided: int
    approved: int
    edited: int
    rejected: int
    approval_rate: float
    """Approved as written, of the round's decided variants."""
    edit_distance: float
    """Mean normalised edit distance over the copy reviewers accepted (0 for approved as
    written): how much of what they kept they had to change."""
    prompt_version: str
    learned: dict[str, int]
    """The size of the profile the round's prompt was built from (examples, preferences, ...)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def simulate(
    queue: ReviewQueue,
    *,
    rounds: int = 3,
    brand: Brand | None = None,
    locale: str = "ko",
    n: int = 5,
    batches: int = 10,
    seed: int = 7,
    reviewer: SimulatedReviewer | None = None,
    on_round: Callable[[Round], None] | None = None,
) -> list[Round]:
    """Run `rounds` of the loop on `queue` for the built-in `locale` scenario ("ko" or "en")."""
    scenarios = _data()["scenarios"]
    if locale not in scenarios:
        raise UnknownNameError(
            _("no simulation scenario {locale!r}; use one of {scenarios}").format(
                locale=locale, scenarios=", ".join(scenarios)
            )
        )
    scenario = dict(scenarios[locale])
    stage = scenario.pop("stage")
    brief = Brief.model_validate(scenario)
    reviewer = reviewer or SimulatedReviewer.for_brand(brand)
    provider = FakeProvider()
    profile: TuningProfile | None = None
    results = []
    for number in range(1, rounds + 1):
        variants: list[Variant] = []
        version = ""
        for batch in range(batches):
            result = generate(
                brief, stage=stage, n=n, provider=provider, brand=brand, profile=profile,
                seed=seed + 1000 * number + batch,
            )  # fmt: skip
            variants += result
            version = result.prompt_version
        queue.submit(variants)
        decided = _review(queue, reviewer, variants)
        results.append(_round(number, decided, version, profile))
        if on_round:
            on_round(results[-1])
        profile = tune(queue, brand=brand)
    return results


def _review(
    queue: ReviewQueue, reviewer: SimulatedReviewer, variants: Iterable[Variant]
) -> list[tuple[str, float]]:
    decided = []
    for variant in {v.id: v for v in variants}.values():
        if queue.status(variant.id) != "pending":
            continue  # the same copy written again: already decided in an earlier round
        action, edited, reasons = reviewer.decide(variant)
        if action == "approve":
            queue.approve(variant.id, reviewer.name)
        elif action == "edit":
            assert edited is not None
            queue.edit(variant.id, reviewer.name, edited, force=True)
        else:
            queue.reject(variant.id, reviewer.name, reasons)
        decided.append(variant.id)
    records = {r.variant_id: r for r in queue.decided()}
    return [(records[i].action, records[i].distance) for i in decided]


def _round(
    number: int, decided: list[tuple[str, float]], version: str, profile: TuningProfile | None
) -> Round:
    counts = {
        a: sum(1 for action, _ in decided if action == a) for a in ("approve", "edit", "reject")
    }
    accepted = [d for action, d in decided if action != "reject"]
    learned = {"examples": 0, "preferences": 0, "avoid": 0, "notes": 0}
    if profile is not None:
        learned["examples"] = sum(len(s.examples) for s in profile.sections)
        learned["notes"] = sum(len(s.notes) for s in profile.sections)
        learned["preferences"] = sum(len(x.preferences) for x in profile.locales.values())
        learned["avoid"] = sum(len(x.avoid) for x in profile.locales.values())
    return Round(
        round=number,
        decided=len(decided),
        approved=counts["approve"],
        edited=counts["edit"],
        rejected=counts["reject"],
        approval_rate=counts["approve"] / len(decided) if decided else 0.0,
        edit_distance=sum(accepted) / len(accepted) if accepted else 0.0,
        prompt_version=version,
        learned=learned,
    )
