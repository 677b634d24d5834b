"""Reading the decision log: a variant's history and status, counts, approved copy, decided rows.

Statistics, tuning, selection and export read the log through these methods of `ReviewQueue`.
"""

from __future__ import annotations

from dco.errors import ReviewError
from dco.i18n import _
from dco.models import Copy, Decision, Variant
from dco.models.records import DecisionCount, Reviewed
from dco.review.rows import decision_from_row, variant_from_record
from dco.review.stores import QueueStore
from dco.review.stores.base import check_filters


class LogReaders:
    """The log's read side, for `ReviewQueue`: everything here reads `store` and writes nothing."""

    store: QueueStore

    def history(self, variant_id: str) -> list[Decision]:
        """Every decision on the variant, oldest first (undone ones included, with their undo)."""
        queue = self.store.location
        return [decision_from_row(row, queue) for row in self.store.history(variant_id)]

    def status(self, variant_id: str) -> str:
        """pending, approved, edited or rejected."""
        status = self.store.variant_status(variant_id)
        if status is None:
            raise ReviewError(
                _("no variant {id!r} in {queue}").format(id=variant_id, queue=self.store.location)
            )
        return status

    def stats(self) -> dict[str, int]:
        """How many variants are in each state, and how many decisions of each kind were made."""
        counts = dict.fromkeys(("pending", "approved", "edited", "rejected"), 0)
        statuses, actions = self.store.counts()
        counts.update(statuses)
        counts.update({f"decisions_{action}": n for action, n in actions.items()})
        counts["total"] = sum(counts[s] for s in ("pending", "approved", "edited", "rejected"))
        return counts

    def decision_counts(self, **filters: str | None) -> list[DecisionCount]:
        """The standing decisions counted by every dimension statistics group by, in one query:
        a few hundred rows however long the log, which `dco.tuning.stats.summarise` rolls up."""
        return self.store.decision_counts(check_filters(filters))

    def approved(self, **filters: str | None) -> list[tuple[Variant, Copy, Decision]]:
        """Approved and edited variants with their final copy and the deciding decision."""
        result = []
        for data, row in self.store.approved(check_filters(filters)):
            variant = variant_from_record(data, self.store.location)
            decision = decision_from_row(row, self.store.location)
            final = decision.edited if decision.edited is not None else variant.copy
            result.append((variant, final, decision))
        return result

    def decided(self, **filters: str | None) -> list[Reviewed]:
        """Every decided variant with the decision that stands for it, in decision order.

        The light view statistics and tuning read: plain dicts and strings, no model parsing,
        so a log of a hundred thousand decisions reads in well under a second.
        """
        return self.store.decided(check_filters(filters))
