"""Choosing the approved variant to serve: context rules, then Thompson sampling on outcomes.

`select(signals, queue, ...)` answers one request; a `Selector` answers many, having read the
queue's approved variants and their outcomes once (what serving at request rate needs):

1. classify the customer's signals into a funnel stage;
2. keep the approved (and edited) variants for that stage, channel, locale and campaign;
3. prefer those whose tags share the most with the tags the context rules give this customer;
4. draw once from each one's Beta posterior of the objective (CTR: clicks per impression; CVR:
   conversions per click) and serve the largest draw. A variant's own segment's figures are used
   once they reach `segment_min` trials, the variant's pooled figures until then; the prior is the
   pool's rate worth `prior_strength` trials. With probability `explore`, a variant with fewer than
   `min_trials` trials is served instead, so new copy always gets a chance.

The `Selection` explains itself: stage and reasons, the rules matched, every candidate's
posterior mean and 95 % interval, and why the winner won. A seed makes it reproducible.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np

from dco.errors import SelectionError
from dco.funnel import default_classifier
from dco.i18n import _
from dco.models import Copy, FunnelStage, Signals, StageResult
from dco.outcomes.bandit import beta_interval, beta_mean, pooled_prior
from dco.outcomes.values import ALL_SEGMENTS, Totals
from dco.protocols import ApprovedLog
from dco.serving.context import ContextRules

Objective = Literal["ctr", "cvr"]


@dataclass(frozen=True)
class Candidate:
    """One variant considered, with the posterior it was drawn from."""

    variant_id: str
    copy: Copy
    tags: tuple[str, ...]
    successes: int
    trials: int
    segment: str
    """Whose figures were used: the request's segment, or "all" (pooled)."""
    alpha: float
    beta: float
    draw: float

    @property
    def mean(self) -> float:
        return beta_mean(self.alpha, self.beta)

    @property
    def interval(self) -> tuple[float, float]:
        return beta_interval(self.alpha, self.beta)

    def to_dict(self) -> dict[str, Any]:
        low, high = self.interval
        return {
            "variant_id": self.variant_id, "copy": self.copy.model_dump(), "tags": list(self.tags),
            "successes": self.successes, "trials": self.trials, "segment": self.segment,
            "posterior_mean": self.mean, "low": low, "high": high, "draw": self.draw,
        }  # fmt: skip


