"""Outcome tables: performance figures per variant, segment and day, written idempotently.

Plain outcome values and their arithmetic live in `dco.outcomes`; this is their storage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone

from dco.errors import ReviewError
from dco.i18n import _
from dco.models.records import OutcomeRow
from dco.outcomes.values import ALL_SEGMENTS, Outcome, Totals, period_of
from dco.review.stores import QueueStore


class OutcomeTables:
    """Recording and totalling outcomes, for `ReviewQueue`."""

    store: QueueStore
    clock: Callable[[], float]

    def record_outcome(
        self,
        variant_id: str,
        *,
        impressions: int,
        clicks: int = 0,
        conversions: int = 0,
        segment: str = ALL_SEGMENTS,
        at: date | datetime | str | None = None,
    ) -> Outcome:
        """Record how a variant performed in `segment` on the day of `at` (default today).

        Idempotent: recording the same variant, segment and day again replaces the figures, so
        re-importing a report does not count it twice.
        """
        outcome = Outcome(
            variant_id, impressions, clicks, conversions, segment,
            period_of(at, datetime.fromtimestamp(self.clock(), timezone.utc).date()),
        ).check()  # fmt: skip
        self.record_outcomes([outcome])
        return outcome

    def record_outcomes(self, outcomes: Iterable[Outcome]) -> int:
        """Record checked outcomes in one transaction; every variant must be in the queue."""
        outcomes = list(outcomes)
        # Variants are never deleted, so checking before the write transaction is enough.
        known = self.known_variants(o.variant_id for o in outcomes)
        missing = sorted({o.variant_id for o in outcomes} - known)
        if missing:
            raise ReviewError(
                _("no variant {id!r} in {queue}").format(id=missing[0], queue=self.store.location)
            )
        rows = [
            (o.variant_id, o.segment, o.period, o.impressions, o.clicks, o.conversions)
            for o in outcomes
        ]
        return self.store.upsert_outcomes(rows, self.clock())

    def known_variants(self, ids: Iterable[str]) -> set[str]:
        """Which of `ids` are variants in this queue."""
        return self.store.known_variants(sorted(set(ids)))

    def outcome_totals(self) -> dict[str, dict[str, Totals]]:
        """Each variant's figures summed over days, per segment (and under "all" for the sum
        over every segment, or the figures recorded without one)."""
        totals: dict[str, dict[str, Totals]] = {}
        rows = self.store.outcome_sums()
        for variant_id, segment, impressions, clicks, conversions in rows:
            figures = Totals(impressions, clicks, conversions)
            by_segment = totals.setdefault(variant_id, {})
            by_segment[segment] = by_segment.get(segment, Totals()) + figures
            if segment != ALL_SEGMENTS:
                by_segment[ALL_SEGMENTS] = by_segment.get(ALL_SEGMENTS, Totals()) + figures
        return totals

    def outcome_rows(self) -> list[OutcomeRow]:
        """Each variant with outcomes: its dimensions and tags, and its figures summed."""
        return self.store.outcome_rows()
