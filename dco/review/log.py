"""Reading the decision log: a variant's history and status, counts, approved copy, decided rows.

Statistics, tuning, selection and export read the log through these methods of `ReviewQueue`.
"""

from __future__ import annotations

import json

from dco.errors import ReviewError
from dco.models import Copy, Decision, Variant
from dco.models.records import DecisionCount, Reviewed
from dco.review.rows import conditions, decision_from_row
from dco.review.store import Store


class LogReaders:
    """The log's read side, for `ReviewQueue`: everything here reads `store` and writes nothing."""

    store: Store

    def history(self, variant_id: str) -> list[Decision]:
        """Every decision on the variant, oldest first (undone ones included, with their undo)."""
        rows = self.store.read(
            "SELECT * FROM decisions WHERE variant_id = ? ORDER BY seq", (variant_id,)
        )
        return [decision_from_row(row) for row in rows]

    def status(self, variant_id: str) -> str:
        """pending, approved, edited or rejected."""
        rows = self.store.read("SELECT status FROM variants WHERE id = ?", (variant_id,))
        if not rows:
            raise ReviewError(f"no variant {variant_id!r} in {self.store.path}")
        return rows[0]["status"]

    def stats(self) -> dict[str, int]:
        """How many variants are in each state, and how many decisions of each kind were made."""
        counts = dict.fromkeys(("pending", "approved", "edited", "rejected"), 0)
        for row in self.store.read("SELECT status, COUNT(*) AS n FROM variants GROUP BY status"):
            counts[row["status"]] = row["n"]
        for row in self.store.read("SELECT action, COUNT(*) AS n FROM decisions GROUP BY action"):
            counts[f"decisions_{row['action']}"] = row["n"]
        counts["total"] = sum(counts[s] for s in ("pending", "approved", "edited", "rejected"))
        return counts

    def decision_counts(self, **filters: str | None) -> list[DecisionCount]:
        """The standing decisions counted by every dimension statistics group by, in one query:
        a few hundred rows however long the log, which `dco.tuning.stats.summarise` rolls up."""
        where, parameters = conditions(filters, prefix="v.")
        rows = self.store.read(
            "SELECT v.stage, v.channel, v.locale, v.prompt_version, v.model, v.campaign, "
            "d.reviewer, d.action, d.reasons, COUNT(*), TOTAL(d.distance) "
            "FROM variants v INDEXED BY variants_decided "
            "JOIN decisions d ON d.seq = v.decision_seq "
            f"WHERE v.decision_seq IS NOT NULL{where} "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
            parameters,
        )
        return [
            DecisionCount._make(
                (*row[:8], tuple(json.loads(row[8])) if row[8] else (), row[9], row[10])
            )
            for row in rows
        ]

    def approved(self, **filters: str | None) -> list[tuple[Variant, Copy, Decision]]:
        """Approved and edited variants with their final copy and the deciding decision."""
        where, parameters = conditions(filters, prefix="v.")
        rows = self.store.read(
            "SELECT v.data, d.* FROM variants v JOIN decisions d ON d.seq = v.decision_seq "
            f"WHERE v.status IN ('approved', 'edited'){where} ORDER BY v.submitted_at, v.rowid",
            parameters,
        )
        result = []
        for row in rows:
            variant = Variant.model_validate_json(row["data"])
            decision = decision_from_row(row)
            final = decision.edited if decision.edited is not None else variant.copy
            result.append((variant, final, decision))
        return result

    def decided(self, **filters: str | None) -> list[Reviewed]:
        """Every decided variant with the decision that stands for it, in decision order.

        The light view statistics and tuning read: plain dicts and strings, no model parsing,
        so a log of a hundred thousand decisions reads in well under a second.
        """
        where, parameters = conditions(filters, prefix="v.")
        rows = self.store.read(
            "SELECT v.id, v.campaign, v.stage, v.channel, v.locale, v.prompt_version, v.model, "
            "v.copy, d.seq, d.action, d.reviewer, d.at, "
            "d.edited, d.reasons, d.distance FROM variants v INDEXED BY variants_decided "
            f"JOIN decisions d ON d.seq = v.decision_seq WHERE v.decision_seq IS NOT NULL{where} "
            "ORDER BY v.decision_seq",
            parameters,
        )
        loads = json.loads
        return [
            Reviewed._make((
                *row[:7], loads(row[7]), *row[8:12], loads(row[12]) if row[12] else None,
                tuple(loads(row[13])) if row[13] else (), row[14] or 0.0,
            ))
            for row in rows
        ]  # fmt: skip