class Selection:
    """The variant chosen for one customer, and everything that explains the choice."""

    def __init__(
        self,
        *,
        stage: StageResult,
        rules: tuple[str, ...],
        tags: tuple[str, ...],
        objective: Objective,
        explored: bool,
        pool: int,
        considered: int,
        candidate: Callable[[int], Candidate],
        order: Callable[[], list[int]],
        winner: int,
        untried: bool = False,
        served: FunnelStage | None = None,
    ) -> None:
        self.stage = stage
        self.served = served or stage.stage
        """The stage whose copy was served: the customer's, or a neighbour's (`fallback`)."""
        self.rules = rules
        self.tags = tags
        self.objective: Objective = objective
        self.explored = explored
        self.pool = pool
        """How many approved variants the stage, channel, locale and campaign had."""
        self.considered = considered
        """How many of them were drawn for (those sharing the most tags with the context)."""
        self.untried = untried
        """True when none of the candidates has any trials yet."""
        self._candidate = candidate
        self._order = order
        self.winner = candidate(winner)

    @functools.cached_property
    def candidates(self) -> tuple[Candidate, ...]:
        """Those considered, the winner first, then by draw (built on first use: serving
        needs only the winner)."""
        rest = [i for i in self._order() if self._candidate(i).variant_id != self.variant_id]
        return (self.winner, *(self._candidate(i) for i in rest))

    @property
    def variant_id(self) -> str:
        return self.winner.variant_id

    @property
    def reason(self) -> str:
        """Why the winner won, in a sentence (in the language in use)."""
        if self.served != self.stage.stage:
            return _(
                "no approved {stage} copy, so {served} copy (the nearest stage with some); {why}"
            ).format(stage=self.stage.stage.label, served=self.served.label, why=self._why())
        return self._why()

    def _why(self) -> str:
        w = self.winner
        low, high = w.interval
        figures = _(
            "{objective} posterior mean {mean} (95 % {low}–{high}) from {successes} of {trials} "
            "({segment})"
        ).format(
            objective=self.objective.upper(), mean=f"{w.mean:.2%}", low=f"{low:.2%}",
            high=f"{high:.2%}", successes=f"{w.successes:,}", trials=f"{w.trials:,}",
            segment=_("all") if w.segment == ALL_SEGMENTS else w.segment,
        )  # fmt: skip
        if self.explored:
            return _("explored: a variant with few trials yet, picked at random; {figures}").format(
                figures=figures
            )
        if self.untried:
            return _(
                "no outcomes recorded yet, so a random pick among {count} (record some with "
                "`dco outcomes import`)"
            ).format(count=self.considered)
        if self.tags and self.considered < self.pool:
            return _(
                "largest Thompson draw ({draw}) among the {count} tagged {tags}; {figures}"
            ).format(
                draw=f"{w.draw:.2%}", count=self.considered, tags=", ".join(self.tags),
                figures=figures,
            )  # fmt: skip
        return _("largest Thompson draw ({draw}) among {count}; {figures}").format(
            draw=f"{w.draw:.2%}", count=self.considered, figures=figures
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant_id": self.variant_id,
            "copy": self.winner.copy.model_dump(),
            "stage": self.stage.model_dump(mode="json"),
            "served_stage": self.served.value,
            "rules": list(self.rules),
            "tags": list(self.tags),
            "objective": self.objective,
            "explored": self.explored,
            "reason": self.reason,
            "candidates": [c.to_dict() for c in self.candidates],
        }


class _Pool:
    """The approved variants of one stage, as arrays for fast drawing."""

    def __init__(self, variants: list[tuple[str, Copy, tuple[str, ...]]]) -> None:
        self.ids = [v[0] for v in variants]
        self.copies = [v[1] for v in variants]
        self.tags = [v[2] for v in variants]
        self.by_tags: dict[frozenset[str], np.ndarray] = {}
        self.figures: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
        self.arms: dict[tuple[frozenset[str], str], _Arms] = {}

    def preferred(self, wanted: frozenset[str]) -> np.ndarray:
        """Indices of the variants sharing the most tags with `wanted` (all when none do)."""
        indices = self.by_tags.get(wanted)
        if indices is None:
            overlap = np.array([len(wanted & set(tags)) for tags in self.tags])
            best = overlap.max() if len(overlap) else 0
            chosen = np.flatnonzero(overlap == best) if best > 0 else np.arange(len(self.ids))
            indices = self.by_tags[wanted] = chosen
        return indices


@dataclass(frozen=True)
class _Arms:
    """What one kind of request draws from: the candidates' indices in the pool and their
    figures, cut once per (tags, segment) and reused until the figures change."""

    indices: np.ndarray
    successes: np.ndarray
    failures: np.ndarray
    fresh: np.ndarray
    """Positions (in `indices`) of candidates with too few trials yet: the exploration floor's."""
    untried: bool


