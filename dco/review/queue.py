"""The review queue: submit variants, hand them to reviewers under leases, record their decisions.

>>> queue = ReviewQueue(":memory:")
>>> queue.stats()["pending"]
0
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from dco.errors import ReviewError
from dco.models import Copy, Decision, Finding, Variant
from dco.models.records import DecisionCount, OutcomeRow, Reviewed
from dco.outcomes.values import ALL_SEGMENTS, Outcome, Totals, period_of, upsert
from dco.protocols import Checker
from dco.review.store import Store
from dco.text.distance import copy_distance

REASON_TAGS = (
    "off-brand", "wrong-tone", "too-long", "inaccurate-claim", "compliance", "duplicate", "other",
)  # fmt: skip
FILTERS = ("campaign", "stage", "channel", "locale")
_STATUS = {"approve": "approved", "edit": "edited", "reject": "rejected"}


@dataclass(frozen=True)
class Claimed:
    """A variant handed to a reviewer, and until when it is theirs."""

    variant: Variant
    expires_at: float


class ReviewQueue:
    """Variants awaiting review and the append-only log of what reviewers decided.

    `checker` (a `dco.Brand`, or anything with `check(copy, channel=, stage=)`) re-checks edited
    copy: an edit that introduces an error-level finding raises unless `force=True`.
    """

    def __init__(
        self,
        path: str | Path = "dco-review.db",
        *,
        checker: Checker | None = None,
        reasons: Iterable[str] = REASON_TAGS,
        lease_seconds: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = Store(path)
        self.checker = checker
        self.reasons = tuple(reasons)
        self.lease_seconds = lease_seconds
        self.clock = clock

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> ReviewQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- submitting and finding work ------------------------------------------------------------

    def submit(self, variants: Iterable[Variant]) -> int:
        """Store variants for review; one already stored (same id) is kept once. Returns how
        many were new."""
        now = self.clock()
        rows = [
            (
                v.id, v.brief.campaign, v.stage.value, v.channel, v.locale,
                v.provenance.prompt_version if v.provenance else None,
                v.provenance.model if v.provenance else None,
                v.model_dump_json(by_alias=True), v.copy.model_dump_json(), now,
            )
            for v in variants
        ]  # fmt: skip
        with self.store.write() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO variants (id, campaign, stage, channel, locale, "
                "prompt_version, model, data, copy, submitted_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            return db.total_changes - before

    def pending(self, *, limit: int | None = None, **filters: str | None) -> list[Variant]:
        """Variants no one has approved, edited or rejected yet, oldest first."""
        where, parameters = _where(filters)
        sql = (
            f"SELECT data FROM variants WHERE status = 'pending'{where} "
            "ORDER BY submitted_at, rowid"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [
            Variant.model_validate_json(row["data"]) for row in self.store.read(sql, parameters)
        ]

    def pending_count(self, **filters: str | None) -> int:
        """How many variants are pending (with the filters)."""
        where, parameters = _where(filters)
        rows = self.store.read(
            f"SELECT COUNT(*) AS n FROM variants WHERE status = 'pending'{where}", parameters
        )
        return rows[0]["n"]

    def get(self, variant_id: str) -> Variant:
        """One stored variant."""
        rows = self.store.read("SELECT data FROM variants WHERE id = ?", (variant_id,))
        if not rows:
            raise ReviewError(f"no variant {variant_id!r} in {self.store.path}")
        return Variant.model_validate_json(rows[0]["data"])

    def claim(self, reviewer: str, **filters: str | None) -> Claimed | None:
        """The oldest pending variant nobody else holds, leased to `reviewer`; None when none.

        A reviewer who already holds one gets that one back, so a restart resumes where it was.
        """
        now = self.clock()
        where, parameters = _where(filters)
        with self.store.write() as db:
            held = db.execute(
                # CROSS JOIN: start from the (few) leases, then fetch their variants by key.
                "SELECT v.id, v.data FROM leases l CROSS JOIN variants v ON v.id = l.variant_id "
                "WHERE l.reviewer = ? AND l.expires_at > ? AND v.status = 'pending' LIMIT 1",
                (reviewer, now),
            ).fetchone()
            row = (
                held
                or db.execute(
                    # INDEXED BY keeps the plan fixed as the tables grow: walk pending variants
                    # in submission order, looking up only each one's own leases and decisions.
                    "SELECT id, data FROM variants v INDEXED BY variants_pending "
                    f"WHERE status = 'pending'{where} AND NOT EXISTS (SELECT 1 FROM leases l "
                    "WHERE l.variant_id = v.id AND l.expires_at > :now "
                    "AND l.reviewer != :reviewer) "
                    "AND NOT EXISTS (SELECT 1 FROM decisions d INDEXED BY decisions_variant "
                    "WHERE d.variant_id = v.id AND d.reviewer = :reviewer AND d.action = 'skip' "
                    "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq)) "
                    "ORDER BY submitted_at, rowid LIMIT 1",
                    {**parameters, "now": now, "reviewer": reviewer},
                ).fetchone()
            )
            if row is None:
                return None
            expires = now + self.lease_seconds
            db.execute(
                "INSERT OR REPLACE INTO leases (variant_id, reviewer, expires_at) VALUES (?, ?, ?)",
                (row["id"], reviewer, expires),
            )
        return Claimed(Variant.model_validate_json(row["data"]), expires)

    def hold(self, variant_id: str, reviewer: str, *, only: bool = False) -> str | None:
        """Lease `variant_id` to `reviewer` if no one else holds it; returns the other holder.

        With `only`, the reviewer's other leases are given back in the same transaction (the
        review app holds just the variant on screen).
        """
        now = self.clock()
        with self.store.write() as db:
            lease = db.execute(
                "SELECT reviewer FROM leases WHERE variant_id = ? AND expires_at > ?",
                (variant_id, now),
            ).fetchone()
            if only:
                db.execute(
                    "DELETE FROM leases WHERE reviewer = ? AND variant_id != ?",
                    (reviewer, variant_id),
                )
            if lease is not None and lease["reviewer"] != reviewer:
                return lease["reviewer"]
            db.execute(
                "INSERT OR REPLACE INTO leases (variant_id, reviewer, expires_at) VALUES (?, ?, ?)",
                (variant_id, reviewer, now + self.lease_seconds),
            )
        return None

    def release(self, variant_id: str, reviewer: str) -> None:
        """Give back a lease before it expires."""
        with self.store.write() as db:
            db.execute(
                "DELETE FROM leases WHERE variant_id = ? AND reviewer = ?", (variant_id, reviewer)
            )

    # -- decisions ------------------------------------------------------------------------------

    def approve(self, variant_id: str, reviewer: str, *, override: bool = False) -> Decision:
        """Approve the variant as written."""
        return self._decide(Decision(variant_id=variant_id, action="approve", reviewer=reviewer,
                                     at=self._now()), override)  # fmt: skip

    def edit(
        self,
        variant_id: str,
        reviewer: str,
        copy: Copy | Mapping[str, str],
        *,
        note: str | None = None,
        force: bool = False,
        override: bool = False,
    ) -> Decision:
        """Approve the variant with `copy` in place of its own (re-checked against the brand)."""
        edited = copy if isinstance(copy, Copy) else Copy(**dict(copy))
        if self.checker is not None and not force:
            variant = self.get(variant_id)
            errors = [
                f for f in self.checker.check(edited, channel=variant.channel, stage=variant.stage)
                if f.level == "error"
            ]  # fmt: skip
            if errors:
                raise ReviewError(_describe_errors(errors))
        decision = Decision(variant_id=variant_id, action="edit", reviewer=reviewer,
                            at=self._now(), edited=edited, note=note)  # fmt: skip
        return self._decide(decision, override)

    def reject(
        self,
        variant_id: str,
        reviewer: str,
        reasons: Iterable[str],
        *,
        note: str | None = None,
        override: bool = False,
    ) -> Decision:
        """Reject the variant for one or more of the configured reasons."""
        reasons = tuple(reasons)
        unknown = [r for r in reasons if r not in self.reasons]
        if unknown:
            raise ReviewError(
                f"unknown reason {unknown[0]!r}; use one of {', '.join(self.reasons)}"
            )
        decision = Decision(variant_id=variant_id, action="reject", reviewer=reviewer,
                            at=self._now(), reasons=reasons, note=note)  # fmt: skip
        return self._decide(decision, override)

    def skip(self, variant_id: str, reviewer: str) -> Decision:
        """Pass the variant over: it stays pending for others, and the lease is released."""
        decision = Decision(variant_id=variant_id, action="skip", reviewer=reviewer,
                            at=self._now())  # fmt: skip
        return self._decide(decision, override=False)

    def undo(self, reviewer: str) -> Decision | None:
        """Reverse `reviewer`'s last decision not yet undone, by appending an `undo`."""
        with self.store.write() as db:
            last = db.execute(
                "SELECT seq, variant_id FROM decisions d WHERE reviewer = ? AND action != 'undo' "
                "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq) "
                "ORDER BY seq DESC LIMIT 1",
                (reviewer,),
            ).fetchone()
            if last is None:
                return None
            decision = Decision(variant_id=last["variant_id"], action="undo", reviewer=reviewer,
                                at=self._now())  # fmt: skip
            _append(db, decision, undoes=last["seq"])
            _refresh_status(db, last["variant_id"])
        return decision

    def history(self, variant_id: str) -> list[Decision]:
        """Every decision on the variant, oldest first (undone ones included, with their undo)."""
        rows = self.store.read(
            "SELECT * FROM decisions WHERE variant_id = ? ORDER BY seq", (variant_id,)
        )
        return [_decision(row) for row in rows]

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
        a few hundred rows however long the log, which `dco.stats.summarise` rolls up."""
        where, parameters = _where(filters, prefix="v.")
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
            DecisionCount(*row[:8], tuple(json.loads(row[8])) if row[8] else (), row[9], row[10])
            for row in rows
        ]

    def approved(self, **filters: str | None) -> list[tuple[Variant, Copy, Decision]]:
        """Approved and edited variants with their final copy and the deciding decision."""
        where, parameters = _where(filters, prefix="v.")
        rows = self.store.read(
            "SELECT v.data, d.* FROM variants v JOIN decisions d ON d.seq = v.decision_seq "
            f"WHERE v.status IN ('approved', 'edited'){where} ORDER BY v.submitted_at, v.rowid",
            parameters,
        )
        result = []
        for row in rows:
            variant = Variant.model_validate_json(row["data"])
            decision = _decision(row)
            final = decision.edited if decision.edited is not None else variant.copy
            result.append((variant, final, decision))
        return result

    def decided(self, **filters: str | None) -> list[Reviewed]:
        """Every decided variant with the decision that stands for it, in decision order.

        The light view statistics and tuning read: plain dicts and strings, no model parsing,
        so a log of a hundred thousand decisions reads in well under a second.
        """
        where, parameters = _where(filters, prefix="v.")
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
            Reviewed(
                *row[:7], loads(row[7]), *row[8:12], loads(row[12]) if row[12] else None,
                tuple(loads(row[13])) if row[13] else (), row[14] or 0.0,
            )
            for row in rows
        ]  # fmt: skip

    # -- outcomes ---------------------------------------------------------------------------------

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
            period_of(at, self._now().date()),
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
            raise ReviewError(f"no variant {missing[0]!r} in {self.store.path}")
        with self.store.write() as db:
            return upsert(db, outcomes, self.clock())

    def known_variants(self, ids: Iterable[str]) -> set[str]:
        """Which of `ids` are variants in this queue."""
        ids = sorted(set(ids))
        known: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.store.read(f"SELECT id FROM variants WHERE id IN ({marks})", tuple(chunk))
            known |= {row[0] for row in rows}
        return known

    def outcome_totals(self) -> dict[str, dict[str, Totals]]:
        """Each variant's figures summed over days, per segment (and under "all" for the sum
        over every segment, or the figures recorded without one)."""
        totals: dict[str, dict[str, Totals]] = {}
        rows = self.store.read(
            "SELECT variant_id, segment, SUM(impressions), SUM(clicks), SUM(conversions) "
            "FROM outcomes GROUP BY variant_id, segment"
        )
        for variant_id, segment, impressions, clicks, conversions in rows:
            figures = Totals(impressions, clicks, conversions)
            by_segment = totals.setdefault(variant_id, {})
            by_segment[segment] = by_segment.get(segment, Totals()) + figures
            if segment != ALL_SEGMENTS:
                by_segment[ALL_SEGMENTS] = by_segment.get(ALL_SEGMENTS, Totals()) + figures
        return totals

    def outcome_rows(self) -> list[OutcomeRow]:
        """Each variant with outcomes: its dimensions and tags, and its figures summed."""
        rows = self.store.read(
            "SELECT v.stage, v.channel, v.locale, v.prompt_version, v.model, v.campaign, "
            "json_extract(v.data, '$.tags'), SUM(o.impressions), SUM(o.clicks), "
            "SUM(o.conversions) FROM outcomes o JOIN variants v ON v.id = o.variant_id "
            "GROUP BY v.id"
        )
        return [
            OutcomeRow(*row[:6], tuple(json.loads(row[6])) if row[6] else (), *row[7:])
            for row in rows
        ]

    # -- internals --------------------------------------------------------------------------------

    def _decide(self, decision: Decision, override: bool) -> Decision:
        now = self.clock()
        with self.store.write() as db:
            row = db.execute(
                "SELECT status, copy FROM variants WHERE id = ?", (decision.variant_id,)
            ).fetchone()
            if row is None:
                raise ReviewError(f"no variant {decision.variant_id!r} to decide on")
            lease = db.execute(
                "SELECT reviewer FROM leases WHERE variant_id = ? AND expires_at > ?",
                (decision.variant_id, now),
            ).fetchone()
            if not override and lease is not None and lease["reviewer"] != decision.reviewer:
                raise ReviewError(
                    f"{decision.variant_id} is being reviewed by {lease['reviewer']}; wait for "
                    "their lease to end, or pass override=True"
                )
            if not override and row["status"] != "pending" and decision.action != "skip":
                raise ReviewError(
                    f"{decision.variant_id} is already {row['status']}; undo that decision "
                    "first, or pass override=True"
                )
            distance = None
            if decision.edited is not None:
                original = json.loads(row["copy"])
                distance = copy_distance(original, decision.edited.fields())
            _append(db, decision, distance=distance)
            _refresh_status(db, decision.variant_id)
            db.execute("DELETE FROM leases WHERE variant_id = ?", (decision.variant_id,))
        return decision

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), timezone.utc)


def _append(
    db, decision: Decision, undoes: int | None = None, distance: float | None = None
) -> None:
    db.execute(
        "INSERT INTO decisions (variant_id, action, reviewer, at, edited, reasons, note, undoes, "
        "distance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            decision.variant_id, decision.action, decision.reviewer, decision.at.isoformat(),
            decision.edited.model_dump_json() if decision.edited else None,
            json.dumps(list(decision.reasons)) if decision.reasons else None,
            decision.note, undoes, distance,
        ),
    )  # fmt: skip


_STANDING_DECISION = (
    "SELECT * FROM decisions d WHERE variant_id = ? AND action IN ('approve', 'edit', 'reject') "
    "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.seq) ORDER BY seq DESC LIMIT 1"
)
"""The decision that stands for a variant: its latest approve, edit or reject not undone."""


def _refresh_status(db, variant_id: str) -> None:
    row = db.execute(_STANDING_DECISION, (variant_id,)).fetchone()
    status = _STATUS[row["action"]] if row else "pending"
    db.execute(
        "UPDATE variants SET status = ?, decision_seq = ? WHERE id = ?",
        (status, row["seq"] if row else None, variant_id),
    )


def _decision(row) -> Decision:
    return Decision(
        variant_id=row["variant_id"],
        action=row["action"],
        reviewer=row["reviewer"],
        at=datetime.fromisoformat(row["at"]),
        edited=Copy.model_validate_json(row["edited"]) if row["edited"] else None,
        reasons=tuple(json.loads(row["reasons"])) if row["reasons"] else (),
        note=row["note"],
    )


def _where(filters: Mapping[str, str], prefix: str = "") -> tuple[str, dict[str, str]]:
    unknown = [k for k in filters if k not in FILTERS]
    if unknown:
        raise ReviewError(f"unknown filter {unknown[0]!r}; filter by {', '.join(FILTERS)}")
    given = {k: str(v) for k, v in filters.items() if v is not None}
    return "".join(f" AND {prefix}{k} = :{k}" for k in given), given


def _describe_errors(errors: list[Finding]) -> str:
    shown = "; ".join(f"{f.field}: {f.message} [{f.rule}]" for f in errors[:3])
    return f"the edit breaks the brand's rules ({shown}); fix it, or pass force=True"
