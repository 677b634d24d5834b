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
from datetime import datetime, timezone
from pathlib import Path

from dco.channels.limits import copy_findings
from dco.errors import ReviewError
from dco.models import Copy, Decision, Finding, Variant
from dco.protocols import Checker
from dco.review.log import LogReaders
from dco.review.outcome_tables import OutcomeTables
from dco.review.rows import conditions
from dco.review.store import Store
from dco.text.distance import copy_distance

REASON_TAGS = (
    "off-brand", "wrong-tone", "too-long", "inaccurate-claim", "compliance", "duplicate", "other",
)  # fmt: skip

_STATUS = {"approve": "approved", "edit": "edited", "reject": "rejected"}


@dataclass(frozen=True)
class Claimed:
    """A variant handed to a reviewer, and until when it is theirs."""

    variant: Variant
    expires_at: float


class ReviewQueue(LogReaders, OutcomeTables):
    """Variants awaiting review and the append-only log of what reviewers decided.

    The workflow is here: submitting, claiming under leases, deciding and undoing. Reading the
    log (`LogReaders`: history, counts, approved and decided copy) and recording outcomes
    (`OutcomeTables`) come from the classes it is built of, over the same store.

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
        where, parameters = conditions(filters)
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
        where, parameters = conditions(filters)
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
        where, parameters = conditions(filters)
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
        """Approve the variant with `copy` in place of its own, re-checked as generated copy is:
        against the channel's limits and the brand's rules (`force` records it regardless)."""
        edited = copy if isinstance(copy, Copy) else Copy(**dict(copy))
        if not force:
            variant = self.get(variant_id)
            found = copy_findings(edited, variant.channel, self.checker, variant.stage)
            errors = [f for f in found if f.level == "error"]
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


def _describe_errors(errors: list[Finding]) -> str:
    shown = "; ".join(f"{f.field}: {f.message} [{f.rule}]" for f in errors[:3])
    return f"the edit breaks the brand's rules ({shown}); fix it, or pass force=True"