class Selector:
    """Selection over one queue's approved variants for a channel, locale and campaign."""

    def __init__(
        self,
        queue: ApprovedLog,
        *,
        channel: str,
        locale: str,
        campaign: str | None = None,
        objective: Objective = "ctr",
        context_rules: ContextRules | None = None,
        prior_strength: float = 20.0,
        explore: float = 0.05,
        min_trials: int = 100,
        segment_min: int = 100,
        seed: int | None = None,
    ) -> None:
        if objective not in ("ctr", "cvr"):
            raise SelectionError(
                _("objective must be 'ctr' or 'cvr', not {value!r}").format(value=objective)
            )
        self.channel, self.locale, self.campaign = channel, locale, campaign
        self.objective: Objective = objective
        self.context_rules = context_rules
        self.prior_strength = prior_strength
        self.explore = explore
        self.min_trials = min_trials
        self.segment_min = segment_min
        self.rng = np.random.default_rng(seed)
        self.totals: dict[str, dict[str, Totals]] = queue.outcome_totals()
        by_stage: dict[FunnelStage, list] = {stage: [] for stage in FunnelStage}
        for variant, copy, _decision in queue.approved(
            channel=channel, locale=locale, campaign=campaign
        ):
            by_stage[variant.stage].append((variant.id, copy, variant.tags))
        self.pools = {stage: _Pool(items) for stage, items in by_stage.items()}
        self.priors = {stage: self._prior(pool) for stage, pool in self.pools.items()}
        self._where = {
            variant_id: (stage, index)
            for stage, pool in self.pools.items()
            for index, variant_id in enumerate(pool.ids)
        }

    def observe(
        self,
        variant_id: str,
        *,
        impressions: int = 0,
        clicks: int = 0,
        conversions: int = 0,
        segment: str = ALL_SEGMENTS,
    ) -> None:
        """Count what happened after serving `variant_id`, so the next draws learn from it.

        In memory only: record the same figures to the queue (`record_outcome`) to keep them.
        """
        if variant_id not in self._where:
            raise SelectionError(f"{variant_id!r} is not one of this selector's variants")
        added = Totals(impressions, clicks, conversions)
        by_segment = self.totals.setdefault(variant_id, {})
        by_segment[segment] = by_segment.get(segment, Totals()) + added
        if segment != ALL_SEGMENTS:
            by_segment[ALL_SEGMENTS] = by_segment.get(ALL_SEGMENTS, Totals()) + added
        stage, index = self._where[variant_id]
        pool = self.pools[stage]
        for wanted, (successes, trials, used) in pool.figures.items():
            successes[index], trials[index], used[index] = self._entry(variant_id, wanted)
        pool.arms.clear()
        self.priors[stage] = self._prior(pool)

    def select(
        self,
        signals: Signals | str,
        *,
        segment: str | None = None,
        now: datetime | None = None,
        fallback: bool = False,
    ) -> Selection:
        """The variant to serve to the customer with these signals (and audience `segment`).
        With `fallback`, a stage with no approved copy borrows the nearest stage's."""
        if isinstance(signals, str):
            signals = Signals(text=signals)
        stage = default_classifier().classify(signals)
        served = stage.stage
        if not self.pools[served].ids and fallback:
            served = next((s for s in _nearest(served) if self.pools[s].ids), served)
        pool = self.pools[served]
        if not pool.ids:
            others = [s.value for s in FunnelStage if self.pools[s].ids]
            where = (
                _("{channel} in {locale}, campaign {campaign}")
                if self.campaign
                else _("{channel} in {locale}")
            ).format(channel=self.channel, locale=self.locale, campaign=self.campaign)
            message = _(
                "no approved {stage} variant for {where}: approve some in `dco review` first"
            )
            if others:
                message += _(", or serve {stages} copy with --fallback")
            raise SelectionError(
                message.format(stage=stage.stage.value, where=where, stages="/".join(others))
            )
        matched = self.context_rules.match(signals.context, now=now) if self.context_rules else []
        tags = tuple(dict.fromkeys(t for rule in matched for t in rule.tags))
        segment = segment or ALL_SEGMENTS
        arms = self._arms(pool, frozenset(tags), segment)
        indices = arms.indices
        successes, trials, used = self._figures(pool, segment)
        prior = self.priors[served]
        alphas = prior[0] + arms.successes
        betas = prior[1] + arms.failures
        draws = self.rng.beta(alphas, betas)
        fresh = arms.fresh
        explored = bool(len(fresh)) and self.rng.random() < self.explore
        winner = int(self.rng.choice(fresh)) if explored else int(np.argmax(draws))

        def candidate(i: int) -> Candidate:
            at = indices[i]
            return Candidate(
                variant_id=pool.ids[at], copy=pool.copies[at], tags=pool.tags[at],
                successes=int(successes[at]), trials=int(trials[at]), segment=used[at],
                alpha=float(alphas[i]), beta=float(betas[i]), draw=float(draws[i]),
            )  # fmt: skip

        return Selection(
            stage=stage, rules=tuple(r.name for r in matched), tags=tags,
            objective=self.objective, explored=explored, pool=len(pool.ids),
            considered=len(indices), candidate=candidate,
            order=lambda: np.argsort(-draws, kind="stable").tolist(), winner=winner,
            untried=arms.untried, served=served,
        )  # fmt: skip

    def _arms(self, pool: _Pool, tags: frozenset[str], segment: str) -> _Arms:
        arms = pool.arms.get((tags, segment))
        if arms is None:
            indices = pool.preferred(tags)
            successes, trials, _conversions = self._figures(pool, segment)
            chosen, tried = successes[indices], trials[indices]
            arms = pool.arms[(tags, segment)] = _Arms(
                indices=indices, successes=chosen, failures=tried - chosen,
                fresh=np.flatnonzero(tried < self.min_trials), untried=not tried.any(),
            )  # fmt: skip
        return arms

    def _counts(self, figures: Totals) -> tuple[int, int]:
        if self.objective == "ctr":
            return figures.clicks, figures.impressions
        return figures.conversions, figures.clicks

    def _figures(self, pool: _Pool, segment: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Successes, trials and whose figures they are, per variant of `pool`, for `segment`:
        the segment's own once it has `segment_min` trials, the pooled figures until then."""
        cached = pool.figures.get(segment)
        if cached is None:
            entries = [self._entry(variant_id, segment) for variant_id in pool.ids]
            cached = pool.figures[segment] = (
                np.array([e[0] for e in entries], dtype=np.int64),
                np.array([e[1] for e in entries], dtype=np.int64),
                [e[2] for e in entries],
            )
        return cached

    def _entry(self, variant_id: str, segment: str) -> tuple[int, int, str]:
        by_segment = self.totals.get(variant_id, {})
        own = self._counts(by_segment.get(segment, Totals()))
        if segment != ALL_SEGMENTS and own[1] >= self.segment_min:
            return own[0], own[1], segment
        pooled = self._counts(by_segment.get(ALL_SEGMENTS, Totals()))
        return pooled[0], pooled[1], ALL_SEGMENTS

    def _prior(self, pool: _Pool) -> tuple[float, float]:
        successes, trials, _conversions = self._figures(pool, ALL_SEGMENTS)
        return pooled_prior(int(successes.sum()), int(trials.sum()), self.prior_strength)


def _nearest(stage: FunnelStage) -> list[FunnelStage]:
    """The other stages, nearest in the funnel first (the later of two equally near)."""
    order = list(FunnelStage)
    at = order.index(stage)
    return sorted((s for s in order if s != stage),
                  key=lambda s: (abs(order.index(s) - at), -order.index(s)))  # fmt: skip


def select(
    signals: Signals | str,
    queue: ApprovedLog,
    *,
    channel: str,
    locale: str,
    campaign: str | None = None,
    objective: Objective = "ctr",
    segment: str | None = None,
    context_rules: ContextRules | None = None,
    seed: int | None = None,
    now: datetime | None = None,
    fallback: bool = False,
) -> Selection:
    """The approved variant to serve to a customer; see the module docs for how it is chosen.
    With `fallback`, a stage with no approved copy borrows the nearest stage's.

    Reads the queue on every call: to serve many requests, build a `Selector` once.
    """
    selector = Selector(
        queue, channel=channel, locale=locale, campaign=campaign, objective=objective,
        context_rules=context_rules, seed=seed,
    )  # fmt: skip
    return selector.select(signals, segment=segment, now=now, fallback=fallback)
